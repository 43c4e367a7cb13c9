import dagre from '@dagrejs/dagre';

export const NODE_WIDTH = 200;
export const NODE_HEIGHT = 54;

export interface GraphInput {
  readonly nodes: readonly { id: number }[];
  readonly edges: readonly { source: number; target: number }[];
}

/**
 * Left-to-right layered layout (dagre): a dependency sits left of what needs it. Returns the
 * top-left corner of each node, as React Flow positions them.
 */
export function layoutGraph(graph: GraphInput): Map<number, { x: number; y: number }> {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 70, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of graph.nodes) g.setNode(String(n.id), { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const e of graph.edges) g.setEdge(String(e.source), String(e.target));
  dagre.layout(g);
  const out = new Map<number, { x: number; y: number }>();
  for (const n of graph.nodes) {
    const p = g.node(String(n.id));
    out.set(n.id, { x: (p?.x ?? 0) - NODE_WIDTH / 2, y: (p?.y ?? 0) - NODE_HEIGHT / 2 });
  }
  return out;
}
