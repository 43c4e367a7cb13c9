import { describeStall, type StallFeature } from './stop-reason.js';
import { BUDGET_WARNING_SHARE, usd } from '../domain/budget.js';

/**
 * The scheduler's decisions, as pure functions: `decide(state, now)` says what the run does
 * next (fill a slot, change the run's status, report, wait, finish) from a plain snapshot of the
 * run; `afterSession` says what a session's end changes (the rate-limit backoff). No I/O here:
 * `run-loop.ts` gathers the state, performs the actions and sleeps until woken.
 */

export type SlotKind = 'coding' | 'testing' | 'supervisor';

/** Slot layout and limits of one run; they do not change while it runs. */
export interface SchedulerConfig {
  /** Coding slots 0 … coding-1. */
  readonly coding: number;
  /** Testing slots coding … coding+testing-1 (0 with yolo). */
  readonly testing: number;
  /** Supervisor mode: one more slot, after the testing ones, answers human-input requests. */
  readonly supervisor: boolean;
  readonly maxIterations: number | undefined;
  /** Longest wait for a backoff before the run looks again. */
  readonly maxWaitMs: number;
  /** When only features waiting for answers are left: wait for them (true) or end the run. */
  readonly waitForInput: boolean;
  /** For the commands the reports name (`autocoder answer <project> …`). */
  readonly projectName: string;
  /**
   * A regression pass (the frozen checks of the passing features, on main, no model) after every this many landings,
   * and one at the end of a run when something landed since the last; 0: none.
   */
  readonly regressionEvery: number;
  /**
   * A checkpoint (tool results and reviewer sessions, beside the slots) after every this many landings of features that
   * are not fix features, and one at the end of a run when main moved since the last; 0: none.
   */
  readonly checkpointInterval: number;
  /**
   * A design review (a capture of the app's pages and persona sessions, beside the slots) after every this many
   * landings of features that are not design fix features, and one at the end of a run when such a feature landed since
   * the last; 0: none.
   */
  readonly designReviewEvery: number;
}

/** The budget the run is held to: the run's (`--max-cost`) or the day's, whichever has less left. */
export interface BudgetState {
  readonly scope: 'run' | 'day';
  readonly limitUsd: number;
  /** The recorded costs of the sessions that ended (USD): what the warning and the stop look at. */
  readonly usedUsd: number;
  /** Held by sessions still running (their open reservations, USD): no new session may take it. */
  readonly reservedUsd: number;
  /** What a session of each kind must have left to start: the median cost of that role's sessions, or the floor. */
  readonly floors: Readonly<Record<SlotKind, number>>;
  /** The 80 % warning was given. */
  readonly warned: boolean;
  /** A reservation was refused since the loop last waited (others hold what is left): no session starts until then. */
  readonly refused: boolean;
}

export interface ActiveSlot {
  readonly slot: number;
  readonly kind: SlotKind;
  readonly featureIds: readonly number[];
}

export type SchedulerFeature = StallFeature;

/**
 * Everything `decide` looks at: the database's view of the run plus what the loop remembers.
 * `decide` reads `features`, `counts`, `regressionCandidates` and `openRequests` only on the
 * paths that need them, so the loop may read them from the database lazily.
 */
