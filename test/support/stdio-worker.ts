/**
 * A test worker process speaking a one-line-a-message protocol on stdio: it writes `ready` once set up, waits for
 * `go` (so several start together), then writes `done <payload>` and exits 0; errors go to stderr. Run through tsx,
 * as the CLI runs our sources. Used for races between processes (claims, migrations).
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface StdioWorker {
  readonly child: ChildProcessWithoutNullStreams;
  /** Resolves on `ready`; rejects when the process ends before (so a broken worker fails the test, never hangs it). */
  readonly ready: Promise<void>;
  /** The text after `done `, once the process exited 0 having said it; rejects with its stderr otherwise. */
  readonly done: Promise<string>;
  go(): void;
}

/** Starts `node --import tsx <script> ...args`; the caller kills it when the test ends (e.g. killIfRunning). */
export function startStdioWorker(script: string, args: readonly string[], label: string): StdioWorker {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: REPO_ROOT });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  let payload: string | undefined;
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    if (line === 'ready') markReady();
    else if (line === 'done' || line.startsWith('done ')) payload = line.slice(5);
  });
  const linesClosed = new Promise<void>((resolve) => lines.once('close', resolve));
  const done = new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      void linesClosed.then(() => {
        if (code === 0 && payload !== undefined) resolve(payload);
        else reject(new Error(`${label} exited with ${code}: ${stderr.trim()}`));
      });
    });
  });
  // Awaited by the test; this only keeps an early failure (reported through `ready`) from being unhandled.
  done.catch(() => undefined);
  return {
    child,
    ready: Promise.race([ready, done.then(() => undefined)]),
    done,
    go: () => child.stdin.write('go\n'),
  };
}
