import type { ProjectPaths } from '../config/paths.js';
import type { BlockerType } from '../domain/blocker.js';
import type { DependencyGraph } from '../domain/dependency-graph.js';
import type { DurationSample, EstimateTarget } from '../domain/duration-estimate.js';
import type { FeatureStatus } from '../domain/feature.js';
import type { StatusCounts } from '../domain/progress.js';
import type { RunOutcome } from '../domain/run-outcome.js';
import type { AcceptanceCheck, Dispute, Verification } from '../shared/acceptance.js';
import type { BrowserLocator } from '../shared/browser-view.js';
import type { EventBody, EventType, StoredEvent } from '../shared/events.js';
import type { WorkerFeature } from '../shared/workers.js';
import type { HumanInputField, HumanInputKind, HumanInputRequestDTO, HumanInputValue } from '../shared/human-input.js';
import type {
  Checkpoint,
  CheckpointAgent,
  CheckpointReview,
  CheckpointTrigger,
  Finding,
  FindingSeverity,
  FindingSighting,
  FindingSource,
  FindingStatus,
  NewFinding,
  ToolFact,
} from '../shared/checkpoints.js';
import type {
  AxeCounts,
  DesignFinding,
  DesignIteration,
  DesignSighting,
  DesignTrigger,
  NewDesignFinding,
  PersonaName,
  PersonaVote,
  Viewport,
} from '../shared/design.js';

/**
 * The storage port: what autocoder asks of a project's store and of the registry, with no SQL
 * and no connection in sight. `src/db/stores.ts` builds the SQLite implementation; a store of
 * another kind implements the same interfaces and passes the same contract suite
 * (`test/contract/`). Everything here is synchronous: every write is one transaction that
 * commits (with its events) or changes nothing.
 */

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

// ── Features ─────────────────────────────────────────────────────────────────

/** A feature as the rest of autocoder sees it (camelCase; the claim token is never exposed). */
export interface Feature {
  readonly id: number;
  readonly priority: number;
  readonly category: string;
  readonly name: string;
  readonly description: string;
  readonly steps: string[];
  readonly status: FeatureStatus;
  readonly dependencies: number[];
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly runAfter: number;
  readonly unblocks: number;
  /** Estimated slot time until it passes, from the project's history (0 until a run estimated it). */
  readonly estimateMs: number;
  /** Estimated time from its start to the end of its dependents, the claim order after priority (0 until estimated). */
  readonly pathMs: number;
  readonly skipCount: number;
  readonly blockerType: BlockerType | null;
  readonly blockerNote: string | null;
  readonly blockedSince: number | null;
  readonly claimEpoch: number;
  readonly claimedBy: string | null;
  readonly leaseExpiresAt: number | null;
  readonly heartbeatAt: number | null;
  readonly branch: string | null;
  /** The commit the merge queue is landing (set before main moves, cleared on pass). */
  readonly landingCommit: string | null;
  readonly verify: string | null;
  /** The frozen acceptance checks (null: none, so the feature can never be verified). */
  readonly acceptance: AcceptanceCheck[] | null;
  /** sha256 of the checks' canonical JSON, set with them (null without checks). */
  readonly acceptanceHash: string | null;
  /** The verification that landed it, while it passes (null when it landed without one). */
  readonly verificationId: string | null;
  readonly evidence: unknown[];
  readonly notes: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheReadTokens: number;
  readonly cacheCreationTokens: number;
  readonly costUsd: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly startedAt: number | null;
  readonly passedAt: number | null;
  readonly lastVerifiedAt: number | null;
}

export interface NewFeature {
  readonly category: string;
  readonly name: string;
  readonly description: string;
  readonly steps: readonly string[];
  readonly priority?: number | undefined;
  readonly dependencies?: readonly number[] | undefined;
  readonly maxAttempts?: number | undefined;
  readonly verify?: string | null | undefined;
  /** Acceptance checks (validated with AcceptanceSchema and frozen with their hash); none: "not verified". */
  readonly acceptance?: readonly AcceptanceCheck[] | null | undefined;
}

/** Fields a human may edit on a feature that is not being worked on and not passing. */
export interface FeatureUpdate {
  readonly category?: string | undefined;
  readonly name?: string | undefined;
  readonly description?: string | undefined;
  readonly steps?: readonly string[] | undefined;
  readonly priority?: number | undefined;
}

export interface BulkFeature extends Omit<NewFeature, 'dependencies'> {
  /** 0-based indices of earlier items in the same batch. */
  readonly dependsOnIndices?: readonly number[] | undefined;
}

export interface BulkResult {
  readonly created: Feature[];
  /** Items whose category+name already existed: not re-created; their index maps to the existing id. */
  readonly duplicates: { index: number; name: string; existingId: number }[];
}

