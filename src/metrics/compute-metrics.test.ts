import { describe, expect, it } from 'vitest';
import type { RunRecord, SessionRecord } from '../db/ports.js';
import { AppError } from '../domain/errors.js';
import { readEventBody, type KnownStoredEvent } from '../shared/events.js';
import { MetricsSchema } from '../shared/metrics.js';
import { computeMetrics } from './compute-metrics.js';
import type { MetricsInput } from './input.js';
import { durationStats, splitByDay } from './stats.js';

// A hand-built project: two runs (the first across a UTC midnight), four features, nine sessions, twenty events.
// Costs are sums of powers of two so every expected dollar value is exact.
const M = 60_000;
const H = 60 * M;
const T0 = Date.UTC(2025, 0, 1, 23, 0, 0);
const NOW = T0 + 4 * H;

function run(id: string, startedAt: number, endedAt: number | null, status: RunRecord['status']): RunRecord {
  return {
    id,
    pid: 1,
    host: 'h',
    incarnation: 'i',
    status,
    settings: {},
    startedAt,
    heartbeatAt: startedAt + 10 * M,
    endedAt,
    endReason: endedAt === null ? null : 'done',
    outcome: null,
    featuresPassing: null,
    featuresTotal: null,
    costUsd: null,
    control: null,
  };
}

function session(
  id: string,
  runId: string,
  role: string,
  model: string,
  featureIds: number[],
  span: [number, number | null],
  end: { status: SessionRecord['status']; outcome: string | null; error?: string },
  usage: [input: number, output: number, cacheRead: number, cacheCreation: number, costUsd: number],
): SessionRecord {
  return {
    id,
    runId,
    slot: 1,
    role,
    featureIds,
    model,
    status: end.status,
    outcome: end.outcome,
    startedAt: span[0],
    endedAt: span[1],
    transcriptPath: null,
    error: end.error ?? null,
    turns: 3,
    inputTokens: usage[0],
    outputTokens: usage[1],
    cacheReadTokens: usage[2],
    cacheCreationTokens: usage[3],
    costUsd: usage[4],
  };
}

type Row = [at: number, type: string, featureId: number | null, sessionId: string | null, payload: unknown];
const STALL = 'no agent activity for 10 min (stalled)';
const rows: Row[] = [
  [T0 - H, 'feature.bulk_created', null, null, { ids: [1, 2, 3, 4], duplicates: 0 }],
  [T0 + 10 * M, 'feature.claimed', 1, 'run_a/ses_1', { epoch: 1, attempt: 1 }],
  [T0 + 40 * M, 'feature.passed', 1, 'run_a/ses_1', { status: 'passing' }],
  [T0 + 45 * M, 'feature.claimed', 2, 'run_a/ses_2', { epoch: 1, attempt: 1 }],
  [T0 + 55 * M, 'verification.started', 2, null, { verificationId: 'v1', commit: 'c1', trigger: 'landing' }],
  [
    T0 + 58 * M,
    'verification.finished',
    2,
    null,
    { verificationId: 'v1', verdict: 'failed', checks: 2, passed: 1, error: null },
  ],
  [T0 + 60 * M, 'feature.failed', 2, 'run_a/ses_2', { reason: 'x', attempts: 1, final: false, status: 'pending' }],
  [T0 + 70 * M, 'feature.claimed', 2, 'run_a/ses_3', { epoch: 2, attempt: 2 }],
  [
    T0 + 85 * M,
    'verification.finished',
    2,
    null,
    { verificationId: 'v2', verdict: 'passed', checks: 2, passed: 2, error: null },
  ],
  [T0 + 90 * M, 'feature.passed', 2, 'run_a/ses_3', { status: 'passing' }],
  [T0 + 95 * M, 'feature.claimed', 4, 'run_a/ses_4', { epoch: 1, attempt: 1 }],
  [
    T0 + 100 * M,
    'feature.needs_input',
    4,
    'run_a/ses_4',
    { status: 'needs_input', requestId: 'req_1', kind: 'questions', prompt: 'Which?', fields: [] },
  ],
  [
    T0 + 150 * M,
    'feature.input_answered',
    4,
    null,
    { by: 'human', fields: [], secretKeys: {}, placeholderKeys: [], requestId: 'req_1', status: 'pending' },
  ],
  [T0 + 185 * M, 'feature.regressed', 1, 'ses_5', { reason: 'broken' }],
  [T0 + 190 * M, 'feature.claimed', 1, 'run_b/ses_6', { epoch: 2, attempt: 1 }],
  [T0 + 210 * M, 'feature.passed', 1, 'run_b/ses_6', { status: 'passing' }],
  [T0 + 212 * M, 'feature.claimed', 3, 'run_b/ses_8', { epoch: 1, attempt: 1 }],
  [
    T0 + 220 * M,
    'verification.finished',
    2,
    null,
    { verificationId: 'v3', verdict: 'passed', checks: 2, passed: 2, error: null },
  ],
  [
    T0 + 224 * M,
    'feature.failed',
    3,
    'run_b/ses_8',
    { reason: `aborted: ${STALL}`, attempts: 1, final: false, status: 'pending' },
  ],
  [T0 + 225 * M, 'feature.claimed', 3, 'run_b/ses_7', { epoch: 2, attempt: 2 }],
];

