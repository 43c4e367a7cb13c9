import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findOnPath } from '../config/sandbox-support.js';
import { findInitJailTools } from './init-jail.js';
import { decideSandbox, sandboxReadDenyPaths, sandboxSupport, sandboxWriteDenyPaths } from './sandbox.js';

let bin: string;
beforeEach(() => {
  bin = mkdtempSync(join(tmpdir(), 'ac-sandbox-bin-'));
});
afterEach(() => rmSync(bin, { recursive: true, force: true }));

const tool = (name: string) => {
  writeFileSync(join(bin, name), '#!/bin/sh\n');
  chmodSync(join(bin, name), 0o755);
};

describe('sandbox availability', () => {
  it('is available on Linux only with bubblewrap and socat on PATH, and says what to install', () => {
    expect(sandboxSupport('linux', bin)).toEqual({
      available: false,
      fix: expect.stringContaining('install bubblewrap and socat'),
    });
    tool('bwrap');
    expect(sandboxSupport('linux', bin).fix).toMatch(/install socat/);
    tool('socat');
    expect(sandboxSupport('linux', bin)).toEqual({ available: true, fix: null });
  });

  it('is available on macOS and not on Windows', () => {
    expect(sandboxSupport('darwin', '').available).toBe(true);
    expect(sandboxSupport('win32', '').fix).toMatch(/container or VM/);
  });

  it('auto turns it on where available and warns where not; on refuses to run without it; off is off', () => {
    expect(decideSandbox('auto', 'linux', bin)).toEqual({
      enabled: false,
      warning: expect.stringMatching(/WITHOUT the OS sandbox/),
    });
    expect(() => decideSandbox('on', 'linux', bin)).toThrow(/--sandbox on was requested/);
    expect(decideSandbox('off', 'linux', bin)).toEqual({ enabled: false, warning: null });
    tool('bwrap');
    tool('socat');
    expect(decideSandbox('auto', 'linux', bin)).toEqual({ enabled: true, warning: null });
    expect(decideSandbox('on', 'linux', bin)).toEqual({ enabled: true, warning: null });
  });
});

describe('finding the programs the init.sh jail runs', () => {
  it('takes the first absolute PATH entry that has the program, never a relative one', () => {
    tool('bwrap');
    expect(findOnPath('bwrap', `relative/bin:${bin}:/usr/bin`)).toBe(join(bin, 'bwrap'));
    expect(findOnPath('bwrap', '.:relative')).toBeNull();
  });

  it('has the jail on Linux with bubblewrap and bash on PATH, and nowhere else', () => {
    tool('bwrap');
    expect(findInitJailTools('linux', bin)).toBeNull();
    tool('bash');
    expect(findInitJailTools('linux', bin)).toEqual({ bwrap: join(bin, 'bwrap'), bash: join(bin, 'bash') });
    expect(findInitJailTools('darwin', bin)).toBeNull();
  });
});

describe('what the sandbox hides from agent commands', () => {
  const input = {
    homes: ['/home/u'],
    autocoderHome: '/home/u/.autocoder-x',
    claudeConfigDir: '/cfg/claude',
    otherProjects: ['/work/other', '/work'],
    projectRoot: '/work/app',
  };

  it('hides autocoder home (the server token), credentials under the home, Claude Code config and other projects', () => {
    const denied = sandboxReadDenyPaths(input);
    for (const p of [
      '/home/u/.autocoder-x',
      '/home/u/.ssh',
      '/home/u/.aws',
      '/home/u/.claude',
      '/home/u/.claude.json',
      '/home/u/.npmrc',
      '/home/u/.config/gcloud',
      '/cfg/claude',
      '/work/other',
    ])
      expect(denied).toContain(p);
  });

  it('never hides the project itself or a folder that holds it', () => {
    const denied = sandboxReadDenyPaths({
      ...input,
      otherProjects: ['/work', '/work/app', '/work/app-other'],
      autocoderHome: '/work/app/..',
    });
    expect(denied).not.toContain('/work');
    expect(denied).not.toContain('/work/app');
    expect(denied).toContain('/work/app-other');
  });

  it('drops relative paths and duplicates', () => {
    const denied = sandboxReadDenyPaths({
      ...input,
      homes: ['/home/u', '/home/u/'],
      otherProjects: ['relative/x', '/work/other', '/work/other/'],
    });
    expect(denied.filter((p) => p === '/work/other')).toHaveLength(1);
    expect(denied.filter((p) => p === '/home/u/.ssh')).toHaveLength(1);
    expect(denied.some((p) => p.includes('relative'))).toBe(false);
  });
});

describe('what the sandbox keeps read-only inside the working folder', () => {
  it("lists the runner's state (not the worktrees), git hooks, the browser config and Claude Code settings of the root and the worktree", () => {
    const denied = sandboxWriteDenyPaths({
      projectRoot: '/p',
      cwd: '/p/.autocoder/worktrees/slot-1',
      dataDirEntries: ['autocoder.db', 'autocoder.db-wal', 'logs', 'prompts', 'worktrees', 'app_spec.txt'],
    });
    expect(denied).toEqual(
      [
        '/p/.autocoder/app_spec.txt',
        '/p/.autocoder/autocoder.db',
        '/p/.autocoder/autocoder.db-wal',
        '/p/.autocoder/logs',
        '/p/.autocoder/prompts',
        '/p/.autocoder/worktrees/slot-1/.autocoder',
        '/p/.autocoder/worktrees/slot-1/.claude',
        '/p/.autocoder/worktrees/slot-1/.playwright',
        '/p/.claude',
        '/p/.git/hooks',
        '/p/.playwright',
      ].sort(),
    );
    expect(denied.some((p) => p === '/p/.autocoder/worktrees' || p === '/p/.autocoder')).toBe(false);
  });
});
