import { z } from 'zod';
import { DISPUTE_STATUSES, VERIFICATION_STATUSES, VERIFICATION_TRIGGERS } from './acceptance.js';
import { BLOCKER_TYPE_VALUES, FEATURE_STATUS_VALUES } from './feature-status.js';
import { HUMAN_INPUT_FIELD_TYPES, HUMAN_INPUT_KINDS } from './human-input.js';
import { BrowserLocatorSchema } from './browser-view.js';
import { RunStatusSchema } from './runs.js';
import { CHANGE_ORIGINS } from './settings-widening.js';

// ── The event catalogue ──────────────────────────────────────────────────────
//
// Every type of row the append-only `events` table holds, with its payload: the one list the
// repositories append from (appending validates against it), and the server's tail, the
// WebSocket, `autocoder logs` and the webhooks read from. A row this version does not know (an
// older or newer autocoder wrote it) or whose payload does not match is read as an `unknown`
// event, never a crash.

const FeatureStatusSchema = z.enum(FEATURE_STATUS_VALUES);
const nullableText = z.string().nullable();
const ids = z.array(z.number().int());

/** `type` + `payload` of one event type. */
const event = <T extends string, P extends z.ZodRawShape>(type: T, payload: P) =>
  z.object({ type: z.literal(type), payload: z.object(payload) });

/** One line of an agent session's activity (`session.log`), by kind. */
export const SessionLogPayloadSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), text: z.string() }),
  z.object({
    kind: z.literal('tool_call'),
    tool: z.string(),
    /** The arguments as JSON, cut at the log line limit. */
    input: z.string(),
    /** The call as one readable line (src/shared/tool-call-text.ts), made from the whole input before the cut. */
    line: z.string().optional(),
  }),
  z.object({
    kind: z.literal('tool_result'),
    isError: z.boolean(),
    text: z.string(),
    /** The tool the result answers (rows written before it was recorded have none). */
    tool: z.string().optional(),
  }),
  z.object({
    kind: z.literal('retry'),
    attempt: z.number().int(),
    status: z.number().int().nullable(),
    error: z.string(),
  }),
]);
export type SessionLogPayload = z.infer<typeof SessionLogPayloadSchema>;

/** The fields a `feature.needs_input` event names (loose: their full rules live in human-input.ts). */
const AskedFieldSchema = z.looseObject({ id: z.string(), label: z.string(), type: z.enum(HUMAN_INPUT_FIELD_TYPES) });

/** A run's end: how and why. */
const runEnd = { reason: z.string(), stopped: z.boolean().optional(), released: ids.optional() };

