/**
 * What the repositories ask of a database connection: the part of better-sqlite3's API they use, so the same
 * repositories run on SQLite (a better-sqlite3 `Database` is one as it is, at no cost) and on PostgreSQL (pg/pg-db.ts
 * implements it over the synchronous client, translating placeholders). Where the two dialects' SQL differs, a
 * repository picks its text with `bySql` below; everything else is written once, in SQL both accept.
 */

export interface SqlRunResult {
  /** Rows the statement inserted, changed or deleted. */
  readonly changes: number;
}

/**
 * A prepared statement. Parameters as better-sqlite3 takes them: positional (`?`) values in order, or one object of
 * named (`@name`) values.
 */
export interface SqlStatement {
  run(...params: unknown[]): SqlRunResult;
  /** The first row, or undefined. */
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  /** With `pluck()`, rows are their first column's value. */
  pluck(toggle?: boolean): SqlStatement;
}

/** `db.transaction(fn)`: a function that runs `fn` in a transaction; `immediate` takes the write lock first. */
export interface SqlTransaction<A extends unknown[], R> {
  (...args: A): R;
  immediate(...args: A): R;
}

export interface SqlDb {
  prepare(source: string): SqlStatement;
  /**
   * Wraps `fn` in a transaction: commits when it returns, rolls back when it throws. Called inside another
   * transaction it is a savepoint of that one.
   */
  transaction<A extends unknown[], R>(fn: (...args: A) => R): SqlTransaction<A, R>;
  readonly open: boolean;
  close(): void;
}

export type Dialect = 'sqlite' | 'pg';

/** A connection that says its dialect; a better-sqlite3 `Database` has no `dialect` and is SQLite. */
interface WithDialect {
  readonly dialect?: Dialect;
}

export function dialectOf(db: SqlDb): Dialect {
  return (db as SqlDb & WithDialect).dialect ?? 'sqlite';
}

/** The SQL text for `db`'s dialect: for the few statements whose SQLite and PostgreSQL forms differ. */
export function bySql(db: SqlDb, text: { readonly sqlite: string; readonly pg: string }): string {
  return dialectOf(db) === 'pg' ? text.pg : text.sqlite;
}

/**
 * A subquery of the elements of a JSON array parameter (`param`: its placeholder, `?` or `@name`), as a column named
 * `value` of `type`: how the repositories pass a list of ids or names in one parameter.
 */
export function jsonListSql(db: SqlDb, param: string, type: 'integer' | 'text'): string {
  if (dialectOf(db) === 'sqlite') return `SELECT value FROM json_each(${param})`;
  return `SELECT value${type === 'integer' ? '::bigint' : ''} AS value FROM json_array_elements_text(CAST(${param} AS json)) AS value`;
}

/** `column`'s JSON array length (`column` holds a JSON array: text on SQLite, jsonb on PostgreSQL). */
export function jsonArrayLengthSql(db: SqlDb, column: string): string {
  return dialectOf(db) === 'pg' ? `jsonb_array_length(${column})` : `json_array_length(${column})`;
}

/** The first element of `column`'s JSON array of integers (null when empty). */
export function jsonFirstIntegerSql(db: SqlDb, column: string): string {
  return dialectOf(db) === 'pg' ? `(${column} ->> 0)::bigint` : `json_extract(${column}, '$[0]')`;
}

/** `column` (a JSON array) with the JSON text `param` appended as one element. */
export function jsonAppendSql(db: SqlDb, column: string, param: string): string {
  return dialectOf(db) === 'pg'
    ? `${column} || jsonb_build_array(CAST(${param} AS jsonb))`
    : `json_insert(${column}, '$[#]', json(${param}))`;
}
