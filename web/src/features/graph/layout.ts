import dagre from '@dagrejs/dagre';

export const NODE_WIDTH = 200;
export const NODE_HEIGHT = 54;

/** Space between nodes in one rank (dagre nodesep) and between rows of a grid. */
const GAP_Y = 18;
/** Space between the sub-columns of a wrapped rank and between the columns of the grid. */
const GAP_X = 24;
/** Space between ranks (dagre ranksep): room for the edges. */
const RANK_SEP = 70;
/** Space between packed blocks (components, and the grid of features with no edges). */
const BLOCK_GAP = 60;
const MARGIN = 10;
/** Width / height the packing aims for: the graph pane is about twice as wide as tall. */
const ASPECT = 2;
/** A rank with more nodes than this (or √(2n) for a component of n nodes) wraps into sub-columns. */
const MIN_RANK_ROWS = 12;

export interface GraphInput {
  readonly nodes: readonly { id: number }[];
  readonly edges: readonly { source: number; target: number }[];
}

export type Positions = Map<number, { x: number; y: number }>;

interface Block {
  width: number;
  height: number;
  /** Positions relative to the block's top-left corner. */
  positions: Positions;
}

/**
 * The layout of the dependency graph. Returns the top-left corner of each node, as React Flow
 * positions them. Pure and deterministic (same input, same output, whatever the edges' order).
 *
 * - Each connected component gets a left-to-right layered layout (dagre): a dependency sits left
 *   of what needs it. A rank taller than √(2n) nodes (at least 12) wraps into sub-columns, so a
 *   wide layer does not make the graph thousands of pixels tall; the other ranks, which dagre
 *   spread out to line up with it, are squeezed to the same height.
 * - The components are packed bottom-left into a block about twice as wide as tall, biggest
 *   first (so the top-left corner shows the biggest one's first ranks).
 * - Features with no edges at all go into a grid below, as wide as the packed block.
 *
 * A single dagre run over everything put every feature without dependencies into its first
 * column: 500 seeded features made one column ~24,000 px tall.
 */