export interface GraphView {
  nodes: {
    id: number;
    name: string;
    category: string;
    status: FeatureStatus;
    priority: number;
    dependencies: number[];
    ready: boolean;
    blocked: boolean;
  }[];
  edges: { source: number; target: number }[];
}

/** The feature backlog and its dependency graph. */
export interface FeaturePort {
  /** The feature, or NOT_FOUND. */
  get(id: number): Feature;
  find(id: number): Feature | undefined;
  /** In scheduling order: priority, then `unblocks` descending, then id. */
  list(filter?: { status?: FeatureStatus }): Feature[];
  /** Name and status of each of `ids` that exists (cheap: no dependencies, notes or evidence). */
  summaries(ids: readonly number[]): Map<number, { name: string; status: FeatureStatus }>;
  stats(): StatusCounts;
  create(input: NewFeature): Feature;
  /** Many at once; an item whose category+name exists is not created again (see BulkResult). */
  createBulk(items: readonly BulkFeature[]): BulkResult;
  addDependency(featureId: number, dependsOn: number): Feature;
  removeDependency(featureId: number, dependsOn: number): Feature;
  /** Replaces a feature's dependencies; refuses (and changes nothing) if that would make a cycle. */
  setDependencies(featureId: number, dependsOn: readonly number[]): Feature;
  /** A human edit; refused while the feature is in progress or passing. */
  update(featureId: number, patch: FeatureUpdate): Feature;
  /** Refused while in progress; dependents lose the dependency. */
  delete(featureId: number): Feature;
  /**
   * A human sends a waiting feature to the back of the queue (no claim involved); `blockerType` records why (with
   * `reason` as the blocker's note).
   */
  humanSkip(featureId: number, reason: string | null, blockerType?: BlockerType | null): Feature;
  /** failed → pending with a fresh set of attempts. */
  retry(featureId: number): Feature;
  /** passing → pending (a human re-opens it). */
  reopen(featureId: number, reason?: string | null): Feature;
  /** Claimable now (pending, dependencies passing, backoff elapsed, attempts left), in claim order. */
  ready(limit: number): Feature[];
  readyCount(): number;
  /** Features not yet passing or failed, as the duration estimator sees them (id order). */
  durationTargets(): EstimateTarget[];
  /** Stores each feature's estimated slot time and estimated path (0 for ids not given); how many rows changed. */
  setDurationEstimates(estimates: ReadonlyMap<number, number>, paths: ReadonlyMap<number, number>): number;
  /** Features waiting for at least one dependency that is not passing, with what blocks them. */
  blocked(limit: number): { total: number; features: (Feature & { blockedBy: number[] })[] };
  graph(): GraphView;
  /**
   * Passing features that have gone longest without re-verification; with `unseenSinceLastLanding`, only those last
   * landed or verified before the newest landing (main may have broken them since; the others were seen on main as
   * it is: what the runner's testing slots take).
   */
  forRegression(limit: number, options?: { readonly unseenSinceLastLanding?: boolean }): Feature[];
  loadGraph(): DependencyGraph;
}

// ── Claims ───────────────────────────────────────────────────────────────────

/** Proof of holding a feature. Every write about a claimed feature is compare-and-set on `token`. */
export interface Claim {
  readonly featureId: number;
  readonly token: string;
  readonly epoch: number;
  readonly owner: string;
}

export interface ClaimResult {
  readonly claim: Claim;
  readonly feature: Feature;
}

export interface ClaimPolicy {
  /** How long a claim lives without a heartbeat. */
  readonly leaseMs: number;
  /** Backoff before a failed attempt is retried: base · 2^(attempt-1), capped. */
  readonly backoffBaseMs: number;
  readonly backoffCapMs: number;
}

export const DEFAULT_CLAIM_POLICY: ClaimPolicy = { leaseMs: 90_000, backoffBaseMs: 15_000, backoffCapMs: 600_000 };

/** How a feature landed, for `markPassing`. */
export interface Landed {
  /** The passed verification of the commit that landed (absent: the feature has no checks, "not verified"). */
  readonly verificationId?: string;
  /** The merge queue rebased the branch onto main itself before it landed (main had moved on). */
  readonly rebased?: boolean;
}

/**
 * Atomic claims with leases and token-guarded outcomes. Any number of processes may claim from
 * one project at once; no feature is ever held by two claims.
 */
