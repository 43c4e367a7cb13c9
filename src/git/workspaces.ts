/**
 * The git side of parallel agents: one worktree per agent slot under `.autocoder/worktrees/`,
 * one branch per feature (`autocoder/feature-<id>`), the landing gate that
 * `feature_mark_passing` runs in the slot's worktree, and the merge queue's fast-forward of
 * main in the project root. Argv arrays only. Mostly synchronous (spawnSync through `git()`); what a slot's
 * start-up and end run (ensureSlotWorktree, checkoutFeature, commitWorkInProgress, deleteMergedBranch) is written as
 * git steps (see `GitSteps`) and also runs asynchronously (`…Async`), so the runner's loop is not held up meanwhile.
 *
 * The rule everywhere: never lose work. Uncommitted changes found where they should not be are
 * committed (to their feature branch, else to a new `autocoder/orphan-<timestamp>` branch)
 * before anything moves, and a branch is deleted only when git proves main contains it.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { AppError } from '../domain/errors.js';
import {
  addLocalExcludesSteps,
  gitIdentitySteps,
  gitOk,
  gitOkStep,
  gitStep,
  runGit,
  runGitAsync,
  type GitSteps,
} from './git.js';

export const WORKTREES_DIR = '.autocoder/worktrees';

const FEATURE_PREFIX = 'autocoder/feature-';
const ORPHAN_PREFIX = 'autocoder/orphan-';
const RECOVERED_MESSAGE = 'autocoder: work in progress (recovered)';

export function featureBranch(featureId: number): string {
  assertFeatureId(featureId);
  return `${FEATURE_PREFIX}${featureId}`;
}

/**
 * The branch checked out in the project root (e.g. 'main' or 'master'); AppError CONFLICT if detached or no commits
 * yet.
 */
export function mainBranch(root: string): string {
  assertFolder(root);
  const branch = currentBranch(root);
  if (branch === null) {
    throw new AppError(
      'CONFLICT',
      `the project folder ${root} is on a detached HEAD; check out its main branch there (e.g. git switch main) so features can land on it`,
    );
  }
  if (revision(root, 'HEAD') === null) {
    throw new AppError(
      'CONFLICT',
      `the project folder ${root} has no commits yet on ${branch}; make a first commit so feature branches have something to start from`,
    );
  }
  return branch;
}

/**
 * `<root>/.autocoder/worktrees/slot-<n>`: created (`git worktree add --detach <path> <main>`)
 * when missing; an existing healthy one is reused as is (so dependencies installed there
 * survive). A broken one is first repaired in place when git still knows it (`git worktree
 * repair`, e.g. a deleted `.git` file); otherwise the folder is moved aside to
 * `slot-<n>.broken-<timestamp>` (never deleted: it may hold work) — or removed when empty —
 * and, like a registered-but-deleted one, pruned and re-created. `.autocoder/` is added to the
 * repository's `info/exclude` (shared by all worktrees). Returns the absolute path (symlinks
 * in `root` resolved).
 */
export function ensureSlotWorktree(root: string, slot: number, main: string): string {
  return runGit(ensureSlotWorktreeSteps(root, slot, main));
}

/** ensureSlotWorktree without blocking the event loop. */
export function ensureSlotWorktreeAsync(root: string, slot: number, main: string): Promise<string> {
  return runGitAsync(ensureSlotWorktreeSteps(root, slot, main));
}

function* ensureSlotWorktreeSteps(root: string, slot: number, main: string): GitSteps<string> {
  if (!Number.isSafeInteger(slot) || slot < 0) {
    throw new AppError('INVALID_INPUT', `slot must be a whole number ≥ 0, got ${String(slot)}`);
  }
  const { top, commonDir, excludeFile, sha: mainTip } = yield* repositoryFoldersSteps(root, `refs/heads/${main}`);
  if (mainTip === null) throw noBranch(main, top);
  const path = join(top, WORKTREES_DIR, `slot-${slot}`);
  // info/exclude is shared by every worktree: `.autocoder/` stays invisible in the root and in
  // the slots even when the project's .gitignore (uncommitted, or not on main) does not say so.
  yield* addLocalExcludesSteps(top, ['.autocoder/'], excludeFile);

  if (existsSync(path)) {
    if (yield* isHealthyWorktreeSteps(path, commonDir)) return path;
    if ((yield* listWorktreesSteps(top)).some((w) => samePath(w.path, path))) {
      yield* gitStep(top, ['worktree', 'repair', path]);
      if (yield* isHealthyWorktreeSteps(path, commonDir)) return path;
    }
    if (readdirSync(path).length === 0) rmdirSync(path);
    else renameSync(path, `${path}.broken-${timestamp()}`);
  }
  yield* gitOkStep(top, ['worktree', 'prune']);
  mkdirSync(dirname(path), { recursive: true });
  yield* gitOkStep(top, ['worktree', 'add', '--quiet', '--detach', path, mainTip]);
  return path;
}

/** The prefix of verification worktrees: `.autocoder/worktrees/verify-<n>`. */
export const VERIFY_WORKTREE_PREFIX = 'verify-';

/**
 * `<root>/.autocoder/worktrees/verify-<n>` holding exactly `commit` (detached), for a
 * verification to run the acceptance checks in. Nobody works there, so unlike a slot's it holds
 * no one's work and is reset by force: checked out at the commit with tracked files restored,
 * untracked and ignored files removed except the folders named in `keep` (installed
 * dependencies such as `node_modules`, so an install survives from one verification to the
 * next). One that is broken, unknown to git or mid-operation is removed and created again.
 * Returns the path (symlinks in `root` resolved) and the commit's full sha.
 */
export function checkoutVerificationWorktree(
  root: string,
  n: number,
  commit: string,
  keep: readonly string[],
): { path: string; commit: string } {
  return runGit(checkoutVerificationWorktreeSteps(root, n, commit, keep));
}

