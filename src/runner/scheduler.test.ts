import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  afterSession,
  decide,
  maxIterationsReason,
  NO_BACKOFF,
  SUPERVISOR_TRIES,
  type ActiveSlot,
  type BudgetState,
  type SchedulerFeature,
  type SchedulerState,
} from './scheduler.js';

const NOW = Date.UTC(2026, 0, 1, 12);

const feature = (
  id: number,
  status: SchedulerFeature['status'] = 'pending',
  extra: Partial<SchedulerFeature> = {},
): SchedulerFeature => ({
  id,
  status,
  runAfter: 0,
  attempts: 0,
  maxAttempts: 3,
  dependencies: [],
  leaseExpiresAt: null,
  ...extra,
});

/** A run with 2 coding slots, 1 testing slot (slot 2), no supervisor, nothing running, 3 pending features. */
function state(
  over: Partial<Omit<SchedulerState, 'config'>> & { config?: Partial<SchedulerState['config']> } = {},
): SchedulerState {
  const { config, ...rest } = over;
  const features = rest.features ?? [feature(1), feature(2), feature(3)];
  const count = (status: SchedulerFeature['status']) => features.filter((f) => f.status === status).length;
  return {
    config: {
      coding: 2,
      testing: 1,
      supervisor: false,
      maxIterations: undefined,
      maxWaitMs: 6 * 3_600_000,
      waitForInput: true,
      projectName: 'notes',
      regressionEvery: 0,
      checkpointInterval: 0,
      designReviewEvery: 0,
      ...config,
    },
    aborted: false,
    pauseRequested: false,
    runStatus: 'running',
    active: [],
    features,
    counts: { passing: count('passing'), pending: count('pending'), in_progress: count('in_progress') },
    regressionCandidates: [],
    openRequests: [],
    supervisorTries: {},
    codingSessionsStarted: 0,
    rateLimitedUntil: 0,
    claimExhausted: false,
    waitingReported: '',
    landingsSinceRegression: 0,
    regressionRunning: false,
    budget: null,
    landingsSinceCheckpoint: 0,
    mainMovedSinceCheckpoint: false,
    checkpointRunning: false,
    checkpointRequested: false,
    landingsSinceDesign: 0,
    designRunning: false,
    designRequested: false,
    designReviewOpen: false,
    designRoundDue: false,
    ...rest,
  };
}

const coding = (slot: number, featureId: number): ActiveSlot => ({ slot, kind: 'coding', featureIds: [featureId] });
const testing = (slot: number, ...featureIds: number[]): ActiveSlot => ({ slot, kind: 'testing', featureIds });
const supervisor = (slot: number, ...featureIds: number[]): ActiveSlot => ({ slot, kind: 'supervisor', featureIds });

describe('decide: stop', () => {
  it('aborted: finishes "Stopped." (the loop waits for the running sessions first)', () => {
    expect(decide(state({ aborted: true, active: [coding(0, 1)] }), NOW)).toEqual({
      actions: [],
      next: { type: 'finish', status: 'stopped', reason: { text: 'Stopped.' } },
    });
  });

  it('aborted while paused: finishes "Stopped while paused."', () => {
    expect(decide(state({ aborted: true, runStatus: 'paused' }), NOW)).toEqual({
      actions: [],
      next: { type: 'finish', status: 'stopped', reason: { text: 'Stopped while paused.' } },
    });
  });
});

