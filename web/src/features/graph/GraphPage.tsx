import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  type Edge,
  type Node,
  type NodeProps,
  Handle,
  MarkerType,
  Position,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useQuery } from '@tanstack/react-query';
import { memo, useCallback, useMemo } from 'react';
import { endpoints, keys } from '../../shared/api/endpoints';
import { STATUS_COLOR, STATUS_LABEL, type FeatureStatus } from '../../shared/ui/status';
import { useProject } from '../../shared/project-context';
import { focusNodeIds, layoutGraph, NODE_HEIGHT, NODE_WIDTH } from './layout';

interface FeatureNodeData extends Record<string, unknown> {
  id: number;
  name: string;
  status: FeatureStatus;
  blocked: boolean;
  /** What the node says about proof: a verified pass, a pass nothing verified, or no checks at all. */
  proof: 'verified' | 'not verified' | 'no checks' | null;
}

/** The node's proof label: only passes are verified or not; a feature without checks never can be. */
function proofOf(n: { status: FeatureStatus; checks: number; verified: boolean }): FeatureNodeData['proof'] {
  if (n.checks === 0) return 'no checks';
  if (n.status !== 'passing') return null;
  return n.verified ? 'verified' : 'not verified';
}

const proofText = (proof: FeatureNodeData['proof']) =>
  proof === null ? '' : proof === 'no checks' ? ', not verified (no checks)' : `, ${proof}`;

