import { spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';

/**
 * The programs a verification starts (a check's command, `./init.sh` and the app it starts),
 * each in a process group of its own, so that one signal stops all of it: when its time is up,
 * when the verification is aborted, and when it is over. What escapes its group (a daemon that
 * called setsid) is still found by its TMPDIR inside the verification's folder and stopped there
 * (agent/session-processes.ts).
 */

export interface ChildExit {
  /** The exit code, or null when a signal ended it (or it never started). */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when the program could not be started at all (ENOENT, EACCES). */
  readonly error: Error | null;
}

export interface RunningChild {
  readonly pid: number | undefined;
  /** Resolves when the program itself exits. */
  readonly exited: Promise<ChildExit>;
  /** Whether it has exited. */
  readonly hasExited: () => boolean;
  /** SIGKILL to its whole process group (nothing happens once the group is gone). */
  killGroup(): void;
  /**
   * Resolves when its output pipes are closed; after `graceMs`, closes them itself (a process outside the group may
   * hold them).
   */
  drained(graceMs: number): Promise<void>;
}

export interface ChildSpec {
  /** The program and its arguments (never a shell string). */
  readonly argv: readonly [string, ...string[]];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** Each piece of output as it arrives, decoded as UTF-8 (stdout and stderr in the order they came). */
  readonly onOutput: (stream: 'stdout' | 'stderr', text: string) => void;
}

/** Starts a program in a process group of its own, stdin closed, output piped to `onOutput`. */
export function startChild(spec: ChildSpec): RunningChild {
  const [program, ...args] = spec.argv;
  const child = spawn(program, args, {
    cwd: spec.cwd,
    env: { ...spec.env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let exit: ChildExit | null = null;
  const exited = new Promise<ChildExit>((resolve) => {
    child.once('error', (error) => {
      exit ??= { code: null, signal: null, error };
      resolve(exit);
    });
    child.once('exit', (code, signal) => {
      exit ??= { code, signal, error: null };
      resolve(exit);
    });
  });
  const closed = new Promise<void>((resolve) => {
    let open = 2;
    const one = () => {
      open -= 1;
      if (open === 0) resolve();
    };
    for (const [name, stream] of [
      ['stdout', child.stdout],
      ['stderr', child.stderr],
    ] as const) {
      stream.setEncoding('utf8');
      stream.on('data', (text: string) => spec.onOutput(name, text));
      stream.once('close', one);
    }
  });
  const pid = child.pid;
  return {
    pid,
    exited,
    hasExited: () => exit !== null,
    killGroup() {
      if (pid === undefined) return;
      try {
        process.kill(-pid, 'SIGKILL');
      } catch (err: unknown) {
        // ESRCH: the group is gone already, which is what we want; anything else is a real problem.
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
      }
    },
    async drained(graceMs) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
      child.stdout.destroy();
      child.stderr.destroy();
    },
  };
}

export type RunOutcome = ChildExit & {
  readonly timedOut: boolean;
  readonly aborted: boolean;
  readonly durationMs: number;
};

/**
 * Runs a started program to its end, within `timeoutMs` and until `signal` aborts: either way
 * its whole group is killed. When it exits by itself, whatever it left running in its group is
 * killed too (a check's command leaves nothing behind). Resolves once its output is drained.
 */
export async function runToEnd(child: RunningChild, timeoutMs: number, signal: AbortSignal): Promise<RunOutcome> {
  const started = Date.now();
  let timedOut = false;
  let aborted = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.killGroup();
  }, timeoutMs);
  const onAbort = () => {
    aborted = true;
    child.killGroup();
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  try {
    const exit = await child.exited;
    child.killGroup();
    await child.drained(2_000);
    return { ...exit, timedOut, aborted, durationMs: Date.now() - started };
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}

/** Whether something accepts TCP connections on 127.0.0.1:`port` right now. */
export function portAccepts(port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * A port nothing listens on now on 127.0.0.1, from the system's ephemeral range (far from the slots' blocks): for a
 * verification's app, a checkpoint's, a design capture's or the app preview.
 */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port was given'))));
    });
  });
}
