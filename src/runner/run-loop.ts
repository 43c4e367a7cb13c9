import { randomBytes } from 'node:crypto';
import { hostname, tmpdir } from 'node:os';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import type { AgentRuntime, ToolGuard } from '../agent/runtime.js';
import type {
  Claim,
  ClaimPort,
  EventPort,
  Feature,
  FeaturePort,
  DisputePort,
  BudgetPort,
  CheckpointPort,
  DesignPort,
  HumanInputPort,
  HumanInputRequest,
  NewHumanInputRequest,
  RunPort,
  RunRecord,
  SessionPort,
  VerificationPort,
} from '../db/ports.js';
import type { Env } from '../config/env.js';
import type { ProjectPaths } from '../config/paths.js';
import type { RunSettings, SettingSource } from '../config/run-settings.js';
import { AppError, errorMessage } from '../domain/errors.js';
import { deriveRunOutcome, type RunOutcome } from '../domain/run-outcome.js';
import { addLocalExcludes } from '../git/git.js';
import { holdConfigLock, mainBranch } from '../git/workspaces.js';
import type { Redactor } from '../security/redactor.js';
import { formatSpecProblems, validateAppSpec } from '../spec/validate-app-spec.js';
import { BROWSER_EXCLUDES, browserDisplay, findChromium, writePlaywrightConfig } from './browser.js';
import type { SessionSummary } from './session-runner.js';
import {
  clearStaleGitLocks,
  pruneLandedBranches,
  runCodingSession,
  runSessionFor,
  runSupervisorSession,
  runTestingSession,
  type RunContext,
} from './slot-sessions.js';
import {
  afterSession,
  decide,
  maxIterationsReason,
  NO_BACKOFF,
  type Backoff,
  type RecordAction,
  type SchedulerAction,
  type SchedulerConfig,
  type SchedulerNext,
  type RunStatusChange,
  type SchedulerState,
  type SlotKind,
} from './scheduler.js';
import { waitUntil } from './wait.js';
import {
  bindingBudget,
  budgetLimits,
  featureBudget,
  featureBudgetRequest,
  latestBudgetAnswer,
  refusalLine,
  budgeted,
  reserveSession,
  roleOf,
  SKIP,
  type SessionHold,
} from './budget.js';
import { failureLoopRequest, featureFailureLoop } from './failure-loop.js';
import { createMergeQueue, type MergeQueue } from './merge-queue.js';
import { RemoteSync, sharedMergeQueue, type RemoteTarget } from './remote-sync.js';
import { runVerifierSession, unreviewed, type VerifierReview } from './verifier.js';
import { runRegression, type RegressionOutcome, type RegressionResult } from './regression.js';
import { sweepRunOrphans } from './temp-sweep.js';
import { pauseRequested, waitForResume } from './pause.js';
import {
  requestPause,
  requestResume,
  isSharedRun,
  RUN_HEARTBEAT_MS,
  SHARED_RUN_MARKER,
  sharedRunActive,
  takeCheckpointRequest,
  takeDesignRequest,
} from '../projects/run-control.js';
import { runCheckpoint, type CheckpointOutcome } from './checkpoint.js';
import { runDesignIteration, type DesignIterationOutcome } from './design-review.js';
import type { CheckpointAgent } from '../shared/checkpoints.js';
import type { DesignTrigger } from '../shared/design.js';
import { assertJailableTempDir, findInitJailTools } from './init-jail.js';
import { decideSandbox, SANDBOX_MASKED_PATHS } from './sandbox.js';
import { securitySummary } from './security-summary.js';
import type { WebhookNotify } from './webhooks.js';
import { refreshDurationEstimates } from './duration-estimates.js';
import type { Logger } from '../logging/logger.js';
import type { PhaseRecorder } from './phases.js';

export interface RunDeps {
  readonly paths: ProjectPaths;
  readonly projectName: string;
  readonly features: FeaturePort;
  readonly claims: ClaimPort;
  readonly sessions: SessionPort;
  readonly runs: RunPort;
  readonly humanInput: HumanInputPort;
  /** Acceptance disputes (coding agents' feature_dispute_acceptance); without it the tool says it is unavailable. */
  readonly disputes?: DisputePort;
  readonly verifications: VerificationPort;
  readonly events: EventPort;
  /** Budget reservations (`--max-cost`, `--max-feature-cost`, `budget.*`); without it no budget is enforced. */
  readonly budget?: BudgetPort;
  /** Checkpoints and findings (#17); without it no checkpoint runs. */
  readonly checkpoints?: CheckpointPort;
  /** Design review iterations and their findings (#18); without it no design review runs. */
  readonly design?: DesignPort;
  readonly runtime: AgentRuntime;
  readonly settings: RunSettings;
  /** Which settings layer decided a key, for the security line (default: every key `default`). */
  readonly settingSource?: (key: keyof RunSettings) => SettingSource;
  /** The project's allowlist extensions, as the guard applies them. */
  readonly extraCommands?: readonly string[];
  /** Paths the OS sandbox hides from agent commands (`sandboxReadDenyPaths`); missing ones are skipped. */
  readonly sandboxReadDeny?: readonly string[];
  readonly env: Env;
  /** autocoder's own node_modules/.bin. */
  readonly packageBinDir: string;
  /** The guard of one session; `initJail` is its init.sh jail script, when it has one. */
  readonly makeGuard: (projectRoot: string, session?: { readonly initJail?: string }) => ToolGuard;
  readonly redact: Redactor;
  readonly now: () => number;
  /** One human-readable line per notable step (the CLI prints them). */
  readonly report: (line: string) => void;
  /** Tells webhooks about the run; must return at once (the notifier only enqueues). */
  readonly notify?: WebhookNotify;
  /** The run's log (verifications write their steps there). */
  readonly logger: Logger;
  /** Told how long each phase of a session took (`bench session`); absent in a normal run, where it costs nothing. */
  readonly phases?: PhaseRecorder;
  /**
   * The project's git remote and shared landing lock, when machines share the run through PostgreSQL (#20): the project
   * folder is then a clone, main follows the remote's, and landings publish there one machine at a time.
   */
  readonly remote?: RemoteTarget;
  /** False: this process starts no coding session (`run --no-local-work`); workers on other machines do them. */
  readonly localWork?: boolean;
  /** Told the features this process's coding slots work whenever that changes (a worker's heartbeat says them: #20). */
  readonly slotsChanged?: (features: readonly { readonly featureId: number; readonly slot: number }[]) => void;
}

export interface RunResult {
  readonly runId: string;
  readonly status: 'finished' | 'failed' | 'stopped';
  readonly reason: string;
  readonly sessions: number;
  /** The run stopped because its budget (or the day's) was used up. */
  readonly budgetExhausted?: boolean;
  /** How it ended for a person (recorded with the run; src/domain/run-outcome.ts). */
  readonly outcome: RunOutcome;
}

/** What else the end of a run tells about its outcome, besides its status. */
interface EndingFacts {
  readonly budgetExhausted?: boolean;
  readonly limitReached?: boolean;
  readonly noFeatures?: boolean;
}

