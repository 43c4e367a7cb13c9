import type { KnownStoredEvent } from '../shared/events.js';
import type { Metrics } from '../shared/metrics.js';
import { durationStats } from './stats.js';

type Request = Metrics['blockers']['requests'][number];

/**
 * Blockers: the human-input requests asked in scope (feature.needs_input, and acceptance.disputed, which opens one),
 * each closed by its first feature.input_answered (answered), acceptance.decided (answered: the dispute was decided)
 * or feature.input_cancelled (cancelled). Resolution time is asked → answered over the answered ones; the minutes
 * people kept agents waiting sum every request's wait, an open one up to `now`. Only requests asked in scope
 * count (`inScope`); they close by any later event, in scope or not (a person may answer between runs).
 */
export function blockerMetrics(
  events: readonly KnownStoredEvent[],
  now: number,
  inScope: (e: KnownStoredEvent) => boolean = () => true,
): Metrics['blockers'] {
  const requests = new Map<string, Request>();
  const disputeRequest = new Map<string, string>();
  const close = (requestId: string | undefined, at: number, as: 'answered' | 'cancelled', by: Request['by']) => {
    const r = requestId === undefined ? undefined : requests.get(requestId);
    if (!r || r.closedAt !== null) return;
    requests.set(r.requestId, { ...r, closedAt: at, closedAs: as, by, waitedMs: at - r.askedAt });
  };
  for (const e of events) {
    const ask = (requestId: string) =>
      requests.set(requestId, {
        requestId,
        featureId: e.featureId,
        askedAt: e.at,
        closedAt: null,
        closedAs: null,
        by: null,
        waitedMs: Math.max(0, now - e.at),
      });
    if (e.type === 'feature.needs_input') {
      if (inScope(e)) ask(e.payload.requestId);
    } else if (e.type === 'acceptance.disputed') {
      if (inScope(e)) ask(e.payload.requestId);
      disputeRequest.set(e.payload.disputeId, e.payload.requestId);
    } else if (e.type === 'feature.input_answered') close(e.payload.requestId, e.at, 'answered', e.payload.by);
    else if (e.type === 'acceptance.decided')
      close(disputeRequest.get(e.payload.disputeId), e.at, 'answered', e.payload.by);
    else if (e.type === 'feature.input_cancelled') close(e.payload.requestId, e.at, 'cancelled', e.payload.by);
  }
  const all = [...requests.values()];
  const answered = all.filter((r) => r.closedAs === 'answered');
  return {
    asked: all.length,
    answered: answered.length,
    cancelled: all.filter((r) => r.closedAs === 'cancelled').length,
    open: all.filter((r) => r.closedAt === null).length,
    resolution: durationStats(answered.map((r) => r.waitedMs)),
    humanMinutesWaited: all.reduce((sum, r) => sum + r.waitedMs, 0) / 60_000,
    requests: all,
  };
}
