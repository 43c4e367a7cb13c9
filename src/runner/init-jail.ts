import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'unbash';
import { findOnPath } from '../config/sandbox-support.js';
import { AppError } from '../domain/errors.js';
import { git } from '../git/git.js';
import { PROTECTED_DIRS } from '../security/paths.js';
import { isDenial, literalWord } from '../security/shell-words.js';

const posix = path.posix;

/**
 * The jail `./init.sh` runs in while the OS sandbox is on (Linux). Claude Code's sandbox gives
 * each command its own network namespace, so a server started inside it could not be reached by
 * curl, playwright-cli or the runner; `./init.sh` therefore runs outside that sandbox. This jail
 * (bubblewrap, like the sandbox) keeps the host's network but, with the other namespaces of its
 * own, hides autocoder's control plane and the user's credentials from init.sh and the app it
 * starts: see docs/security.md §2.5.
 *
 * The runner writes the jail as a script into the session's temp folder and the PreToolUse
 * guard rewrites exactly `./init.sh [args]` into `<script> ./init.sh [args]`; Claude Code's
 * `excludedCommands` names that rewritten form, so only it leaves the sandbox. The agent cannot
 * edit or call the script itself: it lies outside the project, where the file guard and the
 * Bash policy refuse to go.
 */
export const INIT_JAIL_FILE = 'init-jail';

/** Set in the jail's environment and visible in its command line: marks the jails of one slot. */
export const INIT_JAIL_MARKER_VAR = 'AUTOCODER_INIT_JAIL';

/** Paths the jail's script may name without quoting (the rewritten command and the excluded pattern must match word for word). */
const PLAIN_PATH = /^\/[A-Za-z0-9._/+-]*$/;

/** Temp folders every jail gets as empty private ones: other sessions' files and the user's sockets (tmux, ssh-agent, D-Bus) live there. */
export const SHARED_TEMP_DIRS = ['/tmp', '/var/tmp', '/run/user'] as const;

/** Caches under the user's own home that `npm install` and native builds (node-gyp) write; the rest of that home is read-only in the jail. */
export const HOME_CACHE_DIRS = ['.npm', '.cache'] as const;

export interface HiddenPath {
  readonly path: string;
  /** A folder is covered by an empty tmpfs, a file by /dev/null. */
  readonly kind: 'dir' | 'file';
}

export interface InitJailPlan {
  readonly bwrap: string;
  /** The bash the script runs with (absolute, so no PATH entry chooses it). */
  readonly bash: string;
  /** Where init.sh runs (the session's working folder): writable, except the folders the policy protects (`PROTECTED_DIRS`). */
  readonly projectDir: string;
  /** Folders covered by an empty, private, writable tmpfs. */
  readonly privateDirs: readonly string[];
  /** Empty writable folders made inside the private ones (the session's TMPDIR, a per-session HOME). */
  readonly emptyDirs: readonly string[];
  /** Host folders the app may write (npm's cache); skipped when missing. */
  readonly writable: readonly string[];
  /** Host folders the app may read although a private folder hides them (a worktree's shared `.git`). */
  readonly readOnly: readonly string[];
  /** What the app must not see: autocoder's home (the server token, the registry), credentials, other projects. */
  readonly hidden: readonly HiddenPath[];
  /** Variables set inside the jail (TMPDIR points at the private one). */
  readonly env: Readonly<Record<string, string>>;
  /** Names the jails of one slot, so the next `./init.sh` there can stop what the last one started (`initJailMarker`). */
  readonly marker: string;
}

/**
 * The bubblewrap arguments of the jail, in mount order (later mounts cover earlier ones).
 * Namespaces: its own user (no capabilities, so no mount can be undone), PID (with a fresh
 * /proc: `/proc/<pid>/root` of a process outside would otherwise reach around every mount),
 * IPC and terminal session (no keystrokes into the user's terminal); never the network, so the
 * app stays reachable on the host's loopback. Pure.
 */
