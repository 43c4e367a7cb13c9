import { mkdirSync, mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Env } from './env.js';
import {
  checkChromium,
  checkClaudeCode,
  checkCredentials,
  checkGit,
  checkSandbox,
  runSetupChecks,
  type SetupProbe,
} from './setup-checks.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'setup-checks-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function probe(env: Env, over: Partial<SetupProbe> = {}): SetupProbe {
  return {
    env,
    platform: 'linux',
    arch: 'x64',
    resolvePackageFile: () => null,
    version: () => null,
    fileExists: () => false,
    ...over,
  };
}

function fakeBin(name: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, name), '#!/bin/sh\n');
  chmodSync(join(bin, name), 0o755);
  return bin;
}

describe('setup checks', () => {
  it('finds the bundled Claude Code binary and reports its version', () => {
    const asked: string[] = [];
    const p = probe(
      {},
      {
        resolvePackageFile: (s) => (asked.push(s), s.includes('musl') ? null : `/pkg/${s}`),
        version: () => '2.1.0 (Claude Code)',
      },
    );
    expect(checkClaudeCode(p)).toEqual({
      id: 'claude_code',
      ok: true,
      detail: 'Claude Code 2.1.0 (Claude Code)',
      fix: null,
    });
    expect(asked[0]).toBe('@anthropic-ai/claude-agent-sdk-linux-x64/claude');
  });

  it('says how to fix a missing or broken Claude Code binary', () => {
    expect(checkClaudeCode(probe({}))).toMatchObject({ ok: false, fix: expect.stringContaining('npm ci') });
    expect(checkClaudeCode(probe({}, { resolvePackageFile: () => '/x/claude' }))).toMatchObject({
      ok: false,
      detail: expect.stringContaining('--version'),
    });
  });

  it.each([
    [{ ANTHROPIC_API_KEY: 'k' }, 'ANTHROPIC_API_KEY'],
    [{ ANTHROPIC_AUTH_TOKEN: 't', ANTHROPIC_BASE_URL: 'http://x' }, 'ANTHROPIC_AUTH_TOKEN'],
    [{ CLAUDE_CODE_USE_BEDROCK: '1' }, 'Bedrock'],
    [{ CLAUDE_CODE_USE_VERTEX: '1' }, 'Vertex'],
    [{ CLAUDE_CODE_OAUTH_TOKEN: 'o' }, 'OAUTH'],
  ])('accepts credentials %j', (env, detail) => {
    expect(checkCredentials(probe(env))).toMatchObject({ ok: true, detail: expect.stringContaining(detail) });
  });

  it('accepts a Claude login in CLAUDE_CONFIG_DIR or ~/.claude, and refuses a token without a base URL', () => {
    const files = new Set(['/cfg/.credentials.json', '/home/u/.claude/.credentials.json']);
    const has = (f: string) => files.has(f);
    expect(checkCredentials(probe({ CLAUDE_CONFIG_DIR: '/cfg' }, { fileExists: has })).ok).toBe(true);
    expect(checkCredentials(probe({ HOME: '/home/u' }, { fileExists: has })).ok).toBe(true);
    expect(
      checkCredentials(probe({ HOME: '/home/other', ANTHROPIC_AUTH_TOKEN: 't' }, { fileExists: has })),
    ).toMatchObject({ ok: false, fix: expect.stringContaining('ANTHROPIC_API_KEY') });
  });

  it('finds git and Chromium on PATH', () => {
    expect(checkGit(probe({ PATH: fakeBin('git') }, { version: () => 'git version 9' }))).toMatchObject({
      ok: true,
      detail: 'git version 9',
    });
    expect(checkGit(probe({ PATH: join(dir, 'empty') }))).toMatchObject({ ok: false });
    expect(checkChromium(probe({ PATH: fakeBin('chromium-browser') }))).toMatchObject({
      ok: true,
      detail: 'chromium-browser is on PATH',
    });
    expect(checkChromium(probe({ PATH: join(dir, 'empty') }))).toMatchObject({
      ok: false,
      fix: expect.stringContaining('Chromium'),
    });
  });

  it('reports the sandbox tools', () => {
    expect(checkSandbox(probe({ PATH: join(dir, 'empty') }))).toMatchObject({
      ok: false,
      fix: expect.stringContaining('bubblewrap'),
    });
    expect(checkSandbox(probe({}, { platform: 'darwin' })).ok).toBe(true);
  });

  it('runs every check in a stable order', () => {
    expect(runSetupChecks(probe({})).map((c) => c.id)).toEqual([
      'claude_code',
      'credentials',
      'git',
      'chromium',
      'sandbox',
    ]);
  });
});
