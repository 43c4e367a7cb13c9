/**
 * Schedule quality of the runner's dispatch policy. A discrete-event simulation with k session
 * slots drives the REAL ClaimRepo.claimNext/markPassing on a real SQLite project in a temp dir,
 * with a FakeClock as virtual time: whenever a slot is free it claims the next feature; a claimed
 * feature passes after its synthetic (seeded) duration; the clock jumps to the next completion.
 * Makespan = virtual time when everything passes; lower bound LB = max(critical path by
 * durations, total work / k). Prints makespan / LB for a wide fan, wide layers, a deep chain and
 * random 200-node DAGs (several seeds, mean/max) for k = 1..5 (target ≤ 1.05).
 *
 * All priorities are equal, so claimNext's own tie-breaking is what is measured. "runner (unblocks)" is the order
 * without estimates (distinct transitive dependents, then id: what a project gets before any run estimated it);
 * "estimated" is the runner's order with duration estimates: before each claim, refreshDurationEstimates (the
 * runner's own function) re-estimates every unfinished feature from the sessions recorded so far in the database
 * (each simulated session is a real session row, started at its claim and ended at its pass in virtual time) and
 * claimNext orders by the estimated path; "prior only" is the same with the history ignored (a project that has
 * seen nothing). The synthetic features carry a category and a step count that correlate with their duration
 * ({@link withAttributes}); the lognormal random DAGs are also run with attributes that say nothing (ρ = 0).
 * "creation order" sets priority = creation index, on the same real claim path, for contrast. The "alt" columns are
 * NOT the runner's policy: an in-memory list scheduler with the same event semantics and a different order, for
 * comparison (in-memory replicas of the real path's orders are checked against the database runs first).
 * LB* is a tighter lower bound (see {@link tighterBound}); makespan / LB* separates the policy's
 * own loss from the slack of the simple bound.
 */
import type { Claim, ClaimPolicy } from '../src/db/ports.js';
import type { BulkFeature } from '../src/db/ports.js';
import { buildGraph, type DependencyEdge, type GraphNode } from '../src/domain/dependency-graph.js';
import { downstreamCounts } from '../src/domain/downstream-counts.js';
import { type DurationSample, estimateDurations, type EstimateTarget } from '../src/domain/duration-estimate.js';
import { estimatedPaths } from '../src/domain/estimated-path.js';
import { refreshDurationEstimates } from '../src/runner/duration-estimates.js';
import { mulberry32 } from '../test/support/prng.js';
import { FakeClock, openTempProject } from '../test/support/tmp.js';

/** One virtual time unit (a "typical" session is 1–10 units). */
const UNIT_MS = 60_000;
const START = Date.UTC(2025, 0, 1);
const SLOTS = [1, 2, 3, 4, 5] as const;
const RANDOM_SEEDS = 10;
const TARGET = 1.05;
/** Leases never expire in virtual time (nothing heartbeats or reaps here). */
const SIM_POLICY: ClaimPolicy = { leaseMs: 365 * 24 * 3_600_000, backoffBaseMs: 0, backoffCapMs: 0 };

interface Dag {
  /** Item i depends on these earlier items (0-based creation indices). */
  readonly deps: readonly (readonly number[])[];
  /** Duration of item i in ms of virtual time. */
  readonly durMs: readonly number[];
  /** What item i shows before it runs (the estimator's input): its category and number of steps. */
  readonly category: readonly string[];
  readonly steps: readonly number[];
}

/** How strongly a feature's category and step count follow its duration (correlation with the log duration). */
const ATTRIBUTE_CORRELATION = 0.7;
const CATEGORY_CUTS = [-0.967, -0.431, 0, 0.431, 0.967]; // six equally likely buckets of a standard normal

/**
 * Gives each item a category and a step count that follow its duration the way real ones might: each is drawn from a
 * noisy copy of the item's standardised log duration, correlated `rho` with it (0.7 by default; 0: they say nothing).
 * Category: one of six equally likely buckets of that copy (so "cat5" features run long on average, with overlap);
 * steps: round(4 · e^(0.5 · copy)), 1–12 (median 4). The correlation is this bench's assumption: a real project's is
 * unknown, which is why the ρ = 0 case is shown too. Durations are unchanged (the same as without attributes).
 */
