import { SKIP_CLASSES, SKIP_CLASS_LABELS, type SkipClass } from '@shared/feature-failure';
import type { FeatureDTO } from '@shared/api';
import { formatDuration, formatTime } from '../../shared/ui/format';

/**
 * How the board words a feature's failures: when it is retried, what a session's outcome means, and the blocker
 * classes of skipped features (the board's filter). Pure, so every case is unit-tested.
 */

/**
 * `retry at 19:02:11`, with how long until then when `now` is given (`… (in 2m 5s)`), or `retry due now` once the
 * time has come (the next claim takes it). The card leaves `now` out: an absolute time stays true between renders.
 */
export function retryText(retryAt: number, now?: number): string {
  if (now === undefined) return `retry at ${formatTime(retryAt)}`;
  if (retryAt <= now) return 'retry due now';
  return `retry at ${formatTime(retryAt)} (in ${formatDuration(Math.max(1_000, retryAt - now))})`;
}

/** What a session's row says, in words, and whether it failed (the table colours it). */
export function sessionOutcome(s: { readonly status: string; readonly outcome: string | null }): {
  readonly label: string;
  readonly tone: 'ok' | 'failed' | 'neutral';
} {
  switch (s.outcome) {
    case 'success':
      return { label: 'succeeded', tone: 'ok' };
    case 'feature_failed':
      return { label: 'failed: the feature did not pass', tone: 'failed' };
    case 'skipped':
      return { label: 'failed: skipped the feature', tone: 'failed' };
    case 'error':
      return { label: 'failed: error', tone: 'failed' };
    case 'max_turns':
      return { label: 'failed: turn limit reached', tone: 'failed' };
    case 'max_budget':
      return { label: 'failed: budget used up', tone: 'failed' };
    case 'looping':
      return { label: 'failed: going round in circles', tone: 'failed' };
    case 'rate_limited':
      return { label: 'stopped: rate limited', tone: 'neutral' };
    case 'aborted':
      return { label: 'aborted', tone: 'neutral' };
    case null:
      return s.status === 'running' ? { label: 'running…', tone: 'neutral' } : { label: s.status, tone: 'neutral' };
    default:
      return { label: s.outcome, tone: s.status === 'failed' ? 'failed' : 'neutral' };
  }
}

export const skipClassLabel = (c: SkipClass): string => SKIP_CLASS_LABELS[c];

/** The blocker classes of the skipped features on the board, with how many of each, in the classes' order. */
export function skipClassCounts(
  features: readonly FeatureDTO[],
): { readonly skipClass: SkipClass; readonly count: number }[] {
  const counts = new Map<SkipClass, number>();
  for (const f of features) if (f.skipClass !== null) counts.set(f.skipClass, (counts.get(f.skipClass) ?? 0) + 1);
  return SKIP_CLASSES.filter((c) => counts.has(c)).map((c) => ({ skipClass: c, count: counts.get(c) ?? 0 }));
}