export interface ClaimPort {
  /** Claims the next ready feature for `owner`, or null when nothing is ready. */
  claimNext(owner: string): ClaimResult | null;
  /** Claims one specific feature; it must be ready (pending, dependencies passing, attempts left). */
  claimFeature(featureId: number, owner: string): ClaimResult;
  /** Extends the lease. False when the claim was lost: the holder must stop at once. */
  heartbeat(claim: Claim): boolean;
  /** Whether `claim` is still the live claim on its feature. */
  holds(claim: Claim): boolean;
  /** Records the commit the merge queue is about to land for this claim (false: claim lost). */
  recordLanding(claim: Claim, commit: string): boolean;
  /**
   * The feature passes. With `landing.verificationId` it is linked to the verification that let it land, which must
   * be this feature's and have passed (else CONFLICT, nothing written); `landing.rebased` goes on its event.
   */
  markPassing(claim: Claim, evidence?: unknown, landing?: Landed): Feature;
  /** The attempt failed: retry later with backoff, or `failed` once attempts are used up. */
  markFailing(claim: Claim, reason: string): Feature;
  /** Gives the feature up for now: back of the queue with a classified blocker. */
  skip(claim: Claim, reason: string, blockerType: BlockerType): Feature;
  /** Hands the claim back without counting the attempt. */
  release(claim: Claim, note?: string): Feature;
  /** Returns expired leases to the queue (or to `failed`); the ids it freed. */
  reapExpired(): number[];
  /** Frees every claim whose owner starts with `ownerPrefix` (a dead run's sessions). */
  releaseOwnedBy(ownerPrefix: string, note: string): number[];
  /** A passing feature regressed: back to pending with the evidence. */
  regress(featureId: number, reason: string, sessionId: string | null, evidence?: unknown): Feature;
  /** A regression check found the passing feature still works. */
  recordVerified(featureId: number, sessionId: string | null): Feature;
}

// ── Human input ──────────────────────────────────────────────────────────────

/** A human-input request as stored (the wire form: no secret values exist here). */
export type HumanInputRequest = HumanInputRequestDTO;

export interface NewHumanInputRequest {
  readonly kind: HumanInputKind;
  readonly prompt: string;
  readonly fields: readonly HumanInputField[];
}

export interface HumanInputAnswer {
  /** Non-secret values only. */
  readonly values: Readonly<Record<string, HumanInputValue>>;
  /** field id → the `.env` key its secret was written under. */
  readonly secretKeys: Readonly<Record<string, string>>;
  readonly by: 'human' | 'supervisor';
  /** Supervisor answers: field id → why. */
  readonly reasons?: Readonly<Record<string, string>>;
  /** `.env` keys the supervisor filled with development placeholders. */
  readonly placeholderKeys?: readonly string[];
}

/** Human input gates: asking moves a claimed feature to `needs_input`; answering or cancelling moves it back. */
export interface HumanInputPort {
  /** The session holding `claim` asks; the feature leaves the session (attempt refunded). */
  request(claim: Claim, input: NewHumanInputRequest): { request: HumanInputRequest; feature: Feature };
  get(id: string): HumanInputRequest;
  /** Open requests (oldest first), or all (newest first). */
  list(filter?: { status?: 'open' | 'all'; featureId?: number }): HumanInputRequest[];
  openFor(featureId: number): HumanInputRequest | undefined;
  /** Records an answer (validated; secrets already in `.env`): the feature goes back to pending, first in line. */
  answer(id: string, answer: HumanInputAnswer): { request: HumanInputRequest; feature: Feature };
  /** The supervisor-answered request `id`, if a human may override it now; else why not (AppError). */
  overridable(id: string): HumanInputRequest;
  /** A human replaces the supervisor's answer; the feature re-opens. */
  override(
    id: string,
    answer: Omit<HumanInputAnswer, 'by' | 'reasons' | 'placeholderKeys'>,
  ): { request: HumanInputRequest; feature: Feature };
  /** Withdraws the request: the feature goes back to pending with the reason as a note. */
  cancel(
    id: string,
    reason: string | null,
    by?: 'human' | 'supervisor',
  ): { request: HumanInputRequest; feature: Feature };
  /** Every `.env` key that holds an answered secret. */
  secretKeys(): string[];
}

// ── Acceptance disputes ──────────────────────────────────────────────────────

/** A dispute as stored (the wire form). */
export type AcceptanceDispute = Dispute;

export interface DisputeDecision {
  /** true: the proposed checks replace the frozen ones (a new hash); false: they stay. */
  readonly accept: boolean;
  readonly by: 'human' | 'supervisor';
  readonly reason: string | null;
}

/**
 * Disputes of frozen acceptance checks. Disputing hands the claimed feature over the way a
 * human-input request does (it is one: the request asks for the decision, so the Inbox, the
 * supervisor and the run's waiting see it); deciding closes that request too, and answering or
 * cancelling the request through the human-input port decides the dispute.
 */
