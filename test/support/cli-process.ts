import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
export const CLI = join(REPO_ROOT, 'bin', 'autocoder.js');

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI to completion in a child process. */
export function cli(args: readonly string[], env: NodeJS.ProcessEnv, cwd = REPO_ROOT): CliResult {
  const res = spawnSync(process.execPath, [CLI, ...args], { cwd, env, encoding: 'utf8', timeout: 120_000 });
  return { status: res.status ?? -1, stdout: res.stdout, stderr: res.stderr };
}

export interface RunningCli {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the real CLI in the background (e.g. `run`), collecting its output. */
export function startCli(args: readonly string[], env: NodeJS.ProcessEnv, cwd = REPO_ROOT): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, exited };
}

/**
 * Runs the CLI to completion without blocking this process's event loop — required when the
 * CLI talks to a server living in the test process (spawnSync would deadlock against it).
 */
export async function cliAsync(args: readonly string[], env: NodeJS.ProcessEnv, cwd = REPO_ROOT): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const status = await new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  return { status, stdout, stderr };
}
