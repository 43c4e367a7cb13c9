import type { FeatureStatus } from '../domain/feature.js';

/**
 * What a coding session's row says happened. The runtime says `success` whenever Claude Code ended normally, but a
 * coding session exists to make its feature pass: one that ended normally while its feature failed verification, was
 * marked failing, was skipped or was left unfinished did not succeed, and its row must not say so (three failed
 * attempts were listed as "success"). Pure: the caller reads the feature and this session's newest outcome event.
 */

/** The session ended normally, but its feature did not pass (failed verification, marked failing, left unfinished). */
export const FEATURE_FAILED_OUTCOME = 'feature_failed';
/** The session ended normally by giving its feature up for now (`feature_skip`, with a blocker class). */
export const SKIPPED_OUTCOME = 'skipped';

/** Why a session left its feature unfinished without saying so (what the claim's settlement writes in the notes). */
export const UNFINISHED_REASON = 'the session ended without marking the feature passing';

/** This session's newest event about its feature's outcome (`feature.failed` or `feature.skipped`), if any. */
export type FeatureOutcomeEvent =
  | { readonly type: 'feature.failed'; readonly reason: string }
  | { readonly type: 'feature.skipped'; readonly reason: string | null; readonly blockerType: string | null };

export interface SessionVerdict {
  readonly outcome: string;
  readonly error: string | null;
}

/**
 * The recorded outcome of a coding session that the runtime ended with `ended`. Only a runtime `success` is judged:
 * any other outcome (error, max_turns, aborted, looping…) is already a failure of its own kind and is kept. A feature
 * that passed, or waits for a person's answer (the session asked, as it should), keeps `success`.
 */
export function codingSessionVerdict(
  ended: SessionVerdict,
  featureStatus: FeatureStatus,
  newest: FeatureOutcomeEvent | null,
): SessionVerdict {
  if (ended.outcome !== 'success' || featureStatus === 'passing' || featureStatus === 'needs_input') return ended;
  // Still claimed: the agent stopped without a verdict (the runner marks it failing right after).
  if (featureStatus === 'in_progress') return { outcome: FEATURE_FAILED_OUTCOME, error: UNFINISHED_REASON };
  if (newest?.type === 'feature.skipped')
    return {
      outcome: SKIPPED_OUTCOME,
      error: `skipped (${newest.blockerType ?? 'unclassified'})${newest.reason ? `: ${newest.reason}` : ''}`,
    };
  if (newest?.type === 'feature.failed') return { outcome: FEATURE_FAILED_OUTCOME, error: newest.reason };
  // Pending or failed with no verdict of this session's (released, or moved by a person meanwhile).
  return { outcome: FEATURE_FAILED_OUTCOME, error: ended.error ?? `its feature is ${featureStatus}, not passing` };
}
