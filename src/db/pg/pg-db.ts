import { AppError } from '../../domain/errors.js';
import type { SqlDb, SqlRunResult, SqlStatement, SqlTransaction } from '../sql.js';
import { bindValues, castFor, type ParsedSql, parseSql, renderSql } from './sql-translate.js';
import type { PgSyncClient, SqlParam } from './sync-client.js';

/**
 * The repositories' connection (sql.ts `SqlDb`) on PostgreSQL: one synchronous client whose `search_path` is the
 * store's schema, statements translated from the repositories' SQLite-style text (sql-translate.ts), rows converted
 * as SQLite gives them (pg-values.ts `sqlite` style: JSON as text, booleans as 1/0).
 *
 * Writes are serialized per store, as SQLite serializes them per file: every transaction that may write (and every
 * writing statement outside one) first takes the store's transaction-scoped advisory lock, the equivalent of SQLite's
 * `BEGIN IMMEDIATE`. The repositories' invariants (a feature claimed once, an attempt counted once, a budget never
 * over-reserved) are read-then-write inside a transaction, which is only safe when no other writer runs between the
 * read and the write; and the event log's ids then commit in id order, so a reader that follows `id > last` (the live
 * view) never skips an event committed late with a smaller id. Claims also lock their row `FOR UPDATE SKIP LOCKED`
 * (claim-repo.ts), so they never wait on a row held by anything outside the store's lock. Plain reads take no lock:
 * they see the last committed state, as SQLite's WAL readers do.
 */
export class PgDb implements SqlDb {
  readonly dialect = 'pg' as const;
  private readonly parsed = new Map<string, ParsedSql>();
  private readonly rendered = new Map<string, { text: string; sent: number[] }>();
  private depth = 0;
  private closed = false;

  /** `lockKey`: the store's write lock (its schema's name); the client's search_path is already the schema. */
  constructor(
    private readonly client: PgSyncClient,
    private readonly lockKey: string,
  ) {
    // Part of SQL text (BEGIN's round trip takes no parameters): a schema name's characters only.
    if (!/^[a-z][a-z0-9_]{0,62}$/.test(lockKey)) throw new AppError('INTERNAL', `"${lockKey}" is not a schema name`);
  }

  get open(): boolean {
    return !this.closed;
  }

  prepare(source: string): SqlStatement {
    let parsed = this.parsed.get(source);
    if (parsed === undefined) {
      parsed = parseSql(source);
      this.parsed.set(source, parsed);
    }
    return new PgStatement(this, parsed, source);
  }

  transaction<A extends unknown[], R>(fn: (...args: A) => R): SqlTransaction<A, R> {
    const run = (...args: A): R => this.inTransaction(() => fn(...args));
    return Object.assign(run, { immediate: run });
  }

  /**
   * Tries the session advisory lock `autocoder.<purpose>.<schema>` on this connection (pg_try_advisory_lock: it never
   * waits, so the synchronous client never blocks the event loop for it; callers poll). Held until `unlockShared` or
   * until the connection ends: a worker killed while holding it frees it.
   */
  tryLockShared(purpose: string): boolean {
    const row = this.client.statement<{ ok: number }>(
      'SELECT pg_try_advisory_lock(hashtext($1)) AS ok',
      [this.sharedKey(purpose)],
      'sqlite',
    ).rows[0];
    return row?.ok === 1;
  }

  /** Gives back a lock `tryLockShared` took (nothing when this connection does not hold it). */
  unlockShared(purpose: string): void {
    // The connection may hold it once only (tryLockShared's callers never take it twice), so one unlock frees it.
    this.client.statement('SELECT pg_advisory_unlock(hashtext($1)) AS ok', [this.sharedKey(purpose)], 'sqlite');
  }

  private sharedKey(purpose: string): string {
    if (!/^[a-z][a-z0-9-]{0,40}$/.test(purpose)) throw new AppError('INTERNAL', `"${purpose}" is not a lock name`);
    return `autocoder.${purpose}.${this.lockKey}`;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.client.close();
  }

  /** Runs a statement: in the write lock when it may write and no transaction is open. */
  execute(parsed: ParsedSql, source: string, args: readonly unknown[]): { rows: unknown[]; changes: number } {
    const values = bindValues(parsed, args, source);
    const casts = values.map(castFor);
    const key = `${casts.join(',')}\u0000${source}`;
    let rendered = this.rendered.get(key);
    if (rendered === undefined) {
      rendered = renderSql(parsed, casts);
      this.rendered.set(key, rendered);
    }
    const { text, sent } = rendered;
    const params = sent.map((i) => values[i]) as SqlParam[];
    const once = () => {
      const result = this.client.statement(text, params, 'sqlite');
      return { rows: result.rows, changes: result.rowCount };
    };
    return parsed.writes && this.depth === 0 ? this.inTransaction(once) : once();
  }

  private inTransaction<R>(fn: () => R): R {
    if (this.closed) throw new AppError('INTERNAL', 'this PostgreSQL store is closed');
    if (this.depth > 0) return this.savepoint(fn);
    return this.client.transaction(
      () => {
        this.depth = 1;
        try {
          return fn();
        } finally {
          this.depth = 0;
        }
      },
      // The lock in BEGIN's round trip: a write transaction costs one round trip less.
      { begin: `SELECT pg_advisory_xact_lock(hashtext('autocoder.write.${this.lockKey}'))` },
    );
  }

  /** A transaction inside a transaction: a savepoint, rolled back alone when `fn` throws (as better-sqlite3 does). */
  private savepoint<R>(fn: () => R): R {
    const name = `s${this.depth}`;
    this.client.run(`SAVEPOINT ${name}`);
    this.depth += 1;
    try {
      const result = fn();
      this.client.run(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (err: unknown) {
      this.client.run(`ROLLBACK TO SAVEPOINT ${name}`);
      this.client.run(`RELEASE SAVEPOINT ${name}`);
      throw err;
    } finally {
      this.depth -= 1;
    }
  }
}

class PgStatement implements SqlStatement {
  private plucked = false;

  constructor(
    private readonly db: PgDb,
    private readonly parsed: ParsedSql,
    private readonly source: string,
  ) {}

  run(...params: unknown[]): SqlRunResult {
    return { changes: this.db.execute(this.parsed, this.source, params).changes };
  }

  get(...params: unknown[]): unknown {
    const [row] = this.rows(params);
    return row;
  }

  all(...params: unknown[]): unknown[] {
    return this.rows(params);
  }

  pluck(toggle = true): SqlStatement {
    this.plucked = toggle;
    return this;
  }

  private rows(params: readonly unknown[]): unknown[] {
    const { rows } = this.db.execute(this.parsed, this.source, params);
    if (!this.plucked) return rows;
    return rows.map((row) => Object.values(row as Record<string, unknown>)[0]);
  }
}