export function initJailArgv(plan: InitJailPlan): string[] {
  const project = plan.projectDir;
  return [
    '--unshare-user',
    '--unshare-pid',
    '--unshare-ipc',
    '--new-session',
    '--cap-drop', 'ALL',
    '--ro-bind', '/', '/',
    '--dev', '/dev',
    '--proc', '/proc',
    ...plan.privateDirs.flatMap((d) => ['--tmpfs', d]),
    ...plan.emptyDirs.flatMap((d) => ['--dir', d]),
    '--bind', project, project,
    ...PROTECTED_DIRS.flatMap((d) => ['--ro-bind-try', posix.join(project, d), posix.join(project, d)]),
    ...plan.readOnly.flatMap((d) => ['--ro-bind', d, d]),
    ...plan.writable.flatMap((d) => ['--bind-try', d, d]),
    ...plan.hidden.flatMap((h) => (h.kind === 'dir' ? ['--tmpfs', h.path] : ['--ro-bind', '/dev/null', h.path])),
    ...Object.entries(plan.env).flatMap(([k, v]) => ['--setenv', k, v]),
    '--setenv', INIT_JAIL_MARKER_VAR, plan.marker,
  ];
}

/** One shell word that stands for exactly `s`. */
export const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The jail script. Each run gets a PID namespace of its own, so an init.sh can no longer see,
 * let alone stop, the server the previous `./init.sh` of its slot started (which would keep the
 * port and serve old code); the script stops that jail first, as init.sh would have: killing a
 * PID namespace's first process ends every process in it. It then waits (up to 5 s) until the
 * namespace is gone, so the port is free. Pure.
 */
export function initJailScript(plan: InitJailPlan): string {
  const marker = shellQuote(plan.marker);
  return [
    `#!${plan.bash}`,
    '# Written by autocoder for one agent session: runs ./init.sh in a jail (docs/security.md §2.5).',
    '# The agent cannot change or call this file; it lies outside the project.',
    `marker=${marker}`,
    'if command -v pkill > /dev/null 2>&1; then',
    '  pkill -KILL -f -- "$marker"',
    '  for ((i = 0; i < 100; i++)); do pgrep -f -- "$marker" > /dev/null || break; sleep 0.05; done',
    'fi',
    `exec ${[plan.bwrap, ...initJailArgv(plan)].map(shellQuote).join(' ')} -- "$@"`,
    '',
  ].join('\n');
}

/** The marker of a slot's jails: one per project and port (a slot's app listens on its port). */
export function initJailMarker(projectRoot: string, port: number): string {
  return `ac-jail-${createHash('sha256').update(`${projectRoot}\0${port}`).digest('hex').slice(0, 16)}`;
}

/**
 * `command` with `./init.sh` run through the jail, when it is exactly `./init.sh` and literal
 * arguments (no redirection, variable, pipe, list or background job); else null, and the
 * command runs as it is (inside the sandbox, where a server would be unreachable but harmless).
 * Pure.
 */
export function jailedInitCommand(command: string, jail: string): string | null {
  if (!PLAIN_PATH.test(jail)) return null;
  let script: ReturnType<typeof parse>;
  try {
    script = parse(command);
  } catch {
    return null;
  }
  const [only, ...more] = script.commands;
  if (only === undefined || more.length > 0 || only.background || only.command.type !== 'Command') return null;
  const cmd = only.command;
  if (cmd.name?.text !== './init.sh' || cmd.prefix.length > 0) return null;
  const args: string[] = [];
  for (const item of cmd.suffix) {
    if (item.type !== 'Word' || isDenial(literalWord(item))) return null;
    args.push(item.text);
  }
  return [jail, './init.sh', ...args].join(' ');
}

/** Claude Code's `excludedCommands` rule for the rewritten `./init.sh` (with or without arguments). */
export const jailedInitPattern = (jail: string): string => `${jail} ./init.sh:*`;

/**
 * Refuses a temp folder whose path the jailed command could not name as one plain word (the
 * rewritten command and Claude Code's excluded pattern must match word for word).
 */