describe('decide: pause and resume', () => {
  it('pause requested with nothing running: draining, then paused, says so, waits for the resume', () => {
    expect(decide(state({ pauseRequested: true }), NOW)).toEqual({
      actions: [
        { type: 'set-status', status: 'draining' },
        { type: 'set-status', status: 'paused' },
        { type: 'report', line: 'Paused (drained): no session is running. Resume to continue.' },
      ],
      next: { type: 'wait-for-resume' },
    });
  });

  it('pause requested while already draining and the last session ended: only paused', () => {
    const d = decide(state({ pauseRequested: true, runStatus: 'draining' }), NOW);
    expect(d.actions.filter((a) => a.type === 'set-status')).toEqual([{ type: 'set-status', status: 'paused' }]);
    expect(d.next).toEqual({ type: 'wait-for-resume' });
  });

  it('resumed (the pause file is gone while paused): running again, says so, decides again', () => {
    expect(decide(state({ runStatus: 'paused' }), NOW)).toEqual({
      actions: [
        { type: 'set-status', status: 'running' },
        { type: 'report', line: 'Resumed.' },
      ],
      next: { type: 'decide-again' },
    });
  });

  it('resume beats a new pause request: a pause file that is back at once is handled on the next decision', () => {
    expect(decide(state({ runStatus: 'paused', pauseRequested: true }), NOW).actions).toEqual([
      { type: 'set-status', status: 'running' },
      { type: 'report', line: 'Resumed.' },
    ]);
  });

  it('pause requested while sessions run: draining, names how many finish first, starts nothing, waits', () => {
    const one = decide(state({ pauseRequested: true, active: [coding(0, 1)] }), NOW);
    expect(one).toEqual({
      actions: [
        { type: 'set-status', status: 'draining' },
        { type: 'report', line: 'Pause requested: draining (1 running session finish their features first).' },
      ],
      next: { type: 'wait-for-wake' },
    });
    const two = decide(state({ pauseRequested: true, active: [coding(0, 1), testing(2, 4)] }), NOW);
    expect(two.actions[1]).toEqual({
      type: 'report',
      line: 'Pause requested: draining (2 running sessions finish their features first).',
    });
  });

  it('still draining: nothing is repeated and nothing starts', () => {
    expect(decide(state({ pauseRequested: true, runStatus: 'draining', active: [coding(0, 1)] }), NOW)).toEqual({
      actions: [],
      next: { type: 'wait-for-wake' },
    });
  });

  it('pause withdrawn while draining: running again, and slots are filled', () => {
    expect(decide(state({ runStatus: 'draining', active: [coding(0, 1)] }), NOW)).toEqual({
      actions: [
        { type: 'set-status', status: 'running' },
        { type: 'start-coding', slot: 1 },
      ],
      next: { type: 'decide-again' },
    });
  });
});

