import { describe, expect, it } from 'vitest';
import { createMergeQueue } from './merge-queue.js';

/** A promise and the function that resolves it. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('createMergeQueue', () => {
  it('runs holders one at a time, in the order they asked', async () => {
    const queue = createMergeQueue();
    const log: string[] = [];
    const first = gate();
    const a = queue.run(async () => {
      log.push('a start');
      await first.promise;
      log.push('a end');
      return 'a';
    });
    const b = queue.run(async () => {
      log.push('b start');
      await Promise.resolve();
      log.push('b end');
      return 'b';
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['a start']);
    expect(queue.busy).toBe(true);
    first.open();
    expect(await Promise.all([a, b])).toEqual(['a', 'b']);
    expect(log).toEqual(['a start', 'a end', 'b start', 'b end']);
    expect(queue.busy).toBe(false);
  });

  it('a holder that fails releases the lock; its caller gets the error', async () => {
    const queue = createMergeQueue();
    const failing = queue.run(() => Promise.reject(new Error('the verification failed')));
    const next = queue.run(() => Promise.resolve('landed'));
    await expect(failing).rejects.toThrow('the verification failed');
    expect(await next).toBe('landed');
    expect(queue.busy).toBe(false);
  });
});
