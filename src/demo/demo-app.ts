/**
 * The files of the demo's tiny static todo page, as the scripted demo model writes them: a
 * skeleton from the initializer session, then one module and one test per feature. Plain
 * HTML and JavaScript modules, no dependencies; `node --test` checks the logic, and the page
 * works when `./init.sh` serves it.
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

export const SKELETON_FILES: readonly DemoFile[] = [
  {
    path: 'package.json',
    content: `${JSON.stringify({ name: 'demo-todos', private: true, type: 'module', scripts: { start: './init.sh', test: 'node --test' } }, null, 2)}\n`,
  },
  {
    path: 'index.html',
    content: `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Demo todos</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="style.css">
  </head>
  <body>
    <main>
      <h1>Todos</h1>
      <form id="new-todo">
        <input id="title" placeholder="What needs doing?" autocomplete="off" aria-label="New todo">
        <button>Add</button>
      </form>
      <nav id="filters" aria-label="Filter todos"></nav>
      <ul id="todos"></ul>
      <p id="count" aria-live="polite"></p>
    </main>
    <script type="module" src="src/app.js"></script>
  </body>
</html>
`,
  },
  {
    path: 'style.css',
    content: `body { font-family: system-ui, sans-serif; background: #f5f5f4; color: #1c1917; }
main { max-width: 32rem; margin: 3rem auto; padding: 1.5rem; background: white; border-radius: 0.75rem; box-shadow: 0 1px 3px #0002; }
form { display: flex; gap: 0.5rem; }
nav { display: flex; gap: 0.25rem; margin-top: 0.75rem; }
input#title { flex: 1; padding: 0.5rem; }
ul { list-style: none; padding: 0; }
li { display: flex; align-items: center; gap: 0.5rem; padding: 0.4rem 0; border-bottom: 1px solid #e7e5e4; }
li.done span { text-decoration: line-through; color: #78716c; }
li button { margin-left: auto; }
nav button[aria-pressed="true"] { font-weight: bold; }
`,
  },
  {
    path: 'src/store.js',
    content: `// The app state: a list of todos ({ id, title, done }) and the functions listening to it.
export function createStore(initial = []) {
  let todos = initial;
  const listeners = new Set();
  return {
    get todos() {
      return todos;
    },
    set(next) {
      todos = next;
      for (const listener of listeners) listener(todos);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
`,
  },
  {
    path: 'src/app.js',
    content: `// The page: renders the todos and lets every built feature add its part (src/features/).
import { createStore } from './store.js';
import { features } from './features/index.js';

const store = createStore();
const page = {
  form: document.querySelector('#new-todo'),
  title: document.querySelector('#title'),
  list: document.querySelector('#todos'),
  filters: document.querySelector('#filters'),
  count: document.querySelector('#count'),
};
// Features change what is shown (filter), add controls to each row (decorate) and react after a render (after).
const view = { filter: (todos) => todos, decorate: [], after: [] };

function render() {
  const rows = view.filter(store.todos).map((todo) => {
    const li = document.createElement('li');
    const title = document.createElement('span');
    title.textContent = todo.title;
    li.append(title);
    li.classList.toggle('done', todo.done);
    for (const decorate of view.decorate) decorate(li, todo);
    return li;
  });
  page.list.replaceChildren(...rows);
  for (const after of view.after) after(store.todos);
}

for (const feature of features) feature.setup({ store, page, view, render });
store.subscribe(render);
render();
`,
  },
  {
    path: REGISTRY_FILE,
    content: `// The features the page has. Each built feature adds one line above the marker.
export const features = [];
${FEATURE_MARKER}
`,
  },
  {
    path: 'test/store.test.js',
    content: `import test from 'node:test';
import assert from 'node:assert/strict';
import { createStore } from '../src/store.js';

test('the store keeps the todos and tells its listeners', () => {
  const store = createStore();
  const seen = [];
  store.subscribe((todos) => seen.push(todos.length));
  store.set([{ id: 1, title: 'a', done: false }]);
  assert.equal(store.todos.length, 1);
  assert.deepEqual(seen, [1]);
});

test('every registered feature can set itself up', async () => {
  const { features } = await import('../src/features/index.js');
  for (const feature of features) assert.equal(typeof feature.setup, 'function');
});
`,
  },
  {
    path: 'server.js',
    content: `// A tiny static file server for the page: node server.js [port] (default 5100).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

const root = new URL('.', import.meta.url).pathname;
const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
const port = Number(process.argv[2] ?? 5100);

createServer(async (req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
  const file = join(root, path === '/' ? 'index.html' : path);
  if (!file.startsWith(root)) return res.writeHead(403).end();
  try {
    const body = await readFile(file);
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(body);
  } catch {
    res.writeHead(404).end('not found');
  }
}).listen(port, '127.0.0.1', () => process.stdout.write(\`http://127.0.0.1:\${port}/\\n\`));
`,
  },
  {
    path: 'init.sh',
    content: `#!/usr/bin/env bash
# Serves the todo page on $PORT (default 5100) in the background and waits until it answers.
set -euo pipefail
cd "$(dirname "$0")"
export PORT="\${PORT:-5100}"
url="http://127.0.0.1:$PORT/"
if curl -fsS "$url" > /dev/null 2>&1; then echo "$url (already running)"; exit 0; fi
nohup node server.js "$PORT" > server.log 2>&1 &
for _ in $(seq 1 50); do
  if curl -fsS "$url" > /dev/null 2>&1; then echo "$url"; exit 0; fi
  sleep 0.1
done
echo "the page did not answer on port $PORT; see server.log" >&2
exit 1
`,
  },
  {
    path: 'claude-progress.txt',
    content: `Demo todo page (written by the scripted demo model: no AI).
Stack: plain HTML + JavaScript modules, no dependencies. ./init.sh serves it on $PORT.
Each feature is one module in src/features/ (pure functions + setup(page)) with a test in test/.
Register a feature with one line above the marker in src/features/index.js; check with \`node --test\`.
`,
  },
];

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
  /** Short "thinking" lines, one per step of the session. */
  readonly thoughts: { readonly plan: string; readonly module: string; readonly test: string };
  readonly module: string;
  readonly test: string;
}