export interface DisputePort {
  /**
   * The session holding `claim` disputes its feature's checks: in one write the dispute and its request are recorded
   * and the feature leaves the session (`needs_input`, claim cleared, attempt refunded).
   */
  open(
    claim: Claim,
    input: { readonly reason: string; readonly proposed: readonly AcceptanceCheck[] },
  ): { dispute: AcceptanceDispute; request: HumanInputRequest; feature: Feature };
  /** The dispute, or NOT_FOUND. */
  get(id: string): AcceptanceDispute;
  /** Open disputes (oldest first), or all (newest first). */
  list(filter?: { status?: 'open' | 'all'; featureId?: number }): AcceptanceDispute[];
  /** The dispute a human-input request asks about, if it is one. */
  forRequest(requestId: string): AcceptanceDispute | undefined;
  /**
   * Decides an open dispute (a second decision is CONFLICT, nothing changed): accepted, the proposed checks replace the
   * old ones with a new hash; rejected, they stay. The request is closed, and the feature goes back to pending, first
   * in line, with a note saying what was decided.
   */
  decide(id: string, decision: DisputeDecision): { dispute: AcceptanceDispute; feature: Feature };
}

// ── Verifications ────────────────────────────────────────────────────────────

/**
 * Runs of a feature's frozen checks on one commit, as the verification engine reports them
 * (src/verify: its `VerificationRecorder` maps onto start / progress / finish).
 */
export interface VerificationPort {
  /** Records a verification that began (status `running`); refuses another status, a known id, an unknown feature. */
  start(verification: Verification): Verification;
  /** The results so far of a running verification (one check finished); false when it is not running. */
  progress(verification: Verification): boolean;
  /** Records how it ended (passed, failed or error, with every check's result); refuses one not running. */
  finish(verification: Verification): Verification;
  /** The verification, or NOT_FOUND. */
  get(id: string): Verification;
  /** A feature's verifications, newest first. */
  list(featureId: number, limit?: number): Verification[];
  /** The newest verification of each feature that has one (of `featureIds`, or all). */
  latest(featureIds?: readonly number[]): Map<number, Verification>;
  /** Passing features whose newest finished verification passed. */
  verifiedCount(): number;
}

// ── Sessions ─────────────────────────────────────────────────────────────────

export type SessionStatus = 'running' | 'succeeded' | 'failed' | 'aborted';

export interface SessionUsage {
  readonly turns: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheReadTokens: number;
  readonly cacheCreationTokens: number;
  readonly costUsd: number;
}

export interface SessionRecord extends SessionUsage {
  readonly id: string;
  readonly runId: string | null;
  readonly slot: number | null;
  readonly role: string;
  readonly featureIds: number[];
  readonly model: string | null;
  readonly status: SessionStatus;
  readonly outcome: string | null;
  readonly startedAt: number;
  readonly endedAt: number | null;
  readonly transcriptPath: string | null;
  readonly error: string | null;
}

export interface NewSession {
  readonly id: string;
  readonly runId: string | null;
  readonly slot: number | null;
  readonly role: string;
  readonly featureIds: readonly number[];
  readonly model: string | null;
  readonly transcriptPath: string;
  /** Where the session's browser is found once `playwright-cli` opens one (recorded with `session.started`). */
  readonly browser?: BrowserLocator;
}

/**
 * A session of a run that has not ended, with its first feature's name (what the run status and the live view show).
 */
export interface RunningSession {
  readonly slot: number;
  readonly sessionId: string;
  readonly role: string;
  readonly featureId: number | null;
  readonly featureName: string | null;
  readonly startedAt: number;
}

/** Agent sessions: one record each, with usage summed onto the features they worked on. */
export interface SessionPort {
  start(input: NewSession): void;
  /** Ends a session and adds its tokens and cost to each feature it worked on (split evenly). */
  end(
    id: string,
    result: { status: SessionStatus; outcome: string; usage: SessionUsage; error: string | null },
  ): SessionRecord;
  get(id: string): SessionRecord | undefined;
  list(filter?: { runId?: string; featureId?: number }): SessionRecord[];
  /** Sessions of `runId` still running, by slot then start. */
  running(runId: string): RunningSession[];
  /** What the sessions of `runId` cost so far (USD). */
  costOfRun(runId: string): number;
  /** Marks sessions of dead runs that never ended as aborted (crash recovery); how many. */
  abortRunning(runIds: readonly string[], error: string): number;
  /**
   * Finished coding sessions on one feature each, as duration samples: not aborted or cut short by a rate limit (their
   * length says nothing about the work); `passed` when the feature passed while the session ran.
   */
  durationHistory(): DurationSample[];
}

