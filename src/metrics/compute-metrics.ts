import type { RunRecord, SessionRecord } from '../db/ports.js';
import { AppError } from '../domain/errors.js';
import type { KnownStoredEvent } from '../shared/events.js';
import type { DailyMetrics, FeatureMetrics, Metrics, Usage } from '../shared/metrics.js';
import { blockerMetrics } from './blockers.js';
import { landings, passingOverTime, regressionCoverage, type Landing } from './flow.js';
import type { MetricsInput } from './input.js';
import { activeMs, attributeEvents, runEnd } from './scope.js';
import { addUsage, sumUsage, usageBy, wastedSessions, ZERO_USAGE } from './spend.js';
import { durationStats, ratio, splitByDay, utcDay } from './stats.js';

const HOUR_MS = 3_600_000;

/**
 * Every metric of a project (or of one run: `input.runId`) from plain rows. Pure: the same input gives the same
 * output. Scope: with a run, its sessions (by their run id), the events attributed to it (scope.ts) and its active
 * time; else everything. Each metric's rule is written where it is computed (and in the README).
 */
export function computeMetrics(input: MetricsInput): Metrics {
  const { now } = input;
  const run = input.runId === null ? null : (input.runs.find((r) => r.id === input.runId) ?? null);
  if (input.runId !== null && run === null)
    throw new AppError('INVALID_INPUT', `run: no run "${input.runId}" in project ${input.project}`, {
      details: { field: 'run' },
    });
  const attribution = attributeEvents(input.events, input.sessions, input.runs, now);
  const inScope = (e: KnownStoredEvent) => run === null || attribution.get(e.id) === run.id;
  const events = input.events.filter(inScope);
  const sessions = run === null ? input.sessions : input.sessions.filter((s) => s.runId === run.id);
  const runs = run === null ? input.runs : [run];

  const scopedLandings = landings(input.events).filter((l) => run === null || attribution.get(l.eventId) === run.id);
  const featuresLanded = new Set(scopedLandings.map((l) => l.featureId)).size;
  const activeRunMs = runs.reduce((sum, r) => sum + activeMs(r, now), 0);
  // Features per hour of active run time: landings made during runs ÷ the summed wall time of those runs.
  const landingsInRuns = scopedLandings.filter((l) => (attribution.get(l.eventId) ?? null) !== null).length;
  const passingIds = input.features.filter((f) => f.status === 'passing').map((f) => f.id);
  const count = (type: KnownStoredEvent['type']) => events.filter((e) => e.type === type).length;
  const verificationFailed = (e: KnownStoredEvent) =>
    e.type === 'verification.finished' && e.payload.verdict !== 'passed';

  const wasted = wastedSessions(sessions, input.events);
  const total = sumUsage(sessions);
  const wastedList = sessions.filter((s) => wasted.has(s.id));
  const wastedUsd = wastedList.reduce((sum, s) => sum + s.costUsd, 0);
  const roi = roiOf(input.assumptions, featuresLanded, total.costUsd);

  return {
    project: input.project,
    runId: run?.id ?? null,
    generatedAt: now,
    runs: runs.map((r) => runRow(r, now, scopedLandings, attribution, input.sessions)),
    progress: {
      total: input.features.length,
      passing: passingIds.length,
      landings: scopedLandings.length,
      featuresLanded,
      activeRunMs,
      featuresPerHour: ratio(landingsInRuns, activeRunMs / HOUR_MS),
      duration: durationStats(scopedLandings.flatMap((l) => (l.durationMs === null ? [] : [l.durationMs]))),
      attemptsPerLanding: ratio(
        scopedLandings.reduce((sum, l) => sum + l.claims, 0),
        scopedLandings.length,
      ),
      firstPassRate: ratio(scopedLandings.filter((l) => l.claims === 1).length, scopedLandings.length),
      verificationFailures: events.filter(verificationFailed).length,
      regressionsFound: count('feature.regressed'),
      regressionCoverage: regressionCoverage(passingIds, events, scopedLandings, input.regressionEvery),
    },
    passingOverTime: passingOverTime(input.events, run?.startedAt ?? null, run ? runEnd(run, now) : now),
    blockers: blockerMetrics(input.events, now, inScope),
    cost: {
      total,
      byRole: usageBy(sessions, (s) => s.role),
      byModel: usageBy(sessions, (s) => s.model ?? 'default'),
      overTime: costOverTime(sessions),
      perPassingFeatureUsd: featuresLanded === 0 ? null : total.costUsd / featuresLanded,
      wasted: {
        costUsd: wastedUsd,
        sessions: wastedList.length,
        share: ratio(wastedUsd, total.costUsd),
        byReason: usageBy(wastedList, (s) => wasted.get(s.id) as string),
      },
    },
    roi,
    features: input.features.map((f) => featureRow(f, events, scopedLandings, sessions, wasted)),
    sessions: sessions.map((s) => ({
      id: s.id,
      runId: s.runId,
      role: s.role,
      model: s.model,
      status: s.status,
      outcome: s.outcome,
      featureIds: s.featureIds,
      startedAt: s.startedAt,
      endedAt: s.endedAt,
      inputTokens: s.inputTokens,
      outputTokens: s.outputTokens,
      cacheReadTokens: s.cacheReadTokens,
      cacheCreationTokens: s.cacheCreationTokens,
      costUsd: s.costUsd,
      wasted: wasted.get(s.id) ?? null,
    })),
    daily: daily(events, scopedLandings, runs, sessions, wasted, now),
  };
}

