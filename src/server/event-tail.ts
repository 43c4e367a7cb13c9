import type { ProjectPaths } from '../config/paths.js';
import type { Db } from '../db/connection.js';
import { type EventRow, eventsSince, type StoredEvent, toStoredEvent } from '../db/event-repo.js';
import { openProjectStore, type ProjectStore } from '../db/stores.js';
import type { AgentState, AgentView, EventMessage, LogLine, Progress, SnapshotMessage } from '../shared/events.js';
import { runStatus } from './routes/runs.js';
import { payloadText, sessionLogText } from '../shared/log-text.js';

/**
 * Tails a project's `events` table and turns each new row into protocol messages
 * (src/shared/events.ts). One tail per project is shared by all its WebSocket clients.
 */

const BATCH = 500;
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

function logLine(e: StoredEvent): LogLine {
  return { id: e.id, at: e.at, sessionId: e.sessionId, featureId: e.featureId, slot: e.slot, kind: payloadText(e.payload.kind), text: sessionLogText(e.payload) };
}

const TESTING = /\b(test|tests|vitest|jest|playwright-cli|curl)\b/;

/** The agent state a session event implies; null when the event says nothing about it. */
export function agentStateOf(e: StoredEvent): { state: AgentState; thought?: string } | null {
  if (e.type === 'session.started') return { state: 'thinking' };
  if (e.type === 'session.ended') return { state: e.payload.status === 'succeeded' ? 'success' : 'error' };
  if (e.type !== 'session.log') return null;
  if (e.payload.kind === 'text') return { state: 'thinking', thought: payloadText(e.payload.text) };
  if (e.payload.kind === 'tool_call') {
    const testing = e.payload.tool === 'Bash' && TESTING.test(payloadText(e.payload.input));
    return { state: testing ? 'testing' : 'working' };
  }
  return null;
}

/** Turns a run of events into messages, reading current state (counts, names) once per call. */
export function eventMessages(store: ProjectStore, events: readonly StoredEvent[]): TailBatchItem[] {
  let progress: Progress | undefined;
  const names = new Map<number, { name: string; status: string } | null>();
  const feature = (id: number) => {
    if (!names.has(id)) {
      const row = store.db.prepare('SELECT name, status FROM features WHERE id = ?').get(id) as { name: string; status: string } | undefined;
      names.set(id, row ?? null);
    }
    return names.get(id) ?? null;
  };
  return events.map((e) => {
    const messages: EventMessage[] = [];
    if (e.type.startsWith('feature.')) {
      const f = e.featureId === null ? null : feature(e.featureId);
      const status = typeof e.payload.status === 'string' ? e.payload.status : (f?.status ?? null);
      const name = typeof e.payload.name === 'string' ? e.payload.name : (f?.name ?? null);
      messages.push({ type: 'feature_update', id: e.id, at: e.at, featureId: e.featureId, eventType: e.type, status, name });
      progress ??= progressOf(store);
      messages.push({ type: 'progress', id: e.id, ...progress });
    } else if (e.type.startsWith('run.')) {
      messages.push({ type: 'run_status', id: e.id, at: e.at, eventType: e.type, run: runStatus(store.db, store.paths) });
    } else if (e.type.startsWith('session.')) {
      const agent = agentStateOf(e);
      if (agent && e.sessionId !== null) {
        messages.push({ type: 'agent_update', id: e.id, at: e.at, slot: e.slot ?? 0, sessionId: e.sessionId, featureId: e.featureId, ...agent });
      }
      if (e.type === 'session.log') messages.push({ type: 'log', ...logLine(e) });
      if (messages.length === 0) messages.push(raw(e));
    } else {
      messages.push(raw(e));
    }
    return { id: e.id, messages };
  });
}

function raw(e: StoredEvent): EventMessage {
  return { type: 'event', id: e.id, at: e.at, eventType: e.type, runId: e.runId, sessionId: e.sessionId, featureId: e.featureId, slot: e.slot, payload: e.payload };
}

export function lastEventId(db: Db): number {
  return (db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM events').get() as { id: number }).id;
}

/** Reads events after `since` up to `until` (inclusive), in batches. */
export function eventsBetween(store: ProjectStore, since: number, until: number): TailBatchItem[] {
  const out: TailBatchItem[] = [];
  let cursor = since;
  while (cursor < until) {
    const events = eventsSince(store.db, cursor, BATCH).filter((e) => e.id <= until);
    if (events.length === 0) break;
    out.push(...eventMessages(store, events));
    cursor = events[events.length - 1]!.id;
  }
  return out;
}


export function buildSnapshot(store: ProjectStore): SnapshotMessage {
  const last = lastEventId(store.db);
  const run = runStatus(store.db, store.paths);
  const sessionEvents = store.db.prepare(
    `SELECT * FROM events WHERE session_id = ? AND type IN ('session.started', 'session.log', 'session.ended') AND id <= ? ORDER BY id DESC LIMIT 20`,
  );
  const agents: AgentView[] = run.agents.map((a) => {
    for (const row of sessionEvents.all(a.sessionId, last) as EventRow[]) {
      const state = agentStateOf(toStoredEvent(row));
      if (state) return { slot: a.slot, sessionId: a.sessionId, featureId: a.featureId, ...state };
    }
    return { slot: a.slot, sessionId: a.sessionId, featureId: a.featureId, state: 'idle' };
  });
  const logRows = store.db.prepare(`SELECT * FROM events WHERE type = 'session.log' AND id <= ? ORDER BY id DESC LIMIT ?`).all(last, RECENT_LOG) as EventRow[];
  const recentLog = logRows.reverse().map((r) => logLine(toStoredEvent(r)));
  return { type: 'snapshot', progress: progressOf(store), run, agents, recentLog, lastEventId: last };
}

/**
 * Polls one project database for new events every `intervalMs`, skipping polls where
 * `PRAGMA data_version` says no other connection committed. Starts at the newest event when
 * created; listeners get every later row, in id order.
 */
export class EventTail {
  readonly store: ProjectStore;
  private readonly listeners = new Set<TailListener>();
  private cursor: number;
  private dataVersion = -1;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(paths: ProjectPaths, private readonly intervalMs = 100) {
    this.store = openProjectStore(paths, { create: false });
    this.cursor = lastEventId(this.store.db);
    this.timer = setInterval(() => this.poll(), this.intervalMs);
    this.timer.unref();
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
      const version = this.store.db.pragma('data_version', { simple: true }) as number;
      if (version === this.dataVersion) return;
      this.dataVersion = version;
      for (;;) {
        const events = eventsSince(this.store.db, this.cursor, BATCH);
        if (events.length === 0) break;
        this.cursor = events[events.length - 1]!.id;
        const items = eventMessages(this.store, events);
        for (const listener of [...this.listeners]) listener(items);
        if (events.length < BATCH) break;
      }
    } catch {
      // A busy or briefly unreadable database: try again on the next tick.
      this.dataVersion = -1;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.listeners.clear();
    this.store.close();
  }
}
