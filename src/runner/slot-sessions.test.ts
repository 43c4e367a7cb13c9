import { mkdirSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gitInit, gitOk } from '../git/git.js';
import { makeTempDir, type TempDir } from '../../test/support/tmp.js';
import { clearStaleGitLocks, landedOnMain, slotPort } from './slot-sessions.js';

let tmp: TempDir;
let root: string;
const id = ['-c', 'user.name=T', '-c', 'user.email=t@example.com'];
const commit = (cwd: string, file: string, msg: string) => {
  writeFileSync(join(cwd, file), `${msg}\n`);
  gitOk(cwd, ['add', '-A']);
  gitOk(cwd, [...id, 'commit', '--quiet', '-m', msg]);
  return gitOk(cwd, ['rev-parse', 'HEAD']).trim();
};

beforeEach(() => {
  tmp = makeTempDir('ac-slot-');
  root = tmp.dir;
  gitInit(root);
  commit(root, 'a.txt', 'base');
});
afterEach(() => tmp.cleanup());

describe('landedOnMain', () => {
  it('tells whether a recorded landing commit reached main', () => {
    gitOk(root, ['switch', '--quiet', '-c', 'autocoder/feature-1']);
    const tip = commit(root, 'f1.txt', 'Feature #1');
    gitOk(root, ['switch', '--quiet', 'main']);
    expect(landedOnMain(root, tip, 'main')).toBe(false); // recorded, but the runner died before main moved
    gitOk(root, ['merge', '--quiet', '--ff-only', tip]);
    expect(landedOnMain(root, tip, 'main')).toBe(true);
  });
});

describe('clearStaleGitLocks', () => {
  it('removes lock files a killed git left in .git and worktrees, not fresh ones', () => {
    const worktreeGit = join(root, '.git', 'worktrees', 'slot-0');
    mkdirSync(worktreeGit, { recursive: true });
    const stale = [
      join(root, '.git', 'index.lock'),
      join(worktreeGit, 'index.lock'),
      join(root, '.git', 'refs', 'heads', 'main.lock'),
    ];
    for (const f of stale) {
      writeFileSync(f, '');
      utimesSync(f, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    }
    const fresh = join(root, '.git', 'HEAD.lock');
    writeFileSync(fresh, '');
    const cleared = clearStaleGitLocks(root, Date.now(), 5_000);
    expect(cleared.sort()).toEqual([...stale].sort());
    for (const f of stale) expect(existsSync(f)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
  });
});

it('gives every slot its own block of ten ports', () => {
  expect([0, 1, 4].map((s) => slotPort(5100, s))).toEqual([5100, 5110, 5140]);
});
