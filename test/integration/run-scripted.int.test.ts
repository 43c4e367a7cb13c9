/**
 * `runProject` end to end on a real project (SQLite, git, worktrees, the landing gate) with the
 * scripted runtime instead of Claude Code: the scheduler's behaviour — parallel slots, retries,
 * max attempts and iterations, drains, waits for answers, rate limits, the supervisor and
 * testing slots, the watchdog, stops — in seconds. What only the real binary proves stays in
 * test/e2e.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SessionRecord } from '../../src/db/ports.js';
import { gitOk } from '../../src/git/git.js';
import { answerHumanInput } from '../../src/projects/human-input.js';
import { requestPause, requestResume } from '../../src/projects/run-control.js';
import { MAX_SESSIONS_NOT_STARTED } from '../../src/runner/run-loop.js';
import { checkedFeatures } from '../support/gate-backlog.js';
import {
  assignedFeature,
  codingSession,
  FEATURE_TOOL,
  featuresToVerify,
  initializerSession,
  isCoding,
  landingCodingSession,
  reply,
  roleScript,
  SAMPLE_FEATURES,
  sequence,
  testingSession,
  type Conversation,
  type PlannedFeature,
  type Script,
} from '../support/fake-anthropic/index.js';
import { scriptedProject, type ScriptedProject } from '../support/scripted-run.js';
import { waitFor } from '../support/wait-for.js';

// Whole runs (git, worktrees, SQLite, the scheduler) in this process: seconds each, more on a loaded machine.
vi.setConfig({ testTimeout: 60_000 });

let project: ScriptedProject | undefined;

afterEach(() => {
  project?.cleanup();
  project = undefined;
});

const feature = (n: number, dependsOn: number[] = []): PlannedFeature => ({
  category: 'core',
  name: `Feature ${n}`,
  description: `feature ${n}`,
  steps: ['check'],
  ...(dependsOn.length > 0 ? { depends_on_indices: dependsOn.map((d) => d - 1) } : {}),
});

/** 20 features: four roots, eight on one root each, six joins of two, two joins of those (20 also waits for 18). */
const DAG20: PlannedFeature[] = [
  ...[1, 2, 3, 4].map((n) => feature(n)),
  feature(5, [1]),
  feature(6, [1]),
  feature(7, [2]),
  feature(8, [2]),
  feature(9, [3]),
  feature(10, [3]),
  feature(11, [4]),
  feature(12, [4]),
  feature(13, [5, 7]),
  feature(14, [6, 8]),
  feature(15, [9, 11]),
  feature(16, [10, 12]),
  feature(17, [5, 9]),
  feature(18, [6, 12]),
  feature(19, [13, 14]),
  feature(20, [15, 16, 18]),
];

function sessionsOf(p: ScriptedProject): SessionRecord[] {
  return p.inspect((store) => store.sessions.list());
}

