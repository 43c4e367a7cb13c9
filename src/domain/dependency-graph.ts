import { AppError } from './errors.js';
import { MAX_DEPENDENCIES_PER_FEATURE, type FeatureStatus } from './feature.js';
import { downstreamCounts } from './downstream-counts.js';
import { fifoQueue, indexGraph, kahnOrder, type IndexedGraph } from './graph-index.js';
import { indexHeap } from './index-heap.js';

export { downstreamCounts } from './downstream-counts.js';

/** A feature as the scheduler sees it. Lower priority numbers are scheduled sooner. */
export interface GraphNode {
  id: number;
  status: FeatureStatus;
  priority: number;
}

/** `featureId` depends on `dependsOn`: it cannot start before `dependsOn` passes. */
export interface DependencyEdge {
  featureId: number;
  dependsOn: number;
}

/**
 * An immutable feature dependency graph. Every node id is a key of both edge maps (an empty
 * list when it has no edges in that direction); the lists are ascending and without duplicates.
 */
export interface DependencyGraph {
  readonly nodes: ReadonlyMap<number, GraphNode>;
  /** Feature id → the ids it depends on. */
  readonly dependsOn: ReadonlyMap<number, readonly number[]>;
  /** Feature id → the ids that depend on it. */
  readonly dependents: ReadonlyMap<number, readonly number[]>;
}

/** What the scheduler orders features by. */
export interface SchedulingKey {
  id: number;
  priority: number;
  /** How many features transitively wait on this one. */
  unblocks: number;
}

const BLOCKABLE_STATUSES: ReadonlySet<FeatureStatus> = new Set(['pending', 'failed', 'needs_input']);

/**
 * Builds a graph from nodes and edges. Edges naming an unknown feature (orphans left behind
 * by a deletion, say) and repeated edges are dropped.
 */
export function buildGraph(nodes: readonly GraphNode[], edges: readonly DependencyEdge[]): DependencyGraph {
  const nodeMap = new Map<number, GraphNode>();
  for (const node of nodes) nodeMap.set(node.id, node);

  const dependsOn = new Map<number, number[]>();
  const dependents = new Map<number, number[]>();
  for (const id of nodeMap.keys()) {
    dependsOn.set(id, []);
    dependents.set(id, []);
  }
  for (const { featureId, dependsOn: target } of edges) {
    const targets = dependsOn.get(featureId);
    const sources = dependents.get(target);
    if (targets === undefined || sources === undefined) continue;
    targets.push(target);
    sources.push(featureId);
  }
  for (const list of dependsOn.values()) sortUnique(list);
  for (const list of dependents.values()) sortUnique(list);
  return { nodes: nodeMap, dependsOn, dependents };
}

/** Sorts ascending and drops repeats, in place. */
function sortUnique(list: number[]): void {
  if (list.length < 2) return;
  list.sort((a, b) => a - b);
  let kept = 1;
  for (let i = 1; i < list.length; i++) {
    if (list[i] !== list[kept - 1]) list[kept++] = list[i]!;
  }
  list.length = kept;
}

/**
 * Some dependency cycle of the graph as a closed path in dependency direction (each id depends
 * on the next; first and last are the same id), or null when the graph is acyclic.
 * A self-dependency of 5 gives [5, 5].
 */
export function findCycle(graph: DependencyGraph): number[] | null {
  const { size, ids, dependsOn } = indexGraph(graph);
  const WHITE = 0;
  const GREY = 1;
  const BLACK = 2;
  const colour = new Uint8Array(size);
  // The grey nodes form the current DFS path; positionOnPath lets a back edge slice the cycle off it.
  const path = new Int32Array(size);
  const nextEdge = new Int32Array(size);
  const positionOnPath = new Int32Array(size);

  for (let root = 0; root < size; root++) {
    if (colour[root] !== WHITE) continue;
    let depth = 0;
    path[0] = root;
    nextEdge[0] = dependsOn.offsets[root]!;
    positionOnPath[root] = 0;
    colour[root] = GREY;
    while (depth >= 0) {
      const node = path[depth]!;
      const edge = nextEdge[depth]!;
      if (edge === dependsOn.offsets[node + 1]!) {
        colour[node] = BLACK;
        depth -= 1;
        continue;
      }
      nextEdge[depth] = edge + 1;
      const dep = dependsOn.targets[edge]!;
      if (colour[dep] === GREY) {
        const cycle = Array.from(path.subarray(positionOnPath[dep]!, depth + 1), (i) => ids[i]!);
        cycle.push(ids[dep]!);
        return cycle;
      }
      if (colour[dep] === WHITE) {
        colour[dep] = GREY;
        depth += 1;
        path[depth] = dep;
        nextEdge[depth] = dependsOn.offsets[dep]!;
        positionOnPath[dep] = depth;
      }
    }
  }
  return null;
}

