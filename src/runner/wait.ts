/** Resolves at `until` (ms epoch) or as soon as `signal` aborts, whichever is first. */
export function waitUntil(until: number, now: () => number, signal: AbortSignal): Promise<void> {
  const delay = Math.max(0, until - now());
  if (delay === 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, delay);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
