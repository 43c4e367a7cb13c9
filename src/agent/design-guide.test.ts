import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AcceptanceCheck } from '../shared/acceptance.js';
import { renderPrompt } from './prompt-template.js';
import { codingPromptNames, isUiFeature, type UiFeatureFacts } from './design-guide.js';
import { loadPromptTemplate, renderPromptTemplates } from './prompts.js';

const API_CHECK: AcceptanceCheck = {
  kind: 'http',
  name: 'lists todos',
  method: 'GET',
  path: '/api/todos',
  timeoutMs: 10_000,
};
const BROWSER_CHECK: AcceptanceCheck = {
  kind: 'browser',
  name: 'adds a todo',
  steps: [{ goto: '/' }, { expectText: 'Todos' }],
  timeoutMs: 10_000,
};

/** A back-end feature: nothing in it is seen by a person. */
const apiFeature = (over: Partial<UiFeatureFacts> = {}): UiFeatureFacts => ({
  category: 'api',
  name: 'List todos endpoint',
  steps: ['GET /api/todos?page=2 returns the second 20 todos', 'The response is JSON with an items array'],
  acceptance: [API_CHECK],
  ...over,
});

describe('isUiFeature', () => {
  it('is false for a back-end feature (pagination parameters are not pages)', () => {
    expect(isUiFeature(apiFeature())).toBe(false);
    expect(
      isUiFeature(apiFeature({ acceptance: null, steps: ['Run `npm test`: the migration creates the table'] })),
    ).toBe(false);
  });

  it('is true when the feature has a browser acceptance check, whatever else it says', () => {
    expect(isUiFeature(apiFeature({ acceptance: [API_CHECK, BROWSER_CHECK] }))).toBe(true);
  });

  it.each(['ui', 'UI', 'design', 'frontend', 'front-end', 'style', 'ui-forms', 'Accessibility', 'responsive layout'])(
    'is true for the category %s',
    (category) => {
      expect(isUiFeature(apiFeature({ category }))).toBe(true);
    },
  );

  it.each(['api', 'database', 'backend', 'auth', 'build-tooling', 'guide'])(
    'is false for the category %s',
    (category) => {
      expect(isUiFeature(apiFeature({ category }))).toBe(false);
    },
  );

  it.each([
    ['a step opening a page', { steps: ['Open the settings page', 'Change the name'] }],
    ['a step clicking a button', { steps: ['Click the Save button'] }],
    ['a step filling a form', { steps: ['Fill in the signup form with a valid email'] }],
    ['a step at mobile width', { steps: ['At mobile width the list shows one column'] }],
    ['a name naming a screen', { name: 'Login screen' }],
  ] as const)('is true for %s', (_what, over) => {
    expect(isUiFeature(apiFeature({ ...over }))).toBe(true);
  });
});

describe('the coding prompt and the design guide', () => {
  let dir: string | null = null;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = null;
  });

  const VARS = {
    project_name: 'todo-app',
    browser: true,
    port: '5100',
    main_branch: 'main',
    feature_id: '7',
    feature_name: 'Add a todo',
    feature_category: 'ui',
    feature_description: 'A user can add a todo and see it in the list.',
    feature_steps: '1. Open the app\n2. Add a todo titled Milk',
    previous_notes: '',
    branch: 'autocoder/feature-7',
    continued: false,
  };
  const GUIDE_HEADING = '## Design guide';

  it("a UI feature's coding prompt is the coding prompt followed by the design guide", () => {
    const names = codingPromptNames(apiFeature({ category: 'ui' }));
    expect(names).toEqual(['coding', 'design-guide']);
    const text = renderPromptTemplates(names, VARS, null);
    const coding = renderPromptTemplates(['coding'], VARS, null);
    expect(text.startsWith(coding)).toBe(true);
    expect(text).toContain(GUIDE_HEADING);
    expect(text.indexOf(GUIDE_HEADING)).toBeGreaterThan(text.indexOf('One feature per session'));
    for (const topic of ['spacing scale', 'empty state', 'focus', '4.5:1', '390 px', 'prefers-color-scheme'])
      expect(text).toContain(topic);
  });

  it("a non-UI feature's coding prompt has no design guide", () => {
    const names = codingPromptNames(apiFeature());
    expect(names).toEqual(['coding']);
    const text = renderPromptTemplates(names, { ...VARS, feature_category: 'api' }, null);
    expect(text).toContain('Feature #7');
    expect(text).not.toContain(GUIDE_HEADING);
    expect(text).not.toContain('spacing scale');
  });

  it("the project's .autocoder/prompts/design-guide.md replaces the built-in guide, and may use the prompt's variables", () => {
    dir = mkdtempSync(join(tmpdir(), 'autocoder-guide-'));
    const promptsDir = join(dir, '.autocoder', 'prompts');
    mkdirSync(promptsDir, { recursive: true });
    writeFileSync(
      join(promptsDir, 'design-guide.md'),
      'House style for {{project_name}}: Inter 16px, brand green #0a7.\n',
    );
    const text = renderPromptTemplates(codingPromptNames(apiFeature({ category: 'ui' })), VARS, promptsDir);
    expect(text).toContain('House style for todo-app: Inter 16px, brand green #0a7.');
    expect(text).not.toContain(GUIDE_HEADING);
    expect(text).toContain('Feature #7');
    expect(loadPromptTemplate('design-guide', promptsDir).source).toBe(join(promptsDir, 'design-guide.md'));
  });

  it('one template renders exactly as before: nothing is added to a single prompt', () => {
    const t = loadPromptTemplate('coding', null);
    expect(renderPromptTemplates(['coding'], VARS, null)).toBe(renderPrompt(t.text, VARS, t.source));
  });
});
