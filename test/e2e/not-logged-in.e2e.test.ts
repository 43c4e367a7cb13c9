/**
 * A run with no credentials at all (no provider variables, an empty HOME and Claude config folder), with the real
 * Claude Code binary: it says "Not logged in · Please run /login", and autocoder says what to do instead — in the
 * CLI's output, the session row, the events and the run's outcome — never the raw text.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { projectPaths } from '../../src/config/paths.js';
import { openProjectStore } from '../../src/db/stores.js';
import { NOT_LOGGED_IN } from '../../src/shared/claude-messages.js';
import { VALID_SPEC } from '../support/api-app.js';
import { cliAsync } from '../support/cli-process.js';

vi.setConfig({ testTimeout: 120_000 });

let root: string;
beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'autocoder-nologin-')));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

it('autocoder run without credentials reports autocoder’s guidance, never Claude Code’s "/login"', async () => {
  const home = join(root, 'home');
  mkdirSync(home);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    CLAUDE_CONFIG_DIR: join(root, 'claude-config'),
    AUTOCODER_HOME: join(root, 'autocoder-home'),
    AUTOCODER_CHECKPOINT_INTERVAL: '0',
    AUTOCODER_RETRY_BACKOFF_MS: '0',
    GIT_CONFIG_NOSYSTEM: '1',
  };
  mkdirSync(env.CLAUDE_CONFIG_DIR as string);
  const dir = join(root, 'shop');
  writeFileSync(join(root, 'spec.txt'), VALID_SPEC);
  expect((await cliAsync(['new', 'shop', '--dir', dir, '--spec', join(root, 'spec.txt')], env, root)).status).toBe(0);

  const run = await cliAsync(['run', 'shop', '--max-iterations', '1', '--yolo'], env, root);
  const out = `${run.stdout}${run.stderr}`;
  // What the CLI prints names its commands in the form that works here (autocoder is not on this test's PATH).
  expect(out).toContain(NOT_LOGGED_IN.replaceAll('`autocoder ', '`npx autocoder '));
  expect(out).not.toContain('/login');

  const store = openProjectStore(projectPaths(dir), { create: false });
  try {
    const sessions = store.db.prepare('SELECT outcome, error FROM sessions').all() as { error: string | null }[];
    // The initializer, the only session: it failed, so nothing else started.
    expect(sessions).toHaveLength(1);
    expect(sessions.map((s) => s.error)).toContain(NOT_LOGGED_IN);
    const payloads = store.db.prepare('SELECT payload FROM events').pluck().all() as string[];
    expect(payloads.some((p) => p.includes('has no model credentials'))).toBe(true);
    expect(payloads.filter((p) => p.includes('/login'))).toEqual([]);
    const reasons = store.db.prepare('SELECT end_reason FROM runs').pluck().all() as (string | null)[];
    expect(reasons.join('\n')).toContain('no model credentials');
    expect(reasons.join('\n')).not.toContain('/login');
  } finally {
    store.close();
  }
});