export function layoutGraph(graph: GraphInput): Positions {
  const index = new Map(graph.nodes.map((n, i) => [n.id, i]));
  // In node order, so the layout does not depend on the order the edges come in.
  const edges = graph.edges
    .filter((e) => index.has(e.source) && index.has(e.target) && e.source !== e.target)
    .sort((a, b) => index.get(a.source)! - index.get(b.source)! || index.get(a.target)! - index.get(b.target)!);

  // Weakly connected components (union-find over input indices).
  const parent = graph.nodes.map((_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  for (const e of edges) {
    const a = root(index.get(e.source)!);
    const b = root(index.get(e.target)!);
    if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
  }
  const members = new Map<number, number[]>(); // root → node ids, in input order
  graph.nodes.forEach((n, i) => {
    const r = root(i);
    const list = members.get(r);
    if (list) list.push(n.id);
    else members.set(r, [n.id]);
  });
  const edgesOf = new Map<number, { source: number; target: number }[]>();
  for (const e of edges) {
    const r = root(index.get(e.source)!);
    const list = edgesOf.get(r);
    if (list) list.push(e);
    else edgesOf.set(r, [e]);
  }

  const isolated: number[] = [];
  const components: { first: number; size: number; block: Block }[] = [];
  for (const [r, ids] of members) {
    if (ids.length === 1) isolated.push(ids[0]!);
    else components.push({ first: r, size: ids.length, block: layeredBlock(ids, edgesOf.get(r) ?? []) });
  }
  // Biggest first; ties in input order.
  components.sort((a, b) => b.size - a.size || a.first - b.first);

  const cellW = NODE_WIDTH + GAP_X;
  const cellH = NODE_HEIGHT + GAP_Y;
  const area =
    components.reduce((s, c) => s + (c.block.width + BLOCK_GAP) * (c.block.height + BLOCK_GAP), 0) +
    isolated.length * cellW * cellH;
  const widest = components.reduce((w, c) => Math.max(w, c.block.width), 0);
  const width = Math.max(widest, NODE_WIDTH, Math.sqrt(area * ASPECT));

  const out: Positions = new Map();
  const place = (block: Block, x: number, y: number) => {
    for (const [id, p] of block.positions) out.set(id, { x: MARGIN + x + p.x, y: MARGIN + y + p.y });
  };
  const packed = packBlocks(
    components.map((c) => c.block),
    width,
  );
  packed.places.forEach((p, i) => place(components[i]!.block, p.x, p.y));

  if (isolated.length > 0) {
    const cols = Math.max(1, Math.min(isolated.length, Math.floor((width + GAP_X) / cellW)));
    const top = packed.height > 0 ? packed.height + BLOCK_GAP : 0;
    isolated.forEach((id, i) =>
      out.set(id, { x: MARGIN + (i % cols) * cellW, y: MARGIN + top + Math.floor(i / cols) * cellH }),
    );
  }
  return out;
}

/** One component: dagre left to right, then ranks taller than the limit wrap into sub-columns. */
function layeredBlock(ids: readonly number[], edges: readonly { source: number; target: number }[]): Block {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: GAP_Y, ranksep: RANK_SEP, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const id of ids) g.setNode(String(id), { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const e of edges) g.setEdge(String(e.source), String(e.target));
  dagre.layout(g);

  // Ranks: every node of a rank has the same x (all nodes are equally wide).
  const ranks = new Map<number, { id: number; y: number }[]>();
  for (const id of ids) {
    const p = g.node(String(id));
    const x = Math.round(p.x - NODE_WIDTH / 2);
    const rank = ranks.get(x);
    const entry = { id, y: p.y - NODE_HEIGHT / 2 };
    if (rank) rank.push(entry);
    else ranks.set(x, [entry]);
  }
  const maxRows = Math.max(MIN_RANK_ROWS, Math.ceil(Math.sqrt(2 * ids.length)));
  const positions: Positions = new Map();
  const order = [...ranks.keys()].sort((a, b) => a - b);
  for (const rank of ranks.values()) rank.sort((a, b) => a.y - b.y || a.id - b.id);
  if (order.every((x) => ranks.get(x)!.length <= maxRows)) {
    for (const [x, rank] of ranks) for (const n of rank) positions.set(n.id, { x, y: n.y });
    return normalise(positions);
  }

  // Some rank wraps, and dagre spread the others to line up with it: squeeze every rank into
  // the height of the tallest one after wrapping, keeping each rank's order and relative place.
  const cellH = NODE_HEIGHT + GAP_Y;
  const shape = (count: number) => {
    const cols = Math.ceil(count / maxRows);
    return { cols, rows: Math.ceil(count / cols) };
  };
  const height = Math.max(...order.map((x) => shape(ranks.get(x)!.length).rows)) * cellH - GAP_Y;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const rank of ranks.values()) {
    minY = Math.min(minY, rank[0]!.y);
    maxY = Math.max(maxY, rank.at(-1)!.y);
  }
  const room = height - NODE_HEIGHT; // the range of a node's top
  const scale = maxY > minY ? Math.min(1, room / (maxY - minY)) : 0;
  let shift = 0;
  for (const x of order) {
    const rank = ranks.get(x)!;
    const { cols, rows } = shape(rank.length);
    if (cols === 1) {
      // Squeeze, then push apart (down, then up from the bottom) to keep the gaps.
      const ys = rank.map((n) => (n.y - minY) * scale);
      for (let i = 1; i < ys.length; i++) ys[i] = Math.max(ys[i]!, ys[i - 1]! + cellH);
      ys[ys.length - 1] = Math.min(ys.at(-1)!, room);
      for (let i = ys.length - 2; i >= 0; i--) ys[i] = Math.min(ys[i]!, ys[i + 1]! - cellH);
      rank.forEach((n, i) => positions.set(n.id, { x: x + shift, y: ys[i]! }));
      continue;
    }
    // Row by row, so the vertical order (which dagre chose to limit crossings) is kept.
    const block = rows * cellH - GAP_Y;
    const centre = ((rank[0]!.y + rank.at(-1)!.y) / 2 - minY) * scale + NODE_HEIGHT / 2;
    const top = Math.min(Math.max(0, centre - block / 2), height - block);
    rank.forEach((n, j) =>
      positions.set(n.id, { x: x + shift + (j % cols) * (NODE_WIDTH + GAP_X), y: top + Math.floor(j / cols) * cellH }),
    );
    shift += (cols - 1) * (NODE_WIDTH + GAP_X);
  }
  return normalise(positions);
}

/** The smallest box holding every node. */
function bounds(positions: Positions): { minX: number; minY: number; maxX: number; maxY: number } {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const p of positions.values()) {
    minX = Math.min(minX, p.x);
    minY = Math.min(minY, p.y);
    maxX = Math.max(maxX, p.x + NODE_WIDTH);
    maxY = Math.max(maxY, p.y + NODE_HEIGHT);
  }
  return { minX, minY, maxX, maxY };
}

