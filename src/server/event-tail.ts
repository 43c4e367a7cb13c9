import type { ProjectStore } from '../db/ports.js';
import type { FeatureStatus } from '../domain/feature.js';
import {
  isOfTopic,
  type AgentState,
  type AgentView,
  type EventMessage,
  type EventOf,
  type FeatureEventType,
  type LogLine,
  type Progress,
  type SnapshotMessage,
  type StoredEvent,
} from '../shared/events.js';
import { runStatus } from './routes/runs.js';
import { sessionLogDetail, sessionLogText } from '../shared/log-text.js';
import { isTestingCommand } from '../shared/testing-command.js';

/**
 * Tails a project's `events` table and turns each new row into protocol messages
 * (src/shared/events.ts). One tail per project is shared by all its WebSocket clients.
 */

const BATCH = 500;
/** A notified tail whose read failed tries again after this long (a polled one on its next poll). */
const RETRY_AFTER_FAILURE_MS = 1_000;
const RECENT_LOG = 100;

/** One `events` row and the messages derived from it. */
export interface TailBatchItem {
  readonly id: number;
  readonly messages: readonly EventMessage[];
}

export type TailListener = (items: readonly TailBatchItem[]) => void;

function progressOf(store: ProjectStore): Progress {
  return { ...store.features.stats() };
}

function detailOf(payload: Extract<StoredEvent, { type: 'session.log' }>['payload']): { detail?: string } {
  const detail = sessionLogDetail(payload);
  return detail === undefined ? {} : { detail };
}

function logLine(e: Extract<StoredEvent, { type: 'session.log' }>): LogLine {
  return {
    id: e.id,
    at: e.at,
    sessionId: e.sessionId,
    featureId: e.featureId,
    slot: e.slot,
    kind: e.payload.kind,
    text: sessionLogText(e.payload),
    ...detailOf(e.payload),
  };
}

/** The agent state a session event implies; null when the event says nothing about it. */
export function agentStateOf(e: StoredEvent): { state: AgentState; thought?: string } | null {
  switch (e.type) {
    case 'session.started':
      return { state: 'thinking' };
    case 'session.ended':
      return { state: e.payload.status === 'succeeded' ? 'success' : 'error' };
    case 'session.log':
      if (e.payload.kind === 'text') return { state: 'thinking', thought: e.payload.text };
      if (e.payload.kind === 'tool_call')
        return { state: e.payload.tool === 'Bash' && isTestingCommand(e.payload.input) ? 'testing' : 'working' };
      return null;
    default:
      return null;
  }
}

/**
 * The status and name a feature event itself reports (null where it does not: the feature's current ones then stand
 * in).
 */
function featureFacts(e: EventOf<FeatureEventType>): { status: FeatureStatus | null; name: string | null } {
  const payload = e.payload;
  return {
    status: 'status' in payload && payload.status !== undefined ? payload.status : null,
    name: 'name' in payload ? payload.name : null,
  };
}

/** Turns a run of events into messages, reading current state (counts, names) once per call. */
export function eventMessages(store: ProjectStore, events: readonly StoredEvent[]): TailBatchItem[] {
  let progress: Progress | undefined;
  const featureIds = [
    ...new Set(events.flatMap((e) => (isOfTopic(e, 'feature') && e.featureId !== null ? [e.featureId] : []))),
  ];
  const features = store.features.summaries(featureIds);
  return events.map((e) => {
    const messages: EventMessage[] = [];
    if (isOfTopic(e, 'feature')) {
      const now = e.featureId === null ? undefined : features.get(e.featureId);
      const own = featureFacts(e);
      messages.push({
        type: 'feature_update',
        id: e.id,
        at: e.at,
        featureId: e.featureId,
        eventType: e.type,
        status: own.status ?? now?.status ?? null,
        name: own.name ?? now?.name ?? null,
      });
      progress ??= progressOf(store);
      messages.push({ type: 'progress', id: e.id, ...progress });
    } else if (isOfTopic(e, 'run')) {
      messages.push({ type: 'run_status', id: e.id, at: e.at, eventType: e.type, run: runStatus(store) });
    } else if (isOfTopic(e, 'session')) {
      const agent = agentStateOf(e);
      if (agent && e.sessionId !== null) {
        messages.push({
          type: 'agent_update',
          id: e.id,
          at: e.at,
          slot: e.slot ?? 0,
          sessionId: e.sessionId,
          featureId: e.featureId,
          ...agent,
        });
      }
      if (e.type === 'session.log') messages.push({ type: 'log', ...logLine(e) });
      if (messages.length === 0) messages.push(raw(e));
    } else {
      messages.push(raw(e));
    }
    return { id: e.id, messages };
  });
}

