import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import { PgError } from '../../src/db/pg/pg-errors.js';
import { UnsafeNumberError } from '../../src/db/pg/pg-values.js';
import { openPgSync, type PgSyncClient } from '../../src/db/pg/sync-client.js';
import { freePort } from '../support/free-port.js';
import { killIfRunning } from '../support/kill.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { startStdioWorker, type StdioWorker } from '../support/stdio-worker.js';
import { thrown } from '../support/thrown.js';
import { waitFor } from '../support/wait-for.js';

const CLAIM_WORKER = fileURLToPath(new URL('../support/pg-claim-worker.ts', import.meta.url));

let server: TestPostgres;
let url: string;
const clients: PgSyncClient[] = [];
const children: ChildProcessWithoutNullStreams[] = [];

/** A client closed after the test, whatever happens in it. */
function open(options?: { timeoutMs?: number }, at = url): PgSyncClient {
  const client = openPgSync(at, options);
  clients.push(client);
  return client;
}

beforeAll(async () => {
  server = await startPostgres();
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

beforeEach(() => {
  url = server.freshDatabase();
  open().exec(`
    CREATE TABLE items (id int8 PRIMARY KEY, name text NOT NULL UNIQUE, data jsonb, price numeric);
    CREATE TABLE jobs (id int8 PRIMARY KEY, claimed_by text);
    CREATE TABLE claims (job_id int8 NOT NULL, owner text NOT NULL);
  `);
});

afterEach(() => {
  for (const child of children.splice(0)) killIfRunning(child.pid ?? -1, 'SIGKILL');
  for (const client of clients.splice(0)) client.close();
});

describe('openPgSync: statements', () => {
  it('runs parameterised queries and converts the values (int8, numeric, jsonb, bool, null, time as text)', () => {
    const db = open();
    expect(db.run('INSERT INTO items VALUES ($1, $2, $3, $4)', [1, 'one', { tags: ['a'] }, 12.5])).toEqual({
      rowCount: 1,
    });
    expect(db.run('INSERT INTO items VALUES ($1, $2, NULL, NULL)', [2, 'two'])).toEqual({ rowCount: 1 });
    const rows = db.query('SELECT id, name, data, price, id > 1 AS later FROM items WHERE id >= $1 ORDER BY id', [1]);
    expect(rows).toEqual([
      { id: 1, name: 'one', data: { tags: ['a'] }, price: 12.5, later: false },
      { id: 2, name: 'two', data: null, price: null, later: true },
    ]);
    const [times] = db.query<{ n: number; at: string; ms: number }>(
      "SELECT (SELECT count(*) FROM items) AS n, TIMESTAMPTZ '2025-01-01 00:00:00+00' AS at, $1::int8 AS ms",
      [1_735_689_600_000],
    );
    expect(times).toEqual({ n: 2, at: '2025-01-01 00:00:00+00', ms: 1_735_689_600_000 });
    // Bytes and arrays cross the thread boundary both ways.
    const [sent] = db.query<{ b: Buffer; a: string[] }>('SELECT $1::bytea AS b, $2::text[] AS a', [
      Buffer.from('héllo'),
      ['x', 'y z'],
    ]);
    expect(Buffer.from(sent?.b ?? []).toString()).toBe('héllo');
    expect(sent?.a).toEqual(['x', 'y z']);
  });

  it('reports rowCount for UPDATE, DELETE and SELECT, and runs a script of several statements', () => {
    const db = open();
    db.exec(`
      INSERT INTO items (id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c');
      UPDATE items SET price = 1 WHERE id < 3;
    `);
    expect(db.run('UPDATE items SET price = price + 1 WHERE price IS NOT NULL')).toEqual({ rowCount: 2 });
    expect(db.run('DELETE FROM items WHERE id = $1', [3])).toEqual({ rowCount: 1 });
    expect(db.run('DELETE FROM items WHERE id = $1', [3])).toEqual({ rowCount: 0 });
    expect(db.run('SELECT * FROM items')).toEqual({ rowCount: 2 });
    expect(db.query('SELECT price FROM items ORDER BY id')).toEqual([{ price: 2 }, { price: 2 }]);
  });

  it('refuses parameters that cannot be sent, and stays usable', () => {
    const db = open();
    const fn = thrown(() => db.query('SELECT $1::text AS v', [(() => 1) as unknown as string]));
    expect(fn).toBeInstanceOf(AppError);
    expect((fn as AppError).code).toBe('INVALID_INPUT');
    expect(fn.message).toMatch(/^a parameter of SELECT \$1::text AS v cannot be sent/);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const json = thrown(() => db.query('SELECT $1::jsonb AS v', [circular]));
    expect(json).toBeInstanceOf(AppError);
    expect(json.message).toMatch(/^PostgreSQL client refused SELECT \$1::jsonb AS v: .*circular/i);
    expect(db.query('SELECT $1::text AS v', ['still here'])).toEqual([{ v: 'still here' }]);
  });

  it('refuses a second statement in query() (extended protocol: no script smuggled into a query)', () => {
    const db = open();
    const err = thrown(() => db.query("SELECT 1; INSERT INTO items (id, name) VALUES (9, 'x')"));
    expect(err).toBeInstanceOf(PgError);
    expect((err as PgError).code).toBe('42601');
    expect(db.query('SELECT count(*) AS n FROM items')).toEqual([{ n: 0 }]);
  });

  it('throws PgError with the SQLSTATE, the message and the statement’s first line on a unique violation', () => {
    const db = open();
    db.run("INSERT INTO items (id, name) VALUES (1, 'same')");
    const err = thrown(() => db.run('INSERT INTO items (id, name)\nVALUES ($1, $2)', [2, 'same']));
    expect(err).toBeInstanceOf(PgError);
    expect((err as PgError).code).toBe('23505');
    expect((err as PgError).constraint).toBe('items_name_key');
    expect(err.message).toContain('duplicate key value violates unique constraint "items_name_key"');
    expect(err.message).toContain('in: INSERT INTO items (id, name)');
    expect(err.message).not.toContain('VALUES');
    expect(err.message).not.toContain(new URL(url).password);
    // The client is still usable.
    expect(db.query('SELECT name FROM items')).toEqual([{ name: 'same' }]);
  });

  it('throws rather than rounding a bigint or numeric beyond what a JS number holds; the client stays usable', () => {
    const db = open();
    expect(db.query('SELECT $1::int8 AS v', [Number.MAX_SAFE_INTEGER])).toEqual([{ v: Number.MAX_SAFE_INTEGER }]);
    const big = thrown(() => db.query("SELECT '9007199254740993'::int8 AS v"));
    expect(big).toBeInstanceOf(UnsafeNumberError);
    expect(big.message).toContain('9007199254740993');
    expect(big.message).toContain("in: SELECT '9007199254740993'::int8 AS v");
    expect(thrown(() => db.query("SELECT '-9007199254740992'::int8 AS v"))).toBeInstanceOf(UnsafeNumberError);
    expect(thrown(() => db.query("SELECT '0.1234567890123456789'::numeric AS v"))).toBeInstanceOf(UnsafeNumberError);
    expect(thrown(() => db.query("SELECT ARRAY['1', '9007199254740993']::int8[] AS v"))).toBeInstanceOf(
      UnsafeNumberError,
    );
    expect(db.query("SELECT '0.125'::numeric AS a, '-42'::numeric AS b, ARRAY[1, 2]::int8[] AS c")).toEqual([
      { a: 0.125, b: -42, c: [1, 2] },
    ]);
  });
});

describe('openPgSync: transactions', () => {
  it('commits: the rows are there for another connection', () => {
    const db = open();
    const result = db.transaction(() => {
      db.run("INSERT INTO items (id, name) VALUES (1, 'a')");
      db.run("INSERT INTO items (id, name) VALUES (2, 'b')");
      expect(db.inTransaction).toBe(true);
      return 'done';
    });
    expect(result).toBe('done');
    expect(db.inTransaction).toBe(false);
    expect(open().query('SELECT id FROM items ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('rolls back and rethrows when fn throws: the rows are really gone', () => {
    const db = open();
    const boom = new Error('boom');
    expect(
      thrown(() =>
        db.transaction(() => {
          db.run("INSERT INTO items (id, name) VALUES (1, 'a')");
          expect(db.query('SELECT count(*) AS n FROM items')).toEqual([{ n: 1 }]);
          throw boom;
        }),
      ),
    ).toBe(boom);
    expect(db.inTransaction).toBe(false);
    expect(db.query('SELECT count(*) AS n FROM items')).toEqual([{ n: 0 }]);
    expect(open().query('SELECT count(*) AS n FROM items')).toEqual([{ n: 0 }]);
  });

  it('rolls back a transaction whose statement failed, and the next transaction works', () => {
    const db = open();
    db.run("INSERT INTO items (id, name) VALUES (1, 'a')");
    const err = thrown(() =>
      db.transaction(() => {
        db.run("INSERT INTO items (id, name) VALUES (2, 'b')");
        db.run("INSERT INTO items (id, name) VALUES (3, 'a')");
      }),
    );
    expect((err as PgError).code).toBe('23505');
    db.transaction(() => db.run("INSERT INTO items (id, name) VALUES (4, 'd')"));
    expect(db.query('SELECT id FROM items ORDER BY id')).toEqual([{ id: 1 }, { id: 4 }]);
  });

  it("runs `begin` in BEGIN's round trip (its lock held to COMMIT); a `begin` that fails leaves nothing open", () => {
    const db = open();
    const other = open();
    db.transaction(
      () => {
        // The lock `begin` took is this transaction's: another session cannot take it meanwhile.
        expect(other.query('SELECT pg_try_advisory_xact_lock(42) AS got')).toEqual([{ got: false }]);
        db.run("INSERT INTO items (id, name) VALUES (1, 'a')");
      },
      { begin: 'SELECT pg_advisory_xact_lock(42)' },
    );
    expect(other.query('SELECT pg_try_advisory_xact_lock(42) AS got')).toEqual([{ got: true }]);
    const err = thrown(() =>
      db.transaction(() => db.run("INSERT INTO items (id, name) VALUES (2, 'b')"), { begin: 'SELECT 1/0' }),
    );
    expect((err as PgError).code).toBe('22012');
    expect(db.inTransaction).toBe(false);
    // Not left in an aborted transaction: the next statement works, and the failed transaction wrote nothing.
    expect(db.query('SELECT id FROM items ORDER BY id')).toEqual([{ id: 1 }]);
  });

  it('refuses a nested transaction with a clear error, and rolls back the outer one', () => {
    const db = open();
    const err = thrown(() =>
      db.transaction(() => {
        db.run("INSERT INTO items (id, name) VALUES (1, 'a')");
        db.transaction(() => db.run("INSERT INTO items (id, name) VALUES (2, 'b')"));
      }),
    );
    expect(err).toBeInstanceOf(AppError);
    expect(err.message).toMatch(/transaction\(\) called inside a transaction .*do not nest/);
    expect(db.query('SELECT count(*) AS n FROM items')).toEqual([{ n: 0 }]);
  });

  it('refuses a function that returns a promise, and rolls back what it did synchronously', () => {
    const db = open();
    const asyncFn = async () => {
      db.run("INSERT INTO items (id, name) VALUES (1, 'a')");
      await Promise.resolve();
    };
    const err = thrown(() => db.transaction(asyncFn));
    expect(err).toBeInstanceOf(AppError);
    expect(err.message).toContain('returned a promise: it must be synchronous');
    expect(db.inTransaction).toBe(false);
    expect(db.query('SELECT count(*) AS n FROM items')).toEqual([{ n: 0 }]);
  });
});

describe('openPgSync: time limits, failures and closing', () => {
  it('a statement over the time limit is cancelled by PostgreSQL (57014) and the client stays usable', () => {
    const db = open({ timeoutMs: 300 });
    const err = thrown(() => db.query('SELECT pg_sleep(20)'));
    expect(err).toBeInstanceOf(PgError);
    expect((err as PgError).code).toBe('57014');
    expect(err.message).toContain('statement timeout');
    expect(db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    // Inside a transaction too: rolled back, then usable.
    expect((thrown(() => db.transaction(() => db.query('SELECT pg_sleep(20)'))) as PgError).code).toBe('57014');
    expect(db.query('SELECT 2 AS two')).toEqual([{ two: 2 }]);
  });

  it('a call that gets no answer within the hard limit stops the client for good, with a clear error', () => {
    const db = open({ timeoutMs: 200 });
    // Lift the server's own limit so only the caller's hard limit (timeoutMs + 2 s) can end the wait.
    db.run('SET statement_timeout = 0');
    const err = thrown(() => db.query('SELECT pg_sleep(30)'));
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('IO_ERROR');
    expect(err.message).toMatch(/did not answer SELECT pg_sleep\(30\) within 2200 ms .*the client was stopped/);
    const after = thrown(() => db.query('SELECT 1'));
    expect(after.message).toMatch(/unusable because a call got no answer within 2200 ms/);
  }, 15_000);

  it('a closed client throws a clear error; closing twice is harmless', () => {
    const db = open();
    db.close();
    db.close();
    const err = thrown(() => db.query('SELECT 1'));
    expect(err).toBeInstanceOf(AppError);
    expect(err.message).toMatch(/cannot run SELECT 1: this PostgreSQL client .* is unusable because it was closed/);
    expect(thrown(() => db.transaction(() => 1)).message).toContain('it was closed');
  });

  it('reports a connection the server closed as lost, not as a statement error', async () => {
    const db = open();
    const [{ pid }] = db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid') as [{ pid: number }];
    open().query('SELECT pg_terminate_backend($1)', [pid]);
    // The server's notice of the kill reaches the worker asynchronously: a call before that still succeeds.
    await waitFor(
      () => {
        try {
          db.query('SELECT 1');
          return false;
        } catch (err: unknown) {
          return err;
        }
      },
      10_000,
      'the client to see its connection closed',
    );
    const later = thrown(() => db.query('SELECT 1'));
    expect(later).toBeInstanceOf(AppError);
    expect((later as AppError).code).toBe('IO_ERROR');
    expect(later.message).toMatch(/lost the connection to PostgreSQL at .* during: SELECT 1: the connection is closed/);
  });

  it('knows the connection is gone when the server ends the session in the middle of a statement (FATAL)', () => {
    const db = open();
    // The backend ends itself while answering: the statement's own error is the server's FATAL notice.
    const during = thrown(() => db.query('SELECT pg_terminate_backend(pg_backend_pid())'));
    expect((during as AppError).code).toBe('IO_ERROR');
    expect(during.message).toMatch(/^lost the connection to PostgreSQL at .* during: SELECT pg_terminate_backend/);
    // The next call is refused at once as lost, never sent down the dead socket.
    const later = thrown(() => db.query('SELECT 1'));
    expect((later as AppError).code).toBe('IO_ERROR');
    expect(later.message).toMatch(/lost the connection to PostgreSQL at .* during: SELECT 1: the connection is closed/);
  });

  it('fails fast and clearly on a closed port, naming host, port and database', async () => {
    const port = await freePort();
    const err = thrown(() => openPgSync(`postgres://someone:s3cret-pw@127.0.0.1:${port}/somedb`));
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('IO_ERROR');
    expect(err.message).toContain(`cannot connect to PostgreSQL at 127.0.0.1:${port}/somedb as "someone"`);
    expect(err.message).toContain('connection refused');
    expect(err.message).not.toContain('s3cret-pw');
  });

  it('says the connection timed out when the server accepts but never answers', async () => {
    // The kernel accepts the connection from the listen backlog while this thread is blocked in the call.
    const accepted: Socket[] = [];
    const silent = createServer((socket) => accepted.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const err = thrown(() => openPgSync(`postgres://u:pw-secret@127.0.0.1:${port}/db`, { timeoutMs: 300 }));
      expect((err as AppError).code).toBe('IO_ERROR');
      expect(err.message).toContain(`cannot connect to PostgreSQL at 127.0.0.1:${port}/db as "u": timed out`);
      expect(err.message).not.toContain('pw-secret');
    } finally {
      for (const socket of accepted) socket.destroy();
      silent.close();
    }
  });

  it('says authentication failed on a wrong password, without the password', () => {
    const wrong = new URL(url);
    wrong.password = 'not-the-password-42';
    const err = thrown(() => openPgSync(wrong.toString()));
    expect(err.message).toContain('authentication failed');
    expect(err.message).toContain('28P01');
    expect(err.message).not.toContain('not-the-password-42');
  });

  it('says a missing database does not exist', () => {
    const missing = new URL(url);
    missing.pathname = '/no_such_database';
    const err = thrown(() => openPgSync(missing.toString()));
    expect(err.message).toMatch(/at 127\.0\.0\.1:\d+\/no_such_database .*the database does not exist/);
  });

  it('validates the URL before connecting, without echoing a password', () => {
    for (const bad of ['mysql://u:hunter22@h/db', 'not a url', 'postgres://', 'postgres://u:hunter22@/db']) {
      const err = thrown(() => openPgSync(bad));
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('INVALID_INPUT');
      expect(err.message).toMatch(/^invalid PostgreSQL URL/);
      expect(err.message).not.toContain('hunter22');
    }
    expect((thrown(() => openPgSync(url, { timeoutMs: 0 })) as AppError).code).toBe('INVALID_INPUT');
  });
});

describe('openPgSync: real transactions across processes', () => {
  it('two processes claiming with FOR UPDATE SKIP LOCKED never take the same row (1,000 claims)', async () => {
    const JOBS = 1_000;
    open().run('INSERT INTO jobs (id) SELECT g FROM generate_series(1, $1::int) AS g', [JOBS]);
    const workers = ['w1', 'w2'].map((owner) => startClaimWorker(owner));
    await Promise.all(workers.map((w) => w.ready));
    for (const w of workers) w.child.stdin.write('go\n');
    const claimed = await Promise.all(workers.map((w) => w.done));

    const all = claimed.flat();
    expect(all.length).toBe(JOBS);
    expect(new Set(all).size).toBe(JOBS);
    // Both really raced (each took some), so the absence of doubles means something.
    for (const ids of claimed) expect(ids.length).toBeGreaterThan(0);
    const db = open();
    expect(db.query('SELECT job_id FROM claims GROUP BY job_id HAVING count(*) > 1')).toEqual([]);
    expect(db.query('SELECT count(*) AS n FROM jobs WHERE claimed_by IS NULL')).toEqual([{ n: 0 }]);
  }, 120_000);
});

/** A pg-claim-worker.ts process (through tsx, as the CLI runs); killed in afterEach if still running. */
function startClaimWorker(owner: string): {
  child: StdioWorker['child'];
  ready: Promise<void>;
  done: Promise<number[]>;
} {
  const worker = startStdioWorker(CLAIM_WORKER, [url, owner], `claim worker ${owner}`);
  children.push(worker.child);
  const done = worker.done.then((ids) => ids.split(',').filter(Boolean).map(Number));
  done.catch(() => undefined);
  return { child: worker.child, ready: worker.ready, done };
}