const testHeader = (slug: string, names: string) => `import test from 'node:test';
import assert from 'node:assert/strict';
import { ${names} } from '../src/features/${slug}.js';
`;

export const DEMO_FEATURES: readonly DemoFeature[] = [
  {
    slug: 'add',
    category: 'todos',
    name: 'Add a todo',
    description: 'Typing a title and pressing Add (or Enter) puts a new, open todo at the end of the list. Blank titles are ignored.',
    steps: ['Type "Buy milk" and press Add', 'See "Buy milk" in the list', 'Press Add with an empty title: nothing is added'],
    dependsOn: [],
    thoughts: {
      plan: 'The list needs a way in first: a pure addTodo(todos, title) that trims the title and gives the next id, and a submit handler on the form.',
      module: 'Writing src/features/add.js: blank titles return the list unchanged, so the handler needs no special case.',
      test: 'Two tests: ids count up, and whitespace-only titles add nothing.',
    },
    module: `// Feature: add a todo from the form. Blank titles are ignored.
export function addTodo(todos, title) {
  const text = String(title).trim();
  if (text === '') return todos;
  const id = todos.reduce((max, todo) => Math.max(max, todo.id), 0) + 1;
  return [...todos, { id, title: text, done: false }];
}

export function setup({ store, page }) {
  page.form.addEventListener('submit', (event) => {
    event.preventDefault();
    store.set(addTodo(store.todos, page.title.value));
    page.title.value = '';
  });
}
`,
    test: `${testHeader('add', 'addTodo')}
test('adds an open todo with the next id', () => {
  const one = addTodo([], '  Buy milk ');
  assert.deepEqual(one, [{ id: 1, title: 'Buy milk', done: false }]);
  assert.equal(addTodo(one, 'Call Ada')[1].id, 2);
});

test('ignores blank titles', () => {
  assert.deepEqual(addTodo([], '   '), []);
});
`,
  },
  {
    slug: 'complete',
    category: 'todos',
    name: 'Complete a todo',
    description: 'Each todo has a checkbox; ticking it marks the todo done (struck through), unticking opens it again.',
    steps: ['Add "Buy milk"', 'Tick its checkbox: it is struck through', 'Untick it: it is open again'],
    dependsOn: ['add'],
    thoughts: {
      plan: 'Completing is a toggle on one id; the row gets a checkbox that calls it.',
      module: 'toggleTodo maps over the list and flips done only for the matching id, leaving the others untouched.',
      test: 'Testing that toggling twice returns to open and that other todos do not change.',
    },
    module: `// Feature: tick a todo's checkbox to mark it done (and untick to open it again).
export function toggleTodo(todos, id) {
  return todos.map((todo) => (todo.id === id ? { ...todo, done: !todo.done } : todo));
}

export function setup({ store, view }) {
  view.decorate.push((li, todo) => {
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = todo.done;
    box.setAttribute('aria-label', \`Complete \${todo.title}\`);
    box.addEventListener('change', () => store.set(toggleTodo(store.todos, todo.id)));
    li.prepend(box);
  });
}
`,
    test: `${testHeader('complete', 'toggleTodo')}
const todos = [
  { id: 1, title: 'a', done: false },
  { id: 2, title: 'b', done: false },
];

test('toggles only the given todo', () => {
  const once = toggleTodo(todos, 1);
  assert.equal(once[0].done, true);
  assert.equal(once[1].done, false);
  assert.deepEqual(toggleTodo(once, 1), todos);
});
`,
  },
  {
    slug: 'delete',
    category: 'todos',
    name: 'Delete a todo',
    description: 'Each todo has a delete button that removes it from the list.',
    steps: ['Add "Buy milk" and "Call Ada"', 'Press delete on "Buy milk"', 'Only "Call Ada" is left'],
    dependsOn: ['add'],
    thoughts: {
      plan: 'Deleting filters the todo out by id; each row gets a small delete button.',
      module: 'removeTodo keeps every todo whose id differs; the button carries an aria-label so it is clear which todo it deletes.',
      test: 'One test: deleting an id removes exactly that todo, and an unknown id changes nothing.',
    },
    module: `// Feature: a delete button on each todo.
export function removeTodo(todos, id) {
  return todos.filter((todo) => todo.id !== id);
}

export function setup({ store, view }) {
  view.decorate.push((li, todo) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = '×';
    button.setAttribute('aria-label', \`Delete \${todo.title}\`);
    button.addEventListener('click', () => store.set(removeTodo(store.todos, todo.id)));
    li.append(button);
  });
}
`,
    test: `${testHeader('delete', 'removeTodo')}
test('removes exactly the given todo', () => {
  const todos = [
    { id: 1, title: 'a', done: false },
    { id: 2, title: 'b', done: true },
  ];
  assert.deepEqual(removeTodo(todos, 1), [todos[1]]);
  assert.deepEqual(removeTodo(todos, 9), todos);
});
`,
  },
  {
    slug: 'count',
    category: 'todos',
    name: 'Count open todos',
    description: 'Below the list, a line says how many todos are still open ("1 item left", "3 items left").',
    steps: ['Add two todos: "2 items left"', 'Complete one: "1 item left"'],
    dependsOn: ['complete'],
    thoughts: {
      plan: 'The counter only counts open todos, so it builds on completing; it renders after every change.',
      module: 'countText handles the singular; the view calls it after each render so it is never stale.',
      test: 'Checking zero, one and several open todos, with a done one that must not count.',
    },
    module: `// Feature: "N items left" below the list.
export function countText(todos) {
  const open = todos.filter((todo) => !todo.done).length;
  return open === 1 ? '1 item left' : \`\${open} items left\`;
}

export function setup({ page, view }) {
  view.after.push((todos) => {
    page.count.textContent = countText(todos);
  });
}
`,
    test: `${testHeader('count', 'countText')}
test('counts open todos only, with the right plural', () => {
  assert.equal(countText([]), '0 items left');
  assert.equal(countText([{ id: 1, title: 'a', done: false }]), '1 item left');
  assert.equal(
    countText([
      { id: 1, title: 'a', done: false },
      { id: 2, title: 'b', done: false },
      { id: 3, title: 'c', done: true },
    ]),
    '2 items left',
  );
});
`,
  },
  {
    slug: 'filter',
    category: 'view',
    name: 'Filter by state',
    description: 'Buttons All / Active / Done show all todos, only open ones, or only completed ones; the chosen button is marked.',
    steps: ['Add two todos and complete one', 'Press Active: only the open one shows', 'Press Done: only the completed one shows', 'Press All: both show'],
    dependsOn: ['complete'],
    thoughts: {
      plan: 'Filtering needs the done flag from completing. Three buttons set the filter; the view asks the filter which todos to show.',
      module: 'visibleTodos falls back to "all" for an unknown filter name, so a bad value can never hide everything.',
      test: 'One test per filter, plus the fallback.',
    },
    module: `// Feature: show all, only open, or only completed todos.
export const FILTERS = { all: () => true, active: (todo) => !todo.done, done: (todo) => todo.done };

export function visibleTodos(todos, filter) {
  return todos.filter(FILTERS[filter] ?? FILTERS.all);
}

export function setup({ page, view, render }) {
  let current = 'all';
  view.filter = (todos) => visibleTodos(todos, current);
  for (const name of Object.keys(FILTERS)) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = name[0].toUpperCase() + name.slice(1);
    button.setAttribute('aria-pressed', String(name === current));
    button.addEventListener('click', () => {
      current = name;
      for (const other of page.filters.children) other.setAttribute('aria-pressed', String(other === button));
      render();
    });
    page.filters.append(button);
  }
}
`,
    test: `${testHeader('filter', 'visibleTodos')}
const todos = [
  { id: 1, title: 'open', done: false },
  { id: 2, title: 'finished', done: true },
];

test('shows all, active or done todos', () => {
  assert.deepEqual(visibleTodos(todos, 'all'), todos);
  assert.deepEqual(visibleTodos(todos, 'active'), [todos[0]]);
  assert.deepEqual(visibleTodos(todos, 'done'), [todos[1]]);
});

test('an unknown filter shows everything', () => {
  assert.deepEqual(visibleTodos(todos, 'nope'), todos);
});
`,
  },
  {
    slug: 'persist',
    category: 'data',
    name: 'Keep todos after a reload',
    description: 'Todos are saved in the browser (localStorage) on every change and loaded when the page opens; unreadable saved data starts an empty list.',
    steps: ['Add "Buy milk"', 'Reload the page', '"Buy milk" is still there'],
    dependsOn: ['add'],
    thoughts: {
      plan: 'Saving goes through a storage object passed in, so the logic is testable without a browser; setup wires localStorage.',
      module: 'loadTodos must survive junk in storage: anything that is not a JSON array loads as an empty list.',
      test: 'A Map-backed fake storage: save then load round-trips, and junk loads as [].',
    },
    module: `// Feature: todos survive a reload (saved in localStorage).
const KEY = 'demo-todos';

export function saveTodos(storage, todos) {
  storage.setItem(KEY, JSON.stringify(todos));
}

export function loadTodos(storage) {
  try {
    const saved = JSON.parse(storage.getItem(KEY) ?? '[]');
    return Array.isArray(saved) ? saved : [];
  } catch {
    return [];
  }
}

export function setup({ store }) {
  store.set(loadTodos(localStorage));
  store.subscribe((todos) => saveTodos(localStorage, todos));
}
`,
    test: `${testHeader('persist', 'loadTodos, saveTodos')}
function fakeStorage() {
  const items = new Map();
  return { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => items.set(k, String(v)) };
}

test('saved todos load again', () => {
  const storage = fakeStorage();
  const todos = [{ id: 1, title: 'Buy milk', done: false }];
  saveTodos(storage, todos);
  assert.deepEqual(loadTodos(storage), todos);
});

test('junk in storage loads as an empty list', () => {
  const storage = fakeStorage();
  storage.setItem('demo-todos', '{not json');
  assert.deepEqual(loadTodos(storage), []);
  storage.setItem('demo-todos', '{"a":1}');
  assert.deepEqual(loadTodos(storage), []);
});
`,
  },
];

/** The line that registers a feature in src/features/index.js. */
export const registryLine = (slug: string): string => `features.push(await import('./${slug}.js'));`;
