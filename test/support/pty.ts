import { spawn, spawnSync } from 'node:child_process';

/**
 * Driving the real CLI on a pseudo-terminal, through python3's `pty` module (no native Node
 * dependency). Tests that need it skip when python3 or its pty module is missing.
 */
export const hasPty = spawnSync('python3', ['-c', 'import pty'], { encoding: 'utf8' }).status === 0;

/** One step: wait until `text` appears after the previous input, then type `keys` verbatim (add '\r' for Enter). */
export type PtyStep = readonly [text: string, keys: string];

// Runs argv on a pseudo-terminal, performs the steps, then prints everything the terminal
// showed followed by "\nEXIT:<code>\n".
const PTY_DRIVER = `
import json, os, pty, select, sys, time
args, steps, limit = json.loads(sys.argv[1]), json.loads(sys.argv[2]), float(sys.argv[3])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(args[0], args)
out, pos, end = b'', 0, time.time() + limit
while time.time() < end:
    r, _, _ = select.select([fd], [], [], 0.2)
    if r:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        out += data
    if steps and steps[0][0].encode() in out[pos:]:
        pos = len(out)
        os.write(fd, steps.pop(0)[1].encode())
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors='replace'))
sys.stdout.write('\\nEXIT:%d\\n' % (os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1))
`;

export interface PtyResult {
  /** Everything the terminal showed. */
  readonly screen: string;
  /** The program's exit code (-1 killed by a signal, -2 the driver itself failed). */
  readonly code: number;
}

export interface PtyOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** How long the driver waits for the program (default 90 s). */
  readonly limitSeconds?: number;
}

const driverArgs = (argv: readonly string[], steps: readonly PtyStep[], limit: number) => [
  '-c',
  PTY_DRIVER,
  JSON.stringify(argv),
  JSON.stringify(steps),
  String(limit),
];

function parse(stdout: string): PtyResult {
  const m = /\nEXIT:(-?\d+)\n$/.exec(stdout);
  return { screen: m ? stdout.slice(0, m.index) : stdout, code: m ? Number(m[1]) : -2 };
}

/** Runs argv on a pty to completion (blocks this process: not for CLIs that talk to a server in it). */
export function runOnPty(argv: readonly string[], steps: readonly PtyStep[], options: PtyOptions): PtyResult {
  const limit = options.limitSeconds ?? 90;
  const res = spawnSync('python3', driverArgs(argv, steps, limit), {
    cwd: options.cwd,
    env: options.env,
    encoding: 'utf8',
    timeout: (limit + 30) * 1000,
  });
  return parse(res.stdout ?? '');
}

/** The same without blocking, for CLIs that talk to a server living in this process. */
export async function runOnPtyAsync(
  argv: readonly string[],
  steps: readonly PtyStep[],
  options: PtyOptions,
): Promise<PtyResult> {
  const child = spawn('python3', driverArgs(argv, steps, options.limitSeconds ?? 90), {
    cwd: options.cwd,
    env: options.env,
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((resolve) => child.on('close', resolve));
  return parse(out);
}

// Runs argv on a pseudo-terminal, copying what it shows to stdout as it comes and what arrives on stdin to the
// terminal (so a test can watch a live view change and then type), then "\nEXIT:<code>\n".
const PTY_STREAM_DRIVER = `
import json, os, pty, select, sys
args, limit = json.loads(sys.argv[1]), float(sys.argv[2])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(args[0], args)
import time
end, inputs = time.time() + limit, [sys.stdin.fileno()]
while time.time() < end:
    r, _, _ = select.select([fd] + inputs, [], [], 0.2)
    if fd in r:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        os.write(1, data)
    for i in [i for i in inputs if i in r]:
        data = os.read(i, 4096)
        if data:
            os.write(fd, data)
        else:
            inputs.remove(i)
_, status = os.waitpid(pid, 0)
sys.stdout.write('\\nEXIT:%d\\n' % (os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1))
sys.stdout.flush()
`;

export interface LivePty {
  /** Everything the terminal showed so far. */
  readonly screen: () => string;
  /** Types `keys` verbatim (e.g. '\u0003' for Ctrl-C). */
  readonly type: (keys: string) => void;
  readonly done: Promise<PtyResult>;
}

/** Starts argv on a pty and lets the test read the screen while it runs (for live views that redraw). */
export function startOnPty(argv: readonly string[], options: PtyOptions): LivePty {
  const child = spawn('python3', ['-c', PTY_STREAM_DRIVER, JSON.stringify(argv), String(options.limitSeconds ?? 90)], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<PtyResult>((resolve) => child.on('close', () => resolve(parse(out))));
  return { screen: () => out, type: (keys) => child.stdin.write(keys), done };
}
