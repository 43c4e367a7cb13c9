import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { attachRemote, ensureClone, publishProjectStart, type GitRemote } from '../git/remote.js';
import { BranchPusher, RemoteSync } from './remote-sync.js';
import { commit, git, GIT_TEST_ENV } from '../../test/support/git-repo.js';

/**
 * A run's clone of a shared project's remote (#20), on real repositories: main follows the remote's, a feature goes on
 * from its pushed branch (a diverged local branch is kept under a ref first), and a session's branch is pushed as it
 * moves. The shared lock's behaviour across processes: test/integration/pg-shared-lock.int.test.ts.
 */

let root: string;
let target: GitRemote & { lock: { tryAcquire: () => boolean; release: () => void } };
const ENV = GIT_TEST_ENV;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-remote-sync-'));
  const bare = join(root, 'remote.git');
  git(root, 'init', '--quiet', '--bare', '--initial-branch=main', bare);
  // RemoteSync never takes the lock itself (the merge queue does): this one is never asked.
  target = { url: bare, env: ENV, lock: { tryAcquire: () => false, release: () => undefined } };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

async function clones(): Promise<{ a: RemoteSync; b: RemoteSync }> {
  const a = join(root, 'a');
  git(root, 'init', '--quiet', '--initial-branch=main', a);
  attachRemote(a, target, 'main');
  writeFileSync(join(a, '.gitignore'), '.autocoder/\n');
  publishProjectStart(a, target, 'main', ['.gitignore']);
  const b = join(root, 'b');
  await ensureClone(b, target, 'main');
  return { a: new RemoteSync(a, 'main', target), b: new RemoteSync(b, 'main', target) };
}

describe('RemoteSync', () => {
  it("brings local main to the remote's, and publishes a landing as a fast-forward of it", async () => {
    const { a, b } = await clones();
    const landed = commit(a.root, 'x.txt', 'landed on a');
    expect(await a.publishMain(landed)).toEqual({ ok: true });
    expect(await b.syncMain()).toBe(landed);
    expect(git(b.root, 'rev-parse', 'main')).toBe(landed);
    // The files of the folder follow (a fast-forward in the checked-out main).
    expect(git(b.root, 'show', 'HEAD:x.txt')).toBe('landed on a');
  });

  it('goes on from the branch pushed for a feature; local commits the remote lacks are kept under a ref', async () => {
    const { a, b } = await clones();
    git(a.root, 'switch', '--quiet', '-c', 'autocoder/feature-2');
    const pushed = commit(a.root, 'f2.txt', 'work of machine a');
    const pusher = new BranchPusher(a, a.root, 2, null, () => undefined);
    pusher.poke();
    await pusher.flush();
    expect(pusher.remoteTip).toBe(pushed);
    // Machine b had started the feature before (a commit it never pushed), then lost it to a.
    const mainTip = git(b.root, 'rev-parse', 'main');
    git(b.root, 'switch', '--quiet', '-c', 'autocoder/feature-2');
    const own = commit(b.root, 'f2.txt', 'unpushed work of machine b');
    const adopted = await b.adoptPushed(b.root, 2, own, mainTip);
    expect(adopted).toEqual({
      remoteTip: pushed,
      adopted: true,
      keptAs: `refs/autocoder/diverged/feature-2-${own.slice(0, 12)}`,
    });
    expect(git(b.root, 'rev-parse', 'HEAD')).toBe(pushed);
    expect(git(b.root, 'rev-parse', adopted.keptAs!)).toBe(own);
    // A branch that has everything pushed already stays as it is.
    expect(await b.adoptPushed(b.root, 2, pushed, mainTip)).toEqual({
      remoteTip: pushed,
      adopted: false,
      keptAs: null,
    });
  });

  it("a session's pusher pushes each new tip once, and a refused push is told, not thrown", async () => {
    const { a, b } = await clones();
    git(a.root, 'switch', '--quiet', '-c', 'autocoder/feature-4');
    const told: string[] = [];
    const pusher = new BranchPusher(a, a.root, 4, null, (line) => told.push(line));
    commit(a.root, 'f4.txt', 'one');
    pusher.poke();
    pusher.poke();
    const two = commit(a.root, 'f4.txt', 'two');
    await pusher.flush();
    expect(pusher.remoteTip).toBe(two);
    expect(git(b.root, 'ls-remote', 'origin', 'refs/heads/autocoder/feature-4').split('\t')[0]).toBe(two);
    // Someone else moved the remote branch: this session's next push is refused (the lease) and said once.
    git(b.root, 'fetch', '--quiet', 'origin', 'autocoder/feature-4');
    git(b.root, 'switch', '--quiet', '-c', 'autocoder/feature-4', 'FETCH_HEAD');
    const theirs = commit(b.root, 'f4.txt', 'theirs');
    git(b.root, 'push', '--quiet', 'origin', 'autocoder/feature-4');
    commit(a.root, 'f4.txt', 'three');
    await pusher.flush();
    commit(a.root, 'f4.txt', 'four');
    await pusher.flush();
    expect(told).toHaveLength(1);
    expect(told[0]).toMatch(/^Feature #4: the remote refused autocoder\/feature-4 at [0-9a-f]{8}/);
    expect(git(b.root, 'ls-remote', 'origin', 'refs/heads/autocoder/feature-4').split('\t')[0]).toBe(theirs);
  });
});
