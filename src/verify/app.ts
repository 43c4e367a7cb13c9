import { accessSync, closeSync, constants, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { stopProcessesUsing } from '../agent/session-processes.js';
import { AppError } from '../domain/errors.js';
import type { Redactor } from '../security/redactor.js';
import { createRedactingStream } from '../security/redacting-stream.js';
import { seconds } from './command-check.js';
import { confinedArgv, type Confinement } from './jail-runner.js';
import { APP_LOG_TAIL_CHARS, createMaskedTail } from './output.js';
import { portAccepts, startChild, type RunningChild } from './processes.js';

/** The app log in the evidence folder stops growing here (its tail is what explains a failure). */
export const MAX_APP_LOG_BYTES = 2 * 1024 * 1024;

/** How often the port is tried while the app starts. */
const PORT_POLL_MS = 100;

export interface AppStart {
  readonly checkout: string;
  readonly workDir: string;
  readonly port: number;
  readonly env: Readonly<Record<string, string>>;
  readonly confinement: Confinement | null;
  /** Where its output goes (masked): `app.log` in the evidence folder. */
  readonly logFile: string;
  readonly timeoutMs: number;
  readonly redact: Redactor;
  readonly marker: string;
}

export interface RunningApp {
  /** The pid of `./init.sh` (or of the jail it runs in): it leads the process group `stop` kills. */
  readonly pid: number | undefined;
  /** The masked end of its log so far. */
  logTail(): string;
  /**
   * Stops `./init.sh` and everything it started (its process group, its jail, whatever carries its TMPDIR); waits until
   * they are gone.
   */
  stop(): Promise<void>;
}

/** Why the app could not be started; the message says what to fix and ends with the log's tail. */
export class AppStartError extends AppError {}

/**
 * Starts the app the way agents do, with `./init.sh` in the checkout and `PORT` set to the
 * verification port (in the jail when the sandbox is on), and waits until the port accepts
 * connections. The port must be free first: an app already listening there would be checked in
 * place of this commit's. Its output goes, masked, to `app.log`. On any failure (it exits with an
 * error, the time is up, the verification is aborted) everything it started is stopped before
 * this throws.
 */
export async function startApp(start: AppStart, signal: AbortSignal): Promise<RunningApp> {
  const init = join(start.checkout, 'init.sh');
  try {
    if (!statSync(init).isFile()) throw new Error('not a file');
    accessSync(init, constants.X_OK);
  } catch {
    throw new AppStartError(
      'INVALID_INPUT',
      `this commit has no executable ./init.sh, which http and browser checks need to start the app (commit it with its executable bit: chmod +x init.sh)`,
    );
  }
  if (await portAccepts(start.port)) {
    throw new AppStartError(
      'CONFLICT',
      `port ${start.port} is already in use on 127.0.0.1, so the app of this commit cannot be told apart from whatever listens there; stop that program or verify on another port`,
    );
  }
  const tmp = join(start.workDir, 'app');
  mkdirSync(tmp, { recursive: true });
  const env = { ...start.env, TMPDIR: tmp, PORT: String(start.port) };
  const log = openSync(start.logFile, 'a', 0o600);
  let logBytes = 0;
  let logClosed = false;
  const tail = createMaskedTail(start.redact, APP_LOG_TAIL_CHARS * 4);
  const append = (text: string) => {
    if (logClosed || logBytes >= MAX_APP_LOG_BYTES) return;
    const bytes = Buffer.byteLength(text);
    writeSync(
      log,
      logBytes + bytes > MAX_APP_LOG_BYTES ? `\n[app.log stops here: it reached ${MAX_APP_LOG_BYTES} bytes]\n` : text,
    );
    logBytes += bytes;
  };
  // Masked as it streams: a secret split between two pieces of output is still found.
  const logMask = createRedactingStream(start.redact);
  const child: RunningChild = startChild({
    argv: confinedArgv(
      start.confinement,
      { privateDir: start.workDir, checkout: start.checkout, env, marker: start.marker, endsWithProgram: false },
      ['./init.sh'],
    ),
    cwd: start.checkout,
    env,
    onOutput: (_stream, text) => {
      tail.push(text);
      append(logMask.push(text));
    },
  });
  let stopped: Promise<void> | null = null;
  const app: RunningApp = {
    pid: child.pid,
    logTail: () => tail.peek(APP_LOG_TAIL_CHARS),
    stop() {
      stopped ??= (async () => {
        child.killGroup();
        await stopProcessesUsing(tmp, { graceMs: 1_000 });
        child.killGroup();
        await child.drained(1_000);
        append(logMask.flush());
        logClosed = true;
        closeSync(log);
      })();
      return stopped;
    },
  };
  try {
    await waitForPort(start, child, signal);
    return app;
  } catch (err: unknown) {
    await app.stop();
    if (err instanceof AppStartError) throw new AppStartError(err.code, `${err.message}${logSection(app.logTail())}`);
    throw err;
  }
}

async function waitForPort(start: AppStart, child: RunningChild, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + start.timeoutMs;
  for (;;) {
    if (signal.aborted) throw new AppStartError('CONFLICT', 'the verification was aborted while the app started');
    if (await portAccepts(start.port)) return;
    if (child.hasExited()) {
      const exit = await child.exited;
      if (exit.error) throw new AppStartError('IO_ERROR', `./init.sh could not be started: ${exit.error.message}`);
      if (exit.code !== 0)
        throw new AppStartError(
          'CONFLICT',
          `./init.sh ${exit.code === null ? `was ended by ${exit.signal ?? 'a signal'}` : `exited with code ${exit.code}`} before the app listened on port ${start.port}`,
        );
    }
    if (Date.now() >= deadline)
      throw new AppStartError(
        'CONFLICT',
        `the app did not start on port ${start.port} within ${seconds(start.timeoutMs)} (./init.sh ${child.hasExited() ? 'returned, but nothing listens there' : 'is still running'}; the app must listen on 127.0.0.1:$PORT)`,
      );
    try {
      await delay(PORT_POLL_MS, undefined, { signal });
    } catch {
      // Aborted while waiting: the loop says so at its top.
      continue;
    }
  }
}

function logSection(tail: string): string {
  return tail.trim() === '' ? '\n(the app printed nothing)' : `\nThe end of the app's output:\n${tail}`;
}