/** Sessions in a row that could not start (summary null) before the run ends as failed. */
export const MAX_SESSIONS_NOT_STARTED = 3;

/** How often the scheduler looks again while sessions run (backoffs end, pause files appear). */
const TICK_MS = 500;

interface ActiveSession {
  readonly kind: SlotKind;
  readonly featureIds: readonly number[];
  readonly done: Promise<SessionSummary | null>;
}

/**
 * The runner: an initializer session when the backlog is empty, then up to `concurrency` coding
 * agents, each in its own git worktree on its feature's branch, landing finished features on
 * main through the merge queue; beside them up to `testingRatio` testing agents re-verifying
 * passing features. The runner (not the model) claims, heartbeats and settles every feature.
 */
export async function runProject(deps: RunDeps, stopSignal: AbortSignal): Promise<RunResult> {
  // Stopped by the caller (a signal to this process), or by a stop asked through the database (#20: from any machine).
  const stopper = new AbortController();
  const signal = stopper.signal;
  if (stopSignal.aborted) stopper.abort();
  else stopSignal.addEventListener('abort', () => stopper.abort(), { once: true });
  const runId = `run_${randomBytes(6).toString('hex')}`;
  recoverDeadRuns(deps);
  if (pauseRequested(deps.paths.pauseDrain)) {
    // A pause left over from an earlier run must not freeze this one (the seed did the same).
    rmSync(deps.paths.pauseDrain, { force: true });
    deps.report('Cleared a pause request left over from an earlier run.');
  }
  // After recoverDeadRuns: the runs that died are recorded as crashed, so their folders are provably orphans now.
  const orphans = await sweepRunOrphans(deps.runs);
  if (orphans.length > 0)
    deps.report(`Removed ${orphans.length} temporary folder(s) left behind by runs or chats that died.`);
  const { sandbox, initJail } = prepareProjectFolder(deps);
  const incarnation = randomBytes(8).toString('hex');
  deps.runs.start({
    id: runId,
    pid: process.pid,
    host: hostname(),
    incarnation,
    // A shared run says so: peers on other machines join it, and tell it is alive by its heartbeat.
    settings: { ...deps.settings, ...(deps.remote ? { [SHARED_RUN_MARKER]: true } : {}) },
  });
  const releaseFolder = holdProjectFolder(deps, sandbox.enabled);
  let sessions = 0;
  const mergeQueue = runMergeQueue(deps, signal);
  // A shared run's folder is a clone of the project's remote (#20); its main is the remote's.
  const remote = deps.remote ? new RemoteSync(deps.paths.root, mainBranch(deps.paths.root), deps.remote) : undefined;
  // Peers tell a run whose process died by its heartbeat (it has no pid they could ask).
  const runHeartbeat = deps.remote ? setInterval(() => beatRun(deps, runId), RUN_HEARTBEAT_MS) : null;
  const finish = (status: RunResult['status'], reason: string, facts: EndingFacts = {}): RunResult => {
    // Nothing of this run runs any more: no hold may outlive it (a session that could not settle its own).
    deps.budget?.releaseRun(runId);
    const counts = deps.features.stats();
    const budgetExhausted = facts.budgetExhausted === true;
    const outcome = deriveRunOutcome({
      status: status === 'failed' ? 'failed' : 'finished',
      stopped: status === 'stopped' && !budgetExhausted && facts.limitReached !== true,
      limitReached: facts.limitReached === true,
      budgetExhausted,
      noFeatures: facts.noFeatures === true,
      counts,
    });
    deps.runs.end(runId, status === 'failed' ? 'failed' : 'finished', reason, {
      stopped: status === 'stopped',
      outcome,
      counts: { passing: counts.passing, total: counts.total },
    });
    deps.report(reason);
    if (status === 'failed') deps.notify?.('run.failed', { runId, status, reason });
    else deps.notify?.('run.finished', { runId, status, reason });
    return { runId, status, reason, sessions, outcome, ...(budgetExhausted ? { budgetExhausted } : {}) };
  };
  try {
    // Commits of this folder's main the remote lacks (an initializer's, published before a crash could) go there first.
    if (remote) await mergeQueue.run(() => remote.publishLocalMain());
    if (deps.features.stats().total === 0) {
      const spec = readSpec(deps.paths);
      deps.report('No features yet: running the initializer session.');
      // The initializer is paid for like any session: held to what is left, and not started without enough.
      const held = reserveSession(deps.budget, budgetLimits(deps.settings), {
        runId,
        role: 'initializer',
        featureId: null,
        featureLimitUsd: null,
        share: 1,
        now: deps.now(),
      });
      if (held !== null && 'refused' in held)
        return finish('stopped', `Budget reached before the initializer session: ${refusalLine(held)}.`, {
          budgetExhausted: true,
        });
      const initRun: RunContext = {
        id: runId,
        incarnation,
        sandbox: sandbox.enabled,
        initJail,
        main: '',
        mergeQueue,
      };
      const summary = await runSessionFor(
        deps,
        budgeted(initRun, held),
        'initializer',
        { slot: 0, cwd: deps.paths.root },
        null,
        { spec, feature_count_rule: featureCountRule(spec) },
        signal,
      );
      sessions += 1;
      if (signal.aborted) return finish('stopped', 'Stopped during the initializer session.');
      const created = deps.features.stats().total;
      if (created === 0)
        return finish(
          'failed',
          `The initializer session ended (${summary.outcome}${summary.error ? `: ${summary.error}` : ''}) without creating any features.`,
          { noFeatures: true },
        );
      deps.report(`The initializer created ${created} features.`);
      // Every machine starts its features from the initializer's commits.
      if (remote) await mergeQueue.run(() => remote.publishLocalMain());
    }
    const run = withVerifier(deps, {
      id: runId,
      incarnation,
      sandbox: sandbox.enabled,
      initJail,
      main: mainBranch(deps.paths.root),
      mergeQueue,
      ...(remote ? { remote } : {}),
    });
    const result = await schedule(deps, run, signal, null, () => stopper.abort());
    sessions += result.sessions;
    // The project folder ends on the remote's main: everything every machine landed.
    if (remote) await syncAtEnd(deps, remote);
    pruneLandedBranches(deps, run.main);
    return finish(result.status, result.reason, {
      budgetExhausted: result.budgetExhausted,
      limitReached: result.limitReached,
    });
  } catch (err: unknown) {
    const message = err instanceof Error ? err.message : String(err);
    finish('failed', `The run failed: ${message}`);
    throw err;
  } finally {
    if (runHeartbeat !== null) clearInterval(runHeartbeat);
    releaseFolder();
  }
}

async function syncAtEnd(deps: RunDeps, remote: RemoteSync): Promise<void> {
  try {
    await remote.syncMain();
  } catch (err: unknown) {
    deps.report(deps.redact(`The project folder's main could not follow the remote's: ${errorMessage(err)}`));
  }
}