/**
 * The cycle that adding "featureId depends on dependsOn" would close, as
 * [featureId, dependsOn, …, featureId], or null when the edge is safe. Breadth-first, so the
 * reported cycle is a shortest one.
 */
export function wouldCreateCycle(graph: DependencyGraph, featureId: number, dependsOn: number): number[] | null {
  if (featureId === dependsOn) return [featureId, featureId];
  // The new edge closes a cycle exactly when dependsOn already (transitively) depends on featureId.
  const cameFrom = new Map<number, number>([[dependsOn, dependsOn]]);
  const queue: number[] = [dependsOn];
  for (let head = 0; head < queue.length; head++) {
    const current = queue[head]!;
    for (const next of graph.dependsOn.get(current) ?? []) {
      if (cameFrom.has(next)) continue;
      cameFrom.set(next, current);
      if (next === featureId) return [featureId, ...pathTo(cameFrom, dependsOn, featureId)];
      queue.push(next);
    }
  }
  return null;
}

function pathTo(cameFrom: ReadonlyMap<number, number>, start: number, end: number): number[] {
  const reversed = [end];
  for (let current = end; current !== start;) {
    current = cameFrom.get(current)!;
    reversed.push(current);
  }
  return reversed.reverse();
}

/** Renders a cycle path as "1 → 2 → 3 → 1". */
export function formatCycle(cycle: readonly number[]): string {
  return cycle.join(' → ');
}

function cycleError(graph: DependencyGraph): AppError {
  const cycle = findCycle(graph) ?? [];
  return new AppError('DEPENDENCY_CYCLE', `Dependency cycle: ${formatCycle(cycle)}`, { details: { cycle } });
}

/**
 * All node ids with every dependency before its dependents; among features that are free to
 * go next, {@link schedulingCompare} decides. Throws AppError('DEPENDENCY_CYCLE') naming a cycle.
 */
export function topologicalOrder(graph: DependencyGraph): number[] {
  const indexed = indexGraph(graph);
  const keys = schedulingKeys(graph, indexed);
  const queue = indexHeap((a, b) => schedulingCompare(keys[a]!, keys[b]!));
  const order = kahnOrder(indexed.size, indexed.dependsOn, indexed.dependents, queue);
  if (order.length < indexed.size) throw cycleError(graph);
  return order.map((i) => indexed.ids[i]!);
}

/** Whether the feature is pending and every feature it depends on passes. Unknown ids are not ready. */
export function isReady(graph: DependencyGraph, id: number): boolean {
  if (graph.nodes.get(id)?.status !== 'pending') return false;
  return (graph.dependsOn.get(id) ?? []).every((dep) => graph.nodes.get(dep)?.status === 'passing');
}

/** Every feature an agent could start now, best first (see {@link schedulingOrder}). */
export function readySet(graph: DependencyGraph): number[] {
  const ready = [...graph.nodes.keys()].filter((id) => isReady(graph, id));
  return schedulingOrder(graph, ready);
}

/**
 * Features waiting on work (pending, failed or needs_input) that have at least one dependency
 * not yet passing, with those dependencies ascending. Sorted by id.
 */
export function blockedSet(graph: DependencyGraph): { id: number; blockedBy: number[] }[] {
  const blocked: { id: number; blockedBy: number[] }[] = [];
  for (const node of graph.nodes.values()) {
    if (!BLOCKABLE_STATUSES.has(node.status)) continue;
    const blockedBy = (graph.dependsOn.get(node.id) ?? []).filter((dep) => graph.nodes.get(dep)?.status !== 'passing');
    if (blockedBy.length > 0) blocked.push({ id: node.id, blockedBy: blockedBy.sort((a, b) => a - b) });
  }
  return blocked.sort((a, b) => a.id - b.id);
}

