import { existsSync } from 'node:fs';

const POLL_MS = 250;

/** Whether a drain was requested (the `.autocoder/.pause_drain` signal file exists). */
export function pauseRequested(signalFile: string): boolean {
  return existsSync(signalFile);
}

/** Resolves once the signal file is gone (resume) or `signal` aborts (stop). */
export function waitForResume(signalFile: string, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (signal.aborted || !existsSync(signalFile)) {
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
