import { readdirSync, readFileSync } from 'node:fs';
import { sep } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * The processes that still use a session's temporary folder: Claude Code itself (the SDK ends
 * the stream before its child has exited and only kills it seconds later, unref'd) and anything
 * the agent started that outlived it (a dev server, a browser). They are found by the
 * environment every one of them inherited, `TMPDIR` (or `HOME`) inside the folder, which no
 * other process has. Linux only (it reads /proc); elsewhere nothing is found.
 */

const MARKED_VARS = ['TMPDIR', 'HOME'];

const inside = (value: string, dir: string) => value === dir || value.startsWith(dir + sep);

/** Whether an environment block (`/proc/<pid>/environ`: NUL-separated KEY=value) points into `dir`. */
export function environUses(environ: string, dir: string): boolean {
  for (const entry of environ.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0 && MARKED_VARS.includes(entry.slice(0, eq)) && inside(entry.slice(eq + 1), dir)) return true;
  }
  return false;
}

/** Pids of the live processes (ours excluded) whose TMPDIR or HOME is `dir` or inside it. */
export function processesUsing(dir: string, procRoot = '/proc'): number[] {
  let entries: string[];
  try {
    entries = readdirSync(procRoot);
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    let environ: string;
    try {
      // Another user's process (EACCES) or one that just exited (ENOENT): not ours to stop. A
      // zombie's environ is empty, so an exited process no longer counts.
      environ = readFileSync(`${procRoot}/${name}/environ`, 'latin1');
    } catch {
      continue;
    }
    if (environUses(environ, dir)) pids.push(pid);
  }
  return pids;
}

const signal = (pids: readonly number[], sig: NodeJS.Signals) => {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // Already gone (ESRCH) or not ours to signal (EPERM): either way there is nothing to stop.
      continue;
    }
  }
};

/** Polls until no process uses `dir` or `ms` passed (there is no event for another process's exit). */
async function gone(dir: string, ms: number, procRoot: string): Promise<number[]> {
  const until = Date.now() + ms;
  for (;;) {
    const left = processesUsing(dir, procRoot);
    if (left.length === 0 || Date.now() >= until) return left;
    await delay(25);
  }
}

export interface StopOptions {
  /** How long the processes get to exit after SIGTERM before SIGKILL. */
  readonly graceMs?: number;
  readonly procRoot?: string;
}

/**
 * Stops every process that still uses `dir` (SIGTERM, then SIGKILL after the grace period) and
 * waits until they are gone, so nothing writes into the folder while it is removed. Returns
 * the pids it found; an empty list costs one scan of /proc.
 */
export async function stopProcessesUsing(dir: string, options: StopOptions = {}): Promise<number[]> {
  const procRoot = options.procRoot ?? '/proc';
  const found = processesUsing(dir, procRoot);
  if (found.length === 0) return [];
  signal(found, 'SIGTERM');
  const stubborn = await gone(dir, options.graceMs ?? 2_000, procRoot);
  if (stubborn.length > 0) {
    signal(stubborn, 'SIGKILL');
    await gone(dir, 2_000, procRoot);
  }
  return found;
}
