import { existsSync, mkdirSync, readFileSync, realpathSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { pidAlive } from '../agent/session-dirs.js';
import { copyEnvFile } from '../config/env-file.js';
import { AppError } from '../domain/errors.js';
import { gitAsync } from '../git/git.js';
import { checkoutVerificationWorktreeAsync, VERIFY_WORKTREE_PREFIX, WORKTREES_DIR } from '../git/workspaces.js';

/**
 * The checkout a verification runs in: a worktree of its own (`.autocoder/worktrees/verify-<n>`)
 * at exactly the commit being verified, reused from one verification to the next, so a
 * dependency install survives. Two verifications at once (a run's gate and `autocoder verify`)
 * never share one: each takes a lease on its number first.
 */

/** Folders of installed dependencies kept across verifications; everything else git does not track is removed. */
export const KEPT_DEPENDENCY_DIRS = ['node_modules', '.venv'] as const;

/** How many verifications of one project may run at once. */
export const MAX_VERIFY_WORKTREES = 8;

/** The app's `.env` (secrets humans answered): never committed, copied into the checkout as slots get it. */
const ENV_FILE = '.env';

export interface WorktreeLease {
  readonly n: number;
  release(): void;
}

/**
 * Takes the first free `verify-<n>`: a lock file `verify-<n>.lock` created exclusively, naming this
 * process. A lock whose process on this host is gone (a runner killed with -9) is taken over.
 */
export function leaseVerifyWorktree(root: string): WorktreeLease {
  const dir = join(realpathSync(root), WORKTREES_DIR);
  mkdirSync(dir, { recursive: true });
  for (let n = 0; n < MAX_VERIFY_WORKTREES; n += 1) {
    const lock = join(dir, `${VERIFY_WORKTREE_PREFIX}${n}.lock`);
    if (!tryLock(lock) && !(staleLock(lock) && tryLock(lock))) continue;
    let released = false;
    return {
      n,
      release() {
        if (released) return;
        released = true;
        try {
          unlinkSync(lock);
        } catch (err: unknown) {
          // Gone already is fine (someone found it stale); anything else would keep the worktree taken for good.
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
      },
    };
  }
  throw new AppError(
    'CONFLICT',
    `${MAX_VERIFY_WORKTREES} verifications of this project are running already; try again when one has finished`,
  );
}

function tryLock(lock: string): boolean {
  try {
    writeFileSync(lock, `${JSON.stringify({ pid: process.pid, host: hostname(), since: Date.now() })}\n`, {
      flag: 'wx',
    });
    return true;
  } catch (err: unknown) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/**
 * Removes the lock when it provably is nobody's: it names a process of this host that no longer
 * exists, or it is unreadable and older than a few seconds (a process died between creating and
 * writing it; a younger one may be being written right now). True when it did.
 */
function staleLock(lock: string): boolean {
  let owner: { pid?: unknown; host?: unknown } | null = null;
  try {
    owner = JSON.parse(readFileSync(lock, 'utf8')) as { pid?: unknown; host?: unknown };
  } catch (err: unknown) {
    // Removed meanwhile: free. Half written: decided by its age below.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
  }
  let stale: boolean;
  if (owner !== null && typeof owner.pid === 'number' && typeof owner.host === 'string')
    stale = owner.host === hostname() && !pidAlive(owner.pid);
  else stale = Date.now() - mtimeOf(lock) > 10_000;
  if (!stale) return false;
  try {
    unlinkSync(lock);
  } catch (err: unknown) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return true;
}

/** When the file was last written; 0 when it is gone (then nothing holds it). */
function mtimeOf(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch (err: unknown) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
}

/**
 * Checks `commit` out in the leased worktree and copies the project's `.env` in when the commit
 * does not track one. Returns the checkout's real path and the commit's full sha. Its git runs as
 * child processes the event loop does not wait for: a landing's verification, a checkpoint or a
 * design capture does not stall the other slots' sessions while a big tree is checked out and cleaned.
 */
export async function prepareCheckout(
  root: string,
  lease: WorktreeLease,
  commit: string,
): Promise<{ checkout: string; commit: string }> {
  const { path, commit: sha } = await checkoutVerificationWorktreeAsync(root, lease.n, commit, KEPT_DEPENDENCY_DIRS);
  const envFile = join(root, ENV_FILE);
  if (existsSync(envFile) && (await gitAsync(path, ['cat-file', '-e', `${sha}:${ENV_FILE}`])).status !== 0)
    copyEnvFile(envFile, join(path, ENV_FILE));
  return { checkout: realpathSync(path), commit: sha };
}
