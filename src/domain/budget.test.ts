import { describe, expect, it } from 'vitest';
import { dayStart, DEFAULT_SESSION_FLOOR_USD, medianOf, sessionFloor, usd } from './budget.js';

describe('budget arithmetic', () => {
  it('the median of an odd and an even count, unsorted input; none for nothing', () => {
    expect(medianOf([0.4, 0.1, 0.3])).toBe(0.3);
    expect(medianOf([0.4, 0.1, 0.3, 0.2])).toBeCloseTo(0.25, 10);
    expect(medianOf([])).toBeNull();
  });

  it('a session must have the median of its role left, or the documented floor when the role has no sessions', () => {
    expect(sessionFloor(0.37)).toBe(0.37);
    expect(sessionFloor(null)).toBe(DEFAULT_SESSION_FLOOR_USD);
    expect(DEFAULT_SESSION_FLOOR_USD).toBe(0.05);
  });

  it('the daily budget counts from midnight UTC', () => {
    expect(dayStart(Date.UTC(2026, 11, 6, 23, 59, 59))).toBe(Date.UTC(2026, 11, 6));
    expect(dayStart(Date.UTC(2026, 11, 7))).toBe(Date.UTC(2026, 11, 7));
  });

  it('prints cents below a dollar with four places, dollars with two', () => {
    expect(usd(0.0123)).toBe('$0.0123');
    expect(usd(12.5)).toBe('$12.50');
  });
});