/**
 * Number of features on the longest dependency chain of features that do not pass yet: a lower
 * bound on how many features must still be built one after another. 0 when everything passes.
 * Throws AppError('DEPENDENCY_CYCLE') when the graph has a cycle.
 */
export function criticalPathLength(graph: DependencyGraph): number {
  const { size, ids, dependsOn, dependents } = indexGraph(graph);
  const order = kahnOrder(size, dependsOn, dependents, fifoQueue());
  if (order.length < size) throw cycleError(graph);
  const chainEndingAt = new Int32Array(size);
  let longest = 0;
  for (const node of order) {
    if (graph.nodes.get(ids[node]!)!.status === 'passing') continue;
    // A passing dependency has chain length 0, so it never extends the chain.
    let longestDep = 0;
    for (let e = dependsOn.offsets[node]!; e < dependsOn.offsets[node + 1]!; e++) {
      longestDep = Math.max(longestDep, chainEndingAt[dependsOn.targets[e]!]!);
    }
    chainEndingAt[node] = longestDep + 1;
    longest = Math.max(longest, longestDep + 1);
  }
  return longest;
}

/**
 * Scheduling order of two features: lower priority number first, then the one that unblocks
 * more features, then the lower id.
 */
export function schedulingCompare(a: SchedulingKey, b: SchedulingKey): number {
  if (a.priority !== b.priority) return a.priority < b.priority ? -1 : 1;
  if (a.unblocks !== b.unblocks) return b.unblocks - a.unblocks;
  return a.id - b.id;
}

/**
 * The given ids (all nodes by default) in scheduling order ({@link schedulingCompare}).
 * Ids that are not in the graph are left out.
 */
export function schedulingOrder(graph: DependencyGraph, ids?: readonly number[]): number[] {
  const unblocks = downstreamCounts(graph);
  const keys: SchedulingKey[] = [];
  for (const id of ids ?? graph.nodes.keys()) {
    const node = graph.nodes.get(id);
    if (node) keys.push({ id, priority: node.priority, unblocks: unblocks.get(id) ?? 0 });
  }
  return keys.sort(schedulingCompare).map((key) => key.id);
}

function schedulingKeys(graph: DependencyGraph, indexed: IndexedGraph): SchedulingKey[] {
  const unblocks = downstreamCounts(graph);
  return indexed.ids.map((id) => ({ id, priority: graph.nodes.get(id)!.priority, unblocks: unblocks.get(id) ?? 0 }));
}

/**
 * Checks a feature's proposed dependency list before it is stored. Throws
 * AppError('INVALID_INPUT') for too many dependencies, a self-dependency, repeated ids or
 * ids of features that do not exist. Cycles through other features are checked separately
 * with {@link wouldCreateCycle}.
 */
export function validateDependencyList(
  featureId: number,
  dependsOn: readonly number[],
  knownIds: ReadonlySet<number>,
): void {
  if (dependsOn.length > MAX_DEPENDENCIES_PER_FEATURE) {
    throw new AppError(
      'INVALID_INPUT',
      `Feature ${featureId} lists ${dependsOn.length} dependencies; at most ${MAX_DEPENDENCIES_PER_FEATURE} are allowed.`,
      { details: { featureId, count: dependsOn.length, max: MAX_DEPENDENCIES_PER_FEATURE } },
    );
  }
  if (dependsOn.includes(featureId)) {
    throw new AppError('INVALID_INPUT', `Feature ${featureId} cannot depend on itself.`, { details: { featureId } });
  }
  const duplicates = [...new Set(dependsOn.filter((id, i) => dependsOn.indexOf(id) !== i))];
  if (duplicates.length > 0) {
    throw new AppError(
      'INVALID_INPUT',
      `Feature ${featureId} lists these dependencies more than once: ${duplicates.join(', ')}.`,
      { details: { featureId, duplicates } },
    );
  }
  const unknown = dependsOn.filter((id) => !knownIds.has(id));
  if (unknown.length > 0) {
    throw new AppError(
      'INVALID_INPUT',
      `Feature ${featureId} depends on features that do not exist: ${unknown.join(', ')}.`,
      { details: { featureId, unknown } },
    );
  }
}
