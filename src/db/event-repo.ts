import type { Db } from './connection.js';
import { cachedStatement } from './statement-cache.js';

export interface NewEvent {
  readonly type: string;
  readonly at: number;
  readonly runId?: string | null;
  readonly sessionId?: string | null;
  readonly featureId?: number | null;
  readonly slot?: number | null;
  readonly payload?: Record<string, unknown>;
}

export interface StoredEvent {
  readonly id: number;
  readonly at: number;
  readonly type: string;
  readonly runId: string | null;
  readonly sessionId: string | null;
  readonly featureId: number | null;
  readonly slot: number | null;
  readonly payload: Record<string, unknown>;
}

export interface EventRow {
  id: number;
  at: number;
  type: string;
  run_id: string | null;
  session_id: string | null;
  feature_id: number | null;
  slot: number | null;
  payload: string;
}

/** Appends to the append-only `events` table; call it inside the transaction that made the change. */
export function appendEvent(db: Db, event: NewEvent): number {
  const info = cachedStatement(
    db,
    `INSERT INTO events (at, type, run_id, session_id, feature_id, slot, payload)
     VALUES (@at, @type, @runId, @sessionId, @featureId, @slot, @payload)`,
  ).run({
    at: event.at,
    type: event.type,
    runId: event.runId ?? null,
    sessionId: event.sessionId ?? null,
    featureId: event.featureId ?? null,
    slot: event.slot ?? null,
    payload: JSON.stringify(event.payload ?? {}),
  });
  return Number(info.lastInsertRowid);
}

/** Events after `since` in id order: the cursor the live UI resumes from. */
export function eventsSince(db: Db, since: number, limit: number): StoredEvent[] {
  const rows = db
    .prepare('SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?')
    .all(since, limit) as EventRow[];
  return rows.map(toStoredEvent);
}

/** Maps an `events` row (snake_case, JSON payload) to a StoredEvent. */
export function toStoredEvent(r: EventRow): StoredEvent {
  return {
    id: r.id,
    at: r.at,
    type: r.type,
    runId: r.run_id,
    sessionId: r.session_id,
    featureId: r.feature_id,
    slot: r.slot,
    payload: JSON.parse(r.payload) as Record<string, unknown>,
  };
}
