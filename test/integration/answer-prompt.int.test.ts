/**
 * `autocoder answer` without --field on a real terminal (a pseudo-terminal driven by Python's
 * pty module, when python3 is installed): it asks for each field and does not echo secrets.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { projectPaths } from '../../src/config/paths.js';
import { openProjectStore } from '../../src/db/stores.js';
import { cli, CLI } from '../support/cli-process.js';

const hasPython = spawnSync('python3', ['-c', 'import pty'], { encoding: 'utf8' }).status === 0;

// Answers each prompt as it appears (prompt text → what to type), then prints all the terminal showed.
const DRIVER = `
import json, os, pty, select, sys, time
args, answers = json.loads(sys.argv[1]), json.loads(sys.argv[2])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(args[0], args)
out, pending, end = b'', list(answers), time.time() + 60
while time.time() < end:
    r, _, _ = select.select([fd], [], [], 0.2)
    if not r:
        continue
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    out += data
    if pending and pending[0][0].encode() in out.split(b'\\n')[-1]:
        os.write(fd, (pending.pop(0)[1] + '\\r').encode())
os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors='replace'))
`;

let root: string;
beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'ac-answer-tty-')));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('autocoder answer on a terminal', () => {
  it.skipIf(!hasPython)('asks for each field, hides the secret, and saves it to .env', () => {
    const env = { AUTOCODER_HOME: join(root, 'home'), HOME: root, PATH: process.env.PATH ?? '/usr/bin:/bin' };
    const dir = join(root, 'app');
    expect(cli(['new', 'app', '--dir', dir], env).status).toBe(0);
    const store = openProjectStore(projectPaths(dir), { create: false });
    let id: string;
    try {
      store.features.create({ category: 'a', name: 'Login', description: 'log in', steps: ['x'] });
      const { claim } = store.claims.claimFeature(1, 'run/ses');
      id = store.humanInput.request(claim, {
        kind: 'fields',
        prompt: 'Need the OAuth client',
        fields: [
          { id: 'client_secret', label: 'Client secret', type: 'secret', required: true },
          { id: 'provider', label: 'Provider', type: 'select', options: ['github', 'google'], required: true },
        ],
      }).request.id;
    } finally {
      store.close();
    }
    const secret = 'cs_tty_H1dd3nValue';
    const driven = spawnSync(
      'python3',
      ['-c', DRIVER, JSON.stringify([process.execPath, CLI, 'answer', 'app', id]), JSON.stringify([['Client secret (hidden): ', secret], ['Provider [github/google]: ', 'google']])],
      { env: { ...env, TERM: 'dumb' }, encoding: 'utf8', timeout: 90_000 },
    );
    expect(driven.stdout).toContain('Need the OAuth client');
    expect(driven.stdout).toContain(`Answered ${id}: feature #1 Login is pending (first in line).`);
    expect(driven.stdout).not.toContain(secret);
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe(`CLIENT_SECRET=${secret}\n`);
    const after = openProjectStore(projectPaths(dir), { create: false });
    try {
      expect(after.humanInput.get(id)).toMatchObject({ status: 'answered', answer: { provider: 'google' }, secretKeys: { client_secret: 'CLIENT_SECRET' } });
    } finally {
      after.close();
    }
  });
});
