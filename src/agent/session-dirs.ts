import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { stopProcessesUsing } from './session-processes.js';

/**
 * The temporary folders of agent sessions (`<system temp>/ac-…`, with the session's `home/`
 * and `tmp/`): each carries an owner marker, so that whoever finds one later can prove whose it
 * is. A run's session folders name the run and its incarnation (its `runs` row decides whether
 * the run is over); spec chats' and the demo model's folders name their process (its pid
 * decides). A session's folder is removed when the session ends; folders whose owner died
 * without removing them (kill -9, power loss) are swept by the next start.
 */

export const SESSION_DIR_PREFIX = 'ac-';
export const OWNER_FILE = 'owner.json';

export const OwnerMarkerSchema = z
  .object({
    version: z.literal(1),
    /**
     * What the folder is for: a run's agent session, a spec chat, the demo model's Claude config, a verification's
     * checks and app, an app preview.
     */
    purpose: z.enum(['session', 'spec-chat', 'demo-model', 'verification', 'preview']),
    /** The process that created it, on `host`. */
    pid: z.number().int().positive(),
    host: z.string().min(1),
    /** A run's session: the run (its row in the project's `runs` table) and that row's incarnation. */
    run: z
      .object({ id: z.string().min(1), incarnation: z.string().min(1) })
      .strict()
      .nullable(),
    /** The project root, for people reading the marker. */
    project: z.string().nullable(),
    /** Kept on purpose (--keep-temp): never swept. */
    keep: z.boolean(),
    createdAt: z.number().int(),
  })
  .strict();
export type OwnerMarker = z.infer<typeof OwnerMarkerSchema>;

/** Who creates a folder: the marker without what the process fills in itself. */
export type Owner = Pick<OwnerMarker, 'purpose' | 'run' | 'project' | 'keep'>;

/**
 * Creates `<base>/ac-<name>` (private: HOME may hold credentials) with its owner marker, and
 * `home/` and `tmp/` in it when `sessionFolders`. Fails if the folder exists: it is never shared.
 */
export function createOwnedDir(
  base: string,
  name: string,
  owner: Owner,
  options: { sessionFolders?: boolean; now?: number } = {},
): string {
  const dir = join(base, `${SESSION_DIR_PREFIX}${name}`);
  mkdirSync(dir, { mode: 0o700 });
  const marker: OwnerMarker = {
    version: 1,
    ...owner,
    pid: process.pid,
    host: hostname(),
    createdAt: options.now ?? Date.now(),
  };
  writeFileSync(join(dir, OWNER_FILE), `${JSON.stringify(marker)}\n`, { mode: 0o600 });
  if (options.sessionFolders ?? true) {
    mkdirSync(join(dir, 'home'), { mode: 0o700 });
    mkdirSync(join(dir, 'tmp'), { mode: 0o700 });
  }
  return dir;
}

/** A session's folder under the system temp folder (see createOwnedDir). */
export function createSessionDir(name: string, owner: Owner, base: string = tmpdir()): string {
  return createOwnedDir(base, name, owner);
}

/** The folder's owner marker, or null when it has none or an unreadable one (then it is nobody's we know). */
export function readOwner(dir: string): OwnerMarker | null {
  try {
    const parsed = OwnerMarkerSchema.safeParse(JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * Gives the owner write access to every folder under `dir` (symlinks are not followed), so their entries can be
 * unlinked.
 */
function makeWritable(dir: string): void {
  try {
    if (!lstatSync(dir).isDirectory()) return;
    chmodSync(dir, 0o700);
    for (const entry of readdirSync(dir, { withFileTypes: true }))
      if (entry.isDirectory()) makeWritable(join(dir, entry.name));
  } catch {
    // Gone meanwhile, or not ours: nothing to open up below here; rmSync then reports what still cannot be removed.
    return;
  }
}

/**
 * Removes a folder and everything in it. Sockets and read-only files unlink like any file; a
 * read-only folder (Go's module cache makes them) is made writable first, since its entries
 * cannot be unlinked otherwise. Retries on EBUSY/ENOTEMPTY (something was still closing).
 */
export function removeDir(dir: string): void {
  const rm = () => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  try {
    rm();
  } catch (err: unknown) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EPERM') throw err;
    makeWritable(dir);
    rm();
  }
}

/** Stops the processes that still use the folder (Claude Code, what the agent started), then removes it. */
export async function disposeDir(dir: string): Promise<void> {
  await stopProcessesUsing(dir);
  removeDir(dir);
}

/** What a sweep knows about owners. */
export interface OwnerFacts {
  readonly host: string;
  readonly pidAlive: (pid: number) => boolean;
  /**
   * Whether the run the marker names is over (its row says it ended) — answered only by a
   * runner, from its project's `runs` table; false when the run is not one of that project's.
   * Without it, run folders are never swept.
   */
  readonly runIsOver?: (run: { readonly id: string; readonly incarnation: string }, pid: number) => boolean;
}

/**
 * Whether a marked folder's owner is gone for good, so the folder is an orphan. Anything not
 * provably gone is kept: another host's folder (its pids mean nothing here), a folder kept on
 * purpose, a live process's, a run that is not over or not this project's.
 */
export function ownerIsGone(marker: OwnerMarker, facts: OwnerFacts): boolean {
  if (marker.keep || marker.host !== facts.host) return false;
  if (marker.run !== null) return facts.runIsOver?.(marker.run, marker.pid) ?? false;
  return !facts.pidAlive(marker.pid);
}

/** Whether a process with this pid exists (EPERM: it does, as another user's). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err: unknown) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the orphaned session folders directly under `base`: `ac-…` folders (real folders,
 * not symlinks) of this user whose marker proves their owner gone; processes still using one
 * are stopped first. Folders without a valid marker are never touched. Returns the removed
 * folders.
 */
export async function sweepOrphanedDirs(facts: Partial<OwnerFacts> = {}, base: string = tmpdir()): Promise<string[]> {
  const all: OwnerFacts = { host: hostname(), pidAlive, ...facts };
  let entries;
  try {
    entries = readdirSync(base, { withFileTypes: true });
  } catch {
    return [];
  }
  const uid = process.getuid?.();
  const removed: string[] = [];
  for (const entry of entries) {
    if (!entry.name.startsWith(SESSION_DIR_PREFIX) || !entry.isDirectory()) continue;
    const dir = join(base, entry.name);
    try {
      if (uid !== undefined && lstatSync(dir).uid !== uid) continue;
    } catch {
      continue;
    }
    const marker = readOwner(dir);
    if (marker === null || !ownerIsGone(marker, all)) continue;
    try {
      await disposeDir(dir);
      removed.push(dir);
    } catch {
      // Left for the next sweep (it is not in `removed`); one stubborn folder must not stop a run from starting.
      continue;
    }
  }
  return removed;
}
