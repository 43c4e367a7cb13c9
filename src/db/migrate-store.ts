import { writeFileSync } from 'node:fs';
import type { Env } from '../config/env.js';
import { type ProjectPaths, registryFile } from '../config/paths.js';
import { AppError, errorMessage } from '../domain/errors.js';
import { openDatabase, type SqliteDb } from './connection.js';
import { migratePg, pgMigrations, schemaIdentifier } from './pg/migrator.js';
import { openPgRegistry, REGISTRY_SCHEMA } from './pg/pg-stores.js';
import { openPgSync, type PgSyncClient, type SqlParam } from './pg/sync-client.js';
import { projectSchemaName, readStoreMarker, type StoreMarker } from './store-location.js';

/**
 * `autocoder migrate-store` (issue #20): copies a SQLite project's store, every table of it (features, dependencies,
 * acceptance checks, runs, sessions, events, human input, disputes, verifications, budgets, checkpoints, design
 * review), into a new PostgreSQL schema, with the project's settings from the SQLite registry, in one PostgreSQL
 * transaction that checks each table's row count before it commits; then registers the project in PostgreSQL's
 * registry and writes the folder's marker, so the project opens there from now on. The SQLite file is read in one
 * read transaction (a consistent snapshot) and kept as it is.
 */

export interface CopiedTable {
  readonly table: string;
  readonly rows: number;
}

export interface MigrateStoreResult {
  readonly schema: string;
  readonly tables: readonly CopiedTable[];
  readonly settings: number;
}

/** Rows per INSERT: PostgreSQL takes at most 65,535 parameters in one statement. */
const MAX_PARAMS = 30_000;

export function migrateProjectStore(input: {
  readonly name: string;
  readonly paths: ProjectPaths;
  /** Where the SQLite registry is (`$AUTOCODER_HOME`). */
  readonly env: Env;
  readonly url: string;
}): MigrateStoreResult {
  const { name, paths, url } = input;
  if (readStoreMarker(paths) !== undefined) {
    throw new AppError('CONFLICT', `${name}'s store is already in PostgreSQL (${paths.storeMarker})`);
  }
  const schema = projectSchemaName(name);
  // Each handle is closed below, whichever of the later ones fails to open.
  const opened: { close(): void }[] = [];
  const keep = <T extends { close(): void }>(handle: T): T => {
    opened.unshift(handle);
    return handle;
  };
  try {
    const source = keep(openDatabase(paths.database, 'project', { create: false }));
    const registrySource = keep(openDatabase(registryFile(input.env), 'registry', { create: false }));
    // The target registry (created when missing) must not know the name yet.
    const targetRegistry = keep(openPgRegistry(url));
    const client = keep(openPgSync(url));
    if (targetRegistry.registry.find(name) !== undefined) {
      throw new AppError(
        'DUPLICATE',
        `PostgreSQL's registry already has a project named "${name}"; nothing was copied`,
      );
    }
    const [taken] = client.query<{ n: number }>(
      'SELECT count(*) AS n FROM information_schema.schemata WHERE schema_name = $1',
      [schema],
    );
    if ((taken?.n ?? 0) > 0) {
      throw new AppError('DUPLICATE', `PostgreSQL already has the schema ${schema}; nothing was copied`);
    }
    let result: MigrateStoreResult;
    try {
      result = source.transaction(() => copyAll(source, registrySource, client, schema, name, paths.root))();
    } catch (err: unknown) {
      // The copy rolled back; the empty schema the migrator made first goes too, so nothing is left half-done.
      try {
        client.exec(`DROP SCHEMA IF EXISTS ${schemaIdentifier(schema)} CASCADE`);
      } catch (dropErr: unknown) {
        throw new AppError(
          'IO_ERROR',
          `${errorMessage(err)}; the empty schema ${schema} it had created could not be dropped either ` +
            `(${errorMessage(dropErr)}): drop it before trying again`,
          { cause: err },
        );
      }
      throw err;
    }
    writeFileSync(paths.storeMarker, `${JSON.stringify({ engine: 'postgres', schema } satisfies StoreMarker)}\n`);
    return result;
  } finally {
    for (const handle of opened) handle.close();
  }
}

function copyAll(
  source: SqliteDb,
  registrySource: SqliteDb,
  client: PgSyncClient,
  schema: string,
  name: string,
  root: string,
): MigrateStoreResult {
  // The schema at the version the SQLite file has (both migrate to the latest when opened, so: the latest).
  migratePg(client, schema, pgMigrations('project'), `project schema "${schema}"`);
  const quoted = schemaIdentifier(schema);
  return client.transaction(() => {
    const tables = tablesInForeignKeyOrder(source).map((table) => copyTable(source, client, quoted, table));
    for (const identity of identityColumns(client, schema)) {
      // The next id the database gives continues after the copied ones (SQLite's AUTOINCREMENT high mark too).
      const high = Math.max(highestId(source, identity.table), 0);
      client.query(
        `SELECT setval(pg_get_serial_sequence($1, $2), greatest($3::bigint, coalesce((SELECT max(${identity.column}) FROM ${quoted}.${identity.table}), 0)) + 1, false)`,
        [`${quoted}.${identity.table}`, identity.column, identity.column === 'id' ? high : 0],
      );
    }
    const settings = registerWithSettings(registrySource, client, name, root);
    return { schema, tables, settings };
  });
}