describe('decide: filling slots', () => {
  it('a free coding slot: the lowest is filled first, then decide again', () => {
    expect(decide(state(), NOW)).toEqual({
      actions: [{ type: 'start-coding', slot: 0 }],
      next: { type: 'decide-again' },
    });
    expect(decide(state({ active: [coding(0, 1)] }), NOW).actions).toEqual([{ type: 'start-coding', slot: 1 }]);
  });

  it('claims exhausted (nothing was ready): no coding slot is filled until the loop wakes', () => {
    expect(decide(state({ claimExhausted: true, active: [coding(0, 1)] }), NOW)).toEqual({
      actions: [],
      next: { type: 'wait-for-wake' },
    });
  });

  it('every coding slot busy: waits for a wake', () => {
    expect(decide(state({ active: [coding(0, 1), coding(1, 2)] }), NOW)).toEqual({
      actions: [],
      next: { type: 'wait-for-wake' },
    });
  });

  it('max iterations used up: no further coding session starts', () => {
    const d = decide(state({ config: { maxIterations: 2 }, codingSessionsStarted: 2, active: [coding(0, 1)] }), NOW);
    expect(d).toEqual({ actions: [], next: { type: 'wait-for-wake' } });
    expect(
      decide(state({ config: { maxIterations: 2 }, codingSessionsStarted: 1, active: [coding(0, 1)] }), NOW).actions,
    ).toEqual([{ type: 'start-coding', slot: 1 }]);
  });

  it('supervisor: open requests with tries left go to the slot after the testing ones, after the coding slots', () => {
    const open = [
      { id: 'hir_a', featureId: 1 },
      { id: 'hir_b', featureId: 2 },
      { id: 'hir_c', featureId: 3 },
    ];
    const s = state({
      config: { supervisor: true },
      openRequests: open,
      supervisorTries: { hir_b: SUPERVISOR_TRIES, hir_c: SUPERVISOR_TRIES - 1 },
    });
    expect(decide(s, NOW).actions).toEqual([{ type: 'start-coding', slot: 0 }]);
    expect(decide({ ...s, claimExhausted: true }, NOW)).toEqual({
      actions: [{ type: 'start-supervisor', slot: 3, requestIds: ['hir_a', 'hir_c'] }],
      next: { type: 'decide-again' },
    });
  });

  it('supervisor: no session while the slot is busy, for requests out of tries, or without supervisor mode', () => {
    const open = [{ id: 'hir_a', featureId: 1 }];
    const base = { claimExhausted: true, openRequests: open, active: [coding(0, 2)] };
    expect(
      decide(state({ ...base, config: { supervisor: true }, active: [coding(0, 2), supervisor(3, 1)] }), NOW).actions,
    ).toEqual([]);
    expect(
      decide(state({ ...base, config: { supervisor: true }, supervisorTries: { hir_a: SUPERVISOR_TRIES } }), NOW)
        .actions,
    ).toEqual([]);
    expect(decide(state(base), NOW).actions).toEqual([]);
  });

  it('testing: up to two passing features no other testing session holds, while coding work remains', () => {
    const features = [feature(1, 'passing'), feature(2, 'passing'), feature(3, 'passing'), feature(4, 'in_progress')];
    const s = state({
      config: { testing: 2 },
      features,
      regressionCandidates: [1, 2, 3],
      claimExhausted: true,
      active: [coding(0, 4)],
    });
    expect(decide(s, NOW)).toEqual({
      actions: [{ type: 'start-testing', slot: 2, featureIds: [1, 2] }],
      next: { type: 'decide-again' },
    });
    expect(decide({ ...s, active: [coding(0, 4), testing(2, 1, 2)] }, NOW).actions).toEqual([
      { type: 'start-testing', slot: 3, featureIds: [3] },
    ]);
    expect(decide({ ...s, active: [coding(0, 4), testing(2, 1, 2), testing(3, 3)] }, NOW).actions).toEqual([]);
  });

  it('testing: every candidate already being verified: no testing session', () => {
    const features = [feature(1, 'passing'), feature(2, 'pending')];
    const s = state({
      config: { testing: 2 },
      features,
      regressionCandidates: [1],
      claimExhausted: true,
      active: [coding(0, 2), testing(2, 1)],
    });
    expect(decide(s, NOW)).toEqual({ actions: [], next: { type: 'wait-for-wake' } });
  });

  it('testing: none when nothing passes yet, when no coding work remains, or without testing slots (yolo)', () => {
    const passingAndPending = [feature(1, 'passing'), feature(2, 'pending')];
    const exhausted = { claimExhausted: true, active: [coding(0, 2)], regressionCandidates: [1] };
    expect(
      decide(state({ ...exhausted, features: [feature(1, 'needs_input'), feature(2, 'in_progress')] }), NOW).actions,
    ).toEqual([]);
    expect(
      decide(state({ ...exhausted, active: [], features: [feature(1, 'passing'), feature(2, 'failed')] }), NOW).next
        .type,
    ).toBe('finish');
    expect(decide(state({ ...exhausted, features: passingAndPending, config: { testing: 0 } }), NOW).actions).toEqual(
      [],
    );
    expect(decide(state({ ...exhausted, features: passingAndPending }), NOW).actions).toEqual([
      { type: 'start-testing', slot: 2, featureIds: [1] },
    ]);
  });

  it('rate-limited: nothing starts; with sessions running it waits for a wake', () => {
    const s = state({
      rateLimitedUntil: NOW + 5_000,
      active: [testing(2, 1)],
      features: [feature(1, 'passing'), feature(2)],
      regressionCandidates: [1],
    });
    expect(decide(s, NOW)).toEqual({ actions: [], next: { type: 'wait-for-wake' } });
  });

  it('rate-limited with nothing running: waits until the limit ends; after it, slots fill again', () => {
    expect(decide(state({ rateLimitedUntil: NOW + 5_000 }), NOW)).toEqual({
      actions: [],
      next: { type: 'wait-until', until: NOW + 5_000 },
    });
    expect(decide(state({ rateLimitedUntil: NOW + 5_000 }), NOW + 5_000).actions).toEqual([
      { type: 'start-coding', slot: 0 },
    ]);
  });
});

