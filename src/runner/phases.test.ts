import { describe, expect, it } from 'vitest';
import { phaseTotals, timePhase, timePhaseAsync, type HarnessPhase } from './phases.js';

describe('phase recorder', () => {
  it('tells the recorder each phase once per call, also when the phase throws', async () => {
    const seen: HarnessPhase[] = [];
    const recorder = { record: (phase: HarnessPhase, ms: number) => (ms >= 0 ? seen.push(phase) : undefined) };
    expect(timePhase(recorder, 'worktree', () => 7)).toBe(7);
    expect(() =>
      timePhase(recorder, 'settings', () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    await expect(timePhaseAsync(recorder, 'session-end', () => Promise.reject(new Error('late')))).rejects.toThrow(
      'late',
    );
    expect(await timePhaseAsync(recorder, 'landing', () => Promise.resolve('ok'))).toBe('ok');
    expect(seen).toEqual(['worktree', 'settings', 'session-end', 'landing']);
  });

  it('without a recorder the work runs as it is', async () => {
    expect(timePhase(undefined, 'claim', () => 'x')).toBe('x');
    expect(await timePhaseAsync(undefined, 'claim', () => Promise.resolve('y'))).toBe('y');
  });

  it('sums each phase and divides by the session count, in session order', () => {
    const totals = phaseTotals();
    totals.record('session-end', 30);
    totals.record('worktree', 10);
    totals.record('worktree', 20);
    expect(totals.perSession(2)).toEqual([
      { phase: 'worktree', ms: 15 },
      { phase: 'session-end', ms: 15 },
    ]);
    totals.reset();
    expect(totals.perSession(2)).toEqual([]);
  });
});
