import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { leaseVerifyWorktree, MAX_VERIFY_WORKTREES } from './checkout.js';

const temps: string[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});

function project(): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'autocoder-lease-')));
  temps.push(dir);
  return dir;
}

const lockOf = (root: string, n: number) => join(root, '.autocoder', 'worktrees', `verify-${n}.lock`);

/** A pid that no process has: far above the usual pid range. */
const DEAD_PID = 4_000_000;

describe('leaseVerifyWorktree', () => {
  it('gives two verifications at once two worktrees, and a released one to the next', () => {
    const root = project();
    const a = leaseVerifyWorktree(root);
    const b = leaseVerifyWorktree(root);
    expect([a.n, b.n]).toEqual([0, 1]);
    expect(JSON.parse(readFileSync(lockOf(root, 0), 'utf8'))).toMatchObject({ pid: process.pid });
    a.release();
    a.release();
    expect(existsSync(lockOf(root, 0))).toBe(false);
    expect(leaseVerifyWorktree(root).n).toBe(0);
  });

  it("takes over the lock of a process that died, never a live one's or another host's", () => {
    const root = project();
    mkdirSync(join(root, '.autocoder', 'worktrees'), { recursive: true });
    writeFileSync(lockOf(root, 0), JSON.stringify({ pid: process.pid, host: 'elsewhere.example', since: 1 }));
    writeFileSync(lockOf(root, 1), JSON.stringify({ pid: DEAD_PID, host: hostname(), since: 1 }));
    writeFileSync(lockOf(root, 2), JSON.stringify({ pid: process.ppid, host: hostname(), since: 1 }));
    const lease = leaseVerifyWorktree(root);
    expect(lease.n).toBe(1);
    expect(JSON.parse(readFileSync(lockOf(root, 1), 'utf8'))).toMatchObject({ pid: process.pid });
    expect(leaseVerifyWorktree(root).n).toBe(3);
  });

  it('leaves a lock that is still being written alone, and takes an unreadable old one', () => {
    const root = project();
    mkdirSync(join(root, '.autocoder', 'worktrees'), { recursive: true });
    writeFileSync(lockOf(root, 0), '');
    writeFileSync(lockOf(root, 1), '{"pid":');
    const old = (Date.now() - 60_000) / 1_000;
    utimesSync(lockOf(root, 1), old, old);
    expect(leaseVerifyWorktree(root).n).toBe(1);
  });

  it('refuses when every worktree is taken', () => {
    const root = project();
    for (let i = 0; i < MAX_VERIFY_WORKTREES; i += 1) leaseVerifyWorktree(root);
    expect(() => leaseVerifyWorktree(root)).toThrow(
      `${MAX_VERIFY_WORKTREES} verifications of this project are running already`,
    );
  });
});