function beatRun(deps: RunDeps, runId: string): void {
  try {
    deps.runs.heartbeat(runId);
  } catch (err: unknown) {
    deps.report(
      deps.redact(`The run's heartbeat could not be written: ${err instanceof Error ? err.message : String(err)}`),
    );
  }
}

/**
 * A run's project folder made ready for sessions: git locks a killed git left removed, the sandbox decided (and said),
 * the runner's own files excluded from commits. What the run's security line says is reported here.
 */
function prepareProjectFolder(deps: RunDeps): { sandbox: ReturnType<typeof decideSandbox>; initJail: InitJail } {
  const locks = clearStaleGitLocks(deps.paths.root, Date.now());
  if (locks.length > 0) deps.report(`Removed ${locks.length} lock file(s) a stopped git process left in .git.`);
  const sandbox = decideSandbox(deps.settings.sandbox, process.platform, deps.env.PATH);
  if (sandbox.warning) deps.report(sandbox.warning);
  // With the sandbox on, ./init.sh and its app leave it to stay reachable; on Linux they go into a jail of their own
  // instead.
  const initJail = sandbox.enabled ? findInitJailTools(process.platform, deps.env.PATH) : null;
  if (initJail) assertJailableTempDir(tmpdir());
  if (sandbox.enabled && initJail === null)
    deps.report(
      "Warning: ./init.sh and the app it starts run outside the sandbox without a jail (bubblewrap is not available here); they can read your files and autocoder's home.",
    );
  deps.report(
    securitySummary({
      settings: deps.settings,
      sandbox,
      source: deps.settingSource ?? (() => 'default'),
      extraCommands: deps.extraCommands ?? [],
    }),
  );
  // Never committed, shared by every worktree: the runner's own files stay out of commits.
  addLocalExcludes(deps.paths.root, [
    ...(sandbox.enabled ? SANDBOX_MASKED_PATHS : []),
    '.autocoder/',
    ...BROWSER_EXCLUDES,
  ]);
  return { sandbox, initJail };
}

type InitJail = ReturnType<typeof findInitJailTools>;

/** The browser config written, and with the sandbox on .git's config.lock held steady; returns the release. */
function holdProjectFolder(deps: RunDeps, sandboxed: boolean): () => void {
  const display = browserDisplay(deps.settings.headed, deps.env);
  if (display.note !== null) deps.report(display.note);
  writePlaywrightConfig(
    deps.paths.root,
    findChromium(deps.settings.chromium, deps.env.PATH),
    process.getuid?.() === 0,
    display.headed,
  );
  // Parallel sandboxes share .git: keep its config.lock steady for all of them (see holdConfigLock).
  return sandboxed ? holdConfigLock(deps.paths.root) : () => undefined;
}

/** This process's merge queue; on a shared run every holder also holds the project's lock across machines. */
function runMergeQueue(deps: RunDeps, signal: AbortSignal): MergeQueue {
  const local = createMergeQueue();
  return deps.remote ? sharedMergeQueue(local, deps.remote.lock, signal) : local;
}

/** `run` with --verifier's review: a read-only session reviews each feature whose checks passed, before main moves. */
function withVerifier(deps: RunDeps, run: RunContext): RunContext {
  if (!deps.settings.verifier) return run;
  const reviewed: RunContext = {
    ...run,
    review: (review: VerifierReview, reviewSignal: AbortSignal) => {
      // Reserved like a slot's session (it runs inside one: the coding session waits for its verdict).
      const limits = budgetLimits(deps.settings);
      const answers =
        limits.featureUsd === null ? [] : deps.humanInput.list({ status: 'all', featureId: review.feature.id });
      const held = reserveSession(deps.budget, limits, {
        runId: run.id,
        role: 'verifier',
        featureId: review.feature.id,
        featureLimitUsd: featureBudget(limits.featureUsd, answers),
        share: slotShare(deps.settings),
        now: deps.now(),
        ...(review.codingReservationId === undefined ? {} : { alongside: review.codingReservationId }),
      });
      // Nothing lands unreviewed: without the budget for a review, the feature does not land now.
      if (held !== null && 'refused' in held) return Promise.resolve(unreviewed(refusalLine(held)));
      return runVerifierSession(deps, budgeted(reviewed, held), review, reviewSignal);
    },
  };
  return reviewed;
}