// ── Budgets ──────────────────────────────────────────────────────────────────

/** The three budgets a session's cost counts against (USD); null: that budget is not set. */
export interface BudgetLimits {
  readonly runUsd: number | null;
  readonly featureUsd: number | null;
  readonly dailyUsd: number | null;
}

export type BudgetScope = 'run' | 'feature' | 'day';

export interface ReservationRequest {
  readonly id: string;
  readonly runId: string | null;
  /** The feature the session works on (its budget counts); null for a session of no one feature. */
  readonly featureId: number | null;
  readonly role: string;
  readonly limits: BudgetLimits;
  /** Start of the current day (ms epoch): the daily budget counts what was spent since. */
  readonly dayStart: number;
  /** Refuse when less than this is left (the median cost of the role's sessions, or a floor). */
  readonly minUsd: number;
  /**
   * The share of what is left to hold (default 1): with N slots, 1/N leaves room for the others. Never less than
   * `minUsd`, never more than is left.
   */
  readonly share?: number;
  /**
   * An open reservation whose hold does not count against this one: the session this one runs inside (a verifier
   * inside the coding session waiting for its verdict), whose hold would otherwise leave it nothing. Its recorded
   * cost counts as always.
   */
  readonly alongside?: string;
}

export type ReservationResult =
  /** `amountUsd` is what was left of the tightest budget (null: no budget is set, nothing was held back). */
  | { readonly ok: true; readonly id: string; readonly amountUsd: number | null }
  /** The tightest budget has less than `minUsd` left. */
  | { readonly ok: false; readonly scope: BudgetScope; readonly leftUsd: number; readonly limitUsd: number };

/** What one budget's scope has used: the recorded costs plus the open reservations (USD). */
export interface BudgetUse {
  readonly spentUsd: number;
  readonly reservedUsd: number;
}

/**
 * Budgets enforced across slots and processes: `reserve` checks what is left and holds it in one transaction, so two
 * sessions cannot both take the last dollars; `settle` releases the hold once the session's real cost is recorded.
 */
export interface BudgetPort {
  reserve(request: ReservationRequest): ReservationResult;
  /** Settles an open reservation with the session's real cost (false: no such open reservation). */
  settle(id: string, costUsd: number): boolean;
  /** Releases every open hold of a run (a run that died, or one that ends); how many. */
  releaseRun(runId: string): number;
  /** What a scope has used: a run's sessions, a feature's cost, or every session since `since`. */
  use(scope: { readonly runId: string } | { readonly featureId: number } | { readonly since: number }): BudgetUse;
  /** The median cost of the ended sessions of `role` that cost anything; null when there are none. */
  medianCost(role: string): number | null;
}

// ── Runs ─────────────────────────────────────────────────────────────────────

export type RunRecordStatus =
  'starting' | 'running' | 'draining' | 'paused' | 'stopping' | 'finished' | 'failed' | 'crashed';

export const ACTIVE_RUN_STATUSES: readonly RunRecordStatus[] = [
  'starting',
  'running',
  'draining',
  'paused',
  'stopping',
];

export interface RunRecord {
  readonly id: string;
  readonly pid: number | null;
  readonly host: string | null;
  readonly incarnation: string;
  readonly status: RunRecordStatus;
  readonly settings: Record<string, unknown>;
  readonly startedAt: number;
  readonly heartbeatAt: number | null;
  readonly endedAt: number | null;
  readonly endReason: string | null;
  /** How it ended for a person (src/domain/run-outcome.ts); null while it runs, and for old runs nobody can tell. */
  readonly outcome: RunOutcome | null;
  /** The backlog when it ended: features passing of total (null while it runs, or for runs ended before #21). */
  readonly featuresPassing: number | null;
  readonly featuresTotal: number | null;
  /** What its sessions cost, summed when it ended (null while it runs). */
  readonly costUsd: number | null;
  /** A pause or stop asked of the run from any machine (#20: shared runs); null when none is. */
  readonly control: RunControl | null;
}

/** What a person may ask of a run through the database (#20): its owner drains and idles, or stops. */
export type RunControl = 'pause' | 'stop';

/**
 * How a run ended, besides its reason: stopped by a signal, the claims a crash recovery freed, and its outcome with the
 * backlog it was derived from (stored with the end; the cost is summed from its sessions in the same transaction).
 */
export interface RunEndDetails {
  readonly stopped?: boolean;
  readonly released?: readonly number[];
  readonly outcome?: RunOutcome;
  readonly counts?: { readonly passing: number; readonly total: number };
}

