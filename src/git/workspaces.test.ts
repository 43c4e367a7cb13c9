import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeTempDir, type TempDir } from '../../test/support/tmp.js';
import { thrown } from '../../test/support/thrown.js';
import { isAppError } from '../domain/errors.js';
import {
  WORKTREES_DIR,
  checkoutFeature,
  checkoutFeatureAsync,
  checkoutVerificationWorktree,
  checkoutVerificationWorktreeAsync,
  commitWorkInProgress,
  commitWorkInProgressAsync,
  deleteMergedBranch,
  deleteMergedBranchAsync,
  ensureSlotWorktree,
  ensureSlotWorktreeAsync,
  fastForwardMain,
  fastForwardMainAsync,
  featureBranch,
  holdConfigLock,
  isMerged,
  landingCheck,
  landingCheckAsync,
  mainBranch,
  unmergedAutocoderBranches,
  worktreeGitWritePaths,
} from './workspaces.js';

// Runs real git in temporary repositories: slower than a unit test on a loaded machine.
vi.setConfig({ testTimeout: 30_000 });

// The module runs git with this process's environment. Give it a HOME with no ~/.gitconfig and no
// identity variables, so every commit it makes must work without a global git identity.
const ISOLATED = [
  'HOME',
  'XDG_CONFIG_HOME',
  'GIT_CONFIG_NOSYSTEM',
  'GIT_CONFIG_GLOBAL',
  'GIT_AUTHOR_NAME',
  'GIT_AUTHOR_EMAIL',
  'GIT_COMMITTER_NAME',
  'GIT_COMMITTER_EMAIL',
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'EMAIL',
];
const savedEnv = new Map<string, string | undefined>();
let home: TempDir;
let agentEnv: NodeJS.ProcessEnv;