describe('decide: regression passes (the frozen checks on main, no model)', () => {
  const every = (n: number, over: Parameters<typeof state>[0] = {}) =>
    state({ ...over, config: { regressionEvery: n, ...over.config } });

  it('after regressionEvery landings: a regression pass starts (it takes no slot), then decide again', () => {
    expect(decide(every(2, { landingsSinceRegression: 2, active: [coding(0, 1), coding(1, 2)] }), NOW)).toEqual({
      actions: [{ type: 'start-regression', reason: 'landings' }],
      next: { type: 'decide-again' },
    });
  });

  it('none below the count, while one runs, with regression passes off (0), or while pausing', () => {
    const busy = [coding(0, 1), coding(1, 2)];
    const none = { actions: [], next: { type: 'wait-for-wake' } };
    expect(decide(every(2, { landingsSinceRegression: 1, active: busy }), NOW)).toEqual(none);
    expect(decide(every(2, { landingsSinceRegression: 5, regressionRunning: true, active: busy }), NOW)).toEqual(none);
    expect(decide(every(0, { landingsSinceRegression: 5, active: busy }), NOW)).toEqual(none);
    const pausing = decide(
      every(2, { landingsSinceRegression: 5, active: busy, pauseRequested: true, runStatus: 'draining' }),
      NOW,
    );
    expect(pausing.actions).toEqual([]);
  });

  it('rate-limited: a regression pass still starts (it asks no model)', () => {
    const d = decide(every(1, { landingsSinceRegression: 1, rateLimitedUntil: NOW + 60_000 }), NOW);
    expect(d.actions).toEqual([{ type: 'start-regression', reason: 'landings' }]);
  });

  it('everything passes with landings since the last pass: a last regression pass before the run ends', () => {
    const done = [feature(1, 'passing'), feature(2, 'passing')];
    expect(decide(every(5, { claimExhausted: true, features: done, landingsSinceRegression: 2 }), NOW)).toEqual({
      actions: [{ type: 'start-regression', reason: 'end' }],
      next: { type: 'decide-again' },
    });
  });

  it('at the end while a regression pass runs: waits for it (it may send a feature back)', () => {
    const d = decide(
      every(5, { claimExhausted: true, features: [feature(1, 'passing')], regressionRunning: true }),
      NOW,
    );
    expect(d).toEqual({ actions: [], next: { type: 'wait-for-wake' } });
  });

  it('at the end with nothing landed since the last pass, or with passes off: the run ends', () => {
    const done = [feature(1, 'passing')];
    const end = { type: 'finish', status: 'finished', reason: { text: 'All 1 features pass.' } };
    expect(decide(every(5, { claimExhausted: true, features: done }), NOW).next).toEqual(end);
    expect(decide(every(0, { claimExhausted: true, features: done, landingsSinceRegression: 3 }), NOW).next).toEqual(
      end,
    );
  });

  it('max iterations used up with landings since the last pass: a last regression pass, then the max-iterations end', () => {
    const used = { config: { maxIterations: 2 }, codingSessionsStarted: 2 };
    expect(decide(every(5, { ...used, landingsSinceRegression: 1 }), NOW).actions).toEqual([
      { type: 'start-regression', reason: 'end' },
    ]);
    expect(decide(every(5, { ...used, config: { maxIterations: 2, regressionEvery: 5 } }), NOW).next).toEqual({
      type: 'finish',
      status: 'finished',
      reason: { maxIterations: 2 },
    });
  });
});

