import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readConversation } from '../model-server/conversation.js';
import type { ContentBlock, Reply } from '../model-server/reply.js';
import { validateAppSpec } from '../spec/validate-app-spec.js';
import {
  CHECK_COMMAND,
  DEMO_FEATURES,
  FEATURE_MARKER,
  REGISTRY_FILE,
  registryLine,
  SKELETON_FILES,
} from './demo-app.js';
import {
  assignedFeatureId,
  commitHash,
  demoBacklog,
  demoFeatureFromResult,
  demoReply,
  featureTool,
  INITIAL_COMMIT,
  isInitializerPrompt,
  testSummary,
} from './demo-scenario.js';
import { DEMO_SPEC } from './demo-spec.js';
import { chooseDemoName } from './create-demo-project.js';

// Runs the demo app's tests with node --test in a child process.
vi.setConfig({ testTimeout: 30_000 });

type ToolUse = Extract<ContentBlock, { type: 'tool_use' }>;

/** What the tool "answered" in a simulated turn. */
interface Answer {
  readonly text: string;
  readonly isError?: boolean;
}

/**
 * Replays a session against the demo model: each reply's tool call gets the answer `answer`
 * gives for it, until the model ends with text only (or after `maxTurns`). Returns every reply.
 */
function playSession(prompt: string, answer: (call: ToolUse) => Answer, maxTurns = 60): Reply[] {
  const messages: Record<string, unknown>[] = [{ role: 'user', content: prompt }];
  const replies: Reply[] = [];
  for (let turn = 0; turn < maxTurns; turn += 1) {
    const r = demoReply(readConversation({ tools: [{ name: 'Bash' }], messages }));
    replies.push(r);
    messages.push({ role: 'assistant', content: r.content });
    const calls = r.content.filter((b): b is ToolUse => b.type === 'tool_use');
    if (calls.length === 0) return replies;
    messages.push({
      role: 'user',
      content: calls.map((c) => {
        const a = answer(c);
        return { type: 'tool_result', tool_use_id: c.id, content: a.text, is_error: a.isError === true };
      }),
    });
  }
  throw new Error(`the session did not end within ${maxTurns} turns`);
}

const callOf = (r: Reply | undefined): ToolUse | undefined =>
  r?.content.find((b): b is ToolUse => b.type === 'tool_use');
const textOf = (r: Reply | undefined): string =>
  (r?.content.find((b) => b.type === 'text') as { text: string } | undefined)?.text ?? '';

/** The coding prompt as the runner renders it (the real template, placeholders filled in). */
function codingPrompt(id: number): string {
  const template = readFileSync(join(import.meta.dirname, '..', 'agent', 'prompts', 'coding.md'), 'utf8');
  return template.replaceAll('{{feature_id}}', String(id)).replaceAll('{{project_name}}', 'demo');
}

const PASSING_TESTS = 'TAP version 13\nok 1 - x\n1..1\n# tests 1\n# pass 1\n# fail 0\n';
const featureJson = (id: number, name: string) =>
  JSON.stringify({ id, name, category: 'todos', status: 'in_progress' }, null, 2);

/** Tool answers of a session where everything works. */
function happyAnswers(featureName: string) {
  return (call: ToolUse): Answer => {
    const command = String(call.input.command ?? '');
    if (call.name === featureTool('feature_get_by_id'))
      return { text: featureJson(Number(call.input.feature_id), featureName) };
    if (call.name === featureTool('feature_create_bulk'))
      return { text: JSON.stringify({ created: DEMO_FEATURES.length, ids: [1, 2, 3, 4, 5, 6] }) };
    if (call.name === featureTool('feature_get_stats'))
      return { text: JSON.stringify({ total: DEMO_FEATURES.length, passing: 0 }) };
    if (call.name === 'Read' && call.input.file_path === REGISTRY_FILE)
      return { text: `1\texport const features = [];\n2\t${FEATURE_MARKER}\n` };
    if (call.name === 'Read' && call.input.file_path === '.gitignore') return { text: '1\t.autocoder/\n' };
    if (command === 'ls src/features test') return { text: 'src/features:\nindex.js\n\ntest:\nstore.test.js\n' };
    if (command === CHECK_COMMAND) return { text: PASSING_TESTS };
    if (command.startsWith('git commit')) return { text: '[main 1a2b3c4] message\n 2 files changed' };
    return { text: 'ok' };
  };
}