/** Fills free slots with work until everything passes, nothing can proceed, or the run is stopped. */
async function schedule(
  deps: RunDeps,
  run: RunContext,
  signal: AbortSignal,
  join: JoinMode | null,
  /** Stops the run (its owner's loop, when a stop is asked through the database). */
  stopRun: () => void = () => undefined,
): Promise<{
  status: RunResult['status'];
  reason: string;
  sessions: number;
  budgetExhausted: boolean;
  limitReached: boolean;
}> {
  const config: SchedulerConfig = {
    coding: deps.localWork === false && !join ? 0 : deps.settings.concurrency,
    testing: deps.settings.yolo || join ? 0 : deps.settings.testingRatio,
    // A worker only codes: the run's owner answers, re-verifies, reviews and counts iterations for the whole run.
    supervisor: join ? false : deps.settings.supervisor,
    maxIterations: join ? undefined : deps.settings.maxIterations,
    maxWaitMs: deps.settings.maxWaitMs,
    waitForInput: deps.settings.waitForInput,
    projectName: deps.projectName,
    regressionEvery: join ? 0 : deps.settings.regressionEvery,
    checkpointInterval: deps.checkpoints && !join ? deps.settings.checkpointInterval : 0,
    designReviewEvery: deps.design && !join ? deps.settings.designReviewEvery : 0,
  };
  // A worker's own view of the owner's pause: it drains and waits as the owner does, without writing the run's status.
  let joinStatus: RunStatusChange = 'running';
  const humanInput = deps.humanInput;
  // What the loop remembers between decisions (decide() itself keeps nothing).
  const active = new Map<number, ActiveSession>();
  const supervisorTries: Record<string, number> = {};
  let sessions = 0;
  let codingSessions = 0;
  let backoff: Backoff = NO_BACKOFF;
  let claimExhausted = false;
  let waitingReported = '';
  let landings = 0;
  // Budgets: the limits, the 80 % warning given, a reservation refused since the loop last waited.
  const limits = budgetLimits(deps.settings);
  const budgetPort = deps.budget;
  let budgetWarned = false;
  let budgetRefused = false;
  // Checkpoints: landings since the last (fix features not counted), whether main moved, the one running, and the
  // Inbox request of a critical finding the run paused for (answering it "continue" resumes the run).
  let checkpointLandings = 0;
  let movedSinceCheckpoint = false;
  const checkpointRun: { now: Promise<void> | null; hold: { n: number; requestId: string } | null } = {
    now: null,
    hold: null,
  };
  // Design reviews: landings since the last (design fix features not counted), the iteration running, and the review
  // that asked for changes and has iterations left (its next starts once its fix features pass).
  let designLandings = 0;
  const designRun: {
    now: Promise<void> | null;
    open: {
      readonly trigger: DesignTrigger;
      readonly round: number;
      readonly personas: readonly string[] | null;
      readonly fixIds: readonly number[];
    } | null;
  } = { now: null, open: null };
  // The regression pass running now (an object: TypeScript does not see the closures that set it).
  const regressionPass: { now: Promise<void> | null } = { now: null };
  /**
   * Before the run ends: its sessions, the regression pass and the checkpoint have ended, and so has whatever still
   * holds the merge queue — a landing's verification outlives the session that asked for it when the run is stopped
   * (the session is aborted mid tool call); until its cleanup has run, its app and browser are still up.
   */
  const settled = async (): Promise<void> => {
    await Promise.all([...active.values()].map((a) => a.done));
    await regressionPass.now;
    await checkpointRun.now;
    await designRun.now;
    await run.mergeQueue.run(() => Promise.resolve());
  };
  // Sessions that could not even start (a worktree that cannot be made, a folder gone): not the agents' doing, and
  // retried at once they would spin the loop without ever yielding. Some in a row end the run with the reason.
  const couldNotStart = { count: 0, last: '' };
  let wake: () => void = () => undefined;
  const poke = () => wake();
  const ticker = setInterval(poke, TICK_MS);
  const live: RunContext = {
    ...run,
    wake: poke,
    onLanded: (feature) => {
      landings += 1;
      movedSinceCheckpoint = true;
      if (feature.category === FIX_CATEGORY) deps.checkpoints?.fixLanded(feature.id);
      else checkpointLandings += 1;
      if (feature.category === DESIGN_CATEGORY) deps.design?.fixLanded(feature.id);
      else designLandings += 1;
    },
  };
  signal.addEventListener('abort', poke, { once: true });

  // A shared run's owner counts every machine's landings (#20): regression passes, checkpoints and design reviews come
  // after N of them wherever they landed. Its own come through onLanded; the workers' from the events table.
  const ownOwners = new Set<string>();
  let passCursor = join || !deps.remote ? null : deps.events.lastId();
  const countOthersLandings = () => {
    if (passCursor === null) return;
    for (;;) {
      const batch = deps.events.since(passCursor, 500);
      for (const e of batch) {
        passCursor = e.id;
        if (e.type !== 'feature.passed' || e.featureId === null || e.sessionId === null) continue;
        if (!e.sessionId.startsWith(`${run.id}/`) || ownOwners.has(e.sessionId)) continue;
        const feature = deps.features.find(e.featureId);
        if (feature) live.onLanded?.(feature);
      }
      if (batch.length < 500) return;
    }
  };

  const record = (action: RecordAction) => {
    switch (action.type) {
      case 'set-status':
        if (join) joinStatus = action.status;
        else deps.runs.setStatus(run.id, action.status);
        break;
      case 'report':
        deps.report(action.line);
        break;
      case 'event':
        // The run's own events are its owner's to tell (one each, not one per machine).
        if (join) break;
        if (action.event.type === 'run.waiting') {
          const { until, reason, requests } = action.event.payload;
          deps.events.append({
            type: 'run.waiting',
            at: deps.now(),
            runId: run.id,
            payload: { until, reason, ...(requests ? { requests: [...requests] } : {}) },
          });
        } else if (action.event.type === 'run.rate_limited')
          deps.events.append({
            type: 'run.rate_limited',
            at: deps.now(),
            runId: run.id,
            payload: { ...action.event.payload },
          });
        else if (action.event.type === 'run.budget_warning') {
          deps.events.append({
            type: 'run.budget_warning',
            at: deps.now(),
            runId: run.id,
            payload: { ...action.event.payload },
          });
          deps.notify?.('run.budget_warning', { runId: run.id, ...action.event.payload });
        } else
          deps.events.append({
            type: 'run.budget_exhausted',
            at: deps.now(),
            runId: run.id,
            payload: { ...action.event.payload },
          });
        break;
      case 'note-waiting':
        waitingReported = action.requests;
        break;
      case 'note-budget-warned':
        budgetWarned = true;
        break;
    }
  };

  /** The runner asks a person instead of starting a session (the feature moves to needs_input); webhooks hear it. */
  const askInInbox = (claim: Claim, feature: Feature, request: NewHumanInputRequest): HumanInputRequest => {
    const asked = humanInput.request(claim, request).request;
    deps.notify?.('feature.needs_input', {
      featureId: feature.id,
      featureName: feature.name,
      requestId: asked.id,
      prompt: asked.prompt,
      fields: asked.fields.map((f) => ({ id: f.id, label: f.label, type: f.type })),
    });
    return asked;
  };

  /** Reserves a slot's session before it starts (see reserveSession); each holds its share of what is left. */
  const reserve = (kind: SlotKind, featureLimit: number | null, featureId: number | null): SessionHold =>
    reserveSession(budgetPort, limits, {
      runId: run.id,
      role: roleOf(kind),
      featureId,
      featureLimitUsd: featureLimit,
      share: slotShare(deps.settings),
      now: deps.now(),
    });

  const perform = (action: SchedulerAction, seen: Gathered) => {
    switch (action.type) {
      case 'start-coding': {
        const claimStarted = performance.now();
        deps.claims.reapExpired();
        // The claim order after priority is the estimated path, so the estimates see every session ended so far.
        refreshDurationEstimates(deps);
        const owner = `${run.id}/ses_${randomBytes(6).toString('hex')}`;
        ownOwners.add(owner);
        const claimed = deps.claims.claimNext(owner);
        if (!claimed) {
          claimExhausted = true;
          break;
        }
        const feature = claimed.feature;
        const loop = featureFailureLoop(deps.events, feature.id);
        if (loop) {
          // Failed the same way twice in a row: a third paid attempt would likely fail again.
          const asked = askInInbox(claimed.claim, feature, failureLoopRequest(feature, loop.reasons));
          deps.report(
            `Feature #${feature.id} failed the same way twice in a row; not tried again until answered in the Inbox (${asked.id}).`,
          );
          break;
        }
        const answers = limits.featureUsd === null ? [] : humanInput.list({ status: 'all', featureId: feature.id });
        const held = reserve('coding', featureBudget(limits.featureUsd, answers), feature.id);
        if (held !== null && 'refused' in held) {
          if (held.refused !== 'feature') {
            // Others hold what is left: hand the feature back (attempt refunded); nothing starts until a session ends.
            deps.claims.release(claimed.claim, `the ${held.refused === 'run' ? 'run' : 'daily'} budget is used up`);
            budgetRefused = true;
            break;
          }
          if (latestBudgetAnswer(answers)?.decision === SKIP) {
            deps.claims.skip(claimed.claim, 'a person chose to skip it: it used its own budget', 'other');
            deps.report(`Feature #${feature.id} is over its budget and a person chose to skip it: sent to the back.`);
            break;
          }
          // Over its own budget: a person decides (the Inbox) instead of another paid attempt.
          const spent = budgetPort?.use({ featureId: feature.id }).spentUsd ?? 0;
          const asked = askInInbox(claimed.claim, feature, featureBudgetRequest(feature, spent, held.limitUsd));
          deps.report(`Feature #${feature.id} used its budget; asked in the Inbox (${asked.id}): ${asked.prompt}`);
          break;
        }
        codingSessions += 1;
        // Work moved again: a later wait for answers is reported afresh.
        waitingReported = '';
        deps.phases?.record('claim', performance.now() - claimStarted);
        track(
          action.slot,
          'coding',
          [feature.id],
          runCodingSession(deps, budgeted(live, held), action.slot, { ...claimed, owner }, signal),
          held?.id,
        );
        break;
      }
      case 'start-supervisor': {
        const held = reserve('supervisor', null, null);
        if (held !== null && 'refused' in held) {
          budgetRefused = true;
          break;
        }
        const requests = seen.requests().filter((r) => action.requestIds.includes(r.id));
        for (const r of requests) supervisorTries[r.id] = (supervisorTries[r.id] ?? 0) + 1;
        track(
          action.slot,
          'supervisor',
          requests.map((r) => r.featureId),
          runSupervisorSession(deps, budgeted(live, held), action.slot, requests, signal),
          held?.id,
        );
        break;
      }
      case 'start-testing': {
        const held = reserve('testing', null, null);
        if (held !== null && 'refused' in held) {
          budgetRefused = true;
          break;
        }
        const targets = action.featureIds
          .map((id) => seen.regression().find((f) => f.id === id))
          .filter((f) => f !== undefined);
        track(
          action.slot,
          'testing',
          targets.map((f) => f.id),
          runTestingSession(deps, budgeted(run, held), action.slot, targets, signal),
          held?.id,
        );
        break;
      }
      case 'start-regression': {
        const after = landings;
        landings = 0;
        // In the merge queue: no landing moves main while its checks run, and it waits for the landing in progress.
        regressionPass.now = run.mergeQueue
          .run(async () => {
            // A shared run checks main as the remote has it (#20).
            await run.remote?.syncMain();
            // As many features at once as the run has slots: the queue waits for the pass, the run's end too.
            return runRegression(
              deps,
              { main: run.main, sandbox: run.sandbox, by: run.id, parallel: deps.settings.concurrency },
              signal,
            );
          })
          .then((result) => {
            // Nothing had checks to run: nothing to say.
            if (result.outcomes.length > 0) deps.report(regressionLine(result, action.reason, after, run.main));
          })
          .catch((err: unknown) =>
            deps.report(
              deps.redact(`The regression pass could not run: ${err instanceof Error ? err.message : String(err)}`),
            ),
          )
          .finally(() => {
            regressionPass.now = null;
            poke();
          });
        break;
      }
      case 'start-checkpoint': {
        const checkpoints = deps.checkpoints;
        if (!checkpoints) break;
        // Asked for (the file goes now), or every N landings / at the end with the run's reviewers.
        const asked = action.trigger === 'manual' ? takeCheckpointRequest(deps.paths) : null;
        if (action.trigger !== 'manual') checkpointLandings = 0;
        movedSinceCheckpoint = false;
        checkpointRun.now = syncedMain(run)
          .then(() =>
            runCheckpoint(
              { ...deps, checkpoints },
              live,
              { trigger: action.trigger, agents: asked ?? deps.settings.checkpointAgents },
              signal,
            ),
          )
          .then((outcome) => {
            if (outcome.critical.length > 0)
              checkpointRun.hold = onCritical(deps, live, outcome, deps.settings.pauseOnCritical) ?? checkpointRun.hold;
          })
          .catch((err: unknown) =>
            deps.report(
              deps.redact(`The checkpoint could not run: ${err instanceof Error ? err.message : String(err)}`),
            ),
          )
          .finally(() => {
            checkpointRun.now = null;
            poke();
          });
        break;
      }
      case 'start-design': {
        const design = deps.design;
        if (!design) break;
        const open = designRun.open;
        const asked = action.trigger === 'manual' ? takeDesignRequest(deps.paths) : null;
        const next =
          action.trigger === 'next_iteration' && open !== null
            ? { trigger: open.trigger, round: open.round + 1, personas: open.personas }
            : {
                trigger: action.trigger === 'next_iteration' ? 'manual' : action.trigger,
                round: 1,
                personas: asked?.personas ?? null,
              };
        if (action.trigger === 'interval' || action.trigger === 'end_of_run') designLandings = 0;
        designRun.open = null;
        designRun.now = syncedMain(run)
          .then(() =>
            runDesignIteration(
              { ...deps, design },
              live,
              { trigger: next.trigger, round: next.round, personas: next.personas ?? undefined },
              signal,
            ),
          )
          .then(({ iteration, fixFeatures }) => {
            if (iteration.outcome !== 'changes_requested') return;
            if (next.round >= deps.settings.designIterations)
              deps.report(
                `Design review ${iteration.n}: changes requested after ${next.round} iteration(s), the most designIterations allows; the review ends here.`,
              );
            else if (fixFeatures.length === 0)
              deps.report(
                `Design review ${iteration.n}: changes requested, but no finding is critical or major, so there is nothing to fix before looking again; the review ends here.`,
              );
            else designRun.open = { ...next, fixIds: fixFeatures.map((f) => f.id) };
          })
          .catch((err: unknown) =>
            deps.report(
              deps.redact(`The design review could not run: ${err instanceof Error ? err.message : String(err)}`),
            ),
          )
          .finally(() => {
            designRun.now = null;
            poke();
          });
        break;
      }
      default:
        record(action);
    }
  };

  const track = (
    slot: number,
    kind: SlotKind,
    featureIds: readonly number[],
    work: Promise<SessionSummary | null>,
    reservation?: string,
  ) => {
    const done = work
      .catch((err: unknown) => {
        const why = deps.redact(err instanceof Error ? err.message : String(err));
        deps.report(`Slot ${slot}: the session could not run: ${why}`);
        couldNotStart.count += 1;
        couldNotStart.last = why;
        return null;
      })
      .then((summary) => {
        if (summary !== null) couldNotStart.count = 0;
        // Settled when the session's cost was recorded (runSessionFor); this covers a session that never ran.
        if (reservation !== undefined && budgetPort) budgetPort.settle(reservation, summary?.costUsd ?? 0);
        active.delete(slot);
        tellSlots();
        sessions += 1;
        const after = afterSession(backoff, summary, deps.now(), deps.settings);
        backoff = after.backoff;
        for (const action of after.actions) record(action);
        poke();
        return summary;
      });
    active.set(slot, { kind, featureIds, done });
    tellSlots();
  };
  const tellSlots = () =>
    deps.slotsChanged?.(
      [...active]
        .filter(([, a]) => a.kind === 'coding')
        .flatMap(([slot, a]) => a.featureIds.map((featureId) => ({ featureId, slot }))),
    );

  /**
   * The state decide() reads, fresh from the database, plus the records its start actions name.
   * The backlog, the regression candidates and the open requests are read only if decide looks
   * at them: most decisions (a slot to fill, all slots busy) need none of them.
   */
  const gather = (): Gathered => {
    const regression = once(() =>
      config.testing > 0 ? deps.features.forRegression(10, { unseenSinceLastLanding: true }) : [],
    );
    const requests = once(() => humanInput.list({ status: 'open' }));
    const features = once(() => deps.features.list());
    const counts = once(() => deps.features.stats());
    const owner = join?.owner();
    // The owner's own record: its status, and what a person asked of it through the database from any machine.
    const record = join ? undefined : deps.runs.get(run.id);
    if (record?.control === 'stop' && !signal.aborted) {
      deps.report('Stop asked through the database: stopping.');
      stopRun();
    }
    const state: SchedulerState = {
      config,
      aborted: signal.aborted,
      pauseRequested: owner ? owner.pausing : pauseAsked(deps, record),
      runStatus: join ? joinStatus : record?.status,
      active: [...active].map(([slot, a]) => ({ slot, kind: a.kind, featureIds: a.featureIds })),
      get features() {
        return features();
      },
      get counts() {
        return counts();
      },
      get regressionCandidates() {
        return regression().map((f) => f.id);
      },
      get openRequests() {
        return requests().map((r) => ({ id: r.id, featureId: r.featureId }));
      },
      supervisorTries: { ...supervisorTries },
      codingSessionsStarted: codingSessions,
      rateLimitedUntil: backoff.rateLimitedUntil,
      claimExhausted,
      waitingReported,
      landingsSinceRegression: landings,
      regressionRunning: regressionPass.now !== null,
      landingsSinceCheckpoint: checkpointLandings,
      mainMovedSinceCheckpoint: movedSinceCheckpoint,
      checkpointRunning: checkpointRun.now !== null,
      checkpointRequested: deps.checkpoints !== undefined && existsSync(deps.paths.checkpointRequest),
      landingsSinceDesign: designLandings,
      designRunning: designRun.now !== null,
      designRequested: deps.design !== undefined && existsSync(deps.paths.designRequest),
      designReviewOpen: designRun.open !== null,
      designRoundDue: designRun.open !== null && designFixesPassed(deps, designRun.open.fixIds),
      budget: budgetPort
        ? bindingBudget(budgetPort, limits, run.id, deps.now(), { warned: budgetWarned, refused: budgetRefused })
        : null,
    };
    return { state, regression, requests };
  };

  try {
    for (;;) {
      if (couldNotStart.count >= MAX_SESSIONS_NOT_STARTED) {
        await settled();
        return {
          status: 'failed',
          reason: `The run failed: ${couldNotStart.count} sessions in a row could not start; the last: ${couldNotStart.last}`,
          sessions,
          budgetExhausted: false,
          limitReached: false,
        };
      }
      const woke = new Promise<void>((resolve) => (wake = resolve));
      countOthersLandings();
      // The owner's run ended (finished, stopped, or its process lost): this machine's sessions stop with it.
      if (join && !signal.aborted && !join.owner().active) join.leave();
      claimExhausted = false;
      budgetRefused = false;
      // Decide and act until the decision is to wait or to finish.
      let next: SchedulerNext = { type: 'decide-again' };
      while (next.type === 'decide-again') {
        const seen = gather();
        const decision = decide(seen.state, deps.now());
        for (const action of decision.actions) perform(action, seen);
        next = decision.next;
      }
      switch (next.type) {
        case 'finish': {
          // A worker stays until the run ends: the owner (or another machine) may yet hand work back.
          if (join && !signal.aborted) {
            await woke;
            break;
          }
          // Claims whose holder stopped heartbeating (a lost machine, a killed process) are no reason to end: they
          // go back to the backlog and the decision is made again (a run without slots of its own never claims, so
          // it never reaps on the way).
          if (!signal.aborted && deps.claims.reapExpired().length > 0) break;
          await settled();
          const end = next.reason;
          const reason =
            'text' in end
              ? end.text
              : 'budget' in end
                ? end.budget
                : maxIterationsReason(end.maxIterations, deps.features.stats());
          return {
            status: next.status,
            reason,
            sessions,
            budgetExhausted: 'budget' in end,
            limitReached: 'maxIterations' in end,
          };
        }
        case 'wait-until':
          await waitUntil(next.until, deps.now, signal);
          break;
        case 'wait-for-resume':
          // A worker waits for the owner's run to run again (or end), looking at each tick.
          if (join) await woke;
          else
            await waitForResume(
              () => pauseAsked(deps, deps.runs.get(run.id)),
              signal,
              () => answeredHold(deps, checkpointRun),
            );
          break;
        case 'wait-for-wake':
          await woke;
          break;
      }
    }
  } finally {
    clearInterval(ticker);
    signal.removeEventListener('abort', poke);
  }
}