export const EventBodySchema = z.discriminatedUnion('type', [
  // The backlog, changed by agents' tools, humans and the initializer.
  event('feature.created', { name: z.string() }),
  event('feature.bulk_created', { ids, duplicates: z.number().int() }),
  event('feature.updated', { fields: z.array(z.string()) }),
  event('feature.deleted', { name: z.string(), dependents: ids }),
  event('feature.dependencies_changed', { dependencies: ids }),
  // Claims and their outcomes (src/db/claim-repo.ts); `status` is the feature's status afterwards.
  event('feature.claimed', { epoch: z.number().int(), attempt: z.number().int() }),
  // `rebased`: the merge queue rebased the branch onto main itself before it landed (main had moved on).
  event('feature.passed', { status: FeatureStatusSchema, rebased: z.literal(true).optional() }),
  event('feature.failed', {
    reason: z.string(),
    attempts: z.number().int(),
    final: z.boolean(),
    status: FeatureStatusSchema,
  }),
  z.object({
    type: z.literal('feature.skipped'),
    // By the agent holding the claim (with a classified blocker), or by a human (no claim, only the queue position).
    payload: z.union([
      z.object({
        reason: z.string(),
        blockerType: z.enum(BLOCKER_TYPE_VALUES),
        final: z.boolean(),
        status: FeatureStatusSchema,
      }),
      z.object({ reason: nullableText, by: z.literal('human'), blockerType: z.enum(BLOCKER_TYPE_VALUES).optional() }),
    ]),
  }),
  event('feature.released', { note: nullableText, status: FeatureStatusSchema.optional() }),
  event('feature.lease_expired', { status: FeatureStatusSchema }),
  event('feature.regressed', { reason: z.string() }),
  event('feature.verified', {}),
  event('feature.retried', { from: FeatureStatusSchema, status: FeatureStatusSchema }),
  event('feature.reopened', { from: FeatureStatusSchema, status: FeatureStatusSchema }),
  // Human input gates (src/db/human-input-repo.ts).
  event('feature.needs_input', {
    status: FeatureStatusSchema,
    requestId: z.string(),
    kind: z.enum(HUMAN_INPUT_KINDS),
    prompt: z.string(),
    fields: z.array(AskedFieldSchema),
  }),
  event('feature.input_answered', {
    by: z.enum(['human', 'supervisor']),
    fields: z.array(z.string()),
    secretKeys: z.record(z.string(), z.string()),
    placeholderKeys: z.array(z.string()),
    requestId: z.string(),
    status: FeatureStatusSchema,
  }),
  event('feature.input_cancelled', {
    by: z.enum(['human', 'supervisor']),
    reason: nullableText,
    requestId: z.string(),
    status: FeatureStatusSchema,
  }),
  event('feature.input_overridden', {
    requestId: z.string(),
    overrides: z.string(),
    from: FeatureStatusSchema,
    status: FeatureStatusSchema,
    fields: z.array(z.string()),
    secretKeys: z.record(z.string(), z.string()),
  }),
  // Acceptance checks (src/db/dispute-repo.ts): an agent disputes them, a person or the supervisor decides.
  event('acceptance.disputed', {
    disputeId: z.string(),
    requestId: z.string(),
    reason: z.string(),
    hash: nullableText,
    status: FeatureStatusSchema,
  }),
  event('acceptance.decided', {
    disputeId: z.string(),
    decision: z.enum(DISPUTE_STATUSES.filter((s) => s !== 'open') as ['accepted', 'rejected']),
    by: z.enum(['human', 'supervisor']),
    reason: nullableText,
    hashBefore: nullableText,
    hashAfter: nullableText,
    status: FeatureStatusSchema,
  }),
  // Verifications of a feature's frozen checks on one commit (src/db/verification-repo.ts). `verdict`, not
  // `status`: a feature event's `status` is always the feature's.
  event('verification.started', {
    verificationId: z.string(),
    commit: z.string(),
    trigger: z.enum(VERIFICATION_TRIGGERS),
  }),
  event('verification.finished', {
    verificationId: z.string(),
    verdict: z.enum(VERIFICATION_STATUSES.filter((s) => s !== 'running') as ['passed', 'failed', 'error']),
    checks: z.number().int(),
    passed: z.number().int(),
    error: nullableText,
  }),
  // The runner process (src/db/run-repo.ts, src/runner/run-loop.ts).
  event('run.started', { pid: z.number().int(), settings: z.record(z.string(), z.unknown()) }),
  event('run.running', {}),
  event('run.draining', {}),
  event('run.paused', {}),
  // A pause or stop asked of a shared run from any machine, or withdrawn (null: resume) (#20).
  event('run.control', { control: z.enum(['pause', 'stop']).nullable() }),
  event('run.finished', runEnd),
  event('run.failed', runEnd),
  event('run.crashed', runEnd),
  event('run.rate_limited', { until: z.number(), error: nullableText }),
  event('run.waiting', { until: z.number().nullable(), reason: z.string(), requests: z.array(z.string()).optional() }),
  // Budgets (#19): 80 % of the run's or the day's budget is used; all of it is (the run drains and stops).
  event('run.budget_warning', { scope: z.enum(['run', 'day']), limitUsd: z.number(), usedUsd: z.number() }),
  event('run.budget_exhausted', {
    scope: z.enum(['run', 'day']),
    limitUsd: z.number(),
    usedUsd: z.number(),
    reason: z.string(),
  }),
  // Checkpoints (#17; src/checkpoint/): a review of main began / ended; a critical finding drained the run.
  event('checkpoint.started', {
    n: z.number().int(),
    trigger: z.enum(['interval', 'end_of_run', 'manual']),
    commit: z.string(),
    agents: z.array(z.string()),
  }),
  event('checkpoint.finished', {
    n: z.number().int(),
    status: z.enum(['finished', 'failed', 'aborted']),
    counts: z.object({ critical: z.number(), major: z.number(), minor: z.number(), info: z.number() }),
    newFindings: z.number().int(),
    resolvedFindings: z.number().int(),
    fixFeatureIds: ids,
    costUsd: z.number(),
  }),
  event('checkpoint.critical', {
    n: z.number().int(),
    findingIds: z.array(z.string()),
    titles: z.array(z.string()),
    requestId: nullableText,
  }),
  event('finding.dismissed', { findingId: z.string(), reason: z.string() }),
  // Design review (#18): an iteration began / ended (outcome null when it failed or was aborted); a person dismissed
  // a design finding.
  event('design.iteration_started', {
    n: z.number().int(),
    trigger: z.enum(['interval', 'end_of_run', 'manual']),
    commit: z.string(),
    personas: z.array(z.string()),
  }),
  event('design.iteration_finished', {
    n: z.number().int(),
    status: z.enum(['finished', 'failed', 'aborted']),
    outcome: z.enum(['approved', 'changes_requested']).nullable(),
    counts: z.object({ critical: z.number(), major: z.number(), minor: z.number(), info: z.number() }),
    newFindings: z.number().int(),
    resolvedFindings: z.number().int(),
    fixFeatureIds: ids,
    costUsd: z.number(),
  }),
  event('design.finding_dismissed', { findingId: z.string(), reason: z.string() }),
  // Agent sessions (src/db/session-repo.ts, src/runner/session-runner.ts).
  event('session.started', {
    role: z.string(),
    model: nullableText,
    featureIds: ids,
    // Where the session's browser is found once it opens one (the live browser view); absent in older rows.
    browser: BrowserLocatorSchema.optional(),
  }),
  event('session.ended', {
    role: z.string(),
    status: z.enum(['running', 'succeeded', 'failed', 'aborted']),
    outcome: z.string(),
    turns: z.number().int(),
    costUsd: z.number(),
    error: nullableText,
  }),
  z.object({ type: z.literal('session.log'), payload: SessionLogPayloadSchema }),
  // Changes made outside the database that live clients should see.
  z.object({
    type: z.literal('spec.updated'),
    // Written with PUT /api/projects/{name}/spec, or by the guided spec chat.
    payload: z.union([
      z.object({ bytes: z.number().int(), projectName: nullableText }),
      z.object({ projectName: nullableText, featureCount: z.number().int().nullable(), by: z.literal('spec_chat') }),
    ]),
  }),
  event('settings.updated', { keys: z.array(z.string()) }),
  event('settings.widened', { key: z.string(), old: z.unknown(), new: z.unknown(), origin: z.enum(CHANGE_ORIGINS) }),
]);