/** Any other event as it is stored; one this version cannot read says so (`unknown`, its stored type and why). */
function raw(e: StoredEvent): EventMessage {
  const meta = {
    type: 'event' as const,
    id: e.id,
    at: e.at,
    runId: e.runId,
    sessionId: e.sessionId,
    featureId: e.featureId,
    slot: e.slot,
  };
  if (e.type === 'unknown')
    return { ...meta, eventType: 'unknown', storedType: e.storedType, problem: e.problem, payload: e.payload };
  return { ...meta, eventType: e.type, payload: e.payload };
}

/** Reads events after `since` up to `until` (inclusive), in batches. */
export function eventsBetween(store: ProjectStore, since: number, until: number): TailBatchItem[] {
  const out: TailBatchItem[] = [];
  let cursor = since;
  while (cursor < until) {
    const events = store.events.since(cursor, BATCH).filter((e) => e.id <= until);
    if (events.length === 0) break;
    out.push(...eventMessages(store, events));
    cursor = events[events.length - 1]!.id;
  }
  return out;
}

export function buildSnapshot(store: ProjectStore): SnapshotMessage {
  const last = store.events.lastId();
  const run = runStatus(store);
  const agents: AgentView[] = run.agents.map((a) => {
    for (const e of store.events.latest({
      types: ['session.started', 'session.log', 'session.ended'],
      sessionId: a.sessionId,
      upTo: last,
      limit: 20,
    })) {
      const state = agentStateOf(e);
      if (state) return { slot: a.slot, sessionId: a.sessionId, featureId: a.featureId, ...state };
    }
    return { slot: a.slot, sessionId: a.sessionId, featureId: a.featureId, state: 'idle' };
  });
  const recentLog = store.events
    .latest({ types: ['session.log'], upTo: last, limit: RECENT_LOG })
    .reverse()
    .flatMap((e) => (e.type === 'session.log' ? [logLine(e)] : []));
  return { type: 'snapshot', progress: progressOf(store), run, agents, recentLog, lastEventId: last };
}

/**
 * Reads one project's new events: when its store wakes it (`watch`: PostgreSQL's LISTEN/NOTIFY), or else by polling
 * every `intervalMs`, skipping polls where its change mark says nothing was committed. Starts at the newest event when
 * created; listeners get every later row, in id order. `store` is asked for on every read: the server's store cache
 * may reopen a project whose database was replaced.
 */
export class EventTail {
  private readonly listeners = new Set<TailListener>();
  private cursor: number;
  private mark = '';
  private timer: NodeJS.Timeout | null = null;
  private unwatch: (() => void) | null = null;
  private retry: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    readonly store: () => ProjectStore,
    private readonly intervalMs = 100,
    /** Told when a poll fails (the tail tries again on the next one). */
    private readonly onError: (err: unknown) => void = () => undefined,
    /** Subscribes to the store's commits of new events; null: it cannot, so the tail polls. */
    watch: ((wake: () => void) => (() => void) | null) | null = null,
  ) {
    this.cursor = store().events.lastId();
    this.unwatch = watch?.(() => this.poll()) ?? null;
    if (this.unwatch === null) {
      this.timer = setInterval(() => this.poll(), this.intervalMs);
      this.timer.unref();
    }
  }

  /** Whether new events come by notification (no polling). */
  get notified(): boolean {
    return this.unwatch !== null;
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  add(listener: TailListener): void {
    this.listeners.add(listener);
  }

  /** Removes a listener; returns true when none is left (the caller then closes the tail). */
  remove(listener: TailListener): boolean {
    this.listeners.delete(listener);
    return this.listeners.size === 0;
  }

  /** Reads and delivers new events now (also called by the timer). */
  poll(): void {
    if (this.closed) return;
    try {
      const store = this.store();
      const mark = store.events.changeMark();
      if (mark === this.mark) return;
      this.mark = mark;
      for (;;) {
        const events = store.events.since(this.cursor, BATCH);
        if (events.length === 0) break;
        this.cursor = events[events.length - 1]!.id;
        const items = eventMessages(store, events);
        for (const listener of [...this.listeners]) listener(items);
        if (events.length < BATCH) break;
      }
    } catch (err: unknown) {
      // A busy or briefly unreadable database: read again on the next tick, or (woken by notifications, which may not
      // come again soon) a second later.
      this.mark = '';
      this.onError(err);
      if (this.unwatch !== null && this.retry === null) {
        this.retry = setTimeout(() => {
          this.retry = null;
          this.poll();
        }, RETRY_AFTER_FAILURE_MS);
        this.retry.unref();
      }
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.unwatch?.();
    if (this.retry) clearTimeout(this.retry);
    this.listeners.clear();
  }
}
