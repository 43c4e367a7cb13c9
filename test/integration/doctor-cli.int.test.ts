import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cli } from '../support/cli-process.js';
import { startCliInProcess } from '../support/cli-in-process.js';

// Runs the real CLI in child processes (each start takes seconds under tsx on a loaded machine), several per test.
vi.setConfig({ testTimeout: 120_000 });

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-doctor-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

interface Doctor {
  ok: boolean;
  checks: { id: string; ok: boolean; detail: string; fix: string | null }[];
  hints: string[];
}

const doctor = (env: NodeJS.ProcessEnv) => {
  const res = cli(['doctor', '--json'], env);
  return { status: res.status, body: JSON.parse(res.stdout) as Doctor };
};
const check = (d: Doctor, id: string) => d.checks.find((c) => c.id === id);

describe('autocoder doctor', () => {
  it('names each missing prerequisite with its fix: no git, no Chromium, no sandbox tools, no credentials', () => {
    const emptyPath = join(root, 'empty-bin');
    mkdirSync(emptyPath);
    const { status, body } = doctor({ PATH: emptyPath, HOME: root, AUTOCODER_HOME: join(root, 'home') });
    expect(status).toBe(1);
    expect(body.ok).toBe(false);
    expect(check(body, 'git')).toMatchObject({ ok: false, fix: expect.stringContaining('install git') });
    expect(check(body, 'chromium')).toMatchObject({
      ok: false,
      fix: expect.stringContaining('apt-get install chromium'),
    });
    expect(check(body, 'sandbox')).toMatchObject({ ok: false, fix: expect.stringContaining('bubblewrap') });
    expect(check(body, 'credentials')).toMatchObject({ ok: false, fix: expect.stringContaining('ANTHROPIC_API_KEY') });
    expect(check(body, 'claude_code')).toMatchObject({ ok: true });
    expect(check(body, 'node')).toMatchObject({ ok: true });
    expect(check(body, 'registry')).toMatchObject({ ok: true });
  });

  it('passes the credentials check with an API key or a Claude login, and reports a missing Chromium it was pointed at', () => {
    const withKey = doctor({
      PATH: process.env.PATH,
      HOME: root,
      AUTOCODER_HOME: join(root, 'home'),
      ANTHROPIC_API_KEY: 'sk-test-000000',
    });
    expect(check(withKey.body, 'credentials')).toMatchObject({ ok: true, detail: 'ANTHROPIC_API_KEY is set' });
    const config = join(root, 'claude');
    mkdirSync(config);
    writeFileSync(join(config, '.credentials.json'), '{}');
    const withLogin = doctor({
      PATH: process.env.PATH,
      HOME: root,
      AUTOCODER_HOME: join(root, 'home'),
      CLAUDE_CONFIG_DIR: config,
      AUTOCODER_CHROMIUM: join(root, 'no-chrome'),
    });
    expect(check(withLogin.body, 'credentials')?.ok).toBe(true);
    expect(check(withLogin.body, 'chromium')).toMatchObject({
      ok: false,
      detail: expect.stringContaining('does not exist'),
    });
  });

  it('without credentials points at autocoder demo, and names hints as npx autocoder where autocoder is not on PATH', async () => {
    const bin = join(root, 'bin');
    mkdirSync(bin);
    const base = { HOME: root, AUTOCODER_HOME: join(root, 'home') };
    // In a clone: only node and git on PATH, no autocoder.
    const inClone = await startCliInProcess(['doctor'], { ...base, PATH: `${bin}:${process.env.PATH ?? ''}` }).done;
    expect(inClone.status).toBe(1);
    expect(inClone.stdout).toContain('No credentials yet? `npx autocoder demo` builds a small app with the demo model');
    expect(inClone.stdout).toContain('then run `npx autocoder doctor` again.');
    expect(inClone.stdout).toContain('npx autocoder config');
    // Installed: autocoder is on PATH, so the hints name it plainly.
    writeFileSync(join(bin, 'autocoder'), '#!/bin/sh\n', { mode: 0o755 });
    const installed = await startCliInProcess(['doctor'], { ...base, PATH: `${bin}:${process.env.PATH ?? ''}` }).done;
    expect(installed.stdout).toContain('No credentials yet? `autocoder demo` builds');
    expect(installed.stdout).not.toContain('npx autocoder');
    // With credentials there is nothing to hint; the JSON keeps its keys and adds the hints.
    const json = doctor({ PATH: process.env.PATH, ...base, ANTHROPIC_API_KEY: 'sk-test-000000' });
    expect(json.body.hints).toEqual([]);
    expect(doctor({ PATH: process.env.PATH, ...base }).body.hints).toEqual([
      expect.stringContaining('`autocoder demo`'),
    ]);
  });

  it('reports a broken registry without touching it', () => {
    const home = join(root, 'home');
    mkdirSync(home);
    writeFileSync(join(home, 'registry.db'), 'this is not a database at all, not even close to one');
    const { body } = doctor({ PATH: process.env.PATH, HOME: root, AUTOCODER_HOME: home });
    expect(check(body, 'registry')).toMatchObject({ ok: false, fix: expect.stringContaining('never overwrites') });
  });
});