function withAttributes(dag: Pick<Dag, 'deps' | 'durMs'>, seed: number, rho: number = ATTRIBUTE_CORRELATION): Dag {
  const rnd = mulberry32(seed ^ 0xca7e);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const logs = dag.durMs.map((d) => Math.log(d));
  const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
  const sd = Math.sqrt(logs.reduce((a, b) => a + (b - mean) ** 2, 0) / logs.length) || 1;
  const category: string[] = [];
  const steps: number[] = [];
  for (const l of logs) {
    const z = (l - mean) / sd;
    const zc = rho * z + Math.sqrt(1 - rho ** 2) * gauss();
    const zs = rho * z + Math.sqrt(1 - rho ** 2) * gauss();
    category.push(`cat${CATEGORY_CUTS.filter((c) => zc > c).length}`);
    steps.push(Math.min(12, Math.max(1, Math.round(4 * Math.exp(0.5 * zs)))));
  }
  return { ...dag, category, steps };
}

type DurationModel = 'uniform' | 'lognormal';

/** Uniform integer 1–10 units, or lognormal (median 4 units, σ 0.8, clamped to 0.5–40, 0.1-unit grain). */
function durations(n: number, seed: number, model: DurationModel): number[] {
  const rnd = mulberry32(seed ^ 0x5eed);
  return Array.from({ length: n }, () => {
    if (model === 'uniform') return (1 + Math.floor(rnd() * 10)) * UNIT_MS;
    const normal = Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
    const units = Math.min(40, Math.max(0.5, 4 * Math.exp(0.8 * normal)));
    return Math.round(units * 10) * (UNIT_MS / 10);
  });
}

function pick(rnd: () => number, from: readonly number[], count: number): number[] {
  const pool = [...from];
  const out: number[] = [];
  while (out.length < count && pool.length > 0) out.push(pool.splice(Math.floor(rnd() * pool.length), 1)[0]!);
  return out.sort((a, b) => a - b);
}

/** 1 root → 60 independent features → 3 collectors (20 each, the per-feature dependency cap) → 1 sink. */
function wideFan(seed: number, model: DurationModel): Dag {
  const deps: number[][] = [[]];
  for (let i = 0; i < 60; i++) deps.push([0]);
  for (let c = 0; c < 3; c++) deps.push(Array.from({ length: 20 }, (_, j) => 1 + c * 20 + j));
  deps.push([61, 62, 63]);
  return withAttributes({ deps, durMs: durations(deps.length, seed, model) }, seed);
}

/** 1 root → 5 layers of 16; each feature depends on 1–3 random features of the layer above. */
function wideLayers(seed: number, model: DurationModel): Dag {
  const rnd = mulberry32(seed);
  const deps: number[][] = [[]];
  let above = [0];
  for (let layer = 0; layer < 5; layer++) {
    const current: number[] = [];
    for (let j = 0; j < 16; j++) {
      current.push(deps.length);
      deps.push(pick(rnd, above, 1 + Math.floor(rnd() * 3)));
    }
    above = current;
  }
  return withAttributes({ deps, durMs: durations(deps.length, seed, model) }, seed);
}

/** 12 independent side tasks created first, a 40-feature chain, then 8 side tasks hanging off random chain links. */
function deepChain(seed: number, model: DurationModel): Dag {
  const rnd = mulberry32(seed);
  const deps: number[][] = [];
  for (let i = 0; i < 12; i++) deps.push([]);
  for (let i = 0; i < 40; i++) deps.push(i === 0 ? [] : [deps.length - 1]);
  for (let i = 0; i < 8; i++) deps.push([12 + Math.floor(rnd() * 40)]);
  return withAttributes({ deps, durMs: durations(deps.length, seed, model) }, seed);
}

/** 200 features; each depends on 0–3 distinct uniformly chosen earlier ones. */
function random200(seed: number, model: DurationModel, rho: number = ATTRIBUTE_CORRELATION): Dag {
  const rnd = mulberry32(seed);
  const deps: number[][] = [];
  for (let i = 0; i < 200; i++) {
    const want = Math.min(i, Math.floor(rnd() * 4));
    const chosen = new Set<number>();
    while (chosen.size < want) chosen.add(Math.floor(rnd() * i));
    deps.push([...chosen].sort((a, b) => a - b));
  }
  return withAttributes({ deps, durMs: durations(deps.length, seed, model) }, seed, rho);
}

