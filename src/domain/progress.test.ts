import { describe, it, expect } from 'vitest';
import { countStatuses } from './progress.js';
import type { FeatureStatus } from './feature.js';

describe('countStatuses', () => {
  it('gives zeros and 0% for no features', () => {
    expect(countStatuses([])).toEqual({
      total: 0,
      passing: 0,
      in_progress: 0,
      needs_input: 0,
      failed: 0,
      pending: 0,
      percentage: 0,
    });
  });

  it('counts each status and the passing share', () => {
    const statuses: FeatureStatus[] = [
      'passing',
      'passing',
      'pending',
      'in_progress',
      'needs_input',
      'failed',
      'pending',
    ];
    expect(countStatuses(statuses)).toEqual({
      total: 7,
      passing: 2,
      in_progress: 1,
      needs_input: 1,
      failed: 1,
      pending: 2,
      percentage: 28.6,
    });
  });

  it('rounds the percentage to one decimal', () => {
    expect(countStatuses(['passing', 'pending', 'pending']).percentage).toBe(33.3);
    expect(countStatuses(['passing', 'passing', 'pending']).percentage).toBe(66.7);
    expect(countStatuses(['passing']).percentage).toBe(100);
  });

  it('accepts any iterable', () => {
    function* statuses(): Generator<FeatureStatus> {
      yield 'passing';
      yield 'failed';
    }
    expect(countStatuses(statuses())).toMatchObject({ total: 2, passing: 1, failed: 1, percentage: 50 });
  });
});
