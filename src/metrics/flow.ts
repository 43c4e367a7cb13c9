import type { KnownStoredEvent } from '../shared/events.js';
import type { Metrics } from '../shared/metrics.js';

/** One landing (feature.passed) with the cycle that led to it. */
export interface Landing {
  readonly eventId: number;
  readonly featureId: number;
  readonly at: number;
  /** Claims since the feature's previous landing, regression or reopening (the cycle). */
  readonly claims: number;
  /** First claim of the cycle → the landing; null when the cycle has no claim on record. */
  readonly durationMs: number | null;
}

/**
 * The landings of every feature, each with its cycle: a cycle starts at the first feature.claimed after the
 * feature's previous landing, regression or reopening (or ever) and ends at its feature.passed. Feature duration
 * (claim → passing) is the cycle's wall time; a first-pass landing is one whose cycle had exactly one claim.
 */
export function landings(events: readonly KnownStoredEvent[]): Landing[] {
  const cycles = new Map<number, { claims: number; start: number | null }>();
  const out: Landing[] = [];
  for (const e of events) {
    if (e.featureId === null) continue;
    const cycle = cycles.get(e.featureId) ?? { claims: 0, start: null };
    if (e.type === 'feature.claimed') {
      cycles.set(e.featureId, { claims: cycle.claims + 1, start: cycle.start ?? e.at });
    } else if (e.type === 'feature.passed') {
      out.push({
        eventId: e.id,
        featureId: e.featureId,
        at: e.at,
        claims: cycle.claims,
        durationMs: cycle.start === null ? null : e.at - cycle.start,
      });
      cycles.delete(e.featureId);
    } else if (e.type === 'feature.regressed' || e.type === 'feature.reopened') {
      cycles.delete(e.featureId);
    }
  }
  return out;
}

/**
 * Burn-up: replays the backlog's changes (created, bulk-created and deleted features; every feature event's status
 * afterwards, a regression leaving passing) and records the feature count and the passing count after each change
 * that changed either inside [from, to], starting with the state at `from` (null: from the first change).
 */
export function passingOverTime(
  events: readonly KnownStoredEvent[],
  from: number | null,
  to: number,
): Metrics['passingOverTime'] {
  const features = new Set<number>();
  const passing = new Set<number>();
  const points: Metrics['passingOverTime'] = [];
  let started = false;
  const point = (at: number) => points.push({ at, total: features.size, passing: passing.size });
  for (const e of events) {
    if (e.at > to) break;
    if (!started && from !== null && e.at >= from) {
      point(from);
      started = true;
    }
    const before = `${features.size}/${passing.size}`;
    if (e.type === 'feature.created' && e.featureId !== null) features.add(e.featureId);
    else if (e.type === 'feature.bulk_created') for (const id of e.payload.ids) features.add(id);
    else if (e.type === 'feature.deleted' && e.featureId !== null) {
      features.delete(e.featureId);
      passing.delete(e.featureId);
    } else if (e.type === 'feature.regressed' && e.featureId !== null) passing.delete(e.featureId);
    else if (e.featureId !== null && 'status' in e.payload && typeof e.payload.status === 'string') {
      if (e.payload.status === 'passing') passing.add(e.featureId);
      else passing.delete(e.featureId);
    }
    if (`${features.size}/${passing.size}` !== before && (from === null || e.at >= from)) {
      started = true;
      point(e.at);
    }
  }
  if (!started && from !== null) point(from);
  return points;
}

/**
 * Regression coverage: of the features passing now, the share whose checks ran on main (a verification of the
 * feature, of any trigger, that finished passed or failed; an error ran nothing) at or after the
 * `regressionEvery`-th latest landing of the scope. With fewer landings than that, or `regressionEvery` 0, every
 * verification counts.
 */
export function regressionCoverage(
  passingIds: readonly number[],
  scopedEvents: readonly KnownStoredEvent[],
  scopedLandings: readonly Landing[],
  regressionEvery: number,
): Metrics['progress']['regressionCoverage'] {
  const window =
    regressionEvery > 0 && scopedLandings.length >= regressionEvery
      ? (scopedLandings[scopedLandings.length - regressionEvery] as Landing).at
      : null;
  const ran = new Set<number>();
  for (const e of scopedEvents) {
    if (e.type !== 'verification.finished' || e.featureId === null || e.payload.verdict === 'error') continue;
    if (window === null || e.at >= window) ran.add(e.featureId);
  }
  const covered = passingIds.filter((id) => ran.has(id)).length;
  return {
    regressionEvery,
    since: window,
    passing: passingIds.length,
    covered,
    share: passingIds.length === 0 ? null : covered / passingIds.length,
  };
}
