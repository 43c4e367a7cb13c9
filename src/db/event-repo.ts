import { AppError } from '../domain/errors.js';
import { EventBodySchema, readEventBody, type EventType, type StoredEvent } from '../shared/events.js';
import type { Db, SqliteDb } from './connection.js';
import { dialectOf, jsonListSql } from './sql.js';
import type { EventPort, NewEvent } from './ports.js';
import { cachedStatement } from './statement-cache.js';

interface EventRow {
  id: number;
  at: number;
  type: string;
  run_id: string | null;
  session_id: string | null;
  feature_id: number | null;
  slot: number | null;
  payload: string;
}

/**
 * Appends to the append-only `events` table; repositories call it inside the transaction that
 * made the change, so the change and its event commit together. Only the catalogue's events
 * (src/shared/events.ts) get in: anything else is a bug, and its transaction rolls back.
 */
export function appendEvent(db: Db, event: NewEvent): number {
  const checked = EventBodySchema.safeParse({ type: event.type, payload: event.payload });
  if (!checked.success) {
    const issues = checked.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`).join('; ');
    throw new AppError('INTERNAL', `refusing to record a malformed "${String(event.type)}" event (${issues})`);
  }
  const inserted = cachedStatement(
    db,
    `INSERT INTO events (at, type, run_id, session_id, feature_id, slot, payload)
     VALUES (@at, @type, @runId, @sessionId, @featureId, @slot, @payload) RETURNING id`,
  ).get({
    at: event.at,
    type: checked.data.type,
    runId: event.runId ?? null,
    sessionId: event.sessionId ?? null,
    featureId: event.featureId ?? null,
    slot: event.slot ?? null,
    payload: JSON.stringify(checked.data.payload),
  }) as { id: number };
  return inserted.id;
}

/** Maps an `events` row to a StoredEvent: typed when this version knows it, else `unknown` (never a throw). */
function toStoredEvent(r: EventRow): StoredEvent {
  let payload: unknown;
  try {
    payload = JSON.parse(r.payload) as unknown;
  } catch {
    payload = r.payload;
  }
  return {
    id: r.id,
    at: r.at,
    runId: r.run_id,
    sessionId: r.session_id,
    featureId: r.feature_id,
    slot: r.slot,
    ...readEventBody(r.type, payload),
  };
}

/** The event log of one project database. */
export class EventRepo implements EventPort {
  constructor(private readonly db: Db) {}

  append(event: NewEvent): number {
    return this.db.transaction(() => appendEvent(this.db, event)).immediate();
  }

  appendAll(events: readonly NewEvent[]): number[] {
    return this.db.transaction(() => events.map((e) => appendEvent(this.db, e))).immediate();
  }

  since(cursor: number, limit: number): StoredEvent[] {
    const rows = cachedStatement(this.db, 'SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?').all(
      cursor,
      limit,
    ) as EventRow[];
    return rows.map(toStoredEvent);
  }

  lastId(): number {
    return (cachedStatement(this.db, 'SELECT COALESCE(MAX(id), 0) AS id FROM events').get() as { id: number }).id;
  }

  ofTypes(types: readonly EventType[]): StoredEvent[] {
    const sql = `SELECT * FROM events WHERE type IN (${jsonListSql(this.db, '?', 'text')}) ORDER BY id`;
    return (cachedStatement(this.db, sql).all(JSON.stringify(types)) as EventRow[]).map(toStoredEvent);
  }

  latest(filter: Parameters<EventPort['latest']>[0]): StoredEvent[] {
    const where = [
      filter.types === undefined ? null : `type IN (${jsonListSql(this.db, '@types', 'text')})`,
      filter.sessionId === undefined ? null : 'session_id = @sessionId',
      filter.featureId === undefined ? null : 'feature_id = @featureId',
      filter.upTo === undefined ? null : 'id <= @upTo',
    ].filter((c) => c !== null);
    const sql = `SELECT * FROM events${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit`;
    const rows = cachedStatement(this.db, sql).all({
      limit: filter.limit,
      ...(filter.types === undefined ? {} : { types: JSON.stringify(filter.types) }),
      ...(filter.sessionId === undefined ? {} : { sessionId: filter.sessionId }),
      ...(filter.featureId === undefined ? {} : { featureId: filter.featureId }),
      ...(filter.upTo === undefined ? {} : { upTo: filter.upTo }),
    }) as EventRow[];
    return rows.map(toStoredEvent);
  }

  /**
   * `PRAGMA data_version` changes when another connection commits; `total_changes()` when this
   * one writes. Together they change whenever a new event may exist. On PostgreSQL the newest event's id does: events
   * commit in id order there (pg-db.ts), so a new event always raises it.
   */
  changeMark(): string {
    if (dialectOf(this.db) === 'pg') return String(this.lastId());
    const version = (this.db as SqliteDb).pragma('data_version', { simple: true }) as number;
    const own = cachedStatement(this.db, 'SELECT total_changes() AS n').get() as { n: number };
    return `${version}:${own.n}`;
  }
}