/** checkoutVerificationWorktree without blocking the event loop (the merge queue's rebase, a landing's checks). */
export function checkoutVerificationWorktreeAsync(
  root: string,
  n: number,
  commit: string,
  keep: readonly string[],
): Promise<{ path: string; commit: string }> {
  return runGitAsync(checkoutVerificationWorktreeSteps(root, n, commit, keep));
}

function* checkoutVerificationWorktreeSteps(
  root: string,
  n: number,
  commit: string,
  keep: readonly string[],
): GitSteps<{ path: string; commit: string }> {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new AppError('INVALID_INPUT', `a verification worktree number is a whole number ≥ 0, got ${String(n)}`);
  return yield* checkoutDetachedWorktreeSteps(root, `${VERIFY_WORKTREE_PREFIX}${n}`, commit, keep);
}

/** The worktree the app preview runs in (`autocoder preview`, the Open the app button): agents never use it. */
export const PREVIEW_WORKTREE = 'preview';

/**
 * `<root>/.autocoder/worktrees/preview` holding exactly `commit` (detached), reset by force like a verification's
 * (nobody works there): the built app runs from it while agents keep working in their slots. Without blocking the
 * event loop (the server starts previews).
 */
export function checkoutPreviewWorktreeAsync(
  root: string,
  commit: string,
  keep: readonly string[],
): Promise<{ path: string; commit: string }> {
  return runGitAsync(checkoutDetachedWorktreeSteps(root, PREVIEW_WORKTREE, commit, keep));
}

function* checkoutDetachedWorktreeSteps(
  root: string,
  name: string,
  commit: string,
  keep: readonly string[],
): GitSteps<{ path: string; commit: string }> {
  const { top, commonDir, excludeFile, sha } = yield* repositoryFoldersSteps(root, commit);
  if (sha === null) throw new AppError('INVALID_INPUT', `${commit} is not a commit in ${top}`);
  const path = join(top, WORKTREES_DIR, name);
  yield* addLocalExcludesSteps(top, ['.autocoder/'], excludeFile);
  if (existsSync(path)) {
    const state = yield* worktreeHealthSteps(path, commonDir);
    if (state.healthy && state.operation === null && (yield* resetVerificationWorktreeSteps(path, sha, keep)))
      return { path, commit: sha };
    // Nobody's work lives here: remove it whole and start again.
    if ((yield* listWorktreesSteps(top)).some((w) => samePath(w.path, path)))
      yield* gitStep(top, ['worktree', 'remove', '--force', '--force', path]);
    rmSync(path, { recursive: true, force: true });
  }
  yield* gitOkStep(top, ['worktree', 'prune']);
  mkdirSync(dirname(path), { recursive: true });
  yield* gitOkStep(top, ['worktree', 'add', '--quiet', '--detach', path, sha]);
  return { path, commit: sha };
}

/**
 * Moves a healthy verification worktree to `sha` and removes everything git does not track there but `keep`; false when
 * git refused. (A checkout git reports done has HEAD at `sha`: it is not asked again.)
 */
function* resetVerificationWorktreeSteps(path: string, sha: string, keep: readonly string[]): GitSteps<boolean> {
  if ((yield* gitStep(path, ['checkout', '--quiet', '--force', '--detach', sha])).status !== 0) return false;
  return (yield* gitStep(path, ['clean', '-ffdxq', ...keep.flatMap((k) => ['-e', k])])).status === 0;
}

export interface CheckoutResult {
  readonly branch: string;
  /** True when the feature branch already held work that main lacks (kept, not reset). */
  readonly continued: boolean;
  readonly head: string;
  /**
   * The branch uncommitted work found on the way was committed to (several joined by ", "),
   * e.g. `autocoder/orphan-20250101T120000123Z`; null when there was none.
   */
  readonly rescued: string | null;
}

/**
 * Prepares a slot's worktree for a feature. Uncommitted changes left by a crashed or aborted
 * session are committed first ("autocoder: work in progress (recovered)"): to the branch the
 * worktree is on when that is an autocoder branch, else (detached HEAD, or any other branch)
 * to a new branch `autocoder/orphan-<timestamp>`; an interrupted rebase/merge/cherry-pick is
 * snapshotted onto an orphan branch and aborted. `rescued` names the branch(es) it went to.
 * If another slot has the feature branch checked out or half rebased (it crashed), its
 * leftovers are saved the same way and its HEAD detached; a slot whose folder is gone is
 * pruned. The project root holding the branch is a CONFLICT. Then: if `autocoder/feature-<id>`
 * holds commits main lacks it is checked out as is (continued: true, NOT reset to main);
 * otherwise it is (re)started at the current tip of main (continued: false) — a branch whose
 * commits are all in main already loses nothing by that.
 */
export function checkoutFeature(worktree: string, featureId: number, main: string): CheckoutResult {
  return runGit(checkoutFeatureSteps(worktree, featureId, main));
}

/** checkoutFeature without blocking the event loop. */
export function checkoutFeatureAsync(worktree: string, featureId: number, main: string): Promise<CheckoutResult> {
  return runGitAsync(checkoutFeatureSteps(worktree, featureId, main));
}

