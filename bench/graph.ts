/**
 * Dependency-graph speed on a large backlog: 10,000 features and 30,000 random DAG edges
 * (a feature only depends on features with a lower id). Times the pure functions of
 * src/domain/dependency-graph.ts, each on a freshly built graph (as FeatureRepo builds one per
 * call, so per-graph memoisation does not flatter the figures), then the repository path on a
 * real project database holding the same graph: FeatureRepo.ready() and ClaimRepo.claimNext().
 * Prints the median of several runs (target: < 50 ms each).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openProjectStore } from '../src/db/stores.js';
import { projectPaths } from '../src/config/paths.js';
import type { BulkFeature } from '../src/db/ports.js';
import {
  blockedSet,
  buildGraph,
  downstreamCounts,
  findCycle,
  readySet,
  type DependencyEdge,
  type DependencyGraph,
  type GraphNode,
} from '../src/domain/dependency-graph.js';
import { MAX_DEPENDENCIES_PER_FEATURE, type FeatureStatus } from '../src/domain/feature.js';
import { mulberry32 } from '../test/support/prng.js';

const FEATURES = 10_000;
const EDGES = 30_000;
const RUNS = 15;
const CLAIMS = 50;
const READY_LIMIT = 50;

const random = mulberry32;

interface Backlog {
  nodes: GraphNode[];
  edges: DependencyEdge[];
  /** Feature id → the ids it depends on. */
  deps: Map<number, Set<number>>;
}

/** A mid-project backlog: ~40% passing, ~5% failed or waiting for input, the rest pending. */
function makeBacklog(): Backlog {
  const rnd = random(20_240_601);
  const status = (): FeatureStatus => {
    const r = rnd();
    if (r < 0.4) return 'passing';
    if (r < 0.425) return 'failed';
    if (r < 0.45) return 'needs_input';
    return 'pending';
  };
  const nodes: GraphNode[] = [];
  for (let id = 1; id <= FEATURES; id++) nodes.push({ id, status: status(), priority: 1 + Math.floor(rnd() * 100) });
  const deps = new Map<number, Set<number>>(nodes.map((n) => [n.id, new Set<number>()]));
  const edges: DependencyEdge[] = [];
  while (edges.length < EDGES) {
    const a = 1 + Math.floor(rnd() * FEATURES);
    const b = 1 + Math.floor(rnd() * FEATURES);
    if (a === b) continue;
    const [featureId, dependsOn] = a > b ? [a, b] : [b, a];
    const list = deps.get(featureId)!;
    // The per-feature cap keeps the graph storable through FeatureRepo.
    if (list.has(dependsOn) || list.size >= MAX_DEPENDENCIES_PER_FEATURE) continue;
    list.add(dependsOn);
    edges.push({ featureId, dependsOn });
  }
  return { nodes, edges, deps };
}

interface Timing {
  median: number;
  min: number;
  max: number;
}

function summarise(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/** One warm-up, then RUNS timed runs; `prepare` (untimed) makes each run's input. */
function measure<T>(prepare: () => T, fn: (input: T) => unknown, runs = RUNS): Timing {
  fn(prepare());
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const input = prepare();
    const start = performance.now();
    fn(input);
    samples.push(performance.now() - start);
  }
  return summarise(samples);
}

function report(label: string, t: Timing, target = true): void {
  const verdict = target ? (t.median < 50 ? 'ok' : 'OVER TARGET') : '';
  console.log(
    `${label.padEnd(42)} ${t.median.toFixed(2).padStart(9)} ms   (min ${t.min.toFixed(2)}, max ${t.max.toFixed(2)})  ${verdict}`,
  );
}

export async function run(): Promise<void> {
  const backlog = makeBacklog();
  const fresh = (): DependencyGraph => buildGraph(backlog.nodes, backlog.edges);
  const sample = fresh();
  const counts = { ready: readySet(sample).length, blocked: blockedSet(sample).length };
  console.log(
    `graph: ${FEATURES} features, ${backlog.edges.length} edges (DAG, higher id depends on lower), ` +
      `${counts.ready} ready, ${counts.blocked} blocked`,
  );
  console.log(`median of ${RUNS} runs after one warm-up; each run on a freshly built graph; target < 50 ms`);
  console.log(
    `machine load: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (1/5/15 min) on ${availableParallelism()} cores\n`,
  );

  console.log('pure functions (src/domain/dependency-graph.ts)');
  report(
    'buildGraph(nodes, edges)',
    measure(() => undefined, fresh),
    false,
  );
  report('readySet', measure(fresh, readySet));
  report('findCycle', measure(fresh, findCycle));
  report('downstreamCounts', measure(fresh, downstreamCounts));
  report('blockedSet', measure(fresh, blockedSet));

  const root = mkdtempSync(join(tmpdir(), 'autocoder-bench-graph-'));
  try {
    const store = openProjectStore(projectPaths(root), { create: true });
    try {
      const seedStart = performance.now();
      // A fresh database numbers the features 1..n in insertion order, so index = id - 1.
      const items: BulkFeature[] = backlog.nodes.map((n) => ({
        category: `area ${n.id % 50}`,
        name: `feature ${n.id}`,
        description: `benchmark feature ${n.id}`,
        steps: ['step one', 'step two'],
        priority: n.priority,
        dependsOnIndices: [...backlog.deps.get(n.id)!].sort((a, b) => a - b).map((id) => id - 1),
      }));
      const { created } = store.features.createBulk(items);
      if (created.length !== FEATURES || created.some((f, i) => f.id !== i + 1))
        throw new Error('unexpected feature ids in a fresh database');
      const setStatus = store.db.prepare('UPDATE features SET status = ? WHERE id = ?');
      store.db.transaction(() => {
        for (const n of backlog.nodes) if (n.status !== 'pending') setStatus.run(n.status, n.id);
      })();
      console.log(
        `\nrepository path (real SQLite database; seeded in ${(performance.now() - seedStart).toFixed(0)} ms)`,
      );
      report(
        'FeatureRepo.loadGraph()',
        measure(
          () => undefined,
          () => store.features.loadGraph(),
        ),
        false,
      );
      report(
        `FeatureRepo.ready(${READY_LIMIT})`,
        measure(
          () => undefined,
          () => store.features.ready(READY_LIMIT),
        ),
      );
      report(
        `FeatureRepo.blocked(${READY_LIMIT})`,
        measure(
          () => undefined,
          () => store.features.blocked(READY_LIMIT),
        ),
      );
      let claimed = 0;
      const claim = measure(
        () => undefined,
        () => {
          if (store.claims.claimNext('bench') !== null) claimed += 1;
        },
        CLAIMS,
      );
      report(`ClaimRepo.claimNext() (${CLAIMS} claims)`, claim);
      if (claimed !== CLAIMS + 1) console.log(`note: only ${claimed} of ${CLAIMS + 1} claims found a ready feature`);
    } finally {
      store.close();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
