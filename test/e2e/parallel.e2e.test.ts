import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openProjectStore } from '../../src/compose.js';
import { projectPaths } from '../../src/config/paths.js';
import { SessionRepo, type SessionRecord } from '../../src/db/session-repo.js';
import { gitOk } from '../../src/git/git.js';
import { agentTestEnv } from '../support/agent-env.js';
import { cliAsync } from '../support/cli-process.js';
import { initializerSession, landingCodingSession, roleScript, startScriptedModelServer, type PlannedFeature, type ScriptedModelServer, type Script } from '../support/fake-anthropic/index.js';
import { createSampleProject } from '../support/sample-project.js';

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
    return new SessionRepo(store.db).list();
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
    expect(shared).toContain('feature 1\n');
    expect(shared).toContain('feature 2\n');
    const transcripts = sessionsOf(dir)
      .filter((s) => s.role === 'coding')
      .map((s) => readFileSync(s.transcriptPath!, 'utf8'));
    expect(transcripts.some((t) => t.includes('git rebase main'))).toBe(true);
    expect(gitOk(dir, ['status', '--porcelain']).trim()).toBe('');
  });
});
