import { createHash } from 'node:crypto';
import { realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'unbash';
import { AppError } from '../domain/errors.js';
import {
  findJailTools,
  HOME_CACHE_DIRS,
  JAIL_MARKER_VAR,
  jailArgv,
  planJail,
  SHARED_TEMP_DIRS,
  type HiddenPath,
  type JailPlan,
  type JailTools,
} from '../jail/jail.js';
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
export const INIT_JAIL_MARKER_VAR = JAIL_MARKER_VAR;

/**
 * Paths the jail's script may name without quoting (the rewritten command and the excluded pattern must match word for
 * word).
 */
const PLAIN_PATH = /^\/[A-Za-z0-9._/+-]*$/;

export { HOME_CACHE_DIRS, SHARED_TEMP_DIRS, type HiddenPath };

/** The plan of an agent session's jail (see jail/jail.ts). */
export type InitJailPlan = JailPlan;

/** The bubblewrap arguments of the jail (see `jailArgv`). Pure. */
export const initJailArgv = jailArgv;

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
    throw new AppError(
      'INVALID_INPUT',
      `./init.sh cannot be jailed from the temp folder ${dir}: its path may hold only letters, digits and . _ / + -. Set TMPDIR to such a folder (or run with --sandbox off)`,
    );
  }
}

/** The programs the jail needs, when it can run here (Linux with bubblewrap and bash). */
export type InitJailTools = JailTools;
export const findInitJailTools = findJailTools;

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
  const plan = planJail({
    tools: input.tools,
    cwd: input.cwd,
    privateDir: input.sessionDir,
    env: input.env,
    hidden: input.hidden,
    tempDir: input.tempDir,
    marker: initJailMarker(realpathSync(input.projectRoot), input.port),
  });
  writeFileSync(jail, initJailScript(plan), { mode: 0o700 });
  return jail;
}
