/**
 * `--database` / AUTOCODER_DATABASE_URL end to end on a real PostgreSQL 18 (issue #20, step 1): the real CLI program
 * in this process (`runCli`, every command's wiring) creates a project whose store is a PostgreSQL schema, runs it
 * to the end with the scripted runtime (initializer and coding sessions, claims, worktrees, landings, events, all on
 * PostgreSQL), reads it back with status/features/list, and removes it; without the URL nothing PostgreSQL is used.
 * And the HTTP API (what mission control reads) on a server started with the URL.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Env } from '../../src/config/env.js';
import { schemaIdentifier } from '../../src/db/pg/migrator.js';
import type { PgSyncClient } from '../../src/db/pg/sync-client.js';
import { openRegistryAt, projectSchemaName } from '../../src/db/store-location.js';
import { cliInProcess, scriptedCliEnv, startCliInProcess } from '../support/cli-in-process.js';
import { waitFor } from '../support/wait-for.js';
import {
  assignedFeature,
  codingSession,
  initializerSession,
  roleScript,
  SAMPLE_FEATURES,
  SAMPLE_SPEC,
} from '../support/fake-anthropic/index.js';
import { apiHarness, type ApiHarness } from '../support/api-app.js';
import { useDatabasePerTest } from '../support/postgres.js';
import { ScriptedRuntime } from '../support/scripted-runtime.js';

// Whole runs (git, worktrees, the scheduler) in this process, their store on PostgreSQL.
vi.setConfig({ testTimeout: 120_000 });

const db = useDatabasePerTest();
let url: string;
let admin: PgSyncClient;
let root: string;
let env: Env;
let specFile: string;

beforeEach(() => {
  ({ url, admin } = db());
  root = mkdtempSync(join(tmpdir(), 'ac-pg-cli-'));
  env = scriptedCliEnv(root);
  specFile = join(root, 'spec.txt');
  writeFileSync(specFile, SAMPLE_SPEC);
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const schemaExists = (schema: string) =>
  admin.query<{ n: number }>('SELECT count(*) AS n FROM information_schema.schemata WHERE schema_name = $1', [
    schema,
  ])[0]?.n === 1;

async function ok(args: string[], options: { env?: Env; runtime?: ScriptedRuntime } = {}) {
  const result = await cliInProcess(args, options.env ?? env, options.runtime ? { runtime: options.runtime } : {});
  expect(result.status, `autocoder ${args.join(' ')}\n${result.stdout}${result.stderr}`).toBe(0);
  return result;
}

describe('autocoder with PostgreSQL as the store', () => {
  it('creates, runs to the end and reports a project whose store is a PostgreSQL schema; SQLite is not touched', async () => {
    const dir = join(root, 'notes');
    await ok(['new', 'notes', '--dir', dir, '--spec', specFile, '--database', url]);
    const schema = projectSchemaName('notes');
    // The folder names the schema (never the URL: agents may read their project); no SQLite file anywhere.
    expect(JSON.parse(readFileSync(join(dir, '.autocoder', 'store.json'), 'utf8'))).toEqual({
      engine: 'postgres',
      schema,
    });
    expect(readFileSync(join(dir, '.autocoder', 'store.json'), 'utf8')).not.toContain('postgres://');
    expect(existsSync(join(dir, '.autocoder', 'autocoder.db'))).toBe(false);
    expect(existsSync(join(root, 'autocoder-home', 'registry.db'))).toBe(false);
    expect(
      admin.query(`SELECT name FROM ${schemaIdentifier('autocoder_registry')}.projects`).map((r) => r.name),
    ).toEqual(['notes']);

    const runtime = new ScriptedRuntime(
      roleScript({ initializer: initializerSession(SAMPLE_FEATURES), coding: codingSession() }),
    );
    const ran = await ok(['run', 'notes', '--database', url], { runtime });
    expect(ran.stdout).toContain('All 4 features pass.');

    // The run's state is PostgreSQL's: every feature passing, each claimed and landed with its events.
    const q = (sql: string) => admin.query(sql.replaceAll('§', schemaIdentifier(schema)));
    expect(q('SELECT status, count(*) AS n FROM §.features GROUP BY status')).toEqual([{ status: 'passing', n: 4 }]);
    expect(q(`SELECT count(*) AS n FROM §.events WHERE type = 'feature.passed'`)).toEqual([{ n: 4 }]);
    expect(q(`SELECT status FROM §.runs`)).toEqual([{ status: 'finished' }]);

    // Read back through the URL in the environment instead of the flag.
    const withUrl = { ...env, AUTOCODER_DATABASE_URL: url };
    const status = JSON.parse((await ok(['status', 'notes', '--json'], { env: withUrl })).stdout) as {
      total: number;
      passing: number;
      run: { status: string };
    };
    expect(status).toMatchObject({ total: 4, passing: 4 });
    const listed = JSON.parse((await ok(['list', '--json'], { env: withUrl })).stdout) as {
      projects: { name: string; stats: { passing: number } | null }[];
    };
    expect(listed.projects.map((p) => [p.name, p.stats?.passing])).toEqual([['notes', 4]]);

    // Without it nothing changes: the SQLite registry knows no such project, and the folder says where its store is.
    const sqliteStatus = await cliInProcess(['status', 'notes'], env);
    expect(sqliteStatus.status).not.toBe(0);
    expect(sqliteStatus.stderr).toContain('no project named "notes" is registered');
    const byPath = await cliInProcess(['features', dir], env);
    expect(byPath.status).not.toBe(0);
    expect(byPath.stderr).toContain('keeps its store in PostgreSQL');
    expect(byPath.stderr).toContain('AUTOCODER_DATABASE_URL');
    expect(byPath.stderr).toContain('--database');

    // Removing with its files drops its schema too.
    await ok(['remove', 'notes', '--delete-files'], { env: withUrl });
    expect(schemaExists(schema)).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });

  it('never gives a new project the schema of another folder of the same name; importing that folder adopts it', async () => {
    const first = join(root, 'first');
    await ok(['new', 'notes', '--dir', first, '--spec', specFile, '--database', url]);
    await ok(['remove', 'notes', '--database', url]); // the registry entry only: folder and schema stay
    expect(schemaExists(projectSchemaName('notes'))).toBe(true);

    const again = await cliInProcess(['new', 'notes', '--dir', join(root, 'second'), '--database', url], env);
    expect(again.status).not.toBe(0);
    expect(again.stderr).toContain(`PostgreSQL already holds a store for a project named "notes"`);
    expect(existsSync(join(root, 'second', '.autocoder', 'store.json'))).toBe(false);

    await ok(['import', 'notes', first, '--database', url]);
    const listed = JSON.parse((await ok(['list', '--json', '--database', url])).stdout) as {
      projects: { name: string; path: string; stats: { total: number } | null }[];
    };
    expect(listed.projects.map((p) => [p.name, p.path, p.stats?.total])).toEqual([['notes', first, 0]]);
  });

  it("opens a store only where the marker names the registered project's own schema", async () => {
    const notes = join(root, 'notes');
    await ok(['new', 'notes', '--dir', notes, '--spec', specFile, '--database', url]);
    await ok(['new', 'other', '--dir', join(root, 'other'), '--spec', specFile, '--database', url]);
    const marker = join(notes, '.autocoder', 'store.json');
    const own = readFileSync(marker, 'utf8');
    // A marker naming another project's schema (as a program run in the project could write one) opens nothing.
    writeFileSync(marker, JSON.stringify({ engine: 'postgres', schema: projectSchemaName('other') }));
    const redirected = await cliInProcess(['features', 'notes', '--database', url], env);
    expect(redirected.status).not.toBe(0);
    expect(redirected.stderr).toContain(`names the schema ${projectSchemaName('other')}, but the project registered`);
    writeFileSync(marker, own);
    await ok(['features', 'notes', '--database', url]);
    // A folder PostgreSQL's registry does not know is not opened by its marker alone.
    await ok(['remove', 'notes', '--database', url]);
    const unregistered = await cliInProcess(['features', notes, '--database', url], env);
    expect(unregistered.status).not.toBe(0);
    expect(unregistered.stderr).toContain("is not registered in PostgreSQL's registry");
  });

  it('doctor names the PostgreSQL registry (never the password), and says how to fix one it cannot reach', async () => {
    type Doctor = { checks: { id: string; ok: boolean; detail: string; fix: string | null }[] };
    const registryOf = async (database: string) =>
      (
        JSON.parse((await cliInProcess(['doctor', '--json', '--database', database], env)).stdout) as Doctor
      ).checks.find((c) => c.id === 'registry');
    const good = await registryOf(url);
    const password = new URL(url).password;
    expect(good).toMatchObject({ ok: true, fix: null });
    expect(good?.detail).toMatch(
      /^PostgreSQL postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/\w+, schema autocoder_registry \(0 projects, 0 workers online\)$/,
    );
    expect(good?.detail).not.toContain(password);
    // The same server on a port nothing listens on.
    const closed = new URL(url);
    closed.port = '1';
    const bad = await registryOf(closed.toString());
    expect(bad?.ok).toBe(false);
    expect(bad?.detail).toContain('127.0.0.1:1');
    expect(bad?.detail).not.toContain(password);
    expect(bad?.fix).toContain('AUTOCODER_DATABASE_URL (or --database)');
  });

  it('refuses a URL that is not PostgreSQL, and --database without one, before doing anything', async () => {
    const bad = await cliInProcess(['new', 'notes', '--dir', join(root, 'x'), '--database', 'mysql://h/db'], env);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('AUTOCODER_DATABASE_URL (or --database)');
    expect(existsSync(join(root, 'x'))).toBe(false);
    const missing = await cliInProcess(['list', '--database'], env);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--database needs a URL');
  });
});

describe('the run as a worker of the shared store', () => {
  it('registers, heartbeats the feature its session works on, and says it stopped when the run ends', async () => {
    const dir = join(root, 'notes');
    await ok(['new', 'notes', '--dir', dir, '--spec', specFile, '--database', url]);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const coding = codingSession();
    const runtime = new ScriptedRuntime(async (conv) => {
      if (assignedFeature(conv) === 1 && conv.turn === 1) await gate;
      return roleScript({ initializer: initializerSession(SAMPLE_FEATURES), coding })(conv);
    });
    const working = runtime.waitForTurn((c) => assignedFeature(c) === 1 && c.turn === 1, 60_000);
    const running = startCliInProcess(['run', 'notes', '--database', url], env, { runtime });
    const workers = async () =>
      (
        JSON.parse((await ok(['workers', '--json', '--database', url])).stdout) as {
          workers: { name: string; host: string; pid: number; status: string; current: unknown[] }[];
        }
      ).workers;
    try {
      await working;
      // Its own heartbeat (every 5 s) says what it works on.
      const reg = openRegistryAt({ AUTOCODER_DATABASE_URL: url });
      try {
        await waitFor(() => reg.registry.workers()[0]?.current.length === 1, 20_000, 'a heartbeat with the feature');
      } finally {
        reg.close();
      }
      expect(await workers()).toEqual([
        expect.objectContaining({
          name: `${hostname()}/${process.pid}`,
          host: hostname(),
          pid: process.pid,
          status: 'online',
          current: [{ project: 'notes', featureId: 1, slot: 0 }],
        }),
      ]);
    } finally {
      release();
    }
    expect((await running.done).status).toBe(0);
    expect(await workers()).toEqual([expect.objectContaining({ status: 'stopped', current: [] })]);
    // Without the shared store, runs register nowhere.
    expect((await ok(['workers'])).stdout).toContain('No workers: runs work on this machine only');
  });
});

describe('autocoder migrate-store', () => {
  it('moves a SQLite project with passing features, sessions and events; status reads the same; the file is kept', async () => {
    const dir = join(root, 'notes');
    await ok(['new', 'notes', '--dir', dir, '--spec', specFile]);
    const runtime = new ScriptedRuntime(
      roleScript({ initializer: initializerSession(SAMPLE_FEATURES), coding: codingSession() }),
    );
    expect((await ok(['run', 'notes'], { runtime })).stdout).toContain('All 4 features pass.');
    await ok(['policy', 'allow', 'notes', 'cowsay']);
    const before = {
      status: (await ok(['status', 'notes', '--json'])).stdout,
      features: (await ok(['features', 'notes', '--json'])).stdout,
      policy: (await ok(['policy', 'list', 'notes', '--json'])).stdout,
    };
    const sqliteEvents = (await ok(['logs', 'notes'])).stdout;
    // Every table's rows as SQLite has them: what the copy must report and hold, exactly.
    const sqlite = new Database(join(dir, '.autocoder', 'autocoder.db'), { readonly: true });
    let counted: Record<string, number>;
    try {
      const tables = sqlite
        .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
        .pluck()
        .all() as string[];
      counted = Object.fromEntries(
        tables.map((t) => [t, sqlite.prepare(`SELECT count(*) FROM "${t}"`).pluck().get() as number]),
      );
    } finally {
      sqlite.close();
    }

    const moved = await ok(['migrate-store', 'notes', '--to', url, '--json']);
    const result = JSON.parse(moved.stdout) as {
      schema: string;
      tables: { table: string; rows: number }[];
      settings: number;
    };
    expect(result.schema).toBe(projectSchemaName('notes'));
    const rows = Object.fromEntries(result.tables.map((t) => [t.table, t.rows]));
    expect(rows).toEqual(counted);
    expect(rows).toMatchObject({ features: 4, runs: 1, sessions: 5 }); // the initializer and a session per feature
    expect(result.settings).toBe(1);
    // PostgreSQL now holds exactly those rows.
    const q = (sql: string) => admin.query<{ n: number }>(sql.replaceAll('§', schemaIdentifier(result.schema)));
    for (const t of result.tables) expect(q(`SELECT count(*) AS n FROM §.${t.table}`)[0]!.n, t.table).toBe(t.rows);

    const withUrl = { ...env, AUTOCODER_DATABASE_URL: url };
    expect((await ok(['status', 'notes', '--json'], { env: withUrl })).stdout).toBe(before.status);
    expect((await ok(['features', 'notes', '--json'], { env: withUrl })).stdout).toBe(before.features);
    expect((await ok(['policy', 'list', 'notes', '--json'], { env: withUrl })).stdout).toBe(before.policy);
    expect((await ok(['logs', 'notes'], { env: withUrl })).stdout).toBe(sqliteEvents);
    expect(existsSync(join(dir, '.autocoder', 'autocoder.db'))).toBe(true); // kept
    expect(JSON.parse(readFileSync(join(dir, '.autocoder', 'store.json'), 'utf8'))).toEqual({
      engine: 'postgres',
      schema: result.schema,
    });

    // New rows continue after the copied ids.
    const maxEvent = q('SELECT max(id) AS n FROM §.events')[0]!.n;
    const created = admin.query<{ id: number }>(
      `INSERT INTO ${schemaIdentifier(result.schema)}.events (at, type, payload) VALUES (1, 'spec.updated', '{}') RETURNING id`,
    );
    expect(created[0]!.id).toBe(maxEvent + 1);

    // Once is enough: the folder now says PostgreSQL.
    const again = await cliInProcess(['migrate-store', 'notes', '--to', url], env);
    expect(again.status).not.toBe(0);
    expect(again.stderr).toContain('already in PostgreSQL');
  });

  it('leaves nothing behind when PostgreSQL refuses a row: no schema, no registry entry, no marker', async () => {
    const dir = join(root, 'notes');
    await ok(['new', 'notes', '--dir', dir, '--spec', specFile]);
    // A NUL in a JSON column: valid for SQLite, refused by PostgreSQL's jsonb.
    const db = new Database(join(dir, '.autocoder', 'autocoder.db'));
    try {
      db.prepare(
        `INSERT INTO features (category, name, description, steps, created_at, updated_at) VALUES ('a', 'b', 'c', ?, 1, 1)`,
      ).run(JSON.stringify(['type \u0000 here']));
    } finally {
      db.close();
    }
    const failed = await cliInProcess(['migrate-store', 'notes', '--to', url], env);
    expect(failed.status).not.toBe(0);
    expect(failed.stderr).toContain('PostgreSQL error');
    expect(schemaExists(projectSchemaName('notes'))).toBe(false);
    const registered = admin.query(`SELECT name FROM ${schemaIdentifier('autocoder_registry')}.projects`);
    expect(registered).toEqual([]);
    expect(existsSync(join(dir, '.autocoder', 'store.json'))).toBe(false);
    expect(JSON.parse((await ok(['status', 'notes', '--json'])).stdout)).toMatchObject({ total: 1 });
  });

  it('refuses without a target, and while a PostgreSQL project of that name exists, copying nothing', async () => {
    const dir = join(root, 'notes');
    await ok(['new', 'notes', '--dir', dir, '--spec', specFile]);
    const noTarget = await cliInProcess(['migrate-store', 'notes'], env);
    expect(noTarget.status).not.toBe(0);
    expect(noTarget.stderr).toContain('--to postgres://');
    await ok(['new', 'notes', '--dir', join(root, 'other'), '--spec', specFile, '--database', url]);
    const taken = await cliInProcess(['migrate-store', 'notes', '--to', url], env);
    expect(taken.status).not.toBe(0);
    expect(taken.stderr).toContain(`PostgreSQL's registry already has a project named "notes"`);
    expect(existsSync(join(dir, '.autocoder', 'store.json'))).toBe(false);
  });
});

describe('the HTTP API of a server started with the URL', () => {
  let api: ApiHarness;
  beforeEach(() => {
    api = apiHarness({ AUTOCODER_DATABASE_URL: url });
  });
  afterEach(() => api.cleanup());

  it('creates a project in PostgreSQL, takes and serves its backlog and events, and removes it with its schema', async () => {
    const path = await api.createProject('shop');
    expect(existsSync(join(path, '.autocoder', 'store.json'))).toBe(true);
    expect(existsSync(join(path, '.autocoder', 'autocoder.db'))).toBe(false);
    const created = await api.json('POST', '/api/projects/shop/features/bulk', {
      features: [
        { category: 'core', name: 'Cart', description: 'A cart', steps: ['add an item'] },
        { category: 'core', name: 'Checkout', description: 'Pay', steps: ['pay'], dependsOnIndices: [0] },
      ],
    });
    expect(created.status).toBe(201);
    const board = await api.json<{ pending: { name: string; dependencies: number[] }[] }>(
      'GET',
      '/api/projects/shop/features',
    );
    expect(board.status).toBe(200);
    expect(board.body.pending.map((f) => [f.name, f.dependencies.length])).toEqual([
      ['Cart', 0],
      ['Checkout', 1],
    ]);
    const projects = await api.json<{ projects: { name: string; stats: { total: number } | null }[] }>(
      'GET',
      '/api/projects',
    );
    expect(projects.body.projects.map((p) => [p.name, p.stats?.total])).toEqual([['shop', 2]]);
    // A worker on it, as the registry keeps it: GET /api/workers names its feature.
    const reg = openRegistryAt({ AUTOCODER_DATABASE_URL: url });
    try {
      reg.registry.registerWorker({ name: 'build-1', host: 'build', pid: 7, slots: 2 });
      reg.registry.workerHeartbeat('build-1', 7, [{ project: 'shop', featureId: 1, slot: 0 }]);
    } finally {
      reg.close();
    }
    const workers = await api.json<{ workers: { name: string; status: string; current: unknown[] }[] }>(
      'GET',
      '/api/workers',
    );
    expect(workers.body.workers).toEqual([
      expect.objectContaining({
        name: 'build-1',
        status: 'online',
        current: [{ project: 'shop', featureId: 1, slot: 0, featureName: 'Cart' }],
      }),
    ]);
    const events = await api.json<{ events: { type: string }[] }>('GET', '/api/projects/shop/events?since=0');
    expect(events.body.events.map((e) => e.type)).toEqual(['feature.bulk_created']);

    const schema = projectSchemaName('shop');
    expect(schemaExists(schema)).toBe(true);
    const removed = await api.request('DELETE', '/api/projects/shop?deleteFiles=true');
    expect(removed.status, await removed.text()).toBe(200);
    expect(schemaExists(schema)).toBe(false);
  });
});