function dependents(dag: Dag): number[][] {
  const out = dag.deps.map((): number[] => []);
  dag.deps.forEach((ds, i) => ds.forEach((d) => out[d]!.push(i)));
  return out;
}

/**
 * Longest remaining path from each item to the end (inclusive), weighted by `weight`. Items are in topological order.
 */
function bottomLevels(dag: Dag, weight: (i: number) => number): number[] {
  const down = dependents(dag);
  const level = new Array<number>(dag.deps.length).fill(0);
  for (let i = dag.deps.length - 1; i >= 0; i--) level[i] = weight(i) + Math.max(0, ...down[i]!.map((j) => level[j]!));
  return level;
}

function criticalPathMs(dag: Dag): number {
  return Math.max(...bottomLevels(dag, (i) => dag.durMs[i]!));
}

function totalWorkMs(dag: Dag): number {
  return dag.durMs.reduce((a, b) => a + b, 0);
}

function lowerBoundMs(dag: Dag, k: number): number {
  return Math.max(criticalPathMs(dag), totalWorkMs(dag) / k);
}

/**
 * A tighter lower bound (to tell bound slack from policy loss): for any u = w, or u an ancestor
 * of w, the schedule holds three disjoint phases: all ancestors of u before u starts, everything
 * between u and w after u ends and before w starts, all descendants of w after w ends. Each phase
 * takes at least max(its longest chain, its work / k). LB* = max(LB, the best such u, w).
 */
function tighterBound(dag: Dag): (k: number) => number {
  const n = dag.deps.length;
  const dur = dag.durMs;
  const reach = Array.from({ length: n }, () => new Uint8Array(n)); // reach[u][x]: x depends on u transitively
  const down = dependents(dag);
  for (let u = n - 1; u >= 0; u--) {
    for (const d of down[u]!) {
      reach[u]![d] = 1;
      for (let x = 0; x < n; x++) if (reach[d]![x]) reach[u]![x] = 1;
    }
  }
  const head = new Array<number>(n).fill(0); // longest chain ending just before u
  for (let u = 0; u < n; u++) head[u] = Math.max(0, ...dag.deps[u]!.map((d) => head[d]! + dur[d]!));
  const tail = bottomLevels(dag, (i) => dur[i]!).map((b, i) => b - dur[i]!); // longest chain after w
  const work = (member: (x: number) => boolean): number => {
    let sum = 0;
    for (let x = 0; x < n; x++) if (member(x)) sum += dur[x]!;
    return sum;
  };
  const before = Array.from({ length: n }, (_, u) => work((x) => reach[x]![u] === 1));
  const after = Array.from({ length: n }, (_, w) => work((x) => reach[w]![x] === 1));
  const pairs: { u: number; w: number; chain: number; mid: number }[] = [];
  for (let u = 0; u < n; u++) {
    // Longest path from u's end to each x's start, through features between them.
    const gap = new Array<number>(n).fill(-1);
    for (let x = u + 1; x < n; x++) {
      if (!reach[u]![x]) continue;
      gap[x] = Math.max(
        0,
        ...dag.deps[x]!.filter((d) => d === u || reach[u]![d]).map((d) => (d === u ? 0 : gap[d]! + dur[d]!)),
      );
    }
    pairs.push({ u, w: u, chain: 0, mid: -1 });
    for (let w = u + 1; w < n; w++) {
      if (reach[u]![w])
        pairs.push({ u, w, chain: gap[w]!, mid: work((x) => reach[u]![x] === 1 && reach[x]![w] === 1) });
    }
  }
  return (k) => {
    let best = lowerBoundMs(dag, k);
    for (const { u, w, chain, mid } of pairs) {
      const middle = mid < 0 ? 0 : Math.max(chain, mid / k) + dur[w]!;
      best = Math.max(best, Math.max(head[u]!, before[u]! / k) + dur[u]! + middle + Math.max(tail[w]!, after[w]! / k));
    }
    return best;
  };
}

/** The runner's `unblocks` column for each item, from the same domain function FeatureRepo uses. */
function unblocksOf(dag: Dag): number[] {
  const nodes: GraphNode[] = dag.deps.map((_, i) => ({ id: i + 1, status: 'pending', priority: 0 }));
  const edges: DependencyEdge[] = dag.deps.flatMap((ds, i) => ds.map((d) => ({ featureId: i + 1, dependsOn: d + 1 })));
  const counts = downstreamCounts(buildGraph(nodes, edges));
  return dag.deps.map((_, i) => counts.get(i + 1) ?? 0);
}