/**
 * ROI: developer hours saved = features landed × the stated hours per feature; their value = hours × the hourly
 * rate; set against what the sessions cost. The assumptions travel with the number.
 */
function roiOf(assumptions: Metrics['roi']['assumptions'], featuresLanded: number, costUsd: number): Metrics['roi'] {
  const hoursSaved = featuresLanded * assumptions.hoursPerFeature;
  const valueUsd = hoursSaved * assumptions.hourlyRateUsd;
  return {
    assumptions,
    featuresLanded,
    hoursSaved,
    valueUsd,
    costUsd,
    netUsd: valueUsd - costUsd,
    ratio: costUsd === 0 ? null : valueUsd / costUsd,
  };
}

function runRow(
  r: RunRecord,
  now: number,
  all: readonly Landing[],
  attribution: ReadonlyMap<number, string | null>,
  sessions: readonly SessionRecord[],
): Metrics['runs'][number] {
  return {
    id: r.id,
    status: r.status,
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    activeMs: activeMs(r, now),
    landings: all.filter((l) => attribution.get(l.eventId) === r.id).length,
    costUsd: sessions.filter((s) => s.runId === r.id).reduce((sum, s) => sum + s.costUsd, 0),
  };
}

/** Cost over time: after each ended session (by end time), the cumulative cost in total and per role. */
function costOverTime(sessions: readonly SessionRecord[]): Metrics['cost']['overTime'] {
  const ended = sessions
    .filter((s) => s.endedAt !== null)
    .sort((a, b) => (a.endedAt as number) - (b.endedAt as number));
  const byRole: Record<string, number> = {};
  let totalUsd = 0;
  return ended.map((s) => {
    totalUsd += s.costUsd;
    byRole[s.role] = (byRole[s.role] ?? 0) + s.costUsd;
    return { at: s.endedAt as number, totalUsd, byRole: { ...byRole } };
  });
}

/**
 * One feature's row. A session that worked on several features counts for each (`sessions`), but its tokens and
 * cost are split evenly between them, as the store adds them to features (tokens rounded per share).
 */
function featureRow(
  f: MetricsInput['features'][number],
  events: readonly KnownStoredEvent[],
  scopedLandings: readonly Landing[],
  sessions: readonly SessionRecord[],
  wasted: ReadonlyMap<string, string>,
): FeatureMetrics {
  const mine = events.filter((e) => e.featureId === f.id);
  const count = (test: (e: KnownStoredEvent) => boolean) => mine.filter(test).length;
  const own = scopedLandings.filter((l) => l.featureId === f.id);
  const latest = own.at(-1);
  let usage: Usage = ZERO_USAGE;
  let wastedUsd = 0;
  for (const s of sessions) {
    if (!s.featureIds.includes(f.id)) continue;
    const share = 1 / s.featureIds.length;
    usage = addUsage(usage, s, share);
    if (wasted.has(s.id)) wastedUsd += s.costUsd * share;
  }
  return {
    featureId: f.id,
    name: f.name,
    status: f.status,
    attempts: count((e) => e.type === 'feature.claimed'),
    failures: count((e) => e.type === 'feature.failed'),
    verificationFailures: count((e) => e.type === 'verification.finished' && e.payload.verdict !== 'passed'),
    landings: own.length,
    regressions: count((e) => e.type === 'feature.regressed'),
    durationMs: latest?.durationMs ?? null,
    firstPass: latest ? latest.claims === 1 : null,
    usage,
    wastedUsd,
  };
}

/**
 * The daily series (UTC days): landings and regressions by their time, active run time split at midnights,
 * requests by when they were asked, sessions' usage and wasted cost by when they ended (a running one by its start).
 */
function daily(
  events: readonly KnownStoredEvent[],
  scopedLandings: readonly Landing[],
  runs: readonly RunRecord[],
  sessions: readonly SessionRecord[],
  wasted: ReadonlyMap<string, string>,
  now: number,
): DailyMetrics[] {
  const days = new Map<string, DailyMetrics>();
  const day = (key: string): DailyMetrics => {
    let d = days.get(key);
    if (!d) {
      d = { day: key, landings: 0, regressions: 0, activeRunMs: 0, blockersAsked: 0, usage: ZERO_USAGE, wastedUsd: 0 };
      days.set(key, d);
    }
    return d;
  };
  for (const l of scopedLandings) day(utcDay(l.at)).landings += 1;
  for (const e of events) {
    if (e.type === 'feature.regressed') day(utcDay(e.at)).regressions += 1;
    if (e.type === 'feature.needs_input' || e.type === 'acceptance.disputed') day(utcDay(e.at)).blockersAsked += 1;
  }
  for (const r of runs) for (const [key, part] of splitByDay(r.startedAt, runEnd(r, now))) day(key).activeRunMs += part;
  for (const s of sessions) {
    const d = day(utcDay(s.endedAt ?? s.startedAt));
    d.usage = addUsage(d.usage, s);
    if (wasted.has(s.id)) d.wastedUsd += s.costUsd;
  }
  return [...days.values()].sort((a, b) => a.day.localeCompare(b.day));
}
