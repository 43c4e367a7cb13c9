import type { SessionRecord } from '../db/ports.js';
import type { KnownStoredEvent } from '../shared/events.js';
import type { Usage, UsageRow } from '../shared/metrics.js';
import { eventSession } from './scope.js';

export const ZERO_USAGE: Usage = {
  sessions: 0,
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheCreationTokens: 0,
  costUsd: 0,
};

/** `usage` plus `share` of one session's tokens and cost (a session split over several features adds a share). */
export function addUsage(usage: Usage, s: SessionRecord, share = 1, sessions = 1): Usage {
  return {
    sessions: usage.sessions + sessions,
    inputTokens: usage.inputTokens + Math.round(s.inputTokens * share),
    outputTokens: usage.outputTokens + Math.round(s.outputTokens * share),
    cacheReadTokens: usage.cacheReadTokens + Math.round(s.cacheReadTokens * share),
    cacheCreationTokens: usage.cacheCreationTokens + Math.round(s.cacheCreationTokens * share),
    costUsd: usage.costUsd + s.costUsd * share,
  };
}

export const sumUsage = (sessions: readonly SessionRecord[]): Usage =>
  sessions.reduce<Usage>((u, s) => addUsage(u, s), ZERO_USAGE);

/** Sessions grouped by `key`, one row each, most expensive first (then by key). */
export function usageBy(sessions: readonly SessionRecord[], key: (s: SessionRecord) => string): UsageRow[] {
  const rows = new Map<string, Usage>();
  for (const s of sessions) rows.set(key(s), addUsage(rows.get(key(s)) ?? ZERO_USAGE, s));
  return [...rows]
    .map(([k, u]) => ({ key: k, ...u }))
    .sort((a, b) => b.costUsd - a.costUsd || a.key.localeCompare(b.key));
}

/** The watchdog's words for a session it aborted (src/runner/session-runner.ts records them as the error). */
const STALL_ERRORS = [/^no agent activity for .* \(stalled\)$/, /^the session ran longer than its limit of /];

/** Events by which a session holding a feature made progress: it landed, or handed the feature to a person. */
const PROGRESS_EVENTS = new Set(['feature.passed', 'feature.needs_input', 'acceptance.disputed']);

/** Outcomes of a session that ended normally (a coding session's verdict on its feature: runner/session-verdict.ts). */
const ENDED_NORMALLY = new Set(['success', 'feature_failed', 'skipped']);

/**
 * Wasted spend: the cost of every session that ended without progress.
 *
 * - A session that worked on features under a claim (a coding session) progressed when, during it, one of its
 *   features landed (feature.passed) or was handed to a person (feature.needs_input, acceptance.disputed): the
 *   event names the session (its claim owner).
 * - Any other session (initializer, testing, supervisor, verifier) progressed when it succeeded.
 * - A session still running is not judged.
 *
 * Returns session id → the reason its cost is wasted: `stalled` (the watchdog aborted it: no activity, or over its
 * time limit), else its outcome (`aborted` when the run stopped or its claim was lost, `error`, `max_turns`,
 * `max_budget`, `rate_limited`, `looping` when the runner ended it going round in circles, and any outcome later
 * versions record), or `no_progress` for a
 * session that ended normally without progress (an attempt that did not pass).
 */
export function wastedSessions(
  sessions: readonly SessionRecord[],
  events: readonly KnownStoredEvent[],
): Map<string, string> {
  const progressed = new Set<string>();
  const claimed = new Set<string>();
  for (const e of events) {
    const id = eventSession(e);
    if (id === null) continue;
    if (e.type === 'feature.claimed') claimed.add(id);
    if (PROGRESS_EVENTS.has(e.type)) progressed.add(id);
  }
  const out = new Map<string, string>();
  for (const s of sessions) {
    if (s.status === 'running') continue;
    const ok = claimed.has(s.id) ? progressed.has(s.id) : s.status === 'succeeded';
    if (ok) continue;
    const stalled = s.error !== null && STALL_ERRORS.some((re) => re.test(s.error as string));
    out.set(
      s.id,
      stalled ? 'stalled' : s.outcome === null || ENDED_NORMALLY.has(s.outcome) ? 'no_progress' : s.outcome,
    );
  }
  return out;
}