/**
 * The real claim path's configurations: `equal` priorities and no estimates (today's order before a run estimates),
 * `creation` order priorities, `estimated` (the runner's estimates from the recorded history before each claim) and
 * `prior` (the same, history ignored).
 */
type Order = 'equal' | 'creation' | 'estimated' | 'prior';

const USAGE = { turns: 1, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0, costUsd: 0 };
/** Wall time of each refreshDurationEstimates call in the simulations (ms), for the cost line. */
const refreshTimes: number[] = [];

/** The real dispatch path: claimNext / markPassing on a fresh project database, FakeClock as virtual time. */
function simulateReal(dag: Dag, k: number, order: Order): number {
  const clock = new FakeClock(START);
  const project = openTempProject({ clock, policy: SIM_POLICY });
  try {
    const { features, claims, sessions: sessionRows } = project.store;
    const items: BulkFeature[] = dag.deps.map((ds, i) => ({
      category: dag.category[i]!,
      name: `feature ${i}`,
      description: `simulated feature ${i}`,
      steps: Array.from({ length: dag.steps[i]! }, (_, j) => `step ${j + 1}`),
      priority: order === 'creation' ? i : 0,
      dependsOnIndices: ds,
    }));
    const { created } = features.createBulk(items);
    if (created.some((f, i) => f.id !== i + 1)) throw new Error('unexpected feature ids in a fresh database');
    const estimated = order === 'estimated' || order === 'prior';
    const running: { end: number; claim: Claim; session: string }[] = [];
    let passed = 0;
    let sessions = 0;
    while (passed < dag.deps.length) {
      while (running.length < k) {
        if (estimated) {
          const t0 = performance.now();
          refreshDurationEstimates(project.store, { history: order === 'prior' ? 'ignore' : 'use' });
          refreshTimes.push(performance.now() - t0);
        }
        const session = `ses_${++sessions}`;
        const next = claims.claimNext(`sim/${session}`);
        if (next === null) break;
        // A real session row, so the history the estimates read is the one a run records.
        if (estimated)
          sessionRows.start({
            id: session,
            runId: null,
            slot: running.length,
            role: 'coding',
            featureIds: [next.feature.id],
            model: null,
            transcriptPath: '-',
          });
        running.push({ end: clock.now() + dag.durMs[next.feature.id - 1]!, claim: next.claim, session });
      }
      if (running.length === 0) throw new Error(`simulation stalled with ${passed} of ${dag.deps.length} passing`);
      const end = Math.min(...running.map((r) => r.end));
      clock.advance(end - clock.now());
      for (let s = running.length - 1; s >= 0; s--) {
        if (running[s]!.end !== end) continue;
        claims.markPassing(running[s]!.claim);
        if (estimated)
          sessionRows.end(running[s]!.session, { status: 'succeeded', outcome: 'success', usage: USAGE, error: null });
        running.splice(s, 1);
        passed += 1;
      }
    }
    return clock.now() - START;
  } finally {
    project.cleanup();
  }
}

/**
 * In-memory replica of the estimated orders (to check the database runs against the pure policy): before each start,
 * the same domain functions on the same history (finished items, in order) and targets (unfinished items; a running
 * one has used one of its 3 attempts), then priority-free order by estimated path, unblocks, id.
 */