describe('decide: no coding session running', () => {
  it('max iterations used up: finishes with the max-iterations line (after the sessions still running)', () => {
    const d = decide(state({ config: { maxIterations: 3 }, codingSessionsStarted: 3, active: [testing(2, 1)] }), NOW);
    expect(d).toEqual({ actions: [], next: { type: 'finish', status: 'finished', reason: { maxIterations: 3 } } });
    expect(maxIterationsReason(3, { passing: 1, total: 4 })).toBe('Reached --max-iterations 3; 1/4 features pass.');
  });

  it('everything passes: finishes "All N features pass."', () => {
    const d = decide(state({ claimExhausted: true, features: [feature(1, 'passing'), feature(2, 'passing')] }), NOW);
    expect(d).toEqual({
      actions: [],
      next: { type: 'finish', status: 'finished', reason: { text: 'All 2 features pass.' } },
    });
  });

  it('done or stuck while a testing session runs: waits for it (it may send a feature back)', () => {
    const d = decide(state({ claimExhausted: true, features: [feature(1, 'passing')], active: [testing(2, 1)] }), NOW);
    expect(d).toEqual({ actions: [], next: { type: 'wait-for-wake' } });
  });

  it('stuck: finishes "Nothing can proceed: …" with the reason', () => {
    const d = decide(
      state({
        claimExhausted: true,
        features: [feature(1, 'passing'), feature(2, 'failed', { attempts: 3 }), feature(3, 'pending')],
      }),
      NOW,
    );
    expect(d.next).toEqual({
      type: 'finish',
      status: 'finished',
      reason: {
        text: 'Nothing can proceed: 1/3 pass; 1 failed after all attempts, 1 pending feature(s) are blocked by those.',
      },
    });
  });

  it('stuck on open requests: reports once how to answer, records run.waiting, and waits for a wake', () => {
    const s = state({
      claimExhausted: true,
      features: [feature(1, 'needs_input'), feature(2, 'passing')],
      openRequests: [{ id: 'hir_a', featureId: 1 }],
    });
    expect(decide(s, NOW)).toEqual({
      actions: [
        { type: 'note-waiting', requests: 'hir_a' },
        {
          type: 'event',
          event: {
            type: 'run.waiting',
            payload: { until: null, reason: '1 human-input request(s) open', requests: ['hir_a'] },
          },
        },
        {
          type: 'report',
          line: 'Waiting for 1 human answer (1/2 pass; 1 wait for a human answer); answer in the web UI inbox or with: autocoder answer notes hir_a. Stop with Ctrl+C or autocoder stop notes.',
        },
      ],
      next: { type: 'wait-for-wake' },
    });
    expect(decide({ ...s, waitingReported: 'hir_a' }, NOW)).toEqual({ actions: [], next: { type: 'wait-for-wake' } });
    const two = decide(
      {
        ...s,
        waitingReported: 'hir_a',
        openRequests: [
          { id: 'hir_a', featureId: 1 },
          { id: 'hir_b', featureId: 3 },
        ],
      },
      NOW,
    );
    expect(two.actions[0]).toEqual({ type: 'note-waiting', requests: 'hir_a,hir_b' });
    expect(two.actions[2]).toMatchObject({ line: expect.stringContaining('Waiting for 2 human answers') });
  });

  it('stuck on open requests without waiting for input: finishes', () => {
    const s = state({
      config: { waitForInput: false },
      claimExhausted: true,
      features: [feature(1, 'needs_input'), feature(2, 'passing')],
      openRequests: [{ id: 'hir_a', featureId: 1 }],
    });
    expect(decide(s, NOW).next).toEqual({
      type: 'finish',
      status: 'finished',
      reason: { text: 'Nothing can proceed: 1/2 pass; 1 wait for a human answer.' },
    });
  });

  it('a retry backoff with nothing running: records run.waiting, says until when, waits until then', () => {
    const until = NOW + 30_000;
    const s = state({
      claimExhausted: true,
      features: [feature(1, 'passing'), feature(2, 'pending', { attempts: 1, runAfter: until })],
    });
    expect(decide(s, NOW)).toEqual({
      actions: [
        {
          type: 'event',
          event: {
            type: 'run.waiting',
            payload: { until, reason: '1 feature(s) wait to be retried after a failed attempt' },
          },
        },
        {
          type: 'report',
          line: `Waiting until ${new Date(until).toISOString()}: 1 feature(s) wait to be retried after a failed attempt.`,
        },
      ],
      next: { type: 'wait-until', until },
    });
  });

  it('a retry backoff longer than maxWaitMs: waits maxWaitMs, then looks again', () => {
    const s = state({
      config: { maxWaitMs: 1_000 },
      claimExhausted: true,
      features: [feature(1, 'pending', { attempts: 1, runAfter: NOW + 60_000 })],
    });
    expect(decide(s, NOW).next).toEqual({ type: 'wait-until', until: NOW + 1_000 });
  });

  it('a retry backoff while a testing session runs: waits for a wake', () => {
    const s = state({
      claimExhausted: true,
      features: [feature(1, 'passing'), feature(2, 'pending', { attempts: 1, runAfter: NOW + 30_000 })],
      active: [testing(2, 1)],
    });
    expect(decide(s, NOW)).toEqual({ actions: [], next: { type: 'wait-for-wake' } });
  });
});

describe('afterSession', () => {
  const limits = { rateLimitBackoffMs: 60_000, maxWaitMs: 6 * 3_600_000 };
  const limited = (retryAt: number | null) => ({ outcome: 'rate_limited', retryAt, error: 'rate limit' });

  it('a rate limit with a named reset time: no session starts before it; recorded and reported', () => {
    const until = NOW + 2_000;
    expect(afterSession(NO_BACKOFF, limited(until), NOW, limits)).toEqual({
      backoff: { rateLimits: 1, rateLimitedUntil: until },
      actions: [
        { type: 'event', event: { type: 'run.rate_limited', payload: { until, error: 'rate limit' } } },
        {
          type: 'report',
          line: `The model provider refused for a usage or rate limit; no session starts before ${new Date(until).toISOString()}.`,
        },
      ],
    });
  });

  it('rate limits without a reset time (or one in the past): a backoff that doubles while they repeat, up to 15 min', () => {
    const first = afterSession(NO_BACKOFF, limited(null), NOW, limits);
    expect(first.backoff).toEqual({ rateLimits: 1, rateLimitedUntil: NOW + 60_000 });
    const second = afterSession(first.backoff, limited(NOW - 1), NOW, limits);
    expect(second.backoff).toEqual({ rateLimits: 2, rateLimitedUntil: NOW + 120_000 });
    expect(
      afterSession({ rateLimits: 9, rateLimitedUntil: 0 }, limited(null), NOW, limits).backoff.rateLimitedUntil,
    ).toBe(NOW + 15 * 60_000);
  });

  it('never waits longer than maxWaitMs, and never shortens a wait already set', () => {
    expect(afterSession(NO_BACKOFF, limited(NOW + 10 * 3_600_000), NOW, limits).backoff.rateLimitedUntil).toBe(
      NOW + 6 * 3_600_000,
    );
    expect(
      afterSession({ rateLimits: 0, rateLimitedUntil: NOW + 50_000 }, limited(NOW + 1_000), NOW, limits).backoff
        .rateLimitedUntil,
    ).toBe(NOW + 50_000);
  });

  it('any other outcome resets the count of rate limits in a row; a session that could not run changes nothing', () => {
    const backoff = { rateLimits: 3, rateLimitedUntil: NOW + 1_000 };
    expect(afterSession(backoff, { outcome: 'error', retryAt: null, error: 'x' }, NOW, limits)).toEqual({
      backoff: { rateLimits: 0, rateLimitedUntil: NOW + 1_000 },
      actions: [],
    });
    expect(afterSession(backoff, null, NOW, limits)).toEqual({ backoff, actions: [] });
  });
});

