/**
 * The git side of the merge queue's own rebase: when main moved on while an agent finished its
 * feature, the runner replays the branch onto main itself, off to the side (in a scratch worktree
 * nobody works in, never in the agent's), and only hands a conflict back to the agent. The rule of
 * `workspaces.ts` holds here too: nothing unmerged is lost. Before the agent's branch is moved to
 * the rebased commit, its old tip is kept under `refs/autocoder/pre-rebase/<feature>-<n>` (outside
 * `refs/heads/`, so no branch listing or pruning touches it) until the landing is recorded.
 * Written once as git steps (git.ts) and run without blocking the event loop inside the merge queue; argv arrays only.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppError } from '../domain/errors.js';
import { gitIdentitySteps, gitOkStep, gitStep, runGit, runGitAsync, type GitSteps } from './git.js';

export const PRE_REBASE_PREFIX = 'refs/autocoder/pre-rebase/';

/** What replaying a branch onto main gave: the new tip, or the files that conflict (nothing changed then). */
export type RebaseOutcome =
  | { readonly ok: true; readonly head: string }
  | { readonly ok: false; readonly conflicts: readonly string[]; readonly message: string };

/**
 * The ref that keeps a feature branch's tip before the runner rebases it: `<prefix><feature>-<n>`
 * with n one past the highest already kept for that feature (1 for the first). Pure.
 */
export function nextPreRebaseRef(featureId: number, existing: readonly string[]): string {
  if (!Number.isSafeInteger(featureId) || featureId < 1)
    throw new AppError('INVALID_INPUT', `a feature id is a whole number ≥ 1, got ${String(featureId)}`);
  const own = new RegExp(`^${PRE_REBASE_PREFIX}${featureId}-(\\d+)$`);
  const taken = existing.map((r) => own.exec(r)?.[1]).filter((n): n is string => n !== undefined);
  return `${PRE_REBASE_PREFIX}${featureId}-${Math.max(0, ...taken.map(Number)) + 1}`;
}

/** The pre-rebase refs kept for `featureId` (all features' when omitted), full names, in git's order. */
export function preRebaseRefs(root: string, featureId?: number): string[] {
  return runGit(preRebaseRefsSteps(root, featureId));
}

function* preRebaseRefsSteps(root: string, featureId?: number): GitSteps<string[]> {
  const refs = (yield* gitOkStep(root, ['for-each-ref', '--format=%(refname)', PRE_REBASE_PREFIX]))
    .split('\n')
    .filter(Boolean);
  return featureId === undefined ? refs : refs.filter((r) => r.startsWith(`${PRE_REBASE_PREFIX}${featureId}-`));
}

/** Keeps `tip` under the feature's next pre-rebase ref (created, never overwritten); returns the ref's name. */
export function keepPreRebaseTip(root: string, featureId: number, tip: string): string {
  return runGit(keepPreRebaseTipSteps(root, featureId, tip));
}

export function* keepPreRebaseTipSteps(root: string, featureId: number, tip: string): GitSteps<string> {
  const ref = nextPreRebaseRef(featureId, yield* preRebaseRefsSteps(root, featureId));
  // The empty old value makes git refuse when the ref exists already (someone else took the number).
  yield* gitOkStep(root, [
    'update-ref',
    '-m',
    `autocoder: tip before the runner's rebase of feature #${featureId}`,
    ref,
    tip,
    '',
  ]);
  return ref;
}

/** Deletes the feature's pre-rebase refs (once its landing is recorded); returns the refs it deleted. */
export function dropPreRebaseTips(root: string, featureId: number): string[] {
  return runGit(dropPreRebaseTipsSteps(root, featureId));
}

/** dropPreRebaseTips without blocking the event loop (the merge queue, right after a landing). */
export function dropPreRebaseTipsAsync(root: string, featureId: number): Promise<string[]> {
  return runGitAsync(dropPreRebaseTipsSteps(root, featureId));
}

function* dropPreRebaseTipsSteps(root: string, featureId: number): GitSteps<string[]> {
  const refs = yield* preRebaseRefsSteps(root, featureId);
  for (const ref of refs) yield* gitOkStep(root, ['update-ref', '-d', ref]);
  return refs;
}

/**
 * Replays the commits of the detached HEAD in `checkout` (a scratch worktree nobody works in) onto
 * `onto` with `git rebase`: on success HEAD is the rebased tip; on a conflict the rebase is aborted
 * (HEAD back where it was) and the conflicting files are named. Never interactive and never
 * surprised by the user's configuration: no editor, no autosquash or autostash, no other branch
 * moved along (`rebase.updateRefs`), no recorded resolutions replayed (rerere), no signing; hooks
 * are off for every git the runner runs. Commits that become empty (already on main) are dropped,
 * as `git rebase` does; an HEAD that ends equal to `onto` is reported as such by the caller.
 */