const events: KnownStoredEvent[] = rows.map(([at, type, featureId, sessionId, payload], i) => {
  const body = readEventBody(type, payload);
  if (body.type === 'unknown') throw new Error(`fixture event ${i + 1}: ${body.problem}`);
  return { id: i + 1, at, runId: null, sessionId, featureId, slot: null, ...body } as KnownStoredEvent;
});

const input: MetricsInput = {
  project: 'shop',
  now: NOW,
  runId: null,
  features: [
    { id: 1, name: 'Login', status: 'passing' },
    { id: 2, name: 'Signup', status: 'passing' },
    { id: 3, name: 'Reports', status: 'in_progress' },
    { id: 4, name: 'Export', status: 'pending' },
  ],
  runs: [run('run_a', T0, T0 + 2 * H, 'finished'), run('run_b', T0 + 3 * H, null, 'running')],
  sessions: [
    session(
      'ses_1',
      'run_a',
      'coding',
      'opus',
      [1],
      [T0 + 10 * M, T0 + 40 * M],
      { status: 'succeeded', outcome: 'success' },
      [100, 50, 1000, 200, 1],
    ),
    session(
      'ses_2',
      'run_a',
      'coding',
      'opus',
      [2],
      [T0 + 45 * M, T0 + 60 * M],
      { status: 'failed', outcome: 'error' },
      [60, 30, 0, 0, 0.5],
    ),
    session(
      'ses_3',
      'run_a',
      'coding',
      'opus',
      [2],
      [T0 + 70 * M, T0 + 90 * M],
      { status: 'succeeded', outcome: 'success' },
      [200, 80, 500, 100, 1.5],
    ),
    session(
      'ses_4',
      'run_a',
      'coding',
      'opus',
      [4],
      [T0 + 95 * M, T0 + 100 * M],
      { status: 'succeeded', outcome: 'success' },
      [10, 5, 0, 0, 0.25],
    ),
    session(
      'ses_9',
      'run_b',
      'supervisor',
      'haiku',
      [],
      [T0 + 181 * M, T0 + 182 * M],
      { status: 'failed', outcome: 'max_turns' },
      [8, 4, 0, 0, 0.125],
    ),
    session(
      'ses_5',
      'run_b',
      'testing',
      'haiku',
      [1, 2],
      [T0 + 180 * M, T0 + 185 * M],
      { status: 'succeeded', outcome: 'success' },
      [40, 21, 0, 0, 0.25],
    ),
    session(
      'ses_6',
      'run_b',
      'coding',
      'opus',
      [1],
      [T0 + 190 * M, T0 + 210 * M],
      { status: 'succeeded', outcome: 'success' },
      [30, 10, 0, 0, 0.75],
    ),
    session(
      'ses_8',
      'run_b',
      'coding',
      'opus',
      [3],
      [T0 + 212 * M, T0 + 224 * M],
      { status: 'aborted', outcome: 'aborted', error: STALL },
      [16, 8, 0, 0, 0.375],
    ),
    session(
      'ses_7',
      'run_b',
      'coding',
      'opus',
      [3],
      [T0 + 225 * M, null],
      { status: 'running', outcome: null },
      [0, 0, 0, 0, 0],
    ),
  ],
  events,
  assumptions: {
    hoursPerFeature: 2,
    hourlyRateUsd: 100,
    source: { hoursPerFeature: 'default', hourlyRateUsd: 'project' },
  },
  regressionEvery: 2,
};