beforeAll(() => {
  home = makeTempDir('autocoder-git-home-');
  for (const key of ISOLATED) {
    savedEnv.set(key, process.env[key]);
    delete process.env[key];
  }
  process.env.HOME = home.dir;
  process.env.GIT_CONFIG_NOSYSTEM = '1';
  // What an agent session gets: its identity through GIT_* variables, and no editor at all
  // (GIT_EDITOR=false fails loudly if a step we hand out would open one).
  agentEnv = {
    ...process.env,
    GIT_AUTHOR_NAME: 'Agent',
    GIT_AUTHOR_EMAIL: 'agent@example.test',
    GIT_COMMITTER_NAME: 'Agent',
    GIT_COMMITTER_EMAIL: 'agent@example.test',
    GIT_EDITOR: 'false',
  };
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

/** git as an agent runs it (argv, its env); returns the exit status and output. */
function agentTry(cwd: string, ...args: string[]): { status: number; out: string } {
  const res = spawnSync('git', args, { cwd, env: agentEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { status: res.status ?? 1, out: `${res.stdout}${res.stderr}`.trim() };
}

/** git as an agent runs it; fails the test when git fails. */
function agent(cwd: string, ...args: string[]): string {
  const res = spawnSync('git', args, { cwd, env: agentEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (res.status !== 0) throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${res.stderr}`);
  return res.stdout.trim();
}

function write(dir: string, file: string, content: string): void {
  mkdirSync(dirname(join(dir, file)), { recursive: true });
  writeFileSync(join(dir, file), content);
}

function read(dir: string, file: string): string {
  return readFileSync(join(dir, file), 'utf8');
}

/** Commits everything as the agent would. */
function agentCommit(dir: string, message: string): string {
  agent(dir, 'add', '-A');
  agent(dir, 'commit', '--quiet', '-m', message);
  return agent(dir, 'rev-parse', 'HEAD');
}

/** A project root like `autocoder new` makes: main branch, `.autocoder/` git-ignored, one commit. */
function newRepo(branch = 'main'): string {
  const tmp = makeTempDir('autocoder-ws-');
  temps.push(tmp);
  const root = realpathSync(tmp.dir);
  agent(root, 'init', '--quiet', `--initial-branch=${branch}`);
  write(root, '.gitignore', '.autocoder/\nnode_modules/\n');
  write(root, 'app.txt', 'title\nbody\n');
  write(root, 'README.md', 'readme\n');
  agentCommit(root, 'initial');
  return root;
}

function tip(dir: string, ref = 'HEAD'): string {
  return agent(dir, 'rev-parse', ref);
}

function onBranch(dir: string): string | null {
  const res = agentTry(dir, 'symbolic-ref', '--quiet', '--short', 'HEAD');
  return res.status === 0 ? res.out : null;
}

function statusOf(dir: string): string {
  return agent(dir, 'status', '--porcelain', '--untracked-files=all');
}

function branchExists(dir: string, branch: string): boolean {
  return agentTry(dir, 'show-ref', '--verify', '--quiet', `refs/heads/${branch}`).status === 0;
}

function errorCode(fn: () => unknown): string {
  try {
    fn();
  } catch (err: unknown) {
    if (isAppError(err)) return err.code;
    throw err;
  }
  throw new Error('expected an AppError');
}

/** Runs the landing gate's steps that are literal commands (the rest are instructions for the agent). */
function followSteps(dir: string, steps: readonly string[]): void {
  for (const step of steps) {
    if (!step.startsWith('git ') || step.includes('<')) continue;
    agent(dir, ...step.slice(4).split(' '));
  }
}

describe('names', () => {
  it('puts worktrees under .autocoder and names feature branches by id', () => {
    expect(WORKTREES_DIR).toBe('.autocoder/worktrees');
    expect(featureBranch(7)).toBe('autocoder/feature-7');
    expect(errorCode(() => featureBranch(0))).toBe('INVALID_INPUT');
    expect(errorCode(() => featureBranch(1.5))).toBe('INVALID_INPUT');
  });
});

describe('mainBranch', () => {
  it('is the branch checked out in the root, whatever it is called', () => {
    expect(mainBranch(newRepo())).toBe('main');
    expect(mainBranch(newRepo('master'))).toBe('master');
  });

  it('refuses a detached root and a repository without commits', () => {
    const root = newRepo();
    agent(root, 'switch', '--quiet', '--detach');
    expect(errorCode(() => mainBranch(root))).toBe('CONFLICT');

    const empty = makeTempDir('autocoder-ws-');
    temps.push(empty);
    agent(empty.dir, 'init', '--quiet', '--initial-branch=main');
    expect(errorCode(() => mainBranch(empty.dir))).toBe('CONFLICT');
  });
});

describe('sandboxed slots and the shared .git', () => {
  it('a slot may write the object store, refs, reflogs and its own admin folder, not the shared config', () => {
    const root = newRepo();
    const wt = ensureSlotWorktree(root, 0, 'main');
    const git = realpathSync(join(root, '.git'));
    const paths = worktreeGitWritePaths(wt);
    expect(paths).toEqual([
      join(git, 'objects'),
      join(git, 'refs'),
      join(git, 'logs'),
      join(git, 'worktrees', 'slot-0'),
    ]);
    for (const p of paths) expect(existsSync(p)).toBe(true);
    // The root itself (the initializer's folder) is a plain repository: its .git as a whole.
    expect(worktreeGitWritePaths(root)).toEqual([git]);
  });

  it('holds .git/config.lock while a run needs it steady, and leaves a lock it did not create alone', () => {
    const root = newRepo();
    const lock = join(root, '.git', 'config.lock');
    const release = holdConfigLock(root);
    expect(readFileSync(lock, 'utf8')).toBe('');
    // Branching, committing and landing never write the config, so they work while it is held.
    const wt = ensureSlotWorktree(root, 0, 'main');
    checkoutFeature(wt, 1, 'main');
    write(wt, 'f1.txt', 'one\n');
    agentCommit(wt, 'feature 1');
    fastForwardMain(root, 'main', tip(wt));
    release();
    expect(existsSync(lock)).toBe(false);

    writeFileSync(lock, 'someone else is writing the config\n');
    const noop = holdConfigLock(root);
    noop();
    expect(readFileSync(lock, 'utf8')).toBe('someone else is writing the config\n');
  });
});

describe('ensureSlotWorktree', () => {
  it('creates a detached worktree at main under .autocoder/worktrees, invisible to the root', () => {
    const root = newRepo();
    const wt = ensureSlotWorktree(root, 0, 'main');
    expect(wt).toBe(join(root, WORKTREES_DIR, 'slot-0'));
    expect(tip(wt)).toBe(tip(root, 'main'));
    expect(onBranch(wt)).toBeNull();
    expect(agent(wt, 'rev-parse', '--show-toplevel')).toBe(wt);
    ensureSlotWorktree(root, 1, 'main');
    write(wt, 'scratch.txt', 'agent work in a slot\n');
    expect(statusOf(root)).toBe('');
    expect(statusOf(wt)).toBe('?? scratch.txt');
  });

  it('keeps .autocoder/ out of git in the root and the slots even without a .gitignore entry', () => {
    const root = newRepo();
    write(root, '.gitignore', 'node_modules/\n');
    agentCommit(root, 'a .gitignore that does not mention .autocoder/');
    const wt = ensureSlotWorktree(root, 0, 'main');
    write(wt, '.autocoder/app_spec.txt', 'the spec the runner copies into each slot\n');
    expect(statusOf(root)).toBe('');
    expect(statusOf(wt)).toBe('');
  });

  it('reuses a healthy worktree as is: installed dependencies and its checkout survive', () => {
    const root = newRepo();
    const wt = ensureSlotWorktree(root, 0, 'main');
    write(wt, 'node_modules/dep/index.js', 'module.exports = 1;\n');
    const before = tip(wt);
    write(root, 'app.txt', 'title\nbody\nmore\n');
    agentCommit(root, 'main moves on');
    expect(ensureSlotWorktree(root, 0, 'main')).toBe(wt);
    expect(existsSync(join(wt, 'node_modules/dep/index.js'))).toBe(true);
    expect(tip(wt)).toBe(before);
  });

  it('re-creates a registered worktree whose folder was deleted', () => {
    const root = newRepo();
    const wt = ensureSlotWorktree(root, 2, 'main');
    rmSync(wt, { recursive: true, force: true });
    expect(agent(root, 'worktree', 'list', '--porcelain')).toContain('prunable');
    expect(ensureSlotWorktree(root, 2, 'main')).toBe(wt);
    expect(agent(wt, 'rev-parse', '--show-toplevel')).toBe(wt);
    expect(agent(root, 'worktree', 'list', '--porcelain')).not.toContain('prunable');
    expect(statusOf(root)).toBe('');
  });

  it('repairs a worktree whose .git file was deleted, keeping its files', () => {
    const root = newRepo();
    const wt = ensureSlotWorktree(root, 0, 'main');
    write(wt, 'notes.txt', 'uncommitted notes\n');
    rmSync(join(wt, '.git'));
    // Without its .git file the folder belongs to the root repository: git sees the root there.
    expect(agent(wt, 'rev-parse', '--show-toplevel')).toBe(root);

    expect(ensureSlotWorktree(root, 0, 'main')).toBe(wt);
    expect(agent(wt, 'rev-parse', '--show-toplevel')).toBe(wt);
    expect(read(wt, 'notes.txt')).toBe('uncommitted notes\n');
    expect(statusOf(root)).toBe('');
  });

  it('re-creates a worktree git no longer knows, moving the old folder aside instead of deleting it', () => {
    const root = newRepo();
    const wt = ensureSlotWorktree(root, 0, 'main');
    write(wt, 'notes.txt', 'uncommitted notes\n');
    rmSync(join(root, '.git', 'worktrees', 'slot-0'), { recursive: true, force: true });
    expect(agentTry(wt, 'status').status).not.toBe(0);

    expect(ensureSlotWorktree(root, 0, 'main')).toBe(wt);
    expect(agent(wt, 'rev-parse', '--show-toplevel')).toBe(wt);
    expect(tip(wt)).toBe(tip(root, 'main'));
    expect(existsSync(join(wt, 'notes.txt'))).toBe(false);
    const aside = readdirSync(join(root, WORKTREES_DIR)).filter((n) => n.startsWith('slot-0.broken-'));
    expect(aside).toHaveLength(1);
    expect(read(join(root, WORKTREES_DIR, aside[0] as string), 'notes.txt')).toBe('uncommitted notes\n');
    expect(statusOf(root)).toBe('');
  });

  it('removes an empty folder in the way and creates the worktree there', () => {
    const root = newRepo();
    mkdirSync(join(root, WORKTREES_DIR, 'slot-3'), { recursive: true });
    const wt = ensureSlotWorktree(root, 3, 'main');
    expect(agent(wt, 'rev-parse', '--show-toplevel')).toBe(wt);
    expect(readdirSync(join(root, WORKTREES_DIR))).toEqual(['slot-3']);
  });

  it('rejects a bad slot and an unknown main branch', () => {
    const root = newRepo();
    expect(errorCode(() => ensureSlotWorktree(root, -1, 'main'))).toBe('INVALID_INPUT');
    expect(errorCode(() => ensureSlotWorktree(root, 0, 'trunk'))).toBe('INVALID_INPUT');
  });
});

describe('checkoutVerificationWorktree', () => {
  it('checks out exactly the commit, detached, in verify-<n>, and moves no branch', () => {
    const root = newRepo();
    const first = tip(root);
    write(root, 'app.txt', 'title\nbody\nsecond\n');
    const second = agentCommit(root, 'second');
    const { path, commit } = checkoutVerificationWorktree(root, 0, first.slice(0, 10), ['node_modules']);
    expect(path).toBe(join(root, WORKTREES_DIR, 'verify-0'));
    expect(commit).toBe(first);
    expect(tip(path)).toBe(first);
    expect(onBranch(path)).toBeNull();
    expect(read(path, 'app.txt')).toBe('title\nbody\n');
    expect(tip(root, 'main')).toBe(second);
    expect(statusOf(root)).toBe('');
  });

  it('resets a reused one by force: tracked edits undone, untracked and ignored files gone, installed dependencies kept', () => {
    const root = newRepo();
    const base = tip(root);
    const { path } = checkoutVerificationWorktree(root, 1, base, ['node_modules']);
    write(path, 'app.txt', 'changed by a check\n');
    write(path, 'left-behind.txt', 'an untracked file\n');
    write(path, 'dist/bundle.js', 'built\n');
    write(path, '.env', 'KEY=copied last time\n');
    write(path, 'node_modules/dep/index.js', 'module.exports = 1;\n');
    write(path, 'packages/web/node_modules/dep/index.js', 'module.exports = 2;\n');
    writeFileSync(join(root, '.gitignore'), '.autocoder/\nnode_modules/\ndist/\n.env\n');
    const next = agentCommit(root, 'ignore dist and .env');

    expect(checkoutVerificationWorktree(root, 1, next, ['node_modules']).path).toBe(path);
    expect(tip(path)).toBe(next);
    expect(read(path, 'app.txt')).toBe('title\nbody\n');
    for (const gone of ['left-behind.txt', 'dist', '.env']) expect(existsSync(join(path, gone)), gone).toBe(false);
    expect(read(path, 'node_modules/dep/index.js')).toBe('module.exports = 1;\n');
    expect(read(path, 'packages/web/node_modules/dep/index.js')).toBe('module.exports = 2;\n');
    expect(statusOf(path)).toBe('');
  });

  it('never moves a branch someone switched the verification worktree to', () => {
    const root = newRepo();
    const base = tip(root);
    const { path } = checkoutVerificationWorktree(root, 0, base, []);
    agent(path, 'switch', '--quiet', '-c', 'autocoder/feature-7');
    write(path, 'feature.txt', 'work\n');
    const work = agentCommit(path, 'feature work');
    checkoutVerificationWorktree(root, 0, base, []);
    expect(tip(root, 'autocoder/feature-7')).toBe(work);
    expect(onBranch(path)).toBeNull();
    expect(tip(path)).toBe(base);
  });

  it('creates it again when it is broken, unknown to git or mid-rebase', () => {
    const root = newRepo();
    const base = tip(root);
    const { path } = checkoutVerificationWorktree(root, 0, base, []);
    rmSync(join(path, '.git'));
    // Without its .git file the folder belongs to the root repository: resetting it there would reset the root.
    write(root, 'root-work.txt', 'uncommitted work in the root\n');
    expect(checkoutVerificationWorktree(root, 0, base, []).path).toBe(path);
    expect(agent(path, 'rev-parse', '--show-toplevel')).toBe(path);
    expect(read(root, 'root-work.txt')).toBe('uncommitted work in the root\n');
    expect(onBranch(root)).toBe('main');

    rmSync(join(root, '.git', 'worktrees', 'verify-0'), { recursive: true, force: true });
    expect(checkoutVerificationWorktree(root, 0, base, []).path).toBe(path);
    expect(tip(path)).toBe(base);
    expect(readdirSync(join(root, WORKTREES_DIR))).toEqual(['verify-0']);

    write(root, 'app.txt', 'main side\n');
    const mainSide = agentCommit(root, 'main side');
    agent(path, 'switch', '--quiet', '-c', 'side', base);
    write(path, 'app.txt', 'other side\n');
    agentCommit(path, 'other side');
    expect(agentTry(path, 'rebase', mainSide).status).not.toBe(0);
    expect(checkoutVerificationWorktree(root, 0, mainSide, []).path).toBe(path);
    expect(tip(path)).toBe(mainSide);
    expect(statusOf(path)).toBe('');
  });

  it('refuses what is not a commit and a bad number', () => {
    const root = newRepo();
    expect(errorCode(() => checkoutVerificationWorktree(root, 0, 'no-such-branch', []))).toBe('INVALID_INPUT');
    expect(errorCode(() => checkoutVerificationWorktree(root, 0, '--help', []))).toBe('INVALID_INPUT');
    expect(errorCode(() => checkoutVerificationWorktree(root, -1, 'main', []))).toBe('INVALID_INPUT');
  });
});

/**
 * Counts turns of the event loop (setImmediate) while `work` runs: 0 when it blocks the loop from start to end (git by
 * spawnSync), more when it waits for git asynchronously. No timing is measured: only whether the loop turned at all.
 */
async function loopTurnsDuring<T>(work: () => Promise<T>): Promise<{ value: T; turns: number }> {
  let turns = 0;
  let beating = true;
  const beat = () => {
    if (!beating) return;
    turns += 1;
    setImmediate(beat);
  };
  setImmediate(beat);
  try {
    const value = await work();
    return { value, turns };
  } finally {
    beating = false;
  }
}

describe('slot start-up and end without blocking the event loop (the …Async twins)', () => {
  it('ensureSlotWorktreeAsync and checkoutFeatureAsync do what the blocking ones do while the loop goes on', async () => {
    const root = newRepo();
    const made = await loopTurnsDuring(() => ensureSlotWorktreeAsync(root, 0, 'main'));
    expect(made.turns).toBeGreaterThan(0);
    expect(made.value).toBe(ensureSlotWorktree(root, 0, 'main'));
    const wt = made.value;
    await checkoutFeatureAsync(wt, 7, 'main');
    write(wt, 'app.txt', 'title\nbody\nfeature 7 edit\n');
    // Leftovers of a crashed session on feature 7 are rescued on the way to feature 8, as checkoutFeature does.
    const next = await loopTurnsDuring(() => checkoutFeatureAsync(wt, 8, 'main'));
    expect(next.turns).toBeGreaterThan(0);
    expect(next.value).toEqual({
      branch: 'autocoder/feature-8',
      continued: false,
      head: tip(root, 'main'),
      rescued: 'autocoder/feature-7',
    });
    expect(agent(wt, 'show', 'autocoder/feature-7:app.txt')).toBe('title\nbody\nfeature 7 edit');
    expect(onBranch(wt)).toBe('autocoder/feature-8');
  });

  it('commitWorkInProgressAsync and deleteMergedBranchAsync do what the blocking ones do while the loop goes on', async () => {
    const root = newRepo();
    const wt = ensureSlotWorktree(root, 0, 'main');
    checkoutFeature(wt, 3, 'main');
    write(wt, 'f3.txt', 'feature 3\n');
    const saved = await loopTurnsDuring(() => commitWorkInProgressAsync(wt, 'wip on 3'));
    expect(saved.turns).toBeGreaterThan(0);
    expect(saved.value).toBe(tip(wt));
    expect(agent(wt, 'log', '-1', '--format=%s', 'autocoder/feature-3')).toBe('wip on 3');
    expect(await commitWorkInProgressAsync(wt, 'nothing left')).toBeNull();
    // Not merged: kept. Merged: the slot is detached and the branch deleted.
    expect(await deleteMergedBranchAsync(root, 'autocoder/feature-3', 'main')).toBe(false);
    agent(root, 'merge', '--quiet', '--ff-only', 'autocoder/feature-3');
    const deleted = await loopTurnsDuring(() => deleteMergedBranchAsync(root, 'autocoder/feature-3', 'main'));
    expect(deleted).toEqual({ value: true, turns: expect.any(Number) as number });
    expect(deleted.turns).toBeGreaterThan(0);
    expect(branchExists(root, 'autocoder/feature-3')).toBe(false);
    expect(onBranch(wt)).toBeNull();
  });

  it('landingCheckAsync, checkoutVerificationWorktreeAsync and fastForwardMainAsync answer as the blocking ones while the loop goes on', async () => {
    const root = newRepo();
    const slot0 = ensureSlotWorktree(root, 0, 'main');
    const slot1 = ensureSlotWorktree(root, 1, 'main');
    checkoutFeature(slot0, 1, 'main');
    checkoutFeature(slot1, 2, 'main');
    write(slot0, 'one.txt', 'feature 1\n');
    const one = agentCommit(slot0, 'feature 1');
    write(slot1, 'two.txt', 'feature 2\n');
    const two = agentCommit(slot1, 'feature 2');
    const first = await loopTurnsDuring(() => landingCheckAsync(slot0, 1, 'main'));
    expect(first.turns).toBeGreaterThan(0);
    expect(first.value).toEqual({ ok: true, head: one });
    expect(first.value).toEqual(landingCheck(slot0, 1, 'main'));
    const verify = await loopTurnsDuring(() => checkoutVerificationWorktreeAsync(root, 0, one, []));
    expect(verify.turns).toBeGreaterThan(0);
    expect(verify.value.commit).toBe(one);
    expect(agent(verify.value.path, 'rev-parse', 'HEAD')).toBe(one);
    const landed = await loopTurnsDuring(() => fastForwardMainAsync(root, 'main', one));
    expect(landed.turns).toBeGreaterThan(0);
    expect(landed.value).toBe(one);
    expect(tip(root, 'main')).toBe(one);
    // Feature 2 is behind now: the same refusal, with the tips the runner's own rebase starts from.
    const behind = await landingCheckAsync(slot1, 2, 'main');
    expect(behind).toEqual(landingCheck(slot1, 2, 'main'));
    expect(behind).toMatchObject({ ok: false, behind: { head: two, main: one } });
    await expect(fastForwardMainAsync(root, 'main', two)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(tip(root, 'main')).toBe(one);
  });

  it('the async twins fail as the blocking ones do', async () => {
    const root = newRepo();
    await expect(ensureSlotWorktreeAsync(root, 0, 'trunk')).rejects.toThrow(/no branch named trunk/);
    await expect(ensureSlotWorktreeAsync(root, -1, 'main')).rejects.toThrow(/slot must be a whole number/);
  });
});

describe('checkoutFeature', () => {
  it('starts a new feature branch at the current tip of main', () => {
    const root = newRepo();
    const wt = ensureSlotWorktree(root, 0, 'main');
    write(root, 'README.md', 'readme v2\n');
    const mainTip = agentCommit(root, 'main moves after the worktree was made');
    expect(checkoutFeature(wt, 7, 'main')).toEqual({
      branch: 'autocoder/feature-7',
      continued: false,
      head: mainTip,
      rescued: null,
    });
    expect(onBranch(wt)).toBe('autocoder/feature-7');
    expect(statusOf(root)).toBe('');
  });

  it('continues an existing feature branch with its commits, not reset to main', () => {
    const root = newRepo();
    const wt = ensureSlotWorktree(root, 0, 'main');
    checkoutFeature(wt, 7, 'main');
    write(wt, 'feature7.txt', 'half done\n');
    const work = agentCommit(wt, 'feature 7: first half');
    expect(checkoutFeature(wt, 8, 'main').continued).toBe(false);
    write(root, 'README.md', 'readme v2\n');
    agentCommit(root, 'main moves on');

    const again = checkoutFeature(wt, 7, 'main');
    expect(again).toEqual({ branch: 'autocoder/feature-7', continued: true, head: work, rescued: null });
    expect(read(wt, 'feature7.txt')).toBe('half done\n');
    expect(read(wt, 'README.md')).toBe('readme\n');
  });

  it('restarts at main a feature branch whose commits are all in main already', () => {
    const root = newRepo();
    const wt = ensureSlotWorktree(root, 0, 'main');
    checkoutFeature(wt, 9, 'main');
    checkoutFeature(wt, 10, 'main');
    write(root, 'README.md', 'readme v2\n');
    const mainTip = agentCommit(root, 'main moves on');
    expect(checkoutFeature(wt, 9, 'main')).toEqual({
      branch: 'autocoder/feature-9',
      continued: false,
      head: mainTip,
      rescued: null,
    });
  });

  it("commits a crashed session's leftovers to the feature branch it was on", () => {
    const root = newRepo();
    const wt = ensureSlotWorktree(root, 0, 'main');
    checkoutFeature(wt, 7, 'main');
    write(wt, 'app.txt', 'title\nbody\nfeature 7 edit\n');
    write(wt, 'src/new-file.js', 'export const x = 1;\n');

    const next = checkoutFeature(wt, 8, 'main');
    expect(next).toEqual({
      branch: 'autocoder/feature-8',
      continued: false,
      head: tip(root, 'main'),
      rescued: 'autocoder/feature-7',
    });
    expect(statusOf(wt)).toBe('');
    expect(agent(wt, 'show', 'autocoder/feature-7:app.txt')).toBe('title\nbody\nfeature 7 edit');
    expect(agent(wt, 'show', 'autocoder/feature-7:src/new-file.js')).toBe('export const x = 1;');
    // The module's own commits: its message, and the fallback identity (no git identity configured).
    expect(agent(wt, 'log', '-1', '--format=%s|%an|%ae', 'autocoder/feature-7')).toBe(
      'autocoder: work in progress (recovered)|autocoder|autocoder@localhost',
    );
    expect(unmergedAutocoderBranches(root, 'main')).toEqual(['autocoder/feature-7']);
  });

  it('saves leftovers on a detached HEAD to a new orphan branch and says so', () => {
    const root = newRepo();
    const wt = ensureSlotWorktree(root, 0, 'main');
    write(wt, 'lost-and-found.txt', 'work done before any branch\n');

    const res = checkoutFeature(wt, 3, 'main');
    const orphan = res.rescued as string;
    expect(orphan).toMatch(/^autocoder\/orphan-\d{8}T\d{9}Z$/);
    expect(agent(wt, 'show', `${orphan}:lost-and-found.txt`)).toBe('work done before any branch');
    expect(res).toMatchObject({ branch: 'autocoder/feature-3', continued: false, head: tip(root, 'main') });
    expect(existsSync(join(wt, 'lost-and-found.txt'))).toBe(false);
    expect(unmergedAutocoderBranches(root, 'main')).toEqual([orphan]);
  });

  it('snapshots a rebase interrupted mid-conflict onto an orphan branch, aborts it, and keeps the feature branch', () => {
    const root = newRepo();
    const wt = ensureSlotWorktree(root, 0, 'main');
    checkoutFeature(wt, 4, 'main');
    write(wt, 'app.txt', 'title by feature 4\nbody\n');
    const work = agentCommit(wt, 'feature 4');
    write(root, 'app.txt', 'title on main\nbody\n');
    agentCommit(root, 'main edits the title');
    expect(agentTry(wt, 'rebase', 'main').status).not.toBe(0);
    write(wt, 'app.txt', 'title half resolved\nbody\n'); // then the session crashes

    const res = checkoutFeature(wt, 4, 'main');
    expect(res).toMatchObject({ branch: 'autocoder/feature-4', continued: true, head: work });
    const orphan = res.rescued as string;
    expect(orphan).toMatch(/^autocoder\/orphan-/);
    expect(statusOf(wt)).toBe('');
    expect(agent(wt, 'show', `${orphan}:app.txt`)).toBe('title half resolved\nbody');
    expect(agent(wt, 'log', '-1', '--format=%s', orphan)).toBe(
      'autocoder: work in progress (recovered) (interrupted git rebase)',
    );
  });

  it('takes over a feature branch still checked out in a crashed slot, committing its leftovers first', () => {
    const root = newRepo();
    const slot0 = ensureSlotWorktree(root, 0, 'main');
    const slot2 = ensureSlotWorktree(root, 2, 'main');
    checkoutFeature(slot2, 7, 'main');
    write(slot2, 'feature7.txt', 'committed part\n');
    agentCommit(slot2, 'feature 7: part one');
    write(slot2, 'feature7.txt', 'committed part\nuncommitted part\n'); // slot 2 crashes here

    // A worktree cannot check out a branch another worktree has; plain git refuses.
    expect(agentTry(slot0, 'switch', 'autocoder/feature-7').out).toMatch(/already (checked out|used by worktree)/);

    const res = checkoutFeature(slot0, 7, 'main');
    expect(res.continued).toBe(true);
    expect(res.rescued).toBe('autocoder/feature-7');
    expect(agent(slot0, 'log', '-1', '--format=%s')).toBe('autocoder: work in progress (recovered)');
    expect(onBranch(slot0)).toBe('autocoder/feature-7');
    expect(read(slot0, 'feature7.txt')).toBe('committed part\nuncommitted part\n');
    expect(onBranch(slot2)).toBeNull();
    expect(statusOf(slot2)).toBe('');
  });

  it('takes over a feature branch a crashed slot was in the middle of rebasing', () => {
    const root = newRepo();
    const slot0 = ensureSlotWorktree(root, 0, 'main');
    const slot2 = ensureSlotWorktree(root, 2, 'main');
    checkoutFeature(slot2, 7, 'main');
    write(slot2, 'app.txt', 'title by feature 7\nbody\n');
    const work = agentCommit(slot2, 'feature 7');
    write(root, 'app.txt', 'title on main\nbody\n');
    agentCommit(root, 'main edits the title');
    expect(agentTry(slot2, 'rebase', 'main').status).not.toBe(0); // slot 2 crashes mid-conflict
    // Its HEAD is detached now, yet git keeps the branch reserved for the rebase.
    expect(onBranch(slot2)).toBeNull();
    expect(agentTry(slot0, 'switch', 'autocoder/feature-7').status).not.toBe(0);

    const res = checkoutFeature(slot0, 7, 'main');
    expect(res).toMatchObject({ branch: 'autocoder/feature-7', continued: true, head: work });
    expect(res.rescued).toMatch(/^autocoder\/orphan-/);
    expect(agent(slot0, 'show', `${res.rescued as string}:app.txt`)).toContain('<<<<<<<');
    expect(onBranch(slot2)).toBeNull();
    expect(statusOf(slot2)).toBe('');
    expect(agentTry(slot2, 'rebase', '--abort').status).not.toBe(0); // no rebase left there
  });

  it('takes over a feature branch checked out in a clean slot by detaching that slot', () => {
    const root = newRepo();
    const slot0 = ensureSlotWorktree(root, 0, 'main');
    const slot1 = ensureSlotWorktree(root, 1, 'main');
    checkoutFeature(slot1, 5, 'main');
    write(slot1, 'five.txt', '5\n');
    const work = agentCommit(slot1, 'feature 5');
    expect(checkoutFeature(slot0, 5, 'main')).toEqual({
      branch: 'autocoder/feature-5',
      continued: true,
      head: work,
      rescued: null,
    });
    expect(onBranch(slot1)).toBeNull();
    expect(tip(slot1)).toBe(work);
  });

  it('takes over a feature branch from a slot whose folder was deleted', () => {
    const root = newRepo();
    const slot0 = ensureSlotWorktree(root, 0, 'main');
    const slot1 = ensureSlotWorktree(root, 1, 'main');
    checkoutFeature(slot1, 6, 'main');
    write(slot1, 'six.txt', '6\n');
    const work = agentCommit(slot1, 'feature 6');
    rmSync(slot1, { recursive: true, force: true });
    expect(checkoutFeature(slot0, 6, 'main')).toEqual({
      branch: 'autocoder/feature-6',
      continued: true,
      head: work,
      rescued: null,
    });
    expect(agent(root, 'worktree', 'list', '--porcelain')).not.toContain('slot-1');
  });

  it('refuses a feature branch checked out in the project root', () => {
    const root = newRepo();
    const wt = ensureSlotWorktree(root, 0, 'main');
    agent(root, 'switch', '--quiet', '-c', 'autocoder/feature-6');
    expect(errorCode(() => checkoutFeature(wt, 6, 'main'))).toBe('CONFLICT');
  });
});

describe('commitWorkInProgress', () => {
  it('commits everything uncommitted, or returns null when there is nothing', () => {
    const root = newRepo();
    const wt = ensureSlotWorktree(root, 0, 'main');
    checkoutFeature(wt, 1, 'main');
    expect(commitWorkInProgress(wt, 'autocoder: work in progress (session stopped)')).toBeNull();
    write(wt, 'app.txt', 'changed\n');
    write(wt, 'new.txt', 'new\n');
    write(wt, 'node_modules/ignored.js', 'ignored\n');
    const sha = commitWorkInProgress(wt, 'autocoder: work in progress (session stopped)');
    expect(sha).toBe(tip(wt, 'autocoder/feature-1'));
    expect(agent(wt, 'show', '--name-only', '--format=%s', sha as string).split('\n')).toEqual([
      'autocoder: work in progress (session stopped)',
      '',
      'app.txt',
      'new.txt',
    ]);
    expect(statusOf(wt)).toBe('');
  });

  it("commits as the repository's own identity when one is configured", () => {
    const root = newRepo();
    agent(root, 'config', 'user.name', 'Repo Owner');
    agent(root, 'config', 'user.email', 'owner@example.test');
    const wt = ensureSlotWorktree(root, 0, 'main');
    checkoutFeature(wt, 1, 'main');
    write(wt, 'x.txt', 'x\n');
    const sha = commitWorkInProgress(wt, 'wip') as string;
    expect(agent(wt, 'log', '-1', '--format=%an <%ae>|%cn', sha)).toBe('Repo Owner <owner@example.test>|Repo Owner');
  });

  it('never leaves a commit on a detached HEAD: it goes to a new orphan branch', () => {
    const root = newRepo();
    const wt = ensureSlotWorktree(root, 0, 'main');
    write(wt, 'x.txt', 'x\n');
    const sha = commitWorkInProgress(wt, 'wip') as string;
    const branch = onBranch(wt) as string;
    expect(branch).toMatch(/^autocoder\/orphan-/);
    expect(tip(wt, branch)).toBe(sha);
    expect(unmergedAutocoderBranches(root, 'main')).toEqual([branch]);
  });
});

describe('landingCheck', () => {
  /** A slot on feature 7 with one committed change: ready to land. */
  function ready(): { root: string; wt: string; head: string } {
    const root = newRepo();
    const wt = ensureSlotWorktree(root, 0, 'main');
    checkoutFeature(wt, 7, 'main');
    write(wt, 'feature7.txt', 'done\n');
    return { root, wt, head: agentCommit(wt, 'feature 7') };
  }

  it('passes a clean, committed feature branch that contains main; ignored files do not count', () => {
    const { wt, head } = ready();
    write(wt, 'node_modules/pkg/index.js', 'installed\n');
    expect(landingCheck(wt, 7, 'main')).toEqual({ ok: true, head });
  });

  it('refuses uncommitted changes to tracked files, with the commit steps', () => {
    const { wt } = ready();
    write(wt, 'app.txt', 'edited after the commit\n');
    const res = landingCheck(wt, 7, 'main');
    expect(res).toEqual({
      ok: false,
      reason: 'the worktree has 1 uncommitted change (app.txt); commit them on autocoder/feature-7',
      steps: ['git add -A', 'git commit -m "feature #7: <what you changed>"', 'call feature_mark_passing again'],
    });
  });

  it('refuses untracked files, and passes once they are committed as told', () => {
    const { wt } = ready();
    write(wt, 'tests/feature7.test.js', 'test\n');
    const res = landingCheck(wt, 7, 'main');
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.reason).toContain('tests/feature7.test.js');
    expect(res.steps[0]).toBe('git add -A');
    agent(wt, 'add', '-A');
    agent(wt, 'commit', '--quiet', '-m', 'feature #7: tests');
    expect(landingCheck(wt, 7, 'main').ok).toBe(true);
  });

  it('refuses a worktree that is not on the feature branch, and its steps bring the work back', () => {
    const { wt } = ready();
    agent(wt, 'switch', '--quiet', '--detach');
    write(wt, 'more.txt', 'work done on the detached HEAD\n');
    agentCommit(wt, 'feature 7: more, on a detached HEAD');
    const res = landingCheck(wt, 7, 'main');
    expect(res).toEqual({
      ok: false,
      reason:
        'this worktree is on a detached HEAD, not on autocoder/feature-7; move the branch to your work and switch to it',
      steps: [
        'git branch -f autocoder/feature-7 HEAD',
        'git switch autocoder/feature-7',
        'call feature_mark_passing again',
      ],
    });
    followSteps(wt, res.ok ? [] : res.steps);
    expect(landingCheck(wt, 7, 'main').ok).toBe(true);
    expect(read(wt, 'more.txt')).toBe('work done on the detached HEAD\n');
  });

  it('refuses a branch with no commits that main lacks', () => {
    const root = newRepo();
    const wt = ensureSlotWorktree(root, 0, 'main');
    checkoutFeature(wt, 8, 'main');
    const res = landingCheck(wt, 8, 'main');
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.reason).toBe(
      "autocoder/feature-8 has no commits that main lacks, so there is nothing to land; commit the feature's changes on it",
    );
    expect(res.steps).toEqual([
      'git add -A',
      'git commit -m "feature #8: <what you changed>"',
      'call feature_mark_passing again',
    ]);
  });

  it('refuses a branch behind main with the rebase steps, and passes after the rebase', () => {
    const { root, wt } = ready();
    write(root, 'README.md', 'readme v2\n');
    agentCommit(root, 'another feature landed');
    const res = landingCheck(wt, 7, 'main');
    const mainTip = agent(root, 'rev-parse', 'main').slice(0, 8);
    expect(res).toEqual({
      ok: false,
      reason: `main has moved on to ${mainTip} since autocoder/feature-7 started (1 new commit on main); rebase onto it`,
      steps: [
        'git rebase main',
        '(resolve conflicts: edit the files, git add <files>, git commit --no-edit, git rebase --continue)',
        're-run the tests and the browser check',
        'call feature_mark_passing again',
      ],
      // Only this refusal says the branch is ready but behind, so the merge queue may rebase it itself.
      behind: { head: tip(wt), main: agent(root, 'rev-parse', 'main') },
    });
    followSteps(wt, res.ok ? [] : res.steps);
    expect(landingCheck(wt, 7, 'main')).toEqual({ ok: true, head: tip(wt) });
  });

  it('refuses while a rebase is still in progress', () => {
    const { root, wt } = ready();
    write(wt, 'app.txt', 'title by 7\nbody\n');
    agentCommit(wt, 'feature 7 edits the title');
    write(root, 'app.txt', 'title on main\nbody\n');
    agentCommit(root, 'main edits the title');
    expect(agentTry(wt, 'rebase', 'main').status).not.toBe(0);
    const res = landingCheck(wt, 7, 'main');
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.reason).toBe('a git rebase onto main is still in progress in this worktree; finish it first');
    expect(res.steps).toContain('git rebase --continue (repeat these steps until it reports success)');
  });
});

describe('landing two features that edit the same file', () => {
  it('lands the first by fast-forward; the second is told to rebase, resolves the conflict, and lands', () => {
    const root = newRepo();
    const slot0 = ensureSlotWorktree(root, 0, 'main');
    const slot1 = ensureSlotWorktree(root, 1, 'main');
    checkoutFeature(slot0, 1, 'main');
    checkoutFeature(slot1, 2, 'main');
    write(slot0, 'app.txt', 'title\nbody\nfooter from feature 1\n');
    agentCommit(slot0, 'feature 1: footer');
    write(slot1, 'app.txt', 'title\nbody\nsidebar from feature 2\n');
    const stale = agentCommit(slot1, 'feature 2: sidebar');

    const first = landingCheck(slot0, 1, 'main');
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(fastForwardMain(root, 'main', first.head)).toBe(first.head);
    expect(tip(root, 'main')).toBe(first.head);
    expect(read(root, 'app.txt')).toBe('title\nbody\nfooter from feature 1\n');
    expect(statusOf(root)).toBe('');

    const second = landingCheck(slot1, 2, 'main');
    expect(second.ok).toBe(false);
    if (second.ok) return;
    expect(second.steps[0]).toBe('git rebase main');
    // Landing the stale head anyway is refused (saying main moved on, with both tips), and main stays where it is.
    const refused = thrown(() => fastForwardMain(root, 'main', stale));
    expect(refused).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/^main has moved on: /) as unknown,
      details: { main: first.head, head: stale },
    });
    expect(tip(root, 'main')).toBe(first.head);

    // The agent rebases as told, resolves the conflict, and continues without an editor.
    const rebase = agentTry(slot1, 'rebase', 'main');
    expect(rebase.status).not.toBe(0);
    expect(rebase.out).toContain('CONFLICT');
    expect(read(slot1, 'app.txt')).toContain('<<<<<<<');
    write(slot1, 'app.txt', 'title\nbody\nfooter from feature 1\nsidebar from feature 2\n');
    agent(slot1, 'add', 'app.txt');
    agent(slot1, 'commit', '--quiet', '--no-edit');
    agent(slot1, 'rebase', '--continue');

    const again = landingCheck(slot1, 2, 'main');
    expect(again.ok).toBe(true);
    if (!again.ok) return;
    expect(fastForwardMain(root, 'main', again.head)).toBe(again.head);
    expect(read(root, 'app.txt')).toBe('title\nbody\nfooter from feature 1\nsidebar from feature 2\n');
    expect(agent(root, 'log', '--format=%s', 'main').split('\n')).toEqual([
      'feature 2: sidebar',
      'feature 1: footer',
      'initial',
    ]);
    expect(statusOf(root)).toBe('');

    expect(unmergedAutocoderBranches(root, 'main')).toEqual([]);
    expect(deleteMergedBranch(root, 'autocoder/feature-1', 'main')).toBe(true);
    expect(deleteMergedBranch(root, 'autocoder/feature-2', 'main')).toBe(true);
    expect(branchExists(root, 'autocoder/feature-1') || branchExists(root, 'autocoder/feature-2')).toBe(false);
    expect(onBranch(slot0)).toBeNull();
    expect(onBranch(slot1)).toBeNull();
  });
});

describe('fastForwardMain', () => {
  /** A feature branch (in slot 0) that changes app.txt and adds docs/feature.md. */
  function feature(): { root: string; head: string } {
    const root = newRepo();
    const wt = ensureSlotWorktree(root, 0, 'main');
    checkoutFeature(wt, 1, 'main');
    write(wt, 'app.txt', 'title\nbody\nfeature\n');
    write(wt, 'docs/feature.md', 'feature docs\n');
    return { root, head: agentCommit(wt, 'feature 1') };
  }

  it('refuses when uncommitted changes in the root would be overwritten, leaving main and the changes alone', () => {
    const { root, head } = feature();
    const before = tip(root, 'main');
    write(root, 'app.txt', 'user edit in the project folder\n');
    expect(thrown(() => fastForwardMain(root, 'main', head))).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/has uncommitted changes to app\.txt that landing/) as unknown,
      details: { files: ['app.txt'] },
    });
    expect(tip(root, 'main')).toBe(before);
    expect(read(root, 'app.txt')).toBe('user edit in the project folder\n');
  });

  it('refuses when an untracked file in the root is in the way', () => {
    const { root, head } = feature();
    const before = tip(root, 'main');
    write(root, 'docs/feature.md', 'the user wrote this by hand\n');
    expect(() => fastForwardMain(root, 'main', head)).toThrow(/uncommitted changes to docs\/feature\.md that landing/);
    expect(tip(root, 'main')).toBe(before);
  });

  it('lands despite unrelated uncommitted changes in the root, and keeps them', () => {
    const { root, head } = feature();
    write(root, 'README.md', 'user edit\n');
    expect(fastForwardMain(root, 'main', head)).toBe(head);
    expect(read(root, 'README.md')).toBe('user edit\n');
    expect(read(root, 'docs/feature.md')).toBe('feature docs\n');
    expect(statusOf(root)).toBe('M README.md');
  });

  it('refuses when the root is not on main, and an unknown head', () => {
    const { root, head } = feature();
    agent(root, 'switch', '--quiet', '-c', 'experiment');
    expect(errorCode(() => fastForwardMain(root, 'main', head))).toBe('CONFLICT');
    agent(root, 'switch', '--quiet', 'main');
    expect(errorCode(() => fastForwardMain(root, 'main', 'no-such-branch'))).toBe('INVALID_INPUT');
    expect(errorCode(() => fastForwardMain(root, 'main', '--help'))).toBe('INVALID_INPUT');
  });
});

describe('isMerged and deleteMergedBranch', () => {
  it('never delete a branch with work that main lacks', () => {
    const root = newRepo();
    const wt = ensureSlotWorktree(root, 0, 'main');
    checkoutFeature(wt, 3, 'main');
    write(wt, 'three.txt', '3\n');
    const work = agentCommit(wt, 'feature 3');
    agent(wt, 'switch', '--quiet', '--detach');

    expect(isMerged(root, 'autocoder/feature-3', 'main')).toBe(false);
    expect(deleteMergedBranch(root, 'autocoder/feature-3', 'main')).toBe(false);
    expect(tip(root, 'autocoder/feature-3')).toBe(work);
    expect(isMerged(root, 'autocoder/feature-99', 'main')).toBe(false);
    expect(deleteMergedBranch(root, 'autocoder/feature-99', 'main')).toBe(false);
    expect(errorCode(() => deleteMergedBranch(root, 'main', 'main'))).toBe('INVALID_INPUT');
  });

  it('keep a merged branch while a slot holds uncommitted changes on it, and delete it once that slot is clean', () => {
    const root = newRepo();
    const wt = ensureSlotWorktree(root, 0, 'main');
    checkoutFeature(wt, 4, 'main');
    write(wt, 'four.txt', '4\n');
    fastForwardMain(root, 'main', agentCommit(wt, 'feature 4'));
    expect(isMerged(root, 'autocoder/feature-4', 'main')).toBe(true);

    write(wt, 'four.txt', '4, edited after landing\n');
    expect(deleteMergedBranch(root, 'autocoder/feature-4', 'main')).toBe(false);
    expect(branchExists(root, 'autocoder/feature-4')).toBe(true);
    expect(onBranch(wt)).toBe('autocoder/feature-4');

    agent(wt, 'checkout', '--', 'four.txt');
    expect(deleteMergedBranch(root, 'autocoder/feature-4', 'main')).toBe(true);
    expect(branchExists(root, 'autocoder/feature-4')).toBe(false);
    expect(onBranch(wt)).toBeNull();
  });
});

describe('unmergedAutocoderBranches', () => {
  it("lists autocoder's feature and orphan branches with work main lacks, features by id", () => {
    const root = newRepo();
    const wt = ensureSlotWorktree(root, 0, 'main');
    for (const id of [10, 2]) {
      checkoutFeature(wt, id, 'main');
      write(wt, `f${id}.txt`, `${id}\n`);
      agentCommit(wt, `feature ${id}`);
    }
    checkoutFeature(wt, 3, 'main'); // no commits: nothing to lose
    agent(wt, 'switch', '--quiet', '--detach', 'main');
    write(wt, 'stray.txt', 'stray\n');
    const orphan = checkoutFeature(wt, 4, 'main').rescued;
    agent(root, 'branch', 'experiment', 'autocoder/feature-2'); // not autocoder's
    write(wt, 'f4.txt', '4\n');
    fastForwardMain(root, 'main', agentCommit(wt, 'feature 4')); // landed: merged

    expect(unmergedAutocoderBranches(root, 'main')).toEqual(['autocoder/feature-2', 'autocoder/feature-10', orphan]);
  });
});

describe('the runner runs no program an agent left in .git', () => {
  it('runs no hook (post-merge, post-checkout, reference-transaction) and no fsmonitor while it lands a feature', () => {
    const root = newRepo();
    const marker = join(root, '..', `hook-ran-${Date.now()}`);
    const hook = `#!/bin/sh\necho "$0" >> ${marker}\n`;
    for (const name of ['post-merge', 'post-checkout', 'reference-transaction', 'pre-commit', 'post-commit']) {
      writeFileSync(join(root, '.git', 'hooks', name), hook, { mode: 0o755 });
    }
    writeFileSync(join(root, '.git', 'fsmonitor.sh'), hook, { mode: 0o755 });
    agent(root, 'config', 'core.fsmonitor', join(root, '.git', 'fsmonitor.sh'));
    const slot = ensureSlotWorktree(root, 0, 'main');
    checkoutFeature(slot, 1, 'main');
    rmSync(marker, { force: true }); // the agent's own git calls below may run them; the runner's may not
    write(slot, 'a.txt', 'a\n');
    spawnSync('git', ['-c', 'core.hooksPath=/dev/null', '-c', 'core.fsmonitor=false', 'add', 'a.txt'], {
      cwd: slot,
      env: agentEnv,
    });
    spawnSync('git', ['-c', 'core.hooksPath=/dev/null', '-c', 'core.fsmonitor=false', 'commit', '-qm', 'a'], {
      cwd: slot,
      env: agentEnv,
    });
    const check = landingCheck(slot, 1, 'main');
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    fastForwardMain(root, 'main', check.head);
    commitWorkInProgress(slot, 'nothing to commit');
    deleteMergedBranch(root, featureBranch(1), 'main');
    expect(existsSync(marker)).toBe(false);
  });
});
