import type { SharedLock } from '../db/ports.js';
import { AppError, errorMessage } from '../domain/errors.js';
import {
  deleteMergedRemoteBranch,
  fetchBranch,
  isAncestorOf,
  pushBranch,
  pushMain,
  revisionOf,
  shownRemote,
  type GitRemote,
  type PushResult,
} from '../git/remote.js';
import { gitOkStep, runGitAsync } from '../git/git.js';
import { fastForwardMainAsync, featureBranch } from '../git/workspaces.js';
import type { MergeQueue } from './merge-queue.js';
import { waitUntil } from './wait.js';

/**
 * A run's clone of the project's git remote (#20): what every process working a shared run does with it. Landings hold
 * the project's shared lock (every machine's merge queue is one queue then), fetch the remote's main first and publish
 * by fast-forwarding it; coding sessions start from the remote's main and from their feature's pushed branch, and push
 * it as they commit. The git of one clone is serialized here (two slots fetching at once would fight over its refs).
 */

/** What a run needs to work through a remote: its URL and the project's shared landing lock. */
export interface RemoteTarget extends GitRemote {
  /** Held across a landing (and a regression pass) by whichever machine lands: see holdingSharedLock. */
  readonly lock: SharedLock;
}

/** How often a machine waiting for the shared landing lock tries again. */
export const SHARED_LOCK_POLL_MS = 200;

/**
 * Runs `work` holding `lock`, taken by polling (the lock never blocks: a blocking wait on the synchronous PostgreSQL
 * client would stop this process's event loop, its sessions with it). Given back however `work` ends.
 */
export async function holdingSharedLock<T>(lock: SharedLock, work: () => Promise<T>, signal: AbortSignal): Promise<T> {
  while (!lock.tryAcquire()) {
    if (signal.aborted) throw new AppError('CONFLICT', 'the run is stopping: the landing lock was not taken');
    await waitUntil(Date.now() + SHARED_LOCK_POLL_MS, Date.now, signal);
  }
  try {
    return await work();
  } finally {
    lock.release();
  }
}

/** The run's merge queue across machines: this process's queue, each holder also holding the shared lock. */
export function sharedMergeQueue(local: MergeQueue, lock: SharedLock, signal: AbortSignal): MergeQueue {
  return {
    run: (work) => local.run(() => holdingSharedLock(lock, work, signal)),
    get busy() {
      return local.busy;
    },
  };
}

/** What adopting a feature's pushed branch did. */
export interface Adopted {
  /** The remote branch's tip (null: nothing was pushed for the feature). */
  readonly remoteTip: string | null;
  /** The worktree's branch moved to the pushed work (another machine's, or this one's before a crash). */
  readonly adopted: boolean;
  /** Local commits the remote lacked, kept under this ref before the branch took the pushed work. */
  readonly keptAs: string | null;
}

