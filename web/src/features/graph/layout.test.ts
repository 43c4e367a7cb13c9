import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import {
  FOCUS_HEIGHT,
  FOCUS_WIDTH,
  focusNodeIds,
  layoutGraph,
  NODE_HEIGHT,
  NODE_WIDTH,
  type GraphInput,
  type Positions,
} from './layout';

// Checks properties on graphs of up to 10,000 nodes: seconds of CPU on a loaded machine.
vi.setConfig({ testTimeout: 30_000 });

/**
 * The shape of the UI tests' and the `ui` bench's seeded backlogs: up to two dependencies each, on one of the 39
 * features before.
 */
function seeded(count: number, seed = 7): GraphInput {
  let s = seed >>> 0;
  const random = () => {
    // mulberry32
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const nodes = Array.from({ length: count }, (_, i) => ({ id: i + 1 }));
  const edges: { source: number; target: number }[] = [];
  for (let i = 1; i < count; i++) {
    const deps = [...new Set([Math.floor(random() * i), ...(random() < 0.4 ? [Math.floor(random() * i)] : [])])].filter(
      (d) => i - d < 40,
    );
    for (const d of deps) edges.push({ source: d + 1, target: i + 1 });
  }
  return { nodes, edges };
}

/** 1 → 60 features → 3 → 1: one rank of 60. */
function fan(): GraphInput {
  const nodes = Array.from({ length: 65 }, (_, i) => ({ id: i + 1 }));
  const edges: { source: number; target: number }[] = [];
  for (let i = 2; i <= 61; i++) edges.push({ source: 1, target: i }, { source: i, target: 62 + (i % 3) });
  for (const t of [62, 63, 64]) edges.push({ source: t, target: 65 });
  return { nodes, edges };
}

function bounds(positions: Positions) {
  const xs = [...positions.values()];
  const minX = Math.min(...xs.map((p) => p.x));
  const minY = Math.min(...xs.map((p) => p.y));
  return {
    minX,
    minY,
    width: Math.max(...xs.map((p) => p.x)) + NODE_WIDTH - minX,
    height: Math.max(...xs.map((p) => p.y)) + NODE_HEIGHT - minY,
  };
}

function expectNoOverlaps(positions: Positions): void {
  const all = [...positions];
  for (let i = 0; i < all.length; i++) {
    const [a, p] = all[i]!;
    for (let j = i + 1; j < all.length; j++) {
      const [b, q] = all[j]!;
      const overlap =
        p.x < q.x + NODE_WIDTH && q.x < p.x + NODE_WIDTH && p.y < q.y + NODE_HEIGHT && q.y < p.y + NODE_HEIGHT;
      if (overlap) expect.fail(`#${a} at ${JSON.stringify(p)} overlaps #${b} at ${JSON.stringify(q)}`);
    }
  }
}

function expectDependenciesLeft(graph: GraphInput, positions: Positions): void {
  for (const e of graph.edges) {
    const from = positions.get(e.source)!;
    const to = positions.get(e.target)!;
    if (!(from.x + NODE_WIDTH < to.x))
      expect.fail(`#${e.source} (x ${from.x}) is not left of #${e.target} (x ${to.x}), which needs it`);
  }
}

describe('layoutGraph', () => {
  it('places every node once, without overlaps, each dependency left of what needs it', () => {
    for (const graph of [seeded(24), seeded(500), fan()]) {
      const positions = layoutGraph(graph);
      expect([...positions.keys()].sort((a, b) => a - b)).toEqual(graph.nodes.map((n) => n.id));
      for (const p of positions.values()) expect(Number.isFinite(p.x) && Number.isFinite(p.y)).toBe(true);
      expectNoOverlaps(positions);
      expectDependenciesLeft(graph, positions);
    }
  });

  it('packs features with no edges into a grid below the layered graph, not into one tall column', () => {
    const graph = seeded(500);
    const linked = new Set(graph.edges.flatMap((e) => [e.source, e.target]));
    const isolated = graph.nodes.filter((n) => !linked.has(n.id)).map((n) => n.id);
    expect(isolated.length).toBeGreaterThan(200);
    const positions = layoutGraph(graph);
    const grid = isolated.map((id) => positions.get(id)!);
    const gridTop = Math.min(...grid.map((p) => p.y));
    for (const id of linked) expect(positions.get(id)!.y + NODE_HEIGHT).toBeLessThanOrEqual(gridTop);
    // Rows of equal pitch, in input order.
    const rows = new Set(grid.map((p) => p.y));
    const cols = new Set(grid.map((p) => p.x));
    expect(rows.size * cols.size).toBeGreaterThanOrEqual(isolated.length);
    expect(rows.size).toBeLessThan(cols.size);
    for (let i = 1; i < grid.length; i++) {
      const [a, b] = [grid[i - 1]!, grid[i]!];
      expect(b.y > a.y || (b.y === a.y && b.x > a.x)).toBe(true);
    }
    // 500 features in one window-shaped block: a single dagre run made it 3,170 × 23,994 px.
    const { width, height } = bounds(positions);
    expect(height).toBeLessThan(3_000);
    expect(width / height).toBeGreaterThan(1.2);
    expect(width / height).toBeLessThan(3);
  });

  it('keeps the grid of unconnected features about √n rows tall and wider than tall, however many there are', () => {
    for (const n of [1, 10, 100, 1_000, 5_000]) {
      const positions = layoutGraph({ nodes: Array.from({ length: n }, (_, i) => ({ id: i + 1 })), edges: [] });
      const rows = new Set([...positions.values()].map((p) => p.y)).size;
      expect(rows).toBeLessThanOrEqual(Math.ceil(1.3 * Math.sqrt(n)));
      if (n >= 100) expect(bounds(positions).width).toBeGreaterThan(bounds(positions).height);
      if (n <= 1_000) expectNoOverlaps(positions);
    }
  });

  it('wraps a rank of 60 into sub-columns, and squeezes the ranks around it to the same height', () => {
    const graph = fan();
    const positions = layoutGraph(graph);
    const { height } = bounds(positions);
    expect(height).toBeLessThanOrEqual(12 * (NODE_HEIGHT + 18));
    const middle = new Set(Array.from({ length: 60 }, (_, i) => positions.get(i + 2)!.x));
    expect(middle.size).toBe(5);
  });

  it('is deterministic and does not depend on the order of the edges', () => {
    const graph = seeded(300, 3);
    const a = layoutGraph(graph);
    expect(layoutGraph(graph)).toEqual(a);
    expect(layoutGraph({ nodes: graph.nodes, edges: [...graph.edges].reverse() })).toEqual(a);
  });

  it('holds for random DAGs, with and without tall ranks (no overlaps, dependencies left)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 80 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 150 }),
        fc.boolean(),
        (count, pairs, hub) => {
          const nodes = Array.from({ length: count }, (_, i) => ({ id: 10 + i * 3 }));
          const seen = new Set<string>();
          // A hub that everything depends on makes ranks tall enough to wrap.
          const all = hub ? [...nodes.map((_, i): [number, number] => [0, i]), ...pairs] : pairs;
          const edges = all.flatMap(([a, b]) => {
            const [s, t] = [a % count, b % count];
            if (s === t || seen.has(`${Math.min(s, t)}>${Math.max(s, t)}`)) return [];
            seen.add(`${Math.min(s, t)}>${Math.max(s, t)}`);
            return [{ source: nodes[Math.min(s, t)]!.id, target: nodes[Math.max(s, t)]!.id }];
          });
          const graph = { nodes, edges };
          const positions = layoutGraph(graph);
          expect(positions.size).toBe(count);
          expectNoOverlaps(positions);
          expectDependenciesLeft(graph, positions);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('ignores edges to unknown nodes', () => {
    const positions = layoutGraph({
      nodes: [{ id: 1 }, { id: 2 }],
      edges: [
        { source: 1, target: 2 },
        { source: 1, target: 99 },
      ],
    });
    expect([...positions.keys()]).toEqual([1, 2]);
  });
});

describe('focusNodeIds', () => {
  it('fits everything when the whole layout is small enough to read', () => {
    expect(focusNodeIds(layoutGraph(seeded(24)))).toBeNull();
    expect(focusNodeIds(layoutGraph({ nodes: [{ id: 1 }], edges: [] }))).toBeNull();
    expect(focusNodeIds(new Map())).toBeNull();
  });

  it('picks the top-left region of a big layout, which starts with the biggest component’s first ranks', () => {
    const positions = layoutGraph(seeded(500));
    const ids = focusNodeIds(positions)!;
    expect(ids.length).toBeGreaterThan(10);
    expect(ids).toContain(1); // the root of the biggest component
    const { minX, minY } = bounds(positions);
    for (const id of ids) {
      const p = positions.get(id)!;
      expect(p.x + NODE_WIDTH).toBeLessThanOrEqual(minX + FOCUS_WIDTH);
      expect(p.y + NODE_HEIGHT).toBeLessThanOrEqual(minY + FOCUS_HEIGHT);
    }
  });
});
