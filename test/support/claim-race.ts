/**
 * Drives a multi-process claim race: N workers (test/support/claim-worker.ts) open the same
 * project store, wait on a barrier, then claim until nothing is left. Shared by the
 * claim-race integration test and `npm run bench -- claims`. A store location is a project
 * folder (its SQLite database) or `postgres://…#<schema>` (a PostgreSQL project store).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { openProjectStore } from '../../src/compose.js';
import { projectPaths } from '../../src/config/paths.js';
import { openPgProjectStore } from '../../src/db/pg/pg-stores.js';
import type { BulkFeature, ProjectStore } from '../../src/db/ports.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORKER = fileURLToPath(new URL('./claim-worker.ts', import.meta.url));

export interface WorkerClaim {
  readonly id: number;
  readonly epoch: number;
}

export interface WorkerReport {
  readonly owner: string;
  readonly claims: WorkerClaim[];
  /** When the worker's claim loop ended (ms, comparable with {@link RaceResult.releasedAt}). */
  readonly finishedAt: number;
  /** The longest single `claimNext` call, including the time spent waiting for the write lock. */
  readonly slowestClaimMs: number;
}

export interface RaceResult {
  readonly workers: WorkerReport[];
  /** When the barrier was released (ms, `performance.timeOrigin + performance.now()`). */
  readonly releasedAt: number;
  /** From barrier release to the last worker's end of claiming. */
  readonly wallMs: number;
}

/** The project store at `location` (see the module comment); `create` makes it when missing. */
export function openRaceStore(location: string, create: boolean): ProjectStore {
  if (!location.startsWith('postgres')) return openProjectStore(projectPaths(location), { create });
  const hash = location.lastIndexOf('#');
  // Claims touch no project folder: any path will do.
  return openPgProjectStore(
    projectPaths(process.cwd()),
    { url: location.slice(0, hash), schema: location.slice(hash + 1) },
    { create },
  );
}

/** Creates `count` features without dependencies in one project store, in batches of `batchSize`. */
export function seedIndependentFeatures(location: string, count: number, batchSize = 500): void {
  const store = openRaceStore(location, true);
  try {
    for (let start = 0; start < count; start += batchSize) {
      const items: BulkFeature[] = [];
      for (let i = start; i < Math.min(count, start + batchSize); i++) {
        items.push({ category: 'race', name: `feature ${i}`, description: `feature number ${i}`, steps: ['claim it'] });
      }
      store.features.createBulk(items);
    }
  } finally {
    store.close();
  }
}

interface Worker {
  readonly owner: string;
  readonly child: ChildProcessWithoutNullStreams;
  readonly ready: Promise<void>;
  readonly finished: Promise<WorkerReport>;
}

function startWorker(root: string, owner: string): Worker {
  // cwd = the repository, so `--import tsx` resolves to our node_modules.
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, root, owner], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const claims: WorkerClaim[] = [];
  let finishedAt: number | undefined;
  let reportedCount: number | undefined;
  let slowestClaimMs = 0;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    const [kind, a, b, c] = line.split(' ');
    if (kind === 'ready') markReady();
    else if (kind === 'claim') claims.push({ id: Number(a), epoch: Number(b) });
    else if (kind === 'done') {
      reportedCount = Number(a);
      finishedAt = Number(b);
      slowestClaimMs = Number(c);
    }
  });
  const linesClosed = new Promise<void>((resolve) => lines.once('close', resolve));
  const finished = new Promise<WorkerReport>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      void linesClosed.then(() => {
        if (code !== 0 || finishedAt === undefined || reportedCount !== claims.length) {
          reject(
            new Error(
              `worker ${owner} ended with code ${code} signal ${signal} (claims read ${claims.length}, reported ${reportedCount}): ${stderr.trim()}`,
            ),
          );
          return;
        }
        resolve({ owner, claims, finishedAt, slowestClaimMs });
      });
    });
  });
  // A worker that dies before it is ready must fail the race rather than hang the barrier.
  const readyOrDead = Promise.race([
    ready,
    finished.then(() => Promise.reject(new Error(`worker ${owner} ended before it was ready`))),
  ]);
  finished.catch(() => undefined);
  readyOrDead.catch(() => undefined);
  return { owner, child, ready: readyOrDead, finished };
}

/** Runs the race; rejects (after killing every worker it started) if it does not end within `timeoutMs`. */
export async function runClaimRace(root: string, workerCount: number, timeoutMs: number): Promise<RaceResult> {
  const workers: Worker[] = [];
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`claim race did not finish within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    for (let i = 0; i < workerCount; i++) workers.push(startWorker(root, `worker-${i}`));
    await Promise.race([Promise.all(workers.map((w) => w.ready)), deadline]);
    const releasedAt = performance.timeOrigin + performance.now();
    for (const w of workers) w.child.stdin.end('go\n');
    const reports = await Promise.race([Promise.all(workers.map((w) => w.finished)), deadline]);
    const lastDone = Math.max(...reports.map((r) => r.finishedAt));
    return { workers: reports, releasedAt, wallMs: lastDone - releasedAt };
  } finally {
    clearTimeout(timer);
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  }
}

/** Ids claimed by more than one claim across all workers (each extra claim counted once). */
export function doubleClaims(result: RaceResult): number {
  const seen = new Set<number>();
  let doubles = 0;
  for (const w of result.workers) {
    for (const c of w.claims) {
      if (seen.has(c.id)) doubles += 1;
      else seen.add(c.id);
    }
  }
  return doubles;
}