function runEvents(p: ScriptedProject): string[] {
  return p.inspect(
    (store) =>
      store.db.prepare(`SELECT type FROM events WHERE type LIKE 'run.%' ORDER BY id`).pluck().all() as string[],
  );
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

describe('runProject with the scripted runtime', () => {
  it('a 20-feature DAG at concurrency 3: failures and retries, a drain (pause, resume), a wait for an answer given mid-run; every feature passes', async () => {
    // Features 6 and 13 fail their first attempt, 14 its first two; 18 first asks a human for a region.
    const failures = new Map([
      [6, 1],
      [13, 1],
      [14, 2],
    ]);
    const firstTurns = new Map<number, number>();
    // The first three sessions hold their second turn until the test has asked for a pause.
    const held: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const landing = landingCodingSession();
    const coding: Script = async (conv) => {
      const id = assignedFeature(conv) as number;
      if (conv.turn === 0) firstTurns.set(id, (firstTurns.get(id) ?? 0) + 1);
      if (conv.turn === 0 && (firstTurns.get(id) ?? 0) <= (failures.get(id) ?? 0))
        // 14's second failure differs from its first (the same one twice in a row would go to the Inbox).
        return firstTurns.get(id) === 2
          ? reply().tool(FEATURE_TOOL('feature_mark_failing'), { feature_id: id, reason: 'the page does not load' })
          : reply().text('I could not make it pass.');
      if (id === 18 && !conv.prompt.includes('region = "')) {
        if (conv.turn === 0)
          return reply().tool(FEATURE_TOOL('feature_request_human_input'), {
            feature_id: 18,
            prompt: 'Which region should the app use?',
            fields: [{ id: 'region', label: 'Region', type: 'text' }],
          });
        return reply().text('Asked a human; ending this session.');
      }
      if (conv.turn === 1 && held.length < 3) {
        held.push(id);
        await gate;
      }
      return landing(conv);
    };
    const initializer = roleScript({ initializer: initializerSession(DAG20) });
    const p = (project = scriptedProject((conv) => (isCoding(conv) ? coding(conv) : initializer(conv))));
    const running = p.run({ concurrency: 3, yolo: true });

    await waitFor(() => held.length === 3, 30_000, 'three sessions at work');
    requestPause(p.paths);
    expect(p.runtime.sessions).toHaveLength(4);
    await waitFor(
      () => p.reports.includes('Pause requested: draining (3 running sessions finish their features first).'),
      30_000,
      'the run to drain',
    );
    expect(runEvents(p)).not.toContain('run.paused');
    release();
    await waitFor(
      () => p.reports.includes('Paused (drained): no session is running. Resume to continue.'),
      30_000,
      'the run to pause',
    );
    // Drained: the three sessions landed their features, none started since, none runs.
    p.inspect((store) =>
      expect(
        store.features
          .list({ status: 'passing' })
          .map((f) => f.id)
          .sort((a, b) => a - b),
      ).toEqual([...held].sort((a, b) => a - b)),
    );
    expect(p.runtime.sessions).toHaveLength(4);
    expect(p.runtime.sessions.filter((s) => s.outcome === null)).toEqual([]);
    expect(sessionsOf(p).filter((s) => s.status === 'running')).toEqual([]);
    requestResume(p.paths);

    // Everything else passes; the run waits for the answer about feature 18 and names the command.
    const requestId = await waitFor(
      () =>
        /^Waiting for 1 human answer \(18\/20 pass; 1 wait for a human answer, 1 pending feature\(s\) are blocked by those\); answer in the web UI inbox or with: autocoder answer notes (hir_[0-9a-f]+)\. Stop with Ctrl\+C or autocoder stop notes\.$/m.exec(
          p.reports.join('\n'),
        )?.[1],
      60_000,
      'the run to wait for an answer',
    );
    p.inspect((store) => answerHumanInput(store, requestId, { region: 'eu-west-1' }));

    const result = await running;
    expect(result).toMatchObject({ status: 'finished', reason: 'All 20 features pass.' });
    expect(p.reports).toContain('Resumed.');
    expect(runEvents(p)).toEqual([
      'run.started',
      'run.draining',
      'run.paused',
      'run.running',
      'run.waiting',
      'run.finished',
    ]);

    const sessions = sessionsOf(p);
    expect(overlap(sessions)).toEqual({ maxParallel: 3, sameFeatureTwice: false });
    expect(new Set(sessions.filter((s) => s.role === 'coding').map((s) => s.slot))).toEqual(new Set([0, 1, 2]));
    p.inspect((store) => {
      const features = store.features.list();
      expect(features.map((f) => f.status)).toEqual(Array<string>(20).fill('passing'));
      const attempts = Object.fromEntries(features.map((f) => [f.id, f.attempts]));
      expect(attempts).toEqual({ ...Object.fromEntries(DAG20.map((_, i) => [i + 1, 1])), 6: 2, 13: 2, 14: 3 });
      expect(store.features.get(14).notes).toContain(
        'attempt 1/3 failed: the session ended without marking the feature passing',
      );
      expect(store.features.get(14).notes).toContain('attempt 2/3 failed: the page does not load');
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

  it('an initializer session that creates no features ends the run failed with the outcome no_features, saying so', async () => {
    const p = (project = scriptedProject(roleScript({ initializer: sequence([], 'I could not plan anything.') })));
    const result = await p.run();
    expect(result).toMatchObject({
      status: 'failed',
      outcome: 'no_features',
      reason: 'The initializer session ended (success) without creating any features.',
    });
    expect(p.inspect((store) => store.runs.get(result.runId))).toMatchObject({
      status: 'failed',
      outcome: 'no_features',
      featuresPassing: 0,
      featuresTotal: 0,
    });
  });

  it('retries a feature whose sessions do not pass it and fails it after max attempts; what depends on it stays blocked', async () => {
    // Feature 2's second attempt fails another way (the agent reports it): two failures in a row that look the same
    // would go to the Inbox instead of a third attempt (see budget-run.int.test.ts).
    const failing = codingSession({ pass: (id) => id !== 2 });
    let triesOf2 = 0;
    const p = (project = scriptedProject(
      roleScript({
        initializer: initializerSession(SAMPLE_FEATURES),
        coding: (conv) => {
          if (assignedFeature(conv) === 2 && conv.turn === 0 && ++triesOf2 === 2)
            return reply().tool(FEATURE_TOOL('feature_mark_failing'), {
              feature_id: 2,
              reason: 'the list view crashes when it renders',
            });
          return failing(conv);
        },
      }),
    ));
    const result = await p.run();
    expect(result).toMatchObject({
      status: 'finished',
      reason: 'Nothing can proceed: 2/4 pass; 1 failed after all attempts, 1 pending feature(s) are blocked by those.',
      // The runner ended cleanly, but the app is not built: for a person the run failed (#21).
      outcome: 'failed',
    });
    expect(p.inspect((store) => store.runs.get(result.runId))).toMatchObject({
      status: 'finished',
      outcome: 'failed',
      featuresPassing: 2,
      featuresTotal: 4,
    });
    p.inspect((store) => {
      const f2 = store.features.get(2);
      expect(f2.status).toBe('failed');
      expect(f2.attempts).toBe(3);
      expect(f2.notes).toContain('attempt 3/3 failed: the session ended without marking the feature passing');
      expect(store.features.get(4).status).toBe('pending');
      expect(store.sessions.list({ featureId: 2 })).toHaveLength(3);
    });
  });

  it('stops after --max-iterations coding sessions with the progress line; the next run goes on from there', async () => {
    const p = (project = scriptedProject(
      roleScript({ initializer: initializerSession(SAMPLE_FEATURES), coding: codingSession() }),
    ));
    expect(await p.run({ maxIterations: 1 })).toMatchObject({
      status: 'finished',
      reason: 'Reached --max-iterations 1; 1/4 features pass.',
      sessions: 2,
      // Stopped by the limit the person set, not failed (#21).
      outcome: 'stopped',
    });
    expect(await p.run({ maxIterations: 2 })).toMatchObject({
      status: 'finished',
      reason: 'Reached --max-iterations 2; 3/4 features pass.',
      sessions: 2,
    });
    expect(sessionsOf(p).map((s) => s.role)).toEqual(['initializer', 'coding', 'coding', 'coding']);
    // The initializer's features carry frozen checks; the runner exported them in the project and, before each coding
    // session, in the slot's worktree where the coder reads them.
    const stored = p.inspect((s) =>
      s.features
        .list()
        .map((f) => [f.id, f.acceptanceHash !== null])
        .sort((a, b) => Number(a[0]) - Number(b[0])),
    );
    expect(stored).toEqual([1, 2, 3, 4].map((id) => [id, true]));
    for (const dir of [p.dir, join(p.dir, '.autocoder', 'worktrees', 'slot-0')])
      expect(JSON.parse(readFileSync(join(dir, '.autocoder', 'acceptance', 'feature-4.json'), 'utf8'))).toMatchObject({
        featureId: 4,
        acceptance: [{ kind: 'command', run: 'cat features/feature-4.txt' }],
      });
  });

  it('waits out a rate limit until the reset time the session named, then goes on by itself', async () => {
    // The fallback backoff is 10 minutes: had the run not used the named reset, the test would time out.
    const p = (project = scriptedProject(
      roleScript({ initializer: initializerSession(SAMPLE_FEATURES), coding: codingSession() }),
      { env: { AUTOCODER_RATE_LIMIT_BACKOFF_MS: '600000' } },
    ));
    p.runtime.inject({
      fault: { outcome: 'rate_limited', error: 'Rate limit exceeded, retry after 1 seconds', retryInMs: 1_000 },
      when: (c) => assignedFeature(c) === 3,
    });
    const result = await p.run();
    expect(result).toMatchObject({ status: 'finished', reason: 'All 4 features pass.', outcome: 'finished' });
    // The ending is stored with the run, cost included (#21): what a reload of mission control shows.
    const { run, cost } = p.inspect((store) => ({
      run: store.runs.get(result.runId),
      cost: store.sessions.costOfRun(result.runId),
    }));
    expect(cost).toBeGreaterThan(0);
    expect(run).toMatchObject({ outcome: 'finished', featuresPassing: 4, featuresTotal: 4, costUsd: cost });
    expect(
      p.reports.filter((l) =>
        l.startsWith('The model provider refused for a usage or rate limit; no session starts before '),
      ),
    ).toHaveLength(1);
    p.inspect((store) => {
      const limited = (
        store.db.prepare(`SELECT payload FROM events WHERE type = 'run.rate_limited'`).pluck().all() as string[]
      ).map((x) => JSON.parse(x) as { until: number; error: string });
      expect(limited).toEqual([
        { until: expect.any(Number) as number, error: 'Rate limit exceeded, retry after 1 seconds' },
      ]);
      const f3 = store.features.get(3);
      expect(f3.attempts).toBe(1);
      expect(f3.notes).toContain('released: the model provider refused for a usage or rate limit');
      const sessions = store.sessions.list({ featureId: 3 });
      expect(sessions.map((x) => x.outcome)).toEqual(['rate_limited', 'success']);
      // No session started before the named reset.
      expect(sessions[1]?.startedAt).toBeGreaterThanOrEqual(limited[0]?.until as number);
    });
  });

  it('never writes a provider secret to the database, events, logs or transcripts, even when the agent prints it', async () => {
    const coding = codingSession();
    let agentSawKey = false;
    const leak = sequence([
      () =>
        reply().tool('Write', {
          file_path: 'leak.js',
          content: 'console.log("key=" + process.env.ANTHROPIC_API_KEY);\n',
        }),
      () => reply().tool('Bash', { command: 'node leak.js' }),
      ...[0, 1, 2, 3].map((i) => (c: Conversation) => coding({ ...c, turn: i })),
    ]);
    const p = (project = scriptedProject((conv) => {
      if (assignedFeature(conv) === 1 && conv.turn === 2)
        agentSawKey = conv.lastToolResults.some((t) => t.text.includes(p.env.ANTHROPIC_API_KEY as string));
      return roleScript({
        initializer: initializerSession(SAMPLE_FEATURES),
        coding: (c) => (assignedFeature(c) === 1 ? leak(c) : coding(c)),
      })(conv);
    }));
    const secret = p.env.ANTHROPIC_API_KEY as string;
    expect(await p.run()).toMatchObject({ reason: 'All 4 features pass.' });
    // The agent really saw the key (this is what the sandbox, not the allowlist, must stop)…
    expect(agentSawKey).toBe(true);
    // …but nothing autocoder wrote contains it.
    const haystacks = [
      p.reports.join('\n'),
      ...filesUnder(join(p.dir, '.autocoder')).map((f) => readFileSync(f).toString('latin1')),
    ];
    expect(haystacks.filter((h) => h.includes(secret))).toEqual([]);
    p.inspect((store) => {
      const logged = store.db
        .prepare(
          `SELECT payload FROM events WHERE type = 'session.log' AND json_extract(payload, '$.kind') = 'tool_result' AND payload LIKE '%key=%'`,
        )
        .pluck()
        .all() as string[];
      expect(logged).toHaveLength(1);
      expect(logged[0]).toContain('key=«redacted»');
    });
  });

  it("a command the session's guard refuses never runs: the agent gets the reason, then goes on", async () => {
    const coding = codingSession();
    // Harmless if it ran (no network): the file would show it.
    const refused = sequence([
      () => reply().tool('Bash', { command: 'sudo touch leak.txt' }),
      ...[0, 1, 2, 3].map((i) => (c: Conversation) => coding({ ...c, turn: i })),
    ]);
    let answer: string | undefined;
    const p = (project = scriptedProject((conv) => {
      if (assignedFeature(conv) === 1 && conv.turn === 1) answer = conv.lastToolResults[0]?.text;
      return roleScript({
        initializer: initializerSession(SAMPLE_FEATURES),
        coding: (c) => (assignedFeature(c) === 1 ? refused(c) : coding(c)),
      })(conv);
    }));
    expect(await p.run({ maxIterations: 1 })).toMatchObject({
      reason: 'Reached --max-iterations 1; 1/4 features pass.',
    });
    expect(answer).toMatch(/^command refused \(interpreter\): `sudo` runs arbitrary code/);
    expect(existsSync(join(p.dir, 'leak.txt'))).toBe(false);
    expect(existsSync(join(p.dir, '.autocoder', 'worktrees', 'slot-0', 'leak.txt'))).toBe(false);
  });

  it('a stop mid-session aborts it, hands its feature back without counting the attempt, keeps its work on the branch and leaves main alone', async () => {
    const coding = codingSession();
    const p = (project = scriptedProject(async (conv) => {
      // Feature #1's second turn never comes: the run is stopped while it waits.
      if (assignedFeature(conv) === 1 && conv.turn === 1) await new Promise(() => undefined);
      return roleScript({ initializer: initializerSession(SAMPLE_FEATURES), coding })(conv);
    }));
    const stop = new AbortController();
    const working = p.runtime.waitForTurn((c) => assignedFeature(c) === 1 && c.turn === 1, 30_000);
    const running = p.run({}, { signal: stop.signal });
    await working;
    stop.abort();
    expect(await running).toMatchObject({ status: 'stopped', reason: 'Stopped.' });
    p.inspect((store) => {
      const f1 = store.features.get(1);
      expect(f1.status).toBe('pending');
      expect(f1.attempts).toBe(0);
      expect(f1.notes).toContain('released: the run was stopped during this session');
      expect(store.sessions.list({ featureId: 1 }).map((x) => x.status)).toEqual(['aborted']);
      expect(store.db.prepare('SELECT status, end_reason FROM runs').get()).toEqual({
        status: 'finished',
        end_reason: 'Stopped.',
      });
    });
    // What the session had written is committed to its feature branch; main is untouched.
    expect(gitOk(p.dir, ['log', '-1', '--format=%s', 'autocoder/feature-1'])).toContain(
      'work in progress on feature #1 (run stopped)',
    );
    expect(gitOk(p.dir, ['show', 'autocoder/feature-1:features/feature-1.txt'])).toBe('feature 1 implemented\n');
    expect(gitOk(join(p.dir, '.autocoder', 'worktrees', 'slot-0'), ['status', '--porcelain']).trim()).toBe('');
    expect(gitOk(p.dir, ['log', '--format=%s', 'main'])).not.toContain('Feature #1');
  });

  it('a stop while paused ends the run "Stopped while paused."', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const coding = codingSession();
    const p = (project = scriptedProject(async (conv) => {
      if (assignedFeature(conv) === 1 && conv.turn === 1) await gate;
      return roleScript({ initializer: initializerSession(SAMPLE_FEATURES), coding })(conv);
    }));
    const stop = new AbortController();
    const working = p.runtime.waitForTurn((c) => assignedFeature(c) === 1 && c.turn === 1, 30_000);
    const running = p.run({}, { signal: stop.signal });
    await working;
    requestPause(p.paths);
    release();
    await waitFor(
      () => p.reports.includes('Paused (drained): no session is running. Resume to continue.'),
      30_000,
      'the run to pause',
    );
    stop.abort();
    expect(await running).toMatchObject({ status: 'stopped', reason: 'Stopped while paused.', outcome: 'stopped' });
    expect(runEvents(p)).toEqual(['run.started', 'run.draining', 'run.paused', 'run.finished']);
    p.inspect((store) => expect(store.features.stats()).toMatchObject({ passing: 1, pending: 3 }));
  });

  it('two features that edit the same file at once: the second is told to rebase, resolves, and lands; no line is lost', async () => {
    const two: PlannedFeature[] = [
      { category: 'core', name: 'One', description: 'one', steps: ['check'] },
      { category: 'core', name: 'Two', description: 'two', steps: ['check'] },
    ];
    // With the sandbox on the run holds .git/config.lock for its sandboxes (holdConfigLock).
    const p = (project = scriptedProject(
      roleScript({ initializer: initializerSession(two), coding: landingCodingSession({ sharedFile: 'shared.txt' }) }),
      { env: { AUTOCODER_SANDBOX: 'on' } },
    ));
    expect(await p.run({ concurrency: 2, yolo: true })).toMatchObject({ reason: 'All 2 features pass.' });
    const onMain = gitOk(p.dir, ['show', 'main:shared.txt']);
    expect(onMain.split('\n').sort()).toEqual(['', 'feature 1', 'feature 2']);
    expect(readFileSync(join(p.dir, 'shared.txt'), 'utf8')).toBe(onMain);
    const transcripts = sessionsOf(p)
      .filter((s) => s.role === 'coding')
      .map((s) => readFileSync(s.transcriptPath as string, 'utf8'));
    expect(transcripts.filter((t) => t.includes('"command":"git rebase main"'))).toHaveLength(1);
    expect(gitOk(p.dir, ['status', '--porcelain']).trim()).toBe('');
    // The lock the run held is gone with it.
    expect(existsSync(join(p.dir, '.git', 'config.lock'))).toBe(false);
  });

  it('a testing session beside the coding one finds a regression on main; a coding session fixes it; the run ends when all pass', async () => {
    const five: PlannedFeature[] = [
      ...['A', 'B', 'C'].map((r) => ({
        category: 'core',
        name: `Root ${r}`,
        description: `Root ${r}`,
        steps: ['check'],
      })),
      { category: 'core', name: 'A1', description: 'A1', steps: ['check'], depends_on_indices: [0] },
      { category: 'core', name: 'A2', description: 'A2', steps: ['check'], depends_on_indices: [0] },
    ];
    // The first time feature 1 comes up for re-verification, it is found broken; the testing session then ends only
    // once a coding session has feature 1 again (its status is no longer what the testing session left: pending).
    let recoded: Promise<unknown> | null = null;
    let waited = false;
    const testing = testingSession((id) => {
      if (id !== 1 || recoded !== null) return false;
      recoded = p.runtime.waitForTurn((c) => isCoding(c) && assignedFeature(c) === 1, 60_000);
      return true;
    });
    const coding = landingCodingSession();
    const script = roleScript({ initializer: initializerSession(five), coding, other: testing });
    const p = (project = scriptedProject(async (conv) => {
      if (recoded !== null && !waited && featuresToVerify(conv).length > 0) {
        waited = true;
        await recoded;
      }
      return script(conv);
    }));
    expect(await p.run({ concurrency: 1, testingRatio: 1 })).toMatchObject({ reason: 'All 5 features pass.' });
    expect(p.reports).toContain('Slot 1 (testing): feature #1 regressed; it is pending again.');
    p.inspect((store) => {
      const f1 = store.features.get(1);
      expect(f1.status).toBe('passing');
      expect(f1.notes).toContain('regression: step 1 fails on main');
      expect(
        store.db.prepare(`SELECT count(*) FROM events WHERE type = 'feature.passed' AND feature_id = 1`).pluck().get(),
      ).toBe(2);
      const testing = store.sessions.list().filter((x) => x.role === 'testing');
      expect(testing.length).toBeGreaterThanOrEqual(1);
      expect(new Set(testing.map((x) => x.slot))).toEqual(new Set([1]));
    });
    // The fix landed on main as a change of its own; the testing session changed nothing.
    expect(gitOk(p.dir, ['show', 'main:features/feature-1-fix.txt'])).toBe('feature 1 implemented\n');
    expect(gitOk(p.dir, ['log', '--format=%s', 'main'])).not.toMatch(/Regression/i);
  });

  it('the watchdog aborts a session that stops responding; the attempt counts and the retry passes', async () => {
    let hung = false;
    const landing = landingCodingSession();
    const initializer = roleScript({ initializer: initializerSession(SAMPLE_FEATURES.slice(0, 1)) });
    const p = (project = scriptedProject(async (conv) => {
      if (!isCoding(conv)) return initializer(conv);
      if (!hung && conv.turn === 1) {
        hung = true;
        await new Promise(() => undefined); // the model never answers this turn
      }
      return landing(conv);
    }));
    expect(await p.run({ stallMs: 1_000, yolo: true })).toMatchObject({ reason: 'All 1 features pass.' });
    expect(p.reports.find((l) => l.startsWith('Slot 0: feature #1 is now pending'))).toMatch(
      /^Slot 0: feature #1 is now pending \(session stalled, /,
    );
    p.inspect((store) => {
      const f1 = store.features.get(1);
      expect(f1.attempts).toBe(2);
      expect(f1.notes).toMatch(/attempt 1\/3 failed: aborted: no agent activity for \d+ s \(stalled\)/);
      expect(store.sessions.list({ featureId: 1 }).map((x) => [x.status, x.error])).toEqual([
        ['aborted', expect.stringMatching(/^no agent activity for \d+ s \(stalled\)$/)],
        ['succeeded', null],
      ]);
    });
  });

  it("the watchdog does not count the runner's own work as the agent's silence: a landing that verifies longer than the idle limit lands", async () => {
    // The feature's frozen check takes 2 s; the idle limit is 1 s. The agent waits for feature_mark_passing meanwhile.
    const slow = [
      {
        ...SAMPLE_FEATURES[0]!,
        acceptance: [
          {
            kind: 'command',
            name: 'slow check',
            run: 'sleep 2 && cat features/feature-1.txt',
            expect: { stdoutIncludes: 'feature 1 implemented' },
          },
        ],
      },
    ];
    const p = (project = scriptedProject(
      roleScript({ initializer: initializerSession(slow), coding: landingCodingSession() }),
    ));
    expect(await p.run({ stallMs: 1_000, yolo: true })).toMatchObject({ reason: 'All 1 features pass.' });
    p.inspect((store) => {
      expect(store.features.get(1).attempts).toBe(1);
      expect(store.sessions.list({ featureId: 1 }).map((x) => [x.status, x.error])).toEqual([['succeeded', null]]);
    });
  });

  it('sessions that cannot even start (no worktree can be made) end the run as failed after 3 in a row, attempts not counted; the loop never spins', async () => {
    const p = (project = scriptedProject(roleScript({ coding: landingCodingSession() })));
    writeFileSync(join(p.dir, 'README.md'), '# notes\n');
    gitOk(p.dir, ['add', '-A']);
    gitOk(p.dir, ['-c', 'user.name=Test', '-c', 'user.email=test@example.test', 'commit', '-q', '-m', 'start']);
    p.inspect((store) => store.features.createBulk(checkedFeatures(2)));
    // Where the slots' worktrees go is a file: every worktree fails at once, before any session starts. Retried at
    // once, that failure used to spin the loop on microtasks for ever (no timer could fire, not even a test's).
    mkdirSync(join(p.dir, '.autocoder'), { recursive: true });
    writeFileSync(join(p.dir, '.autocoder', 'worktrees'), 'not a folder\n');
    const result = await p.run({ yolo: true });
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(
      new RegExp(
        `^The run failed: ${MAX_SESSIONS_NOT_STARTED} sessions in a row could not start; the last: EEXIST: file already exists, mkdir '.*worktrees'$`,
      ),
    );
    expect(p.runtime.sessions).toHaveLength(0);
    p.inspect((store) => {
      expect(store.features.list().map((f) => [f.status, f.attempts])).toEqual([
        ['pending', 0],
        ['pending', 0],
      ]);
      expect(store.features.get(1).notes).toContain('the runner could not prepare a git worktree: EEXIST');
      expect(store.runs.list().at(-1)?.status).toBe('failed');
    });
  });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  );
}