function simulateEstimatedList(dag: Dag, k: number, useHistory: boolean): number {
  const n = dag.deps.length;
  const down = dependents(dag);
  const unblocks = unblocksOf(dag);
  const nodes: GraphNode[] = dag.deps.map((_, i) => ({ id: i + 1, status: 'pending', priority: 0 }));
  const edges: DependencyEdge[] = dag.deps.flatMap((ds, i) => ds.map((d) => ({ featureId: i + 1, dependsOn: d + 1 })));
  const graph = buildGraph(nodes, edges);
  const waitingOn = dag.deps.map((ds) => ds.length);
  const finished = new Set<number>();
  const history: DurationSample[] = [];
  const ready: number[] = [];
  for (let i = 0; i < n; i++) if (waitingOn[i] === 0) ready.push(i);
  const running: { end: number; item: number }[] = [];
  let now = 0;
  while (finished.size < n) {
    while (running.length < k && ready.length > 0) {
      const targets: EstimateTarget[] = [];
      for (let i = 0; i < n; i++) {
        if (finished.has(i)) continue;
        const attempts = running.some((r) => r.item === i) ? 1 : 0;
        targets.push({ id: i + 1, category: dag.category[i]!, steps: dag.steps[i]!, attempts, maxAttempts: 3 });
      }
      const estimates = estimateDurations(useHistory ? history : [], targets);
      const path = estimatedPaths(graph, estimates);
      const key = (i: number): number[] => [-Math.round(path.get(i + 1) ?? 0), -unblocks[i]!, i];
      ready.sort((a, b) => {
        const ka = key(a);
        const kb = key(b);
        for (let j = 0; j < ka.length; j++) if (ka[j] !== kb[j]) return ka[j]! - kb[j]!;
        return 0;
      });
      const item = ready.shift()!;
      running.push({ end: now + dag.durMs[item]!, item });
    }
    if (running.length === 0) throw new Error('in-memory simulation stalled');
    now = Math.min(...running.map((r) => r.end));
    // Sessions end in the order the database run records them (from the last slot down).
    for (let s = running.length - 1; s >= 0; s--) {
      if (running[s]!.end !== now) continue;
      const { item } = running[s]!;
      running.splice(s, 1);
      finished.add(item);
      history.push({
        featureId: item + 1,
        category: dag.category[item]!,
        steps: dag.steps[item]!,
        durationMs: dag.durMs[item]!,
        passed: true,
      });
      for (const d of down[item]!) if (--waitingOn[d]! === 0) ready.push(d);
    }
  }
  return now;
}

/**
 * In-memory list scheduling with the same event semantics; `key` orders ready items (lexicographic, smallest first).
 */
function simulateList(dag: Dag, k: number, key: (i: number) => readonly number[]): number {
  const n = dag.deps.length;
  const down = dependents(dag);
  const waitingOn = dag.deps.map((ds) => ds.length);
  const keys = dag.deps.map((_, i) => key(i));
  const compare = (a: number, b: number): number => {
    const ka = keys[a]!;
    const kb = keys[b]!;
    for (let j = 0; j < ka.length; j++) if (ka[j] !== kb[j]) return ka[j]! - kb[j]!;
    return 0;
  };
  const ready: number[] = [];
  for (let i = 0; i < n; i++) if (waitingOn[i] === 0) ready.push(i);
  const running: { end: number; item: number }[] = [];
  let now = 0;
  let passed = 0;
  while (passed < n) {
    ready.sort(compare);
    while (running.length < k && ready.length > 0) {
      const item = ready.shift()!;
      running.push({ end: now + dag.durMs[item]!, item });
    }
    if (running.length === 0) throw new Error('in-memory simulation stalled');
    now = Math.min(...running.map((r) => r.end));
    for (let s = running.length - 1; s >= 0; s--) {
      if (running[s]!.end !== now) continue;
      const { item } = running[s]!;
      running.splice(s, 1);
      passed += 1;
      for (const d of down[item]!) if (--waitingOn[d]! === 0) ready.push(d);
    }
  }
  return now;
}

interface Policies {
  /** Replica of ORDER BY priority, unblocks DESC, id with equal priorities. */
  runner: (i: number) => readonly number[];
  creation: (i: number) => readonly number[];
  /**
   * Alternative: longest remaining chain counted in features (computable without durations), then unblocks, then id.
   */
  chain: (i: number) => readonly number[];
  /** Alternative (oracle): longest remaining path by true durations, then unblocks, then id. */
  path: (i: number) => readonly number[];
}

function policies(dag: Dag): Policies {
  const unblocks = unblocksOf(dag);
  const chain = bottomLevels(dag, () => 1);
  const path = bottomLevels(dag, (i) => dag.durMs[i]!);
  return {
    runner: (i) => [-unblocks[i]!, i],
    creation: (i) => [i],
    chain: (i) => [-chain[i]!, -unblocks[i]!, i],
    path: (i) => [-path[i]!, -unblocks[i]!, i],
  };
}

interface Row {
  lb: number;
  /** LB* ({@link tighterBound}). */
  tight: number;
  runner: number;
  estimated: number;
  prior: number;
  creation: number;
  chain: number;
  path: number;
}

