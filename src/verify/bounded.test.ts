import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { settledWithin, timeLimit, untilStopped, within } from './bounded.js';

const never = new Promise<never>(() => undefined);

describe('timeLimit', () => {
  it('aborts after its time with a TimeoutError, or with the reason of a signal it follows, whichever is first', async () => {
    const timed = timeLimit(20);
    await new Promise((resolve) => timed.signal.addEventListener('abort', resolve, { once: true }));
    expect((timed.signal.reason as Error).name).toBe('TimeoutError');
    const outer = new AbortController();
    const followed = timeLimit(60_000, outer.signal);
    outer.abort(new Error('stopped'));
    expect(followed.signal.aborted).toBe(true);
    expect((followed.signal.reason as Error).message).toBe('stopped');
    followed.clear();
  });

  // Node 20's AbortSignal.any([AbortSignal.timeout(ms)]) never aborts once a garbage collection took the timeout
  // signal (nodejs/node#57736): the same program with our limit must abort. Run in a child with --expose-gc.
  it('still aborts when a garbage collection runs while it waits (AbortSignal.any with AbortSignal.timeout does not)', () => {
    const program = (make: string) => `
      import { timeLimit } from ${JSON.stringify(join(import.meta.dirname, 'bounded.ts'))};
      const signal = ${make};
      let fired = false;
      signal.addEventListener('abort', () => { fired = true; });
      setTimeout(() => { console.log(JSON.stringify({ fired })); }, 400);
      for (let i = 0; i < 5; i++) { await new Promise((r) => setImmediate(r)); globalThis.gc(); }
    `;
    const run = (make: string) => {
      const child = spawnSync(
        process.execPath,
        ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', program(make)],
        { encoding: 'utf8', timeout: 30_000 },
      );
      expect(child.stderr).toBe('');
      return JSON.parse(child.stdout) as { fired: boolean };
    };
    // (On Node 20.20, the same program with `AbortSignal.any([AbortSignal.timeout(100)])` prints fired: false.)
    expect(run('timeLimit(100).signal')).toEqual({ fired: true });
  });
});

describe('within / untilStopped / settledWithin', () => {
  it('gives the value of work that settles in time, and rethrows its error', async () => {
    expect(await within(Promise.resolve(3), 1_000)).toEqual({ settled: true, value: 3 });
    await expect(within(Promise.reject(new Error('no')), 1_000)).rejects.toThrow('no');
  });

  it('gives up on work that never settles at the time limit or at once on abort', async () => {
    expect(await within(never, 20)).toEqual({ settled: false });
    const stop = new AbortController();
    const waiting = untilStopped(never, stop.signal);
    stop.abort();
    expect(await waiting).toEqual({ settled: false });
    expect(await settledWithin(never, 20)).toBe(false);
    expect(await settledWithin(Promise.resolve(), 1_000)).toBe(true);
  });
});