/** Runner processes of a project: who runs, since when, and how each run ended. */
export interface RunPort {
  start(input: {
    id: string;
    pid: number;
    host: string;
    incarnation: string;
    settings: Record<string, unknown>;
  }): RunRecord;
  setStatus(id: string, status: 'running' | 'draining' | 'paused'): void;
  heartbeat(id: string): void;
  /** Asks the run for a pause or a stop, or withdraws the ask (null: resume); false when the run has ended. */
  requestControl(id: string, control: RunControl | null): boolean;
  end(id: string, status: 'finished' | 'failed' | 'crashed', reason: string, details?: RunEndDetails): void;
  /** Runs recorded as active (their process may have died), oldest first. */
  active(): RunRecord[];
  get(id: string): RunRecord | undefined;
  latest(): RunRecord | undefined;
  /** Every run, oldest first (what the metrics measure active time over). */
  list(): RunRecord[];
  /** The newest run started by process `pid`. */
  latestOfPid(pid: number): RunRecord | undefined;
}

// ── Events ───────────────────────────────────────────────────────────────────

/** An event to append: one of the catalogue's (src/shared/events.ts) with where it happened. */
export type NewEvent = EventBody & {
  readonly at: number;
  readonly runId?: string | null;
  readonly sessionId?: string | null;
  readonly featureId?: number | null;
  readonly slot?: number | null;
};

/**
 * The append-only event log: the bus between the runner and its watchers. Appending accepts
 * only the catalogue's events (validated); reading never fails on a row it cannot read (it
 * comes back as an `unknown` event).
 */
export interface EventPort {
  /** Appends one event in its own transaction (writes that make a change append theirs inside it). */
  append(event: NewEvent): number;
  /** Appends several in one transaction: all or none. */
  appendAll(events: readonly NewEvent[]): number[];
  /** Events after `cursor` in id order: the cursor the live UI resumes from. */
  since(cursor: number, limit: number): StoredEvent[];
  /** The newest event's id; 0 when there is none. */
  lastId(): number;
  /** Every event of `types`, oldest first (id order): what the metrics replay. Unreadable rows come back as unknown. */
  ofTypes(types: readonly EventType[]): StoredEvent[];
  /** The newest events matching the filter, newest first. */
  latest(filter: {
    readonly types?: readonly EventType[];
    readonly sessionId?: string;
    readonly featureId?: number;
    readonly upTo?: number;
    readonly limit: number;
  }): StoredEvent[];
  /**
   * A value that changes whenever anything may have been committed since it was last read (by
   * this store or anyone else), so a poller can skip reading when it has not changed.
   */
  changeMark(): string;
}

// ── Stores ───────────────────────────────────────────────────────────────────

/** One project's store: its repositories over one connection, built in one place (stores.ts). */
// ── Checkpoints and findings (#17) ──────────────────────────────────────────

export interface NewCheckpoint {
  readonly runId: string | null;
  readonly trigger: CheckpointTrigger;
  readonly commit: string;
  readonly previousCommit: string | null;
  readonly agents: readonly CheckpointAgent[];
  /** Passing features when it starts. */
  readonly passing: number;
}

/** A finding as a checkpoint sees it: what was reported, by which reviewer kind, from a session or a tool. */
export interface FindingReport extends NewFinding {
  readonly agent: CheckpointAgent;
  readonly source: FindingSource;
}

export interface FindingFilter {
  readonly status?: FindingStatus | undefined;
  readonly agent?: CheckpointAgent | undefined;
  readonly severity?: FindingSeverity | undefined;
  /** Seen in this checkpoint. */
  readonly checkpoint?: number | undefined;
  /** Resolved by this checkpoint. */
  readonly resolvedIn?: number | undefined;
}

/**
 * Checkpoints and their findings. A finding is one problem across checkpoints (its fingerprint is unique): seeing it
 * again counts a sighting; a checkpoint that reviewed its kind and did not see it resolves it; a fix feature's pass
 * marks it fix_pending; a person may dismiss it (kept, with the reason).
 */
