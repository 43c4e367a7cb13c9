import type { FeatureStatus } from './feature.js';

/** How many features are in each status, plus the share that passes. */
export interface StatusCounts {
  total: number;
  passing: number;
  in_progress: number;
  needs_input: number;
  failed: number;
  pending: number;
  /** passing / total × 100, rounded to one decimal; 0 when there are no features. */
  percentage: number;
}

/** Tallies feature statuses into {@link StatusCounts}. */
export function countStatuses(statuses: Iterable<FeatureStatus>): StatusCounts {
  const counts: StatusCounts = {
    total: 0,
    passing: 0,
    in_progress: 0,
    needs_input: 0,
    failed: 0,
    pending: 0,
    percentage: 0,
  };
  for (const status of statuses) {
    counts.total += 1;
    counts[status] += 1;
  }
  counts.percentage = counts.total === 0 ? 0 : Math.round((counts.passing / counts.total) * 1000) / 10;
  return counts;
}
