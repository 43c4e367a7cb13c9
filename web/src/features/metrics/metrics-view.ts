import type { FeatureMetrics, Metrics } from '@shared/metrics';

/** Pure shaping of the metrics for the page: sorting, histogram bins, chart rows and figure text. */

export type SortKey = 'featureId' | 'name' | 'status' | 'attempts' | 'durationMs' | 'costUsd' | 'wastedUsd';
export type SortDir = 'ascending' | 'descending';
export interface Sort {
  readonly key: SortKey;
  readonly dir: SortDir;
}

const sortValue = (f: FeatureMetrics, key: SortKey): string | number | null => {
  switch (key) {
    case 'costUsd':
      return f.usage.costUsd;
    case 'featureId':
    case 'name':
    case 'status':
    case 'attempts':
    case 'durationMs':
    case 'wastedUsd':
      return f[key];
  }
};

/** The features sorted by `key`; features without a value (no duration) go last either way, ties by id. */
export function sortFeatures(features: readonly FeatureMetrics[], sort: Sort): FeatureMetrics[] {
  const sign = sort.dir === 'ascending' ? 1 : -1;
  return [...features].sort((a, b) => {
    const x = sortValue(a, sort.key);
    const y = sortValue(b, sort.key);
    if (x === null || y === null) return x === y ? a.featureId - b.featureId : x === null ? 1 : -1;
    const c = typeof x === 'string' ? x.localeCompare(String(y)) : x - (y as number);
    return c !== 0 ? sign * c : a.featureId - b.featureId;
  });
}

/** Clicking a column: a new column sorts ascending (costs descending, the usual question), the same one flips. */
export function nextSort(current: Sort, key: SortKey): Sort {
  if (current.key === key) return { key, dir: current.dir === 'ascending' ? 'descending' : 'ascending' };
  return { key, dir: key === 'costUsd' || key === 'wastedUsd' ? 'descending' : 'ascending' };
}

export interface Bin {
  readonly fromMs: number;
  readonly toMs: number;
  readonly count: number;
}

/** Equal-width bins over the samples (at most `max`, about √n); the last bin includes its upper edge. */
export function durationBins(samplesMs: readonly number[], max = 8): Bin[] {
  if (samplesMs.length === 0) return [];
  const lo = Math.min(...samplesMs);
  const hi = Math.max(...samplesMs);
  const n = hi === lo ? 1 : Math.min(max, Math.max(1, Math.ceil(Math.sqrt(samplesMs.length))));
  const width = hi === lo ? 1 : (hi - lo) / n;
  const bins = Array.from({ length: n }, (_, i) => ({ fromMs: lo + i * width, toMs: lo + (i + 1) * width, count: 0 }));
  for (const s of samplesMs) bins[Math.min(n - 1, Math.floor((s - lo) / width))]!.count++;
  return hi === lo ? [{ fromMs: lo, toMs: hi, count: samplesMs.length }] : bins;
}

/** The roles that ever cost anything, in the order of the by-role breakdown (most expensive first). */
export function costRoles(m: Metrics): string[] {
  return m.cost.byRole.map((r) => r.key);
}

/** Cost-over-time rows flattened for a stacked area chart: `at` plus one number per role (0 until it costs). */
export function costOverTimeRows(m: Metrics): Record<string, number>[] {
  const roles = costRoles(m);
  return m.cost.overTime.map((p) => ({ at: p.at, ...Object.fromEntries(roles.map((r) => [r, p.byRole[r] ?? 0])) }));
}

export const percent = (share: number | null): string => (share === null ? '—' : `${Math.round(share * 100)}%`);
export const orDash = <T>(v: T | null, f: (v: T) => string): string => (v === null ? '—' : f(v));
export const usd = (n: number): string =>
  `${n < 0 ? '−' : ''}$${Math.abs(n).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

const SOURCE_TEXT = { project: 'project setting', global: 'global setting', default: 'default' } as const;
/** Where an ROI assumption came from, in words. */
export const sourceText = (s: keyof typeof SOURCE_TEXT): string => SOURCE_TEXT[s];
