/**
 * The real CLI program (`runCli`, every command and its wiring) in this process, with the
 * scripted runtime for `run`: what `autocoder …` does, without a child process or Claude Code.
 */
import type { AgentRuntime } from '../../src/agent/runtime.js';
import { runCli } from '../../src/cli/program.js';
import type { Env } from '../../src/config/env.js';
import { REPO_ROOT, type CliResult } from './cli-process.js';

export async function cliInProcess(args: readonly string[], env: Env, options: { runtime?: AgentRuntime; cwd?: string } = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const status = await runCli(args, {
    env,
    cwd: options.cwd ?? REPO_ROOT,
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    ...(options.runtime ? { runtime: options.runtime } : {}),
  });
  return { status, stdout, stderr };
}
