import path from 'node:path';
import { sandboxSupport } from '../config/sandbox-support.js';
import { AppError } from '../domain/errors.js';
import { jailedInitPattern } from './init-jail.js';

const posix = path.posix;

export { sandboxSupport };

export type SandboxMode = 'auto' | 'on' | 'off';

export interface SandboxDecision {
  readonly enabled: boolean;
  /** Said to the user when the sandbox is off although they did not ask for that. */
  readonly warning: string | null;
}

/** auto = on where available (with a warning where not); on = refuse to run without it. */
export function decideSandbox(
  mode: SandboxMode,
  platform: NodeJS.Platform,
  pathVar: string | undefined,
): SandboxDecision {
  if (mode === 'off') return { enabled: false, warning: null };
  const support = sandboxSupport(platform, pathVar);
  if (support.available) return { enabled: true, warning: null };
  if (mode === 'on')
    throw new AppError(
      'INVALID_INPUT',
      `--sandbox on was requested, but the OS sandbox is not available: ${support.fix}`,
    );
  return {
    enabled: false,
    warning: `Warning: agents run WITHOUT the OS sandbox (${support.fix}). Only the command policy protects this machine.`,
  };
}

/**
 * Commands that run outside the sandbox so the app can be reached: `./init.sh` starts the app
 * on the host, and `curl` / `playwright-cli` (both limited to localhost by the command
 * policy) talk to it. A sandboxed server lives in its own network namespace and a sandboxed
 * playwright-cli cannot start its browser (see docs/security.md).
 */
export const UNSANDBOXED_COMMANDS = ['./init.sh', 'curl:*', 'playwright-cli:*'] as const;

/**
 * `UNSANDBOXED_COMMANDS` for one session: where `./init.sh` runs in the jail (see init-jail.ts),
 * only its jailed form leaves the sandbox, so a `./init.sh` the guard did not rewrite stays in it.
 */
export function unsandboxedCommands(initJail: string | null): string[] {
  return UNSANDBOXED_COMMANDS.map((c) => (c === './init.sh' && initJail !== null ? jailedInitPattern(initJail) : c));
}

/**
 * Paths Claude Code's sandbox masks inside the working folder (it mounts /dev/null over shell
 * and editor config so a sandboxed command cannot plant hooks there). Inside the sandbox they
 * show up as untracked device files that `git add -A` refuses, so the runner lists them in the
 * repository's local exclude file.
 */
export const SANDBOX_MASKED_PATHS = [
  '.bash_profile',
  '.bashrc',
  '.profile',
  '.zprofile',
  '.zshrc',
  '.gitconfig',
  '.gitmodules',
  '.ripgreprc',
  '.mcp.json',
  '.idea',
  '.vscode',
  '.claude/',
] as const;

/**
 * Places under a home folder where credentials live: keys, cloud and registry tokens, Claude
 * Code's own login and history, autocoder's default home. No sandboxed command may read them.
 */
export const HOME_SECRET_PATHS = [
  '.ssh',
  '.aws',
  '.azure',
  '.config/gcloud',
  '.config/gh',
  '.kube',
  '.docker',
  '.gnupg',
  '.netrc',
  '.git-credentials',
  '.npmrc',
  '.pypirc',
  '.claude',
  '.claude.json',
  '.autocoder',
] as const;

export interface ReadDenyInput {
  /** Home folders to protect: the user's real one (a session may have its own HOME). */
  readonly homes: readonly string[];
  /** `$AUTOCODER_HOME`: registry, server token, stored secrets. */
  readonly autocoderHome: string;
  /** Claude Code's configuration folder when it is not under a home (credentials, transcripts). */
  readonly claudeConfigDir?: string | undefined;
  /** Every other registered project's folder. */
  readonly otherProjects: readonly string[];
  /** The project being worked: never hidden from its own sessions, nor any folder holding it. */
  readonly projectRoot: string;
}

/**
 * Absolute paths the OS sandbox hides from agent commands (`filesystem.denyRead`): the
 * control plane (`$AUTOCODER_HOME`, where the server token lives), credentials under the home
 * folders, Claude Code's config and other projects. A path that is the project or holds it is
 * left out (hiding it would hide the project). Pure; the caller drops paths that do not exist.
 */
export function sandboxReadDenyPaths(i: ReadDenyInput): string[] {
  const candidates = [
    i.autocoderHome,
    ...(i.claudeConfigDir ? [i.claudeConfigDir] : []),
    ...i.homes.flatMap((h) => HOME_SECRET_PATHS.map((p) => posix.join(h, p))),
    ...i.otherProjects,
  ];
  const root = posix.resolve(i.projectRoot);
  const holdsProject = (p: string) => {
    const rel = posix.relative(p, root);
    return rel === '' || (!rel.startsWith('..') && !posix.isAbsolute(rel));
  };
  return [...new Set(candidates.filter((p) => posix.isAbsolute(p)).map((p) => posix.resolve(p)))]
    .filter((p) => !holdsProject(p))
    .sort();
}

export interface WriteDenyInput {
  readonly projectRoot: string;
  /** The session's working folder (the root, or a slot's worktree). */
  readonly cwd: string;
  /** The names inside the project's `.autocoder/` folder now. */
  readonly dataDirEntries: readonly string[];
}

/**
 * Paths inside the writable working folder that sandboxed commands may still not write (the
 * sandbox's `filesystem.denyWrite`): the runner's own state in `.autocoder/` (all but the slots'
 * worktrees, where agents work), git hooks (run by git with the agent's next commit, outside any
 * check), the browser config `playwright-cli` reads outside the sandbox (it names the browser
 * program), and Claude Code's project settings. The policy and the file guard refuse the same
 * writes from commands and tools; this covers programs those commands start. The caller drops
 * paths that do not exist.
 */
export function sandboxWriteDenyPaths(i: WriteDenyInput): string[] {
  const root = posix.resolve(i.projectRoot);
  const cwd = posix.resolve(i.cwd);
  const data = posix.join(root, '.autocoder');
  const paths = [
    ...i.dataDirEntries.filter((e) => e !== 'worktrees').map((e) => posix.join(data, e)),
    posix.join(root, '.git', 'hooks'),
    ...[root, cwd].flatMap((dir) => [posix.join(dir, '.playwright'), posix.join(dir, '.claude')]),
    // A worktree's own `.autocoder/` holds the read-only export of the frozen acceptance checks.
    ...(cwd === root ? [] : [posix.join(cwd, '.autocoder')]),
  ];
  return [...new Set(paths)].sort();
}
