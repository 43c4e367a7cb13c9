/**
 * Budget arithmetic, pure: the median a session must have left to start, the day a daily budget counts, and the
 * share of a budget used. The store holds the reservations (db/budget-repo.ts); the scheduler decides with these.
 */

/** What a session must have left to start when its role has no recorded sessions yet (USD). */
export const DEFAULT_SESSION_FLOOR_USD = 0.05;

/** A warning (event and webhook) when this share of a budget is used. */
export const BUDGET_WARNING_SHARE = 0.8;

/** The median of `values`; null for none. */
export function medianOf(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** No session starts with less left than a typical session of its role costs (the median), or the floor without any. */
export function sessionFloor(median: number | null): number {
  return median ?? DEFAULT_SESSION_FLOOR_USD;
}

/** Midnight UTC of the day `now` falls in: the daily budget counts from there. */
export function dayStart(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

/** Dollars as the reports print them. */
export const usd = (v: number): string => `$${v.toFixed(v < 1 ? 4 : 2)}`;
