import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeTempDir, type TempDir } from '../../test/support/tmp.js';
import {
  dropPreRebaseTips,
  keepPreRebaseTip,
  moveCheckedOutBranch,
  nextPreRebaseRef,
  preRebaseRefs,
  rebaseDetached,
} from './rebase.js';
import { checkoutFeature, checkoutVerificationWorktree, ensureSlotWorktree } from './workspaces.js';

// Real git in temporary repositories.
vi.setConfig({ testTimeout: 30_000 });

// No ~/.gitconfig and no identity variables: the rebase must commit without a global identity.
const ISOLATED = ['HOME', 'XDG_CONFIG_HOME', 'GIT_CONFIG_NOSYSTEM', 'GIT_CONFIG_GLOBAL', 'EMAIL'];
const IDENTITY = ['GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL', 'GIT_COMMITTER_NAME', 'GIT_COMMITTER_EMAIL', 'GIT_EDITOR'];
const savedEnv = new Map<string, string | undefined>();
let home: TempDir;
let agentEnv: NodeJS.ProcessEnv;

beforeAll(() => {
  home = makeTempDir('autocoder-rebase-home-');
  for (const key of [...ISOLATED, ...IDENTITY]) {
    savedEnv.set(key, process.env[key]);
    delete process.env[key];
  }
  process.env.HOME = home.dir;
  process.env.GIT_CONFIG_NOSYSTEM = '1';
  agentEnv = {
    ...process.env,
    GIT_AUTHOR_NAME: 'Agent',
    GIT_AUTHOR_EMAIL: 'agent@example.test',
    GIT_COMMITTER_NAME: 'Agent',
    GIT_COMMITTER_EMAIL: 'agent@example.test',
  };
  // The runner's own git never opens an editor: one that fails proves it.
  process.env.GIT_EDITOR = 'false';
});

afterAll(() => {
  for (const [key, value] of savedEnv) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  home.cleanup();
});

const temps: TempDir[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) t.cleanup();
});

