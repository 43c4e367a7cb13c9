import type { FeaturePort, SessionPort } from '../db/ports.js';
import { DURATION_PRIOR, type DurationPrior, estimateDurations } from '../domain/duration-estimate.js';
import { estimatedPaths } from '../domain/estimated-path.js';

/**
 * Re-estimates every unfinished feature's duration from the project's finished coding sessions and stores, with it,
 * the longest estimated path from each feature to the end of its dependents: the claim order after priority
 * (`claimNext`). The runner calls it before each claim, so each claim sees the history up to that moment (a few
 * milliseconds on 200 features, most of it the writes; see README, Performance).
 *
 * `history: 'ignore'` estimates from the prior alone (the bench's "history says nothing" case).
 */
export function refreshDurationEstimates(
  stores: { readonly features: FeaturePort; readonly sessions: SessionPort },
  options: { readonly prior?: DurationPrior; readonly history?: 'use' | 'ignore' } = {},
): { readonly features: number; readonly changed: number } {
  const history = options.history === 'ignore' ? [] : stores.sessions.durationHistory();
  const targets = stores.features.durationTargets();
  const estimates = estimateDurations(history, targets, options.prior ?? DURATION_PRIOR);
  const paths = estimatedPaths(stores.features.loadGraph(), estimates);
  return { features: targets.length, changed: stores.features.setDurationEstimates(estimates, paths) };
}
