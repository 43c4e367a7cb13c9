import { sandboxSupport } from '../config/sandbox-support.js';
import { AppError } from '../domain/errors.js';

export { sandboxSupport };

export type SandboxMode = 'auto' | 'on' | 'off';

export interface SandboxDecision {
  readonly enabled: boolean;
  /** Said to the user when the sandbox is off although they did not ask for that. */
  readonly warning: string | null;
}

/** auto = on where available (with a warning where not); on = refuse to run without it. */
export function decideSandbox(mode: SandboxMode, platform: NodeJS.Platform, pathVar: string | undefined): SandboxDecision {
  if (mode === 'off') return { enabled: false, warning: null };
  const support = sandboxSupport(platform, pathVar);
  if (support.available) return { enabled: true, warning: null };
  if (mode === 'on') throw new AppError('INVALID_INPUT', `--sandbox on was requested, but the OS sandbox is not available: ${support.fix}`);
  return { enabled: false, warning: `Warning: agents run WITHOUT the OS sandbox (${support.fix}). Only the command policy protects this machine.` };
}

/**
 * Commands that run outside the sandbox so the app can be reached: `./init.sh` starts the app
 * on the host, and `curl` / `playwright-cli` (both limited to localhost by the command
 * policy) talk to it. A sandboxed server lives in its own network namespace and a sandboxed
 * playwright-cli cannot start its browser (see docs/security.md).
 */
export const UNSANDBOXED_COMMANDS = ['./init.sh', 'curl:*', 'playwright-cli:*'] as const;

/**
 * Paths Claude Code's sandbox masks inside the working folder (it mounts /dev/null over shell
 * and editor config so a sandboxed command cannot plant hooks there). Inside the sandbox they
 * show up as untracked device files that `git add -A` refuses, so the runner lists them in the
 * repository's local exclude file.
 */
export const SANDBOX_MASKED_PATHS = ['.bash_profile', '.bashrc', '.profile', '.zprofile', '.zshrc', '.gitconfig', '.gitmodules', '.ripgreprc', '.mcp.json', '.idea', '.vscode', '.claude/'] as const;