function* checkoutFeatureSteps(worktree: string, featureId: number, main: string): GitSteps<CheckoutResult> {
  assertFolder(worktree);
  const branch = featureBranch(featureId);
  const rescued = (yield* saveWorkSteps(worktree, RECOVERED_MESSAGE)).map((s) => s.branch);

  const here = realpathSync(worktree);
  const [rootEntry, ...linked] = yield* listWorktreesSteps(worktree);
  if (rootEntry?.branch === branch && !samePath(rootEntry.path, here)) {
    throw new AppError(
      'CONFLICT',
      `${branch} is checked out in the project folder ${rootEntry.path}; check out the main branch there so a slot can work on feature #${featureId}`,
    );
  }
  for (const other of linked) {
    if (other.branch !== branch || samePath(other.path, here)) continue;
    if (other.prunable || !existsSync(other.path)) {
      yield* gitOkStep(worktree, ['worktree', 'prune']);
      continue;
    }
    rescued.push(...(yield* saveWorkSteps(other.path, RECOVERED_MESSAGE)).map((s) => s.branch));
    yield* gitOkStep(other.path, ['switch', '--quiet', '--detach']);
  }

  const [mainTip = null, tip = null] = yield* revisionsSteps(worktree, [`refs/heads/${main}`, `refs/heads/${branch}`]);
  if (mainTip === null) throw noBranch(main, worktree);
  let continued: boolean;
  // Where HEAD is once the branch is checked out: known without asking git again.
  let head: string;
  if (tip !== null && !(yield* isAncestorSteps(worktree, tip, mainTip))) {
    if ((yield* currentBranchSteps(worktree)) !== branch) yield* gitOkStep(worktree, ['switch', '--quiet', branch]);
    continued = true;
    head = tip;
  } else {
    // Missing, or every commit on it is already in main: start from main's current tip.
    yield* gitOkStep(worktree, ['switch', '--quiet', '--no-track', tip === null ? '-c' : '-C', branch, mainTip]);
    continued = false;
    head = mainTip;
  }
  return {
    branch,
    continued,
    head,
    rescued: rescued.length === 0 ? null : [...new Set(rescued)].join(', '),
  };
}

/**
 * Commits everything uncommitted in the worktree (git add -A) with `message`; returns the new
 * commit's sha, or null when there was nothing to commit. On a detached HEAD (or a branch that
 * is not autocoder's) the commit goes to a new `autocoder/orphan-<timestamp>` branch, so it is
 * never left unreachable; an interrupted rebase/merge is snapshotted the same way and aborted.
 */
export function commitWorkInProgress(worktree: string, message: string): string | null {
  return runGit(commitWorkInProgressSteps(worktree, message));
}

/** commitWorkInProgress without blocking the event loop. */
export function commitWorkInProgressAsync(worktree: string, message: string): Promise<string | null> {
  return runGitAsync(commitWorkInProgressSteps(worktree, message));
}

function* commitWorkInProgressSteps(worktree: string, message: string): GitSteps<string | null> {
  assertFolder(worktree);
  if (message.trim() === '') throw new AppError('INVALID_INPUT', 'a commit message is required');
  const saved = yield* saveWorkSteps(worktree, message);
  return saved.at(-1)?.sha ?? null;
}

export type LandingCheck =
  | { ok: true; head: string }
  | {
      ok: false;
      reason: string;
      steps: string[];
      /**
       * Set only when everything else is ready and main merely moved on: the branch's tip and main's. The merge queue
       * can then rebase the branch itself (src/runner/integrate.ts) instead of sending the agent these steps.
       */
      behind?: { readonly head: string; readonly main: string };
    };

/**
 * The landing gate of feature_mark_passing, run in the slot's worktree: ok only when no git
 * operation is half done, HEAD is on the feature branch, the worktree is clean (untracked files
 * count, ignored files don't), the branch has at least one commit that main lacks, and main's
 * current tip is an ancestor of HEAD. Otherwise `reason` (one sentence) and `steps`: the exact
 * commands the agent should run. None needs an editor (`git commit --no-edit` before
 * `git rebase --continue`), and all pass the bash policy.
 */
export function landingCheck(worktree: string, featureId: number, main: string): LandingCheck {
  return runGit(landingCheckSteps(worktree, featureId, main));
}

/** landingCheck without blocking the event loop: other slots' sessions go on while the merge queue checks a landing. */
export function landingCheckAsync(worktree: string, featureId: number, main: string): Promise<LandingCheck> {
  return runGitAsync(landingCheckSteps(worktree, featureId, main));
}