describe('computeMetrics over the whole project', () => {
  const m = computeMetrics(input);

  it('returns what the shared schema describes', () => {
    expect(MetricsSchema.parse(m)).toEqual(m);
    expect(m).toMatchObject({ project: 'shop', runId: null, generatedAt: NOW });
  });

  it('counts landings, features per active run hour, durations, attempts and the first-pass rate', () => {
    expect(m.progress).toEqual({
      total: 4,
      passing: 2,
      landings: 3,
      featuresLanded: 2,
      // run_a 2 h (finished) + run_b 1 h (still running: up to now).
      activeRunMs: 3 * H,
      featuresPerHour: 1,
      // claim → passing: #1 30 min, #2 45 min (from its first claim, across the failed attempt), #1 again 20 min.
      duration: { count: 3, medianMs: 30 * M, p90Ms: 45 * M, samplesMs: [20 * M, 30 * M, 45 * M] },
      attemptsPerLanding: 4 / 3,
      firstPassRate: 2 / 3,
      verificationFailures: 1,
      regressionsFound: 1,
      // The window starts at the 2nd latest landing (#2 at +90 min); only #2's checks ran after it.
      regressionCoverage: { regressionEvery: 2, since: T0 + 90 * M, passing: 2, covered: 1, share: 0.5 },
    });
  });

  it('draws the burn-up from the backlog changes', () => {
    expect(m.passingOverTime).toEqual([
      { at: T0 - H, total: 4, passing: 0 },
      { at: T0 + 40 * M, total: 4, passing: 1 },
      { at: T0 + 90 * M, total: 4, passing: 2 },
      { at: T0 + 185 * M, total: 4, passing: 1 },
      { at: T0 + 210 * M, total: 4, passing: 2 },
    ]);
  });

  it('times the blocker from asked to answered', () => {
    expect(m.blockers).toEqual({
      asked: 1,
      answered: 1,
      cancelled: 0,
      open: 0,
      resolution: { count: 1, medianMs: 50 * M, p90Ms: 50 * M, samplesMs: [50 * M] },
      humanMinutesWaited: 50,
      requests: [
        {
          requestId: 'req_1',
          featureId: 4,
          askedAt: T0 + 100 * M,
          closedAt: T0 + 150 * M,
          closedAs: 'answered',
          by: 'human',
          waitedMs: 50 * M,
        },
      ],
    });
  });

  it('sums tokens and cost by role and model, and the total equals the sum of the sessions', () => {
    expect(m.cost.total).toEqual({
      sessions: 9,
      inputTokens: 464,
      outputTokens: 208,
      cacheReadTokens: 1500,
      cacheCreationTokens: 300,
      costUsd: 4.75,
    });
    expect(m.cost.byRole.map((r) => [r.key, r.sessions, r.costUsd])).toEqual([
      ['coding', 7, 4.375],
      ['testing', 1, 0.25],
      ['supervisor', 1, 0.125],
    ]);
    expect(m.cost.byModel.map((r) => [r.key, r.sessions, r.costUsd, r.inputTokens])).toEqual([
      ['opus', 7, 4.375, 416],
      ['haiku', 2, 0.375, 48],
    ]);
    expect(m.cost.perPassingFeatureUsd).toBe(2.375);
    expect(m.cost.overTime.at(-1)).toEqual({
      at: T0 + 224 * M,
      totalUsd: 4.75,
      byRole: { coding: 4.375, testing: 0.25, supervisor: 0.125 },
    });
    expect(m.cost.overTime.map((p) => p.totalUsd)).toEqual([1, 1.5, 3, 3.25, 3.375, 3.625, 4.375, 4.75]);
  });

  it('counts as wasted the failed attempt, the stalled session and the supervisor that ran out of turns', () => {
    expect(m.cost.wasted).toEqual({
      costUsd: 1,
      sessions: 3,
      share: 1 / 4.75,
      byReason: [
        {
          key: 'error',
          sessions: 1,
          inputTokens: 60,
          outputTokens: 30,
          cacheReadTokens: 0,
          cacheCreationTokens: 0,
          costUsd: 0.5,
        },
        {
          key: 'stalled',
          sessions: 1,
          inputTokens: 16,
          outputTokens: 8,
          cacheReadTokens: 0,
          cacheCreationTokens: 0,
          costUsd: 0.375,
        },
        {
          key: 'max_turns',
          sessions: 1,
          inputTokens: 8,
          outputTokens: 4,
          cacheReadTokens: 0,
          cacheCreationTokens: 0,
          costUsd: 0.125,
        },
      ],
    });
    // The question asked (ses_4) is progress; the running session is not judged.
    expect(Object.fromEntries(m.sessions.map((s) => [s.id, s.wasted]))).toEqual({
      ses_1: null,
      ses_2: 'error',
      ses_3: null,
      ses_4: null,
      ses_5: null,
      ses_6: null,
      ses_7: null,
      ses_8: 'stalled',
      ses_9: 'max_turns',
    });
  });

  it('prices the developer time saved with its assumptions', () => {
    expect(m.roi).toEqual({
      assumptions: input.assumptions,
      featuresLanded: 2,
      hoursSaved: 4,
      valueUsd: 400,
      costUsd: 4.75,
      netUsd: 395.25,
      ratio: 400 / 4.75,
    });
  });

  it('gives one row per feature, splitting a shared session evenly', () => {
    const row = (id: number) => m.features.find((f) => f.featureId === id);
    expect(row(1)).toEqual({
      featureId: 1,
      name: 'Login',
      status: 'passing',
      attempts: 2,
      failures: 0,
      verificationFailures: 0,
      landings: 2,
      regressions: 1,
      durationMs: 20 * M,
      firstPass: true,
      // ses_1 + ses_6 + half of the testing session ses_5 (40/21 tokens: 20 and 10.5 → 11).
      usage: {
        sessions: 3,
        inputTokens: 150,
        outputTokens: 71,
        cacheReadTokens: 1000,
        cacheCreationTokens: 200,
        costUsd: 1.875,
      },
      wastedUsd: 0,
    });
    expect(row(2)).toMatchObject({
      attempts: 2,
      failures: 1,
      verificationFailures: 1,
      landings: 1,
      durationMs: 45 * M,
      firstPass: false,
      wastedUsd: 0.5,
    });
    expect(row(2)?.usage.costUsd).toBe(2.125);
    expect(row(3)).toMatchObject({
      attempts: 2,
      failures: 1,
      landings: 0,
      durationMs: null,
      firstPass: null,
      wastedUsd: 0.375,
    });
    expect(row(4)).toMatchObject({ attempts: 1, landings: 0, wastedUsd: 0 });
    expect(row(4)?.usage.costUsd).toBe(0.25);
  });

  it('splits the days at UTC midnight', () => {
    expect(
      m.daily.map((d) => [
        d.day,
        d.landings,
        d.regressions,
        d.activeRunMs,
        d.blockersAsked,
        d.usage.sessions,
        d.usage.costUsd,
        d.wastedUsd,
      ]),
    ).toEqual([
      ['2025-01-01', 1, 0, 1 * H, 0, 1, 1, 0],
      ['2025-01-02', 2, 1, 2 * H, 1, 8, 3.75, 1],
    ]);
  });

  it('lists each run with its active time, landings and cost', () => {
    expect(m.runs).toEqual([
      {
        id: 'run_a',
        status: 'finished',
        startedAt: T0,
        endedAt: T0 + 2 * H,
        activeMs: 2 * H,
        landings: 2,
        costUsd: 3.25,
      },
      { id: 'run_b', status: 'running', startedAt: T0 + 3 * H, endedAt: null, activeMs: H, landings: 1, costUsd: 1.5 },
    ]);
  });
});

