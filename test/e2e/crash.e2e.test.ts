import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { openProjectStore } from '../../src/db/stores.js';
import { projectPaths } from '../../src/config/paths.js';
import { git, gitOk } from '../../src/git/git.js';
import { unmergedAutocoderBranches } from '../../src/git/workspaces.js';
import type { RunningCli } from '../support/cli-process.js';
import { cliInProcess, createSampleProjectInProcess, scriptedCliEnv } from '../support/cli-in-process.js';
import { mulberry32 } from '../support/prng.js';
import { startScriptedCli } from '../support/scripted-cli-process.js';
import { CRASH_FEATURES as FEATURES, SCENARIOS } from '../support/scripted-scenarios.js';
import { ScriptedRuntime } from '../support/scripted-runtime.js';
import { waitFor } from '../support/wait-for.js';

// Drives the real Claude Code binary through ten kills and restarts: about two minutes on a loaded 2-core machine.
vi.setConfig({ testTimeout: 240_000 });

/**
 * kill -9 of the runner at random moments, ten times, each followed by a restart: no feature is
 * lost or passed twice, and every branch that held unmerged commits at a crash still exists
 * (or its commits reached main through the merge queue). The runner is a real `autocoder run`
 * process whose sessions play the scripted scenario `landing-12` (test/support/scripted-cli.ts)
 * instead of starting Claude Code: what is killed is the runner, its git work and its database
 * writes. A kill -9 of a runner with a real Claude Code session: run.e2e.test.ts.
 */
const TRIALS = 10;

let root: string;
let runner: RunningCli | undefined;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-crash-'));
});
afterEach(async () => {
  if (runner && runner.child.exitCode === null && runner.child.signalCode === null) {
    runner.child.kill('SIGKILL');
    await runner.exited;
  }
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

it(
  `survives ${TRIALS} kill -9s at random moments: nothing lost, nothing passed twice, unmerged branches kept`,
  { timeout: 240_000 },
  async () => {
    const env = scriptedCliEnv(root);
    const { dir } = await createSampleProjectInProcess(root, env);
    const random = mulberry32(20261126);
    const kept: { branch: string; tip: string }[] = [];
    let kills = 0;

    for (let trial = 0; trial < TRIALS; trial++) {
      const before = eventCount(dir);
      runner = startScriptedCli('landing-12', ['run', 'notes', '--concurrency', '3', '--yolo'], env);
      // A random moment: after 1–40 new events (claims, tool calls, merges…) of this incarnation.
      const target = before + 1 + Math.floor(random() * 40);
      const reached = await waitFor(
        () => eventCount(dir) >= target || runner!.child.exitCode !== null,
        60_000,
        `event ${target}`,
      );
      expect(reached).toBe(true);
      if (runner.child.exitCode !== null) break; // the backlog finished before this trial's moment
      runner.child.kill('SIGKILL');
      await runner.exited;
      kills += 1;
      // What a crash must never lose: every autocoder branch with commits main lacks, at this moment.
      const main = gitOk(dir, ['branch', '--show-current']).trim() || 'main';
      for (const branch of unmergedAutocoderBranches(dir, main))
        kept.push({ branch, tip: gitOk(dir, ['rev-parse', branch]).trim() });
    }

    expect(kills).toBe(TRIALS);
    // The last restart runs to the end.
    const last = await cliInProcess(['run', 'notes', '--concurrency', '3', '--yolo'], env, {
      runtime: new ScriptedRuntime(SCENARIOS['landing-12']!(() => undefined)),
    });
    expect(last.stdout).toContain(`All ${FEATURES.length} features pass.`);
    expect(last.status).toBe(0);

    const store = openProjectStore(projectPaths(dir), { create: false });
    try {
      const features = store.features.list();
      expect(features).toHaveLength(FEATURES.length);
      expect(features.every((f) => f.status === 'passing')).toBe(true);
      const passed = store.db
        .prepare(`SELECT feature_id AS id, COUNT(*) AS n FROM events WHERE type = 'feature.passed' GROUP BY feature_id`)
        .all() as { id: number; n: number }[];
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
        return st.features
          .list()
          .map((f) => ({ id: f.id, commit: (f.evidence.at(-1) as { commit?: string } | undefined)?.commit }));
      } finally {
        st.close();
      }
    })();
    for (const { id, commit } of passes) {
      expect(gitOk(dir, ['show', `main:features/feature-${id}.txt`])).toBe(`feature ${id} implemented\n`);
      expect(commit, `feature ${id} recorded no landed commit`).toBeDefined();
      expect(
        git(dir, ['merge-base', '--is-ancestor', commit!, 'main']).status,
        `feature ${id}: ${commit} is not on main`,
      ).toBe(0);
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
  },
);
