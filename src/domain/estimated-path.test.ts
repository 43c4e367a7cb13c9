import { describe, expect, it } from 'vitest';
import { buildGraph, type DependencyEdge } from './dependency-graph.js';
import { estimatedPaths } from './estimated-path.js';

const graphOf = (ids: number[], edges: [feature: number, dependsOn: number][]) =>
  buildGraph(
    ids.map((id) => ({ id, status: 'pending', priority: 0 })),
    edges.map(([featureId, dependsOn]): DependencyEdge => ({ featureId, dependsOn })),
  );

describe('estimated paths', () => {
  it('is the feature itself plus the heaviest chain of its dependents, not the longest in features', () => {
    // 1 → 2 → 3 → 4 (three light dependents) and 1 → 5 (one heavy dependent).
    const graph = graphOf(
      [1, 2, 3, 4, 5],
      [
        [2, 1],
        [3, 2],
        [4, 3],
        [5, 1],
      ],
    );
    const weight = new Map([
      [1, 10],
      [2, 1],
      [3, 1],
      [4, 1],
      [5, 20],
    ]);
    const paths = estimatedPaths(graph, weight);
    expect(Object.fromEntries(paths)).toEqual({ 1: 30, 2: 3, 3: 2, 4: 1, 5: 20 });
  });

  it('counts a diamond once per path, never sums both branches', () => {
    const graph = graphOf(
      [1, 2, 3, 4],
      [
        [2, 1],
        [3, 1],
        [4, 2],
        [4, 3],
      ],
    );
    const paths = estimatedPaths(
      graph,
      new Map([
        [1, 1],
        [2, 5],
        [3, 2],
        [4, 1],
      ]),
    );
    expect(paths.get(1)).toBe(7);
  });

  it('features without a weight (passing ones) weigh 0 but still pass on the path through them', () => {
    const graph = graphOf(
      [1, 2, 3],
      [
        [2, 1],
        [3, 2],
      ],
    );
    const paths = estimatedPaths(
      graph,
      new Map([
        [1, 4],
        [3, 6],
      ]),
    );
    expect(Object.fromEntries(paths)).toEqual({ 1: 10, 2: 6, 3: 6 });
  });

  it('a cycle (which the store refuses) is one unit: no endless walk, every member gets the cycle plus its tail', () => {
    const graph = graphOf(
      [1, 2, 3],
      [
        [2, 1],
        [1, 2],
        [3, 2],
      ],
    );
    const paths = estimatedPaths(
      graph,
      new Map([
        [1, 1],
        [2, 2],
        [3, 4],
      ]),
    );
    expect(Object.fromEntries(paths)).toEqual({ 1: 7, 2: 7, 3: 4 });
  });

  it('handles 10,000 features in a chain without deep recursion', () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => i + 1);
    const graph = graphOf(
      ids,
      ids.slice(1).map((id): [number, number] => [id, id - 1]),
    );
    const paths = estimatedPaths(graph, new Map(ids.map((id) => [id, 1])));
    expect(paths.get(1)).toBe(10_000);
    expect(paths.get(10_000)).toBe(1);
  });
});
