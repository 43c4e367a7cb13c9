import type { ChildProcess } from 'node:child_process';

/** The types of spawn-command.mjs (plain JavaScript, so the spawn helper's process loads it without a loader). */
export interface CommandRequest {
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly timeoutMs?: number | undefined;
}

export interface CommandResult {
  /** The exit code; null when it was killed by a signal or could not start. */
  readonly status: number | null;
  readonly signal: string | null;
  /** Killed for outliving `timeoutMs`. */
  readonly timedOut: boolean;
  /** Why it could not start (no such program, no such folder), else null. */
  readonly error: string | null;
  /** The output, decoded as UTF-8. */
  readonly stdout: string;
  readonly stderr: string;
}

export function runCommand(req: CommandRequest, onStart?: (child: ChildProcess) => void): Promise<CommandResult>;
