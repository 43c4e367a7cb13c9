import { existsSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { findOnPath } from '../config/sandbox-support.js';
import { git } from '../git/git.js';
import { PROTECTED_DIRS } from '../security/paths.js';

const posix = path.posix;

/**
 * The bubblewrap jail autocoder runs programs in that must share the host's network (so the app
 * they start, or reach, is reachable on loopback) while the rest of the machine stays out of
 * reach: `./init.sh` and its app for agents (runner/init-jail.ts), and the acceptance checks and
 * the app of a verification (verify/). It hides the control plane and the user's credentials,
 * makes the host read-only and the working folder writable: see docs/security.md §2.5.
 */

/** Set in the jail's environment and visible in its command line: marks the jails of one slot or verification. */
export const JAIL_MARKER_VAR = 'AUTOCODER_INIT_JAIL';

/**
 * Temp folders every jail gets as empty private ones: other sessions' files and the user's sockets (tmux, ssh-agent,
 * D-Bus) live there.
 */
export const SHARED_TEMP_DIRS = ['/tmp', '/var/tmp', '/run/user'] as const;

/**
 * Caches under the user's own home that `npm install` and native builds (node-gyp) write; the rest of that home is
 * read-only in the jail.
 */
export const HOME_CACHE_DIRS = ['.npm', '.cache'] as const;

export interface HiddenPath {
  readonly path: string;
  /** A folder is covered by an empty tmpfs, a file by /dev/null. */
  readonly kind: 'dir' | 'file';
}

export interface JailPlan {
  readonly bwrap: string;
  /** The bash the jail runs with (absolute, so no PATH entry chooses it). */
  readonly bash: string;
  /**
   * Where the jailed programs run (a session's working folder, a verification's checkout): writable, except the folders
   * the policy protects (`PROTECTED_DIRS`).
   */
  readonly projectDir: string;
  /** Folders covered by an empty, private, writable tmpfs. */
  readonly privateDirs: readonly string[];
  /** Empty writable folders made inside the private ones (the private TMPDIR, a private HOME). */
  readonly emptyDirs: readonly string[];
  /** Host folders the jail may write (npm's cache); skipped when missing. */
  readonly writable: readonly string[];
  /** Host folders the jail may read although a private folder hides them (a worktree's shared `.git`). */
  readonly readOnly: readonly string[];
  /** What the jail must not see: autocoder's home (the server token, the registry), credentials, other projects. */
  readonly hidden: readonly HiddenPath[];
  /** Variables set inside the jail (TMPDIR points at the private one). */
  readonly env: Readonly<Record<string, string>>;
  /** Names one jail (or the jails of one slot), so whoever started it can find what runs in it. */
  readonly marker: string;
  /**
   * The jail ends when the bwrap that started it is killed (bwrap's `--die-with-parent` on its
   * init): a verification stops its checks and app by killing that one process group. Agents'
   * jails do not set it, since the app must outlive the `./init.sh` that started it.
   */
  readonly dieWithParent?: boolean;
}

/**
 * The bubblewrap arguments of the jail, in mount order (later mounts cover earlier ones).
 * Namespaces: its own user (no capabilities, so no mount can be undone), PID (with a fresh
 * /proc: `/proc/<pid>/root` of a process outside would otherwise reach around every mount),
 * IPC and terminal session (no keystrokes into the user's terminal); never the network, so the
 * app stays reachable on the host's loopback. Pure.
 */
export function jailArgv(plan: JailPlan): string[] {
  const project = plan.projectDir;
  return [
    '--unshare-user',
    '--unshare-pid',
    '--unshare-ipc',
    '--new-session',
    ...(plan.dieWithParent ? ['--die-with-parent'] : []),
    '--cap-drop',
    'ALL',
    '--ro-bind',
    '/',
    '/',
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    ...plan.privateDirs.flatMap((d) => ['--tmpfs', d]),
    ...plan.emptyDirs.flatMap((d) => ['--dir', d]),
    '--bind',
    project,
    project,
    ...PROTECTED_DIRS.flatMap((d) => ['--ro-bind-try', posix.join(project, d), posix.join(project, d)]),
    ...plan.readOnly.flatMap((d) => ['--ro-bind', d, d]),
    ...plan.writable.flatMap((d) => ['--bind-try', d, d]),
    ...plan.hidden.flatMap((h) => (h.kind === 'dir' ? ['--tmpfs', h.path] : ['--ro-bind', '/dev/null', h.path])),
    ...Object.entries(plan.env).flatMap(([k, v]) => ['--setenv', k, v]),
    '--setenv',
    JAIL_MARKER_VAR,
    plan.marker,
  ];
}

/** The programs the jail needs, when it can run here (Linux with bubblewrap and bash). */
export interface JailTools {
  readonly bwrap: string;
  readonly bash: string;
}

export function findJailTools(platform: NodeJS.Platform, pathVar: string | undefined): JailTools | null {
  if (platform !== 'linux') return null;
  const bwrap = findOnPath('bwrap', pathVar);
  const bash = findOnPath('bash', pathVar);
  return bwrap && bash ? { bwrap, bash } : null;
}

export interface JailInput {
  readonly tools: JailTools;
  /** The folder the jailed programs work in (a slot's worktree, the project root, a verification's checkout). */
  readonly cwd: string;
  /**
   * The owner's own temp folder (a session's, a verification's): a TMPDIR or HOME inside it becomes an empty private
   * folder in the jail.
   */
  readonly privateDir: string;
  /** The environment the jailed programs get (their HOME and TMPDIR). */
  readonly env: Readonly<Record<string, string>>;
  /** What to hide (`sandboxReadDenyPaths`); paths that do not exist are skipped. */
  readonly hidden: readonly string[];
  /** The system temp folder, where the owners' folders live (private in the jail too). */
  readonly tempDir: string;
  readonly marker: string;
  readonly dieWithParent?: boolean;
}

/**
 * The jail's plan from what exists now (a folder is hidden by a tmpfs, a file by /dev/null).
 * With the user's own home as HOME, its npm cache folders are created if missing (a read-only
 * home could not get them later).
 */
export function planJail(input: JailInput): JailPlan {
  const real = (p: string) => realpathSync(p);
  const projectDir = real(input.cwd);
  const ownDir = real(input.privateDir);
  const inside = (p: string, dir: string) => {
    const rel = posix.relative(dir, p);
    return rel === '' || (!rel.startsWith('..') && !posix.isAbsolute(rel));
  };
  const privateDirs = [
    ...new Set(
      [...SHARED_TEMP_DIRS, input.tempDir].filter((d) => existsSync(d) && statSync(d).isDirectory()).map(real),
    ),
  ];
  const tmp = input.env.TMPDIR && existsSync(input.env.TMPDIR) ? real(input.env.TMPDIR) : undefined;
  const home = input.env.HOME;
  const emptyDirs: string[] = [];
  const writable: string[] = [];
  if (tmp && inside(tmp, ownDir)) emptyDirs.push(tmp);
  if (home && existsSync(home) && inside(real(home), ownDir)) {
    emptyDirs.push(real(home));
  } else if (home && existsSync(home)) {
    for (const cache of HOME_CACHE_DIRS) {
      mkdirSync(posix.join(home, cache), { recursive: true });
      writable.push(real(posix.join(home, cache)));
    }
  }
  // A worktree's commits live in the project's shared .git, outside it: readable, so git works in the jail.
  const common = git(projectDir, ['rev-parse', '--git-common-dir']);
  const commonDir = common.status === 0 ? real(posix.resolve(projectDir, common.stdout.trim())) : projectDir;
  const readOnly = inside(commonDir, projectDir) ? [] : [commonDir];
  const hidden = input.hidden
    .filter((p) => existsSync(p))
    .map((p): HiddenPath => ({ path: real(p), kind: statSync(p).isDirectory() ? 'dir' : 'file' }));
  return {
    ...input.tools,
    projectDir,
    privateDirs,
    emptyDirs,
    writable,
    readOnly,
    hidden,
    env: tmp ? { TMPDIR: tmp } : {},
    marker: input.marker,
    ...(input.dieWithParent ? { dieWithParent: true } : {}),
  };
}
