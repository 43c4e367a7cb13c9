import type { DependencyGraph } from './dependency-graph.js';
import { indexGraph, stronglyConnectedComponents, type Adjacency } from './graph-index.js';

/** Caps bitset memory at 16 MiB; larger graphs are processed in several column slices. */
const BITSET_WORD_BUDGET = 1 << 22;

/**
 * For every node, how many distinct features depend on it directly or transitively.
 * A feature reachable along several paths (a diamond) counts once. Features on a cycle count
 * the other members of their cycle but never themselves, so cyclic graphs still get finite
 * counts instead of an error.
 */
export function downstreamCounts(graph: DependencyGraph): Map<number, number> {
  const indexed = indexGraph(graph);
  const { size, dependents } = indexed;
  // Components of the "is depended on by" direction collapse cycles into single nodes of a DAG.
  const { componentOf, count } = stronglyConnectedComponents(size, dependents);
  const members = groupByComponent(componentOf, count);
  const reachable = countReachableOutsideComponent(dependents, componentOf, count, members);

  const result = new Map<number, number>();
  for (let node = 0; node < size; node++) {
    const component = componentOf[node]!;
    const cycleMates = members.offsets[component + 1]! - members.offsets[component]! - 1;
    result.set(indexed.ids[node]!, reachable[component]! + cycleMates);
  }
  return result;
}

function groupByComponent(componentOf: Int32Array, count: number): Adjacency {
  const offsets = new Int32Array(count + 1);
  for (const component of componentOf) offsets[component + 1]! += 1;
  for (let c = 0; c < count; c++) offsets[c + 1]! += offsets[c]!;
  const cursor = offsets.slice(0, count);
  const targets = new Int32Array(componentOf.length);
  componentOf.forEach((component, node) => {
    targets[cursor[component]!++] = node;
  });
  return { offsets, targets };
}

/**
 * Per component, the number of nodes outside it reachable along `dependents`.
 *
 * Components are visited in Tarjan completion order, which finishes every reachable component
 * first, so each component's bitset is the OR of its successors' bitsets; once counted, it also
 * takes in its own members, since whoever reaches a component reaches all of it.
 * Bit columns follow the same order (a node's column is its position in `members`), so a
 * component's bitset never holds a column past its own last member. Rows are therefore stored
 * triangularly, each only as long as it can get: half the memory and half the work of a square
 * matrix, and nearly linear for chains.
 */
function countReachableOutsideComponent(
  dependents: Adjacency,
  componentOf: Int32Array,
  count: number,
  members: Adjacency,
): Int32Array {
  const size = componentOf.length;
  const reachable = new Int32Array(count);
  const totalWords = Math.ceil(size / 32);
  const sliceWords = Math.max(1, Math.min(totalWords, Math.floor(BITSET_WORD_BUDGET / Math.max(1, count))));
  const rowStart = new Int32Array(count + 1);
  const successors = new Int32Array(dependents.targets.length);

  for (let firstWord = 0; firstWord < totalWords; firstWord += sliceWords) {
    const words = Math.min(sliceWords, totalWords - firstWord);
    const firstColumn = firstWord * 32;
    for (let c = 0; c < count; c++) {
      const rowWords = Math.min(words, Math.max(0, (members.offsets[c + 1]! - firstColumn + 31) >> 5));
      rowStart[c + 1] = rowStart[c]! + rowWords;
    }
    // Int32Array rather than Uint32Array: V8 keeps int32 loads unboxed, while uint32 words above 2^31 become doubles.
    const bits = new Int32Array(rowStart[count]!);

    for (let component = 0; component < count; component++) {
      const row = rowStart[component]!;
      const rowWords = rowStart[component + 1]! - row;
      if (rowWords === 0) continue;
      const firstMember = members.offsets[component]!;
      const endMember = members.offsets[component + 1]!;
      let successorCount = 0;
      for (let m = firstMember; m < endMember; m++) {
        const node = members.targets[m]!;
        for (let e = dependents.offsets[node]!; e < dependents.offsets[node + 1]!; e++) {
          const other = componentOf[dependents.targets[e]!]!;
          if (other !== component) successors[successorCount++] = other;
        }
      }
      const sorted = successors.subarray(0, successorCount).sort();
      // Latest-completed successors first: they tend to reach the others, whose rows are then
      // already included (their first member's bit is set) and need no OR at all.
      for (let i = successorCount - 1; i >= 0; i--) {
        const other = sorted[i]!;
        if (i + 1 < successorCount && sorted[i + 1] === other) continue;
        const column = members.offsets[other]! - firstColumn;
        if (column >= 0 && column < words * 32 && (bits[row + (column >>> 5)]! & (1 << (column & 31))) !== 0) continue;
        // Successors complete earlier, so their rows are never longer than this one.
        orWords(bits, row, rowStart[other]!, rowStart[other + 1]! - rowStart[other]!);
      }
      reachable[component]! += countBits(bits, row, rowWords);
      for (let column = Math.max(firstMember, firstColumn) - firstColumn; column < endMember - firstColumn; column++) {
        if (column >= words * 32) break;
        bits[row + (column >>> 5)]! |= 1 << (column & 31);
      }
    }
  }
  return reachable;
}

function orWords(bits: Int32Array, target: number, source: number, words: number): void {
  for (let w = 0; w < words; w++) bits[target + w]! |= bits[source + w]!;
}

function countBits(bits: Int32Array, start: number, words: number): number {
  let total = 0;
  for (let w = 0; w < words; w++) total += popCount(bits[start + w]!);
  return total;
}

function popCount(word: number): number {
  let x = word - ((word >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}
