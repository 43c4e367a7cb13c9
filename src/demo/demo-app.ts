import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AcceptanceCheck, BrowserStep } from '../shared/acceptance.js';

/**
 * The files of the demo's tiny static todo page, as the scripted demo model writes them: a
 * skeleton from the initializer session, then one module and one test per feature. Plain
 * HTML and JavaScript modules, no dependencies; `node --test` checks the logic, and the page
 * works when `./init.sh` serves it. The files themselves are in `src/demo/app/`, laid out as
 * in the demo project (read when this module loads): that folder is the finished app, except
 * that its feature registry lists none of the features yet.
 */

/** Every built feature adds one line above this marker in src/features/index.js. */
export const FEATURE_MARKER = '// ── built features register above this line ──';

export const REGISTRY_FILE = 'src/features/index.js';

/** The check command every session runs (allowed by the Bash policy; runs inside the sandbox). */
export const CHECK_COMMAND = 'node --test';

export interface DemoFile {
  readonly path: string;
  readonly content: string;
}

/** Where the demo app's files are, at the paths they get in the demo project. */
export const DEMO_APP_DIR = join(import.meta.dirname, 'app');

const appFile = (path: string): string => readFileSync(join(DEMO_APP_DIR, path), 'utf8');

/** The initializer's files, in the order it writes them. */
const SKELETON_PATHS = [
  'package.json',
  'index.html',
  'style.css',
  'src/store.js',
  'src/app.js',
  REGISTRY_FILE,
  'test/store.test.js',
  'server.js',
  'init.sh',
  'claude-progress.txt',
] as const;

export const SKELETON_FILES: readonly DemoFile[] = SKELETON_PATHS.map((path) => ({ path, content: appFile(path) }));

// The scenario registers each feature by writing a line above this marker: the file must have it.
if (!appFile(REGISTRY_FILE).includes(FEATURE_MARKER))
  throw new Error(`${join(DEMO_APP_DIR, REGISTRY_FILE)} lost its marker line "${FEATURE_MARKER}"`);

/** One feature of the demo backlog with the code the scripted session writes for it. */
export interface DemoFeature {
  /** File name of its module and test (src/features/<slug>.js, test/<slug>.test.js). */
  readonly slug: string;
  readonly category: string;
  readonly name: string;
  readonly description: string;
  readonly steps: readonly string[];
  /** Slugs of the features it needs. */
  readonly dependsOn: readonly string[];
  /**
   * Its frozen acceptance checks (the initializer plans them with the steps): its own test file, and browser steps a
   * person would take on the page, which the finished app passes.
   */
  readonly acceptance: readonly AcceptanceCheck[];
  /** Short "thinking" lines, one per step of the session. */
  readonly thoughts: { readonly plan: string; readonly module: string; readonly test: string };
  /** The content of src/features/<slug>.js. */
  readonly module: string;
  /** The content of test/<slug>.test.js. */
  readonly test: string;
}

type DemoFeaturePlan = Omit<DemoFeature, 'module' | 'test'>;

/** Types a todo into the form and presses Add (enabled once the page has set up its features). */
const addTodo = (title: string): BrowserStep[] => [
  { fill: { label: 'New todo' }, value: title },
  { click: { role: 'button', name: 'Add', exact: true } },
];
/** The feature's own test file, run by the runner (`node --test` prints "pass N"). */
const testCheck = (slug: string): AcceptanceCheck => ({
  kind: 'command',
  name: `${slug} tests pass`,
  run: `node --test test/${slug}.test.js`,
  expect: { exitCode: 0, stdoutIncludes: 'pass' },
});
const browserCheck = (name: string, steps: BrowserStep[]): AcceptanceCheck => ({ kind: 'browser', name, steps });