export interface CheckpointPort {
  /** Starts checkpoint n (the newest + 1) and appends `checkpoint.started`. */
  start(input: NewCheckpoint): Checkpoint;
  /** NOT_FOUND when there is no checkpoint n. */
  get(n: number): Checkpoint;
  list(): Checkpoint[];
  /** The newest checkpoint that finished (the next one's diff base), if any. */
  latestFinished(): Checkpoint | undefined;
  /** A checkpoint still running (at most one runs at a time), if any. */
  running(): Checkpoint | undefined;
  recordFacts(n: number, facts: readonly ToolFact[]): void;
  /** Adds or replaces the review of `review.agent`. */
  recordReview(n: number, review: CheckpointReview): void;
  /** Records a sighting at checkpoint n: a known fingerprint is the same finding (a resolved one opens again). */
  see(n: number, report: FindingReport): { readonly finding: Finding; readonly isNew: boolean };
  /**
   * Creates the fix feature of a finding (first in line) and links them, in one transaction; null when the finding
   * already has one that is not passing.
   */
  createFixFeature(
    n: number,
    findingId: string,
    feature: NewFeature,
    /** More findings the same feature fixes (a tool's problems), linked in the same transaction. */
    alsoFor?: readonly string[],
  ): Feature | null;
  /**
   * Ends checkpoint n with its cost: each open or fix_pending finding of a `reviewed` kind not seen in it is
   * resolved by it; appends `checkpoint.finished`. One transaction. Returns the checkpoint and what it resolved.
   */
  finish(
    n: number,
    end: {
      readonly status: 'finished' | 'failed' | 'aborted';
      readonly costUsd: number;
      readonly error: string | null;
      readonly reviewed: readonly CheckpointAgent[];
    },
  ): { readonly checkpoint: Checkpoint; readonly resolved: Finding[] };
  setReportPath(n: number, path: string): void;
  /** A fix feature landed: its open findings become fix_pending (the next checkpoint of their kind confirms). */
  fixLanded(featureId: number): Finding[];
  /** A person's "not a problem": kept with the reason, never reopened by a sighting. */
  dismiss(findingId: string, reason: string): Finding;
  finding(id: string): Finding;
  findings(filter?: FindingFilter): Finding[];
  sightings(findingId: string): FindingSighting[];
  /** Checkpoints left running by a runner that died end as aborted; how many. */
  abortRunning(reason: string): number;
}

// ── Design review (#18) ──────────────────────────────────────────────────────

export interface NewDesignIteration {
  readonly runId: string | null;
  readonly trigger: DesignTrigger;
  readonly commit: string;
  /** The personas asked to review it (each gets a vote entry when the runner records its session). */
  readonly personas: readonly PersonaName[];
}

/** A design finding as an iteration sees it: from a persona's session (`agent`) or axe-core (`tool`, no persona). */
export type DesignFindingReport = NewDesignFinding &
  ({ readonly source: 'agent'; readonly persona: PersonaName } | { readonly source: 'tool'; readonly persona: null });

export interface DesignFindingFilter {
  readonly status?: FindingStatus | undefined;
  /** Reported first by this persona. */
  readonly persona?: PersonaName | undefined;
  readonly severity?: FindingSeverity | undefined;
  readonly page?: string | undefined;
  readonly viewport?: Viewport | undefined;
  /** Seen in this iteration. */
  readonly iteration?: number | undefined;
  /** Resolved by this iteration. */
  readonly resolvedIn?: number | undefined;
}

/**
 * Design review iterations and their findings, the way CheckpointPort keeps checkpoints': a design finding is one
 * problem across iterations and personas (its fingerprint is unique, domain/design-review.ts); seeing it again counts
 * a sighting; an iteration that finished without seeing it, while a persona who had seen it voted (or axe ran, for an
 * axe finding), resolves it; a fix feature's pass marks it fix_pending; a person may dismiss it.
 */
export interface DesignPort {
  /**
   * Starts iteration n (the newest + 1; one runs at a time) with its capture folder; appends
   * `design.iteration_started`.
   */
  start(input: NewDesignIteration): DesignIteration;
  /** NOT_FOUND when there is no iteration n. */
  get(n: number): DesignIteration;
  list(): DesignIteration[];
  running(): DesignIteration | undefined;
  latestFinished(): DesignIteration | undefined;
  /** Adds or replaces the vote entry of `vote.persona` (one of the iteration's personas). */
  recordVote(n: number, vote: PersonaVote): void;
  /** The capture's axe-core violations by impact. */
  recordAxe(n: number, counts: AxeCounts): void;
  /** Records a sighting at iteration n (running): a known fingerprint is the same finding (a resolved one reopens). */
  see(n: number, report: DesignFindingReport): { readonly finding: DesignFinding; readonly isNew: boolean };
  /**
   * Creates the design fix feature of a finding (first in line) and links them in one transaction; null when the
   * finding already has one that is not passing. INVALID_INPUT for a finding that is not critical or major.
   */
  createFixFeature(n: number, findingId: string, feature: NewFeature): Feature | null;
  /**
   * Ends iteration n in one transaction: when finished, its outcome (domain iterationOutcome of its votes and axe
   * counts) and the findings it resolves; appends `design.iteration_finished`. Failed and aborted iterations have no
   * outcome and resolve nothing.
   */
  finish(
    n: number,
    end: {
      readonly status: 'finished' | 'failed' | 'aborted';
      readonly costUsd: number;
      readonly error: string | null;
    },
  ): { readonly iteration: DesignIteration; readonly resolved: DesignFinding[] };
  setReportPath(n: number, path: string): void;
  /** A design fix feature landed: its open findings become fix_pending (the next iteration confirms). */
  fixLanded(featureId: number): DesignFinding[];
  /** A person's "not a problem": kept with the reason, never reopened by a sighting. */
  dismiss(findingId: string, reason: string): DesignFinding;
  finding(id: string): DesignFinding;
  findings(filter?: DesignFindingFilter): DesignFinding[];
  sightings(findingId: string): DesignSighting[];
  /** Iterations left running by a runner that died end as aborted; how many. */
  abortRunning(reason: string): number;
}