export interface SchedulerState {
  readonly config: SchedulerConfig;
  readonly aborted: boolean;
  /** The `.pause_drain` file exists. */
  readonly pauseRequested: boolean;
  /** The run row's status (`paused` only while the loop waits for a resume). */
  readonly runStatus: string | undefined;
  readonly active: readonly ActiveSlot[];
  /** Every feature (read for the end-or-wait decision only). */
  readonly features: readonly SchedulerFeature[];
  /** How many features are in each of these statuses (for the testing slots). */
  readonly counts: { readonly passing: number; readonly pending: number; readonly in_progress: number };
  /** Passing features in re-verification order (`forRegression`); read only when testing slots exist. */
  readonly regressionCandidates: readonly number[];
  /** Open human-input requests, oldest first. */
  readonly openRequests: readonly { readonly id: string; readonly featureId: number }[];
  /** How many supervisor sessions each request was given already. */
  readonly supervisorTries: Readonly<Record<string, number>>;
  readonly codingSessionsStarted: number;
  /** No session starts before this time (ms epoch; 0 when not rate-limited). */
  readonly rateLimitedUntil: number;
  /** A claim found nothing ready since the loop last waited: no coding slot is filled until it wakes. */
  readonly claimExhausted: boolean;
  /** The open requests the last "waiting for answers" report named (ids joined by commas). */
  readonly waitingReported: string;
  /** Features landed on main since the last regression pass started (or since the run started). */
  readonly landingsSinceRegression: number;
  /** A regression pass is running (it holds the merge queue; no session of its own). */
  readonly regressionRunning: boolean;
  /** The budget that binds the run; null when no run or daily budget is set. */
  readonly budget: BudgetState | null;
  /** Features other than fix features landed since the last checkpoint started (or since the run started). */
  readonly landingsSinceCheckpoint: number;
  /** Anything landed since the last checkpoint started (or since the run started). */
  readonly mainMovedSinceCheckpoint: boolean;
  /** A checkpoint is running (its reviewer sessions are its own; the slots go on). */
  readonly checkpointRunning: boolean;
  /** Someone asked for a checkpoint now (`autocoder checkpoint`, the API, the UI). */
  readonly checkpointRequested: boolean;
  /** Features other than design fix features landed since the last design review started (or the run started). */
  readonly landingsSinceDesign: number;
  /** A design review iteration is running (its persona sessions are its own; the slots go on). */
  readonly designRunning: boolean;
  /** Someone asked for a design review now (`autocoder design-review`, the API, the UI). */
  readonly designRequested: boolean;
  /**
   * A design review asked for changes and has iterations left: its next iteration waits until its fix features pass
   * (`designRoundDue`); no other review starts meanwhile.
   */
  readonly designReviewOpen: boolean;
  /** That next iteration may start: every fix feature of the last one passes. */
  readonly designRoundDue: boolean;
}

export type RunStatusChange = 'running' | 'draining' | 'paused';

export type RunEventAction =
  | {
      readonly type: 'run.waiting';
      readonly payload: {
        readonly until: number | null;
        readonly reason: string;
        readonly requests?: readonly string[];
      };
    }
  | { readonly type: 'run.rate_limited'; readonly payload: { readonly until: number; readonly error: string | null } }
  | { readonly type: 'run.budget_warning'; readonly payload: BudgetPayload }
  | { readonly type: 'run.budget_exhausted'; readonly payload: BudgetPayload & { readonly reason: string } };

export interface BudgetPayload {
  readonly scope: 'run' | 'day';
  readonly limitUsd: number;
  readonly usedUsd: number;
}

/** Actions that record or tell something and start nothing. */
export type RecordAction =
  | { readonly type: 'set-status'; readonly status: RunStatusChange }
  | { readonly type: 'report'; readonly line: string }
  | { readonly type: 'event'; readonly event: RunEventAction }
  /** Remember which open requests the waiting report named, so it is not repeated. */
  | { readonly type: 'note-waiting'; readonly requests: string }
  /** Remember that the 80 % budget warning was given (once per run). */
  | { readonly type: 'note-budget-warned' };

export type SchedulerAction =
  | RecordAction
  /** Claim the next ready feature for this coding slot and start its session (nothing ready: claims are exhausted). */
  | { readonly type: 'start-coding'; readonly slot: number }
  | { readonly type: 'start-supervisor'; readonly slot: number; readonly requestIds: readonly string[] }
  | { readonly type: 'start-testing'; readonly slot: number; readonly featureIds: readonly number[] }
  /** Run the frozen checks of the passing features on main (after `regressionEvery` landings, or at the end). */
  | { readonly type: 'start-regression'; readonly reason: 'landings' | 'end' }
  /** Review main at its tip: after `checkpointInterval` landings, or at the end of the run. */
  | { readonly type: 'start-checkpoint'; readonly trigger: 'interval' | 'end_of_run' | 'manual' }
  /**
   * Photograph main's app for the design personas: after `designReviewEvery` landings, at the end of the run, on
   * request, or the next iteration of a review whose fix features passed.
   */
  | { readonly type: 'start-design'; readonly trigger: 'interval' | 'end_of_run' | 'manual' | 'next_iteration' };