/** A worker's part in a run another process owns (joinRun). */
interface JoinMode {
  /** The owner's run as the database has it now. */
  readonly owner: () => { readonly active: boolean; readonly pausing: boolean };
  /** Stops this machine's sessions (their features are handed back). */
  readonly leave: () => void;
}

export interface JoinResult {
  readonly sessions: number;
  readonly reason: string;
  readonly status: RunResult['status'];
}

/**
 * A worker's part in a run another process started and owns (#20, `autocoder worker`): up to `concurrency` coding
 * sessions, claimed from the shared backlog, each exactly as the owner runs them (the run's settings, the same guard,
 * sandbox and verification), landing through the project's remote under the shared lock. The owner keeps what is the
 * run's alone: the initializer, testing and supervisor sessions, regression passes, checkpoints, design reviews, the
 * run's status and its end. A pause of the owner's drains this machine too; when the run ends (or its process stops
 * heartbeating) the sessions here stop and hand their features back.
 */
export async function joinRun(deps: RunDeps, runId: string, signal: AbortSignal): Promise<JoinResult> {
  const record = deps.runs.get(runId);
  if (!sharedRunActive(record, deps.now()) || record === undefined)
    return { sessions: 0, status: 'stopped', reason: `Run ${runId} is not at work.` };
  const { sandbox, initJail } = prepareProjectFolder(deps);
  const releaseFolder = holdProjectFolder(deps, sandbox.enabled);
  const inner = new AbortController();
  const forward = () => inner.abort();
  if (signal.aborted) inner.abort();
  else signal.addEventListener('abort', forward, { once: true });
  try {
    const remote = deps.remote ? new RemoteSync(deps.paths.root, mainBranch(deps.paths.root), deps.remote) : undefined;
    // Expired leases (a machine that was lost) go back to the backlog before this one claims.
    deps.claims.reapExpired();
    const run = withVerifier(deps, {
      id: runId,
      incarnation: record.incarnation,
      sandbox: sandbox.enabled,
      initJail,
      main: mainBranch(deps.paths.root),
      mergeQueue: runMergeQueue(deps, inner.signal),
      ...(remote ? { remote } : {}),
    });
    const result = await schedule(deps, run, inner.signal, {
      owner: () => {
        const now = deps.runs.get(runId);
        return {
          active: sharedRunActive(now, deps.now()),
          pausing: now?.status === 'draining' || now?.status === 'paused',
        };
      },
      leave: () => inner.abort(),
    });
    const reason = signal.aborted
      ? 'This worker was stopped.'
      : inner.signal.aborted
        ? `Run ${runId} ended.`
        : result.reason;
    return { sessions: result.sessions, status: result.status, reason };
  } finally {
    signal.removeEventListener('abort', forward);
    releaseFolder();
  }
}