export class RemoteSync {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    readonly root: string,
    readonly main: string,
    readonly target: RemoteTarget,
  ) {}

  get shownUrl(): string {
    return shownRemote(this.target.url);
  }

  /** One git conversation about this clone's refs at a time. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const turn = this.chain.then(fn);
    this.chain = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  /**
   * Local main follows the remote's: fetched and fast-forwarded in the project folder (its files too). A local main
   * ahead of the remote's (the initializer's commits, not published yet) stays as it is; one that went another way
   * than the remote's is a CONFLICT a person must settle. Returns local main's tip.
   */
  syncMain(): Promise<string> {
    return this.serial(async () => {
      const remote = await fetchBranch(this.root, this.main, this.target);
      const local = await revisionOf(this.root, `refs/heads/${this.main}`);
      if (remote === null) {
        if (local === null)
          throw new AppError('CONFLICT', `neither ${this.shownUrl} nor ${this.root} has a ${this.main} branch`);
        return local;
      }
      if (local === null || local === remote) return remote;
      if (await isAncestorOf(this.root, local, remote)) return fastForwardMainAsync(this.root, this.main, remote);
      if (await isAncestorOf(this.root, remote, local)) return local;
      throw new AppError(
        'CONFLICT',
        `${this.main} in ${this.root} and on the remote ${this.shownUrl} went different ways; make ${this.root}'s ${this.main} the remote's (git fetch origin && git reset --keep origin/${this.main}) or push it there yourself`,
      );
    });
  }

  /**
   * Publishes `head` as the remote's main (a fast-forward: git refuses anything else) and moves local main there. Call
   * it holding the shared landing lock (the merge queue's).
   */
  publishMain(head: string): Promise<PushResult> {
    return this.serial(async () => {
      const pushed = await pushMain(this.root, this.target, this.main, head);
      if (pushed.ok) await fastForwardMainAsync(this.root, this.main, head);
      return pushed;
    });
  }

  /** Publishes local main when it is ahead of the remote's (the initializer's commits). */
  async publishLocalMain(): Promise<void> {
    const tip = await this.syncMain();
    const pushed = await this.serial(() => pushMain(this.root, this.target, this.main, tip));
    if (!pushed.ok)
      throw new AppError(
        'CONFLICT',
        `the remote ${this.shownUrl} refused ${this.main} at ${tip.slice(0, 8)}: ${pushed.rejected}`,
      );
  }

  /**
   * Brings what was pushed for feature `featureId` into the worktree, which has its branch checked out (clean) at
   * `head`: a branch behind the pushed one is fast-forwarded; one that went another way keeps its own commits under a
   * ref (`refs/autocoder/diverged/…`) and takes the pushed work, which is the newer (the claim moved on from here).
   */
  adoptPushed(worktree: string, featureId: number, head: string, mainTip: string): Promise<Adopted> {
    return this.serial(async () => {
      const branch = featureBranch(featureId);
      const remoteTip = await fetchBranch(this.root, branch, this.target);
      if (remoteTip === null || (await isAncestorOf(worktree, remoteTip, head)))
        return { remoteTip, adopted: false, keptAs: null };
      let keptAs: string | null = null;
      if (!(await isAncestorOf(worktree, head, remoteTip)) && !(await isAncestorOf(worktree, head, mainTip))) {
        keptAs = `refs/autocoder/diverged/feature-${featureId}-${head.slice(0, 12)}`;
        await runGitAsync(gitOkStep(worktree, ['update-ref', keptAs, head]));
      }
      await runGitAsync(gitOkStep(worktree, ['reset', '--quiet', '--hard', remoteTip]));
      return { remoteTip, adopted: true, keptAs };
    });
  }

  /** Pushes the feature branch at `tip` if the remote's is still at `expected` (null: absent). */
  pushFeature(featureId: number, tip: string, expected: string | null): Promise<PushResult> {
    return this.serial(() => pushBranch(this.root, this.target, featureBranch(featureId), tip, expected));
  }

  /** Deletes the remote's branch of a feature that landed, when main holds its tip (else it is kept). */
  dropMerged(featureId: number, tip: string): Promise<boolean> {
    return this.serial(async () => {
      const mainTip = await revisionOf(this.root, `refs/heads/${this.main}`);
      if (mainTip === null) return false;
      return deleteMergedRemoteBranch(this.root, this.target, featureBranch(featureId), tip, mainTip);
    });
  }
}

/**
 * Pushes one coding session's feature branch whenever its tip moved (after each of the agent's tool calls, at the
 * session's end): a lost machine loses at most uncommitted work. Pushes never overlap and never overwrite a remote
 * tip this session did not see (the lease); a push the remote refuses or cannot take is told once and tried again at
 * the next change.
 */
export class BranchPusher {
  private pushed: string | null;
  private running: Promise<void> | null = null;
  private again = false;
  private told = '';

  constructor(
    private readonly remote: RemoteSync,
    private readonly worktree: string,
    private readonly featureId: number,
    /** The remote branch's tip when the session started (null: none). */
    remoteTip: string | null,
    private readonly report: (line: string) => void,
  ) {
    this.pushed = remoteTip;
  }

  /** The remote branch's tip as this session last pushed or saw it. */
  get remoteTip(): string | null {
    return this.pushed;
  }

  /** Something may have been committed: push the branch if its tip moved (coalesced with a push under way). */
  poke(): void {
    if (this.running !== null) {
      this.again = true;
      return;
    }
    this.running = this.pushLoop().finally(() => {
      this.running = null;
    });
  }

  /** Waits for pushes under way, then pushes the tip once more if it moved. */
  async flush(): Promise<void> {
    await this.running;
    this.poke();
    await this.running;
  }

  private async pushLoop(): Promise<void> {
    do {
      this.again = false;
      await this.pushOnce();
    } while (this.again);
  }

  private async pushOnce(): Promise<void> {
    const tip = await revisionOf(this.worktree, `refs/heads/${featureBranch(this.featureId)}`);
    if (tip === null || tip === this.pushed) return;
    try {
      const res = await this.remote.pushFeature(this.featureId, tip, this.pushed);
      if (res.ok) {
        this.pushed = tip;
        this.told = '';
      } else
        this.tell(
          `refused: ${res.rejected}`,
          `the remote refused ${featureBranch(this.featureId)} at ${tip.slice(0, 8)}: ${res.rejected}`,
        );
    } catch (err: unknown) {
      const why = errorMessage(err);
      this.tell(why, `could not push ${featureBranch(this.featureId)}: ${why}`);
    }
  }

  /** Told once while the same problem lasts (every commit would repeat it). */
  private tell(problem: string, line: string): void {
    if (problem === this.told) return;
    this.told = problem;
    this.report(`Feature #${this.featureId}: ${line}; it is pushed again at its next commit.`);
  }
}
