import { describe, expect, it } from 'vitest';
import type { FeatureMetrics } from '@shared/metrics';
import { durationBins, nextSort, sortFeatures, usd } from './metrics-view';

const feature = (featureId: number, name: string, costUsd: number, durationMs: number | null): FeatureMetrics => ({
  featureId,
  name,
  status: 'passing',
  attempts: 1,
  failures: 0,
  verificationFailures: 0,
  landings: 1,
  regressions: 0,
  durationMs,
  firstPass: true,
  usage: { sessions: 1, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0, costUsd },
  wastedUsd: 0,
});

describe('sortFeatures', () => {
  const rows = [feature(1, 'b', 2, 300), feature(2, 'a', 1, null), feature(3, 'c', 2, 100)];
  const ids = (key: Parameters<typeof sortFeatures>[1]) => sortFeatures(rows, key).map((f) => f.featureId);
  it('sorts numbers and names both ways, ties by id', () => {
    expect(ids({ key: 'costUsd', dir: 'descending' })).toEqual([1, 3, 2]);
    expect(ids({ key: 'costUsd', dir: 'ascending' })).toEqual([2, 1, 3]);
    expect(ids({ key: 'name', dir: 'ascending' })).toEqual([2, 1, 3]);
    expect(ids({ key: 'name', dir: 'descending' })).toEqual([3, 1, 2]);
  });
  it('puts features without a duration last in either direction', () => {
    expect(ids({ key: 'durationMs', dir: 'ascending' })).toEqual([3, 1, 2]);
    expect(ids({ key: 'durationMs', dir: 'descending' })).toEqual([1, 3, 2]);
  });
});

describe('nextSort', () => {
  it('flips the same column; a new cost column starts descending, others ascending', () => {
    expect(nextSort({ key: 'name', dir: 'ascending' }, 'name')).toEqual({ key: 'name', dir: 'descending' });
    expect(nextSort({ key: 'name', dir: 'ascending' }, 'costUsd')).toEqual({ key: 'costUsd', dir: 'descending' });
    expect(nextSort({ key: 'costUsd', dir: 'descending' }, 'attempts')).toEqual({ key: 'attempts', dir: 'ascending' });
  });
});

describe('durationBins', () => {
  it('is empty without samples, one bin when all samples are equal', () => {
    expect(durationBins([])).toEqual([]);
    expect(durationBins([5, 5, 5])).toEqual([{ fromMs: 5, toMs: 5, count: 3 }]);
  });
  it('spreads samples over about √n equal bins, the maximum in the last one, every sample counted', () => {
    const samples = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    const bins = durationBins(samples);
    expect(bins).toHaveLength(4);
    expect(bins.map((b) => b.count)).toEqual([3, 2, 3, 3]); // [0,25) [25,50) [50,75) [75,100]
    expect(bins[0]!.fromMs).toBe(0);
    expect(bins.at(-1)!.toMs).toBe(100);
    expect(durationBins(Array.from({ length: 400 }, (_, i) => i)).length).toBe(8);
  });
});

describe('usd', () => {
  it('prints dollars with two decimals, thousands separators and a real minus sign', () => {
    expect(usd(1234.5)).toBe('$1,234.50');
    expect(usd(-2)).toBe('−$2.00');
  });
});
