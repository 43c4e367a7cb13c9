/**
 * `runProject` end to end on a real project (SQLite, git, worktrees, the landing gate) with the
 * scripted runtime instead of Claude Code: the scheduler's behaviour — parallel slots, retries,
 * max attempts and iterations, drains, waits for answers, rate limits, the supervisor and
 * testing slots, the watchdog, stops — in seconds. What only the real binary proves stays in
 * test/e2e.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SessionRepo, type SessionRecord } from '../../src/db/session-repo.js';
import { gitOk } from '../../src/git/git.js';
import { answerHumanInput } from '../../src/projects/human-input.js';
import { requestPause, requestResume } from '../../src/projects/run-control.js';
import { assignedFeature, FEATURE_TOOL, initializerSession, landingCodingSession, reply, roleScript, type PlannedFeature, type Script } from '../support/fake-anthropic/index.js';
import { scriptedProject, type ScriptedProject } from '../support/scripted-run.js';
import { waitFor } from '../support/wait-for.js';

let project: ScriptedProject | undefined;

afterEach(() => {
  project?.cleanup();
  project = undefined;
});

const feature = (n: number, dependsOn: number[] = []): PlannedFeature => ({ category: 'core', name: `Feature ${n}`, description: `feature ${n}`, steps: ['check'], ...(dependsOn.length > 0 ? { depends_on_indices: dependsOn.map((d) => d - 1) } : {}) });

/** 20 features: four roots, eight on one root each, six joins of two, two joins of those (20 also waits for 18). */
const DAG20: PlannedFeature[] = [
  ...[1, 2, 3, 4].map((n) => feature(n)),
  feature(5, [1]), feature(6, [1]), feature(7, [2]), feature(8, [2]), feature(9, [3]), feature(10, [3]), feature(11, [4]), feature(12, [4]),
  feature(13, [5, 7]), feature(14, [6, 8]), feature(15, [9, 11]), feature(16, [10, 12]), feature(17, [5, 9]), feature(18, [6, 12]),
  feature(19, [13, 14]), feature(20, [15, 16, 18]),
];

function sessionsOf(p: ScriptedProject): SessionRecord[] {
  return p.inspect((store) => new SessionRepo(store.db).list());
}

function runEvents(p: ScriptedProject): string[] {
  return p.inspect((store) => store.db.prepare(`SELECT type FROM events WHERE type LIKE 'run.%' ORDER BY id`).pluck().all() as string[]);
}

/** The most coding sessions that ran at one moment, and whether two ever held the same feature at once. */
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

const reported = (p: ScriptedProject, pattern: RegExp) => p.reports.find((line) => pattern.test(line));

