import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeTempDir, type TempDir } from '../../test/support/tmp.js';
import { checkoutFeature, ensureSlotWorktree, landingCheck } from '../git/workspaces.js';
import { preRebaseRefs } from '../git/rebase.js';
import { rebasedNote, rebaseForLanding, sendBackMessage } from './integrate.js';

// Real git in temporary repositories.
vi.setConfig({ testTimeout: 30_000 });

const temps: TempDir[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) t.cleanup();
});

const ID = ['-c', 'user.name=Agent', '-c', 'user.email=agent@example.test'];
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', [...ID, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

function write(dir: string, file: string, content: string): void {
  mkdirSync(dirname(join(dir, file)), { recursive: true });
  writeFileSync(join(dir, file), content);
}

function commit(dir: string, message: string): string {
  git(dir, 'add', '-A');
  git(dir, 'commit', '--quiet', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}

/** Feature 3 committed in slot 0 while another feature landed on main; `conflicting`: both edited app.txt. */
function behindMain(conflicting: boolean) {
  const tmp = makeTempDir('autocoder-integrate-');
  temps.push(tmp);
  const root = realpathSync(tmp.dir);
  git(root, 'init', '--quiet', '--initial-branch=main');
  write(root, '.gitignore', '.autocoder/\n');
  write(root, 'app.txt', 'title\nbody\n');
  commit(root, 'initial');
  const worktree = ensureSlotWorktree(root, 0, 'main');
  checkoutFeature(worktree, 3, 'main');
  write(worktree, conflicting ? 'app.txt' : 'three.txt', 'feature 3\n');
  const tip = commit(worktree, 'feature 3');
  write(root, 'app.txt', 'title on main\nbody\n');
  const mainTip = commit(root, 'feature 1 landed');
  const check = landingCheck(worktree, 3, 'main');
  if (check.ok || !check.behind) throw new Error('the branch should be behind main');
  return { root, worktree, tip, mainTip, check };
}

describe('rebaseForLanding', async () => {
  it('rebases a clean branch in a verification worktree, moves the agent’s branch there and keeps the old tip', async () => {
    const { root, worktree, tip, mainTip, check } = behindMain(false);
    expect(check.behind).toEqual({ head: tip, main: mainTip });
    const res = await rebaseForLanding(root, { featureId: 3, worktree, head: tip, mainTip });
    expect(res).toMatchObject({ kind: 'rebased', from: tip, keptAs: 'refs/autocoder/pre-rebase/3-1' });
    if (res.kind !== 'rebased') return;
    expect(git(root, 'rev-parse', `${res.head}^`)).toBe(mainTip);
    // The agent's worktree shows what lands, on its branch, clean: the landing check now passes on it.
    expect(landingCheck(worktree, 3, 'main')).toEqual({ ok: true, head: res.head });
    expect(readFileSync(join(worktree, 'app.txt'), 'utf8')).toBe('title on main\nbody\n');
    expect(git(root, 'rev-parse', 'refs/autocoder/pre-rebase/3-1')).toBe(tip);
    // Done in the verification worktree (its lease released), never in the agent's.
    expect(git(join(root, '.autocoder', 'worktrees', 'verify-0'), 'rev-parse', 'HEAD')).toBe(res.head);
    expect(existsSync(join(root, '.autocoder', 'worktrees', 'verify-0.lock'))).toBe(false);
  });

  it('hands a conflict back with the file, the agent’s branch and worktree untouched, no ref kept', async () => {
    const { root, worktree, tip, mainTip } = behindMain(true);
    expect(await rebaseForLanding(root, { featureId: 3, worktree, head: tip, mainTip })).toMatchObject({
      kind: 'conflict',
      files: ['app.txt'],
    });
    expect(git(worktree, 'rev-parse', 'HEAD')).toBe(tip);
    expect(git(worktree, 'status', '--porcelain')).toBe('');
    expect(preRebaseRefs(root)).toEqual([]);
  });

  it('declines, branch untouched and no ref kept, when the agent’s worktree moved in between', async () => {
    const { root, worktree, tip, mainTip } = behindMain(false);
    write(worktree, 'more.txt', 'more\n');
    const later = commit(worktree, 'feature 3: more');
    expect(await rebaseForLanding(root, { featureId: 3, worktree, head: tip, mainTip })).toEqual({
      kind: 'declined',
      why: 'the worktree changed while the runner rebased the branch',
    });
    expect(git(worktree, 'rev-parse', 'HEAD')).toBe(later);
    expect(preRebaseRefs(root)).toEqual([]);
  });

  it('declines a branch whose every commit is on main already', async () => {
    const { root, worktree, mainTip } = behindMain(false);
    // The same change landed on main by another route: the rebase drops the commit as empty.
    write(root, 'three.txt', 'feature 3\n');
    const main2 = commit(root, 'feature 3, landed by hand');
    expect(
      await rebaseForLanding(root, {
        featureId: 3,
        worktree,
        head: git(worktree, 'rev-parse', 'HEAD'),
        mainTip: main2,
      }),
    ).toMatchObject({ kind: 'declined' });
    expect(mainTip).not.toBe(main2);
    expect(preRebaseRefs(root)).toEqual([]);
  });

  it('lets the event loop turn while git works (other slots go on meanwhile)', async () => {
    const { root, worktree, tip, mainTip } = behindMain(false);
    let turned = false;
    setImmediate(() => (turned = true));
    // Blocking git would finish the whole rebase before the immediate could run.
    expect(await rebaseForLanding(root, { featureId: 3, worktree, head: tip, mainTip })).toMatchObject({
      kind: 'rebased',
    });
    expect(turned).toBe(true);
  });
});

describe('sendBackMessage (pure)', () => {
  const check = {
    reason: 'main has moved on to abc12345 since autocoder/feature-3 started',
    steps: ['git rebase main'],
  };

  it('is the landing check’s answer when the runner did not try', () => {
    expect(sendBackMessage(check, null)).toBe(
      'main has moved on to abc12345 since autocoder/feature-3 started The feature is not passing yet. Do this, then call feature_mark_passing again:\n1. git rebase main',
    );
  });

  it('names the conflicting files when the runner’s rebase conflicted, with the steps', () => {
    const text = sendBackMessage(check, { kind: 'conflict', files: ['a.txt', 'b.txt'], detail: 'CONFLICT' });
    expect(text).toContain(
      'The runner tried to rebase it for you and it conflicts in a.txt, b.txt: resolve that yourself.',
    );
    expect(text).toMatch(/\n1\. git rebase main$/);
  });

  it('says why the runner did not rebase it', () => {
    expect(sendBackMessage(check, { kind: 'conflict', files: [], detail: 'fatal: something odd\nmore' })).toContain(
      'git stopped: fatal: something odd.',
    );
    expect(sendBackMessage(check, { kind: 'declined', why: 'nothing is left to land' })).toContain(
      'The runner did not rebase it for you: nothing is left to land.',
    );
  });
});

describe('rebasedNote (pure)', () => {
  it('tells the agent its branch was rebased, where it is now and where the old tip is kept', () => {
    const note = rebasedNote('main', 3, {
      kind: 'rebased',
      head: 'b'.repeat(40),
      from: 'a'.repeat(40),
      keptAs: 'refs/autocoder/pre-rebase/3-1',
    });
    expect(note).toBe(
      `main had moved on, so the runner rebased your branch onto it: autocoder/feature-3 is now at ${'b'.repeat(12)} in your worktree (your commits before the rebase: ${'a'.repeat(12)}, kept as refs/autocoder/pre-rebase/3-1). What follows is about that rebased commit.`,
    );
  });
});
