import { describe, expect, it } from 'vitest';
import { deriveRunOutcome, type RunEnding } from './run-outcome.js';

const ending = (over: Partial<RunEnding> = {}): RunEnding => ({
  status: 'finished',
  stopped: false,
  limitReached: false,
  budgetExhausted: false,
  noFeatures: false,
  counts: { total: 6, passing: 6, needs_input: 0 },
  ...over,
});

describe('deriveRunOutcome', () => {
  it('a clean end with every feature passing is finished', () => {
    expect(deriveRunOutcome(ending())).toBe('finished');
  });

  it('a clean end with features waiting for a person is input, even when others failed', () => {
    expect(deriveRunOutcome(ending({ counts: { total: 6, passing: 3, needs_input: 2 } }))).toBe('input');
  });

  it('a clean end with work left and nobody to ask (features out of attempts) is failed, not finished', () => {
    expect(deriveRunOutcome(ending({ counts: { total: 6, passing: 5, needs_input: 0 } }))).toBe('failed');
  });

  it('an empty backlog is never finished: zero of zero is not "all pass"', () => {
    expect(deriveRunOutcome(ending({ counts: { total: 0, passing: 0, needs_input: 0 } }))).toBe('failed');
  });

  it('a person stopping it is stopped, whatever the backlog says', () => {
    expect(deriveRunOutcome(ending({ stopped: true, counts: { total: 6, passing: 2, needs_input: 1 } }))).toBe(
      'stopped',
    );
  });

  it('the session limit reached with work left is stopped; with everything passing it is finished', () => {
    expect(deriveRunOutcome(ending({ limitReached: true, counts: { total: 6, passing: 2, needs_input: 1 } }))).toBe(
      'stopped',
    );
    expect(deriveRunOutcome(ending({ limitReached: true }))).toBe('finished');
  });

  it('a used-up budget is budget, even though the run drained and ended cleanly', () => {
    expect(deriveRunOutcome(ending({ budgetExhausted: true, counts: { total: 6, passing: 1, needs_input: 0 } }))).toBe(
      'budget',
    );
  });

  it('an initializer that created nothing is no_features, before failed', () => {
    expect(
      deriveRunOutcome(
        ending({ status: 'failed', noFeatures: true, counts: { total: 0, passing: 0, needs_input: 0 } }),
      ),
    ).toBe('no_features');
  });

  it('a runner error is failed even when everything passes; a dead runner is crashed before anything else', () => {
    expect(deriveRunOutcome(ending({ status: 'failed' }))).toBe('failed');
    expect(deriveRunOutcome(ending({ status: 'crashed', stopped: true, noFeatures: true }))).toBe('crashed');
  });
});
