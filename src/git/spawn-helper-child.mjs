// The spawn helper's own process (see spawn-helper.ts): a small Node process that starts commands for the runner.
// A fork copies the forking process's page tables, so a command started by the runner (hundreds of MB) costs it
// several ms of CPU and ~10 ms of wall time; started from here it costs a fraction of that. Plain JavaScript, so it
// starts without the TypeScript loader.
//
// Requests, one JSON object per line on stdin: {id, file, args, cwd, env, timeoutMs?}. Replies, one per line on
// stdout: {id, status, signal, timedOut, error, stdout, stderr} (output decoded as UTF-8, as the runner reads it).
import process from 'node:process';
import { createInterface } from 'node:readline';
import { runCommand } from './spawn-command.mjs';

/** @type {Set<import('node:child_process').ChildProcess>} */
const running = new Set();

createInterface({ input: process.stdin }).on('line', (line) => {
  let req;
  try {
    req = JSON.parse(line);
  } catch {
    return;
  }
  let started = null;
  void runCommand(req, (child) => {
    started = child;
    running.add(child);
  }).then((result) => {
    if (started !== null) running.delete(started);
    process.stdout.write(`${JSON.stringify({ id: req.id, ...result })}\n`);
  });
});

// The runner is gone (its end of the pipe closed, also when it was killed): stop what still runs, then leave.
process.stdin.on('end', () => {
  for (const child of running) child.kill('SIGKILL');
  process.exit(0);
});