function* landingCheckSteps(worktree: string, featureId: number, main: string): GitSteps<LandingCheck> {
  assertFolder(worktree);
  const branch = featureBranch(featureId);
  const again = 'call feature_mark_passing again';
  const commitSteps = ['git add -A', `git commit -m "feature #${featureId}: <what you changed>"`];

  const { operation: op, branch: current } = yield* worktreeStateSteps(worktree);
  if (op === 'rebase') {
    return fail(`a git rebase onto ${main} is still in progress in this worktree; finish it first`, [
      'git status (lists the files with conflicts)',
      '(resolve each conflict: edit the file, then git add <file>)',
      'git commit --no-edit (if it says nothing to commit, run git rebase --skip instead)',
      'git rebase --continue (repeat these steps until it reports success)',
      're-run the tests and the browser check',
      again,
    ]);
  }
  if (op !== null) {
    return fail(
      `a git ${op} is still in progress in this worktree; abort it and bring ${main} in with a rebase instead`,
      [
        `git ${op} --abort`,
        `git rebase ${main}`,
        '(on conflicts: edit the files, git add <files>, git commit --no-edit, git rebase --continue)',
        're-run the tests and the browser check',
        again,
      ],
    );
  }

  const dirty = yield* changedPathsSteps(worktree);
  if (current !== branch) {
    const where = current === null ? 'a detached HEAD' : `branch ${current}`;
    const first = dirty.length > 0 ? commitSteps : [];
    const tip = yield* revisionSteps(worktree, `refs/heads/${branch}`);
    if (tip === null) {
      return fail(`this worktree is on ${where}, and ${branch} does not exist; create it here`, [
        ...(dirty.length > 0 ? [`git switch -c ${branch}`, ...commitSteps] : [`git switch -c ${branch}`]),
        again,
      ]);
    }
    if (yield* isAncestorSteps(worktree, tip, yield* headOfSteps(worktree))) {
      return fail(`this worktree is on ${where}, not on ${branch}; move the branch to your work and switch to it`, [
        ...first,
        `git branch -f ${branch} HEAD`,
        `git switch ${branch}`,
        again,
      ]);
    }
    return fail(
      `this worktree is on ${where}, not on ${branch}, and the two have diverged; switch to ${branch} and re-apply your commits there`,
      [
        ...first,
        'git rev-parse HEAD (note the commit)',
        `git switch ${branch}`,
        'git cherry-pick <each noted commit>',
        again,
      ],
    );
  }
  if (dirty.length > 0) {
    return fail(
      `the worktree has ${dirty.length} uncommitted change${dirty.length === 1 ? '' : 's'} (${preview(dirty)}); commit them on ${branch}`,
      [...commitSteps, again],
    );
  }
  const [head = null, mainTip = null] = yield* revisionsSteps(worktree, ['HEAD', `refs/heads/${main}`]);
  if (head === null) throw noCommits(worktree);
  if (mainTip === null) throw noBranch(main, worktree);
  // Commits only main has and commits only the branch has, in one git process. None only on main: main's tip is in
  // the branch (the landing is a fast-forward).
  const [behind = NaN, ahead = NaN] = (yield* gitOkStep(worktree, [
    'rev-list',
    '--left-right',
    '--count',
    `${mainTip}...${head}`,
  ]))
    .trim()
    .split(/\s+/)
    .map(Number);
  if (!Number.isInteger(behind) || !Number.isInteger(ahead))
    throw new AppError('IO_ERROR', `git rev-list --left-right --count gave no two counts in ${worktree}`);
  if (ahead === 0) {
    return fail(
      `${branch} has no commits that ${main} lacks, so there is nothing to land; commit the feature's changes on it`,
      [...commitSteps, again],
    );
  }
  if (behind > 0) {
    // The tip is named so that two refusals in a row differ when main moved again in between (it is news to the agent,
    // and the runner's loop check would otherwise see the same answer twice).
    return {
      ...fail(
        `${main} has moved on to ${mainTip.slice(0, 8)} since ${branch} started (${behind} new commit${behind === 1 ? '' : 's'} on ${main}); rebase onto it`,
        [
          `git rebase ${main}`,
          '(resolve conflicts: edit the files, git add <files>, git commit --no-edit, git rebase --continue)',
          're-run the tests and the browser check',
          again,
        ],
      ),
      behind: { head, main: mainTip },
    };
  }
  return { ok: true, head };
}

/**
 * The merge queue's one step: fast-forwards main in the project root to `head` (the feature
 * branch's tip, which must contain main) with `git merge --ff-only <head>` in the root
 * worktree, so the root's files follow main. Refuses (AppError CONFLICT, main untouched) when
 * main is no longer an ancestor of head (someone landed first: rebase again), when the root is
 * not on main or is mid-operation, or when the root has uncommitted changes (tracked or
 * untracked) to files the merge would write. Returns main's new tip.
 */
export function fastForwardMain(root: string, main: string, head: string): string {
  return runGit(fastForwardMainSteps(root, main, head));
}

/** fastForwardMain without blocking the event loop. */
export function fastForwardMainAsync(root: string, main: string, head: string): Promise<string> {
  return runGitAsync(fastForwardMainSteps(root, main, head));
}

function* fastForwardMainSteps(root: string, main: string, head: string): GitSteps<string> {
  const { top, operation, branch: current } = yield* rootStateSteps(root);
  if (current !== main) {
    throw new AppError(
      'CONFLICT',
      `the project folder ${top} has ${current === null ? 'a detached HEAD' : `branch ${current}`} checked out, not ${main}; check out ${main} there so features can land`,
    );
  }
  if (operation !== null) {
    throw new AppError(
      'CONFLICT',
      `a git ${operation} is in progress in the project folder ${top}; finish or abort it (git ${operation} --abort) so features can land`,
    );
  }
  const [target = null, mainTip = null] = yield* revisionsSteps(top, [head, `refs/heads/${main}`]);
  if (target === null) throw new AppError('INVALID_INPUT', `${head} is not a commit in ${top}`);
  if (mainTip === null) throw noBranch(main, top);
  if (target === mainTip) return mainTip;
  // git checks what would stop a fast-forward itself (main not an ancestor, changes in the way) and moves nothing then;
  // only when it refuses are the reasons looked for, one by one, to say which it was.
  const res = yield* gitStep(top, ['merge', '--ff-only', '--quiet', target]);
  if (res.status === 0) return target;
  if (!(yield* isAncestorSteps(top, mainTip, target))) {
    throw new AppError(
      'CONFLICT',
      `${main} has moved on: ${short(target)} does not contain ${main}'s tip ${short(mainTip)}; rebase the feature branch onto ${main} again`,
      {
        details: { main: mainTip, head: target },
      },
    );
  }
  const touched = new Set(
    nulSplit(yield* gitOkStep(top, ['diff', '--name-only', '-z', '--no-renames', mainTip, target])),
  );
  const blocking = (yield* changedPathsSteps(top)).filter((p) => touched.has(p));
  if (blocking.length > 0) {
    throw new AppError(
      'CONFLICT',
      `the project folder ${top} has uncommitted changes to ${preview(blocking)} that landing ${short(target)} would overwrite; commit, move or discard them there`,
      {
        details: { files: blocking },
      },
    );
  }
  throw new AppError(
    'CONFLICT',
    `git merge --ff-only ${short(target)} refused in ${top}: ${res.stderr.trim() || res.stdout.trim()}`,
  );
}

/** True when `branch` exists and every commit on it is in main (git merge-base --is-ancestor). */
export function isMerged(root: string, branch: string, main: string): boolean {
  assertFolder(root);
  const tip = revision(root, `refs/heads/${branch}`);
  return tip !== null && isAncestor(root, tip, branchTip(root, main));
}