describe('demo spec and backlog', () => {
  it('the spec passes the validator and asks for the demo backlog size', () => {
    const check = validateAppSpec(DEMO_SPEC);
    expect(check.problems).toEqual([]);
    expect(check.ok).toBe(true);
    expect(check.featureCount).toBe(DEMO_FEATURES.length);
    expect(DEMO_SPEC).toContain('scripted, no AI');
  });

  it('has about six features with unique names and dependencies only on earlier ones', () => {
    const backlog = demoBacklog();
    expect(backlog).toHaveLength(6);
    expect(new Set(backlog.map((f) => `${String(f.category)}/${String(f.name)}`)).size).toBe(6);
    backlog.forEach((f, i) => {
      for (const dep of (f.depends_on_indices as number[] | undefined) ?? []) expect(dep).toBeLessThan(i);
    });
    expect(backlog.filter((f) => f.depends_on_indices !== undefined)).toHaveLength(5);
    expect(new Set(DEMO_FEATURES.map((f) => f.slug)).size).toBe(DEMO_FEATURES.length);
  });
});

describe('reading the conversation', () => {
  it('finds the feature id in the real coding prompt and tells the initializer apart', () => {
    expect(assignedFeatureId(codingPrompt(4))).toBe(4);
    expect(assignedFeatureId('Initializer session: plan the project')).toBeNull();
    const initializer = readFileSync(join(import.meta.dirname, '..', 'agent', 'prompts', 'initializer.md'), 'utf8');
    expect(isInitializerPrompt(initializer)).toBe(true);
    expect(isInitializerPrompt(codingPrompt(1))).toBe(false);
  });

  it('knows a demo feature by the name feature_get_by_id returns, and nothing else', () => {
    expect(demoFeatureFromResult(featureJson(3, 'Delete a todo'))?.slug).toBe('delete');
    expect(demoFeatureFromResult(featureJson(3, 'Launch rockets'))).toBeNull();
    expect(demoFeatureFromResult('Error: no feature 9')).toBeNull();
  });

  it('reads node --test summaries (TAP and spec reporter) and git commit hashes', () => {
    expect(testSummary(PASSING_TESTS)).toEqual({ pass: 1 });
    expect(testSummary('ℹ tests 3\nℹ pass 3\nℹ fail 0\n')).toEqual({ pass: 3 });
    expect(testSummary('# pass 2\n# fail 1\n')).toBeNull();
    expect(testSummary('# pass 0\n# fail 0\n')).toBeNull();
    expect(testSummary('command not found')).toBeNull();
    expect(commitHash('[main (root-commit) f23ba0c] Initial plan\n 11 files changed')).toBe('f23ba0c');
    expect(commitHash('[feature/x 1a2b3c4d] Feature #2: Complete a todo')).toBe('1a2b3c4d');
    expect(commitHash('nothing to commit, working tree clean')).toBeNull();
  });
});

describe('the initializer session', () => {
  const initializerPrompt = `# Initializer session: plan the project "demo"\n\n## The app spec\n\n${DEMO_SPEC}`;

  it('creates the backlog, writes the skeleton, checks it, commits, and ends', () => {
    const replies = playSession(initializerPrompt, happyAnswers(''));
    const calls = replies.map(callOf).filter((c): c is ToolUse => c !== undefined);
    expect(calls[0]?.name).toBe(featureTool('feature_create_bulk'));
    expect(calls[0]?.input.features).toEqual(demoBacklog());
    const written = calls.filter((c) => c.name === 'Write').map((c) => c.input.file_path);
    expect(written).toEqual(SKELETON_FILES.map((f) => f.path));
    const commands = calls.filter((c) => c.name === 'Bash').map((c) => c.input.command);
    expect(commands).toEqual(['chmod +x init.sh', CHECK_COMMAND, 'git add -A', `git commit -m "${INITIAL_COMMIT}"`]);
    // Every tool call comes with a short thought, for the live log.
    for (const r of replies) expect(textOf(r).length).toBeGreaterThan(5);
    expect(callOf(replies.at(-1))).toBeUndefined();
    expect(textOf(replies.at(-1))).toContain('Planned 6 features');
  });

  it('stops at once, without writing anything, when the backlog cannot be created', () => {
    const replies = playSession(initializerPrompt, (call) =>
      call.name === featureTool('feature_create_bulk')
        ? { text: 'Error: database is locked', isError: true }
        : { text: 'ok' },
    );
    expect(replies).toHaveLength(2);
    expect(callOf(replies[1])).toBeUndefined();
    expect(textOf(replies[1])).toContain('database is locked');
  });

  it('plans nothing for a project whose spec is not the demo spec', () => {
    const replies = playSession(
      '# Initializer session: plan the project "shop"\n<project_name>shop</project_name>',
      happyAnswers(''),
    );
    expect(replies).toHaveLength(1);
    expect(callOf(replies[0])).toBeUndefined();
    expect(textOf(replies[0])).toContain('creates nothing');
  });
});