export function assertJailableTempDir(dir: string): void {
  if (!PLAIN_PATH.test(dir)) {
    throw new AppError('INVALID_INPUT', `./init.sh cannot be jailed from the temp folder ${dir}: its path may hold only letters, digits and . _ / + -. Set TMPDIR to such a folder (or run with --sandbox off)`);
  }
}

/** The programs the jail needs, when it can run here (Linux with bubblewrap and bash). */
export interface InitJailTools {
  readonly bwrap: string;
  readonly bash: string;
}

export function findInitJailTools(platform: NodeJS.Platform, pathVar: string | undefined): InitJailTools | null {
  if (platform !== 'linux') return null;
  const bwrap = findOnPath('bwrap', pathVar);
  const bash = findOnPath('bash', pathVar);
  return bwrap && bash ? { bwrap, bash } : null;
}

export interface InitJailInput {
  readonly tools: InitJailTools;
  /** The session's own temp folder: the script goes there; the jail gets empty private copies of what lies in it. */
  readonly sessionDir: string;
  /** The folder the session works in (the project root or a slot's worktree). */
  readonly cwd: string;
  readonly projectRoot: string;
  /** The session's port: with the project, it names the slot whose previous jail a new one replaces. */
  readonly port: number;
  /** The session's environment (its HOME and TMPDIR). */
  readonly env: Readonly<Record<string, string>>;
  /** What to hide (`sandboxReadDenyPaths`); paths that do not exist are skipped. */
  readonly hidden: readonly string[];
  /** The runner's temp folder, where session folders live (private in the jail too). */
  readonly tempDir: string;
}

/**
 * Writes the session's jail script and returns its path. What exists decides the mounts (a
 * folder is hidden by a tmpfs, a file by /dev/null), so the script is written when the session
 * starts. With the user's own home as HOME, its npm cache folders are created if missing (a
 * read-only home could not get them later).
 */
export function writeInitJail(input: InitJailInput): string {
  const jail = posix.join(input.sessionDir, INIT_JAIL_FILE);
  assertJailableTempDir(jail);
  const real = (p: string) => realpathSync(p);
  const projectDir = real(input.cwd);
  const sessionDir = real(input.sessionDir);
  const inside = (p: string, dir: string) => {
    const rel = posix.relative(dir, p);
    return rel === '' || (!rel.startsWith('..') && !posix.isAbsolute(rel));
  };
  const privateDirs = [...new Set([...SHARED_TEMP_DIRS, input.tempDir].filter((d) => existsSync(d) && statSync(d).isDirectory()).map(real))];
  const tmp = input.env.TMPDIR && existsSync(input.env.TMPDIR) ? real(input.env.TMPDIR) : undefined;
  const home = input.env.HOME;
  const emptyDirs: string[] = [];
  const writable: string[] = [];
  if (tmp && inside(tmp, sessionDir)) emptyDirs.push(tmp);
  if (home && existsSync(home) && inside(real(home), sessionDir)) {
    emptyDirs.push(real(home));
  } else if (home && existsSync(home)) {
    for (const cache of HOME_CACHE_DIRS) {
      mkdirSync(posix.join(home, cache), { recursive: true });
      writable.push(real(posix.join(home, cache)));
    }
  }
  // A worktree's commits live in the project's shared .git, outside it: readable, so git works in init.sh.
  const common = git(projectDir, ['rev-parse', '--git-common-dir']);
  const commonDir = common.status === 0 ? real(posix.resolve(projectDir, common.stdout.trim())) : projectDir;
  const readOnly = inside(commonDir, projectDir) ? [] : [commonDir];
  const hidden = input.hidden.filter((p) => existsSync(p)).map((p): HiddenPath => ({ path: real(p), kind: statSync(p).isDirectory() ? 'dir' : 'file' }));
  const plan: InitJailPlan = {
    ...input.tools,
    projectDir,
    privateDirs,
    emptyDirs,
    writable,
    readOnly,
    hidden,
    env: tmp ? { TMPDIR: tmp } : {},
    marker: initJailMarker(real(input.projectRoot), input.port),
  };
  writeFileSync(jail, initJailScript(plan), { mode: 0o700 });
  return jail;
}
