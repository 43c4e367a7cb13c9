/**
 * The merge queue's lock: one per run. A landing (the landing check, the verification of the exact
 * commit, the optional verifier, the fast-forward of main) and a regression pass each hold it from
 * start to end, so the commit a verification saw is exactly what lands: main cannot move in between,
 * and a regression pass never verifies a main that a landing is about to change.
 */
export interface MergeQueue {
  /** Runs `work` when every earlier holder has finished (in the order they asked); a failure releases the lock too. */
  run<T>(work: () => Promise<T>): Promise<T>;
  /** Whether someone holds the lock now. */
  readonly busy: boolean;
}

export function createMergeQueue(): MergeQueue {
  let tail: Promise<void> = Promise.resolve();
  let holders = 0;
  return {
    run<T>(work: () => Promise<T>): Promise<T> {
      holders += 1;
      const turn = tail.then(work);
      // The next holder waits for this one to end, however it ends.
      tail = turn.then(
        () => undefined,
        () => undefined,
      );
      return turn.finally(() => {
        holders -= 1;
      });
    },
    get busy() {
      return holders > 0;
    },
  };
}