function agent(cwd: string, ...args: string[]): string {
  const res = spawnSync('git', args, { cwd, env: agentEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (res.status !== 0) throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${res.stderr}`);
  return res.stdout.trim();
}

function write(dir: string, file: string, content: string): void {
  mkdirSync(dirname(join(dir, file)), { recursive: true });
  writeFileSync(join(dir, file), content);
}

function commit(dir: string, message: string): string {
  agent(dir, 'add', '-A');
  agent(dir, 'commit', '--quiet', '-m', message);
  return agent(dir, 'rev-parse', 'HEAD');
}

/** A project with one slot on feature 7 (one commit of its own) and main moved on by another commit. */
function behindMain(conflicting: boolean): { root: string; slot: string; tip: string; mainTip: string } {
  const tmp = makeTempDir('autocoder-rebase-');
  temps.push(tmp);
  const root = realpathSync(tmp.dir);
  agent(root, 'init', '--quiet', '--initial-branch=main');
  write(root, '.gitignore', '.autocoder/\nnode_modules/\n');
  write(root, 'app.txt', 'title\nbody\n');
  commit(root, 'initial');
  const slot = ensureSlotWorktree(root, 0, 'main');
  checkoutFeature(slot, 7, 'main');
  write(slot, conflicting ? 'app.txt' : 'feature7.txt', 'by feature 7\n');
  const tip = commit(slot, 'feature 7');
  write(root, 'app.txt', 'title on main\nbody\n');
  const mainTip = commit(root, 'another feature landed');
  return { root, slot, tip, mainTip };
}

describe('nextPreRebaseRef (pure)', () => {
  it('numbers a feature’s kept tips from 1, one past its highest, ignoring other features', () => {
    expect(nextPreRebaseRef(7, [])).toBe('refs/autocoder/pre-rebase/7-1');
    expect(
      nextPreRebaseRef(7, [
        'refs/autocoder/pre-rebase/7-1',
        'refs/autocoder/pre-rebase/7-3',
        'refs/autocoder/pre-rebase/17-9',
        'refs/autocoder/pre-rebase/71-4',
      ]),
    ).toBe('refs/autocoder/pre-rebase/7-4');
  });

  it('refuses a feature id that is not a whole number ≥ 1', () => {
    expect(() => nextPreRebaseRef(0, [])).toThrow(/whole number ≥ 1/);
    expect(() => nextPreRebaseRef(1.5, [])).toThrow(/whole number ≥ 1/);
  });
});

describe('pre-rebase tips', () => {
  it('keeps each tip under its own ref, lists them per feature and drops only that feature’s', () => {
    const { root, tip, mainTip } = behindMain(false);
    expect(keepPreRebaseTip(root, 7, tip)).toBe('refs/autocoder/pre-rebase/7-1');
    expect(keepPreRebaseTip(root, 7, mainTip)).toBe('refs/autocoder/pre-rebase/7-2');
    expect(keepPreRebaseTip(root, 8, tip)).toBe('refs/autocoder/pre-rebase/8-1');
    expect(agent(root, 'rev-parse', 'refs/autocoder/pre-rebase/7-1')).toBe(tip);
    expect(preRebaseRefs(root, 7)).toEqual(['refs/autocoder/pre-rebase/7-1', 'refs/autocoder/pre-rebase/7-2']);
    // Not a branch: branch listings (and the pruning of landed branches) never see them.
    expect(agent(root, 'branch', '--list', '--all')).not.toContain('pre-rebase');
    expect(dropPreRebaseTips(root, 7)).toHaveLength(2);
    expect(preRebaseRefs(root)).toEqual(['refs/autocoder/pre-rebase/8-1']);
  });
});

describe('rebaseDetached', () => {
  it('replays a branch that does not conflict onto main in a scratch worktree; the agent’s branch is untouched', () => {
    const { root, slot, tip, mainTip } = behindMain(false);
    const { path } = checkoutVerificationWorktree(root, 0, tip, ['node_modules']);
    const res = rebaseDetached(path, mainTip);
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(agent(path, 'rev-parse', 'HEAD^')).toBe(mainTip);
    expect(agent(path, 'show', `${res.head}:feature7.txt`)).toBe('by feature 7');
    expect(agent(path, 'show', `${res.head}:app.txt`)).toBe('title on main\nbody');
    // The agent's authorship stays; the committer is the repository's identity or "autocoder".
    expect(agent(path, 'log', '-1', '--format=%an|%cn|%s', res.head)).toBe('Agent|autocoder|feature 7');
    expect(agent(slot, 'rev-parse', 'HEAD')).toBe(tip);
    expect(agent(root, 'rev-parse', 'autocoder/feature-7')).toBe(tip);
  });

  it('names the conflicting files and leaves nothing half done when the branch conflicts', () => {
    const { root, tip, mainTip } = behindMain(true);
    const { path } = checkoutVerificationWorktree(root, 0, tip, ['node_modules']);
    const res = rebaseDetached(path, mainTip);
    expect(res).toMatchObject({ ok: false, conflicts: ['app.txt'] });
    expect(agent(path, 'rev-parse', 'HEAD')).toBe(tip);
    expect(agent(path, 'status', '--porcelain')).toBe('');
    expect(existsSync(join(root, '.git', 'worktrees', 'verify-0', 'rebase-merge'))).toBe(false);
  });

  it('moves no other branch along, whatever the repository’s rebase settings say', () => {
    const { root, tip, mainTip } = behindMain(false);
    agent(root, 'config', 'rebase.updateRefs', 'true');
    agent(root, 'config', 'rebase.autoStash', 'true');
    agent(root, 'branch', 'autocoder/feature-7-copy', tip);
    const { path } = checkoutVerificationWorktree(root, 0, tip, []);
    expect(rebaseDetached(path, mainTip).ok).toBe(true);
    expect(agent(root, 'rev-parse', 'autocoder/feature-7-copy')).toBe(tip);
  });
});

describe('moveCheckedOutBranch', () => {
  it('moves the agent’s branch and its files to the rebased commit, keeping an untracked file', () => {
    const { root, slot, tip, mainTip } = behindMain(false);
    const { path } = checkoutVerificationWorktree(root, 0, tip, []);
    const res = rebaseDetached(path, mainTip);
    if (!res.ok) throw new Error('the rebase should be clean');
    write(slot, 'notes.tmp', 'untracked\n');
    expect(moveCheckedOutBranch(slot, 'autocoder/feature-7', tip, res.head)).toBe(true);
    expect(agent(slot, 'rev-parse', 'HEAD')).toBe(res.head);
    expect(agent(slot, 'symbolic-ref', '--short', 'HEAD')).toBe('autocoder/feature-7');
    expect(readFileSync(join(slot, 'app.txt'), 'utf8')).toBe('title on main\nbody\n');
    expect(readFileSync(join(slot, 'notes.tmp'), 'utf8')).toBe('untracked\n');
  });

  it('refuses, nothing changed, when the worktree is no longer on that branch at that commit', () => {
    const { slot, tip, mainTip } = behindMain(false);
    write(slot, 'more.txt', 'more\n');
    const later = commit(slot, 'feature 7: more');
    expect(moveCheckedOutBranch(slot, 'autocoder/feature-7', tip, mainTip)).toBe(false);
    expect(agent(slot, 'rev-parse', 'HEAD')).toBe(later);
    expect(moveCheckedOutBranch(slot, 'autocoder/feature-8', later, mainTip)).toBe(false);
    expect(agent(slot, 'rev-parse', 'HEAD')).toBe(later);
  });

  it('refuses, nothing changed, while a cherry-pick is half done there (on that branch, at that commit)', () => {
    const { slot, tip, mainTip } = behindMain(false);
    // A commit making the branch's own change again: picking it stops, empty, with nothing in the way of a
    // `git reset --keep`, which would go ahead and drop the half-done cherry-pick.
    const same = agent(slot, 'commit-tree', `${tip}^{tree}`, '-p', `${tip}^`, '-m', 'the same change');
    expect(spawnSync('git', ['cherry-pick', same], { cwd: slot, env: agentEnv }).status).not.toBe(0);
    const marker = resolve(slot, agent(slot, 'rev-parse', '--git-path', 'CHERRY_PICK_HEAD'));
    expect(existsSync(marker)).toBe(true);
    expect(moveCheckedOutBranch(slot, 'autocoder/feature-7', tip, mainTip)).toBe(false);
    expect(agent(slot, 'rev-parse', 'HEAD')).toBe(tip);
    expect(existsSync(marker)).toBe(true);
  });

  it('refuses when an uncommitted change is in the way of the move', () => {
    const { slot, tip, mainTip } = behindMain(false);
    write(slot, 'app.txt', 'edited by the agent meanwhile\n');
    expect(moveCheckedOutBranch(slot, 'autocoder/feature-7', tip, mainTip)).toBe(false);
    expect(agent(slot, 'rev-parse', 'HEAD')).toBe(tip);
    expect(readFileSync(join(slot, 'app.txt'), 'utf8')).toBe('edited by the agent meanwhile\n');
  });
});