describe('the scheduler module', () => {
  it('does no I/O: it imports only types and pure modules', () => {
    const source = readFileSync(new URL('./scheduler.ts', import.meta.url), 'utf8');
    const imports = [...source.matchAll(/^import (type )?.*from '([^']+)';$/gm)].map((m) => `${m[1] ?? ''}${m[2]}`);
    expect(imports).toEqual(['./stop-reason.js', '../domain/budget.js']);
    // The domain's budget arithmetic imports nothing at all.
    const budget = readFileSync(new URL('../domain/budget.ts', import.meta.url), 'utf8');
    expect(budget).not.toMatch(/^import /m);
    const stopReason = readFileSync(new URL('./stop-reason.ts', import.meta.url), 'utf8');
    expect([...stopReason.matchAll(/^import (type )?.*from '([^']+)';$/gm)].map((m) => `${m[1] ?? ''}${m[2]}`)).toEqual(
      ['type ../db/ports.js'],
    );
  });
});

describe('decide: budgets', () => {
  const budget = (over: Partial<BudgetState> = {}): BudgetState => ({
    scope: 'run',
    limitUsd: 10,
    usedUsd: 2,
    reservedUsd: 0,
    floors: { coding: 1, testing: 0.5, supervisor: 0.5 },
    warned: false,
    refused: false,
    ...over,
  });

  it('starts sessions while what is left covers a coding session, without a warning below 80 %', () => {
    const d = decide(state({ budget: budget({ usedUsd: 7.9 }) }), NOW);
    expect(d.actions).toEqual([{ type: 'start-coding', slot: 0 }]);
  });

  it('warns once at 80 %: the event, the note and a report line, then goes on filling slots', () => {
    const d = decide(state({ budget: budget({ usedUsd: 8 }) }), NOW);
    expect(d.actions).toEqual([
      { type: 'note-budget-warned' },
      { type: 'event', event: { type: 'run.budget_warning', payload: { scope: 'run', limitUsd: 10, usedUsd: 8 } } },
      { type: 'report', line: expect.stringMatching(/^Budget warning: \$8\.00 of the \$10\.00 run budget/) as string },
      { type: 'start-coding', slot: 0 },
    ]);
    const again = decide(state({ budget: budget({ usedUsd: 8.5, warned: true }) }), NOW);
    expect(again.actions).toEqual([{ type: 'start-coding', slot: 0 }]);
  });

  it('stops at once with the budget reason when less is left than a coding session costs and nothing runs', () => {
    const d = decide(state({ budget: budget({ usedUsd: 9.5, warned: true }) }), NOW);
    expect(d.next).toEqual({
      type: 'finish',
      status: 'stopped',
      reason: { budget: expect.stringMatching(/^Budget reached: \$9\.50 of the \$10\.00 run budget/) as string },
    });
    expect(d.actions).toEqual([
      {
        type: 'event',
        event: {
          type: 'run.budget_exhausted',
          payload: { scope: 'run', limitUsd: 10, usedUsd: 9.5, reason: expect.any(String) as string },
        },
      },
    ]);
  });

  it('drains when sessions still run: no new session, status draining, told once', () => {
    const d = decide(state({ active: [coding(0, 1)], budget: budget({ usedUsd: 9.5, warned: true }) }), NOW);
    expect(d.next).toEqual({ type: 'wait-for-wake' });
    expect(d.actions.map((a) => a.type)).toEqual(['event', 'report', 'set-status']);
    expect(d.actions).toContainEqual({ type: 'set-status', status: 'draining' });
    const later = decide(
      state({ active: [coding(0, 1)], runStatus: 'draining', budget: budget({ usedUsd: 9.5, warned: true }) }),
      NOW,
    );
    expect(later).toEqual({ actions: [], next: { type: 'wait-for-wake' } });
    const done = decide(state({ runStatus: 'draining', budget: budget({ usedUsd: 9.9, warned: true }) }), NOW);
    expect(done.actions).toEqual([]);
    expect(done.next).toMatchObject({ type: 'finish', status: 'stopped', reason: { budget: expect.any(String) } });
  });

  it('what running sessions hold keeps new sessions back without stopping the run; so does a refused reservation', () => {
    const held = decide(state({ active: [coding(0, 1)], budget: budget({ usedUsd: 1, reservedUsd: 8.5 }) }), NOW);
    expect(held).toEqual({ actions: [], next: { type: 'wait-for-wake' } });
    const refused = decide(state({ active: [coding(0, 1)], budget: budget({ usedUsd: 1, refused: true }) }), NOW);
    expect(refused).toEqual({ actions: [], next: { type: 'wait-for-wake' } });
    // Holds are not spent: no warning at 80 % of spent plus held.
    const warned = decide(state({ active: [coding(0, 1)], budget: budget({ usedUsd: 1, reservedUsd: 8 }) }), NOW);
    expect(warned.actions).toEqual([{ type: 'start-coding', slot: 1 }]);
  });

  it('names the daily budget when the day binds', () => {
    const d = decide(state({ budget: budget({ scope: 'day', usedUsd: 10, warned: true }) }), NOW);
    expect(d.next).toMatchObject({ reason: { budget: expect.stringContaining('daily budget (budget.dailyUsd)') } });
  });

  it('starts no testing session whose role typically costs more than is left, while coding sessions still start', () => {
    const features = [feature(1, 'passing'), feature(2), feature(3, 'in_progress')];
    const floors = { coding: 1, testing: 3, supervisor: 0.5 };
    const s = state({
      features,
      active: [coding(0, 3), coding(1, 2)],
      regressionCandidates: [1],
      budget: budget({ usedUsd: 7.5, warned: true, floors }),
    });
    expect(decide(s, NOW)).toEqual({ actions: [], next: { type: 'wait-for-wake' } });
    const roomy = decide({ ...s, budget: budget({ usedUsd: 1, floors }) }, NOW);
    expect(roomy.actions).toEqual([{ type: 'start-testing', slot: 2, featureIds: [1] }]);
  });
});

