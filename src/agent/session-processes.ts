import { readdirSync, readFileSync } from 'node:fs';
import { sep } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * The processes that still use a session's temporary folder: Claude Code itself (the SDK ends
 * the stream before its child has exited and only kills it seconds later, unref'd) and anything
 * the agent started that outlived it (a dev server, a browser). They are found by the
 * environment every one of them inherited, `TMPDIR` (or `HOME`) inside the folder, which no
 * other process has, and by descent from such a process (whatever it set in its children's
 * environment, or in its own). Linux only (it reads /proc); elsewhere nothing is found.
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

/** A process's parent pid and whether it has exited (a zombie), from `/proc/<pid>/stat`; null when it is gone. */
function statOf(procRoot: string, pid: string): { ppid: number; zombie: boolean } | null {
  try {
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after its last ")".
    const stat = readFileSync(`${procRoot}/${pid}/stat`, 'latin1');
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(ppid), zombie: state === 'Z' || state === 'X' };
  } catch {
    return null;
  }
}

/** Whether `pid` is still a running process (not gone, not a zombie waiting for its parent). */
export function stillRunning(pid: number, procRoot = '/proc'): boolean {
  const stat = statOf(procRoot, String(pid));
  return stat !== null && !stat.zombie;
}

/**
 * Pids of the live processes (ours excluded) whose TMPDIR or HOME is `dir` or inside it, and
 * their descendants: a process may rewrite its environment block (Chromium's renderers do, to
 * show their title there), and a wedged one would not exit with its parent.
 */
export function processesUsing(dir: string, procRoot = '/proc'): number[] {
  let entries: string[];
  try {
    entries = readdirSync(procRoot);
  } catch {
    return [];
  }
  const marked = new Set<number>();
  const parents = new Map<number, number>();
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    const stat = statOf(procRoot, name);
    if (stat === null || stat.zombie) continue;
    parents.set(pid, stat.ppid);
    let environ: string;
    try {
      // Another user's process (EACCES) or one that just exited (ENOENT): not ours to stop.
      environ = readFileSync(`${procRoot}/${name}/environ`, 'latin1');
    } catch {
      continue;
    }
    if (environUses(environ, dir)) marked.add(pid);
  }
  const under = (pid: number): boolean => {
    // Bounded by the number of processes: a loop in the table (it is read while it changes) cannot trap us.
    let p: number | undefined = pid;
    for (let steps = 0; p !== undefined && steps <= parents.size; steps += 1, p = parents.get(p)) {
      if (marked.has(p)) return true;
    }
    return false;
  };
  return [...parents.keys()].filter(under);
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

/**
 * Polls until none of `pids` runs any more and no process uses `dir`, or `ms` passed (there is no
 * event for another process's exit). The pids are followed by number: a descendant whose parent
 * died is no longer found under it.
 */
async function gone(dir: string, pids: readonly number[], ms: number, procRoot: string): Promise<number[]> {
  const until = Date.now() + ms;
  for (;;) {
    const left = [...new Set([...pids.filter((pid) => stillRunning(pid, procRoot)), ...processesUsing(dir, procRoot)])];
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
  const stubborn = await gone(dir, found, options.graceMs ?? 2_000, procRoot);
  if (stubborn.length > 0) {
    signal(stubborn, 'SIGKILL');
    await gone(dir, stubborn, 2_000, procRoot);
  }
  return found;
}