let replicaChecks = 0;
let replicaMismatches = 0;
let boundChecks = 0;
let boundViolations = 0;
/** The estimated order against the order without estimates, schedule by schedule. */
const versus = { better: 0, equal: 0, worse: 0, worst: 1 };

function measure(dag: Dag, k: number, tight: (k: number) => number): Row {
  const p = policies(dag);
  const runner = simulateReal(dag, k, 'equal');
  const estimated = simulateReal(dag, k, 'estimated');
  const prior = simulateReal(dag, k, 'prior');
  const creation = simulateReal(dag, k, 'creation');
  for (const [real, replica] of [
    [runner, simulateList(dag, k, p.runner)],
    [estimated, simulateEstimatedList(dag, k, true)],
    [prior, simulateEstimatedList(dag, k, false)],
    [creation, simulateList(dag, k, p.creation)],
  ] as const) {
    replicaChecks += 1;
    if (real !== replica) replicaMismatches += 1;
  }
  const row = {
    lb: lowerBoundMs(dag, k),
    tight: tight(k),
    runner,
    estimated,
    prior,
    creation,
    chain: simulateList(dag, k, p.chain),
    path: simulateList(dag, k, p.path),
  };
  for (const makespan of [row.runner, row.estimated, row.prior, row.creation, row.chain, row.path]) {
    boundChecks += 1;
    if (makespan < row.tight - 1e-6) boundViolations += 1;
  }
  for (const makespan of [row.estimated, row.prior]) {
    if (makespan < row.runner) versus.better += 1;
    else if (makespan === row.runner) versus.equal += 1;
    else versus.worse += 1;
    versus.worst = Math.max(versus.worst, makespan / row.runner);
  }
  return row;
}

const units = (ms: number): string => (ms / UNIT_MS).toFixed(ms % UNIT_MS === 0 ? 0 : 1);
const ratio = (ms: number, lb: number): string => (ms / lb).toFixed(3);
const flag = (r: number): string => (r > TARGET ? '*' : ' ');

function describe(dag: Dag): string {
  return `${dag.deps.length} features, work ${units(totalWorkMs(dag))}, critical path ${units(criticalPathMs(dag))}`;
}

/** The real claim path's orders, then the in-memory alternatives: column title and makespan. */
const COLUMNS: readonly (readonly [string, (r: Row) => number])[] = [
  ['unblocks (no est.)', (r) => r.runner],
  ['estimated', (r) => r.estimated],
  ['prior only', (r) => r.prior],
  ['creation order', (r) => r.creation],
  ['alt: chain-count', (r) => r.chain],
  ['alt: dur-path', (r) => r.path],
];
const WIDTH = 18;

/** One fixed graph: makespan and ratio per k for every policy. */
function printSingle(title: string, dag: Dag): void {
  console.log(`\n${title}: ${describe(dag)}`);
  console.log(` k      LB | ${COLUMNS.map(([t]) => t.padEnd(WIDTH)).join(' | ')} ||    LB* estimated/LB* dur-path/LB*`);
  const tight = tighterBound(dag);
  for (const k of SLOTS) {
    const r = measure(dag, k, tight);
    const cell = (ms: number): string => `${units(ms).padStart(6)} ${ratio(ms, r.lb)}${flag(ms / r.lb)}`.padEnd(WIDTH);
    console.log(
      `${String(k).padStart(2)} ${units(r.lb).padStart(7)} | ${COLUMNS.map(([, pick]) => cell(pick(r))).join(' | ')} || ` +
        `${units(r.tight).padStart(6)} ${ratio(r.estimated, r.tight).padStart(14)} ${ratio(r.path, r.tight).padStart(13)}`,
    );
  }
}

