import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AppError } from '../domain/errors.js';
import { commitConfigSteps, featureBranch, isAncestorSteps, revisionSteps } from './workspaces.js';
import { git, gitAsync, gitOk, gitOkStep, runGit, runGitAsync, type GitResult } from './git.js';

/**
 * The project's git remote as the integration point of many machines (#20). Every process that works a shared run has a
 * clone of its own; what they share is the remote: feature branches are pushed there as they are committed (a lost
 * worker loses at most uncommitted work), landings fast-forward its main (git push refuses anything else), and a
 * feature continues on another machine from its pushed branch. Nothing here deletes a remote branch whose tip main does
 * not contain, and every update of a remote branch is a compare-and-set on the tip this process last saw there
 * (`--force-with-lease`), so two processes can never overwrite each other's commits unnoticed.
 */

/** The remote's name in every clone autocoder makes or adopts. */
export const REMOTE = 'origin';

/** Where a clone keeps what it fetched of the remote's feature branches. */
const TRACKING_PREFIX = `refs/remotes/${REMOTE}/`;

/** How long one git talking to the remote may take before it counts as unreachable. */
export const REMOTE_GIT_TIMEOUT_MS = 120_000;

/** The project's remote: its URL, and the environment of the git that talks to it. */
export interface GitRemote {
  readonly url: string;
  /** The git's whole environment: the user's (ssh agent, credential helpers) with prompts off (config/env.ts). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * A remote git: never a password prompt (there is nobody to answer it: a remote that wants one fails at once, saying
 * so), a time limit. `core.sshCommand` is below the user's own GIT_SSH_COMMAND, which wins (a key file, a jump host).
 */
function remoteGit(cwd: string, remote: GitRemote, args: readonly string[]): Promise<GitResult> {
  return gitAsync(cwd, ['-c', 'core.sshCommand=ssh -o BatchMode=yes', ...args], {
    env: remote.env,
    timeoutMs: REMOTE_GIT_TIMEOUT_MS,
  });
}

/** A remote's URL as it may be shown: without the password an https URL may carry. */
export function shownRemote(url: string): string {
  if (!URL.canParse(url)) return url;
  const parsed = new URL(url);
  if (parsed.password === '') return url;
  parsed.password = '***';
  return parsed.toString();
}

/** The remote could not be reached or refused to talk (not a refused update): the caller retries later. */
export function unreachable(url: string, what: string, res: GitResult): AppError {
  return new AppError('IO_ERROR', `the git remote ${shownRemote(url)} could not ${what}: ${firstLines(res.stderr)}`, {
    details: { remote: 'unreachable' },
  });
}

function firstLines(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .filter((l) => l.trim() !== '')
      .slice(0, 3)
      .join(' / ') || 'no reason given'
  );
}

/** The sha `ref` names as a commit in `cwd`, or null. */
export function revisionOf(cwd: string, ref: string): Promise<string | null> {
  return runGitAsync(revisionSteps(cwd, ref));
}

export function isAncestorOf(cwd: string, ancestor: string, descendant: string): Promise<boolean> {
  return runGitAsync(isAncestorSteps(cwd, ancestor, descendant));
}

/** The URL `origin` points at in `root`, or null when it has none. */
export async function remoteUrl(root: string): Promise<string | null> {
  const res = await gitAsync(root, ['remote', 'get-url', REMOTE]);
  return res.status === 0 ? res.stdout.trim() : null;
}

/** Points `origin` at `url` (added, or changed when it pointed elsewhere). */
export async function setRemote(root: string, url: string): Promise<void> {
  const current = await remoteUrl(root);
  if (current === url) return;
  await runGitAsync(
    gitOkStep(root, current === null ? ['remote', 'add', REMOTE, url] : ['remote', 'set-url', REMOTE, url]),
  );
}

/**
 * The tip of the remote's branch `branch`, fetched into `refs/remotes/origin/<branch>`; null when the remote has none
 * (its tracking ref then goes too). Throws `unreachable` when the remote cannot be reached.
 */
export async function fetchBranch(root: string, branch: string, remote: GitRemote): Promise<string | null> {
  const listed = await remoteGit(root, remote, ['ls-remote', '--heads', REMOTE, `refs/heads/${branch}`]);
  if (listed.status !== 0) throw unreachable(remote.url, 'be read', listed);
  const tracking = `${TRACKING_PREFIX}${branch}`;
  if (listed.stdout.trim() === '') {
    await gitAsync(root, ['update-ref', '-d', tracking]);
    return null;
  }
  const fetched = await remoteGit(root, remote, [
    'fetch',
    '--quiet',
    '--no-tags',
    '--no-write-fetch-head',
    REMOTE,
    `+refs/heads/${branch}:${tracking}`,
  ]);
  if (fetched.status !== 0) throw unreachable(remote.url, `give ${branch}`, fetched);
  return revisionOf(root, tracking);
}

