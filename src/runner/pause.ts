import { existsSync } from 'node:fs';

const POLL_MS = 250;

/** Whether a drain was requested (the `.autocoder/.pause_drain` signal file exists). */
export function pauseRequested(signalFile: string): boolean {
  return existsSync(signalFile);
}

/**
 * Resolves once the pause is no longer asked for (`paused()` false: the pause file is gone and the run's control in
 * the database is withdrawn), `signal` aborts (stop), or `until()` says so (checked each poll).
 */
export function waitForResume(paused: () => boolean, signal: AbortSignal, until?: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (signal.aborted || !paused() || until?.() === true) {
        clearInterval(timer);
        signal.removeEventListener('abort', check);
        resolve();
      }
    };
    const timer = setInterval(check, POLL_MS);
    signal.addEventListener('abort', check, { once: true });
    check();
  });
}
