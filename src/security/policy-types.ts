/** Types shared by the Bash policy and its per-command validators. */
import type { RealpathFn } from './paths.js';

/**
 * Reads a small text file (absolute path): null when it does not exist; throws when it exists but
 * cannot be read as a small regular file (a FIFO, a device, a folder, too large), which callers
 * treat as "cannot be checked", never as absent.
 */
export type ReadTextFn = (absolutePath: string) => string | null;

export type DenyCategory =
  | 'parse_error'
  | 'control_char'
  | 'too_long'
  | 'too_complex'
  | 'substitution'
  | 'subshell'
  | 'control_flow'
  | 'function'
  | 'background'
  | 'heredoc'
  | 'expansion'
  | 'glob'
  | 'not_allowlisted'
  | 'interpreter'
  | 'dangerous_args'
  | 'redirect'
  | 'env_prefix'
  | 'protected_path'
  | 'outside_project'
  | 'network';

export type PolicyDecision =
  { decision: 'allow'; reason: string } | { decision: 'deny'; category: DenyCategory; reason: string };

export interface PolicyContext {
  /** Absolute path of the project folder; every path a command touches must stay inside it. */
  projectRoot: string;
  /** Working directory the shell starts in (absolute); defaults to projectRoot. */
  cwd?: string;
  /**
   * User-added allowlist extensions: plain command names matching [a-zA-Z0-9._+-]+. Shells,
   * interpreters, eval/source, wrappers and privilege tools (NEVER_ALLOWED_COMMANDS) are ignored:
   * they run arbitrary code given in their arguments, so no allowlist entry can make them safe.
   */
  extraCommands?: readonly string[];
  /** Process names pkill may target; default node, npm, npx, vite, next, tsx. */
  devServerNames?: readonly string[];
  /** Pids `kill` may signal (processes this agent session started). Without it, kill is denied. */
  allowedPids?: ReadonlySet<number>;
  /** Resolves symlinks (fs.realpathSync.native); without it path checks are lexical only. */
  realpath?: RealpathFn;
  /**
   * Reads files whose content decides a command: project `.npmrc`/`.pnpmrc` (checked at every
   * npm/pnpm/npx command) and a playwright-cli `--config`. Without it `.npmrc` files count as
   * absent and `--config` is refused (it cannot be checked); a file that exists but cannot be
   * read refuses the command.
   */
  readFile?: ReadTextFn;
}

export interface Denial {
  category: DenyCategory;
  reason: string;
}

/** One simple command, after its words were proven literal and dequoted. */
export interface CommandCheck {
  /** The command name as bash sees it (dequoted). */
  name: string;
  /** Dequoted arguments. */
  args: readonly string[];
  /** Every directory the command may run in (after `cd`s earlier in the line); all inside the project. */
  cwds: readonly string[];
  ctx: PolicyContext;
}

export type Validator = (c: CommandCheck) => Denial | null;

export function deny(category: DenyCategory, reason: string): Denial {
  return { category, reason };
}