/**
 * `autocoder checkpoint` with no run active: a run of its own (recorded, its reviewer sessions counted in its cost)
 * whose only work is one checkpoint of main. Its critical findings become fix features, first in line for the next
 * run; nothing pauses (there is no run to pause). A run that is active is asked instead (requestCheckpoint).
 */
export async function checkpointProject(
  deps: RunDeps,
  agents: readonly CheckpointAgent[],
  signal: AbortSignal,
): Promise<{ readonly runId: string; readonly outcome: CheckpointOutcome }> {
  const checkpoints = deps.checkpoints;
  if (!checkpoints) throw new AppError('INVALID_INPUT', 'this store keeps no checkpoints');
  return soloRun(
    deps,
    { checkpointOnly: true },
    async (run) => {
      const outcome = await runCheckpoint({ ...deps, checkpoints }, run, { trigger: 'manual', agents }, signal);
      if (outcome.critical.length > 0) onCritical(deps, run, outcome, false);
      const c = outcome.checkpoint;
      return {
        outcome,
        status: c.status === 'failed' ? 'failed' : 'finished',
        reason: `Checkpoint ${c.n} ${c.status}.`,
      };
    },
    signal,
    'The checkpoint failed',
  );
}

/**
 * A run recorded for one piece of work outside the scheduler (a checkpoint, a design review iteration): dead runs
 * recovered, the sandbox decided, the run row started and always ended, its held budget released.
 */
