import type { RunRecord, SessionRecord } from '../db/ports.js';
import { ACTIVE_RUN_STATUSES } from '../db/ports.js';
import type { KnownStoredEvent } from '../shared/events.js';

/**
 * Where a run's active time ends: its end; while it is recorded as active, now; a run that died without an end
 * (crashed before recovery) ends at its last heartbeat, or its start when it never beat.
 */
export function runEnd(run: RunRecord, now: number): number {
  if (run.endedAt !== null) return run.endedAt;
  if (ACTIVE_RUN_STATUSES.includes(run.status) && run.heartbeatAt !== null) return Math.max(now, run.heartbeatAt);
  if (ACTIVE_RUN_STATUSES.includes(run.status)) return now;
  return run.heartbeatAt ?? run.startedAt;
}

/** Active run time: the wall time from a run's start to its end (runEnd), never negative. */
export const activeMs = (run: RunRecord, now: number): number => Math.max(0, runEnd(run, now) - run.startedAt);

/**
 * A session id as an event names it: claim events carry the claim owner `<run id>/<session id>`, the rest the
 * session id itself.
 */
export function eventSession(e: Pick<KnownStoredEvent, 'sessionId'>): string | null {
  if (e.sessionId === null) return null;
  const slash = e.sessionId.indexOf('/');
  return slash >= 0 ? e.sessionId.slice(slash + 1) : e.sessionId;
}

/**
 * The run an event belongs to: the run it names; else the run in its claim owner (`<run id>/…`); else the run of
 * the session it names; else the latest-started run whose active time [start, runEnd] contains it; else none (a
 * change made while no run was going, e.g. a person answering a question between runs).
 */
export function attributeEvents(
  events: readonly KnownStoredEvent[],
  sessions: readonly SessionRecord[],
  runs: readonly RunRecord[],
  now: number,
): Map<number, string | null> {
  const sessionRun = new Map(sessions.map((s) => [s.id, s.runId]));
  const byStartDesc = [...runs].sort((a, b) => b.startedAt - a.startedAt);
  const out = new Map<number, string | null>();
  for (const e of events) {
    let run: string | null | undefined = e.runId ?? undefined;
    if (run === undefined && e.sessionId !== null) {
      const slash = e.sessionId.indexOf('/');
      if (slash > 0) run = e.sessionId.slice(0, slash);
      else if (sessionRun.has(e.sessionId)) run = sessionRun.get(e.sessionId) ?? undefined;
    }
    if (run === undefined) run = byStartDesc.find((r) => r.startedAt <= e.at && e.at <= runEnd(r, now))?.id ?? null;
    out.set(e.id, run);
  }
  return out;
}
