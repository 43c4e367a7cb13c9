import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  attachRemote,
  deleteMergedRemoteBranch,
  ensureClone,
  fetchBranch,
  publishProjectStart,
  pushBranch,
  pushMain,
  shownRemote,
  type GitRemote,
} from './remote.js';
import { commit, git, GIT_TEST_ENV } from '../../test/support/git-repo.js';

/** The remote git of a project shared by machines (#20), against real repositories: a bare remote and two clones. */

let root: string;
let bare: string;
let remote: GitRemote;
const ENV = GIT_TEST_ENV;
const remoteTip = (ref: string) => {
  const res = spawnSync('git', ['rev-parse', '--verify', '--quiet', ref], { cwd: bare, encoding: 'utf8' });
  return res.status === 0 ? res.stdout.trim() : null;
};

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-remote-git-'));
  bare = join(root, 'remote.git');
  git(root, 'init', '--quiet', '--bare', '--initial-branch=main', bare);
  remote = { url: bare, env: ENV };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A project folder attached to the remote with its first commit published, and a worker's clone of it. */
async function twoClones(): Promise<{ a: string; b: string }> {
  const a = join(root, 'a');
  git(root, 'init', '--quiet', '--initial-branch=main', a);
  expect(attachRemote(a, remote, 'main')).toBe(false);
  writeFileSync(join(a, '.gitignore'), '.autocoder/\n');
  publishProjectStart(a, remote, 'main', ['.gitignore']);
  const b = join(root, 'b');
  expect(await ensureClone(b, remote, 'main')).toBe('cloned');
  expect(await ensureClone(b, remote, 'main')).toBe('existing');
  return { a, b };
}

describe('a shared project on its remote', () => {
  it("publishes the folder's first commit as the remote's main, and a clone starts there", async () => {
    const { a, b } = await twoClones();
    expect(remoteTip('main')).toBe(git(a, 'rev-parse', 'main'));
    expect(git(b, 'rev-parse', 'HEAD')).toBe(remoteTip('main'));
    // A second project folder attached to it takes the remote's main as it is.
    const c = join(root, 'c');
    git(root, 'init', '--quiet', '--initial-branch=main', c);
    expect(attachRemote(c, remote, 'main')).toBe(true);
    expect(git(c, 'rev-parse', 'HEAD')).toBe(remoteTip('main'));
  });

  it("fast-forwards the remote's main only: a push from behind is refused, nothing on main is rewritten", async () => {
    const { a, b } = await twoClones();
    const ahead = commit(a, 'x.txt', 'from a');
    expect(await pushMain(a, remote, 'main', ahead)).toEqual({ ok: true });
    const stale = commit(b, 'y.txt', 'from b, not on top of a');
    const refused = await pushMain(b, remote, 'main', stale);
    expect(refused.ok).toBe(false);
    expect(remoteTip('main')).toBe(ahead);
  });

  it('pushes a feature branch as a compare-and-set on the tip it last saw, and fetches it elsewhere', async () => {
    const { a, b } = await twoClones();
    git(a, 'switch', '--quiet', '-c', 'autocoder/feature-3');
    const first = commit(a, 'f3.txt', 'one');
    expect(await pushBranch(a, remote, 'autocoder/feature-3', first, null)).toEqual({ ok: true });
    // Another machine takes the feature over from what was pushed.
    expect(await fetchBranch(b, 'autocoder/feature-3', remote)).toBe(first);
    git(b, 'switch', '--quiet', '-c', 'autocoder/feature-3', 'refs/remotes/origin/autocoder/feature-3');
    const second = commit(b, 'f3.txt', 'two');
    expect(await pushBranch(b, remote, 'autocoder/feature-3', second, first)).toEqual({ ok: true });
    // The first machine, which still thinks the remote is at `first`, cannot overwrite the second's commit.
    const late = commit(a, 'f3.txt', 'late');
    const refused = await pushBranch(a, remote, 'autocoder/feature-3', late, null);
    expect(refused.ok).toBe(false);
    expect((await pushBranch(a, remote, 'autocoder/feature-3', late, first)).ok).toBe(false);
    expect(remoteTip('autocoder/feature-3')).toBe(second);
    // A branch the remote does not have is null, not an error.
    expect(await fetchBranch(b, 'autocoder/feature-9', remote)).toBeNull();
  });

  it('deletes a remote feature branch only when main holds its tip, and only the tip it was told', async () => {
    const { a } = await twoClones();
    git(a, 'switch', '--quiet', '-c', 'autocoder/feature-1');
    const tip = commit(a, 'f1.txt', 'one');
    await pushBranch(a, remote, 'autocoder/feature-1', tip, null);
    const main = git(a, 'rev-parse', 'main');
    // Not merged: kept.
    expect(await deleteMergedRemoteBranch(a, remote, 'autocoder/feature-1', tip, main)).toBe(false);
    expect(remoteTip('autocoder/feature-1')).toBe(tip);
    await pushMain(a, remote, 'main', tip);
    // Merged, but the remote's branch moved on since (a newer push): kept.
    const newer = commit(a, 'f1.txt', 'newer');
    await pushBranch(a, remote, 'autocoder/feature-1', newer, tip);
    expect(await deleteMergedRemoteBranch(a, remote, 'autocoder/feature-1', tip, tip)).toBe(false);
    expect(remoteTip('autocoder/feature-1')).toBe(newer);
    await pushMain(a, remote, 'main', newer);
    expect(await deleteMergedRemoteBranch(a, remote, 'autocoder/feature-1', newer, newer)).toBe(true);
    expect(remoteTip('autocoder/feature-1')).toBeNull();
  });

  it('says which remote could not be reached, without a password', async () => {
    const { a } = await twoClones();
    const gone: GitRemote = { url: join(root, 'gone.git'), env: ENV };
    git(a, 'remote', 'set-url', 'origin', gone.url);
    await expect(fetchBranch(a, 'main', gone)).rejects.toMatchObject({
      code: 'IO_ERROR',
      details: { remote: 'unreachable' },
    });
    expect(shownRemote('https://me:secret@example.com/app.git')).toBe('https://me:***@example.com/app.git');
  });
});