async function soloRun<T>(
  deps: RunDeps,
  marker: Record<string, boolean>,
  work: (run: RunContext) => Promise<{ outcome: T; status: 'finished' | 'failed'; reason: string }>,
  signal: AbortSignal,
  failure: string,
): Promise<{ readonly runId: string; readonly outcome: T }> {
  recoverDeadRuns(deps);
  const runId = `run_${randomBytes(6).toString('hex')}`;
  const sandbox = decideSandbox(deps.settings.sandbox, process.platform, deps.env.PATH);
  if (sandbox.warning) deps.report(sandbox.warning);
  addLocalExcludes(deps.paths.root, [
    ...(sandbox.enabled ? SANDBOX_MASKED_PATHS : []),
    '.autocoder/',
    ...BROWSER_EXCLUDES,
  ]);
  // Before the run is recorded: a project without a commit is refused with nothing left behind.
  const main = mainBranch(deps.paths.root);
  // A shared project's main is the remote's (#20): what is reviewed is what every machine lands on.
  if (deps.remote) await new RemoteSync(deps.paths.root, main, deps.remote).syncMain();
  const incarnation = randomBytes(8).toString('hex');
  deps.runs.start({
    id: runId,
    pid: process.pid,
    host: hostname(),
    incarnation,
    settings: { ...deps.settings, ...marker },
  });
  const run: RunContext = {
    id: runId,
    incarnation,
    sandbox: sandbox.enabled,
    initJail: null,
    main,
    mergeQueue: createMergeQueue(),
  };
  try {
    const done = await work(run);
    deps.budget?.releaseRun(runId);
    // Its work is the one piece it was started for: finished when that finished, not when the backlog passes.
    const counts = deps.features.stats();
    deps.runs.end(runId, done.status, done.reason, {
      stopped: signal.aborted,
      outcome: done.status === 'failed' ? 'failed' : signal.aborted ? 'stopped' : 'finished',
      counts: { passing: counts.passing, total: counts.total },
    });
    return { runId, outcome: done.outcome };
  } catch (err: unknown) {
    deps.budget?.releaseRun(runId);
    deps.runs.end(runId, 'failed', `${failure}: ${err instanceof Error ? err.message : String(err)}`, {
      stopped: false,
      outcome: 'failed',
    });
    throw err;
  }
}

/**
 * `autocoder design-review` with no run active: a run of its own (recorded, its persona sessions counted in its cost)
 * whose only work is one design review iteration of main. Its fix features are first in line for the next run, whose
 * scheduler does not know this review: the next iteration is asked for again by hand (or comes with designReviewEvery).
 */
export async function designReviewProject(
  deps: RunDeps,
  personas: readonly string[] | null,
  signal: AbortSignal,
  /** Which iteration of the review this is (`design-review --iteration`): 1 starts one. */
  round = 1,
): Promise<{ readonly runId: string; readonly outcome: DesignIterationOutcome }> {
  const design = deps.design;
  if (!design) throw new AppError('INVALID_INPUT', 'this store keeps no design reviews');
  return soloRun(
    deps,
    { designReviewOnly: true },
    async (run) => {
      const outcome = await runDesignIteration(
        { ...deps, design },
        run,
        { trigger: 'manual', round, personas: personas ?? undefined },
        signal,
      );
      const it = outcome.iteration;
      return {
        outcome,
        status: it.status === 'failed' ? 'failed' : 'finished',
        reason: `Design review ${it.n} ${it.status}${it.outcome === null ? '' : ` (${it.outcome.replace(/_/g, ' ')})`}.`,
      };
    },
    signal,
    'The design review failed',
  );
}

/** Every fix feature of the open design review passes (one a person deleted is nothing to wait for). */
export function designFixesPassed(deps: Pick<RunDeps, 'features'>, ids: readonly number[]): boolean {
  const status = new Map(deps.features.list().map((f) => [f.id, f.status]));
  return ids.every((id) => (status.get(id) ?? 'passing') === 'passing');
}

/** The category of the features checkpoints create for their findings. */
const FIX_CATEGORY = 'fix';
/** The category of the features design reviews create for their findings. */
const DESIGN_CATEGORY = 'design';
export const CONTINUE = 'continue';
const STAY_PAUSED = 'stay paused';

/**
 * A checkpoint found critical problems: the checkpoint.critical event and webhook, and with pauseOnCritical the run
 * drains (as a pause does) and asks in the Inbox, on the first critical finding's fix feature, whether to go on.
 * Returns what the run now waits for, or null.
 */
