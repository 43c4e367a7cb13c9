import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import {
  blockedSet,
  buildGraph,
  criticalPathLength,
  downstreamCounts,
  findCycle,
  isReady,
  readySet,
  schedulingCompare,
  schedulingOrder,
  topologicalOrder,
  validateDependencyList,
  wouldCreateCycle,
  type DependencyEdge,
  type DependencyGraph,
  type GraphNode,
} from './dependency-graph.js';
import { AppError } from './errors.js';
import { MAX_DEPENDENCIES_PER_FEATURE, type FeatureStatus } from './feature.js';

// Checks properties on graphs of up to 10,000 nodes: seconds of CPU on a loaded machine.
vi.setConfig({ testTimeout: 30_000 });

function node(id: number, status: FeatureStatus = 'pending', priority = 0): GraphNode {
  return { id, status, priority };
}

function edge(featureId: number, dependsOn: number): DependencyEdge {
  return { featureId, dependsOn };
}

/** Pending nodes 1..n, all priority 0. */
function graphOf(n: number, edges: readonly (readonly [number, number])[]): DependencyGraph {
  return buildGraph(
    Array.from({ length: n }, (_, i) => node(i + 1)),
    edges.map(([a, b]) => edge(a, b)),
  );
}

/** Node i depends on node i+1 for i in 1..n-1, so node n is the root every other node waits for. */
function chain(n: number, status: FeatureStatus = 'pending'): DependencyGraph {
  return buildGraph(
    Array.from({ length: n }, (_, i) => node(i + 1, status)),
    Array.from({ length: n - 1 }, (_, i) => edge(i + 1, i + 2)),
  );
}

