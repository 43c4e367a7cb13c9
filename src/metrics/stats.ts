import type { DurationStats } from '../shared/metrics.js';

/**
 * Median: the middle sample, or the mean of the two middle ones; p90: the nearest-rank percentile (the sample at
 * rank ⌈0.9·n⌉ of the ascending list). Both null without samples.
 */
export function durationStats(samples: readonly number[]): DurationStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { count: 0, medianMs: null, p90Ms: null, samplesMs: [] };
  const mid = Math.floor(n / 2);
  const median = n % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  const p90 = sorted[Math.ceil(0.9 * n) - 1] as number;
  return { count: n, medianMs: median, p90Ms: p90, samplesMs: sorted };
}

/** `a ÷ b`, or null when `b` is 0 (a rate over nothing is unknown, not zero). */
export const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);

/** The UTC date of a time, YYYY-MM-DD. */
export const utcDay = (at: number): string => new Date(at).toISOString().slice(0, 10);

const DAY_MS = 86_400_000;

/** Splits the interval [from, to) at UTC midnights: the milliseconds it spends in each day. */
export function splitByDay(from: number, to: number): [string, number][] {
  const out: [string, number][] = [];
  let start = from;
  while (start < to) {
    const midnight = Math.floor(start / DAY_MS) * DAY_MS + DAY_MS;
    const end = Math.min(midnight, to);
    out.push([utcDay(start), end - start]);
    start = end;
  }
  return out;
}