function normalise(positions: Positions): Block {
  const { minX, minY, maxX, maxY } = bounds(positions);
  const out: Positions = new Map();
  for (const [id, p] of positions) out.set(id, { x: p.x - minX, y: p.y - minY });
  return { width: maxX - minX, height: maxY - minY, positions: out };
}

/**
 * Bottom-left skyline packing into a strip `width` wide (wider blocks overhang): each block goes
 * where its top is highest, then leftmost. Returns each block's top-left and the packed height.
 */
function packBlocks(blocks: readonly Block[], width: number): { places: { x: number; y: number }[]; height: number } {
  // The skyline: segments left to right, each the height the strip is filled to there.
  let sky: { x: number; w: number; y: number }[] = [
    { x: 0, w: Math.max(width, ...blocks.map((b) => b.width)) + BLOCK_GAP, y: 0 },
  ];
  const places: { x: number; y: number }[] = [];
  let height = 0;
  for (const b of blocks) {
    const w = b.width + BLOCK_GAP;
    let best: { x: number; y: number } | null = null;
    for (let i = 0; i < sky.length; i++) {
      const x = sky[i]!.x;
      if (x > 0 && x + b.width > width) break;
      let y = 0;
      for (let j = i; j < sky.length && sky[j]!.x < x + w; j++) y = Math.max(y, sky[j]!.y);
      if (!best || y < best.y) best = { x, y };
    }
    const at = best ?? { x: 0, y: height };
    places.push(at);
    height = Math.max(height, at.y + b.height);
    // Raise the skyline over [at.x, at.x + w).
    const top = at.y + b.height + BLOCK_GAP;
    const next: typeof sky = [];
    for (const s of sky) {
      const end = s.x + s.w;
      if (end <= at.x || s.x >= at.x + w) next.push(s);
      else {
        if (s.x < at.x) next.push({ x: s.x, w: at.x - s.x, y: s.y });
        if (end > at.x + w) next.push({ x: at.x + w, w: end - at.x - w, y: s.y });
      }
    }
    next.push({ x: at.x, w, y: top });
    next.sort((a, b) => a.x - b.x);
    // Merge neighbours of equal height.
    sky = next.reduce<typeof sky>((acc, s) => {
      const last = acc.at(-1);
      if (last && last.y === s.y && last.x + last.w === s.x) last.w += s.w;
      else acc.push({ ...s });
      return acc;
    }, []);
  }
  return { places, height };
}

/**
 * Where the graph opens when it is too big to read all at once: the top-left region this size,
 * which the 1366 × 650 px pane of a 1400 × 900 window shows at a zoom of about 0.75.
 */
export const FOCUS_WIDTH = 1_800;
export const FOCUS_HEIGHT = 860;

/**
 * The ids of the nodes to fit the first view to: every node when the whole layout fits in
 * FOCUS_WIDTH × FOCUS_HEIGHT, else those lying inside that region at the layout's top-left
 * (the biggest component's first ranks), so a big graph opens readable rather than at a zoom
 * where nothing can be read. Returns null for "fit everything".
 */
export function focusNodeIds(positions: Positions): number[] | null {
  if (positions.size === 0) return null;
  const { minX, minY, maxX, maxY } = bounds(positions);
  if (maxX - minX <= FOCUS_WIDTH && maxY - minY <= FOCUS_HEIGHT) return null;
  const ids: number[] = [];
  for (const [id, p] of positions)
    if (p.x + NODE_WIDTH <= minX + FOCUS_WIDTH && p.y + NODE_HEIGHT <= minY + FOCUS_HEIGHT) ids.push(id);
  return ids.length > 0 ? ids : null;
}
