import type { FeatureDTO } from '@shared/api';

/**
 * What a card says about a feature's verification (its frozen checks, run by the runner on the
 * commit that lands). Pure, so every case is unit-tested.
 */
export type CardVerification =
  /** Passing, and its newest verification passed: the badge with the count and a thumbnail. */
  | {
      readonly kind: 'verified';
      readonly checks: number;
      readonly verificationId: string;
      readonly commit: string;
      readonly screenshot: string | null;
    }
  /** Nothing independent says it works: no checks, or a passing feature whose newest verification did not pass. */
  | { readonly kind: 'not_verified'; readonly why: string }
  /** Its newest verification failed (being worked on, waiting or failed): why, in one line. */
  | { readonly kind: 'failing'; readonly line: string }
  /** A verification is running now. */
  | { readonly kind: 'verifying' }
  | null;

const SHOWS_FAILURE = new Set<FeatureDTO['status']>(['in_progress', 'failed', 'pending']);

export function cardVerification(f: FeatureDTO): CardVerification {
  const v = f.verification;
  if (f.acceptance === null) return { kind: 'not_verified', why: 'no acceptance checks' };
  if (v?.status === 'running')
    return f.status === 'passing' || f.status === 'in_progress' ? { kind: 'verifying' } : null;
  if (f.status === 'passing') {
    if (!v) return { kind: 'not_verified', why: 'it passed without a verification' };
    if (v.status === 'passed')
      return { kind: 'verified', checks: v.checks, verificationId: v.id, commit: v.commit, screenshot: v.screenshot };
    const what = v.status === 'error' ? 'its last verification could not run' : 'its last verification failed';
    return { kind: 'not_verified', why: v.failure ? `${what}: ${v.failure}` : what };
  }
  if (v && v.status !== 'passed' && SHOWS_FAILURE.has(f.status)) {
    const what = v.status === 'error' ? 'Verification could not run' : 'Verification failed';
    return { kind: 'failing', line: `${what}${v.failure ? `: ${v.failure}` : ''}` };
  }
  return null;
}
