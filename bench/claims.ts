/**
 * Claim throughput: 5 processes claim every feature of one project store with ClaimRepo.claimNext (atomic, one write
 * transaction per claim). Prints claims/s, measured from the barrier release to the moment the last worker's claim
 * loop ended, and the number of double claims (target: ≥ 5,000 claims/s on SQLite, and 0).
 *
 * `npm run bench -- claims --database postgres://user:pass@host/db` runs the same race on that PostgreSQL too (in a
 * schema of its own, dropped afterwards) and prints both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { schemaIdentifier } from '../src/db/pg/migrator.js';
import { openPgSync } from '../src/db/pg/sync-client.js';
import { doubleClaims, runClaimRace, seedIndependentFeatures } from '../test/support/claim-race.js';

const FEATURES = 20_000;
const WORKERS = 5;

export async function run(): Promise<void> {
  const { values } = parseArgs({ args: process.argv.slice(3), options: { database: { type: 'string' } } });
  const root = mkdtempSync(join(tmpdir(), 'autocoder-bench-claims-'));
  try {
    await race('SQLite', root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  if (values.database !== undefined) {
    const schema = `bench_claims_${process.pid}`;
    const admin = openPgSync(values.database);
    try {
      await race(`PostgreSQL (${new URL(values.database).host})`, `${values.database}#${schema}`);
    } finally {
      admin.exec(`DROP SCHEMA IF EXISTS ${schemaIdentifier(schema)} CASCADE`);
      admin.close();
    }
  }
  console.log(
    `machine load:   ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (1/5/15 min) on ${availableParallelism()} cores`,
  );
}

async function race(label: string, location: string): Promise<void> {
  console.log(`── ${label}`);
  const seedStart = performance.now();
  seedIndependentFeatures(location, FEATURES);
  console.log(`seeded ${FEATURES} features without dependencies in ${(performance.now() - seedStart).toFixed(0)} ms`);
  const result = await runClaimRace(location, WORKERS, 600_000);
  const total = result.workers.reduce((n, w) => n + w.claims.length, 0);
  const perWorker = result.workers.map((w) => `${w.owner}=${w.claims.length}`).join(', ');
  console.log(`workers:        ${WORKERS} processes (${perWorker})`);
  console.log(`claims:         ${total} of ${FEATURES} in ${result.wallMs.toFixed(0)} ms`);
  console.log(`throughput:     ${Math.round(total / (result.wallMs / 1000))} claims/s (target on SQLite ≥ 5,000)`);
  console.log(`double claims:  ${doubleClaims(result)} (target 0)`);
  console.log(
    `slowest claim:  ${Math.max(...result.workers.map((w) => w.slowestClaimMs)).toFixed(1)} ms (one claimNext call, including the wait for the write lock)`,
  );
}
