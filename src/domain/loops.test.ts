import { describe, expect, it } from 'vitest';
import {
  failureFingerprint,
  NO_PROGRESS_TURN_LIMIT,
  noProgressDetector,
  repeatedCallDetector,
  repeatedFailure,
  REPEATED_CALL_LIMIT,
} from './loops.js';

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

describe('turns without progress', () => {
  /** One turn: each [name, input, result] is a call and its result; returns what the last result reported. */
  const turn = (d: ReturnType<typeof noProgressDetector>, calls: readonly (readonly [string, unknown, string])[]) => {
    calls.forEach(([name, input], i) => d.call(`t${i}`, name, input));
    return calls.map(([, , text], i) => d.result(`t${i}`, false, text)).at(-1);
  };

  it(`a cycle of calls that return nothing new trips it at the ${NO_PROGRESS_TURN_LIMIT}th idle turn`, () => {
    const d = noProgressDetector();
    // Reading two files in turn: new twice, then the same again and again (the same-call rule never sees this).
    const a = ['Read', { file_path: 'a.ts' }, 'const a = 1;'] as const;
    const b = ['Read', { file_path: 'b.ts' }, 'const b = 2;'] as const;
    expect(turn(d, [a])).toBe(false);
    expect(turn(d, [b])).toBe(false);
    const idle: (boolean | undefined)[] = [];
    for (let i = 0; i < NO_PROGRESS_TURN_LIMIT; i++) idle.push(turn(d, [i % 2 ? b : a]));
    expect(idle).toEqual([...Array<boolean>(NO_PROGRESS_TURN_LIMIT - 1).fill(false), true]);
  });

  it('a new result in a turn, even one of several calls, starts the count again', () => {
    const d = noProgressDetector(3);
    const same = ['Bash', { command: 'npm test' }, 'FAIL 1 test'] as const;
    expect([turn(d, [same]), turn(d, [same]), turn(d, [same])]).toEqual([false, false, false]);
    // An edit that changes the file is new; the test run after it is idle again.
    expect(turn(d, [['Edit', { file_path: 'a.ts', old_string: 'x', new_string: 'y' }, 'ok'], same])).toBe(false);
    expect([turn(d, [same]), turn(d, [same])]).toEqual([false, false]);
    expect(turn(d, [same])).toBe(true);
  });

  it('different commands with the same (empty) output are progress; the same arguments with another result too', () => {
    const d = noProgressDetector(2);
    expect(turn(d, [['Bash', { command: "sed -i 's/a/b/' x" }, '']])).toBe(false);
    expect(turn(d, [['Bash', { command: "sed -i 's/c/d/' x" }, '']])).toBe(false);
    expect(turn(d, [['Bash', { command: 'curl -s :3000/health' }, 'starting']])).toBe(false);
    expect(turn(d, [['Bash', { command: 'curl -s :3000/health' }, 'ok']])).toBe(false);
    expect(turn(d, [['Bash', { command: 'curl -s :3000/health' }, 'ok']])).toBe(false);
    expect(turn(d, [['Bash', { command: 'curl -s :3000/health' }, 'ok']])).toBe(true);
  });

  it('times and durations in a result do not make it new', () => {
    const d = noProgressDetector(2);
    const run = (at: string, took: string) =>
      ['Bash', { command: 'npm test' }, `1 failed at ${at}, took ${took}`] as const;
    expect(turn(d, [run('2026-12-06T10:00:00.000Z', '124ms')])).toBe(false);
    expect(turn(d, [run('2026-12-06T10:01:02.500Z', '98ms')])).toBe(false);
    expect(turn(d, [run('11:02:03', '1.5 s')])).toBe(true);
  });

  it('a turn closes only when every call of it has its result', () => {
    const d = noProgressDetector(1);
    d.call('x', 'Read', { file_path: 'a.ts' });
    expect(d.result('x', false, 'a')).toBe(false);
    d.call('x', 'Read', { file_path: 'a.ts' });
    d.call('y', 'Read', { file_path: 'b.ts' });
    expect(d.result('unknown', false, 'a result of no call')).toBe(false);
    expect(d.result('x', false, 'a')).toBe(false);
    // The turn ends with y's result, which is new: progress.
    expect(d.result('y', false, 'b')).toBe(false);
    d.call('z', 'Read', { file_path: 'b.ts' });
    expect(d.result('z', false, 'b')).toBe(true);
  });
});