/**
 * Deletes an autocoder branch only when isMerged proves main contains it; returns whether it
 * deleted. A clean slot worktree that has the branch checked out is detached first; one with
 * uncommitted changes keeps it (not deleted). The deletion is a compare-and-set on the tip git
 * proved merged (`git update-ref -d <ref> <tip>`), never a forced `branch -D`.
 */
export function deleteMergedBranch(root: string, branch: string, main: string): boolean {
  return runGit(deleteMergedBranchSteps(root, branch, main));
}

/** deleteMergedBranch without blocking the event loop. */
export function deleteMergedBranchAsync(root: string, branch: string, main: string): Promise<boolean> {
  return runGitAsync(deleteMergedBranchSteps(root, branch, main));
}

function* deleteMergedBranchSteps(root: string, branch: string, main: string): GitSteps<boolean> {
  assertFolder(root);
  if (!branch.startsWith('autocoder/')) {
    throw new AppError('INVALID_INPUT', `only autocoder's own branches (autocoder/…) are deleted here, not ${branch}`);
  }
  if (branch === main) return false;
  const [tip = null, mainTip = null] = yield* revisionsSteps(root, [`refs/heads/${branch}`, `refs/heads/${main}`]);
  if (tip === null) return false;
  if (mainTip === null) throw noBranch(main, root);
  if (!(yield* isAncestorSteps(root, tip, mainTip))) return false;
  const [rootEntry, ...linked] = yield* listWorktreesSteps(root);
  if (rootEntry?.branch === branch) return false;
  for (const wt of linked) {
    if (wt.branch !== branch) continue;
    if (wt.prunable || !existsSync(wt.path)) {
      yield* gitOkStep(root, ['worktree', 'prune']);
      continue;
    }
    if ((yield* operationInProgressSteps(wt.path)) !== null || (yield* changedPathsSteps(wt.path)).length > 0)
      return false;
    yield* gitOkStep(wt.path, ['switch', '--quiet', '--detach']);
  }
  return (yield* gitStep(root, ['update-ref', '-d', `refs/heads/${branch}`, tip])).status === 0;
}