const FeatureNode = memo(function FeatureNode({ data }: NodeProps<Node<FeatureNodeData>>) {
  return (
    <div
      data-testid={`node-${data.id}`}
      className="flex cursor-pointer items-center gap-2 rounded-lg border-2 bg-panel px-2 text-xs text-ink shadow-card"
      style={{ width: NODE_WIDTH, height: NODE_HEIGHT, borderColor: STATUS_COLOR[data.status] }}
      title={`#${data.id} ${data.name} — ${STATUS_LABEL[data.status]}${data.blocked ? ' (blocked)' : ''}${proofText(data.proof)}`}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <span
        className="h-2.5 w-2.5 shrink-0 rounded-full"
        style={{ background: STATUS_COLOR[data.status] }}
        aria-hidden
      />
      <span className="min-w-0 flex-1">
        <span className="font-mono text-muted">#{data.id}</span>{' '}
        <span className="line-clamp-2 font-medium">{data.name}</span>
      </span>
      {data.proof === 'verified' ? (
        <span data-testid="node-verified" className="shrink-0 font-semibold text-st-passing" aria-hidden>
          ✓
        </span>
      ) : data.proof === null ? null : (
        <span data-testid="node-not-verified" className="shrink-0 text-[10px] text-muted" aria-hidden>
          unverified
        </span>
      )}
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
});
const nodeTypes = { feature: FeatureNode };
const miniMapColor = (n: Node) => STATUS_COLOR[(n.data as FeatureNodeData).status];
/**
 * The fit button shows the whole graph. `includeHiddenNodes` makes React Flow fit nodes by their
 * declared size: without it, it fits only the nodes it has rendered and measured, and with
 * `onlyRenderVisibleElements` those are just the ones on screen.
 */
const FIT_ALL = { padding: 0.05, includeHiddenNodes: true };

/** The dependency graph: dagre layout, status colours, zoom and fit; a click opens the feature. */
export function GraphPage() {
  const { name, openFeature } = useProject();
  const graph = useQuery({ queryKey: keys.graph(name), queryFn: () => endpoints.graph(name) });
  // Layout depends on the shape only, so live status changes do not move nodes around.
  const shape = graph.data
    ? `${graph.data.nodes.map((n) => n.id).join(',')}|${graph.data.edges.map((e) => `${e.source}>${e.target}`).join(',')}`
    : '';
  const positions = useMemo(
    () => (graph.data ? layoutGraph(graph.data) : new Map<number, { x: number; y: number }>()),
    [shape],
  ); // keyed by shape on purpose
  // A big graph opens on its top-left region at a zoom where the names can be read; the fit
  // button and the minimap show the rest.
  const openingFit = useMemo(() => {
    const focus = focusNodeIds(positions);
    return {
      ...FIT_ALL,
      minZoom: 0.2,
      maxZoom: 1,
      ...(focus ? { nodes: focus.map((id) => ({ id: String(id) })) } : {}),
    };
  }, [positions]);
  const { nodes, edges } = useMemo(() => {
    if (!graph.data) return { nodes: [] as Node<FeatureNodeData>[], edges: [] as Edge[] };
    const status = new Map(graph.data.nodes.map((n) => [n.id, n.status]));
    return {
      nodes: graph.data.nodes.map((n): Node<FeatureNodeData> => ({
        id: String(n.id),
        type: 'feature',
        position: positions.get(n.id) ?? { x: 0, y: 0 },
        // A declared size: React Flow shows a node (and the MiniMap draws it) only once it
        // has one, and nodes outside the viewport are never rendered, so never measured.
        width: NODE_WIDTH,
        height: NODE_HEIGHT,
        data: { id: n.id, name: n.name, status: n.status, blocked: n.blocked, proof: proofOf(n) },
        draggable: false,
        connectable: false,
        ariaLabel: `Feature #${n.id} ${n.name}, ${STATUS_LABEL[n.status]}${proofText(proofOf(n))}`,
      })),
      edges: graph.data.edges.map((e): Edge => {
        // From a dependency to what needs it: the arrowhead sits on the dependent, in the edge's colour.
        const color = status.get(e.source) === 'passing' ? 'var(--color-st-passing)' : 'var(--color-ink)';
        return {
          id: `${e.source}-${e.target}`,
          source: String(e.source),
          target: String(e.target),
          animated: status.get(e.target) === 'in_progress',
          style: { stroke: color, strokeWidth: 2 },
          markerEnd: { type: MarkerType.ArrowClosed, color, width: 16, height: 16 },
        };
      }),
    };
  }, [graph.data, positions]);

  // Stable handlers: GraphPage re-renders on every stream message, and new ones make React Flow
  // and the MiniMap re-render every node.
  const onNodeClick = useCallback((_e: React.MouseEvent, node: Node) => openFeature(Number(node.id)), [openFeature]);

  if (graph.error)
    return (
      <p role="alert" className="text-st-failed">
        The graph cannot be loaded: {graph.error.message}
      </p>
    );
  if (!graph.data) return <p className="text-muted">Loading the graph…</p>;
  if (graph.data.nodes.length === 0)
    return (
      <p className="text-muted">
        No features yet. The initializer creates them from the app spec when the agents start.
      </p>
    );
  return (
    <section aria-label="Dependency graph" className="flex min-h-[560px] flex-1 flex-col gap-2">
      <ul className="flex flex-wrap gap-3 text-xs text-muted" aria-label="Legend">
        {(Object.keys(STATUS_LABEL) as FeatureStatus[]).map((s) => (
          <li key={s} className="flex items-center gap-1.5">
            <span className="h-2.5 w-2.5 rounded-full" style={{ background: STATUS_COLOR[s] }} aria-hidden />
            {STATUS_LABEL[s]}
          </li>
        ))}
        <li className="flex items-center gap-1.5">
          <svg width="26" height="10" viewBox="0 0 26 10" aria-hidden className="text-ink">
            <path d="M0 5 H18" stroke="currentColor" strokeWidth="2" />
            <path d="M17 0 L26 5 L17 10 Z" fill="currentColor" />
          </svg>
          arrows point from a dependency to what needs it
        </li>
        <li>· ✓ verified by its checks · unverified: no checks, or a pass its checks did not confirm</li>
      </ul>
      <div
        className="h-[calc(100vh-250px)] min-h-[520px] overflow-hidden rounded-2xl border border-line"
        data-testid="graph"
      >
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          onNodeClick={onNodeClick}
          fitView
          fitViewOptions={openingFit}
          minZoom={0.05}
          maxZoom={2}
          onlyRenderVisibleElements={nodes.length > 150}
          nodesDraggable={false}
          nodesConnectable={false}
        >
          <Background gap={24} />
          <Controls showInteractive={false} fitViewOptions={FIT_ALL} />
          {nodes.length <= 800 ? <MiniMap pannable zoomable nodeColor={miniMapColor} /> : null}
        </ReactFlow>
      </div>
    </section>
  );
}
