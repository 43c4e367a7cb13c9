import { describe, it, expect } from 'vitest';
import {
  ALLOWED_TRANSITIONS,
  FEATURE_STATUSES,
  assertTransition,
  canTransition,
  isFeatureStatus,
  nextStatus,
  type FeatureStatus,
} from './feature.js';
import { AppError } from './errors.js';

const EXPECTED: ReadonlyArray<readonly [FeatureStatus, FeatureStatus]> = [
  ['pending', 'in_progress'],
  ['in_progress', 'passing'],
  ['in_progress', 'pending'],
  ['in_progress', 'failed'],
  ['in_progress', 'needs_input'],
  ['needs_input', 'pending'],
  ['passing', 'pending'],
  ['failed', 'pending'],
];

function thrown(fn: () => void): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

describe('feature lifecycle', () => {
  it('accepts every allowed transition', () => {
    for (const [from, to] of EXPECTED) {
      expect(canTransition(from, to)).toBe(true);
      expect(() => assertTransition(from, to)).not.toThrow();
    }
  });

  it('allows exactly the documented transitions and nothing else', () => {
    const expected = new Set(EXPECTED.map(([from, to]) => `${from}>${to}`));
    for (const from of FEATURE_STATUSES) {
      for (const to of FEATURE_STATUSES) {
        expect(canTransition(from, to), `${from} → ${to}`).toBe(expected.has(`${from}>${to}`));
      }
    }
    const listed = Object.values(ALLOWED_TRANSITIONS).reduce((n, targets) => n + targets.length, 0);
    expect(listed).toBe(EXPECTED.length);
  });

  it.each([
    ['passing', 'in_progress'],
    ['failed', 'passing'],
    ['needs_input', 'passing'],
    ['pending', 'passing'],
  ] as const)('rejects %s → %s with INVALID_TRANSITION', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    const err = thrown(() => assertTransition(from, to));
    expect(err.code).toBe('INVALID_TRANSITION');
    expect(err.message).toContain(from);
    expect(err.message).toContain(to);
    for (const allowed of ALLOWED_TRANSITIONS[from]) expect(err.message).toContain(`'${allowed}'`);
  });

  it('nextStatus gives the target of an allowed move, lets a status stay put, and refuses any other move naming the feature', () => {
    for (const [from, to] of EXPECTED) expect(nextStatus(from, to, 1)).toBe(to);
    for (const status of FEATURE_STATUSES) expect(nextStatus(status, status, 1)).toBe(status);
    const err = thrown(() => nextStatus('failed', 'in_progress', 42));
    expect(err.code).toBe('INVALID_TRANSITION');
    expect(err.message).toBe(
      "Cannot move feature 42 from 'failed' to 'in_progress'; from 'failed' it can only move to: 'pending'.",
    );
    expect(err.details).toEqual({ featureId: 42, from: 'failed', to: 'in_progress', allowed: ['pending'] });
  });

  it('recognises statuses', () => {
    for (const status of FEATURE_STATUSES) expect(isFeatureStatus(status)).toBe(true);
    for (const other of ['done', 'PENDING', '', null, undefined, 3, {}]) expect(isFeatureStatus(other)).toBe(false);
  });
});