/** How a run ends: a fixed text, or the max-iterations line, which names the progress after the last session ended. */
export type EndReason =
  | { readonly text: string }
  | { readonly maxIterations: number }
  /** The run's or the day's budget is used up: the run stops with its own exit code. */
  | { readonly budget: string };

export type SchedulerNext =
  /** The actions changed the state (a slot was filled, the run resumed): decide again at once. */
  | { readonly type: 'decide-again' }
  /** Until a session ends, a landing, a stop or the next tick. */
  | { readonly type: 'wait-for-wake' }
  /** Until `until` or a stop (ticks do not end it). */
  | { readonly type: 'wait-until'; readonly until: number }
  /** Until the pause file is gone or a stop. */
  | { readonly type: 'wait-for-resume' }
  /** Wait for the sessions still running, then end the run. */
  | { readonly type: 'finish'; readonly status: 'finished' | 'stopped'; readonly reason: EndReason };

export interface Decision {
  readonly actions: readonly SchedulerAction[];
  readonly next: SchedulerNext;
}

/** How many supervisor sessions may try one request before it is left to a human. */
export const SUPERVISOR_TRIES = 2;

/** The longest wait after repeated rate limits that name no reset time. */
export const MAX_RATE_LIMIT_BACKOFF_MS = 15 * 60_000;

/** Passing features one testing session re-verifies. */
const TESTING_BATCH = 2;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The next step of the run. Order matters and is the runner's policy: a stop beats everything,
 * then pause/resume, then filling slots (coding first: they move the backlog; then the
 * supervisor; then testing, only while coding work remains, so a finished backlog ends the run),
 * then, with no coding session running, whether the run is over or must wait.
 */
