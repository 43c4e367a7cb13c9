import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openProjectStore } from '../../src/db/stores.js';
import { projectPaths } from '../../src/config/paths.js';
import type { SessionRecord } from '../../src/db/ports.js';
import { gitOk } from '../../src/git/git.js';
import { agentTestEnv } from '../support/agent-env.js';
import { cliAsync } from '../support/cli-process.js';
import { assignedFeature, initializerSession, landingCodingSession, roleScript, startScriptedModelServer, testingSession, type PlannedFeature, type ScriptedModelServer, type Script } from '../support/fake-anthropic/index.js';
import { createSampleProject } from '../support/sample-project.js';

// Drives the real Claude Code binary against a scripted model: one test can take over a minute on a loaded 2-core machine.
vi.setConfig({ testTimeout: 120_000 });

/** A 9-feature DAG: three roots, each with two dependents; one more layer joins them. */
const DAG: PlannedFeature[] = [
  ...['A', 'B', 'C'].map((r) => ({ category: 'core', name: `Root ${r}`, description: `Root ${r}`, steps: ['check'] })),
  { category: 'core', name: 'A1', description: 'A1', steps: ['check'], depends_on_indices: [0] },
  { category: 'core', name: 'A2', description: 'A2', steps: ['check'], depends_on_indices: [0] },
  { category: 'core', name: 'B1', description: 'B1', steps: ['check'], depends_on_indices: [1] },
  { category: 'core', name: 'C1', description: 'C1', steps: ['check'], depends_on_indices: [2] },
  { category: 'core', name: 'Join 1', description: 'J1', steps: ['check'], depends_on_indices: [3, 5] },
  { category: 'core', name: 'Join 2', description: 'J2', steps: ['check'], depends_on_indices: [4, 6] },
];

let root: string;
let server: ScriptedModelServer | undefined;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-par-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(root, { recursive: true, force: true });
});

async function setup(script: Script) {
  server = await startScriptedModelServer(script);
  const env = agentTestEnv(root, server.url);
  const { dir } = createSampleProject(root, env);
  return { env, dir };
}

function sessionsOf(dir: string): SessionRecord[] {
  const store = openProjectStore(projectPaths(dir), { create: false });
  try {
    return store.sessions.list();
  } finally {
    store.close();
  }
}

/** The most sessions that ran at the same moment, and whether two ever held the same feature at once. */
function overlap(sessions: readonly SessionRecord[]): { maxParallel: number; sameFeatureTwice: boolean } {
  const coding = sessions.filter((s) => s.role === 'coding');
  let maxParallel = 0;
  let sameFeatureTwice = false;
  for (const s of coding) {
    const during = coding.filter((o) => o.startedAt <= s.startedAt && (o.endedAt ?? Infinity) > s.startedAt);
    maxParallel = Math.max(maxParallel, during.length);
    const ids = during.flatMap((o) => o.featureIds);
    if (new Set(ids).size !== ids.length) sameFeatureTwice = true;
  }
  return { maxParallel, sameFeatureTwice };
}

