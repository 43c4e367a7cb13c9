import type { Db } from './connection.js';
import type { SqlStatement } from './sql.js';

export type Statement = SqlStatement;

const caches = new WeakMap<Db, Map<string, Statement>>();

/**
 * The prepared statement for `sql` on `db`, compiled once per connection: compiling a query
 * can cost more than running it, which matters on hot paths such as claims. Only for fixed SQL
 * text (never values spliced into the string) and for statements run to completion with
 * get/run/all (never iterate, which keeps a statement busy).
 */
export function cachedStatement(db: Db, sql: string): Statement {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  let statement = cache.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    cache.set(sql, statement);
  }
  return statement;
}