/** The project's tables, each after the tables its foreign keys point at. */
function tablesInForeignKeyOrder(db: SqliteDb): string[] {
  const tables = db
    .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
    .pluck()
    .all() as string[];
  const ordered: string[] = [];
  const visit = (table: string, path: readonly string[]): void => {
    if (ordered.includes(table)) return;
    if (path.includes(table)) throw new AppError('INTERNAL', `foreign keys form a cycle through ${table}`);
    const targets = db.prepare('SELECT "table" FROM pragma_foreign_key_list(?)').pluck().all(table) as string[];
    for (const target of targets) if (target !== table) visit(target, [...path, table]);
    ordered.push(table);
  };
  for (const table of tables) visit(table, []);
  return ordered;
}

function copyTable(source: SqliteDb, client: PgSyncClient, quoted: string, table: string): CopiedTable {
  const targetColumns = client
    .query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2
        ORDER BY ordinal_position`,
      [quoted.slice(1, -1), table],
    )
    .map((c) => c.column_name);
  if (targetColumns.length === 0) throw new AppError('INTERNAL', `PostgreSQL's project schema has no table ${table}`);
  const sourceColumns = source.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(table) as string[];
  // PostgreSQL's explicit `rowid` takes SQLite's implicit one, so ties keep their order.
  const copied = targetColumns.filter((c) => c === 'rowid' || sourceColumns.includes(c));
  const missing = sourceColumns.filter((c) => !targetColumns.includes(c));
  if (missing.length > 0) {
    throw new AppError(
      'INTERNAL',
      `PostgreSQL's ${table} lacks the column(s) ${missing.join(', ')}; nothing was copied`,
    );
  }
  const rows = source
    .prepare(`SELECT ${copied.map((c) => `"${c}"`).join(', ')} FROM "${table}"`)
    .raw()
    .all() as unknown[][];
  const overriding = copied.includes('rowid') ? ' OVERRIDING SYSTEM VALUE' : '';
  const perStatement = Math.max(1, Math.floor(MAX_PARAMS / copied.length));
  for (let start = 0; start < rows.length; start += perStatement) {
    const batch = rows.slice(start, start + perStatement);
    const values = batch
      .map((_, r) => `(${copied.map((__, c) => `$${r * copied.length + c + 1}`).join(', ')})`)
      .join(', ');
    client.run(
      `INSERT INTO ${quoted}.${table} (${copied.map((c) => `"${c}"`).join(', ')})${overriding} VALUES ${values}`,
      batch.flat().map(toParam),
    );
  }
  const [counted] = client.query<{ n: number }>(`SELECT count(*) AS n FROM ${quoted}.${table}`);
  if (counted?.n !== rows.length) {
    throw new AppError(
      'INTERNAL',
      `${table}: ${rows.length} rows read from SQLite but ${counted?.n ?? 0} in PostgreSQL; nothing was copied`,
    );
  }
  return { table, rows: rows.length };
}

/** SQLite values as parameters: text, numbers and nulls as they are (PostgreSQL types them by their column). */
function toParam(value: unknown): SqlParam {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint')
    return value;
  if (value instanceof Uint8Array) return value;
  throw new AppError('INTERNAL', `a value of type ${typeof value} cannot be copied`);
}

function identityColumns(client: PgSyncClient, schema: string): { table: string; column: string }[] {
  return client
    .query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = $1 AND is_identity = 'YES' ORDER BY table_name`,
      [schema],
    )
    .map((r) => ({ table: r.table_name, column: r.column_name }));
}

/** SQLite's AUTOINCREMENT high mark of `table` (0 when it has none). */
function highestId(db: SqliteDb, table: string): number {
  const hasSequence = db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'`).get() !== undefined;
  if (!hasSequence) return 0;
  return (db.prepare('SELECT seq FROM sqlite_sequence WHERE name = ?').pluck().get(table) as number | undefined) ?? 0;
}

/**
 * The project's registry entry and its own settings, from the SQLite registry into PostgreSQL's, in the copy's
 * transaction (so the project is registered there exactly when its store is); how many settings.
 */
function registerWithSettings(registrySource: SqliteDb, client: PgSyncClient, name: string, root: string): number {
  const registry = schemaIdentifier(REGISTRY_SCHEMA);
  const created = registrySource.prepare('SELECT created_at FROM projects WHERE name = ?').pluck().get(name) as
    number | undefined;
  client.run(`INSERT INTO ${registry}.projects (name, path, created_at) VALUES ($1, $2, $3)`, [
    name,
    root,
    created ?? Date.now(),
  ]);
  const rows = registrySource
    .prepare('SELECT key, value, updated_at FROM project_settings WHERE project = ?')
    .all(name) as { key: string; value: string; updated_at: number }[];
  for (const row of rows) {
    client.run(`INSERT INTO ${registry}.project_settings (project, key, value, updated_at) VALUES ($1, $2, $3, $4)`, [
      name,
      row.key,
      row.value,
      row.updated_at,
    ]);
  }
  return rows.length;
}
