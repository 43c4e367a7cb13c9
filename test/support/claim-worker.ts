/**
 * A claim-race worker, run as its own process (`node --import tsx claim-worker.ts <root> <owner>`). With
 * `<root>` of the form `postgres://…#<schema>` it claims from that PostgreSQL project store instead of a SQLite file.
 *
 * Protocol on stdio, one message a line:
 * - worker → parent `ready` once the project database is open;
 * - parent → worker `go` (the barrier: every worker starts claiming at the same moment);
 * - worker → parent `claim <id> <epoch>` for every feature it claimed, then
 *   `done <count> <finishedAt> <slowestClaimMs>` (finishedAt in ms, `performance.timeOrigin + performance.now()`).
 * It claims with `ClaimRepo.claimNext` until that returns null. Errors go to stderr, exit 1.
 *
 * With `reserve <runUsd> <minUsd>` after the owner it claims nothing: after `go` it reserves once from run `run_race`'s
 * budget of `runUsd` and writes `reserved <amount>` or `refused`, then `done 0 …` (the budget race of the contract).
 */
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { openRaceStore } from './claim-race.js';

const [root, owner, mode, runUsd, minUsd] = process.argv.slice(2);
if (!root || !owner) {
  process.stderr.write('usage: claim-worker.ts <project-root> <owner>\n');
  process.exit(2);
}

const store = openRaceStore(root, false);
try {
  await waitForGo();
  if (mode === 'reserve') {
    const got = store.budget.reserve({
      id: `bud_${owner}`,
      runId: 'run_race',
      featureId: null,
      role: 'coding',
      limits: { runUsd: Number(runUsd), featureUsd: null, dailyUsd: null },
      dayStart: 0,
      minUsd: Number(minUsd),
    });
    process.stdout.write(`${got.ok ? `reserved ${got.amountUsd}` : 'refused'}\ndone 0 0 0\n`);
    process.exit(0);
  }
  const lines: string[] = [];
  let slowest = 0;
  for (;;) {
    const started = performance.now();
    const next = store.claims.claimNext(owner);
    slowest = Math.max(slowest, performance.now() - started);
    if (next === null) break;
    lines.push(`claim ${next.claim.featureId} ${next.claim.epoch}\n`);
  }
  const finishedAt = performance.timeOrigin + performance.now();
  // One write: stdout to a pipe is synchronous on Linux, so nothing is lost when the process ends.
  process.stdout.write(`${lines.join('')}done ${lines.length} ${finishedAt} ${slowest}\n`);
} finally {
  store.close();
}

function waitForGo(): Promise<void> {
  const rl = createInterface({ input: process.stdin });
  return new Promise((resolve, reject) => {
    rl.on('line', (line) => {
      if (line.trim() !== 'go') return;
      resolve();
      rl.close();
      process.stdin.destroy();
    });
    // After `go` this is a no-op: the promise is already resolved.
    rl.on('close', () => reject(new Error('stdin closed before "go"')));
    process.stdout.write('ready\n');
  });
}
