import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { processEnv } from '../config/env.js';
import { AppError } from '../domain/errors.js';
import { runCommand, type CommandResult } from './spawn-command.mjs';

/**
 * Starts commands from a small helper process instead of from this one. Node forks to spawn, and a fork copies the
 * forking process's page tables: from the runner (200–400 MB resident) each git costs it 4–7 ms of system CPU and
 * ~10–15 ms of wall time, against ~2 ms from a 50 MB process (measured in #23; a session runs dozens of gits, and at
 * three slots on two cores that CPU is taken from the agents). One helper per process, started at the first command
 * (spawn-helper-child.mjs), ends when this process does: it sees its stdin close, stops what still runs and exits.
 * While no command is waiting it holds nothing open here, so it never keeps this process alive.
 */

export interface HelperRequest {
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** The command's whole environment; absent: this process's as it is now (what `spawn` gives by default). */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Killed (SIGKILL) after this long; the result says `timedOut`. */
  readonly timeoutMs?: number;
}

/** What became of a command: its exit, its output, whether it could start (spawn-command.d.mts). */
export type HelperResult = CommandResult;

/**
 * The helper's script, next to this file; null where this module was not loaded from a file (a bundler's URL, as in
 * the web tests' jsdom environment): there commands start from this process, as they would without the helper.
 */
const childScript = (): string | null => {
  const url = new URL('./spawn-helper-child.mjs', import.meta.url);
  return url.protocol === 'file:' ? fileURLToPath(url) : null;
};

interface Waiting {
  readonly resolve: (result: HelperResult) => void;
  readonly reject: (err: Error) => void;
}

class SpawnHelper {
  private child: ChildProcessWithoutNullStreams | null = null;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;

  run(req: HelperRequest): Promise<HelperResult> {
    const script = this.child === null ? childScript() : null;
    // What the helper would do, done here.
    if (this.child === null && script === null) return runCommand({ ...req, env: req.env ?? processEnv() });
    const child = this.child ?? this.start(script as string);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      if (this.waiting.size === 1) this.hold(child, true);
      // Sent with every command: the helper's own environment is a snapshot from its start, and what a command gets
      // is this process's now (tests change it between commands).
      const env = req.env ?? processEnv();
      child.stdin.write(
        `${JSON.stringify({ id, file: req.file, args: req.args, cwd: req.cwd, env, timeoutMs: req.timeoutMs })}\n`,
      );
    });
  }

  pid(): number | null {
    return this.child?.pid ?? null;
  }

  private start(script: string): ChildProcessWithoutNullStreams {
    // Only what Node needs: the commands get their environment with each request, and this process's NODE_OPTIONS
    // (a loader, a profiler) has nothing to do in the helper.
    const child = spawn(process.execPath, [script], { stdio: ['pipe', 'pipe', 'pipe'], env: {} });
    this.child = child;
    let said = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      said = `${said}${text}`.slice(-2_000);
    });
    // A write after the helper died fails here; its end, below, answers whoever waits.
    child.stdin.on('error', () => undefined);
    createInterface({ input: child.stdout }).on('line', (line) => this.answer(line));
    const gone = (why: string) => {
      if (this.child !== child) return;
      this.child = null;
      const waiting = [...this.waiting.values()];
      this.waiting.clear();
      for (const w of waiting)
        w.reject(
          new AppError(
            'IO_ERROR',
            `the process that starts git for the runner ended (${why}${said.trim() ? `: ${said.trim()}` : ''}); whether the command ran is not known`,
          ),
        );
    };
    child.on('error', (err) => gone(err.message));
    // 'close', not 'exit': the answers it wrote before it ended are read first.
    child.on('close', (code, signal) => gone(signal === null ? `exit code ${String(code)}` : `signal ${signal}`));
    this.hold(child, false);
    return child;
  }

  private answer(line: string): void {
    let reply: HelperResult & { id: number };
    try {
      reply = JSON.parse(line) as HelperResult & { id: number };
    } catch {
      return;
    }
    const waiting = this.waiting.get(reply.id);
    if (waiting === undefined) return;
    this.waiting.delete(reply.id);
    if (this.waiting.size === 0 && this.child !== null) this.hold(this.child, false);
    const { id: _id, ...result } = reply;
    waiting.resolve(result);
  }

  /** Keeps this process alive for the helper's answers only while someone waits for one. */
  private hold(child: ChildProcessWithoutNullStreams, waiting: boolean): void {
    const streams = [child.stdin, child.stdout, child.stderr] as unknown as Socket[];
    if (waiting) {
      child.ref();
      for (const s of streams) s.ref();
    } else {
      child.unref();
      for (const s of streams) s.unref();
    }
  }
}

const helper = new SpawnHelper();

/** Runs a command from the spawn helper (see above): its exit, output and whether it could start at all. */
export function spawnFromHelper(req: HelperRequest): Promise<HelperResult> {
  return helper.run(req);
}

/** The helper's process id while it runs (null before the first command and after it ended). */
export function spawnHelperPid(): number | null {
  return helper.pid();
}
