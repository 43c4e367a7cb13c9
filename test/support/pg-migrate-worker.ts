/**
 * A PostgreSQL migrating process (`node --import tsx pg-migrate-worker.ts <url> <schema>`), for the race of several
 * processes migrating one schema at once (workers starting together). Protocol on stdio, one message a line: worker →
 * parent `ready` once connected; parent → worker `go`; then it migrates the schema with the project migrations and
 * writes `done <version>`. Errors go to stderr, exit 1.
 */
import { createInterface } from 'node:readline';
import { migratePg, pgMigrations } from '../../src/db/pg/migrator.js';
import { openPgSync } from '../../src/db/pg/sync-client.js';

const [url, schema] = process.argv.slice(2);
if (!url || !schema) {
  process.stderr.write('usage: pg-migrate-worker.ts <postgres-url> <schema>\n');
  process.exit(2);
}

const client = openPgSync(url);
try {
  const lines = createInterface({ input: process.stdin });
  process.stdout.write('ready\n');
  for await (const line of lines) if (line.trim() === 'go') break;
  lines.close();
  const version = migratePg(client, schema, pgMigrations('project'), `schema ${schema}`);
  process.stdout.write(`done ${version}\n`);
} catch (err: unknown) {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
} finally {
  client.close();
}
