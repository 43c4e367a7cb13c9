/**
 * Issue #23 (1) with the real `autocoder` CLI and the real Claude Code binary against the scripted
 * model server, two coding slots: when a feature is ready but main moved on (the other feature
 * landed while it was worked on), the merge queue rebases it, verifies the rebased commit with its
 * frozen checks and lands it, and the agent is never asked to rebase; two features editing the same
 * lines still reach the agent, which resolves the conflict (scripted) and lands. Asserted on what the
 * agents were sent, the database's events and verifications, and git.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { projectPaths } from '../../src/config/paths.js';
import { openProjectStore, type SqliteProjectStore } from '../../src/db/stores.js';
import { gitOk } from '../../src/git/git.js';
import { preRebaseRefs } from '../../src/git/rebase.js';
import { agentTestEnv } from '../support/agent-env.js';
import { cliAsync } from '../support/cli-process.js';
import {
  initializerSession,
  landingCodingSession,
  roleScript,
  startScriptedModelServer,
  type PlannedFeature,
  type ScriptedModelServer,
} from '../support/fake-anthropic/index.js';
import { orderedLandings } from '../support/ordered-landings.js';
import { createSampleProject } from '../support/sample-project.js';

// Three real Claude Code sessions (initializer and two coding slots) and two verifications per run, on a loaded
// 2-core machine.
vi.setConfig({ testTimeout: 240_000 });

let root: string;
let server: ScriptedModelServer | undefined;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-e2e-queue-'));
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(root, { recursive: true, force: true });
});

const TWO: PlannedFeature[] = [
  { category: 'core', name: 'One', description: 'one', steps: ['check'] },
  { category: 'core', name: 'Two', description: 'two', steps: ['check'] },
];

function inspect<T>(dir: string, fn: (store: SqliteProjectStore) => T): T {
  const store = openProjectStore(projectPaths(dir), { create: false });
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

/** `feature.passed` payloads in order, with their feature. */
const passed = (dir: string) =>
  inspect(dir, (store) =>
    (
      store.db
        .prepare(`SELECT feature_id AS feature, payload FROM events WHERE type = 'feature.passed' ORDER BY id`)
        .all() as { feature: number; payload: string }[]
    ).map((r) => [r.feature, JSON.parse(r.payload) as unknown]),
  );

async function runTwo(coding: ReturnType<typeof landingCodingSession>) {
  const order = orderedLandings(roleScript({ initializer: initializerSession(TWO), coding }));
  server = await startScriptedModelServer(order.script);
  const env = agentTestEnv(root, server.url);
  const { dir, created } = createSampleProject(root, env);
  expect(created.stderr).toBe('');
  const run = await cliAsync(['run', 'notes', '--concurrency', '2', '--yolo'], env);
  expect(run.stdout).toContain('All 2 features pass.');
  expect(run.status).toBe(0);
  return { order, dir, stdout: run.stdout };
}

describe('the merge queue integrates by itself (real Claude Code, scripted model)', () => {
  it('two features editing different files, worked in parallel, both land without either agent being asked to rebase', async () => {
    const { order, dir, stdout } = await runTwo(landingCodingSession());
    // What the agents received: one feature_mark_passing each, both landed, no rebase steps anywhere.
    for (const id of [1, 2]) {
      expect(order.answers(id).map((r) => r.isError)).toEqual([false]);
      expect(order.answers(id)[0]?.text).not.toMatch(/git rebase/);
    }
    const everything = server?.requests.flatMap((r) => r.lastToolResults.map((t) => t.text)).join('\n') ?? '';
    expect(everything).not.toMatch(/git rebase/);
    expect(order.answers(2)[0]?.text).toContain('the runner rebased your branch onto it');
    expect(stdout).toMatch(/Slot \d: main had moved on; the runner rebased feature #2 onto it/);

    expect(passed(dir)).toEqual([
      [1, { status: 'passing' }],
      [2, { status: 'passing', rebased: true }],
    ]);
    // #2's linked verification passed on exactly the commit main holds, which sits on #1's.
    const [v1, v2] = inspect(dir, (store) =>
      [1, 2].map((id) => store.verifications.get(store.features.get(id).verificationId as string)),
    );
    expect(v2).toMatchObject({ featureId: 2, trigger: 'landing', status: 'passed' });
    expect(gitOk(dir, ['rev-parse', 'main']).trim()).toBe(v2?.commit);
    expect(gitOk(dir, ['rev-parse', 'main^']).trim()).toBe(v1?.commit);
    for (const id of [1, 2])
      expect(gitOk(dir, ['show', `main:features/feature-${id}.txt`])).toBe(`feature ${id} implemented\n`);
    expect(preRebaseRefs(dir)).toEqual([]);
    expect(gitOk(dir, ['status', '--porcelain']).trim()).toBe('');
  });

  it('two features editing the same lines still reach the agent, which resolves the conflict and lands', async () => {
    const { order, dir } = await runTwo(landingCodingSession({ sharedFile: 'shared.txt' }));
    expect(order.answers(1).map((r) => r.isError)).toEqual([false]);
    const said = order.answers(2);
    expect(said.map((r) => r.isError)).toEqual([true, false]);
    expect(said[0]?.text).toContain(
      'The runner tried to rebase it for you and it conflicts in shared.txt: resolve that yourself.',
    );
    expect(said[0]?.text).toContain('1. git rebase main');
    expect(gitOk(dir, ['show', 'main:shared.txt']).split('\n').sort()).toEqual(['', 'feature 1', 'feature 2']);
    expect(passed(dir)).toEqual([
      [1, { status: 'passing' }],
      [2, { status: 'passing' }],
    ]);
    expect(preRebaseRefs(dir)).toEqual([]);
  });
});
