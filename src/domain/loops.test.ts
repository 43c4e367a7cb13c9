import { describe, expect, it } from 'vitest';
import { failureFingerprint, repeatedCallDetector, repeatedFailure, REPEATED_CALL_LIMIT } from './loops.js';

describe('failure fingerprints', () => {
  it('two failures that differ only in ids, numbers, paths, times and quotes have the same fingerprint', () => {
    const a = failureFingerprint(
      'Verification ver_4c5f68c25244 failed: check 2 `npm test` exited 1 in /tmp/ac-x1/wt/slot-0 at 2026-12-06T08:10:00.123Z',
    );
    const b = failureFingerprint(
      'verification ver_82a658903fb5 failed:  check 3 "npm test" exited 2 in /tmp/ac-y7/wt/slot-1 at 2026-12-06T09:11:02Z',
    );
    expect(a).toBe(b);
    expect(a).toBe('verification <id> failed: check <n> "npm test" exited <n> in <path> at <time>');
  });

  it('different failures stay different', () => {
    expect(failureFingerprint('the session ended with max_turns')).not.toBe(
      failureFingerprint('the session ended without marking the feature passing'),
    );
  });

  it('is capped at 300 characters', () => {
    expect(failureFingerprint('x'.repeat(1000))).toHaveLength(300);
  });
});

describe('repeated failures', () => {
  const failed = (reason: string) => ({ kind: 'failed' as const, reason });
  const reset = { kind: 'reset' as const };

  it('the two newest failures the same way, nothing between: the evidence, oldest first', () => {
    expect(repeatedFailure([failed('exit 2 at 10:01'), failed('exit 1 at 09:00'), failed('other')])).toEqual({
      fingerprint: 'exit <n> at <n>:<n>',
      reasons: ['exit 1 at 09:00', 'exit 2 at 10:01'],
    });
  });

  it('none when they differ, when only one failed, or when a reset (an answer, a pass) came between or after', () => {
    expect(repeatedFailure([failed('a'), failed('b')])).toBeNull();
    expect(repeatedFailure([failed('a')])).toBeNull();
    expect(repeatedFailure([failed('a'), reset, failed('a')])).toBeNull();
    expect(repeatedFailure([reset, failed('a'), failed('a')])).toBeNull();
    expect(repeatedFailure([])).toBeNull();
  });
});

describe('repeated tool calls', () => {
  it(`the ${REPEATED_CALL_LIMIT}th identical call in a row trips it; key order does not matter`, () => {
    const d = repeatedCallDetector();
    const seen = [1, 2, 3, 4].map((i) =>
      d.see('Bash', i % 2 ? { command: 'ls', timeout: 5 } : { timeout: 5, command: 'ls' }),
    );
    expect(seen).toEqual([false, false, false, false]);
    expect(d.see('Bash', { command: 'ls', timeout: 5 })).toBe(true);
  });

  it('another call, or other arguments, start the count again', () => {
    const d = repeatedCallDetector(3);
    expect([d.see('Read', { p: 1 }), d.see('Read', { p: 1 }), d.see('Read', { p: 2 })]).toEqual([false, false, false]);
    expect([d.see('Read', { p: 2 }), d.see('Write', { p: 2 }), d.see('Write', { p: 2 })]).toEqual([
      false,
      false,
      false,
    ]);
    expect(d.see('Write', { p: 2 })).toBe(true);
  });
});