describe('runProject with the scripted runtime', () => {
  it('a 20-feature DAG at concurrency 3: failures and retries, a drain (pause, resume), a wait for an answer given mid-run; every feature passes', async () => {
    // Features 6 and 13 fail their first attempt, 14 its first two; 18 first asks a human for a region.
    const failures = new Map([
      [6, 1],
      [13, 1],
      [14, 2],
    ]);
    const firstTurns = new Map<number, number>();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const landing = landingCodingSession();
    const coding: Script = async (conv) => {
      const id = assignedFeature(conv) as number;
      if (conv.turn === 0) firstTurns.set(id, (firstTurns.get(id) ?? 0) + 1);
      if (conv.turn === 0 && (firstTurns.get(id) ?? 0) <= (failures.get(id) ?? 0)) return reply().text('I could not make it pass.');
      if (id === 18 && !conv.prompt.includes('region = "')) {
        if (conv.turn === 0) return reply().tool(FEATURE_TOOL('feature_request_human_input'), { feature_id: 18, prompt: 'Which region should the app use?', fields: [{ id: 'region', label: 'Region', type: 'text' }] });
        return reply().text('Asked a human; ending this session.');
      }
      // Feature 10 holds its second turn until the test has asked for a pause.
      if (id === 10 && conv.turn === 1) await gate;
      return landing(conv);
    };
    const p = (project = scriptedProject(roleScript({ initializer: initializerSession(DAG20), coding })));
    const holding = p.runtime.waitForTurn((c) => assignedFeature(c) === 10 && c.turn === 1, 60_000);
    const running = p.run({ concurrency: 3, yolo: true });

    await holding;
    requestPause(p.paths);
    const startedBeforePause = p.runtime.sessions.length;
    await waitFor(() => reported(p, /^Pause requested: draining \(\d running sessions? finish their features first\)\.$/), 30_000, 'the run to drain');
    expect(runEvents(p)).not.toContain('run.paused');
    release();
    await waitFor(() => reported(p, /^Paused \(drained\)/), 30_000, 'the run to pause');
    // Drained: the sessions running at the pause finished, none started since, none runs.
    expect(p.runtime.sessions).toHaveLength(startedBeforePause);
    expect(p.runtime.sessions.filter((s) => s.outcome === null)).toEqual([]);
    expect(sessionsOf(p).filter((s) => s.status === 'running')).toEqual([]);
    requestResume(p.paths);

    // Everything else passes; the run waits for the answer about feature 18 and names the command.
    const requestId = await waitFor(() => /^Waiting for 1 human answer \(18\/20 pass; 1 wait for a human answer, 1 pending feature\(s\) are blocked by those\); answer in the web UI inbox or with: autocoder answer notes (hir_[0-9a-f]+)\. Stop with Ctrl\+C or autocoder stop notes\.$/m.exec(p.reports.join('\n'))?.[1], 60_000, 'the run to wait for an answer');
    p.inspect((store) => answerHumanInput(store, requestId, { region: 'eu-west-1' }));

    const result = await running;
    expect(result).toMatchObject({ status: 'finished', reason: 'All 20 features pass.' });
    expect(p.reports).toContain('Resumed.');
    expect(runEvents(p)).toEqual(['run.started', 'run.draining', 'run.paused', 'run.running', 'run.waiting', 'run.finished']);

    const sessions = sessionsOf(p);
    expect(overlap(sessions)).toEqual({ maxParallel: 3, sameFeatureTwice: false });
    expect(new Set(sessions.filter((s) => s.role === 'coding').map((s) => s.slot))).toEqual(new Set([0, 1, 2]));
    p.inspect((store) => {
      const features = store.features.list();
      expect(features.map((f) => f.status)).toEqual(Array<string>(20).fill('passing'));
      const attempts = Object.fromEntries(features.map((f) => [f.id, f.attempts]));
      expect(attempts).toEqual({ ...Object.fromEntries(DAG20.map((_, i) => [i + 1, 1])), 6: 2, 13: 2, 14: 3 });
      expect(store.features.get(14).notes).toContain('attempt 2/3 failed: the session ended without marking the feature passing');
      expect(store.features.get(18).notes).toContain('region = "eu-west-1"');
    });
    // Each failure and the question cost a session (asking uses no attempt); every feature then passed once.
    expect(sessions.filter((s) => s.role === 'coding')).toHaveLength(20 + 1 + 1 + 2 + 1);

    const log = gitOk(p.dir, ['log', 'main', '--format=%s']);
    for (let id = 1; id <= 20; id++) {
      expect(log).toContain(`Feature #${id}`);
      expect(readFileSync(join(p.dir, 'features', `feature-${id}.txt`), 'utf8')).toBe(`feature ${id} implemented\n`);
    }
    expect(gitOk(p.dir, ['status', '--porcelain']).trim()).toBe('');
    for (const slot of [0, 1, 2]) {
      const worktree = join(p.dir, '.autocoder', 'worktrees', `slot-${slot}`);
      expect(existsSync(worktree)).toBe(true);
      expect(gitOk(worktree, ['status', '--porcelain']).trim()).toBe('');
    }
    // Merged feature branches are gone; nothing unmerged was left behind.
    expect(gitOk(p.dir, ['branch', '--list', 'autocoder/*']).trim()).toBe('');
  });
});