describe('decide: checkpoints', () => {
  const cp = (over: Parameters<typeof state>[0] = {}) =>
    state({ ...over, config: { checkpointInterval: 2, testing: 0, ...over.config } });

  it('starts one after checkpointInterval landings (fix features not counted), before filling slots', () => {
    expect(decide(cp({ landingsSinceCheckpoint: 2, mainMovedSinceCheckpoint: true }), NOW)).toEqual({
      actions: [{ type: 'start-checkpoint', trigger: 'interval' }],
      next: { type: 'decide-again' },
    });
    expect(decide(cp({ landingsSinceCheckpoint: 1, mainMovedSinceCheckpoint: true }), NOW).actions[0]).toEqual({
      type: 'start-coding',
      slot: 0,
    });
  });

  it('one asked for starts at once (manual), also when interval checkpoints are off; not while one runs', () => {
    expect(decide(cp({ checkpointRequested: true, config: { checkpointInterval: 0 } }), NOW)).toEqual({
      actions: [{ type: 'start-checkpoint', trigger: 'manual' }],
      next: { type: 'decide-again' },
    });
    expect(decide(cp({ checkpointRequested: true, checkpointRunning: true }), NOW).actions[0]).toEqual({
      type: 'start-coding',
      slot: 0,
    });
  });

  it('none while one runs, while pausing, or when they are off', () => {
    const due = { landingsSinceCheckpoint: 5, mainMovedSinceCheckpoint: true };
    for (const s of [
      cp({ ...due, checkpointRunning: true }),
      cp({ ...due, pauseRequested: true, active: [coding(0, 1)] }),
      cp({ ...due, config: { checkpointInterval: 0 } }),
    ])
      expect(decide(s, NOW).actions.some((a) => a.type === 'start-checkpoint')).toBe(false);
  });

  it('at the end: waits for a running checkpoint, starts a last one when main moved since the last, else ends', () => {
    const done = [feature(1, 'passing'), feature(2, 'passing')];
    const end = { features: done, claimExhausted: true };
    expect(decide(cp({ ...end, checkpointRunning: true }), NOW).next).toEqual({ type: 'wait-for-wake' });
    expect(decide(cp({ ...end, mainMovedSinceCheckpoint: true, landingsSinceCheckpoint: 1 }), NOW)).toEqual({
      actions: [{ type: 'start-checkpoint', trigger: 'end_of_run' }],
      next: { type: 'decide-again' },
    });
    expect(decide(cp(end), NOW).next).toMatchObject({ type: 'finish', status: 'finished' });
  });
});

