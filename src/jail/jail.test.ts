import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jailArgv, planJail, type JailPlan } from './jail.js';

const plan: JailPlan = {
  bwrap: '/usr/bin/bwrap',
  bash: '/usr/bin/bash',
  projectDir: '/work/app/.autocoder/worktrees/verify-0',
  privateDirs: ['/tmp'],
  emptyDirs: [],
  writable: [],
  readOnly: [],
  hidden: [],
  env: {},
  marker: 'ac-verify-0011',
};

describe('jailArgv', () => {
  it('ties the jail to the bwrap that started it only when asked (a check ends with its command, an app outlives ./init.sh)', () => {
    expect(jailArgv(plan)).not.toContain('--die-with-parent');
    const tied = jailArgv({ ...plan, dieWithParent: true });
    expect(tied).toContain('--die-with-parent');
    // Before any mount, so it holds from the start.
    expect(tied.indexOf('--die-with-parent')).toBeLessThan(tied.indexOf('--ro-bind'));
    expect(tied.filter((a) => a !== '--die-with-parent')).toEqual(jailArgv(plan));
  });
});

describe('planJail', () => {
  const temps: string[] = [];
  afterEach(() => {
    for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
  });
  const temp = (prefix: string) => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
    temps.push(dir);
    return dir;
  };

  it("makes a TMPDIR and HOME inside the owner's folder empty private ones, hides folders and files, and lets git read a worktree's shared .git", () => {
    const root = temp('ac-jailplan-root-');
    execFileSync('git', ['init', '--quiet', root]);
    execFileSync('git', [
      '-C',
      root,
      '-c',
      'user.name=t',
      '-c',
      'user.email=t@t',
      'commit',
      '--quiet',
      '--allow-empty',
      '-m',
      'first',
    ]);
    const checkout = join(root, 'wt');
    execFileSync('git', ['-C', root, 'worktree', 'add', '--quiet', '--detach', checkout]);
    const own = temp('ac-jailplan-own-');
    mkdirSync(join(own, 'tmp'));
    mkdirSync(join(own, 'home'));
    const secrets = temp('ac-jailplan-secrets-');
    mkdirSync(join(secrets, '.ssh'));
    writeFileSync(join(secrets, '.npmrc'), 'token');

    const p = planJail({
      tools: { bwrap: '/usr/bin/bwrap', bash: '/usr/bin/bash' },
      cwd: checkout,
      privateDir: own,
      env: { TMPDIR: join(own, 'tmp'), HOME: join(own, 'home') },
      hidden: [join(secrets, '.ssh'), join(secrets, '.npmrc'), join(secrets, 'missing')],
      tempDir: tmpdir(),
      marker: 'ac-verify-1',
      dieWithParent: true,
    });
    expect(p.projectDir).toBe(realpathSync(checkout));
    expect(p.emptyDirs).toEqual([join(own, 'tmp'), join(own, 'home')]);
    expect(p.writable).toEqual([]);
    expect(p.readOnly).toEqual([join(root, '.git')]);
    expect(p.hidden).toEqual([
      { path: join(secrets, '.ssh'), kind: 'dir' },
      { path: join(secrets, '.npmrc'), kind: 'file' },
    ]);
    expect(p.env).toEqual({ TMPDIR: join(own, 'tmp') });
    expect(p.dieWithParent).toBe(true);
    expect(p.marker).toBe('ac-verify-1');
  });
});