/**
 * A lock every process sharing a store sees (#20: PostgreSQL's session advisory lock, held by the store's connection):
 * a process that dies, or loses its connection, loses it with it.
 */
export interface SharedLock {
  /** Takes it when nobody holds it; false when another process does. Never waits. */
  tryAcquire(): boolean;
  /** Gives it back (nothing when this process does not hold it). */
  release(): void;
}

export interface ProjectStore {
  readonly paths: ProjectPaths;
  /**
   * A lock named `purpose` that every process sharing the store sees; absent where only one machine uses the store
   * (SQLite), whose processes coordinate through the project folder.
   */
  readonly sharedLock?: (purpose: string) => SharedLock;
  readonly features: FeaturePort;
  readonly claims: ClaimPort;
  readonly humanInput: HumanInputPort;
  readonly disputes: DisputePort;
  readonly verifications: VerificationPort;
  readonly sessions: SessionPort;
  readonly runs: RunPort;
  readonly events: EventPort;
  readonly budget: BudgetPort;
  readonly checkpoints: CheckpointPort;
  readonly design: DesignPort;
  close(): void;
}

// ── Registry ─────────────────────────────────────────────────────────────────

export interface RegisteredProject {
  readonly name: string;
  readonly path: string;
  readonly createdAt: number;
}

/** A settings change that widened what agents may do, as recorded (values as JSON-able data, null when unset). */
export interface SettingsChangeRecord {
  readonly project: string | null;
  readonly key: string;
  readonly old: unknown;
  readonly new: unknown;
  readonly origin: string;
}

export interface StoredSettingsChange extends SettingsChangeRecord {
  readonly id: number;
  readonly at: number;
}

/** A process working runs (#20), as the registry keeps it; its state comes from shared/workers.ts `workerStatus`. */
export interface WorkerRecord {
  readonly name: string;
  readonly host: string;
  readonly pid: number;
  readonly slots: number;
  readonly startedAt: number;
  readonly heartbeatAt: number;
  readonly stoppedAt: number | null;
  readonly current: WorkerFeature[];
}

/** Project names → folders, the settings kept out of every agent's reach, and the workers. */
export interface RegistryPort {
  list(): RegisteredProject[];
  find(name: string): RegisteredProject | undefined;
  findByPath(path: string): RegisteredProject | undefined;
  add(name: string, path: string): RegisteredProject;
  remove(name: string): RegisteredProject;
  getSetting(key: string): string | undefined;
  setSetting(key: string, value: string): void;
  /** Removes a global setting; whether it was set. */
  deleteSetting(key: string): boolean;
  getProjectSetting(project: string, key: string): string | undefined;
  setProjectSetting(project: string, key: string, value: string): void;
  /** Appends to the append-only record of widening changes; call it in the transaction that made the change. */
  recordSettingsChange(change: SettingsChangeRecord): number;
  /** Recorded changes, newest first; `project` narrows to one project's. */
  settingsChanges(options: { project?: string | undefined; limit: number }): StoredSettingsChange[];
  /**
   * Registers (or re-registers) a worker, heartbeat now. A name held by another process that is still online is
   * refused (CONFLICT); one that is offline or stopped is taken over.
   */
  registerWorker(worker: { name: string; host: string; pid: number; slots: number }): WorkerRecord;
  /** The worker's heartbeat with its current features; false when the name is no longer this process's. */
  workerHeartbeat(name: string, pid: number, current: readonly WorkerFeature[]): boolean;
  /** The worker ended cleanly (its current features are cleared); false when the name is no longer its. */
  stopWorker(name: string, pid: number): boolean;
  /** Every worker, by name. */
  workers(): WorkerRecord[];
}

/** The registry store: the registry over one connection. */
export interface RegistryStore {
  readonly registry: RegistryPort;
  /** Runs `fn` in one write transaction: several changes commit together or not at all. */
  transaction<T>(fn: (registry: RegistryPort) => T): T;
  close(): void;
}