export function rebaseDetached(checkout: string, onto: string): RebaseOutcome {
  return runGit(rebaseDetachedSteps(checkout, onto));
}

export function* rebaseDetachedSteps(checkout: string, onto: string): GitSteps<RebaseOutcome> {
  if (!existsSync(checkout)) throw new AppError('NOT_FOUND', `${checkout} does not exist`);
  const id = yield* gitIdentitySteps(checkout);
  const options = [
    ['core.editor', 'true'],
    ['sequence.editor', 'true'],
    ['commit.gpgsign', 'false'],
    ['rebase.autoSquash', 'false'],
    ['rebase.autoStash', 'false'],
    ['rebase.updateRefs', 'false'],
    ['rerere.enabled', 'false'],
    ['user.name', id.name],
    ['user.email', id.email],
  ].flatMap(([k, v]) => ['-c', `${k}=${v}`]);
  const res = yield* gitStep(checkout, [...options, 'rebase', '--quiet', '--no-autosquash', onto]);
  const after = yield* headStateSteps(checkout);
  if (res.status === 0 && after !== null && !after.inProgress) return { ok: true, head: after.head };
  const conflicts = (yield* gitOkStep(checkout, ['diff', '--name-only', '-z', '--diff-filter=U']))
    .split('\0')
    .filter(Boolean);
  if (after?.inProgress ?? (yield* rebaseInProgressSteps(checkout))) yield* gitOkStep(checkout, ['rebase', '--abort']);
  return { ok: false, conflicts, message: (res.stderr.trim() || res.stdout.trim()).split('\n').slice(0, 5).join('\n') };
}

/**
 * Moves `branch`, checked out in the agent's `worktree` at `from`, to `to` (`git reset --keep`: the
 * files follow, anything uncommitted that the move would overwrite makes it refuse). False, nothing
 * changed, unless the worktree is on that branch at exactly `from` with no git operation half done.
 */
export function moveCheckedOutBranch(worktree: string, branch: string, from: string, to: string): boolean {
  return runGit(moveCheckedOutBranchSteps(worktree, branch, from, to));
}

export function* moveCheckedOutBranchSteps(
  worktree: string,
  branch: string,
  from: string,
  to: string,
): GitSteps<boolean> {
  if (!existsSync(worktree)) return false;
  const state = yield* headStateSteps(worktree);
  if (state === null || state.ref !== `refs/heads/${branch}` || state.head !== from || state.inProgress) return false;
  return (yield* gitStep(worktree, ['reset', '--quiet', '--keep', to])).status === 0;
}

/** The marker files of a rebase, merge or cherry-pick left half done. */
const IN_PROGRESS_PATH_ARGS = ['rebase-merge', 'rebase-apply', 'MERGE_HEAD', 'CHERRY_PICK_HEAD'].flatMap((name) => [
  '--git-path',
  name,
]);

function* rebaseInProgressSteps(cwd: string): GitSteps<boolean> {
  const printed = (yield* gitOkStep(cwd, ['rev-parse', ...IN_PROGRESS_PATH_ARGS])).split('\n').filter(Boolean);
  return printed.some((path) => existsSync(resolve(cwd, path)));
}

/**
 * In one git process: whether a rebase, merge or cherry-pick is half done in `cwd`, HEAD's commit, and the ref HEAD
 * names (`refs/heads/…`, or `HEAD` when detached). Null when git could not say (HEAD names no commit yet).
 */
function* headStateSteps(cwd: string): GitSteps<{ inProgress: boolean; head: string; ref: string } | null> {
  const res = yield* gitStep(cwd, [
    'rev-parse',
    ...IN_PROGRESS_PATH_ARGS,
    'HEAD^{commit}',
    // A mode that applies to the arguments after it: the same HEAD, by name.
    '--symbolic-full-name',
    'HEAD',
    '--',
  ]);
  const lines = res.stdout.split('\n').map((line) => line.trim());
  const markers = IN_PROGRESS_PATH_ARGS.length / 2;
  const [head, ref, end] = lines.slice(markers);
  if (res.status !== 0 || head === undefined || ref === undefined || end !== '--') return null;
  return { inProgress: lines.slice(0, markers).some((path) => existsSync(resolve(cwd, path))), head, ref };
}
