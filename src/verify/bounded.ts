/**
 * Waiting for a browser that may never answer. Playwright's own timeouts cover element waits and
 * navigations, but not `newContext`, `newPage`, tracing or `close`: a Chromium that stops
 * answering (or a context closed while a page was being created: the page never comes) leaves
 * those promises pending for ever, and a verification awaiting them never ends, nor does the run
 * that waits for it. Whoever owns the browser stops it after giving up (its processes are found by
 * their TMPDIR), which rejects what was left pending.
 */

export type Bounded<T> = { readonly settled: true; readonly value: T } | { readonly settled: false };

/**
 * Waits for `work` until it settles or `stop` aborts, whichever comes first. A rejection of
 * `work` is rethrown; one that comes after giving up is swallowed (nobody awaits it any more).
 */
export async function untilStopped<T>(work: Promise<T>, stop: AbortSignal): Promise<Bounded<T>> {
  work.catch(() => undefined);
  if (stop.aborted) return { settled: false };
  let onStop: (() => void) | undefined;
  const stopped = new Promise<Bounded<T>>((resolve) => {
    onStop = () => resolve({ settled: false });
    stop.addEventListener('abort', onStop, { once: true });
  });
  try {
    return await Promise.race([work.then((value): Bounded<T> => ({ settled: true, value })), stopped]);
  } finally {
    if (onStop) stop.removeEventListener('abort', onStop);
  }
}

/** `untilStopped` with a time limit of its own: true when `work` finished within `ms`. */
export async function settledWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  return (await untilStopped(work, AbortSignal.timeout(ms))).settled;
}
