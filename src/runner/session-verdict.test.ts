import { describe, expect, it } from 'vitest';
import { codingSessionVerdict, FEATURE_FAILED_OUTCOME, SKIPPED_OUTCOME, UNFINISHED_REASON } from './session-verdict.js';

const ok = { outcome: 'success', error: null } as const;

describe('codingSessionVerdict', () => {
  it('keeps success when the feature passed or waits for a person', () => {
    expect(codingSessionVerdict(ok, 'passing', null)).toEqual(ok);
    expect(codingSessionVerdict(ok, 'needs_input', null)).toEqual(ok);
  });

  it('a normal end whose feature failed is a failure, with the reason the session recorded', () => {
    const failed = { type: 'feature.failed', reason: '3 verifications failed in one session; the last: …' } as const;
    expect(codingSessionVerdict(ok, 'pending', failed)).toEqual({
      outcome: FEATURE_FAILED_OUTCOME,
      error: '3 verifications failed in one session; the last: …',
    });
    expect(codingSessionVerdict(ok, 'failed', failed).outcome).toBe(FEATURE_FAILED_OUTCOME);
  });

  it('a feature still claimed when the session ended was left unfinished', () => {
    expect(codingSessionVerdict(ok, 'in_progress', null)).toEqual({
      outcome: FEATURE_FAILED_OUTCOME,
      error: UNFINISHED_REASON,
    });
  });

  it('a skip says so, with its blocker class', () => {
    expect(
      codingSessionVerdict(ok, 'pending', {
        type: 'feature.skipped',
        reason: 'no API key',
        blockerType: 'credentials',
      }),
    ).toEqual({ outcome: SKIPPED_OUTCOME, error: 'skipped (credentials): no API key' });
    expect(
      codingSessionVerdict(ok, 'pending', { type: 'feature.skipped', reason: null, blockerType: null }).error,
    ).toBe('skipped (unclassified)');
  });

  it('a pending feature without a verdict of the session is still not a success', () => {
    expect(codingSessionVerdict(ok, 'pending', null)).toEqual({
      outcome: FEATURE_FAILED_OUTCOME,
      error: 'its feature is pending, not passing',
    });
  });

  it('keeps any outcome other than success as the runtime or the runner recorded it', () => {
    for (const outcome of ['error', 'max_turns', 'max_budget', 'aborted', 'rate_limited', 'looping']) {
      const ended = { outcome, error: 'why' };
      expect(codingSessionVerdict(ended, 'pending', null)).toBe(ended);
    }
  });
});