describe('computeMetrics for one run', () => {
  const m = computeMetrics({ ...input, runId: 'run_b' });

  it('keeps only that run: its sessions, the events attributed to it and its active time', () => {
    expect(m.runId).toBe('run_b');
    expect(m.runs.map((r) => r.id)).toEqual(['run_b']);
    expect(m.cost.total.costUsd).toBe(1.5);
    expect(m.cost.total.sessions).toBe(5);
    expect(m.sessions.map((s) => s.id)).toEqual(['ses_9', 'ses_5', 'ses_6', 'ses_8', 'ses_7']);
    expect(m.progress).toMatchObject({
      landings: 1,
      featuresLanded: 1,
      activeRunMs: H,
      featuresPerHour: 1,
      duration: { count: 1, medianMs: 20 * M, p90Ms: 20 * M, samplesMs: [20 * M] },
      firstPassRate: 1,
      verificationFailures: 0,
      regressionsFound: 1,
    });
    expect(m.cost.wasted).toMatchObject({ costUsd: 0.5, sessions: 2 });
    expect(m.cost.perPassingFeatureUsd).toBe(1.5);
    // The question was asked in run_a and answered between the runs: not this run's.
    expect(m.blockers.asked).toBe(0);
    expect(m.roi).toMatchObject({ featuresLanded: 1, valueUsd: 200, netUsd: 198.5 });
  });

  it('starts the burn-up at the state when the run began', () => {
    expect(m.passingOverTime).toEqual([
      { at: T0 + 3 * H, total: 4, passing: 2 },
      { at: T0 + 185 * M, total: 4, passing: 1 },
      { at: T0 + 210 * M, total: 4, passing: 2 },
    ]);
  });

  it('refuses a run the project does not have', () => {
    expect(() => computeMetrics({ ...input, runId: 'run_zzz' })).toThrow(AppError);
    expect(() => computeMetrics({ ...input, runId: 'run_zzz' })).toThrow(/no run "run_zzz"/);
  });
});