function onCritical(
  deps: RunDeps,
  run: RunContext,
  outcome: CheckpointOutcome,
  pause: boolean,
): { n: number; requestId: string } | null {
  const n = outcome.checkpoint.n;
  const critical = outcome.critical;
  let requestId: string | null = null;
  const fixId = critical.map((f) => deps.checkpoints?.finding(f.id).fixFeatureId ?? null).find((id) => id !== null);
  if (pause && fixId !== undefined && fixId !== null) {
    try {
      const claimed = deps.claims.claimFeature(fixId, `${run.id}/checkpoint-${n}`);
      const list = critical.map(
        (f) => `- ${f.title}${f.file ? ` (${f.file}${f.line ? `:${f.line}` : ''})` : ''}: ${f.detail}`,
      );
      const asked = deps.humanInput.request(claimed.claim, {
        kind: 'fields',
        prompt: `Checkpoint ${n}: ${critical.length} critical finding${critical.length === 1 ? '' : 's'} — continue, or stay paused.\n${list.join('\n')}\nThe run is draining. "${CONTINUE}" resumes it and the fix feature #${fixId} is worked first; "${STAY_PAUSED}" keeps it paused until you resume it.`,
        fields: [
          {
            id: 'decision',
            label: `Checkpoint ${n} found critical problems: continue the run?`,
            type: 'select',
            required: true,
            options: [CONTINUE, STAY_PAUSED],
          },
        ],
      }).request;
      requestId = asked.id;
      requestPause(deps.paths);
      deps.report(
        `Checkpoint ${n} found ${critical.length} critical problem(s): draining; answer ${asked.id} in the Inbox (or: autocoder answer ${deps.projectName} ${asked.id}).`,
      );
    } catch (err: unknown) {
      // The fix feature could not be claimed for the question (a slot took it first): drain all the same.
      requestPause(deps.paths);
      deps.report(
        `Checkpoint ${n} found ${critical.length} critical problem(s) and could not ask in the Inbox (${err instanceof Error ? err.message : String(err)}): draining; resume with: autocoder resume ${deps.projectName}.`,
      );
    }
  }
  const payload = { n, findingIds: critical.map((f) => f.id), titles: critical.map((f) => f.title), requestId };
  deps.events.append({ type: 'checkpoint.critical', at: deps.now(), runId: run.id, payload });
  deps.notify?.('checkpoint.critical', payload);
  return requestId === null ? null : { n, requestId };
}

/**
 * While paused for a checkpoint's critical findings: true once its request is answered or withdrawn. "continue"
 * resumes the run (the pause file goes); anything else leaves it paused until a person resumes it.
 */
function answeredHold(deps: RunDeps, hold: { hold: { n: number; requestId: string } | null }): boolean {
  const held = hold.hold;
  if (held === null) return false;
  const request = deps.humanInput.get(held.requestId);
  if (request.status === 'open') return false;
  hold.hold = null;
  const decision = request.status === 'answered' ? String(request.answer?.decision ?? '') : request.status;
  if (decision === CONTINUE) {
    requestResume(deps.paths);
    deps.report(`Checkpoint ${held.n}: "${CONTINUE}" was answered; resuming.`);
    return true;
  }
  deps.report(`Checkpoint ${held.n}: "${decision}"; the run stays paused until it is resumed.`);
  return false;
}

/** A pause is asked of the run: the pause file in its folder, or its control in the database (#20: any machine). */
function pauseAsked(deps: RunDeps, record: RunRecord | undefined): boolean {
  return pauseRequested(deps.paths.pauseDrain) || record?.control === 'pause';
}

/** A shared run's main brought up to the remote's before a review reads it (#20); at once otherwise. */
async function syncedMain(run: RunContext): Promise<void> {
  await run.remote?.syncMain();
}

/** The share of what is left of a budget one session holds: 1 / the sessions a run's slots may run at once. */
function slotShare(settings: Pick<RunSettings, 'concurrency' | 'yolo' | 'testingRatio' | 'supervisor'>): number {
  return 1 / (settings.concurrency + (settings.yolo ? 0 : settings.testingRatio) + (settings.supervisor ? 1 : 0));
}

/** One gathered state and the database records behind the ids it names. */
interface Gathered {
  readonly state: SchedulerState;
  readonly regression: () => readonly Feature[];
  readonly requests: () => readonly HumanInputRequest[];
}

/** What a regression pass of the run found, in one line. */
function regressionLine(result: RegressionResult, reason: 'landings' | 'end', landed: number, main: string): string {
  const count = (what: RegressionOutcome['result']) => result.outcomes.filter((o) => o.result === what).length;
  const why = reason === 'end' ? 'at the end of the run' : `after ${landed} landings`;
  const regressed = result.outcomes.filter((o) => o.result === 'regressed').map((o) => `#${o.feature.id}`);
  return `Regression pass ${why} on ${main} (${result.commit.slice(0, 8)}): ${count('passed')} passed, ${count('regressed')} regressed${regressed.length > 0 ? ` (${regressed.join(', ')}: pending again)` : ''}, ${count('error')} could not run, ${result.notVerified.length} without checks.`;
}

/** `read`, called the first time the value is asked for and remembered. */
function once<T>(read: () => T): () => T {
  let value: { readonly v: T } | null = null;
  return () => (value ??= { v: read() }).v;
}

function readSpec(paths: ProjectPaths): string {
  if (!existsSync(paths.spec)) {
    throw new AppError(
      'NOT_FOUND',
      `the project has no features and no app spec; write one to ${paths.spec} (template: \`autocoder spec-template\`)`,
    );
  }
  const text = readFileSync(paths.spec, 'utf8');
  const check = validateAppSpec(text);
  if (!check.ok)
    throw new AppError('INVALID_INPUT', `the app spec has problems:\n${formatSpecProblems(paths.spec, check)}`);
  return text;
}

function featureCountRule(spec: string): string {
  const n = validateAppSpec(spec).featureCount;
  return n === null
    ? 'Size the backlog to the spec: enough features that each is small and testable (typically 20–200).'
    : `The spec asks for about ${n} features; create close to that many.`;
}

/** Frees what runs that died (kill -9, power loss) left behind, before a new run starts. */
function recoverDeadRuns(deps: RunDeps): void {
  const dead = deps.runs.active().filter((r) => {
    // A shared store (#20): a run on another machine is dead when its heartbeat stopped, else it is at work.
    if (r.host !== hostname() && deps.remote !== undefined && isSharedRun(r)) {
      if (!sharedRunActive(r, deps.now())) return true;
      throw new AppError(
        'CONFLICT',
        `a run of this project is already active on ${r.host ?? 'another machine'} (${r.id}); stop it first, or work it with \`autocoder worker\``,
      );
    }
    if (r.host !== hostname() || r.pid === null) return false;
    if (r.pid === process.pid) return false;
    try {
      process.kill(r.pid, 0);
      throw new AppError('CONFLICT', `a run of this project is already active (pid ${r.pid}, ${r.id}); stop it first`);
    } catch (err: unknown) {
      if (err instanceof AppError) throw err;
      return (err as NodeJS.ErrnoException).code === 'ESRCH';
    }
  });
  for (const run of dead) {
    const freed = deps.claims.releaseOwnedBy(
      `${run.id}/`,
      `recovered from run ${run.id}, which stopped without finishing`,
    );
    deps.sessions.abortRunning([run.id], 'the runner process died');
    // Its sessions' holds would otherwise count against the day's budget for ever.
    deps.budget?.releaseRun(run.id);
    deps.runs.end(run.id, 'crashed', 'the runner process died', { released: freed, outcome: 'crashed' });
    if (freed.length > 0)
      deps.report(
        `Recovered ${freed.length} feature(s) from a run that died: ${freed.map((id) => `#${id}`).join(', ')}.`,
      );
  }
  deps.claims.reapExpired();
}
