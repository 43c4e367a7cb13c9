import { join } from 'node:path';
import { AppError } from '../../domain/errors.js';
import type { Schema } from '../connection.js';
import { loadMigrations, type Migration } from '../migrator.js';
import type { PgSyncClient } from './sync-client.js';

/** Each kind's PostgreSQL migrations (`migrations/<kind>-pg`), read once per process. */
const migrationsRead = new Map<Schema, Migration[]>();

export function pgMigrations(kind: Schema): readonly Migration[] {
  let migrations = migrationsRead.get(kind);
  if (!migrations) {
    migrations = loadMigrations(join(import.meta.dirname, '..', '..', '..', 'migrations', `${kind}-pg`));
    migrationsRead.set(kind, migrations);
  }
  return migrations;
}

/** What the migrator needs of a PostgreSQL connection: the migrations run before the store opens, like SQLite's. */
export type MigrationClient = Pick<PgSyncClient, 'query' | 'exec' | 'transaction'>;

/** A schema name autocoder creates: lower-case letters, digits and underscores, a letter first (PostgreSQL's limit). */
const SCHEMA_NAME = /^[a-z][a-z0-9_]{0,62}$/;

/** The schema name, checked, as a quoted identifier (it is part of SQL text: it cannot be a parameter). */
export function schemaIdentifier(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new AppError(
      'INVALID_INPUT',
      `"${schema}" is not a schema name autocoder uses: lower-case letters, digits and underscores, a letter first, at most 63 characters`,
    );
  }
  return `"${schema}"`;
}

/**
 * Brings `schema` (created when missing) up to the last of `migrations` (the `*-pg` twins of SQLite's, same numbers):
 * each migration in its own transaction together with its row in the schema's `schema_migrations`, so a failure
 * leaves the schema at the last complete version. The transaction first takes an advisory lock on the schema, so
 * processes migrating the same schema at once (workers starting together) apply each migration exactly once. A schema
 * written by a newer autocoder is refused untouched. Returns the version reached.
 */
export function migratePg(
  client: MigrationClient,
  schema: string,
  migrations: readonly Migration[],
  label: string,
): number {
  const quoted = schemaIdentifier(schema);
  const latest = migrations.length;
  for (;;) {
    const done = client.transaction(() => {
      // hashtext: the lock's key is the schema's name; another schema migrates meanwhile.
      client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`autocoder.migrate.${schema}`]);
      const current = schemaVersion(client, schema);
      if (current > latest) throw schemaTooNew(label, current, latest);
      if (current === latest) return true;
      const next = migrations[current] as Migration;
      client.exec(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
      client.exec(
        `CREATE TABLE IF NOT EXISTS ${quoted}.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)`,
      );
      // The DDL names no schema: it lands in this one (and nothing else is searched but pg_catalog, always searched).
      client.exec(`SET LOCAL search_path TO ${quoted}`);
      client.exec(next.sql);
      client.query(`INSERT INTO ${quoted}.schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`, [
        next.version,
        next.name,
        Date.now(),
      ]);
      return false;
    });
    if (done) return latest;
  }
}

/**
 * The schema's version (0 when it or its migrations table does not exist yet); throws SCHEMA_TOO_NEW when it is newer
 * than `migrations` know. Only reads.
 */
export function assertPgSchemaKnown(
  client: MigrationClient,
  schema: string,
  migrations: readonly Migration[],
  label: string,
): number {
  schemaIdentifier(schema);
  const current = schemaVersion(client, schema);
  if (current > migrations.length) throw schemaTooNew(label, current, migrations.length);
  return current;
}

function schemaVersion(client: MigrationClient, schema: string): number {
  const [table] = client.query<{ found: string | null }>('SELECT to_regclass($1) AS found', [
    `${schemaIdentifier(schema)}.schema_migrations`,
  ]);
  if (table?.found === null || table === undefined) return 0;
  const [row] = client.query<{ version: number | null }>(
    `SELECT max(version) AS version FROM ${schemaIdentifier(schema)}.schema_migrations`,
  );
  return row?.version ?? 0;
}

function schemaTooNew(label: string, current: number, latest: number): AppError {
  return new AppError(
    'SCHEMA_TOO_NEW',
    `${label} has schema version ${current}, but this autocoder only knows versions up to ${latest}. ` +
      'Upgrade autocoder to open it; nothing was changed.',
    { details: { version: current, supported: latest } },
  );
}
