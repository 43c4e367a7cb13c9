/**
 * The live view on a real PostgreSQL 18 (issue #20): the events table's trigger NOTIFYs `autocoder_events` when a
 * transaction that added events commits, the server LISTENs (src/db/pg/event-listener.ts) and its event tail reads
 * only when woken, never polling; a lost LISTEN connection comes back and reads what was missed. And end to end: a
 * WebSocket client of a real server started with the URL gets the event another connection wrote.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Env } from '../../src/config/env.js';
import { projectPaths, type ProjectPaths } from '../../src/config/paths.js';
import type { NewEvent, ProjectStore } from '../../src/db/ports.js';
import type { PgSyncClient } from '../../src/db/pg/sync-client.js';
import { openProjectStoreAt, openRegistryAt, openStoreCache, type StoreCache } from '../../src/db/store-location.js';
import { initProjectDatabase } from '../../src/db/stores.js';
import { createProject } from '../../src/projects/projects.js';
import { EventTail, type TailBatchItem } from '../../src/server/event-tail.js';
import { startServer, type RunningServer } from '../../src/server/http-server.js';
import { useDatabasePerTest } from '../support/postgres.js';
import { waitFor } from '../support/wait-for.js';
import { isType, openSocket } from '../support/ws-client.js';

const db = useDatabasePerTest();
let url: string;
let admin: PgSyncClient;
let root: string;
let env: Env;

beforeEach(() => {
  ({ url, admin } = db());
  root = mkdtempSync(join(tmpdir(), 'ac-pg-live-'));
  env = { AUTOCODER_HOME: join(root, 'home'), HOME: root, PATH: process.env.PATH, AUTOCODER_DATABASE_URL: url };
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A plain event about the project (delivered as an `event` message). */
const tick = (n: number): NewEvent => ({ type: 'settings.updated', at: Date.now(), payload: { keys: [`tick-${n}`] } });

/** A registered project whose store is a PostgreSQL schema, as `autocoder new` makes it. */
function pgProject(name: string): ProjectPaths {
  const reg = openRegistryAt(env);
  try {
    return projectPaths(createProject(reg.registry, { name, dir: join(root, name), cwd: root, env }).path);
  } finally {
    reg.close();
  }
}

describe('the event tail of a PostgreSQL project', () => {
  let cache: StoreCache;
  let writer: ProjectStore;
  let tail: EventTail;
  const watchErrors: string[] = [];
  beforeEach(() => {
    watchErrors.length = 0;
    cache = openStoreCache(env, { onWatchError: (err) => watchErrors.push(String(err)) });
  });
  afterEach(() => {
    tail?.close();
    writer?.close();
    cache.close();
  });

  it('reads when a commit notifies it (it never polls), and after a lost LISTEN connection comes back', async () => {
    const paths = pgProject('shop');
    // Another connection writes, as a runner process would.
    writer = openProjectStoreAt(paths, env);
    // An hour between polls: only a notification can deliver within the test.
    tail = new EventTail(
      () => cache.project(paths),
      3_600_000,
      undefined,
      (wake) => cache.watch(paths, wake),
    );
    expect(tail.notified).toBe(true);
    const got: number[] = [];
    tail.add((items: readonly TailBatchItem[]) => got.push(...items.map((i) => i.id)));
    // The LISTEN connection is up once a wake-up on connect has happened; wait for the backend to exist.
    await waitFor(
      () =>
        admin.query(
          `SELECT 1 FROM pg_stat_activity WHERE query = 'LISTEN autocoder_events' AND datname = current_database()`,
        ).length === 1,
      10_000,
      'the LISTEN connection',
    );

    const first = writer.events.append(tick(1));
    await waitFor(() => got.includes(first), 5_000, 'the first event');
    const both = writer.events.appendAll([tick(2), tick(3)]);
    await waitFor(() => both.every((id) => got.includes(id)), 5_000, 'both events of one transaction');

    // The server ends the LISTEN connection; an event commits while it is gone; it is read once the listener is back.
    const listening = admin.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE query = 'LISTEN autocoder_events' AND datname = current_database()`,
    );
    expect(listening).toHaveLength(1);
    expect(admin.query('SELECT pg_terminate_backend($1) AS ok', [listening[0]!.pid])).toEqual([{ ok: true }]);
    await waitFor(() => watchErrors.length > 0, 5_000, 'the listener to notice');
    expect(watchErrors[0]).toContain("the live view's PostgreSQL connection");
    const missed = writer.events.append(tick(4));
    await waitFor(() => got.includes(missed), 10_000, 'the event committed while the listener was away');
    expect(got).toEqual([first, ...both, missed]);
  }, 30_000);

  it('polls a SQLite project as before (no notification to wait for)', () => {
    const paths = projectPaths(join(root, 'lite'));
    mkdirSync(paths.dataDir, { recursive: true });
    initProjectDatabase(paths);
    expect(cache.watch(paths, () => undefined)).toBeNull();
    tail = new EventTail(
      () => cache.project(paths),
      100,
      undefined,
      (wake) => cache.watch(paths, wake),
    );
    expect(tail.notified).toBe(false);
  });
});

describe('mission control on a server started with the URL', () => {
  let running: RunningServer | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it('streams an event another connection commits to a WebSocket client', async () => {
    const reg = openRegistryAt(env);
    let path: string;
    try {
      path = createProject(reg.registry, { name: 'shop', dir: join(root, 'shop'), cwd: root, env }).path;
    } finally {
      reg.close();
    }
    running = await startServer({ env, cwd: root, host: '127.0.0.1', port: 0, launchRunner: () => ({ pid: -1 }) });
    const socket = await openSocket(`ws://127.0.0.1:${running.port}/ws/projects/shop`, {
      headers: { Authorization: `Bearer ${running.token}` },
    });
    try {
      await socket.next(isType('snapshot'));
      const writer = openProjectStoreAt(projectPaths(path), env);
      try {
        const id = writer.events.append(tick(7));
        const message = await socket.next(
          (m): m is Extract<typeof m, { type: 'event' }> => m.type === 'event' && m.id === id,
          10_000,
        );
        expect(message.eventType).toBe('settings.updated');
      } finally {
        writer.close();
      }
    } finally {
      await socket.close();
    }
  }, 30_000);
});