/** One event as the code appends it: its type and its payload. */
export type EventBody = z.infer<typeof EventBodySchema>;
export type EventType = EventBody['type'];
export type EventOf<T extends EventType> = Extract<EventBody, { type: T }>;
export type PayloadOf<T extends EventType> = EventOf<T>['payload'];

/** Every event type, in catalogue order. */
export const EVENT_TYPES = EventBodySchema.options.map((o) => o.shape.type.value) as [EventType, ...EventType[]];

export function isEventType(x: unknown): x is EventType {
  return typeof x === 'string' && (EVENT_TYPES as readonly string[]).includes(x);
}

/** What every stored event carries besides its type and payload. */
export const EventMetaSchema = z.object({
  id: z.number().int().nonnegative(),
  /** When the change was written (ms since the epoch). */
  at: z.number(),
  runId: z.string().nullable(),
  sessionId: z.string().nullable(),
  featureId: z.number().int().nullable(),
  slot: z.number().int().nullable(),
});
export type EventMeta = z.infer<typeof EventMetaSchema>;

/** A stored row this version cannot read: its own type is kept as `storedType`, with why. */
export const UnknownEventBodySchema = z.object({
  type: z.literal('unknown'),
  storedType: z.string(),
  problem: z.string(),
  payload: z.record(z.string(), z.unknown()),
});
export type UnknownEventBody = z.infer<typeof UnknownEventBodySchema>;

/** One row of the append-only `events` table, as the API returns it: a known event or an unknown one. */
export const EventSchema = z.intersection(EventMetaSchema, z.union([EventBodySchema, UnknownEventBodySchema]));
export type StoredEvent = EventMeta & (EventBody | UnknownEventBody);
export type KnownStoredEvent = EventMeta & EventBody;

/**
 * Reads a stored row's type and payload: the typed event when it is one of the catalogue's,
 * else an `unknown` event naming what did not fit. Never throws.
 */