export function decide(state: SchedulerState, now: number): Decision {
  const { config } = state;
  const running = state.active.length;
  if (state.aborted) {
    return finish('stopped', state.runStatus === 'paused' ? 'Stopped while paused.' : 'Stopped.');
  }
  // The loop waited for a resume and the pause file is gone.
  if (state.runStatus === 'paused') {
    return { actions: [{ type: 'set-status', status: 'running' }, report('Resumed.')], next: { type: 'decide-again' } };
  }

  const actions: SchedulerAction[] = [];
  let status = state.runStatus;
  const setStatus = (next: RunStatusChange) => {
    if (status === next) return;
    actions.push({ type: 'set-status', status: next });
    status = next;
  };
  const pausing = state.pauseRequested;
  if (pausing && running === 0) {
    setStatus('draining');
    setStatus('paused');
    actions.push(report('Paused (drained): no session is running. Resume to continue.'));
    return { actions, next: { type: 'wait-for-resume' } };
  }
  if (pausing && status !== 'draining') {
    setStatus('draining');
    actions.push(
      report(`Pause requested: draining (${plural(running, 'running session')} finish their features first).`),
    );
  }
  const exhausted = state.budget === null ? null : budgetCheck(state.budget, actions);
  if (exhausted !== null) {
    const b = state.budget as BudgetState;
    // Told once: when the run starts draining for it, or stops at once.
    if (status !== 'draining')
      actions.push({
        type: 'event',
        event: {
          type: 'run.budget_exhausted',
          payload: { scope: b.scope, limitUsd: b.limitUsd, usedUsd: b.usedUsd, reason: exhausted },
        },
      });
    // Nothing new starts; the sessions running finish their features (they were given what they reserved).
    if (running > 0 || state.regressionRunning) {
      if (status !== 'draining')
        actions.push(report(`${exhausted} Draining: ${plural(running, 'running session')} finish first.`));
      setStatus('draining');
      return { actions, next: { type: 'wait-for-wake' } };
    }
    return { actions, next: { type: 'finish', status: 'stopped', reason: { budget: exhausted } } };
  }
  if (!pausing && status === 'draining') setStatus('running');

  // A regression pass needs no model: rate limits do not hold it back, a pause does (nothing new starts).
  if (!pausing && regressionDue(state)) {
    return {
      actions: [...actions, { type: 'start-regression', reason: 'landings' }],
      next: { type: 'decide-again' },
    };
  }
  // A checkpoint's reviewers run beside the slots; a pause holds it back (it starts sessions).
  if (!pausing && !state.checkpointRunning && state.checkpointRequested) {
    return { actions: [...actions, { type: 'start-checkpoint', trigger: 'manual' }], next: { type: 'decide-again' } };
  }
  if (!pausing && checkpointDue(state)) {
    return {
      actions: [...actions, { type: 'start-checkpoint', trigger: 'interval' }],
      next: { type: 'decide-again' },
    };
  }
  // A design review's personas run beside the slots too: its next iteration once its fixes passed, one asked for, or
  // one every N landings.
  const design = designStart(state, pausing);
  if (design) return { actions: [...actions, design], next: { type: 'decide-again' } };
  const limited = now < state.rateLimitedUntil;
  const iterationsLeft = config.maxIterations === undefined || state.codingSessionsStarted < config.maxIterations;
  if (!pausing && !limited) {
    const start = nextStart(state, iterationsLeft);
    if (start) return { actions: [...actions, start], next: { type: 'decide-again' } };
  }

  const codingActive = state.active.some((a) => a.kind === 'coding');
  if (codingActive || pausing) return { actions, next: { type: 'wait-for-wake' } };
  if (!iterationsLeft) {
    const end = endOfRun(state, actions);
    if (end) return end;
    return {
      actions,
      next: { type: 'finish', status: 'finished', reason: { maxIterations: config.maxIterations ?? 0 } },
    };
  }
  if (limited)
    return {
      actions,
      next: running === 0 ? { type: 'wait-until', until: state.rateLimitedUntil } : { type: 'wait-for-wake' },
    };

  const stall = describeStall(state.features, now, { localSlots: config.coding > 0 });
  if (stall.kind === 'elsewhere') {
    // Other processes sharing the store work the rest (#20): their landings, or a lease expiring, move this run on (the
    // loop's tick looks again). Said once per change of what is left.
    const note = `elsewhere: ${stall.reason}`;
    if (running === 0 && note !== state.waitingReported)
      actions.push(
        { type: 'note-waiting', requests: note },
        report(`Waiting for the work of other workers (${stall.reason}).`),
      );
    return { actions, next: { type: 'wait-for-wake' } };
  }
  if (stall.kind === 'done' || stall.kind === 'stuck') {
    // Testing sessions still running finish first (they may send a feature back).
    if (running > 0) return { actions, next: { type: 'wait-for-wake' } };
    // So does a regression pass, and a last one runs when something landed since the previous (it may, too).
    const end = endOfRun(state, actions);
    if (end) return end;
    const waiting = stall.kind === 'stuck' && config.waitForInput ? state.openRequests : [];
    if (stall.kind === 'stuck' && waiting.length > 0) {
      // Features wait for answers: the run stays up and goes on as soon as one comes (the tick sees it).
      const ids = waiting.map((r) => r.id);
      if (ids.join(',') !== state.waitingReported) {
        const how = ids.map((id) => `autocoder answer ${config.projectName} ${id}`).join('; ');
        actions.push(
          { type: 'note-waiting', requests: ids.join(',') },
          {
            type: 'event',
            event: {
              type: 'run.waiting',
              payload: { until: null, reason: `${waiting.length} human-input request(s) open`, requests: ids },
            },
          },
          report(
            `Waiting for ${plural(waiting.length, 'human answer')} (${stall.reason}); answer in the web UI inbox or with: ${how}. Stop with Ctrl+C or autocoder stop ${config.projectName}.`,
          ),
        );
      }
      return { actions, next: { type: 'wait-for-wake' } };
    }
    return {
      actions,
      next: {
        type: 'finish',
        status: 'finished',
        reason: {
          text: stall.kind === 'done' ? `All ${stall.total} features pass.` : `Nothing can proceed: ${stall.reason}.`,
        },
      },
    };
  }
  // Work remains only after a backoff: sleep until it ends (or a session's end wakes the loop).
  if (running > 0) return { actions, next: { type: 'wait-for-wake' } };
  const until = Math.min(stall.until, now + config.maxWaitMs);
  actions.push(
    { type: 'event', event: { type: 'run.waiting', payload: { until, reason: stall.reason } } },
    report(`Waiting until ${new Date(until).toISOString()}: ${stall.reason}.`),
  );
  return { actions, next: { type: 'wait-until', until } };
}

