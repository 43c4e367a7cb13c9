import { describe, it, expect } from 'vitest';
import { parseLimitReset } from './rate-limit.js';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

/** The local-time instant of `hour:minute` on the day of `from` (same logic as the parser: local clock). */
function localAt(from: number, hour: number, minute: number, dayOffset = 0): number {
  const d = new Date(from);
  d.setHours(hour, minute, 0, 0);
  d.setDate(d.getDate() + dayOffset);
  return d.getTime();
}

describe('parseLimitReset', () => {
  it('reads the epoch seconds of a Claude subscription usage limit', () => {
    expect(parseLimitReset('Claude AI usage limit reached|1767225600', NOW)).toBe(1_767_225_600_000);
  });

  it('keeps a 13-digit epoch as milliseconds', () => {
    expect(parseLimitReset('Claude AI usage limit reached|1767225600123', NOW)).toBe(1_767_225_600_123);
  });

  it('finds the usage-limit marker inside a longer message', () => {
    expect(parseLimitReset('API Error: Claude AI usage limit reached|1767225600 (upgrade your plan)', NOW)).toBe(
      1_767_225_600_000,
    );
  });

  it('reads "retry after N seconds"', () => {
    expect(parseLimitReset('429 Too Many Requests: retry after 30 seconds', NOW)).toBe(NOW + 30_000);
    expect(parseLimitReset('rate limit hit, Retry-After: 12', NOW)).toBe(NOW + 12_000);
  });

  it('reads "try again in Ns"', () => {
    expect(parseLimitReset('Rate limit exceeded. Try again in 45s', NOW)).toBe(NOW + 45_000);
    expect(parseLimitReset('Rate limit exceeded. Try again in 7 seconds.', NOW)).toBe(NOW + 7_000);
    expect(parseLimitReset('429 too many requests, retry after 30 minutes', NOW)).toBe(NOW + 30 * 60_000);
    expect(parseLimitReset('Usage limit hit. Try again in 2 hours', NOW)).toBe(NOW + 2 * 3_600_000);
  });

  describe('a reset clock time (local time)', () => {
    const morning = new Date(2026, 0, 15, 9, 30, 0, 0).getTime();
    const evening = new Date(2026, 0, 15, 16, 0, 0, 0).getTime();

    it('resolves to that time today when it is still ahead', () => {
      expect(parseLimitReset('Claude usage limit reached. Your limit resets 3pm (Europe/Berlin)', morning)).toBe(
        localAt(morning, 15, 0),
      );
    });

    it('rolls over to tomorrow when the time already passed today', () => {
      expect(parseLimitReset('Claude usage limit reached. Your limit resets 3pm (Europe/Berlin)', evening)).toBe(
        localAt(evening, 15, 0, 1),
      );
    });

    it('rolls over when the reset time is exactly now', () => {
      const threePm = localAt(morning, 15, 0);
      expect(parseLimitReset('usage limit reached, resets 3pm', threePm)).toBe(localAt(morning, 15, 0, 1));
    });

    it('reads minutes, "at", and am times, with 12am as midnight and 12pm as noon', () => {
      expect(parseLimitReset('Your usage limit will reset at 10:45am', morning)).toBe(localAt(morning, 10, 45));
      expect(parseLimitReset('usage limit reached; resets at 12am', morning)).toBe(localAt(morning, 0, 0, 1));
      expect(parseLimitReset('usage limit reached; resets 12pm', morning)).toBe(localAt(morning, 12, 0));
      expect(parseLimitReset('usage limit reached; resets 11 PM', morning)).toBe(localAt(morning, 23, 0));
    });
  });

  it('returns now for a limit message without a reset time', () => {
    expect(parseLimitReset('Rate limit exceeded', NOW)).toBe(NOW);
    expect(parseLimitReset('Error 429', NOW)).toBe(NOW);
    expect(parseLimitReset('You have exceeded your quota', NOW)).toBe(NOW);
    expect(parseLimitReset('Too many requests, slow down', NOW)).toBe(NOW);
  });

  it('returns null for text that is not a limit message', () => {
    expect(parseLimitReset('TypeError: cannot read properties of undefined', NOW)).toBeNull();
    expect(parseLimitReset('the file size limit is 10 MB; try again in 5s', NOW)).toBeNull();
    expect(parseLimitReset('', NOW)).toBeNull();
  });
});