describe('computeMetrics edge rules', () => {
  it('gives null rates, not zero or NaN, for a project with nothing done', () => {
    const m = computeMetrics({ ...input, features: [], sessions: [], runs: [], events: [] });
    expect(m.progress).toMatchObject({
      featuresPerHour: null,
      attemptsPerLanding: null,
      firstPassRate: null,
      activeRunMs: 0,
    });
    expect(m.progress.regressionCoverage).toEqual({
      regressionEvery: 2,
      since: null,
      passing: 0,
      covered: 0,
      share: null,
    });
    expect(m.cost.perPassingFeatureUsd).toBeNull();
    expect(m.cost.wasted.share).toBeNull();
    expect(m.roi.ratio).toBeNull();
    expect(m.passingOverTime).toEqual([]);
    expect(m.daily).toEqual([]);
  });

  it('counts an open request up to now and a cancelled one up to its cancelling', () => {
    const ask = (id: number, at: number, requestId: string): KnownStoredEvent => ({
      id,
      at,
      runId: null,
      sessionId: null,
      featureId: 4,
      slot: null,
      type: 'feature.needs_input',
      payload: { status: 'needs_input', requestId, kind: 'questions', prompt: 'p', fields: [] },
    });
    const m = computeMetrics({
      ...input,
      events: [
        ask(1, NOW - 30 * M, 'open_1'),
        ask(2, NOW - 60 * M, 'cancel_1'),
        {
          id: 3,
          at: NOW - 50 * M,
          runId: null,
          sessionId: null,
          featureId: 4,
          slot: null,
          type: 'feature.input_cancelled',
          payload: { by: 'human', reason: null, requestId: 'cancel_1', status: 'pending' },
        },
      ],
    });
    expect(m.blockers).toMatchObject({ asked: 2, answered: 0, cancelled: 1, open: 1, humanMinutesWaited: 40 });
    expect(m.blockers.resolution.count).toBe(0);
  });

  it('with regressionEvery 0 every verification covers', () => {
    const m = computeMetrics({ ...input, regressionEvery: 0 });
    expect(m.progress.regressionCoverage).toEqual({
      regressionEvery: 0,
      since: null,
      passing: 2,
      covered: 1,
      share: 0.5,
    });
  });
});

describe('durationStats and splitByDay', () => {
  it('takes the mean of the two middle samples for an even count and the nearest rank for p90', () => {
    expect(durationStats([40, 10, 30, 20])).toEqual({ count: 4, medianMs: 25, p90Ms: 40, samplesMs: [10, 20, 30, 40] });
    const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(durationStats(ten).p90Ms).toBe(9);
    expect(durationStats([...ten, 11]).p90Ms).toBe(10);
  });

  it('splits an interval at each UTC midnight', () => {
    expect(splitByDay(T0, T0 + 26 * H)).toEqual([
      ['2025-01-01', H],
      ['2025-01-02', 24 * H],
      ['2025-01-03', H],
    ]);
    expect(splitByDay(T0, T0)).toEqual([]);
  });
});