describe('a coding session', () => {
  it('reads its feature, writes module and test, registers it, tests, commits and marks it passing', () => {
    const replies = playSession(codingPrompt(2), happyAnswers('Complete a todo'));
    const calls = replies.map(callOf).filter((c): c is ToolUse => c !== undefined);
    expect(calls.map((c) => c.name)).toEqual([
      featureTool('feature_get_by_id'),
      'Bash',
      'Read',
      'Write',
      'Write',
      'Edit',
      'Bash',
      'Bash',
      'Bash',
      featureTool('feature_mark_passing'),
    ]);
    expect(calls[0]?.input).toEqual({ feature_id: 2 });
    expect(calls[3]?.input).toMatchObject({ file_path: 'src/features/complete.js' });
    expect(calls[4]?.input).toMatchObject({ file_path: 'test/complete.test.js' });
    expect(calls[5]?.input).toEqual({
      file_path: REGISTRY_FILE,
      old_string: FEATURE_MARKER,
      new_string: `${registryLine('complete')}\n${FEATURE_MARKER}`,
    });
    expect(calls[8]?.input.command).toBe('git commit -m "Feature #2: Complete a todo"');
    expect(calls[9]?.input).toEqual({
      feature_id: 2,
      evidence: expect.stringContaining('committed as 1a2b3c4') as unknown,
    });
    // The thought after reading the feature is about that feature.
    expect(textOf(replies[1])).toContain(DEMO_FEATURES.find((f) => f.slug === 'complete')?.thoughts.plan);
    expect(callOf(replies.at(-1))).toBeUndefined();
  });

  it('reads files an earlier attempt left before replacing them, and does not register twice', () => {
    const happy = happyAnswers('Add a todo');
    const replies = playSession(codingPrompt(1), (call) => {
      if (call.input.command === 'ls src/features test')
        return { text: 'src/features:\nadd.js\nindex.js\n\ntest:\nadd.test.js\nstore.test.js\n' };
      if (call.name === 'Read' && call.input.file_path === REGISTRY_FILE)
        return { text: `features.push(await import('./add.js'));\n${FEATURE_MARKER}\n` };
      return happy(call);
    });
    const calls = replies.map(callOf).filter((c): c is ToolUse => c !== undefined);
    expect(calls.map((c) => `${c.name} ${String(c.input.file_path ?? c.input.command ?? '')}`)).toEqual([
      `${featureTool('feature_get_by_id')} `,
      'Bash ls src/features test',
      `Read ${REGISTRY_FILE}`,
      'Read src/features/add.js',
      'Write src/features/add.js',
      'Read test/add.test.js',
      'Write test/add.test.js',
      `Bash ${CHECK_COMMAND}`,
      'Bash git add -A',
      'Bash git commit -m "Feature #1: Add a todo"',
      `${featureTool('feature_mark_passing')} `,
    ]);
  });

  it('reports the feature failing with the test output when the tests fail, then ends', () => {
    const happy = happyAnswers('Count open todos');
    const replies = playSession(codingPrompt(4), (call) =>
      call.input.command === CHECK_COMMAND
        ? { text: 'not ok 3 - counts\n# pass 2\n# fail 1\n', isError: true }
        : happy(call),
    );
    const last = callOf(replies.at(-2));
    expect(last?.name).toBe(featureTool('feature_mark_failing'));
    expect(last?.input.feature_id).toBe(4);
    expect(String(last?.input.reason)).toContain('not ok 3 - counts');
    expect(replies.map(callOf).some((c) => c?.input.command === 'git add -A')).toBe(false);
    expect(callOf(replies.at(-1))).toBeUndefined();
  });

  it('treats test output with failures as a failure even when the command exits 0', () => {
    const happy = happyAnswers('Count open todos');
    const replies = playSession(codingPrompt(4), (call) =>
      call.input.command === CHECK_COMMAND ? { text: '# pass 2\n# fail 1\n' } : happy(call),
    );
    expect(callOf(replies.at(-2))?.name).toBe(featureTool('feature_mark_failing'));
  });

  it('reports a feature that is not one of the demo’s as failing instead of guessing', () => {
    const replies = playSession(codingPrompt(7), happyAnswers('Launch rockets'));
    expect(replies.map((r) => callOf(r)?.name)).toEqual([
      featureTool('feature_get_by_id'),
      featureTool('feature_mark_failing'),
      undefined,
    ]);
    expect(String(callOf(replies[1])?.input.reason)).toContain('scripted, no AI');
  });

  it('ends without another verdict when marking passing itself fails (e.g. the claim was lost)', () => {
    const happy = happyAnswers('Delete a todo');
    const replies = playSession(codingPrompt(3), (call) =>
      call.name === featureTool('feature_mark_passing')
        ? { text: 'Error: you do not hold a claim on feature 3', isError: true }
        : happy(call),
    );
    expect(callOf(replies.at(-1))).toBeUndefined();
    expect(textOf(replies.at(-1))).toContain('do not hold a claim');
    expect(replies.map(callOf).filter((c) => c?.name === featureTool('feature_mark_failing'))).toEqual([]);
  });

  it('ends a session it does not know (no feature id in the prompt) at once', () => {
    const replies = playSession('Testing session: re-verify passing features', happyAnswers(''));
    expect(replies).toHaveLength(1);
    expect(textOf(replies[0])).toContain('not an AI');
  });

  it('reports no token usage, so a demo run costs $0', () => {
    const [first] = playSession(codingPrompt(1), happyAnswers('Add a todo'));
    expect(first?.usage).toEqual({
      input_tokens: 0,
      output_tokens: 0,
      cache_read_input_tokens: 0,
      cache_creation_input_tokens: 0,
    });
  });
});

