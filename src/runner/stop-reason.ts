import type { Feature } from '../db/ports.js';

export type Stall =
  | { readonly kind: 'done'; readonly total: number }
  /** Work remains but only after a backoff: wait until then. */
  | { readonly kind: 'wait'; readonly until: number; readonly reason: string }
  /**
   * Work remains for other processes sharing the store (#20): features they hold under a live lease, or ready features
   * this process has no coding slot for (`autocoder run --no-local-work`). Their ends (or a lease expiring) move it on.
   */
  | { readonly kind: 'elsewhere'; readonly reason: string }
  | { readonly kind: 'stuck'; readonly reason: string };

/** What describeStall reads of a feature. */
export type StallFeature = Pick<
  Feature,
  'id' | 'status' | 'runAfter' | 'attempts' | 'maxAttempts' | 'dependencies' | 'leaseExpiresAt'
>;

/**
 * Why nothing could be claimed: finished, waiting for a backoff, for work elsewhere, or stuck (and on what).
 * `localSlots: false`: this process claims nothing itself (its run's work is done by workers), so a ready feature is
 * theirs to take, not a reason to stop.
 */
export function describeStall(
  features: readonly StallFeature[],
  now: number,
  options: { readonly localSlots?: boolean } = {},
): Stall {
  const passing = features.filter((f) => f.status === 'passing').length;
  if (passing === features.length) return { kind: 'done', total: features.length };
  const held = features.filter((f) => f.status === 'in_progress' && (f.leaseExpiresAt ?? 0) > now).length;
  const passed = new Set(features.filter((f) => f.status === 'passing').map((f) => f.id));
  const ready =
    options.localSlots === false
      ? features.filter(
          (f) =>
            f.status === 'pending' &&
            f.attempts < f.maxAttempts &&
            f.runAfter <= now &&
            f.dependencies.every((d) => passed.has(d)),
        ).length
      : 0;
  if (held > 0 || ready > 0) {
    const parts = [
      ...(held > 0 ? [`${held} in progress in other sessions`] : []),
      ...(ready > 0 ? [`${ready} ready for the workers`] : []),
    ];
    return { kind: 'elsewhere', reason: `${passing}/${features.length} pass; ${parts.join(', ')}` };
  }
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
