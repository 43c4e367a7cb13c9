/**
 * `autocoder answer` without --field on a real terminal (a pseudo-terminal driven by Python's
 * pty module, when python3 is installed): it asks for each field and does not echo secrets.
 */
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { projectPaths } from '../../src/config/paths.js';
import { openProjectStore } from '../../src/db/stores.js';
import { cli, CLI } from '../support/cli-process.js';
import { seedOAuthRequest } from '../support/oauth-request.js';
import { hasPty, runOnPty } from '../support/pty.js';

// Runs the real CLI in child processes (each start takes seconds under tsx on a loaded machine), several per test.
vi.setConfig({ testTimeout: 120_000 });

let root: string;
beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'ac-answer-tty-')));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('autocoder answer on a terminal', () => {
  it.skipIf(!hasPty)('asks for each field, hides the secret, and saves it to .env', () => {
    const env = { AUTOCODER_HOME: join(root, 'home'), HOME: root, PATH: process.env.PATH ?? '/usr/bin:/bin' };
    const dir = join(root, 'app');
    expect(cli(['new', 'app', '--dir', dir], env).status).toBe(0);
    const id = seedOAuthRequest(dir);
    const secret = 'cs_tty_H1dd3nValue';
    const driven = runOnPty(
      [process.execPath, CLI, 'answer', 'app', id],
      [
        ['Client secret (hidden): ', `${secret}\r`],
        ['Provider [github/google]: ', 'google\r'],
      ],
      { env: { ...env, TERM: 'dumb' } },
    );
    expect(driven.screen).toContain('Need the OAuth client');
    expect(driven.screen).toContain(`Answered ${id}: feature #1 Login is pending (first in line).`);
    expect(driven.screen).not.toContain(secret);
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe(`CLIENT_SECRET=${secret}\n`);
    const after = openProjectStore(projectPaths(dir), { create: false });
    try {
      expect(after.humanInput.get(id)).toMatchObject({
        status: 'answered',
        answer: { provider: 'google' },
        secretKeys: { client_secret: 'CLIENT_SECRET' },
      });
    } finally {
      after.close();
    }
  });
});
