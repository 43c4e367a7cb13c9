import { existsSync } from 'node:fs';

const POLL_MS = 250;

/** Whether a drain was requested (the `.autocoder/.pause_drain` signal file exists). */
export function pauseRequested(signalFile: string): boolean {
  return existsSync(signalFile);
}

/** Resolves once the signal file is gone (resume), `signal` aborts (stop), or `until()` says so (checked each poll). */
export function waitForResume(signalFile: string, signal: AbortSignal, until?: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (signal.aborted || !existsSync(signalFile) || until?.() === true) {
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
