/**
 * The synchronous PostgreSQL client (src/db/pg/sync-client.ts) against SQLite (better-sqlite3, a temp file with
 * the pragmas of src/db/connection.ts): the median time of one small query (a primary-key lookup) and of a
 * 3-statement transaction (INSERT, UPDATE, SELECT), each call blocking the caller as the storage ports do. Also the
 * test server's start and a client's open. PostgreSQL is the tests' own (test/support/postgres.ts: embedded
 * PostgreSQL 18 on loopback with fsync off, or AUTOCODER_TEST_DATABASE_URL's server). Prints figures only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { openPgSync } from '../src/db/pg/sync-client.js';
import { startPostgres } from '../test/support/postgres.js';

const ROWS = 1_000;
const WARMUP = 200;
const ROUNDS = 3_000;

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function p95(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length * 0.95)] ?? Number.NaN;
}

/** Runs `fn(i)` WARMUP times unmeasured, then ROUNDS times measured; returns each measured call's ms. */
function time(fn: (i: number) => void): number[] {
  for (let i = 0; i < WARMUP; i++) fn(i);
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const started = performance.now();
    fn(WARMUP + i);
    samples.push(performance.now() - started);
  }
  return samples;
}

const us = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;
const line = (what: string, samples: number[]) =>
  console.log(`${what.padEnd(44)} median ${us(median(samples)).padStart(8)}   p95 ${us(p95(samples)).padStart(8)}`);

export async function run(): Promise<void> {
  const startedAt = performance.now();
  const server = await startPostgres();
  const startMs = performance.now() - startedAt;
  const sqliteDir = mkdtempSync(join(tmpdir(), 'autocoder-bench-pg-'));
  try {
    const url = server.freshDatabase();
    const opens: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      openPgSync(url).close();
      opens.push(performance.now() - t);
    }
    const pg = openPgSync(url);
    const sqlite = new Database(join(sqliteDir, 'bench.db'));
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    try {
      const schema = 'CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL, n integer NOT NULL);';
      pg.exec(schema);
      sqlite.exec(schema);
      pg.run('INSERT INTO items SELECT g, $1 || g, 0 FROM generate_series(1, $2::int) AS g', ['item ', ROWS]);
      const seed = sqlite.prepare('INSERT INTO items (id, name, n) VALUES (?, ?, 0)');
      sqlite.transaction(() => {
        for (let id = 1; id <= ROWS; id++) seed.run(id, `item ${id}`);
      })();

      const pgSelect = time((i) => void pg.query('SELECT id, name FROM items WHERE id = $1', [(i % ROWS) + 1]));
      const lookup = sqlite.prepare('SELECT id, name FROM items WHERE id = ?');
      const liteSelect = time((i) => void lookup.all((i % ROWS) + 1));

      const pgTx = time((i) =>
        pg.transaction(() => {
          pg.run('INSERT INTO items (id, name, n) VALUES ($1, $2, 0)', [ROWS + i + 1, `new ${i}`]);
          pg.run('UPDATE items SET n = n + 1 WHERE id = $1', [(i % ROWS) + 1]);
          return pg.query('SELECT n FROM items WHERE id = $1', [(i % ROWS) + 1]);
        }),
      );
      const insert = sqlite.prepare('INSERT INTO items (id, name, n) VALUES (?, ?, 0)');
      const update = sqlite.prepare('UPDATE items SET n = n + 1 WHERE id = ?');
      const read = sqlite.prepare('SELECT n FROM items WHERE id = ?');
      const liteTx = sqlite.transaction((i: number) => {
        insert.run(ROWS + i + 1, `new ${i}`);
        update.run((i % ROWS) + 1);
        return read.all((i % ROWS) + 1);
      });
      const liteTxSamples = time((i) => void liteTx.immediate(i));

      console.log(
        `PostgreSQL: ${server.embedded ? 'embedded 18 (test/support/postgres.ts, fsync off)' : 'AUTOCODER_TEST_DATABASE_URL'}`,
      );
      console.log(`server start (initdb + start):               ${startMs.toFixed(0)} ms`);
      console.log(`openPgSync (worker + connect), median of 10:  ${median(opens).toFixed(1)} ms`);
      console.log(`${ROUNDS} calls each after ${WARMUP} warm-up calls:`);
      line('one small query   PostgreSQL (sync bridge)', pgSelect);
      line('one small query   SQLite (better-sqlite3)', liteSelect);
      line('3-statement tx    PostgreSQL (sync bridge)', pgTx);
      line('3-statement tx    SQLite (BEGIN IMMEDIATE)', liteTxSamples);
      console.log(
        `machine load: ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')} (1/5/15 min) on ${availableParallelism()} cores`,
      );
    } finally {
      pg.close();
      sqlite.close();
    }
  } finally {
    rmSync(sqliteDir, { recursive: true, force: true });
    await server.stop();
  }
}
