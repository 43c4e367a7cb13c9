/**
 * `autocoder checkpoint` in this process with the scripted runtime playing the reviewers: with no run active it runs
 * one checkpoint as a run of its own (recorded and costed), prints JSON on request and writes the report; a critical
 * finding becomes a fix feature but nothing pauses. With a run active it asks that run instead.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { openProjectStore } from '../../src/db/stores.js';
import { gitOk } from '../../src/git/git.js';
import { projectPaths } from '../../src/config/paths.js';
import { CheckpointDetailResponseSchema } from '../../src/shared/checkpoints.js';
import { cliInProcess, createSampleProjectInProcess, scriptedCliEnv } from '../support/cli-in-process.js';
import { FEATURE_TOOL, reply, type Conversation } from '../support/fake-anthropic/index.js';
import { ScriptedRuntime } from '../support/scripted-runtime.js';

vi.setConfig({ testTimeout: 120_000 });

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-cli-checkpoint-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const XSS = {
  severity: 'critical',
  category: 'xss',
  title: 'Note titles are rendered with innerHTML',
  detail: 'A note titled <img onerror> runs script for every reader.',
  file: 'app.js',
  line: 3,
};

/** The security reviewer reports the XSS; any other reviewer finds nothing; both finish. */
function reviewers(conv: Conversation) {
  const security = /: security audit/.test(conv.prompt);
  if (security && conv.turn === 0) return reply().tool(FEATURE_TOOL('review_add_finding'), XSS);
  if (conv.turn === (security ? 1 : 0))
    return reply().tool(FEATURE_TOOL('review_finish'), { summary: security ? 'One XSS.' : 'Nothing found.' });
  return reply().text('Done.');
}

it('with no run active: one checkpoint as a run of its own, JSON out, report written, the critical finding a fix feature', async () => {
  const env = scriptedCliEnv(root);
  const { dir } = await createSampleProjectInProcess(root, env);
  writeFileSync(join(dir, 'app.js'), 'const list = document.querySelector("ul");\n');
  gitOk(dir, ['add', 'app.js']);
  gitOk(dir, ['-c', 'user.name=Test', '-c', 'user.email=test@example.test', 'commit', '-q', '-m', 'app']);
  const runtime = new ScriptedRuntime(reviewers);
  const res = await cliInProcess(['checkpoint', 'notes', '--agents', 'code,security', '--json'], env, { runtime });
  expect(res.status).toBe(0);
  const out = CheckpointDetailResponseSchema.parse(JSON.parse(res.stdout));
  expect(out.checkpoint).toMatchObject({ n: 1, trigger: 'manual', status: 'finished', agents: ['code', 'security'] });
  expect(out.findings.map((f) => [f.severity, f.title, f.status])).toEqual([['critical', XSS.title, 'open']]);
  // The story went to stderr; nothing paused (no run to pause), the fix feature waits first in line.
  expect(res.stderr).toContain('Checkpoint 1 finished: 1 critical');
  expect(runtime.sessions.map((s) => s.spec.role)).toEqual(['reviewer', 'reviewer']);
  const store = openProjectStore(projectPaths(dir), { create: false });
  try {
    const [fix] = out.checkpoint.fixFeatureIds.map((id) => store.features.get(id));
    expect(fix).toMatchObject({ category: 'fix', status: 'pending', name: `Fix critical: ${XSS.title}` });
    expect(store.humanInput.list({ status: 'open' })).toEqual([]);
    const [run] = store.runs.list();
    expect(run).toMatchObject({ status: 'finished', endReason: 'Checkpoint 1 finished.' });
    expect(store.sessions.costOfRun(run?.id ?? '')).toBeGreaterThan(0);
    expect(store.sessions.list({ runId: run?.id ?? '' }).map((s) => s.role)).toEqual(['reviewer', 'reviewer']);
  } finally {
    store.close();
  }
  const report = readFileSync(join(dir, '.autocoder', 'checkpoints', 'checkpoint-1.md'), 'utf8');
  expect(report).toContain(XSS.title);
});

it('a project with no commit yet: a clear error, exit 1, nothing recorded as running', async () => {
  const env = scriptedCliEnv(root);
  const { dir } = await createSampleProjectInProcess(root, env);
  const res = await cliInProcess(['checkpoint', 'notes'], env, { runtime: new ScriptedRuntime(reviewers) });
  expect(res.stderr).toMatch(/has no commits yet on main; make a first commit/);
  expect(res.status).not.toBe(0);
  const store = openProjectStore(projectPaths(dir), { create: false });
  try {
    expect(store.runs.list().filter((r) => r.status === 'running')).toEqual([]);
    expect(store.checkpoints.list()).toEqual([]);
  } finally {
    store.close();
  }
});

it('refuses an unknown reviewer with the valid ones (exit 2), before touching the project', async () => {
  const env = scriptedCliEnv(root);
  await createSampleProjectInProcess(root, env);
  const res = await cliInProcess(['checkpoint', 'notes', '--agents', 'code,style'], env, {
    runtime: new ScriptedRuntime(reviewers),
  });
  expect(res.status).toBe(2);
  expect(res.stderr).toContain('unknown reviewer style; give a comma-separated list of code, security, performance');
});

it("a tool's serious problems share one fix feature whose acceptance check is the tool's command", async () => {
  const env = scriptedCliEnv(root);
  const { dir } = await createSampleProjectInProcess(root, env);
  // A project whose type checker (its `typecheck` script) reports two errors the way tsc does.
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'notes', private: true, scripts: { typecheck: 'node typecheck.cjs' } })}\n`,
  );
  writeFileSync(
    join(dir, 'typecheck.cjs'),
    [
      "console.log(\"src/a.ts(2,7): error TS2322: Type 'string' is not assignable to type 'number'.\");",
      'console.log("src/b.ts(9,1): error TS2304: Cannot find name \'missing\'.");',
      'process.exit(2);',
    ].join('\n'),
  );
  gitOk(dir, ['add', '-A']);
  gitOk(dir, ['-c', 'user.name=Test', '-c', 'user.email=test@example.test', 'commit', '-q', '-m', 'app']);
  const res = await cliInProcess(['checkpoint', 'notes', '--agents', 'code', '--json'], env, {
    runtime: new ScriptedRuntime(reviewers),
  });
  expect(res.status).toBe(0);
  const out = CheckpointDetailResponseSchema.parse(JSON.parse(res.stdout));
  const typecheck = out.checkpoint.facts.find((f) => f.kind === 'typecheck');
  expect(typecheck).toMatchObject({ status: 'failed', command: 'npm run typecheck' });
  const tsFindings = out.findings.filter((f) => f.source === 'tool');
  // Recorded in the same millisecond, their order is the ids': compare as a set.
  expect(tsFindings.map((f) => [f.category, f.file, f.line]).sort()).toEqual([
    ['typescript/TS2304', 'src/b.ts', 9],
    ['typescript/TS2322', 'src/a.ts', 2],
  ]);
  expect(out.checkpoint.fixFeatureIds).toHaveLength(1);
  const fixId = out.checkpoint.fixFeatureIds[0];
  expect(tsFindings.map((f) => f.fixFeatureId)).toEqual([fixId, fixId]);
  const store = openProjectStore(projectPaths(dir), { create: false });
  try {
    expect(store.features.get(fixId ?? 0)).toMatchObject({
      category: 'fix',
      name: 'Fix the typecheck problems found at checkpoint 1',
      acceptance: [{ kind: 'command', run: 'npm run typecheck', expect: { exitCode: 0 } }],
    });
  } finally {
    store.close();
  }
});
