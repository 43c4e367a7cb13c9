import { describe, expect, it } from 'vitest';
import {
  DURATION_PRIOR,
  type DurationSample,
  type EstimateTarget,
  estimateDurations,
  expectedSessions,
  fitDurationModel,
} from './duration-estimate.js';

const MIN = 60_000;
let nextFeature = 1000;

/** `count` passed sessions of `minutes` each, in `category`, on features of `steps` steps. */
function sessions(count: number, category: string, minutes: number, steps = 5): DurationSample[] {
  return Array.from({ length: count }, () => ({
    featureId: nextFeature++,
    category,
    steps,
    durationMs: minutes * MIN,
    passed: true,
  }));
}

function target(id: number, category: string, steps = 5, attempts = 0, maxAttempts = 3): EstimateTarget {
  return { id, category, steps, attempts, maxAttempts };
}

/** One session's median estimate, without the expected retries. */
const perSession = (history: DurationSample[], t: EstimateTarget): number =>
  estimateDurations(history, [t]).get(t.id)! / expectedSessions(fitDurationModel(history), t);

describe('duration estimates', () => {
  it('with no history, the prior: 15 minutes at 5 steps, growing as the square root of the steps', () => {
    const one = target(1, 'core', 5, 0, 1);
    expect(perSession([], one)).toBeCloseTo(15 * MIN, -2);
    expect(perSession([], target(2, 'core', 20, 0, 1)) / perSession([], one)).toBeCloseTo(2, 5);
    expect(perSession([], target(3, 'ui', 5, 0, 1))).toBeCloseTo(perSession([], one), 5);
    // One attempt allowed: exactly one session expected; three allowed: 1 + 0.2 + 0.04.
    expect(expectedSessions(fitDurationModel([]), one)).toBe(1);
    expect(expectedSessions(fitDurationModel([]), target(4, 'core'))).toBeCloseTo(1.24, 10);
  });

  it('history replaces the prior: many 4-minute sessions bring the estimate close to 4 minutes', () => {
    const history = sessions(40, 'core', 4);
    const estimate = perSession(history, target(1, 'core'));
    expect(estimate).toBeGreaterThan(3.8 * MIN);
    expect(estimate).toBeLessThan(4.4 * MIN);
  });

  it('a category that took longer than the rest is estimated longer; an unseen category gets the project level', () => {
    const history = [...sessions(20, 'api', 4), ...sessions(20, 'ui', 16)];
    const api = perSession(history, target(1, 'api'));
    const ui = perSession(history, target(2, 'ui'));
    const unseen = perSession(history, target(3, 'docs'));
    expect(ui / api).toBeGreaterThan(3);
    expect(unseen).toBeGreaterThan(api);
    expect(unseen).toBeLessThan(ui);
  });

  it('one odd session moves a category a little, a consistent dozen a lot (shrinkage toward the project)', () => {
    const base = sessions(30, 'core', 5);
    const oneOdd = perSession([...base, ...sessions(1, 'slow', 50)], target(1, 'slow'));
    const dozen = perSession([...base, ...sessions(12, 'slow', 50)], target(1, 'slow'));
    expect(oneOdd).toBeLessThan(15 * MIN);
    expect(dozen).toBeGreaterThan(35 * MIN);
  });

  it('the steps slope is learnt: sessions proportional to their steps make a 10-step feature twice a 5-step one', () => {
    const history = [1, 2, 4, 8, 16].flatMap((steps) => sessions(10, 'core', steps * 2, steps));
    const ratio = perSession(history, target(1, 'core', 10)) / perSession(history, target(2, 'core', 5));
    expect(ratio).toBeGreaterThan(1.9);
    expect(ratio).toBeLessThanOrEqual(2.01);
    // The prior alone says √2.
    expect(perSession([], target(1, 'core', 10)) / perSession([], target(2, 'core', 5))).toBeCloseTo(Math.SQRT2, 5);
  });

  it("a feature's own earlier sessions count: one whose failed attempt took long is estimated longer than its peers", () => {
    const history: DurationSample[] = [
      ...sessions(20, 'core', 5),
      { featureId: 7, category: 'core', steps: 5, durationMs: 30 * MIN, passed: false },
    ];
    const retried = target(7, 'core', 5, 1);
    const fresh = target(8, 'core', 5, 1);
    expect(perSession(history, retried)).toBeGreaterThan(1.5 * perSession(history, fresh));
  });

  it('attempts so far: own failures raise the expected number of sessions, and no more than the attempts left count', () => {
    const history: DurationSample[] = [
      ...sessions(20, 'core', 5),
      { featureId: 7, category: 'core', steps: 5, durationMs: 5 * MIN, passed: false },
      { featureId: 7, category: 'core', steps: 5, durationMs: 5 * MIN, passed: false },
    ];
    const model = fitDurationModel(history);
    const failedTwice = target(7, 'core', 5, 2, 5);
    const untried = target(8, 'core', 5, 2, 5);
    expect(expectedSessions(model, failedTwice)).toBeGreaterThan(expectedSessions(model, untried) + 0.2);
    // Only one attempt left: exactly one session, whatever the record.
    expect(expectedSessions(model, target(7, 'core', 5, 4, 5))).toBe(1);
    // The project's failure rate is learnt: all sessions failing pushes it toward 1.
    const failing = fitDurationModel(sessions(40, 'core', 5).map((s) => ({ ...s, passed: false })));
    expect(failing.failureRate).toBeGreaterThan(0.85);
    expect(fitDurationModel(sessions(40, 'core', 5)).failureRate).toBeLessThan(0.05);
  });

  it('tolerates odd input: zero steps count as one, zero-length and non-finite sessions do not break the fit', () => {
    const history: DurationSample[] = [
      { featureId: 1, category: 'x', steps: 0, durationMs: 0, passed: true },
      { featureId: 2, category: 'x', steps: 3, durationMs: Number.NaN, passed: true },
      ...sessions(5, 'x', 5),
    ];
    const estimates = estimateDurations(history, [target(9, 'x', 0), target(10, 'x', 3)]);
    for (const value of estimates.values()) {
      expect(Number.isFinite(value)).toBe(true);
      expect(value).toBeGreaterThanOrEqual(1);
    }
    expect(fitDurationModel(history).samples).toBe(6);
  });

  it('is a pure function of its input: the same history in another order gives the same estimates', () => {
    const history = [...sessions(5, 'api', 4, 3), ...sessions(5, 'ui', 12, 8)];
    const targets = [target(1, 'api', 3), target(2, 'ui', 8), target(3, 'docs', 1, 1)];
    const forward = estimateDurations(history, targets);
    const backward = estimateDurations([...history].reverse(), targets);
    for (const t of targets) expect(backward.get(t.id)).toBeCloseTo(forward.get(t.id)!, 0);
    expect(DURATION_PRIOR.sessionMs).toBe(15 * MIN);
  });
});
