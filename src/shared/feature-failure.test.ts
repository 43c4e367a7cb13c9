import { describe, expect, it } from 'vitest';
import { featureFailureReason, lastFailedAttempt, MAX_REASON, retryAt, skipClass } from './feature-failure.js';

const at = (iso: string) => Date.parse(iso);
const note = (iso: string, text: string) => `[${iso}] ${text}\n`;
const T1 = '2026-12-06T18:00:00.000Z';
const T2 = '2026-12-06T18:10:00.000Z';
const VERIFICATION_NOTE =
  '3 verifications failed in one session; the last: verification ver_ab12 on 0a1b2c3d failed 1/2: check 1 (command "tests pass"): adds a todo — Expected values to be strictly equal: 3 !== 4 (exit code 1, expected 0) (evidence: .autocoder/evidence/feature-1/ver_ab12)';

describe('lastFailedAttempt', () => {
  it("reads the newest failed attempt's time and reason, a verification's note reduced to its failing checks", () => {
    const notes =
      note(T1, 'attempt 1/3 failed: the session ended without marking the feature passing') +
      note(T1, 'released: the run was stopped during this session') +
      note(T2, `attempt 2/3 failed: ${VERIFICATION_NOTE}`);
    expect(lastFailedAttempt(notes)).toEqual({
      at: at(T2),
      previousAt: at(T1),
      reason:
        'check 1 (command "tests pass"): adds a todo — Expected values to be strictly equal: 3 !== 4 (exit code 1, expected 0)',
    });
    expect(lastFailedAttempt(note(T1, 'lease expired (the session holding it stopped heartbeating)'))).toMatchObject({
      reason: 'lease expired (the session holding it stopped heartbeating)',
      previousAt: null,
    });
    expect(lastFailedAttempt(note(T1, 'released: stopped'))).toBeNull();
  });
});

describe('featureFailureReason', () => {
  const failedVerification = (endedAt: number) => ({
    status: 'failed',
    endedAt,
    failure: 'tests pass: adds a todo — 3 !== 4 (exit code 1, expected 0)',
  });

  it('is the newest verification failure when it ran during the last failed attempt (the agent may have given up after it)', () => {
    const notes =
      note(T1, 'attempt 1/3 failed: stalled') +
      note(T2, 'attempt 2/3 failed: the session ended without marking the feature passing');
    expect(featureFailureReason({ status: 'pending', notes, verification: failedVerification(at(T2) - 1000) })).toBe(
      'tests pass: adds a todo — 3 !== 4 (exit code 1, expected 0)',
    );
    expect(
      featureFailureReason({
        status: 'failed',
        notes: '',
        verification: { status: 'error', endedAt: 5, failure: 'the app did not start' },
      }),
    ).toBe('Verification could not run: the app did not start');
  });

  it("is the last attempt's reason when the verification is older than that attempt, or there is none", () => {
    const notes = note(T1, 'attempt 1/3 failed: x') + note(T2, 'attempt 2/3 failed: I could not reach the payment API');
    expect(featureFailureReason({ status: 'failed', notes, verification: failedVerification(at(T1) - 1000) })).toBe(
      'I could not reach the payment API',
    );
    expect(featureFailureReason({ status: 'failed', notes, verification: null })).toBe(
      'I could not reach the payment API',
    );
  });

  it('is null for other statuses, for a passed verification without failed attempts, and is one line of at most MAX_REASON', () => {
    const notes = note(T1, `attempt 1/3 failed: ${'why\n'.repeat(200)}`);
    for (const status of ['passing', 'in_progress', 'needs_input'])
      expect(featureFailureReason({ status, notes, verification: failedVerification(1) })).toBeNull();
    expect(
      featureFailureReason({
        status: 'pending',
        notes: '',
        verification: { status: 'passed', endedAt: 1, failure: null },
      }),
    ).toBeNull();
    const long = featureFailureReason({
      status: 'failed',
      notes: note(T1, `attempt 1/3 failed: ${'x '.repeat(400)}`),
      verification: null,
    });
    expect(long).toHaveLength(MAX_REASON);
    expect(long).not.toContain('\n');
  });
});

describe('retryAt', () => {
  const f = { status: 'pending', attempts: 1, maxAttempts: 3, runAfter: 10_000 };
  it("is the backoff's end for a pending feature after a failed attempt, while it lies ahead", () => {
    expect(retryAt(f, 9_999)).toBe(10_000);
    expect(retryAt(f, 10_000)).toBeNull();
  });
  it('is null when never tried, out of attempts or not pending', () => {
    expect(retryAt({ ...f, attempts: 0 }, 0)).toBeNull();
    expect(retryAt({ ...f, attempts: 3 }, 0)).toBeNull();
    expect(retryAt({ ...f, status: 'failed' }, 0)).toBeNull();
    expect(retryAt({ ...f, status: 'in_progress' }, 0)).toBeNull();
  });
});

describe('skipClass', () => {
  it('is the blocker class of a skipped feature, "unclassified" for an older skip without one, null otherwise', () => {
    expect(skipClass({ status: 'pending', skipCount: 1, blockerType: 'credentials' })).toBe('credentials');
    expect(skipClass({ status: 'failed', skipCount: 2, blockerType: 'external_service' })).toBe('external_service');
    expect(skipClass({ status: 'pending', skipCount: 1, blockerType: null })).toBe('unclassified');
    expect(skipClass({ status: 'pending', skipCount: 0, blockerType: 'credentials' })).toBeNull();
    expect(skipClass({ status: 'passing', skipCount: 1, blockerType: 'technical' })).toBeNull();
  });
});