export function readEventBody(type: string, payload: unknown): EventBody | UnknownEventBody {
  const parsed = EventBodySchema.safeParse({ type, payload });
  if (parsed.success) return parsed.data;
  const record =
    payload !== null && typeof payload === 'object' && !Array.isArray(payload)
      ? (payload as Record<string, unknown>)
      : { value: payload };
  const problem = isEventType(type)
    ? `its payload does not match "${type}": ${parsed.error.issues.map((i) => `${i.path.slice(1).join('.') || 'payload'}: ${i.message}`).join('; ')}`
    : `"${type}" is not an event type this version of autocoder knows`;
  return { type: 'unknown', storedType: type, problem, payload: record };
}

/** The kind of thing an event is about, which decides the live messages it yields. */
export type EventTopic = 'feature' | 'run' | 'session' | 'project';

/** Every event type's topic (a table, so a new type cannot be forgotten). */
export const EVENT_TOPICS = {
  'feature.created': 'feature',
  'feature.bulk_created': 'feature',
  'feature.updated': 'feature',
  'feature.deleted': 'feature',
  'feature.dependencies_changed': 'feature',
  'feature.claimed': 'feature',
  'feature.passed': 'feature',
  'feature.failed': 'feature',
  'feature.skipped': 'feature',
  'feature.released': 'feature',
  'feature.lease_expired': 'feature',
  'feature.regressed': 'feature',
  'feature.verified': 'feature',
  'feature.retried': 'feature',
  'feature.reopened': 'feature',
  'feature.needs_input': 'feature',
  'feature.input_answered': 'feature',
  'feature.input_cancelled': 'feature',
  'feature.input_overridden': 'feature',
  // About one feature's checks and their runs: the board refreshes that feature's card.
  'acceptance.disputed': 'feature',
  'acceptance.decided': 'feature',
  'verification.started': 'feature',
  'verification.finished': 'feature',
  'run.started': 'run',
  'run.running': 'run',
  'run.draining': 'run',
  'run.paused': 'run',
  'run.control': 'run',
  'run.finished': 'run',
  'run.failed': 'run',
  'run.crashed': 'run',
  'run.rate_limited': 'run',
  'run.waiting': 'run',
  'run.budget_warning': 'run',
  'run.budget_exhausted': 'run',
  'session.started': 'session',
  'session.ended': 'session',
  'session.log': 'session',
  'checkpoint.started': 'project',
  'checkpoint.finished': 'project',
  'checkpoint.critical': 'project',
  'finding.dismissed': 'project',
  'design.iteration_started': 'project',
  'design.iteration_finished': 'project',
  'design.finding_dismissed': 'project',
  'spec.updated': 'project',
  'settings.updated': 'project',
  'settings.widened': 'project',
} as const satisfies Record<EventType, EventTopic>;

/** The event types of one topic. */
export type EventTypeOf<T extends EventTopic> = {
  [K in EventType]: (typeof EVENT_TOPICS)[K] extends T ? K : never;
}[EventType];
export type FeatureEventType = EventTypeOf<'feature'>;
export type RunEventType = EventTypeOf<'run'>;

/** Whether a stored event is a known one of `topic` (narrowing it to that topic's types). */
export function isOfTopic<T extends EventTopic>(e: StoredEvent, topic: T): e is EventMeta & EventOf<EventTypeOf<T>> {
  return e.type !== 'unknown' && EVENT_TOPICS[e.type] === topic;
}

const typesOf = <T extends EventTopic>(topic: T) =>
  EVENT_TYPES.filter((t): t is EventTypeOf<T> => EVENT_TOPICS[t] === topic) as [EventTypeOf<T>, ...EventTypeOf<T>[]];

export const FEATURE_EVENT_TYPES = typesOf('feature');
export const RUN_EVENT_TYPES = typesOf('run');

// ── Live messages ────────────────────────────────────────────────────────────

/**
 * The live-update protocol of `WS /ws/projects/:name[?since=<id>]`.
 *
 * On connect the server sends one `snapshot` (with `lastEventId`, the newest row of the
 * project's `events` table it covers). With `?since=<id>` it then replays every event after
 * `id` up to `lastEventId`. After that it sends one group of messages per new `events` row, in
 * id order. Every event-derived message carries that row's `id`; one row can yield several
 * messages (a `feature.*` row yields `feature_update` then `progress`), each of a different
 * `type`. A client that reconnects with `?since=<last id it saw>` receives exactly what it
 * missed, without duplicates.
 */

