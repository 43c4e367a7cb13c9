import { z } from 'zod';
import { RunStatusSchema } from './runs.js';

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
  text: z.string(),
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
  eventType: z.string(),
  /** The feature's status after this event (null for events about many features). */
  status: z.string().nullable(),
  name: z.string().nullable(),
});

export const RunStatusMessageSchema = z.object({
  type: z.literal('run_status'),
  id: eventId,
  at: z.number(),
  eventType: z.string(),
  run: RunStatusSchema,
});

export const AgentUpdateMessageSchema = AgentUpdateFields.extend({ type: z.literal('agent_update'), id: eventId, at: z.number() });

export const LogMessageSchema = LogLineFields.extend({ type: z.literal('log') });

/** One row of the append-only `events` table, as the API returns it. */
export const EventSchema = z.object({
  id: eventId,
  at: z.number(),
  type: z.string(),
  runId: z.string().nullable(),
  sessionId: z.string().nullable(),
  featureId: z.number().int().nullable(),
  slot: z.number().int().nullable(),
  payload: z.record(z.string(), z.unknown()),
});

/** Any other event, as stored (its own `type` is sent as `eventType`). */
export const RawEventMessageSchema = EventSchema.omit({ type: true }).extend({ type: z.literal('event'), eventType: z.string() });

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
