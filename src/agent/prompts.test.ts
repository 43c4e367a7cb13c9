import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it, expect } from 'vitest';
import { appSpecTemplate } from '../spec/validate-app-spec.js';
import { renderPrompt, wordCount, type PromptVars } from './prompt-template.js';
import { loadPromptTemplate, PROMPT_NAMES, type PromptName } from './prompts.js';

/**
 * The variables the runner gives each role (src/runner/run-loop.ts: runSessionFor, codingVars, the initializer call).
 */
function roleVars(role: (typeof ROLES)[number], browser: boolean): PromptVars {
  const common = { project_name: 'todo-app', browser, port: '5100', main_branch: 'main' };
  switch (role) {
    case 'initializer':
      return {
        ...common,
        spec: appSpecTemplate(),
        feature_count_rule: 'The spec asks for about 40 features; create close to that many.',
      };
    case 'coding':
      return {
        ...common,
        feature_id: '7',
        feature_name: 'Add a todo',
        feature_category: 'ui',
        feature_description: 'A user can add a todo and see it in the list.',
        feature_steps: '1. Open the app\n2. Add a todo titled Milk\n3. See Milk after a reload',
        previous_notes: '\nNotes from earlier attempts:\nthe form did not submit',
        branch: 'autocoder/feature-7',
        continued: true,
        browser,
      };
    case 'testing':
      return { ...common, feature_list: '- #3 List todos\n- #7 Add a todo' };
    case 'supervisor':
      return {
        ...common,
        request_list:
          '## Request hir_1 (feature #7 "Add a todo")\nWhich storage?\n- q1 (select: sqlite | postgres): Storage',
      };
    case 'verifier':
      return {
        ...common,
        feature_id: '7',
        feature_name: 'Add a todo',
        feature_description: 'A user can add a todo and see it in the list.',
        feature_steps: '1. Open the app\n2. Add a todo titled Milk',
        commit: '0123abcd',
        diff_file: '/p/.autocoder/evidence/feature-7/ver_1/diff.patch',
        checks_file: '/p/.autocoder/acceptance/feature-7.json',
        result_file: '/p/.autocoder/evidence/feature-7/ver_1/result.json',
        screenshots: '`/p/.autocoder/evidence/feature-7/ver_1/check-1-after.png`',
        checkout: '/p/.autocoder/worktrees/slot-0',
      };
    case 'reviewer-code':
    case 'reviewer-security':
    case 'reviewer-performance':
      return { ...common, ...REVIEWER_VARS };
  }
}

/** What the runner gives a checkpoint's reviewers (src/runner/checkpoint.ts: reviewerVars). */
const REVIEWER_VARS = {
  checkpoint_n: '2',
  commit: '0123abcd',
  checkout: '/p/.autocoder/worktrees/checkpoint',
  facts_file: '/p/.autocoder/checkpoints/checkpoint-2/facts.json',
  facts_summary: 'typecheck passed; lint failed: 2 errors; audit failed: 1 vulnerability (1 high)',
  diff_file: '/p/.autocoder/checkpoints/checkpoint-2/diff.patch',
  diff_range: 'abcd0123..0123abcd',
  open_findings_file: '/p/.autocoder/checkpoints/checkpoint-2/open-findings.json',
  app_running: true,
  app_url: 'http://127.0.0.1:4300/',
  app_note: '',
};

const ROLES = [
  'initializer',
  'coding',
  'testing',
  'supervisor',
  'verifier',
  'reviewer-code',
  'reviewer-security',
  'reviewer-performance',
] as const;

function render(name: PromptName, vars: PromptVars, projectPromptsDir: string | null = null): string {
  const t = loadPromptTemplate(name, projectPromptsDir);
  return renderPrompt(t.text, vars, t.source);
}