describe('parallel coding agents in worktrees, landing through the merge queue', () => {
  it('3 slots on a 9-feature DAG: all pass, never the same feature twice, main holds every commit, nothing uncommitted', async () => {
    const { env, dir } = await setup(roleScript({ initializer: initializerSession(DAG), coding: landingCodingSession() }));
    const run = await cliAsync(['run', 'notes', '--concurrency', '3', '--yolo'], env);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('All 9 features pass.');
    expect(run.status).toBe(0);

    const sessions = sessionsOf(dir);
    const { maxParallel, sameFeatureTwice } = overlap(sessions);
    expect(sameFeatureTwice).toBe(false);
    expect(maxParallel).toBeGreaterThanOrEqual(2);
    expect(new Set(sessions.filter((s) => s.role === 'coding').map((s) => s.slot))).toEqual(new Set([0, 1, 2]));

    const log = gitOk(dir, ['log', 'main', '--format=%s']);
    for (let id = 1; id <= 9; id++) {
      expect(log).toContain(`Feature #${id}`);
      expect(readFileSync(join(dir, 'features', `feature-${id}.txt`), 'utf8')).toBe(`feature ${id} implemented\n`);
    }
    expect(gitOk(dir, ['status', '--porcelain']).trim()).toBe('');
    for (const slot of [0, 1, 2]) {
      const wt = join(dir, '.autocoder', 'worktrees', `slot-${slot}`);
      expect(existsSync(wt)).toBe(true);
      expect(gitOk(wt, ['status', '--porcelain']).trim()).toBe('');
    }
    // Merged feature branches are gone; nothing unmerged was left behind.
    expect(gitOk(dir, ['branch', '--list', 'autocoder/*']).trim()).toBe('');
  });

  it('two features that edit the same file: the second is told to rebase, resolves, and lands; no line is lost', async () => {
    const two: PlannedFeature[] = [
      { category: 'core', name: 'One', description: 'one', steps: ['check'] },
      { category: 'core', name: 'Two', description: 'two', steps: ['check'] },
    ];
    const { env, dir } = await setup(roleScript({ initializer: initializerSession(two), coding: landingCodingSession({ sharedFile: 'shared.txt' }) }));
    const run = await cliAsync(['run', 'notes', '--concurrency', '2', '--yolo'], env);
    expect(run.stdout).toContain('All 2 features pass.');
    expect(run.status).toBe(0);
    const shared = readFileSync(join(dir, 'shared.txt'), 'utf8');
    const onMain = gitOk(dir, ['show', 'main:shared.txt']);
    if (!onMain.includes('feature 2\n') || !onMain.includes('feature 1\n') || shared !== onMain) {
      // Once seen on a loaded CI machine and not reproduced since: print what explains it.
      console.log('lost line? main:', JSON.stringify(onMain), 'root file:', JSON.stringify(shared), gitOk(dir, ['log', '--all', '--graph', '--format=%h %d %s']), run.stdout);
      for (const s of sessionsOf(dir)) console.log(s.role, s.featureIds, readFileSync(s.transcriptPath!, 'utf8').split('\n').filter((l) => l.includes('tool_')).map((l) => l.slice(0, 300)).join('\n'));
    }
    expect(onMain).toContain('feature 1\n');
    expect(onMain).toContain('feature 2\n');
    expect(shared).toContain('feature 1\n');
    expect(shared).toContain('feature 2\n');
    const transcripts = sessionsOf(dir)
      .filter((s) => s.role === 'coding')
      .map((s) => readFileSync(s.transcriptPath!, 'utf8'));
    expect(transcripts.some((t) => t.includes('git rebase main'))).toBe(true);
    expect(gitOk(dir, ['status', '--porcelain']).trim()).toBe('');
    // The config.lock the run held for its sandboxes (holdConfigLock) is gone with it.
    expect(existsSync(join(dir, '.git', 'config.lock'))).toBe(false);
  });

  it('a testing agent beside the coding agent finds a regression on main; a coding agent fixes it; the run ends when all pass', async () => {
    const regressed = new Set<number>();
    const script = roleScript({
      initializer: initializerSession(DAG.slice(0, 5)),
      coding: landingCodingSession(),
      // The first time feature 1 comes up for re-verification, it is found broken.
      other: testingSession((id) => (id === 1 && !regressed.has(1) ? (regressed.add(1), true) : false)),
    });
    const { env, dir } = await setup(script);
    const run = await cliAsync(['run', 'notes', '--concurrency', '1', '--testing-ratio', '1'], env);
    expect(run.stdout).toContain('All 5 features pass.');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/Slot 1 \(testing\): feature #1 regressed/);

    const store = openProjectStore(projectPaths(dir), { create: false });
    try {
      const f1 = store.features.get(1);
      expect(f1.status).toBe('passing');
      expect(f1.notes).toContain('regression: step 1 fails on main');
      const passed = store.db.prepare(`SELECT count(*) FROM events WHERE type = 'feature.passed' AND feature_id = 1`).pluck().get();
      expect(passed).toBe(2); // once, then again after the fix
      const testing = store.sessions.list().filter((x) => x.role === 'testing');
      expect(testing.length).toBeGreaterThanOrEqual(1);
      expect(new Set(testing.map((x) => x.slot))).toEqual(new Set([1]));
    } finally {
      store.close();
    }
    // The fix landed on main as a change of its own; the testing agent changed nothing.
    expect(gitOk(dir, ['show', 'main:features/feature-1-fix.txt'])).toBe('feature 1 implemented\n');
    expect(gitOk(dir, ['log', '--format=%s', 'main'])).not.toMatch(/Regression/i);
  });

  it('the watchdog aborts a session that stops responding; the attempt counts and the retry passes', async () => {
    let hung = false;
    const coding = landingCodingSession();
    const script: Script = async (conv) => {
      if (!hung && assignedFeature(conv) === 1 && conv.turn === 1) {
        hung = true;
        await new Promise(() => undefined); // the model never answers this request
      }
      return roleScript({ initializer: initializerSession(DAG.slice(0, 1)), coding })(conv);
    };
    server = await startScriptedModelServer(script);
    const env = agentTestEnv(root, server.url, { AUTOCODER_STALL_MS: '3000', AUTOCODER_RETRY_BACKOFF_MS: '0' });
    const { dir } = createSampleProject(root, env);
    const run = await cliAsync(['run', 'notes', '--yolo'], env);
    expect(run.stdout).toContain('All 1 features pass.');
    expect(run.stdout).toMatch(/feature #1 is now pending \(session stalled/);
    const store = openProjectStore(projectPaths(dir), { create: false });
    try {
      const f1 = store.features.get(1);
      expect(f1.attempts).toBe(2);
      expect(f1.notes).toMatch(/attempt 1\/3 failed: aborted: no agent activity for \d+ s \(stalled\)/);
      const [first] = store.sessions.list({ featureId: 1 });
      expect(first).toMatchObject({ status: 'aborted', error: expect.stringMatching(/stalled/) });
    } finally {
      store.close();
    }
  });
});