export const ProgressSchema = z.object({
  total: z.number().int(),
  passing: z.number().int(),
  in_progress: z.number().int(),
  needs_input: z.number().int(),
  failed: z.number().int(),
  pending: z.number().int(),
  percentage: z.number(),
});
export type Progress = z.infer<typeof ProgressSchema>;

export const AGENT_STATES = ['idle', 'thinking', 'working', 'testing', 'success', 'error'] as const;
export type AgentState = (typeof AGENT_STATES)[number];

/** What one agent slot is doing, derived from its session's events. */
export const AgentUpdateFields = z.object({
  slot: z.number().int(),
  sessionId: z.string(),
  featureId: z.number().int().nullable(),
  state: z.enum(AGENT_STATES),
  thought: z.string().optional(),
});
export type AgentView = z.infer<typeof AgentUpdateFields>;

/** One line of an agent's activity (a `session.log` event). */
export const LogLineFields = z.object({
  id: z.number().int(),
  at: z.number(),
  sessionId: z.string().nullable(),
  featureId: z.number().int().nullable(),
  slot: z.number().int().nullable(),
  /** text, tool_call, tool_result or retry. */
  kind: z.string(),
  /** The line as people read it: a tool call as one line, a result folded to its first line. */
  text: z.string(),
  /** What the line folds, shown on demand: a call's whole input, a result's whole text. */
  detail: z.string().optional(),
});
export type LogLine = z.infer<typeof LogLineFields>;

const eventId = z.number().int().nonnegative();

export const SnapshotMessageSchema = z.object({
  type: z.literal('snapshot'),
  progress: ProgressSchema,
  run: RunStatusSchema,
  agents: z.array(AgentUpdateFields),
  recentLog: z.array(LogLineFields),
  /** The newest event the snapshot covers; 0 when the project has no events. */
  lastEventId: eventId,
});

export const ProgressMessageSchema = ProgressSchema.extend({ type: z.literal('progress'), id: eventId });

export const FeatureUpdateMessageSchema = z.object({
  type: z.literal('feature_update'),
  id: eventId,
  /** When the change was written to the database (ms since the epoch). */
  at: z.number(),
  featureId: z.number().int().nullable(),
  eventType: z.enum(FEATURE_EVENT_TYPES),
  /** The feature's status after this event (null for events about many features). */
  status: FeatureStatusSchema.nullable(),
  name: z.string().nullable(),
});

export const RunStatusMessageSchema = z.object({
  type: z.literal('run_status'),
  id: eventId,
  at: z.number(),
  eventType: z.enum(RUN_EVENT_TYPES),
  run: RunStatusSchema,
});

export const AgentUpdateMessageSchema = AgentUpdateFields.extend({
  type: z.literal('agent_update'),
  id: eventId,
  at: z.number(),
});

export const LogMessageSchema = LogLineFields.extend({ type: z.literal('log') });

/**
 * Any other event, as stored (its own type is sent as `eventType`). A row this version cannot
 * read arrives with `eventType: 'unknown'`, its stored type as `storedType` and why as `problem`.
 */
export const RawEventMessageSchema = EventMetaSchema.extend({
  type: z.literal('event'),
  eventType: z.union([z.enum(EVENT_TYPES), z.literal('unknown')]),
  storedType: z.string().optional(),
  problem: z.string().optional(),
  payload: z.record(z.string(), z.unknown()),
});

export const PongMessageSchema = z.object({ type: z.literal('pong') });

export const ServerMessageSchema = z.discriminatedUnion('type', [
  SnapshotMessageSchema,
  ProgressMessageSchema,
  FeatureUpdateMessageSchema,
  RunStatusMessageSchema,
  AgentUpdateMessageSchema,
  LogMessageSchema,
  RawEventMessageSchema,
  PongMessageSchema,
]);
export type ServerMessage = z.infer<typeof ServerMessageSchema>;
export type SnapshotMessage = z.infer<typeof SnapshotMessageSchema>;
/** Messages derived from one `events` row (all but snapshot and pong). */
export type EventMessage = Exclude<ServerMessage, { type: 'snapshot' } | { type: 'pong' }>;

export const ClientMessageSchema = z.discriminatedUnion('type', [z.object({ type: z.literal('ping') })]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;

/** The subprotocol that carries the server token from a browser (which cannot set headers on a WebSocket). */
export const WS_TOKEN_PROTOCOL_PREFIX = 'autocoder.token.';
