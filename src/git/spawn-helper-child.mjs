// The spawn helper's own process (see spawn-helper.ts): a small Node process that starts commands for the runner.
// A fork copies the forking process's page tables, so a command started by the runner (hundreds of MB) costs it
// several ms of CPU and ~10 ms of wall time; started from here it costs a fraction of that. Plain JavaScript, so it
// starts without the TypeScript loader.
//
// Requests, one JSON object per line on stdin: {id, file, args, cwd, env, timeoutMs?}. Replies, one per line on
// stdout: {id, status, signal, timedOut, error, stdout, stderr} (output decoded as UTF-8, as the runner reads it).
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import process from 'node:process';
import { createInterface } from 'node:readline';
import { clearTimeout, setTimeout } from 'node:timers';

/** @type {Map<number, import('node:child_process').ChildProcess>} */
const running = new Map();
const reply = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

createInterface({ input: process.stdin }).on('line', (line) => {
  let req;
  try {
    req = JSON.parse(line);
  } catch {
    return;
  }
  const out = [];
  const err = [];
  let timedOut = false;
  let replied = false;
  let timer = null;
  const answer = (fields) => {
    if (replied) return;
    replied = true;
    if (timer !== null) clearTimeout(timer);
    running.delete(req.id);
    reply({
      id: req.id,
      status: null,
      signal: null,
      timedOut,
      error: null,
      stdout: Buffer.concat(out).toString('utf8'),
      stderr: Buffer.concat(err).toString('utf8'),
      ...fields,
    });
  };
  let child;
  try {
    child = spawn(req.file, req.args, { cwd: req.cwd, env: req.env, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    answer({ error: e instanceof Error ? e.message : String(e) });
    return;
  }
  running.set(req.id, child);
  if (typeof req.timeoutMs === 'number')
    timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, req.timeoutMs);
  child.stdout.on('data', (b) => out.push(b));
  child.stderr.on('data', (b) => err.push(b));
  child.on('error', (e) => answer({ error: e.message }));
  child.on('close', (status, signal) => answer({ status, signal }));
});

// The runner is gone (its end of the pipe closed, also when it was killed): stop what still runs, then leave.
process.stdin.on('end', () => {
  for (const child of running.values()) child.kill('SIGKILL');
  process.exit(0);
});