describe('built-in prompt templates', () => {
  it('exist for every prompt name', () => {
    for (const name of PROMPT_NAMES) {
      const t = loadPromptTemplate(name, null);
      expect(t.source.endsWith(join('prompts', `${name}.md`))).toBe(true);
      expect(t.text.trim().length).toBeGreaterThan(0);
    }
  });

  for (const browser of [true, false]) {
    for (const role of ROLES) {
      it(`${role} and the system prompt render with the runner's variables (browser=${browser})`, () => {
        const vars = roleVars(role, browser);
        const main = render(role, vars);
        const system = render('system', vars);
        for (const text of [main, system]) {
          expect(text).not.toMatch(/\{\{[#^/]?[a-z_]+\}\}/);
        }
        expect(main).toContain('todo-app');
      });
    }
  }

  it('inserts the feature into the coding prompt', () => {
    const text = render('coding', roleVars('coding', true));
    expect(text).toContain('#7');
    expect(text).toContain('Add a todo');
    expect(text).toContain('2. Add a todo titled Milk');
    expect(text).toContain('the form did not submit');
  });

  it('inserts the spec and the feature count rule into the initializer prompt', () => {
    const text = render('initializer', roleVars('initializer', true));
    expect(text).toContain('<project_specification>');
    expect(text).toContain('create close to that many');
  });

  it('asks the initializer for frozen acceptance checks of all three kinds, derived from the steps', () => {
    const text = render('initializer', roleVars('initializer', true));
    expect(text).toContain('`acceptance`: 1–20 checks derived from the steps');
    for (const kind of ['"kind":"command"', '"kind":"http"', '"kind":"browser"']) expect(text).toContain(kind);
    expect(text).toContain('never CSS');
  });

  it('tells the coder its checks are frozen, where to read them and how to dispute one', () => {
    const text = render('coding', roleVars('coding', true));
    expect(text).toContain('.autocoder/acceptance/feature-7.json');
    expect(text).toContain('feature_dispute_acceptance');
    expect(text).toContain('never dispute a check because your code fails it');
    expect(render('supervisor', roleVars('supervisor', true))).toContain('decides an acceptance dispute');
  });

  it('tells the coding and testing agents to use playwright-cli only when the browser is on', () => {
    expect(render('coding', roleVars('coding', true))).toContain('playwright-cli');
    expect(render('coding', roleVars('coding', false))).not.toContain('playwright-cli');
    expect(render('testing', roleVars('testing', true))).toContain('playwright-cli');
    expect(render('testing', roleVars('testing', false))).not.toContain('playwright-cli');
  });

  // Half the seed's prompt sizes (4033 / 2115 / 752 words): a real requirement, not a style preference.
  it.each([
    ['initializer', 2016],
    ['coding', 1057],
    ['testing', 376],
  ] as const)('the %s template stays within %i words', (name, limit) => {
    const text = readFileSync(loadPromptTemplate(name, null).source, 'utf8');
    expect(wordCount(text)).toBeGreaterThan(0);
    expect(wordCount(text)).toBeLessThanOrEqual(limit);
  });
});

describe('project prompt overrides', () => {
  let dir: string | null = null;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = null;
  });

  it('uses .autocoder/prompts/<name>.md instead of the built-in when present', () => {
    dir = mkdtempSync(join(tmpdir(), 'autocoder-prompts-'));
    const promptsDir = join(dir, '.autocoder', 'prompts');
    mkdirSync(promptsDir, { recursive: true });
    const override = join(promptsDir, 'coding.md');
    writeFileSync(override, 'Custom coding prompt for {{project_name}}: feature {{feature_id}}.');

    const t = loadPromptTemplate('coding', promptsDir);
    expect(t.source).toBe(override);
    expect(render('coding', roleVars('coding', true), promptsDir)).toBe(
      'Custom coding prompt for todo-app: feature 7.',
    );
  });

  it('falls back to the built-in for names the project does not override', () => {
    dir = mkdtempSync(join(tmpdir(), 'autocoder-prompts-'));
    const promptsDir = join(dir, '.autocoder', 'prompts');
    mkdirSync(promptsDir, { recursive: true });
    writeFileSync(join(promptsDir, 'coding.md'), 'custom');
    expect(loadPromptTemplate('testing', promptsDir)).toEqual(loadPromptTemplate('testing', null));
    expect(loadPromptTemplate('testing', join(dir, 'missing'))).toEqual(loadPromptTemplate('testing', null));
  });

  it('names the override file when it uses an unknown placeholder', () => {
    dir = mkdtempSync(join(tmpdir(), 'autocoder-prompts-'));
    const override = join(dir, 'coding.md');
    writeFileSync(override, 'Feature {{feature_idd}}');
    expect(() => render('coding', roleVars('coding', true), dir)).toThrow(override);
  });
});
