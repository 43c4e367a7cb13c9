import { gitAsync, runGitAsync } from '../git/git.js';
import {
  keepPreRebaseTipSteps,
  moveCheckedOutBranchSteps,
  rebaseDetachedSteps,
  type RebaseOutcome,
} from '../git/rebase.js';
import { checkoutVerificationWorktreeAsync, featureBranch } from '../git/workspaces.js';
import { KEPT_DEPENDENCY_DIRS, leaseVerifyWorktree } from '../verify/checkout.js';

/**
 * The merge queue integrates by itself: a feature branch that is ready to land except that main
 * moved on meanwhile is rebased by the runner, in a verification worktree (nobody works there;
 * never in the agent's worktree), instead of costing the agent a turn and a fresh check of its own.
 * Only a conflict (or a rebase git refuses) goes back to the agent, with the exact steps, as before.
 * A clean rebase moves the agent's branch to the rebased commit, so its worktree shows what is
 * verified and lands (and a retry continues from there); the old tip is kept under a pre-rebase ref
 * until the landing is recorded.
 */

export type Integration =
  /** Rebased cleanly: the agent's branch is at `head` now; `from` (its old tip) is kept as `keptAs`. */
  | { readonly kind: 'rebased'; readonly head: string; readonly from: string; readonly keptAs: string }
  /** The rebase stopped (conflicting files, or none named when git refused for another reason); nothing changed. */
  | { readonly kind: 'conflict'; readonly files: readonly string[]; readonly detail: string }
  /** Not for the runner to do (nothing left to land, or the agent's worktree changed); nothing changed. */
  | { readonly kind: 'declined'; readonly why: string };

export interface IntegrationRequest {
  readonly featureId: number;
  /** The agent's worktree, on the feature branch at `head`, clean (the landing check said so). */
  readonly worktree: string;
  readonly head: string;
  /** Main's tip the branch is rebased onto. */
  readonly mainTip: string;
}

/**
 * Rebases the feature branch onto main's tip for the merge queue (which holds its lock meanwhile). Every git runs as a
 * child process the event loop does not wait for: the other slots' sessions go on while a landing integrates.
 */
export async function rebaseForLanding(root: string, req: IntegrationRequest): Promise<Integration> {
  const lease = leaseVerifyWorktree(root);
  let outcome: RebaseOutcome;
  try {
    // The verification worktree: the rebased commit is checked out there next, its installed dependencies kept.
    const { path } = await checkoutVerificationWorktreeAsync(root, lease.n, req.head, KEPT_DEPENDENCY_DIRS);
    outcome = await runGitAsync(rebaseDetachedSteps(path, req.mainTip));
  } finally {
    lease.release();
  }
  if (!outcome.ok) return { kind: 'conflict', files: outcome.conflicts, detail: outcome.message };
  if (outcome.head === req.mainTip)
    return { kind: 'declined', why: 'every commit of the branch is on main already, so nothing is left to land' };
  const keptAs = await runGitAsync(keepPreRebaseTipSteps(root, req.featureId, req.head));
  const moved = await runGitAsync(
    moveCheckedOutBranchSteps(req.worktree, featureBranch(req.featureId), req.head, outcome.head),
  );
  if (!moved) {
    // The branch stays where the agent left it: the kept ref is not needed.
    await gitAsync(root, ['update-ref', '-d', keptAs, req.head]);
    return { kind: 'declined', why: 'the worktree changed while the runner rebased the branch' };
  }
  return { kind: 'rebased', head: outcome.head, from: req.head, keptAs };
}

/**
 * What the agent is told when the runner did not land a branch behind main: the landing check's
 * reason and steps, with why the runner's own rebase did not do it (the conflicting files). Pure.
 */
export function sendBackMessage(
  check: { readonly reason: string; readonly steps: readonly string[] },
  integration: Exclude<Integration, { kind: 'rebased' }> | null,
): string {
  const why =
    integration === null
      ? ''
      : integration.kind === 'conflict'
        ? integration.files.length > 0
          ? `. The runner tried to rebase it for you and it conflicts in ${previewFiles(integration.files)}: resolve that yourself.`
          : `. The runner tried to rebase it for you and git stopped: ${integration.detail.split('\n')[0] ?? ''}.`
        : `. The runner did not rebase it for you: ${integration.why}.`;
  const steps = check.steps.map((l, i) => `${i + 1}. ${l}`).join('\n');
  return `${check.reason}${why} The feature is not passing yet. Do this, then call feature_mark_passing again:\n${steps}`;
}

/** The note opening a refusal after the runner's rebase: the results, and the branch, are the rebased commit's. */
export function rebasedNote(
  main: string,
  featureId: number,
  integration: Extract<Integration, { kind: 'rebased' }>,
): string {
  return `${main} had moved on, so the runner rebased your branch onto it: ${featureBranch(featureId)} is now at ${integration.head.slice(0, 12)} in your worktree (your commits before the rebase: ${integration.from.slice(0, 12)}, kept as ${integration.keptAs}). What follows is about that rebased commit.`;
}

function previewFiles(files: readonly string[]): string {
  const shown = files.slice(0, 5).join(', ');
  return files.length > 5 ? `${shown} and ${files.length - 5} more` : shown;
}