/** Many seeds of one family: mean and max ratio per k for every policy. */
function printSeeds(title: string, make: (seed: number) => Dag): void {
  const dags = Array.from({ length: RANDOM_SEEDS }, (_, s) => make(s + 1));
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const cps = dags.map(criticalPathMs);
  const works = dags.map(totalWorkMs);
  console.log(
    `\n${title}, seeds 1..${RANDOM_SEEDS}: mean work ${units(mean(works))}, mean critical path ${units(mean(cps))} (${units(Math.min(...cps))}–${units(Math.max(...cps))})`,
  );
  console.log(
    ` k  CP-bound | ${COLUMNS.map(([t]) => t.padEnd(WIDTH)).join(' | ')} || ${'estimated/LB*'.padEnd(WIDTH)}   dur-path/LB*   (mean / max)`,
  );
  const tights = dags.map(tighterBound);
  for (const k of SLOTS) {
    const rows = dags.map((dag, i) => measure(dag, k, tights[i]!));
    const cpBound = rows.filter((r, i) => r.lb === cps[i]).length;
    const cell = (pickMs: (r: Row) => number, bound: (r: Row) => number = (r) => r.lb): string => {
      const rs = rows.map((r) => pickMs(r) / bound(r));
      const max = Math.max(...rs);
      return `${mean(rs).toFixed(3)} / ${max.toFixed(3)}${flag(max)}`.padEnd(WIDTH);
    };
    console.log(
      `${String(k).padStart(2)}  ${`${cpBound}/${dags.length}`.padStart(8)} | ${COLUMNS.map(([, pick]) => cell(pick)).join(' | ')} || ` +
        `${cell(
          (r) => r.estimated,
          (r) => r.tight,
        )}   ${cell(
          (r) => r.path,
          (r) => r.tight,
        )}`,
    );
  }
}

export function run(): Promise<void> {
  const started = performance.now();
  console.log(
    `makespan / LB, LB = max(critical path by durations, total work / k); target ≤ ${TARGET}; * = over target`,
  );
  console.log('durations: uniform integer 1–10 units unless noted (seeded); makespan and LB in units');
  console.log(
    'real ClaimRepo.claimNext + markPassing on a temp SQLite project, FakeClock virtual time: unblocks (no estimates), estimated (refreshDurationEstimates from the recorded sessions before each claim), prior only (history ignored), creation order',
  );
  console.log(
    `features carry a category and a step count correlated ${ATTRIBUTE_CORRELATION} with their log duration (see withAttributes) unless noted`,
  );
  console.log(
    "alt: in-memory list scheduling, NOT the runner's policy (chain-count = longest remaining chain in features; dur-path = longest remaining path by true durations)",
  );
  printSingle('wide fan 1 → 60 → 3 → 1 (seed 1)', wideFan(1, 'uniform'));
  printSingle('wide layers 1 → 5 × 16, 1–3 deps on the layer above (seed 1)', wideLayers(1, 'uniform'));
  printSingle(
    'deep chain of 40 + 12 independent side tasks (created first) + 8 hanging off the chain (seed 1)',
    deepChain(1, 'uniform'),
  );
  printSeeds('wide fan, durations re-drawn per seed', (s) => wideFan(s, 'uniform'));
  printSeeds('wide layers', (s) => wideLayers(s, 'uniform'));
  printSeeds('deep chain', (s) => deepChain(s, 'uniform'));
  printSeeds('random 200-node DAG, 0–3 deps on earlier features', (s) => random200(s, 'uniform'));
  printSeeds('random 200-node DAG, lognormal durations (median 4, σ 0.8)', (s) => random200(s, 'lognormal'));
  printSeeds('random 200-node DAG, lognormal, category and steps uncorrelated with duration (ρ = 0)', (s) =>
    random200(s, 'lognormal', 0),
  );
  console.log(
    `\nin-memory replicas of the claim orders matched the database runs in ${replicaChecks - replicaMismatches} of ${replicaChecks} simulations`,
  );
  console.log(
    `LB* ≤ makespan held in ${boundChecks - boundViolations} of ${boundChecks} schedules (a sanity check of the bound)`,
  );
  console.log(
    `estimated and prior-only orders against the order without estimates: shorter in ${versus.better}, equal in ${versus.equal}, longer in ${versus.worse} of ${versus.better + versus.equal + versus.worse} schedules (worst ${versus.worst.toFixed(3)}×)`,
  );
  const sorted = [...refreshTimes].sort((a, b) => a - b);
  const q = (f: number): string => (sorted[Math.floor(f * (sorted.length - 1))] ?? 0).toFixed(2);
  console.log(
    `refreshDurationEstimates (history read, estimates, paths, writes; 60–200 features): median ${q(0.5)} ms, p95 ${q(0.95)} ms over ${sorted.length} calls`,
  );
  console.log(`simulated in ${((performance.now() - started) / 1000).toFixed(1)} s (wall; not a figure of merit)`);
  return Promise.resolve();
}
