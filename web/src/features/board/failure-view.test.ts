import { describe, expect, it } from 'vitest';
import { formatTime } from '../../shared/ui/format';
import { retryText, sessionOutcome } from './failure-view';

describe('retryText', () => {
  const at = Date.UTC(2026, 11, 6, 18, 30, 0);
  it('says when, and how long until then when told the time', () => {
    expect(retryText(at)).toBe(`retry at ${formatTime(at)}`);
    expect(retryText(at, at - 125_000)).toBe(`retry at ${formatTime(at)} (in 2m 5s)`);
    expect(retryText(at, at - 200)).toBe(`retry at ${formatTime(at)} (in 1s)`);
  });
  it('says it is due once the time has come', () => {
    expect(retryText(at, at)).toBe('retry due now');
    expect(retryText(at, at + 5_000)).toBe('retry due now');
  });
});

describe('sessionOutcome', () => {
  it('a session whose feature did not pass reads as failed, never as success', () => {
    expect(sessionOutcome({ status: 'failed', outcome: 'feature_failed' })).toEqual({
      label: 'failed: the feature did not pass',
      tone: 'failed',
    });
    expect(sessionOutcome({ status: 'failed', outcome: 'skipped' }).tone).toBe('failed');
    expect(sessionOutcome({ status: 'succeeded', outcome: 'success' })).toEqual({ label: 'succeeded', tone: 'ok' });
  });
  it('words the runtime outcomes, and shows an unknown one as recorded', () => {
    expect(sessionOutcome({ status: 'failed', outcome: 'max_turns' }).label).toBe('failed: turn limit reached');
    expect(sessionOutcome({ status: 'aborted', outcome: 'aborted' })).toEqual({ label: 'aborted', tone: 'neutral' });
    expect(sessionOutcome({ status: 'running', outcome: null }).label).toBe('running…');
    expect(sessionOutcome({ status: 'failed', outcome: 'from_the_future' })).toEqual({
      label: 'from_the_future',
      tone: 'failed',
    });
  });
});
