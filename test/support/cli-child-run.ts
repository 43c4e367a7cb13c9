/**
 * Runs the real `autocoder` command (bin/autocoder.js) as a child process with an explicit
 * environment, and collects its exit code and output.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/autocoder.js', import.meta.url));

export interface ChildCliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ChildCliOptions {
  /** Working directory of the command. */
  readonly cwd: string;
  /** The whole environment of the child (nothing is inherited). */
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

/** Resolves when the process has exited; rejects (after killing it) when it outlives `timeoutMs`. */
export function runAutocoder(args: readonly string[], options: ChildCliOptions): Promise<ChildCliResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `autocoder ${args.join(' ')} did not exit within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`,
        ),
      );
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    // 'close' (not 'exit'): both output streams have ended, so nothing printed is missing.
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
