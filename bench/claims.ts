/**
 * Claim throughput: 5 processes claim every feature of one project database with
 * ClaimRepo.claimNext (atomic, one immediate transaction per claim). Prints claims/s, measured
 * from the barrier release to the moment the last worker's claim loop ended, and the number
 * of double claims (target: ≥ 5,000 claims/s and 0).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { doubleClaims, runClaimRace, seedIndependentFeatures } from '../test/support/claim-race.js';

const FEATURES = 20_000;
const WORKERS = 5;

export async function run(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'autocoder-bench-claims-'));
  try {
    const seedStart = performance.now();
    seedIndependentFeatures(root, FEATURES);
    console.log(`seeded ${FEATURES} features without dependencies in ${(performance.now() - seedStart).toFixed(0)} ms`);

    const race = await runClaimRace(root, WORKERS, 300_000);
    const total = race.workers.reduce((n, w) => n + w.claims.length, 0);
    const perWorker = race.workers.map((w) => `${w.owner}=${w.claims.length}`).join(', ');
    console.log(`workers:        ${WORKERS} processes (${perWorker})`);
    console.log(`claims:         ${total} of ${FEATURES} in ${race.wallMs.toFixed(0)} ms`);
    console.log(`throughput:     ${Math.round(total / (race.wallMs / 1000))} claims/s (target ≥ 5,000)`);
    console.log(`double claims:  ${doubleClaims(race)} (target 0)`);
    console.log(
      `slowest claim:  ${Math.max(...race.workers.map((w) => w.slowestClaimMs)).toFixed(1)} ms (one claimNext call, including the wait for the write lock)`,
    );
    console.log(
      `machine load:   ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} (1/5/15 min) on ${availableParallelism()} cores`,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