export type PushResult =
  | { readonly ok: true }
  /** The remote refused: its branch is not where this process thought (someone moved it), or not a fast-forward. */
  | { readonly ok: false; readonly rejected: string };

/**
 * Sets the remote's `branch` to `tip` only if it is at `expected` now (null: only if it does not exist): git's
 * compare-and-set (`--force-with-lease` on the exact value). Throws `unreachable` when the remote cannot be reached.
 */
export async function pushBranch(
  root: string,
  remote: GitRemote,
  branch: string,
  tip: string,
  expected: string | null,
): Promise<PushResult> {
  const ref = `refs/heads/${branch}`;
  const res = await remoteGit(root, remote, [
    'push',
    '--porcelain',
    '--no-verify',
    // The lease alone allows a non-fast-forward (a rebased branch); a `+` on the refspec would force past the lease.
    `--force-with-lease=${ref}:${expected ?? ''}`,
    REMOTE,
    `${tip}:${ref}`,
  ]);
  return pushOutcome(remote.url, `take ${branch}`, res);
}

/**
 * Fast-forwards the remote's `main` to `head`: refused by git itself unless `head` contains the remote's main (nothing
 * on it is ever rewritten). Throws `unreachable` when the remote cannot be reached.
 */
export async function pushMain(root: string, remote: GitRemote, main: string, head: string): Promise<PushResult> {
  const res = await remoteGit(root, remote, [
    'push',
    '--porcelain',
    '--no-verify',
    REMOTE,
    `${head}:refs/heads/${main}`,
  ]);
  const outcome = pushOutcome(remote.url, `take ${main}`, res);
  if (outcome.ok) await gitAsync(root, ['update-ref', `${TRACKING_PREFIX}${main}`, head]);
  return outcome;
}

/**
 * Deletes the remote's feature branch when its tip (as last fetched or pushed, `tip`) is on main: a compare-and-set on
 * that tip, so commits pushed there since are never lost. Returns whether it deleted.
 */
export async function deleteMergedRemoteBranch(
  root: string,
  remote: GitRemote,
  branch: string,
  tip: string,
  mainTip: string,
): Promise<boolean> {
  if (!branch.startsWith('autocoder/')) throw new AppError('INVALID_INPUT', `not an autocoder branch: ${branch}`);
  if (!(await isAncestorOf(root, tip, mainTip))) return false;
  const ref = `refs/heads/${branch}`;
  const res = await remoteGit(root, remote, [
    'push',
    '--porcelain',
    '--no-verify',
    `--force-with-lease=${ref}:${tip}`,
    REMOTE,
    `:${ref}`,
  ]);
  const outcome = pushOutcome(remote.url, `delete ${branch}`, res);
  if (outcome.ok) await gitAsync(root, ['update-ref', '-d', `${TRACKING_PREFIX}${branch}`]);
  return outcome.ok;
}

/** The remote's branches under autocoder/ with their tips (`git ls-remote`). */
export async function remoteAutocoderBranches(root: string, remote: GitRemote): Promise<Map<string, string>> {
  const res = await remoteGit(root, remote, ['ls-remote', '--heads', REMOTE, 'refs/heads/autocoder/*']);
  if (res.status !== 0) throw unreachable(remote.url, 'be read', res);
  const branches = new Map<string, string>();
  for (const line of res.stdout.split('\n')) {
    const [sha, ref] = line.trim().split(/\s+/);
    if (sha && ref?.startsWith('refs/heads/')) branches.set(ref.slice('refs/heads/'.length), sha);
  }
  return branches;
}

/** The remote's tracking branch of feature `id`, as fetched. */
export const trackingFeatureRef = (featureId: number): string => `${TRACKING_PREFIX}${featureBranch(featureId)}`;

/**
 * What `git push --porcelain` said: done, rejected by the remote (a lease that did not hold, not a fast-forward, a
 * hook), or the remote could not be reached (thrown).
 */
function pushOutcome(url: string, what: string, res: GitResult): PushResult {
  // Porcelain lines: "<flag>\t<from>:<to>\t<summary>"; "!" is a rejected ref.
  const rejected = res.stdout.split('\n').find((l) => l.startsWith('!'));
  if (rejected !== undefined) return { ok: false, rejected: rejected.split('\t').slice(2).join(' ').trim() };
  if (res.status !== 0) throw unreachable(url, what, res);
  return { ok: true };
}

// ── A new project's clone (synchronous: `autocoder new` and the API create projects in one call) ─────────────────────

function remoteGitSync(cwd: string, remote: GitRemote, args: readonly string[]): GitResult {
  return git(cwd, ['-c', 'core.sshCommand=ssh -o BatchMode=yes', ...args], {
    env: remote.env,
    timeoutMs: REMOTE_GIT_TIMEOUT_MS,
  });
}

