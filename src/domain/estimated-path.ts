import type { DependencyGraph } from './dependency-graph.js';
import { indexGraph, stronglyConnectedComponents } from './graph-index.js';

/**
 * For every feature, the longest estimated time from its start to the end of its dependents: its own weight plus the
 * heaviest chain of features that (transitively) wait on it. Starting the feature with the longest such path first is
 * the classic critical-path list schedule: the work that holds up the end of the backlog the longest goes first.
 *
 * `weight` is each feature's remaining estimated time (missing ids weigh 0, e.g. passing features: they hold nothing
 * up). A cycle (which the store refuses, but a hand-built graph may hold) is one unit: every member gets the sum of the
 * cycle's weights plus the longest path out of it. Linear in nodes + edges.
 */
export function estimatedPaths(graph: DependencyGraph, weight: ReadonlyMap<number, number>): Map<number, number> {
  const indexed = indexGraph(graph);
  const { size, dependents, ids } = indexed;
  const { componentOf, count } = stronglyConnectedComponents(size, dependents);
  const own = new Float64Array(count);
  for (let node = 0; node < size; node++) own[componentOf[node]!]! += weight.get(ids[node]!) ?? 0;
  // Components are numbered so that every component reachable along `dependents` has a smaller number: by the time a
  // component's longest tail is needed, all its dependents' paths are final.
  const tail = new Float64Array(count);
  const path = new Float64Array(count);
  const byComponent: number[][] = Array.from({ length: count }, () => []);
  for (let node = 0; node < size; node++) byComponent[componentOf[node]!]!.push(node);
  for (let c = 0; c < count; c++) {
    for (const node of byComponent[c]!) {
      for (let e = dependents.offsets[node]!; e < dependents.offsets[node + 1]!; e++) {
        const other = componentOf[dependents.targets[e]!]!;
        if (other !== c) tail[c] = Math.max(tail[c]!, path[other]!);
      }
    }
    path[c] = own[c]! + tail[c]!;
  }
  const result = new Map<number, number>();
  for (let node = 0; node < size; node++) result.set(ids[node]!, path[componentOf[node]!]!);
  return result;
}
