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

/**
 * A signal that aborts when `ms` pass or one of `signals` aborts. Its timer is held until `clear()` (call it when the
 * work is done): Node 20's `AbortSignal.any([AbortSignal.timeout(ms)])` holds the timeout signal weakly, a garbage
 * collection can take it with its timer, and the composite then never aborts (nodejs/node#57736; tested).
 */
export function timeLimit(
  ms: number,
  ...signals: readonly AbortSignal[]
): { readonly signal: AbortSignal; clear(): void } {
  const limit = new AbortController();
  const timer = setTimeout(() => limit.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError')), ms);
  const onAbort = (event: Event) => limit.abort((event.target as AbortSignal).reason);
  for (const s of signals) {
    if (s.aborted) limit.abort(s.reason);
    else s.addEventListener('abort', onAbort, { once: true });
  }
  return {
    signal: limit.signal,
    clear: () => {
      clearTimeout(timer);
      for (const s of signals) s.removeEventListener('abort', onAbort);
    },
  };
}

/** Waits for `work` until it settles, `ms` pass or `signal` aborts (see timeLimit). */
export async function within<T>(work: Promise<T>, ms: number, signal?: AbortSignal): Promise<Bounded<T>> {
  const limit = timeLimit(ms, ...(signal ? [signal] : []));
  try {
    return await untilStopped(work, limit.signal);
  } finally {
    limit.clear();
  }
}

/** True when `work` finished within `ms`. */
export async function settledWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  return (await within(work, ms)).settled;
}