/**
 * Makes `root`, the repository of a project being created, a clone of `remote` (#20): `origin` points there, and when
 * the remote has a main, so does `root` (a folder with commits of its own must hold the remote's main already, or be
 * behind it). Returns whether the remote had a main. Throws `unreachable` when the remote cannot be read.
 */
export function attachRemote(root: string, remote: GitRemote, main: string): boolean {
  const current = git(root, ['remote', 'get-url', REMOTE]);
  if (current.status !== 0) gitOk(root, ['remote', 'add', REMOTE, remote.url]);
  else if (current.stdout.trim() !== remote.url) gitOk(root, ['remote', 'set-url', REMOTE, remote.url]);
  const listed = remoteGitSync(root, remote, ['ls-remote', '--heads', REMOTE, `refs/heads/${main}`]);
  if (listed.status !== 0) throw unreachable(remote.url, 'be read', listed);
  if (listed.stdout.trim() === '') return false;
  const tracking = `${TRACKING_PREFIX}${main}`;
  const fetched = remoteGitSync(root, remote, [
    'fetch',
    '--quiet',
    '--no-tags',
    REMOTE,
    `+refs/heads/${main}:${tracking}`,
  ]);
  if (fetched.status !== 0) throw unreachable(remote.url, `give ${main}`, fetched);
  const head = git(root, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  if (head.status !== 0) {
    // A folder without commits takes the remote's main as it is.
    gitOk(root, ['checkout', '--quiet', '-B', main, tracking]);
    return true;
  }
  const local = head.stdout.trim();
  const remoteTip = gitOk(root, ['rev-parse', tracking]).trim();
  if (git(root, ['merge-base', '--is-ancestor', local, remoteTip]).status !== 0)
    throw new AppError(
      'CONFLICT',
      `${root} has commits the remote ${shownRemote(remote.url)} lacks on ${main}; push them there first, or create the project in an empty folder`,
    );
  gitOk(root, ['merge', '--ff-only', '--quiet', remoteTip]);
  return true;
}

/**
 * Commits `files` in `root` when they changed (the project's own .gitignore) and publishes main to the remote: a
 * fast-forward, refused (CONFLICT) when the remote's main went elsewhere meanwhile.
 */
export function publishProjectStart(root: string, remote: GitRemote, main: string, files: readonly string[]): void {
  const changed = gitOk(root, ['status', '--porcelain', '--', ...files]).trim() !== '';
  const hasHead = git(root, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']).status === 0;
  if (changed || !hasHead) {
    gitOk(root, ['add', '--', ...files]);
    gitOk(root, [
      ...runGit(commitConfigSteps(root)),
      'commit',
      '--quiet',
      '--allow-empty',
      '-m',
      hasHead ? 'autocoder: keep .autocoder/ out of git' : 'autocoder: start the project',
    ]);
  }
  const pushed = remoteGitSync(root, remote, [
    'push',
    '--porcelain',
    '--no-verify',
    REMOTE,
    `${main}:refs/heads/${main}`,
  ]);
  const outcome = pushOutcome(remote.url, `take ${main}`, pushed);
  if (!outcome.ok)
    throw new AppError('CONFLICT', `the remote ${shownRemote(remote.url)} refused ${main}: ${outcome.rejected}`);
}

/**
 * A worker's clone of `remote` at `dir` (#20), on `main`: cloned when missing; one that exists keeps its work
 * (branches, worktrees, installed dependencies) and gets `origin` pointed at `remote`. Throws `unreachable` when the
 * remote cannot be read, CONFLICT when it has no `main` yet (the run's owner publishes it first).
 */
export async function ensureClone(dir: string, remote: GitRemote, main: string): Promise<'cloned' | 'existing'> {
  if (existsSync(join(dir, '.git'))) {
    await setRemote(dir, remote.url);
    return 'existing';
  }
  if (existsSync(dir))
    throw new AppError('CONFLICT', `${dir} exists and is not a git clone; move it away so the worker can clone there`);
  mkdirSync(dirname(dir), { recursive: true });
  const res = await remoteGit(dirname(dir), remote, [
    'clone',
    '--quiet',
    '--no-tags',
    '--no-checkout',
    remote.url,
    dir,
  ]);
  if (res.status !== 0) throw unreachable(remote.url, 'be cloned', res);
  const tip = await revisionOf(dir, `${TRACKING_PREFIX}${main}`);
  if (tip === null) throw new AppError('CONFLICT', `the remote ${shownRemote(remote.url)} has no ${main} branch yet`);
  await runGitAsync(gitOkStep(dir, ['checkout', '--quiet', '-B', main, tip]));
  return 'cloned';
}