const FEATURE_PLANS: readonly DemoFeaturePlan[] = [
  {
    slug: 'add',
    category: 'todos',
    name: 'Add a todo',
    description:
      'Typing a title and pressing Add (or Enter) puts a new, open todo at the end of the list. Blank titles are ignored.',
    steps: [
      'Type "Buy milk" and press Add',
      'See "Buy milk" in the list',
      'Press Add with an empty title: nothing is added',
    ],
    dependsOn: [],
    acceptance: [
      testCheck('add'),
      {
        kind: 'http',
        name: 'the page is served',
        method: 'GET',
        path: '/',
        expect: { status: 200, bodyIncludes: 'aria-label="New todo"' },
      },
      browserCheck('a typed todo is added', [
        { goto: '/' },
        ...addTodo('Buy milk'),
        { expectText: 'Buy milk' },
        { screenshot: 'added' },
      ]),
    ],
    thoughts: {
      plan: 'The list needs a way in first: a pure addTodo(todos, title) that trims the title and gives the next id, and a submit handler on the form.',
      module:
        'Writing src/features/add.js: blank titles return the list unchanged, so the handler needs no special case.',
      test: 'Two tests: ids count up, and whitespace-only titles add nothing.',
    },
  },
  {
    slug: 'complete',
    category: 'todos',
    name: 'Complete a todo',
    description: 'Each todo has a checkbox; ticking it marks the todo done (struck through), unticking opens it again.',
    steps: ['Add "Buy milk"', 'Tick its checkbox: it is struck through', 'Untick it: it is open again'],
    dependsOn: ['add'],
    acceptance: [
      testCheck('complete'),
      browserCheck('a ticked todo is done', [
        { goto: '/' },
        ...addTodo('Buy milk'),
        { check: { label: 'Complete Buy milk' } },
        { expectVisible: { role: 'checkbox', name: 'Complete Buy milk' } },
        { screenshot: 'completed' },
      ]),
    ],
    thoughts: {
      plan: 'Completing is a toggle on one id; the row gets a checkbox that calls it.',
      module: 'toggleTodo maps over the list and flips done only for the matching id, leaving the others untouched.',
      test: 'Testing that toggling twice returns to open and that other todos do not change.',
    },
  },
  {
    slug: 'delete',
    category: 'todos',
    name: 'Delete a todo',
    description: 'Each todo has a delete button that removes it from the list.',
    steps: ['Add "Buy milk" and "Call Ada"', 'Press delete on "Buy milk"', 'Only "Call Ada" is left'],
    dependsOn: ['add'],
    acceptance: [
      testCheck('delete'),
      browserCheck('a deleted todo is gone', [
        { goto: '/' },
        ...addTodo('Buy milk'),
        ...addTodo('Call Ada'),
        { click: { role: 'button', name: 'Delete Buy milk' } },
        { expectNoText: 'Buy milk' },
        { expectText: 'Call Ada' },
        { screenshot: 'deleted' },
      ]),
    ],
    thoughts: {
      plan: 'Deleting filters the todo out by id; each row gets a small delete button.',
      module:
        'removeTodo keeps every todo whose id differs; the button carries an aria-label so it is clear which todo it deletes.',
      test: 'One test: deleting an id removes exactly that todo, and an unknown id changes nothing.',
    },
  },
  {
    slug: 'count',
    category: 'todos',
    name: 'Count open todos',
    description: 'Below the list, a line says how many todos are still open ("1 item left", "3 items left").',
    steps: ['Add two todos: "2 items left"', 'Complete one: "1 item left"'],
    dependsOn: ['complete'],
    acceptance: [
      testCheck('count'),
      browserCheck('the counter follows the open todos', [
        { goto: '/' },
        ...addTodo('Buy milk'),
        ...addTodo('Call Ada'),
        { expectText: '2 items left' },
        { check: { label: 'Complete Buy milk' } },
        { expectText: '1 item left' },
        { screenshot: 'count' },
      ]),
    ],
    thoughts: {
      plan: 'The counter only counts open todos, so it builds on completing; it renders after every change.',
      module: 'countText handles the singular; the view calls it after each render so it is never stale.',
      test: 'Checking zero, one and several open todos, with a done one that must not count.',
    },
  },
  {
    slug: 'filter',
    category: 'view',
    name: 'Filter by state',
    description:
      'Buttons All / Active / Done show all todos, only open ones, or only completed ones; the chosen button is marked.',
    steps: [
      'Add two todos and complete one',
      'Press Active: only the open one shows',
      'Press Done: only the completed one shows',
      'Press All: both show',
    ],
    dependsOn: ['complete'],
    acceptance: [
      testCheck('filter'),
      browserCheck('the filters show open and done todos', [
        { goto: '/' },
        ...addTodo('Buy milk'),
        ...addTodo('Call Ada'),
        { check: { label: 'Complete Buy milk' } },
        { click: { role: 'button', name: 'Active', exact: true } },
        { expectNoText: 'Buy milk' },
        { expectText: 'Call Ada' },
        { click: { role: 'button', name: 'Done', exact: true } },
        { expectText: 'Buy milk' },
        { expectNoText: 'Call Ada' },
        { screenshot: 'filtered' },
      ]),
    ],
    thoughts: {
      plan: 'Filtering needs the done flag from completing. Three buttons set the filter; the view asks the filter which todos to show.',
      module: 'visibleTodos falls back to "all" for an unknown filter name, so a bad value can never hide everything.',
      test: 'One test per filter, plus the fallback.',
    },
  },
  {
    slug: 'persist',
    category: 'data',
    name: 'Keep todos after a reload',
    description:
      'Todos are saved in the browser (localStorage) on every change and loaded when the page opens; unreadable saved data starts an empty list.',
    steps: ['Add "Buy milk"', 'Reload the page', '"Buy milk" is still there'],
    dependsOn: ['add'],
    acceptance: [
      testCheck('persist'),
      browserCheck('todos survive a reload', [
        { goto: '/' },
        ...addTodo('Buy milk'),
        { expectText: 'Buy milk' },
        { reload: true },
        { expectText: 'Buy milk' },
        { screenshot: 'after-reload' },
      ]),
    ],
    thoughts: {
      plan: 'Saving goes through a storage object passed in, so the logic is testable without a browser; setup wires localStorage.',
      module: 'loadTodos must survive junk in storage: anything that is not a JSON array loads as an empty list.',
      test: 'A Map-backed fake storage: save then load round-trips, and junk loads as [].',
    },
  },
];

export const DEMO_FEATURES: readonly DemoFeature[] = FEATURE_PLANS.map((plan) => ({
  ...plan,
  module: appFile(`src/features/${plan.slug}.js`),
  test: appFile(`test/${plan.slug}.test.js`),
}));

/** The line that registers a feature in src/features/index.js. */
export const registryLine = (slug: string): string => `features.push(await import('./${slug}.js'));`;