/**
 * The budget's part of a decision: the 80 % warning (once), and whether the budget is used up: less is left of it
 * than a coding session typically costs, counting only what sessions cost (then the reason, else null). What running
 * sessions hold is not spent: it only keeps new sessions from starting until they end (`affordable`).
 */
function budgetCheck(budget: BudgetState, actions: SchedulerAction[]): string | null {
  const { scope, limitUsd, usedUsd } = budget;
  const which = scope === 'run' ? 'run budget (--max-cost / budget.runUsd)' : 'daily budget (budget.dailyUsd)';
  const left = Math.max(0, limitUsd - usedUsd);
  if (!budget.warned && usedUsd >= BUDGET_WARNING_SHARE * limitUsd) {
    actions.push(
      { type: 'note-budget-warned' },
      { type: 'event', event: { type: 'run.budget_warning', payload: { scope, limitUsd, usedUsd } } },
      report(`Budget warning: ${usd(usedUsd)} of the ${usd(limitUsd)} ${which} is used (${usd(left)} left).`),
    );
  }
  if (left >= budget.floors.coding) return null;
  return `Budget reached: ${usd(usedUsd)} of the ${usd(limitUsd)} ${which} is used; ${usd(left)} left is less than a coding session costs (${usd(budget.floors.coding)}), so no session starts.`;
}

/** Enough landings since the last regression pass for the next (none while one runs). */
function regressionDue(state: SchedulerState): boolean {
  const every = state.config.regressionEvery;
  return every > 0 && !state.regressionRunning && state.landingsSinceRegression >= every;
}

/**
 * Before the run ends: a regression pass still running is waited for, and one is started when
 * regression passes are on and something landed since the last. Null: the run may end now.
 */
function endOfRun(state: SchedulerState, actions: readonly SchedulerAction[]): Decision | null {
  if (state.regressionRunning || state.checkpointRunning || state.designRunning)
    return { actions, next: { type: 'wait-for-wake' } };
  if (state.config.regressionEvery > 0 && state.landingsSinceRegression > 0)
    return { actions: [...actions, { type: 'start-regression', reason: 'end' }], next: { type: 'decide-again' } };
  // The last checkpoint reviews what landed since the previous one (its fix features may keep the run going).
  if (state.config.checkpointInterval > 0 && state.mainMovedSinceCheckpoint)
    return {
      actions: [...actions, { type: 'start-checkpoint', trigger: 'end_of_run' }],
      next: { type: 'decide-again' },
    };
  // The last design review looks at what landed since the previous one (its fix features may keep the run going).
  if (state.config.designReviewEvery > 0 && state.landingsSinceDesign > 0 && !state.designReviewOpen)
    return { actions: [...actions, { type: 'start-design', trigger: 'end_of_run' }], next: { type: 'decide-again' } };
  return null;
}

/**
 * The design review iteration to start now, if any; none while one runs or while pausing. The next iteration of an
 * open review comes first; while a review is open (its fixes still to pass) no other starts.
 */
function designStart(state: SchedulerState, pausing: boolean): SchedulerAction | null {
  if (pausing || state.designRunning) return null;
  if (state.designReviewOpen) return state.designRoundDue ? { type: 'start-design', trigger: 'next_iteration' } : null;
  if (state.designRequested) return { type: 'start-design', trigger: 'manual' };
  const every = state.config.designReviewEvery;
  if (every > 0 && state.landingsSinceDesign >= every) return { type: 'start-design', trigger: 'interval' };
  return null;
}

/** Enough landings (fix features not counted) since the last checkpoint for the next; none while one runs. */
function checkpointDue(state: SchedulerState): boolean {
  const every = state.config.checkpointInterval;
  return every > 0 && !state.checkpointRunning && state.landingsSinceCheckpoint >= every;
}

