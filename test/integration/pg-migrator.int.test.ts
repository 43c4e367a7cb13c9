/**
 * The PostgreSQL migrator (src/db/pg/migrator.ts) on a real PostgreSQL 18: the `*-pg` migrations into a schema per
 * project, each migration with its version row in one transaction, a newer schema refused untouched, and several
 * processes migrating one schema at once applying each migration exactly once.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import type { Migration } from '../../src/db/migrator.js';
import { assertPgSchemaKnown, migratePg, pgMigrations, schemaIdentifier } from '../../src/db/pg/migrator.js';
import { PgError } from '../../src/db/pg/pg-errors.js';
import { openPgSync, type PgSyncClient } from '../../src/db/pg/sync-client.js';
import { killIfRunning } from '../support/kill.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { startStdioWorker, type StdioWorker } from '../support/stdio-worker.js';
import { thrown } from '../support/thrown.js';

const MIGRATE_WORKER = fileURLToPath(new URL('../support/pg-migrate-worker.ts', import.meta.url));

let server: TestPostgres;
let url: string;
let db: PgSyncClient;
const workers: StdioWorker[] = [];

beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});
beforeEach(() => {
  url = server.freshDatabase();
  db = openPgSync(url);
});
afterEach(() => {
  for (const w of workers.splice(0)) killIfRunning(w.child.pid ?? -1, 'SIGKILL');
  db.close();
});

const project = pgMigrations('project');
const registry = pgMigrations('registry');

/** The tables of `schema`, sorted. */
const tablesOf = (schema: string) =>
  db
    .query<{ name: string }>(
      'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1',
      [schema],
    )
    .map((r) => r.name);
/** The version rows of `schema`, in order. */
const versionsOf = (schema: string) =>
  db.query<{ version: number; name: string }>(
    `SELECT version, name FROM ${schemaIdentifier(schema)}.schema_migrations ORDER BY version`,
  );

describe('migratePg', () => {
  it('creates the schema and applies every migration into it, each recorded once; again, it changes nothing', () => {
    expect(assertPgSchemaKnown(db, 'project_notes', project, 'notes')).toBe(0);
    expect(migratePg(db, 'project_notes', project, 'notes')).toBe(project.length);
    expect(versionsOf('project_notes')).toEqual(project.map((m) => ({ version: m.version, name: m.name })));
    expect(tablesOf('project_notes')).toEqual(
      expect.arrayContaining(['features', 'feature_dependencies', 'events', 'runs', 'sessions', 'schema_migrations']),
    );
    // Nothing landed in the public schema: the DDL names no schema and the search path was the project's.
    expect(tablesOf('public')).toEqual([]);

    expect(migratePg(db, 'project_notes', project, 'notes')).toBe(project.length);
    expect(versionsOf('project_notes')).toHaveLength(project.length);
    expect(assertPgSchemaKnown(db, 'project_notes', project, 'notes')).toBe(project.length);
  });

  it('keeps projects and the registry apart: one schema each in one database', () => {
    migratePg(db, 'project_a', project, 'a');
    migratePg(db, 'project_b', project, 'b');
    migratePg(db, 'registry', registry, 'the registry');
    db.run(
      'INSERT INTO project_a.features (category, name, description, created_at, updated_at) VALUES ($1, $2, $3, 1, 1)',
      ['core', 'Only in a', 'd'],
    );
    expect(db.query('SELECT count(*)::int AS n FROM project_a.features')).toEqual([{ n: 1 }]);
    expect(db.query('SELECT count(*)::int AS n FROM project_b.features')).toEqual([{ n: 0 }]);
    expect(tablesOf('registry')).toEqual(expect.arrayContaining(['projects', 'settings', 'schema_migrations']));
    expect(tablesOf('registry')).not.toContain('features');
  });

  it('leaves the schema at its last complete version when a migration fails', () => {
    const broken: Migration[] = [
      ...project,
      { version: project.length + 1, name: 'broken', sql: 'CREATE TABLE half_done (x int); SELECT 1 / 0;' },
    ];
    migratePg(db, 'project_c', project, 'c');
    const error = thrown(() => migratePg(db, 'project_c', broken, 'c'));
    expect(error).toBeInstanceOf(PgError);
    expect((error as PgError).code).toBe('22012'); // division_by_zero
    expect(versionsOf('project_c')).toHaveLength(project.length);
    expect(tablesOf('project_c')).not.toContain('half_done');
    // And the client is usable: the failed migration's transaction was rolled back.
    expect(db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('refuses a schema a newer autocoder wrote, and changes nothing', () => {
    migratePg(db, 'project_d', project, 'd');
    db.run('INSERT INTO project_d.schema_migrations (version, name, applied_at) VALUES ($1, $2, 0)', [
      project.length + 1,
      'from_the_future',
    ]);
    for (const call of [
      () => migratePg(db, 'project_d', project, 'project d'),
      () => assertPgSchemaKnown(db, 'project_d', project, 'project d'),
    ]) {
      const error = thrown(call);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('SCHEMA_TOO_NEW');
      expect((error as AppError).message).toBe(
        `project d has schema version ${project.length + 1}, but this autocoder only knows versions up to ${project.length}. Upgrade autocoder to open it; nothing was changed.`,
      );
    }
    expect(versionsOf('project_d')).toHaveLength(project.length + 1);
  });

  it('refuses a schema name that is not one of ours before sending anything', () => {
    for (const bad of ['Project', '1abc', 'a;drop table x', 'a"b', '', 'x'.repeat(64)]) {
      const error = thrown(() => migratePg(db, bad, project, 'bad'));
      expect((error as AppError).code).toBe('INVALID_INPUT');
    }
    expect(
      db.query('SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE $1 AND nspname NOT IN ($2, $3)', [
        'pg_%',
        'public',
        'information_schema',
      ]),
    ).toEqual([]);
  });

  it('applies each migration exactly once when four processes migrate one schema at once', async () => {
    const racing = ['m1', 'm2', 'm3', 'm4'].map((name) =>
      startStdioWorker(MIGRATE_WORKER, [url, 'project_race'], `migrating process ${name}`),
    );
    workers.push(...racing);
    await Promise.all(racing.map((w) => w.ready));
    for (const w of racing) w.go();
    expect(await Promise.all(racing.map((w) => w.done))).toEqual(racing.map(() => String(project.length)));
    expect(versionsOf('project_race')).toEqual(project.map((m) => ({ version: m.version, name: m.name })));
  }, 120_000);
});
