import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createToolGuard } from './tool-guard.js';

let root: string;

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'autocoder-tool-guard-'));
  mkdirSync(path.join(root, 'web'));
  writeFileSync(path.join(root, 'package.json'), '{}\n');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('createToolGuard reads the files that decide a command (issue #14)', () => {
  it('refuses npm commands while a project .npmrc sets script-shell, wherever the agent cds', () => {
    const guard = createToolGuard(root);
    expect(guard('Bash', { command: 'npm test' }, {})).toEqual({ allow: true });
    writeFileSync(path.join(root, '.npmrc'), 'script-shell=/tmp/evil.sh\n');
    const refused = guard('Bash', { command: 'cd web && npm test' }, {});
    expect(refused.allow).toBe(false);
    if (!refused.allow)
      expect(refused.reason).toMatch(/^command refused \(dangerous_args\): \.npmrc sets `script-shell`/);
  });

  it('refuses Write and Edit that would put a forbidden key into .npmrc, judging the edited file', () => {
    const guard = createToolGuard(root);
    const npmrc = path.join(root, '.npmrc');
    expect(guard('Write', { file_path: npmrc, content: 'registry=https://evil.example/\n' }, {}).allow).toBe(false);
    writeFileSync(npmrc, 'save-exact=true\n;registry=https://evil.example/\n');
    expect(guard('Edit', { file_path: npmrc, old_string: ';registry', new_string: 'registry' }, {}).allow).toBe(false);
    expect(
      guard('Edit', { file_path: npmrc, old_string: 'save-exact=true', new_string: 'save-exact=false' }, {}).allow,
    ).toBe(true);
  });

  it('reads a playwright-cli --config and refuses one that picks the browser program', () => {
    const guard = createToolGuard(root);
    writeFileSync(path.join(root, 'pw.json'), JSON.stringify({ browser: { launchOptions: { headless: true } } }));
    writeFileSync(
      path.join(root, 'evil.json'),
      JSON.stringify({ browser: { launchOptions: { executablePath: '/tmp/evil' } } }),
    );
    expect(guard('Bash', { command: 'playwright-cli open --config=pw.json http://localhost:3000' }, {})).toEqual({
      allow: true,
    });
    const refused = guard('Bash', { command: 'playwright-cli open --config=evil.json http://localhost:3000' }, {});
    expect(refused.allow).toBe(false);
    if (!refused.allow) expect(refused.reason).toContain('browser.launchOptions.executablePath');
  });
});

const JAIL = '/tmp/ac-0123456789ab/init-jail';

describe('the guard with an init.sh jail', () => {
  it('lets ./init.sh run as rewritten into the jail, keeping the rest of the call', () => {
    const guard = createToolGuard(root, { initJail: JAIL });
    expect(guard('Bash', { command: './init.sh --fresh', timeout: 60_000 }, { cwd: root })).toEqual({
      allow: true,
      input: { command: `${JAIL} ./init.sh --fresh`, timeout: 60_000 },
    });
  });

  it('allows other commands unchanged, ./init.sh chained with others included', () => {
    const guard = createToolGuard(root, { initJail: JAIL });
    expect(guard('Bash', { command: 'ls' }, { cwd: root })).toEqual({ allow: true });
    expect(guard('Bash', { command: './init.sh && ls' }, { cwd: root })).toEqual({ allow: true });
  });

  it('refuses what the policy refuses before any rewrite, and the agent calling the jail script itself', () => {
    const guard = createToolGuard(root, { initJail: JAIL });
    expect(guard('Bash', { command: './init.sh > /etc/passwd' }, { cwd: root })).toMatchObject({ allow: false });
    expect(guard('Bash', { command: `${JAIL} ./init.sh` }, { cwd: root })).toMatchObject({
      allow: false,
      reason: expect.stringMatching(/running programs by path/),
    });
    expect(guard('Bash', { command: `${JAIL} node peek.js` }, { cwd: root })).toMatchObject({ allow: false });
  });

  it('rewrites nothing without a jail', () => {
    expect(createToolGuard(root)('Bash', { command: './init.sh' }, { cwd: root })).toEqual({ allow: true });
  });
});