function thrown(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

function expectValidCycle(graph: DependencyGraph, cycle: readonly number[] | null): void {
  expect(cycle).not.toBeNull();
  const path = cycle!;
  expect(path.length).toBeGreaterThanOrEqual(2);
  expect(path[0]).toBe(path[path.length - 1]);
  for (let i = 0; i + 1 < path.length; i++) {
    expect(graph.dependsOn.get(path[i]!)).toContain(path[i + 1]);
  }
}

function expectDependenciesFirst(graph: DependencyGraph, order: readonly number[]): void {
  const position = new Map(order.map((id, i) => [id, i]));
  expect(position.size).toBe(graph.nodes.size);
  for (const [id, deps] of graph.dependsOn) {
    for (const dep of deps) expect(position.get(dep)!).toBeLessThan(position.get(id)!);
  }
}

/** Distinct transitive dependents by plain BFS, as a reference for downstreamCounts. */
function naiveDownstream(graph: DependencyGraph, id: number): number {
  const seen = new Set<number>([id]);
  const queue = [id];
  for (let head = 0; head < queue.length; head++) {
    for (const next of graph.dependents.get(queue[head]!) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return seen.size - 1;
}

describe('buildGraph', () => {
  it('lists every node in both edge maps and ignores orphan and repeated edges', () => {
    const graph = buildGraph(
      [node(1), node(2), node(3)],
      [edge(1, 2), edge(1, 2), edge(2, 99), edge(42, 1), edge(3, 1)],
    );
    expect([...graph.dependsOn.entries()]).toEqual([
      [1, [2]],
      [2, []],
      [3, [1]],
    ]);
    expect([...graph.dependents.entries()]).toEqual([
      [1, [3]],
      [2, [1]],
      [3, []],
    ]);
    expect(findCycle(graph)).toBeNull();
    expect(topologicalOrder(graph)).toEqual([2, 1, 3]);
  });

  it('sorts edge lists ascending', () => {
    const graph = graphOf(4, [
      [1, 4],
      [1, 2],
      [1, 3],
    ]);
    expect(graph.dependsOn.get(1)).toEqual([2, 3, 4]);
  });
});

describe('findCycle', () => {
  it('returns null for an acyclic graph', () => {
    expect(
      findCycle(
        graphOf(3, [
          [1, 2],
          [2, 3],
          [1, 3],
        ]),
      ),
    ).toBeNull();
    expect(findCycle(graphOf(0, []))).toBeNull();
  });

  it('reports a self-dependency as [id, id]', () => {
    const graph = buildGraph([node(5)], [edge(5, 5)]);
    expect(findCycle(graph)).toEqual([5, 5]);
  });

  it('reports a 2-cycle', () => {
    const graph = graphOf(2, [
      [1, 2],
      [2, 1],
    ]);
    expectValidCycle(graph, findCycle(graph));
    expect(findCycle(graph)).toHaveLength(3);
  });

  it('reports 1 → 2 → 3 → 1 in dependency direction', () => {
    const graph = graphOf(3, [
      [1, 2],
      [2, 3],
      [3, 1],
    ]);
    expect(findCycle(graph)).toEqual([1, 2, 3, 1]);
  });

  it('finds a 50-node cycle hanging off an acyclic part', () => {
    const edges: [number, number][] = [];
    for (let i = 1; i < 50; i++) edges.push([i, i + 1]);
    edges.push([50, 1], [60, 1], [60, 55], [55, 56]);
    const graph = graphOf(60, edges);
    const cycle = findCycle(graph);
    expectValidCycle(graph, cycle);
    expect(cycle).toHaveLength(51);
    expect(new Set(cycle)).toEqual(new Set(Array.from({ length: 50 }, (_, i) => i + 1)));
  });
});

describe('wouldCreateCycle', () => {
  const graph = graphOf(5, [
    [1, 2],
    [2, 3],
    [3, 4],
  ]);

  it('returns the closed path the new edge would create', () => {
    expect(wouldCreateCycle(graph, 4, 1)).toEqual([4, 1, 2, 3, 4]);
    expect(wouldCreateCycle(graph, 3, 2)).toEqual([3, 2, 3]);
  });

  it('returns null for safe edges', () => {
    expect(wouldCreateCycle(graph, 1, 4)).toBeNull();
    expect(wouldCreateCycle(graph, 5, 1)).toBeNull();
    expect(wouldCreateCycle(graph, 1, 5)).toBeNull();
    expect(wouldCreateCycle(graph, 1, 999)).toBeNull();
  });

  it('reports a self edge as [id, id]', () => {
    expect(wouldCreateCycle(graph, 2, 2)).toEqual([2, 2]);
  });

  it('reports a shortest cycle', () => {
    const g = graphOf(4, [
      [1, 2],
      [2, 3],
      [3, 4],
      [1, 4],
    ]);
    expect(wouldCreateCycle(g, 4, 1)).toEqual([4, 1, 4]);
  });
});

describe('topologicalOrder', () => {
  it('puts dependencies first and breaks ties by scheduling order', () => {
    const graph = buildGraph(
      [node(1, 'pending', 2), node(2, 'pending', 1), node(3, 'pending', 1), node(4, 'pending', 1)],
      [edge(4, 1)],
    );
    // 1 has priority 2 but 4 waits on it; 2 and 3 go first by priority, 3 vs 2 by id.
    expect(topologicalOrder(graph)).toEqual([2, 3, 1, 4]);
  });

  it('throws DEPENDENCY_CYCLE naming the cycle', () => {
    const graph = graphOf(4, [
      [1, 2],
      [2, 3],
      [3, 1],
      [4, 1],
    ]);
    const err = thrown(() => topologicalOrder(graph));
    expect(err.code).toBe('DEPENDENCY_CYCLE');
    expect(err.message).toContain('1 → 2 → 3 → 1');
    expect(err.details).toEqual({ cycle: [1, 2, 3, 1] });
  });
});

describe('ready and blocked sets', () => {
  const graph = buildGraph(
    [
      node(1, 'passing'),
      node(2, 'pending'),
      node(3, 'pending'),
      node(4, 'in_progress'),
      node(5, 'pending'),
      node(6, 'failed'),
      node(7, 'needs_input'),
      node(8, 'pending'),
      node(9, 'in_progress'),
    ],
    [edge(2, 1), edge(3, 1), edge(3, 4), edge(5, 6), edge(5, 1), edge(6, 4), edge(7, 8), edge(8, 1), edge(9, 5)],
  );

  it('marks pending features whose dependencies all pass as ready', () => {
    expect(isReady(graph, 2)).toBe(true);
    expect(isReady(graph, 8)).toBe(true);
    expect(isReady(graph, 3)).toBe(false); // 4 is still in progress
    expect(isReady(graph, 1)).toBe(false); // already passing
    expect(isReady(graph, 4)).toBe(false); // in progress
    expect(isReady(graph, 404)).toBe(false);
  });

  it('lists ready features in scheduling order', () => {
    // 8 unblocks 7; 2 unblocks nothing.
    expect(readySet(graph)).toEqual([8, 2]);
  });

  it('lists blocked pending/failed/needs_input features with their unfinished dependencies', () => {
    expect(blockedSet(graph)).toEqual([
      { id: 3, blockedBy: [4] },
      { id: 5, blockedBy: [6] },
      { id: 6, blockedBy: [4] },
      { id: 7, blockedBy: [8] },
    ]);
  });
});

describe('downstreamCounts', () => {
  it('counts a diamond node once', () => {
    // B(2) and C(3) depend on A(1); D(4) depends on B and C.
    const graph = graphOf(4, [
      [2, 1],
      [3, 1],
      [4, 2],
      [4, 3],
    ]);
    expect([...downstreamCounts(graph).entries()]).toEqual([
      [1, 3],
      [2, 1],
      [3, 1],
      [4, 0],
    ]);
  });

  it('gives finite counts on cyclic graphs', () => {
    // 1 ↔ 2 cycle; 3 depends on 1; 1 depends on 4; 5 depends on itself.
    const graph = graphOf(5, [
      [1, 2],
      [2, 1],
      [3, 1],
      [1, 4],
      [5, 5],
    ]);
    const counts = downstreamCounts(graph);
    for (const id of graph.nodes.keys()) expect(counts.get(id), `node ${id}`).toBe(naiveDownstream(graph, id));
    expect(counts.get(4)).toBe(3);
    expect(counts.get(5)).toBe(0);
  });

  it('agrees with a plain BFS on a graph wider than one bitset word', () => {
    const edges: [number, number][] = [];
    for (let i = 2; i <= 100; i++) edges.push([i, Math.floor(i / 2)], [i, i - 1]);
    const graph = graphOf(100, edges);
    const counts = downstreamCounts(graph);
    for (const id of graph.nodes.keys()) expect(counts.get(id)).toBe(naiveDownstream(graph, id));
  });
});

describe('criticalPathLength', () => {
  it('counts only the not-yet-passing part of chains', () => {
    const graph = buildGraph(
      [node(1, 'passing'), node(2, 'pending'), node(3, 'pending'), node(4, 'passing'), node(5, 'failed')],
      [edge(2, 1), edge(3, 2), edge(4, 3), edge(5, 4)],
    );
    // 1 passes; 2 → 3 is a chain of two; 4 passes and breaks the chain before 5.
    expect(criticalPathLength(graph)).toBe(2);
  });

  it('is 0 when everything passes or there are no features', () => {
    expect(criticalPathLength(chain(5, 'passing'))).toBe(0);
    expect(criticalPathLength(graphOf(0, []))).toBe(0);
  });

  it('throws DEPENDENCY_CYCLE on a cycle', () => {
    expect(
      thrown(() =>
        criticalPathLength(
          graphOf(2, [
            [1, 2],
            [2, 1],
          ]),
        ),
      ).code,
    ).toBe('DEPENDENCY_CYCLE');
  });
});

describe('scheduling', () => {
  it('orders by priority, then unblocks descending, then id', () => {
    expect(schedulingCompare({ id: 9, priority: 1, unblocks: 0 }, { id: 1, priority: 2, unblocks: 50 })).toBeLessThan(
      0,
    );
    expect(schedulingCompare({ id: 9, priority: 1, unblocks: 3 }, { id: 1, priority: 1, unblocks: 2 })).toBeLessThan(0);
    expect(schedulingCompare({ id: 1, priority: 1, unblocks: 2 }, { id: 9, priority: 1, unblocks: 2 })).toBeLessThan(0);
    expect(schedulingCompare({ id: 3, priority: 1, unblocks: 2 }, { id: 3, priority: 1, unblocks: 2 })).toBe(0);
  });

  it('orders graph nodes with unblocks taken from downstream counts', () => {
    const graph = buildGraph(
      [
        node(1, 'pending', 5),
        node(2, 'pending', 1),
        node(3, 'pending', 1),
        node(4, 'pending', 1),
        node(5, 'pending', 9),
      ],
      [edge(5, 3), edge(5, 4), edge(4, 3)],
    );
    // Priority 1: 3 unblocks 2, 4 unblocks 1, 2 unblocks 0. Then priority 5, then 9.
    expect(schedulingOrder(graph)).toEqual([3, 4, 2, 1, 5]);
    expect(schedulingOrder(graph, [5, 2, 1, 77])).toEqual([2, 1, 5]);
  });
});

describe('validateDependencyList', () => {
  const known = new Set([1, 2, 3, 4]);

  it('accepts a valid list, including an empty one', () => {
    expect(() => validateDependencyList(1, [2, 3], known)).not.toThrow();
    expect(() => validateDependencyList(1, [], known)).not.toThrow();
  });

  it('rejects a self-dependency', () => {
    const err = thrown(() => validateDependencyList(2, [1, 2], known));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toContain('itself');
  });

  it('rejects duplicates', () => {
    const err = thrown(() => validateDependencyList(1, [2, 3, 2], known));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.details).toMatchObject({ duplicates: [2] });
  });

  it('rejects unknown ids and lists them', () => {
    const err = thrown(() => validateDependencyList(1, [2, 17, 42], known));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toContain('17, 42');
    expect(err.details).toMatchObject({ unknown: [17, 42] });
  });

  it(`rejects more than ${MAX_DEPENDENCIES_PER_FEATURE} dependencies`, () => {
    const many = Array.from({ length: MAX_DEPENDENCIES_PER_FEATURE + 1 }, (_, i) => i + 2);
    const all = new Set([1, ...many]);
    expect(() => validateDependencyList(1, many.slice(0, MAX_DEPENDENCIES_PER_FEATURE), all)).not.toThrow();
    expect(thrown(() => validateDependencyList(1, many, all)).code).toBe('INVALID_INPUT');
  });
});

describe('large graphs', () => {
  const N = 10_000;

  it('handles a 10,000-node chain without recursion', () => {
    const graph = chain(N);
    expect(findCycle(graph)).toBeNull();
    const order = topologicalOrder(graph);
    expect(order).toHaveLength(N);
    expect(order).toEqual(Array.from({ length: N }, (_, i) => N - i));
    // Node N is the head every other node transitively depends on.
    const counts = downstreamCounts(graph);
    expect(counts.get(N)).toBe(N - 1);
    expect(counts.get(1)).toBe(0);
    expect(criticalPathLength(graph)).toBe(N);
    expect(readySet(graph)).toEqual([N]);
    expect(wouldCreateCycle(graph, N, 1)).toHaveLength(N + 1);
  });

  it('finds a 10,000-node cycle', () => {
    const edges = Array.from({ length: N }, (_, i) => [i + 1, ((i + 1) % N) + 1] as [number, number]);
    const graph = graphOf(N, edges);
    const cycle = findCycle(graph);
    expectValidCycle(graph, cycle);
    expect(cycle).toHaveLength(N + 1);
    expect(downstreamCounts(graph).get(1)).toBe(N - 1);
  });

  // Timings belong in bench/ (docs/architecture.md §2); this checks results at that size.
  it('handles 10,000 nodes / 30,000 edges', () => {
    let seed = 42;
    const random = (): number => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
      return seed / 2 ** 32;
    };
    const nodes = Array.from({ length: N }, (_, i) =>
      node(i + 1, random() < 0.5 ? 'passing' : 'pending', Math.floor(random() * 5)),
    );
    const edges: DependencyEdge[] = [];
    for (let i = 2; i <= N; i++) {
      for (let k = 0; k < 3; k++) edges.push(edge(i, 1 + Math.floor(random() * (i - 1))));
    }
    const graph = buildGraph(nodes, edges);

    expect(findCycle(graph)).toBeNull();
    expectDependenciesFirst(graph, topologicalOrder(graph));
    const ready = readySet(graph);
    expect(ready.length).toBeGreaterThan(0);
    expect(new Set(ready)).toEqual(new Set([...graph.nodes.keys()].filter((id) => isReady(graph, id))));
    const counts = downstreamCounts(graph);
    for (const id of [1, 2, 3, 100, 5_000, N]) expect(counts.get(id)).toBe(naiveDownstream(graph, id));
  });
});

describe('properties', () => {
  /** Random DAGs: edges only go from a higher id to a lower id. */
  const dag = fc
    .integer({ min: 1, max: 40 })
    .chain((n) =>
      fc.tuple(
        fc.constant(n),
        fc.array(fc.tuple(fc.integer({ min: 1, max: n }), fc.integer({ min: 1, max: n })), { maxLength: 120 }),
      ),
    )
    .map(([n, pairs]) =>
      graphOf(
        n,
        pairs.filter(([a, b]) => a !== b).map(([a, b]) => (a > b ? [a, b] : [b, a]) as [number, number]),
      ),
    );

  it('finds no cycle in a DAG and orders every dependency before its dependent', () => {
    fc.assert(
      fc.property(dag, (graph) => {
        expect(findCycle(graph)).toBeNull();
        expectDependenciesFirst(graph, topologicalOrder(graph));
      }),
    );
  });

  it('counts distinct transitive dependents like a plain BFS', () => {
    fc.assert(
      fc.property(dag, (graph) => {
        const counts = downstreamCounts(graph);
        for (const id of graph.nodes.keys()) expect(counts.get(id)).toBe(naiveDownstream(graph, id));
      }),
    );
  });

  it('detects the cycle a back edge along a dependency path would close', () => {
    fc.assert(
      fc.property(dag, fc.nat(), (graph, pick) => {
        // Walk down from a random node along its largest dependency to get a path high → low.
        const ids = [...graph.nodes.keys()];
        const path = [ids[pick % ids.length]!];
        for (;;) {
          const deps = graph.dependsOn.get(path[path.length - 1]!)!;
          if (deps.length === 0) break;
          path.push(deps[deps.length - 1]!);
        }
        fc.pre(path.length >= 2);
        const highest = path[0]!;
        const lowest = path[path.length - 1]!;
        const cycle = wouldCreateCycle(graph, lowest, highest);
        expect(cycle).not.toBeNull();
        expect(cycle![0]).toBe(lowest);
        expect(cycle![1]).toBe(highest);
        expect(cycle![cycle!.length - 1]).toBe(lowest);
        const withBackEdge = buildGraph(
          [...graph.nodes.values()],
          [...graph.dependsOn].flatMap(([a, deps]) => deps.map((b) => edge(a, b))).concat(edge(lowest, highest)),
        );
        expectValidCycle(withBackEdge, cycle);
        expectValidCycle(withBackEdge, findCycle(withBackEdge));
      }),
    );
  });
});