describe('decide: design reviews', () => {
  const dr = (over: Parameters<typeof state>[0] = {}) =>
    state({ ...over, config: { designReviewEvery: 2, testing: 0, ...over.config } });
  const design = (s: SchedulerState) => decide(s, NOW).actions.find((a) => a.type === 'start-design');

  it('starts one after designReviewEvery landings (design fix features not counted), before filling slots', () => {
    expect(decide(dr({ landingsSinceDesign: 2 }), NOW)).toEqual({
      actions: [{ type: 'start-design', trigger: 'interval' }],
      next: { type: 'decide-again' },
    });
    expect(design(dr({ landingsSinceDesign: 1 }))).toBeUndefined();
  });

  it('one asked for starts at once (manual), also when interval reviews are off', () => {
    expect(design(dr({ designRequested: true, config: { designReviewEvery: 0 } }))).toEqual({
      type: 'start-design',
      trigger: 'manual',
    });
  });

  it("an open review's next iteration starts once its fixes passed; until then no other review starts", () => {
    expect(design(dr({ designReviewOpen: true, designRoundDue: true }))).toEqual({
      type: 'start-design',
      trigger: 'next_iteration',
    });
    for (const s of [
      dr({ designReviewOpen: true, designRoundDue: false, landingsSinceDesign: 5 }),
      dr({ designReviewOpen: true, designRoundDue: false, designRequested: true }),
    ])
      expect(design(s)).toBeUndefined();
  });

  it('none while one runs, while pausing, or when they are off', () => {
    for (const s of [
      dr({ landingsSinceDesign: 5, designRunning: true }),
      dr({ designReviewOpen: true, designRoundDue: true, designRunning: true }),
      dr({ landingsSinceDesign: 5, pauseRequested: true, active: [coding(0, 1)] }),
      dr({ landingsSinceDesign: 5, config: { designReviewEvery: 0 } }),
    ])
      expect(design(s)).toBeUndefined();
  });

  it('at the end: waits for a running iteration, starts a last review when a feature landed since the last, else ends', () => {
    const done = [feature(1, 'passing'), feature(2, 'passing')];
    const end = { features: done, claimExhausted: true };
    expect(decide(dr({ ...end, designRunning: true }), NOW).next).toEqual({ type: 'wait-for-wake' });
    expect(decide(dr({ ...end, landingsSinceDesign: 1 }), NOW)).toEqual({
      actions: [{ type: 'start-design', trigger: 'end_of_run' }],
      next: { type: 'decide-again' },
    });
    expect(decide(dr(end), NOW).next).toMatchObject({ type: 'finish', status: 'finished' });
    // Its fixes could not pass (the run has nothing left it can do): the run ends rather than look again.
    expect(decide(dr({ ...end, landingsSinceDesign: 1, designReviewOpen: true }), NOW).next).toMatchObject({
      type: 'finish',
    });
  });
});

describe('decide: work elsewhere (#20)', () => {
  const held = feature(2, 'in_progress', { leaseExpiresAt: NOW + 60_000 });
  it('a feature another process holds keeps the run waiting instead of ending it; said once', () => {
    const s = state({ features: [feature(1, 'passing'), held], claimExhausted: true });
    const first = decide(s, NOW);
    expect(first.next).toEqual({ type: 'wait-for-wake' });
    expect(first.actions).toEqual([
      { type: 'note-waiting', requests: 'elsewhere: 1/2 pass; 1 in progress in other sessions' },
      { type: 'report', line: 'Waiting for the work of other workers (1/2 pass; 1 in progress in other sessions).' },
    ]);
    const again = decide({ ...s, waitingReported: 'elsewhere: 1/2 pass; 1 in progress in other sessions' }, NOW);
    expect(again).toEqual({ actions: [], next: { type: 'wait-for-wake' } });
  });

  it('with no coding slot of its own (--no-local-work) the run waits for the workers to take ready features', () => {
    const s = state({ features: [feature(1, 'passing'), feature(2)], config: { coding: 0, testing: 0 } });
    expect(decide(s, NOW).next).toEqual({ type: 'wait-for-wake' });
    // With slots of its own the same state starts a session.
    expect(decide(state({ features: [feature(1, 'passing'), feature(2)] }), NOW).actions).toContainEqual({
      type: 'start-coding',
      slot: 0,
    });
  });
});
