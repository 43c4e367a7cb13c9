import type { DependencyGraph } from './dependency-graph.js';

/**
 * Adjacency lists packed into two typed arrays: the neighbours of node `i` are
 * `targets[offsets[i] .. offsets[i + 1])`. Keeps 10k-node graph walks allocation-free.
 */
export interface Adjacency {
  readonly offsets: Int32Array;
  readonly targets: Int32Array;
}

/**
 * A dependency graph renumbered to dense indices 0..n-1 (in ascending id order) for the
 * graph algorithms. Internal to the domain layer.
 */
export interface IndexedGraph {
  readonly size: number;
  /** Node id by index, ascending. */
  readonly ids: readonly number[];
  readonly indexOf: ReadonlyMap<number, number>;
  /** Edges from a feature to the features it depends on. */
  readonly dependsOn: Adjacency;
  /** Edges from a feature to the features that depend on it. */
  readonly dependents: Adjacency;
}

/**
 * Renumbers `graph` densely (memoised per graph object). Both edge directions are derived from `graph.dependsOn` alone
 * so a
 * hand-built graph whose two maps disagree still yields a consistent index.
 */
export function indexGraph(graph: DependencyGraph): IndexedGraph {
  let indexed = indexCache.get(graph);
  if (indexed === undefined) {
    indexed = buildIndex(graph);
    indexCache.set(graph, indexed);
  }
  return indexed;
}

// Graphs are immutable, so one index per graph object serves every algorithm run on it.
const indexCache = new WeakMap<DependencyGraph, IndexedGraph>();

function buildIndex(graph: DependencyGraph): IndexedGraph {
  const ids = [...graph.nodes.keys()].sort((a, b) => a - b);
  const indexOf = new Map<number, number>();
  ids.forEach((id, index) => indexOf.set(id, index));

  const from: number[] = [];
  const to: number[] = [];
  for (const [featureId, deps] of graph.dependsOn) {
    const source = indexOf.get(featureId);
    if (source === undefined) continue;
    for (const dep of deps) {
      const target = indexOf.get(dep);
      if (target === undefined) continue;
      from.push(source);
      to.push(target);
    }
  }
  return {
    size: ids.length,
    ids,
    indexOf,
    dependsOn: packAdjacency(ids.length, from, to),
    dependents: packAdjacency(ids.length, to, from),
  };
}

function packAdjacency(size: number, from: readonly number[], to: readonly number[]): Adjacency {
  const offsets = new Int32Array(size + 1);
  for (const source of from) offsets[source + 1]! += 1;
  for (let i = 0; i < size; i++) offsets[i + 1]! += offsets[i]!;
  const cursor = offsets.slice(0, size);
  const targets = new Int32Array(from.length);
  for (let e = 0; e < from.length; e++) {
    const source = from[e]!;
    targets[cursor[source]!++] = to[e]!;
  }
  return { offsets, targets };
}

/** The queue Kahn's algorithm draws available nodes from; its pop order breaks ties. */
export interface IndexQueue {
  push(index: number): void;
  pop(): number | undefined;
}

/**
 * Kahn's algorithm: node i becomes available once every node it `waitsFor` has been output;
 * `releases` is the reverse of `waitsFor`. Returns the order found, which is shorter than the
 * graph when some nodes sit on or behind a cycle.
 */
export function kahnOrder(size: number, waitsFor: Adjacency, releases: Adjacency, queue: IndexQueue): number[] {
  const remaining = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    remaining[i] = waitsFor.offsets[i + 1]! - waitsFor.offsets[i]!;
    if (remaining[i] === 0) queue.push(i);
  }
  const order: number[] = [];
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    order.push(next);
    for (let e = releases.offsets[next]!; e < releases.offsets[next + 1]!; e++) {
      const later = releases.targets[e]!;
      remaining[later]! -= 1;
      if (remaining[later] === 0) queue.push(later);
    }
  }
  return order;
}

/** A first-in first-out queue of indices, for when order among available nodes does not matter. */
export function fifoQueue(): IndexQueue {
  const items: number[] = [];
  let head = 0;
  return {
    push: (index) => void items.push(index),
    pop: () => (head < items.length ? items[head++] : undefined),
  };
}

/**
 * Strongly connected components (iterative Tarjan) following `edges`. Returns the component
 * of each node, with components numbered in the order Tarjan completes them: every component
 * reachable from component c has a smaller number than c.
 */
export function stronglyConnectedComponents(
  size: number,
  edges: Adjacency,
): { componentOf: Int32Array; count: number } {
  const UNVISITED = -1;
  const visitIndex = new Int32Array(size).fill(UNVISITED);
  const lowLink = new Int32Array(size);
  const onStack = new Uint8Array(size);
  const componentOf = new Int32Array(size).fill(-1);
  const sccStack = new Int32Array(size);
  let sccTop = 0;
  const callNode = new Int32Array(size);
  const callEdge = new Int32Array(size);
  let nextVisit = 0;
  let count = 0;

  for (let root = 0; root < size; root++) {
    if (visitIndex[root] !== UNVISITED) continue;
    let depth = 0;
    callNode[0] = root;
    callEdge[0] = edges.offsets[root]!;
    visitIndex[root] = lowLink[root] = nextVisit++;
    sccStack[sccTop++] = root;
    onStack[root] = 1;

    while (depth >= 0) {
      const node = callNode[depth]!;
      const edge = callEdge[depth]!;
      if (edge < edges.offsets[node + 1]!) {
        callEdge[depth] = edge + 1;
        const next = edges.targets[edge]!;
        if (visitIndex[next] === UNVISITED) {
          visitIndex[next] = lowLink[next] = nextVisit++;
          sccStack[sccTop++] = next;
          onStack[next] = 1;
          depth += 1;
          callNode[depth] = next;
          callEdge[depth] = edges.offsets[next]!;
        } else if (onStack[next] === 1) {
          lowLink[node] = Math.min(lowLink[node]!, visitIndex[next]!);
        }
        continue;
      }
      if (lowLink[node] === visitIndex[node]) {
        let member: number;
        do {
          member = sccStack[--sccTop]!;
          onStack[member] = 0;
          componentOf[member] = count;
        } while (member !== node);
        count += 1;
      }
      depth -= 1;
      if (depth >= 0) {
        const parent = callNode[depth]!;
        lowLink[parent] = Math.min(lowLink[parent]!, lowLink[node]!);
      }
    }
  }
  return { componentOf, count };
}