/** Branches named autocoder/feature-* or autocoder/orphan-* with commits not in main (what a crash must never lose). */
export function unmergedAutocoderBranches(root: string, main: string): string[] {
  assertFolder(root);
  const mainTip = branchTip(root, main);
  const lines = gitOk(root, ['for-each-ref', '--format=%(objectname) %(refname)', 'refs/heads/autocoder/'])
    .split('\n')
    .filter(Boolean);
  const found: { name: string; id: number }[] = [];
  for (const line of lines) {
    const space = line.indexOf(' ');
    const sha = line.slice(0, space);
    const name = line.slice(space + 1).replace(/^refs\/heads\//, '');
    const feature = /^autocoder\/feature-(\d+)$/.exec(name);
    if (!feature && !name.startsWith(ORPHAN_PREFIX)) continue;
    if (isAncestor(root, sha, mainTip)) continue;
    found.push({ name, id: feature ? Number(feature[1]) : Number.POSITIVE_INFINITY });
  }
  return found.sort((a, b) => a.id - b.id || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((b) => b.name);
}

// ---------------------------------------------------------------------------------------------

type Operation = 'rebase' | 'am' | 'merge' | 'cherry-pick' | 'revert';

interface Saved {
  readonly branch: string;
  readonly sha: string;
}

interface WorktreeEntry {
  readonly path: string;
  /** The branch it has checked out, or is in the middle of rebasing (git keeps that one reserved too). */
  readonly branch: string | null;
  readonly prunable: boolean;
}

function fail(reason: string, steps: string[]): Extract<LandingCheck, { ok: false }> {
  return { ok: false, reason, steps };
}

/**
 * What a sandboxed agent in a worktree must be able to write in the repository's shared git
 * folder to commit, branch, rebase and stash: the object store, refs and reflogs, and the
 * worktree's own admin folder. Deliberately not the whole `.git`: Claude Code's sandbox
 * protects `config`/`config.lock` inside every writable git folder by bind-mounting over
 * them, and for a missing `config.lock` bwrap creates the mount point on the host and Claude
 * Code deletes it afterwards. With `.git` shared by parallel slots, that file appearing and
 * vanishing made a sibling's sandbox fail to start ("bwrap: Can't get type of source
 * …/.git/config.lock") and could make git refuse to write its config meanwhile.
 */
export function worktreeGitWritePaths(worktree: string): string[] {
  const [commonDir = '', gitDir = ''] = gitOk(worktree, ['rev-parse', '--git-common-dir', '--git-dir']).split('\n');
  const common = resolve(worktree, commonDir.trim());
  const own = resolve(worktree, gitDir.trim());
  const shared = ['objects', 'refs', 'logs'].map((d) => join(common, d));
  for (const dir of shared) mkdirSync(dir, { recursive: true });
  return own === common ? [common] : [...shared, own];
}

/**
 * Holds the repository's `config.lock` while sandboxed parallel agents run, and returns how to
 * let it go. Claude Code's sandbox protects `.git/config.lock` in the agent's git folder; when
 * the file is missing, every sandboxed command creates it on the host (as a bind-mount point)
 * and deletes it when it ends. Slots share one `.git`, so that file came and went under each
 * other's sandboxes: a sibling whose sandbox started in between failed with "bwrap: Can't get
 * type of source …/.git/config.lock" (an agent's command silently not run). An existing file is
 * mounted over and left alone, so holding it makes every start see the same thing. The cost,
 * said in the prompt and README: `git config` cannot write the repository config during such a
 * run (nothing autocoder or a feature needs; identities come from the environment). A lock
 * that already exists is someone else's and is left as it is.
 */
export function holdConfigLock(root: string): () => void {
  const top = realRoot(root);
  const lock = join(resolve(top, gitOk(top, ['rev-parse', '--git-common-dir']).trim()), 'config.lock');
  try {
    writeFileSync(lock, '', { flag: 'wx' });
  } catch {
    return () => undefined;
  }
  return () => {
    try {
      if (statSync(lock).size === 0) unlinkSync(lock);
    } catch (err: unknown) {
      // Already gone is fine; a lock of ours that cannot be removed would block git config for good, so that is
      // reported.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  };
}

function assertFeatureId(featureId: number): void {
  if (!Number.isSafeInteger(featureId) || featureId < 1) {
    throw new AppError('INVALID_INPUT', `a feature id is a whole number ≥ 1, got ${String(featureId)}`);
  }
}

function assertFolder(dir: string): void {
  if (!existsSync(dir)) throw new AppError('NOT_FOUND', `${dir} does not exist`);
}

/** The project root's top-level folder, with symlinks resolved (so paths compare). */
function realRoot(root: string): string {
  return runGit(realRootSteps(root));
}

function* realRootSteps(root: string): GitSteps<string> {
  assertFolder(root);
  const res = yield* gitStep(root, ['rev-parse', '--show-toplevel']);
  if (res.status !== 0) throw new AppError('INVALID_INPUT', `${root} is not a git repository`);
  return realpathSync(res.stdout.trim());
}

/**
 * The repository's top level (real path), its common git folder (shared by the worktrees) and its info/exclude file,
 * and, when `ref` is given, the full sha it names as a commit (null when it names none), in one git process.
 */
function* repositoryFoldersSteps(
  root: string,
  ref?: string,
): GitSteps<{
  readonly top: string;
  readonly commonDir: string;
  readonly excludeFile: string;
  readonly sha: string | null;
}> {
  assertFolder(root);
  const verify = ref === undefined || ref.startsWith('-') ? [] : ['--verify', '--quiet', `${ref}^{commit}`];
  const res = yield* gitStep(root, [
    'rev-parse',
    '--show-toplevel',
    '--git-common-dir',
    '--git-path',
    'info/exclude',
    ...verify,
  ]);
  const [top, common, exclude, sha] = res.stdout.split('\n').map((line) => line.trim());
  // With --verify --quiet, a ref that names no commit exits 1 after the folders; anything else is no repository.
  const revisionMissing = verify.length > 0 && res.status === 1;
  if ((res.status !== 0 && !revisionMissing) || !top || !common || !exclude)
    throw new AppError('INVALID_INPUT', `${root} is not a git repository`);
  // The folders come relative to where git ran when they are inside it.
  return {
    top: realpathSync(top),
    commonDir: resolve(root, common),
    excludeFile: resolve(root, exclude),
    sha: res.status === 0 && sha ? sha : null,
  };
}

/**
 * The full shas several refs name as commits (null for one that names none), in one git process when all resolve (the
 * usual case); else ref by ref, to tell which did not.
 */
function* revisionsSteps(cwd: string, refs: readonly string[]): GitSteps<(string | null)[]> {
  // Ranges and options are not refs: those take the one-by-one path, which refuses them.
  if (refs.length > 1 && refs.every((r) => !r.startsWith('-') && !r.includes('..'))) {
    const res = yield* gitStep(cwd, ['rev-parse', ...refs.map((r) => `${r}^{commit}`), '--']);
    const lines = res.stdout.split('\n').map((line) => line.trim());
    if (res.status === 0 && lines[refs.length] === '--' && lines.slice(0, refs.length).every((l) => SHA.test(l)))
      return lines.slice(0, refs.length);
  }
  const shas: (string | null)[] = [];
  for (const ref of refs) shas.push(yield* revisionSteps(cwd, ref));
  return shas;
}

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

const OPERATION_MARKERS = ['rebase-merge', 'rebase-apply', 'MERGE_HEAD', 'CHERRY_PICK_HEAD', 'REVERT_HEAD'] as const;
const OPERATION_PATH_ARGS = OPERATION_MARKERS.flatMap((n) => ['--git-path', n]);

/** The operation the marker files (their paths as git printed them, in OPERATION_MARKERS order) say is in progress. */
function operationFrom(cwd: string, printed: readonly string[]): Operation | null {
  const [rebaseMerge, rebaseApply, mergeHead, cherryPick, revert] = printed.map((p) => resolve(cwd, p));
  if (rebaseMerge !== undefined && existsSync(rebaseMerge)) return 'rebase';
  if (rebaseApply !== undefined && existsSync(rebaseApply))
    return existsSync(join(rebaseApply, 'applying')) ? 'am' : 'rebase';
  if (mergeHead !== undefined && existsSync(mergeHead)) return 'merge';
  if (cherryPick !== undefined && existsSync(cherryPick)) return 'cherry-pick';
  if (revert !== undefined && existsSync(revert)) return 'revert';
  return null;
}

/** `--symbolic-full-name HEAD` as a branch: null for a detached HEAD (git prints `HEAD`) or a ref outside heads. */
function branchFrom(printed: string | undefined): string | null {
  return printed?.startsWith('refs/heads/') ? printed.slice('refs/heads/'.length) : null;
}

/**
 * The git operation in progress in a worktree and the branch its HEAD is on, in one git process (else, when git could
 * not say both at once, e.g. on a branch without commits, one by one).
 */
function* worktreeStateSteps(cwd: string): GitSteps<{ operation: Operation | null; branch: string | null }> {
  const res = yield* gitStep(cwd, ['rev-parse', ...OPERATION_PATH_ARGS, '--symbolic-full-name', 'HEAD']);
  const lines = res.stdout.split('\n').filter(Boolean);
  if (res.status === 0 && lines.length === OPERATION_MARKERS.length + 1)
    return { operation: operationFrom(cwd, lines), branch: branchFrom(lines[OPERATION_MARKERS.length]?.trim()) };
  return { operation: yield* operationInProgressSteps(cwd), branch: yield* currentBranchSteps(cwd) };
}

/** worktreeStateSteps for the project root, with its top level (real path); a folder outside git is INVALID_INPUT. */
function* rootStateSteps(root: string): GitSteps<{ top: string; operation: Operation | null; branch: string | null }> {
  assertFolder(root);
  const res = yield* gitStep(root, [
    'rev-parse',
    '--show-toplevel',
    ...OPERATION_PATH_ARGS,
    '--symbolic-full-name',
    'HEAD',
  ]);
  const lines = res.stdout.split('\n').filter(Boolean);
  if (res.status === 0 && lines.length === OPERATION_MARKERS.length + 2) {
    return {
      top: realpathSync((lines[0] as string).trim()),
      operation: operationFrom(root, lines.slice(1)),
      branch: branchFrom(lines[OPERATION_MARKERS.length + 1]?.trim()),
    };
  }
  const top = yield* realRootSteps(root);
  return { top, ...(yield* worktreeStateSteps(top)) };
}

/**
 * Whether a folder is a healthy worktree of this repository (git sees it as its own top level, with this common git
 * folder) and the operation in progress there, in one git process.
 */
function* worktreeHealthSteps(
  path: string,
  commonDir: string,
): GitSteps<{ healthy: boolean; operation: Operation | null }> {
  const res = yield* gitStep(path, ['rev-parse', '--show-toplevel', '--git-common-dir', ...OPERATION_PATH_ARGS]);
  const [top, common, ...markers] = res.stdout.split('\n').filter(Boolean);
  if (res.status !== 0 || top === undefined || common === undefined || markers.length !== OPERATION_MARKERS.length)
    return { healthy: false, operation: null };
  const healthy = samePath(top.trim(), path) && samePath(resolve(path, common.trim()), commonDir);
  return { healthy, operation: healthy ? operationFrom(path, markers) : null };
}

const noBranch = (branch: string, where: string) =>
  new AppError('INVALID_INPUT', `there is no branch named ${branch} in ${where}`);
const noCommits = (where: string) => new AppError('CONFLICT', `${where} has no commits yet`);

function samePath(a: string, b: string): boolean {
  const norm = (p: string) => (existsSync(p) ? realpathSync(p) : resolve(p));
  return norm(a) === norm(b);
}

/** The full sha `ref` names as a commit, or null. */
function revision(cwd: string, ref: string): string | null {
  return runGit(revisionSteps(cwd, ref));
}

export function* revisionSteps(cwd: string, ref: string): GitSteps<string | null> {
  if (ref.startsWith('-')) return null;
  const res = yield* gitStep(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  return res.status === 0 ? res.stdout.trim() : null;
}

function* headOfSteps(cwd: string): GitSteps<string> {
  const sha = yield* revisionSteps(cwd, 'HEAD');
  if (sha === null) throw noCommits(cwd);
  return sha;
}

function branchTip(cwd: string, branch: string): string {
  return runGit(branchTipSteps(cwd, branch));
}

function* branchTipSteps(cwd: string, branch: string): GitSteps<string> {
  const sha = yield* revisionSteps(cwd, `refs/heads/${branch}`);
  if (sha === null) throw noBranch(branch, cwd);
  return sha;
}

/** The branch HEAD is on (without refs/heads/), or null on a detached HEAD. */
function currentBranch(cwd: string): string | null {
  return runGit(currentBranchSteps(cwd));
}

function* currentBranchSteps(cwd: string): GitSteps<string | null> {
  const res = yield* gitStep(cwd, ['symbolic-ref', '--quiet', 'HEAD']);
  const ref = res.stdout.trim();
  return res.status === 0 && ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : null;
}

function isAncestor(cwd: string, ancestor: string, descendant: string): boolean {
  return runGit(isAncestorSteps(cwd, ancestor, descendant));
}

export function* isAncestorSteps(cwd: string, ancestor: string, descendant: string): GitSteps<boolean> {
  // A commit is its own ancestor: no git process to say so (the callers pass shas git gave them).
  if (ancestor === descendant && SHA.test(ancestor)) return true;
  const res = yield* gitStep(cwd, ['merge-base', '--is-ancestor', ancestor, descendant]);
  if (res.status === 0) return true;
  if (res.status === 1) return false;
  throw new AppError(
    'IO_ERROR',
    `git merge-base --is-ancestor ${ancestor} ${descendant} failed in ${cwd}: ${res.stderr.trim()}`,
  );
}

function nulSplit(text: string): string[] {
  return text.split('\0').filter((s) => s.length > 0);
}

/**
 * Paths with uncommitted changes, untracked files included (whatever the user's
 * status.showUntrackedFiles says), ignored files not.
 */
function* changedPathsSteps(cwd: string): GitSteps<string[]> {
  const out = yield* gitOkStep(cwd, [
    'status',
    '--porcelain=v1',
    '-z',
    '--untracked-files=all',
    '--no-renames',
    '--ignore-submodules=none',
  ]);
  return nulSplit(out).map((entry) => entry.slice(3));
}

function preview(paths: readonly string[]): string {
  const shown = paths.slice(0, 5).join(', ');
  return paths.length > 5 ? `${shown} and ${paths.length - 5} more` : shown;
}

function short(sha: string): string {
  return sha.slice(0, 12);
}

function timestamp(): string {
  return new Date().toISOString().replace(/[-:.]/g, '');
}

/** `-c` options for commits the runner makes: the repository's identity (else "autocoder"), no signing prompts. */
export function* commitConfigSteps(cwd: string): GitSteps<string[]> {
  const id = yield* gitIdentitySteps(cwd);
  return ['-c', `user.name=${id.name}`, '-c', `user.email=${id.email}`, '-c', 'commit.gpgsign=false'];
}

function* operationInProgressSteps(cwd: string): GitSteps<Operation | null> {
  const printed = (yield* gitOkStep(cwd, ['rev-parse', ...OPERATION_PATH_ARGS])).split('\n').filter(Boolean);
  return operationFrom(cwd, printed);
}

function* orphanBranchNameSteps(cwd: string): GitSteps<string> {
  const base = `${ORPHAN_PREFIX}${timestamp()}`;
  let name = base;
  for (let n = 2; (yield* revisionSteps(cwd, `refs/heads/${name}`)) !== null; n += 1) name = `${base}-${n}`;
  return name;
}

/**
 * Commits whatever is uncommitted in `worktree` so that nothing can be lost by what comes next:
 * an interrupted rebase/merge/cherry-pick/revert/am is snapshotted (conflict markers and all)
 * onto a new orphan branch and aborted; then remaining changes are committed to the current
 * branch when it is autocoder's, else to a new orphan branch.
 */
function* saveWorkSteps(worktree: string, message: string): GitSteps<Saved[]> {
  const saved: Saved[] = [];
  const op = yield* operationInProgressSteps(worktree);
  if (op !== null) {
    if ((yield* changedPathsSteps(worktree)).length > 0) {
      yield* gitOkStep(worktree, ['add', '-A']);
      const tree = (yield* gitOkStep(worktree, ['write-tree'])).trim();
      const sha = (yield* gitOkStep(worktree, [
        ...(yield* commitConfigSteps(worktree)),
        'commit-tree',
        tree,
        '-p',
        yield* headOfSteps(worktree),
        '-m',
        `${message} (interrupted git ${op})`,
      ])).trim();
      const branch = yield* orphanBranchNameSteps(worktree);
      yield* gitOkStep(worktree, ['branch', '--no-track', branch, sha]);
      saved.push({ branch, sha });
    }
    yield* gitOkStep(worktree, [op, '--abort']);
  }
  if ((yield* changedPathsSteps(worktree)).length === 0) return saved;

  let branch = yield* currentBranchSteps(worktree);
  if (branch === null || !branch.startsWith('autocoder/')) {
    branch = yield* orphanBranchNameSteps(worktree);
    yield* gitOkStep(worktree, ['switch', '--quiet', '--no-track', '-c', branch]);
  }
  yield* gitOkStep(worktree, ['add', '-A']);
  yield* gitOkStep(worktree, [
    ...(yield* commitConfigSteps(worktree)),
    'commit',
    '--quiet',
    '--no-verify',
    '-m',
    message,
  ]);
  const sha = yield* headOfSteps(worktree);
  saved.push({ branch, sha });
  return saved;
}

/** `git worktree list --porcelain`, the main worktree first. */
function* listWorktreesSteps(cwd: string): GitSteps<WorktreeEntry[]> {
  const records = (yield* gitOkStep(cwd, ['worktree', 'list', '--porcelain']))
    .split(/\n\n+/)
    .map((record) => record.split('\n').filter(Boolean))
    .filter((lines) => lines[0]?.startsWith('worktree ') === true);
  const entries: WorktreeEntry[] = [];
  for (const lines of records) {
    const field = (key: string) => lines.find((l) => l === key || l.startsWith(`${key} `));
    const path = (lines[0] as string).slice('worktree '.length);
    const prunable = field('prunable') !== undefined;
    const branchRef =
      field('branch')?.slice('branch '.length) ??
      (prunable || !existsSync(path) ? undefined : yield* rebasedRefSteps(path));
    entries.push({
      path,
      branch: branchRef?.startsWith('refs/heads/') ? branchRef.slice('refs/heads/'.length) : null,
      prunable,
    });
  }
  return entries;
}

/** The ref a rebase in progress in `cwd` is rewriting (its HEAD is detached meanwhile), if any. */
function* rebasedRefSteps(cwd: string): GitSteps<string | undefined> {
  // Every detached worktree (most slots between features, every verification worktree) is asked on every listing: its
  // git folder is read from its `.git` file where it can be, without a git process.
  const gitDir = linkedGitDir(cwd);
  if (gitDir !== null) return rebasedRefIn(gitDir);
  const [merge, apply] = (yield* gitOkStep(cwd, [
    'rev-parse',
    '--git-path',
    'rebase-merge/head-name',
    '--git-path',
    'rebase-apply/head-name',
  ]))
    .split('\n')
    .filter(Boolean)
    .map((p) => resolve(cwd, p));
  for (const file of [merge, apply]) {
    if (file !== undefined && existsSync(file)) return readFileSync(file, 'utf8').trim();
  }
  return undefined;
}

/** The branch a rebase in progress names in a worktree's own git folder (`rebase-merge` or `rebase-apply`), if any. */
function rebasedRefIn(gitDir: string): string | undefined {
  for (const dir of ['rebase-merge', 'rebase-apply']) {
    const file = join(gitDir, dir, 'head-name');
    if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  }
  return undefined;
}

/**
 * A linked worktree's own git folder, from the `gitdir: <path>` line of its `.git` file (a relative path is relative
 * to the worktree); null when `.git` is not such a file (the main worktree's is a folder) or names no folder.
 */
function linkedGitDir(worktree: string): string | null {
  let text: string;
  try {
    text = readFileSync(join(worktree, '.git'), 'utf8');
  } catch {
    return null;
  }
  const line = /^gitdir: (.+)$/m.exec(text)?.[1]?.trim();
  if (line === undefined) return null;
  const dir = resolve(worktree, line);
  return existsSync(join(dir, 'HEAD')) ? dir : null;
}

/** A folder that git sees as its own worktree top level, belonging to this repository. */
function* isHealthyWorktreeSteps(path: string, commonDir: string): GitSteps<boolean> {
  const res = yield* gitStep(path, ['rev-parse', '--show-toplevel', '--git-common-dir']);
  const [top, common] = res.stdout.split('\n');
  if (res.status !== 0 || top === undefined || common === undefined) return false;
  return samePath(top.trim(), path) && samePath(resolve(path, common.trim()), commonDir);
}