/** The first slot to fill, in slot order: coding, then the supervisor, then testing. */
function nextStart(state: SchedulerState, iterationsLeft: boolean): SchedulerAction | null {
  const { config } = state;
  const busy = new Set(state.active.map((a) => a.slot));
  const free = (from: number, to: number) => {
    for (let slot = from; slot < to; slot++) if (!busy.has(slot)) return slot;
    return null;
  };
  const affordable = (kind: SlotKind) => {
    const b = state.budget;
    return b === null || (!b.refused && b.limitUsd - b.usedUsd - b.reservedUsd >= b.floors[kind]);
  };
  if (iterationsLeft && !state.claimExhausted && affordable('coding')) {
    const slot = free(0, config.coding);
    if (slot !== null) return { type: 'start-coding', slot };
  }
  const supervisorSlot = config.coding + config.testing;
  if (config.supervisor && !busy.has(supervisorSlot) && affordable('supervisor')) {
    const open = state.openRequests.filter((r) => (state.supervisorTries[r.id] ?? 0) < SUPERVISOR_TRIES);
    if (open.length > 0) return { type: 'start-supervisor', slot: supervisorSlot, requestIds: open.map((r) => r.id) };
  }
  if (config.testing > 0 && affordable('testing')) {
    const slot = free(config.coding, config.coding + config.testing);
    const counts = slot === null ? null : state.counts;
    if (slot !== null && counts !== null && counts.passing > 0 && counts.pending + counts.in_progress > 0) {
      // A feature is re-verified by one testing session at a time.
      const verifying = new Set(state.active.filter((a) => a.kind === 'testing').flatMap((a) => a.featureIds));
      const targets = state.regressionCandidates.filter((id) => !verifying.has(id)).slice(0, TESTING_BATCH);
      if (targets.length > 0) return { type: 'start-testing', slot, featureIds: targets };
    }
  }
  return null;
}

/** The end line of a run stopped by --max-iterations, with the progress once its last session ended. */
export function maxIterationsReason(
  maxIterations: number,
  progress: { readonly passing: number; readonly total: number },
): string {
  return `Reached --max-iterations ${maxIterations}; ${progress.passing}/${progress.total} features pass.`;
}

/** The run-wide rate-limit backoff. */
export interface Backoff {
  /** Rate limits in a row (a session that ends otherwise resets it). */
  readonly rateLimits: number;
  readonly rateLimitedUntil: number;
}

export const NO_BACKOFF: Backoff = { rateLimits: 0, rateLimitedUntil: 0 };

/**
 * What a session's end changes: a rate-limited session holds back every new session until the
 * reset time the provider named or, without one, a backoff that doubles while limits repeat (so
 * a hard limit is never hammered); both capped by `maxWaitMs`. `summary` is null when the
 * session could not run at all (that changes nothing).
 */
export function afterSession(
  backoff: Backoff,
  summary: { readonly outcome: string; readonly retryAt: number | null; readonly error: string | null } | null,
  now: number,
  limits: { readonly rateLimitBackoffMs: number; readonly maxWaitMs: number },
): { readonly backoff: Backoff; readonly actions: readonly RecordAction[] } {
  if (summary === null) return { backoff, actions: [] };
  if (summary.outcome !== 'rate_limited') return { backoff: { ...backoff, rateLimits: 0 }, actions: [] };
  const rateLimits = backoff.rateLimits + 1;
  const wait = Math.min(limits.rateLimitBackoffMs * 2 ** (rateLimits - 1), MAX_RATE_LIMIT_BACKOFF_MS);
  const named = summary.retryAt !== null && summary.retryAt > now ? summary.retryAt : null;
  const until = Math.max(backoff.rateLimitedUntil, Math.min(named ?? now + wait, now + limits.maxWaitMs));
  return {
    backoff: { rateLimits, rateLimitedUntil: until },
    actions: [
      { type: 'event', event: { type: 'run.rate_limited', payload: { until, error: summary.error } } },
      report(
        `The model provider refused for a usage or rate limit; no session starts before ${new Date(until).toISOString()}.`,
      ),
    ],
  };
}

function report(line: string): RecordAction {
  return { type: 'report', line };
}

function finish(status: 'finished' | 'stopped', text: string): Decision {
  return { actions: [], next: { type: 'finish', status, reason: { text } } };
}
