import type { Feature } from '../db/ports.js';

export type Stall =
  | { readonly kind: 'done'; readonly total: number }
  /** Work remains but only after a backoff: wait until then. */
  | { readonly kind: 'wait'; readonly until: number; readonly reason: string }
  | { readonly kind: 'stuck'; readonly reason: string };

/** What describeStall reads of a feature. */
export type StallFeature = Pick<Feature, 'status' | 'runAfter' | 'attempts' | 'maxAttempts'>;

/** Why nothing could be claimed: finished, waiting for a backoff, or stuck (and on what). */
export function describeStall(features: readonly StallFeature[], now: number): Stall {
  const passing = features.filter((f) => f.status === 'passing').length;
  if (passing === features.length) return { kind: 'done', total: features.length };
  const backoff = features.filter((f) => f.status === 'pending' && f.runAfter > now && f.attempts < f.maxAttempts);
  if (backoff.length > 0) {
    const until = Math.min(...backoff.map((f) => f.runAfter));
    return { kind: 'wait', until, reason: `${backoff.length} feature(s) wait to be retried after a failed attempt` };
  }
  const parts: string[] = [];
  const count = (status: Feature['status']) => features.filter((f) => f.status === status).length;
  if (count('in_progress') > 0) parts.push(`${count('in_progress')} still claimed by another session`);
  if (count('needs_input') > 0) parts.push(`${count('needs_input')} wait for a human answer`);
  if (count('failed') > 0) parts.push(`${count('failed')} failed after all attempts`);
  const pending = features.filter((f) => f.status === 'pending');
  const outOfAttempts = pending.filter((f) => f.attempts >= f.maxAttempts).length;
  if (outOfAttempts > 0) parts.push(`${outOfAttempts} pending feature(s) have no attempts left`);
  const blocked = pending.length - outOfAttempts;
  if (blocked > 0) parts.push(`${blocked} pending feature(s) are blocked by those`);
  return { kind: 'stuck', reason: `${passing}/${features.length} pass; ${parts.join(', ')}` };
}
