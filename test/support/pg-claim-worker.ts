/**
 * A PostgreSQL claim-race worker, run as its own process (`node --import tsx pg-claim-worker.ts <url> <owner>`), the
 * way the CLI runs our sources: so it also proves the sync client's worker thread loads under tsx.
 *
 * Protocol on stdio, one message a line: worker → parent `ready` once connected; parent → worker `go`; then the
 * worker claims rows of `jobs` (each claim one transaction: SELECT … FOR UPDATE SKIP LOCKED, mark it, record it in
 * `claims`) until none is left and writes `done <id,id,…>`. Errors go to stderr, exit 1.
 */
import { createInterface } from 'node:readline';
import { openPgSync } from '../../src/db/pg/sync-client.js';

const [url, owner] = process.argv.slice(2);
if (!url || !owner) {
  process.stderr.write('usage: pg-claim-worker.ts <postgres-url> <owner>\n');
  process.exit(2);
}

const client = openPgSync(url);
try {
  await waitForGo();
  const claimed: number[] = [];
  for (;;) {
    const id = client.transaction(() => {
      const [job] = client.query<{ id: number }>(
        'SELECT id FROM jobs WHERE claimed_by IS NULL ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED',
      );
      if (job === undefined) return null;
      client.run('UPDATE jobs SET claimed_by = $1 WHERE id = $2', [owner, job.id]);
      client.run('INSERT INTO claims (job_id, owner) VALUES ($1, $2)', [job.id, owner]);
      return job.id;
    });
    if (id === null) break;
    claimed.push(id);
  }
  process.stdout.write(`done ${claimed.join(',')}\n`);
} catch (err: unknown) {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
} finally {
  client.close();
}

async function waitForGo(): Promise<void> {
  const lines = createInterface({ input: process.stdin });
  process.stdout.write('ready\n');
  for await (const line of lines) {
    if (line.trim() === 'go') break;
  }
  lines.close();
}
