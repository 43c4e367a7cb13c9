import type { IndexQueue } from './graph-index.js';

/** A binary min-heap of indices ordered by `compare`; pop returns the smallest. */
export function indexHeap(compare: (a: number, b: number) => number): IndexQueue {
  const heap: number[] = [];

  function siftUp(position: number): void {
    const item = heap[position]!;
    while (position > 0) {
      const parent = (position - 1) >> 1;
      if (compare(item, heap[parent]!) >= 0) break;
      heap[position] = heap[parent]!;
      position = parent;
    }
    heap[position] = item;
  }

  function siftDown(position: number): void {
    const item = heap[position]!;
    const length = heap.length;
    for (;;) {
      let child = 2 * position + 1;
      if (child >= length) break;
      if (child + 1 < length && compare(heap[child + 1]!, heap[child]!) < 0) child += 1;
      if (compare(heap[child]!, item) >= 0) break;
      heap[position] = heap[child]!;
      position = child;
    }
    heap[position] = item;
  }

  return {
    push(index) {
      heap.push(index);
      siftUp(heap.length - 1);
    },
    pop() {
      if (heap.length === 0) return undefined;
      const top = heap[0]!;
      const last = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = last;
        siftDown(0);
      }
      return top;
    },
  };
}
