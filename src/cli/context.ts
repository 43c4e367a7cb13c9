import type { AgentRuntime } from '../compose.js';
import type { Env } from '../config/env.js';
import type { HomeEnvInfo } from '../config/home-env.js';
import type { CommandForm } from './command-form.js';

/** What every command needs from its surroundings; passed explicitly so tests can run commands in-process. */
export interface CliContext {
  readonly env: Env;
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** True when stderr is a terminal: the server's log there is then one readable line per record, not JSON. */
  readonly stderrTerminal?: boolean;
  /** Set when stdout is an interactive terminal (enables live views). */
  readonly terminal?: { readonly columns: number };
  /**
   * Where to ask questions: set only when stdin and stdout are both a terminal (tests inject
   * streams). Without it, `autocoder` with no arguments prints help and `answer` needs --field.
   */
  readonly prompt?: { readonly input: NodeJS.ReadableStream; readonly output: NodeJS.WritableStream };
  /** What `$AUTOCODER_HOME/.env` gave `env` (set by runCli, which reads the file once). */
  readonly homeEnv?: HomeEnvInfo;
  /** Why that file was refused (too open): every command but `doctor` stops with it. */
  readonly homeEnvError?: Error;
  /** Set once stdout and stderr name hints in this form (see command-form.ts; runCli does it once). */
  readonly commandForm?: CommandForm;
  /** The agent runtime `run` drives (default: Claude Code through the Agent SDK); tests give a scripted one. */
  readonly runtime?: AgentRuntime;
}

export function printJson(ctx: CliContext, value: unknown): void {
  ctx.stdout(`${JSON.stringify(value, null, 2)}\n`);
}
