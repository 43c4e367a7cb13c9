// One command run to its end, the way the spawn helper runs each it is sent (spawn-helper-child.mjs) and the way
// spawn-helper.ts runs one itself where there is no helper to start. Plain JavaScript: the helper's process loads it
// without the TypeScript loader.
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { clearTimeout, setTimeout } from 'node:timers';

/**
 * Runs `req.file` with `req.args` in `req.cwd` with `req.env` (killed with SIGKILL after `req.timeoutMs`, when
 * given). Never rejects: `{status, signal, timedOut, error, stdout, stderr}`, `error` saying why it could not start.
 * `onStart` gets the process once it is started (to stop it from outside).
 * Types: spawn-command.d.mts.
 */
export function runCommand(req, onStart) {
  return new Promise((resolve) => {
    const out = [];
    const err = [];
    let timedOut = false;
    let done = false;
    let timer = null;
    const finish = (fields) => {
      if (done) return;
      done = true;
      if (timer !== null) clearTimeout(timer);
      resolve({
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
      child = spawn(req.file, [...req.args], { cwd: req.cwd, env: req.env, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      finish({ error: e instanceof Error ? e.message : String(e) });
      return;
    }
    onStart?.(child);
    if (typeof req.timeoutMs === 'number')
      timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, req.timeoutMs);
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => err.push(b));
    child.on('error', (e) => finish({ error: e.message }));
    child.on('close', (status, signal) => finish({ status, signal }));
  });
}
