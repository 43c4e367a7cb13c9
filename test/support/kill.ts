/**
 * Sends `signal` to a process (a negative pid: its whole group) that may have ended already, as
 * test cleanup does: "no such process" is the expected way to fail, anything else is an error.
 */
export function killIfRunning(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (err: unknown) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}