describe('the demo app', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('passes its own tests with every feature built (node --test, for real)', () => {
    dir = mkdtempSync(join(tmpdir(), 'ac-demo-app-'));
    const write = (path: string, content: string) => {
      mkdirSync(dirname(join(dir as string, path)), { recursive: true });
      writeFileSync(join(dir as string, path), content);
    };
    for (const f of SKELETON_FILES) write(f.path, f.content);
    let registry = SKELETON_FILES.find((f) => f.path === REGISTRY_FILE)?.content ?? '';
    for (const f of DEMO_FEATURES) {
      write(`src/features/${f.slug}.js`, f.module);
      write(`test/${f.slug}.test.js`, f.test);
      registry = registry.replace(FEATURE_MARKER, `${registryLine(f.slug)}\n${FEATURE_MARKER}`);
    }
    write(REGISTRY_FILE, registry);
    const res = spawnSync(process.execPath, ['--test'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(testSummary(res.stdout)?.pass).toBe(
      2 + DEMO_FEATURES.reduce((n, f) => n + (f.test.match(/^test\(/gm)?.length ?? 0), 0),
    );
  });
});

describe('chooseDemoName', () => {
  it('takes the base, else the first free -N', () => {
    expect(chooseDemoName('demo', () => false)).toBe('demo');
    const taken = new Set(['demo', 'demo-2']);
    expect(chooseDemoName('demo', (n) => taken.has(n))).toBe('demo-3');
  });

  it('keeps suffixed names within 64 characters', () => {
    const base = 'a'.repeat(64);
    const name = chooseDemoName(base, (n) => n === base);
    expect(name).toBe(`${'a'.repeat(62)}-2`);
  });

  it('refuses an invalid base name', () => {
    expect(() => chooseDemoName('Bad Name', () => false)).toThrow(/not a valid project name/);
  });
});
