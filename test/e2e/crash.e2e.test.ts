import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { openProjectStore } from '../../src/db/stores.js';
import { projectPaths } from '../../src/config/paths.js';
import { git, gitOk } from '../../src/git/git.js';
import { unmergedAutocoderBranches } from '../../src/git/workspaces.js';
import { agentTestEnv } from '../support/agent-env.js';
import { cliAsync, startCli, type RunningCli } from '../support/cli-process.js';
import { initializerSession, landingCodingSession, roleScript, startScriptedModelServer, type PlannedFeature, type ScriptedModelServer } from '../support/fake-anthropic/index.js';
import { mulberry32 } from '../support/prng.js';
import { createSampleProject } from '../support/sample-project.js';
import { waitFor } from '../support/wait-for.js';

// Drives the real Claude Code binary through ten kills and restarts: about two minutes on a loaded 2-core machine.
vi.setConfig({ testTimeout: 240_000 });

/**
 * kill -9 of the runner at random moments, ten times, each followed by a restart: no feature is
 * lost or passed twice, and every branch that held unmerged commits at a crash still exists
 * (or its commits reached main through the merge queue).
 */
const TRIALS = 10;
const FEATURES: PlannedFeature[] = Array.from({ length: 12 }, (_, i) => ({
  category: 'core',
  name: `Feature ${i + 1}`,
  description: `feature ${i + 1}`,
  steps: ['check'],
  ...(i >= 4 ? { depends_on_indices: [i % 4] } : {}),
}));

let root: string;
let server: ScriptedModelServer | undefined;
let runner: RunningCli | undefined;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-crash-'));
});
afterEach(async () => {
  if (runner && runner.child.exitCode === null && runner.child.signalCode === null) {
    runner.child.kill('SIGKILL');
    await runner.exited;
  }
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

function eventCount(dir: string): number {
  const store = openProjectStore(projectPaths(dir), { create: false });
  try {
    return (store.db.prepare('SELECT COALESCE(MAX(id), 0) AS n FROM events').get() as { n: number }).n;
  } catch {
    return 0;
  } finally {
    store.close();
  }
}

it(`survives ${TRIALS} kill -9s at random moments: nothing lost, nothing passed twice, unmerged branches kept`, { timeout: 600_000 }, async () => {
  server = await startScriptedModelServer(roleScript({ initializer: initializerSession(FEATURES), coding: landingCodingSession() }));
  const env = agentTestEnv(root, server.url);
  const { dir } = createSampleProject(root, env);
  const random = mulberry32(20261126);
  const kept: { branch: string; tip: string }[] = [];
  let kills = 0;

  for (let trial = 0; trial < TRIALS; trial++) {
    const before = eventCount(dir);
    runner = startCli(['run', 'notes', '--concurrency', '3', '--yolo'], env);
    // A random moment: after 1–40 new events (claims, tool calls, merges…) of this incarnation.
    const target = before + 1 + Math.floor(random() * 40);
    const reached = await waitFor(() => eventCount(dir) >= target || runner!.child.exitCode !== null, 120_000, `event ${target}`);
    expect(reached).toBe(true);
    if (runner.child.exitCode !== null) break; // the backlog finished before this trial's moment
    runner.child.kill('SIGKILL');
    await runner.exited;
    kills += 1;
    // What a crash must never lose: every autocoder branch with commits main lacks, at this moment.
    const main = gitOk(dir, ['branch', '--show-current']).trim() || 'main';
    for (const branch of unmergedAutocoderBranches(dir, main)) kept.push({ branch, tip: gitOk(dir, ['rev-parse', branch]).trim() });
  }

  expect(kills).toBe(TRIALS);
  // The last restart runs to the end.
  const last = await cliAsync(['run', 'notes', '--concurrency', '3', '--yolo'], env);
  expect(last.stdout).toContain(`All ${FEATURES.length} features pass.`);
  expect(last.status).toBe(0);

  const store = openProjectStore(projectPaths(dir), { create: false });
  try {
    const features = store.features.list();
    expect(features).toHaveLength(FEATURES.length);
    expect(features.every((f) => f.status === 'passing')).toBe(true);
    const passed = store.db.prepare(`SELECT feature_id AS id, COUNT(*) AS n FROM events WHERE type = 'feature.passed' GROUP BY feature_id`).all() as { id: number; n: number }[];
    expect(passed).toHaveLength(FEATURES.length);
    expect(passed.filter((p) => p.n !== 1)).toEqual([]);
  } finally {
    store.close();
  }
  // Every feature's work is on main (under its own commit, or a recovered work-in-progress
  // commit the next attempt built on), and so is the commit each pass recorded.
  const passes = (() => {
    const st = openProjectStore(projectPaths(dir), { create: false });
    try {
      return st.features.list().map((f) => ({ id: f.id, commit: (f.evidence.at(-1) as { commit?: string } | undefined)?.commit }));
    } finally {
      st.close();
    }
  })();
  for (const { id, commit } of passes) {
    expect(gitOk(dir, ['show', `main:features/feature-${id}.txt`])).toBe(`feature ${id} implemented\n`);
    expect(commit, `feature ${id} recorded no landed commit`).toBeDefined();
    expect(git(dir, ['merge-base', '--is-ancestor', commit!, 'main']).status, `feature ${id}: ${commit} is not on main`).toBe(0);
  }
  // Every unmerged tip seen at a crash is still on its branch, or its changes reached main
  // (as the same commits, or rebased: `git cherry` finds each patch on main).
  for (const { branch, tip } of kept) {
    const onMain = git(dir, ['merge-base', '--is-ancestor', tip, 'main']).status === 0;
    const stillThere = git(dir, ['merge-base', '--is-ancestor', tip, branch]).status === 0;
    const missing = gitOk(dir, ['cherry', 'main', tip])
      .split('\n')
      .filter((l) => l.startsWith('+'));
    expect(onMain || stillThere || missing.length === 0, `${branch} ${tip}: ${missing.join(', ')}`).toBe(true);
  }
  expect(gitOk(dir, ['status', '--porcelain']).trim()).toBe('');
});
