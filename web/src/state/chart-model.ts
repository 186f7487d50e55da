import type { GraphEdge, GraphEvidence, GraphNode, GraphSubgraph } from '../api/types';

/**
 * The link chart's model: the nodes and links loaded so far (merged from neighbourhood answers),
 * the filter, the selection, a path, and the communities and centralities of the shown nodes.
 * Pure data and functions (no React, no API): the actions in chart-actions.ts change it, the
 * canvas draws it.
 */

export interface ChartNode {
  id: string;
  kind: string;
  label: string;
  /** Hops from the node the chart was opened on (as first seen). */
  hops: number | undefined;
  /** Its neighbours have been loaded. */
  expanded: boolean;
}

export interface ChartEdge extends GraphEdge {
  /** kind|source|target: one chart link per projected link. */
  key: string;
}

export interface ChartFilter {
  /** Hops loaded when the chart opens and when a node is expanded. */
  hops: number;
  /** Link kinds to show and follow; empty = all. */
  kinds: string[];
  /** Time window (YYYY-MM-DD), empty = open. */
  from: string;
  to: string;
  /** Minimum grading (EU 4x4 code such as B2), empty = any. */
  grading: string;
}

export interface NodeMeasure {
  community: number;
  communitySize: number;
  degree: number;
  betweenness: number;
}

export interface ChartPath {
  from: string;
  to: string;
  found: boolean;
  nodes: string[];
  edgeKeys: string[];
  hops: number;
  note: string | undefined;
}

export interface ChartState {
  rootId: string | undefined;
  nodes: Record<string, ChartNode>;
  edges: Record<string, ChartEdge>;
  /** Bumped whenever nodes or links are added or removed: the canvas syncs its graph on it. */
  revision: number;
  filter: ChartFilter;
  /** Max nodes per neighbourhood request (URL `maxNodes`, default 2000). */
  maxNodes: number;
  selectedNode: string | undefined;
  selectedEdge: string | undefined;
  pathFrom: string | undefined;
  pathTo: string | undefined;
  path: ChartPath | undefined;
  pathLoading: boolean;
  showCommunities: boolean;
  sizeByCentrality: boolean;
  measures: Record<string, NodeMeasure>;
  measuresInfo: { modularity: number; communities: number; exact: boolean; note: string | undefined; epsilon: number | undefined; partial: boolean } | undefined;
  measuresLoading: boolean;
  measuresError: string | undefined;
  evidence: { edgeKey: string; data: GraphEvidence | undefined; loading: boolean; error: string | undefined } | undefined;
  /** The node whose neighbours are being loaded (or the root while the chart opens). */
  expanding: string | undefined;
  error: string | undefined;
  /** Size limits the server reported ("stopped at 2000 nodes…"). */
  notes: string[];
  /**
   * Bumped to ask the canvas to (re)run the layout. `layoutRunning` is set with the request and
   * cleared by the canvas when the layout stops (so "running" shows from the moment nodes arrive).
   */
  layoutRequest: number;
  layoutRunning: boolean;
  /**
   * Draw links (and labels) while the camera moves. Undefined = automatic: yes up to LARGE_CHART_LINKS
   * links; above, they are hidden during a pan or zoom and drawn again when it stops (level of detail:
   * filling tens of thousands of antialiased links every frame is what costs frame rate).
   */
  linksWhileMoving: boolean | undefined;
  /** Bumped to bring the whole chart into view. */
  fitRequest: number;
}

/** Above this many links a chart hides links while moving and stops picking links under the mouse. */
export const LARGE_CHART_LINKS = 3000;

export const DEFAULT_FILTER: ChartFilter = { hops: 1, kinds: [], from: '', to: '', grading: '' };

export const initialChart: ChartState = {
  rootId: undefined,
  nodes: {},
  edges: {},
  revision: 0,
  filter: DEFAULT_FILTER,
  maxNodes: 2000,
  selectedNode: undefined,
  selectedEdge: undefined,
  pathFrom: undefined,
  pathTo: undefined,
  path: undefined,
  pathLoading: false,
  showCommunities: false,
  sizeByCentrality: false,
  measures: {},
  measuresInfo: undefined,
  measuresLoading: false,
  measuresError: undefined,
  evidence: undefined,
  expanding: undefined,
  error: undefined,
  notes: [],
  layoutRequest: 0,
  layoutRunning: false,
  linksWhileMoving: undefined,
  fitRequest: 0,
};

/** Links the projection derives between persons (not stated by any record as such). */
export const DERIVED_KINDS: Readonly<Record<string, string>> = {
  'shared-phone': 'both used the same phone number',
  'shared-handset': 'their phones ran in the same handset (IMEI)',
  'shared-address': 'both recorded at the same address',
  'co-travel': 'on the same flight, train or crossing on the same day',
  'co-location': 'at the same place on the same day',
};

export function isDerived(kind: string): boolean {
  return kind in DERIVED_KINDS;
}

export function edgeKey(e: GraphEdge): string {
  return `${e.kind}|${e.source}|${e.target}`;
}

/** Adds a neighbourhood answer to the chart; known nodes keep their first hop count. */
export function mergeSubgraph(
  nodes: Record<string, ChartNode>,
  edges: Record<string, ChartEdge>,
  sub: Pick<GraphSubgraph, 'nodes' | 'edges'>,
  expanded?: string,
): { nodes: Record<string, ChartNode>; edges: Record<string, ChartEdge>; addedNodes: number; addedEdges: number } {
  const outNodes = { ...nodes };
  const outEdges = { ...edges };
  let addedNodes = 0;
  let addedEdges = 0;
  // Hops count from the chart's start: an expanded node's neighbours are one further than it.
  const base = expanded ? (outNodes[expanded]?.hops ?? 0) : 0;
  for (const n of sub.nodes) {
    if (!outNodes[n.id]) {
      outNodes[n.id] = nodeOf(n, base);
      addedNodes++;
    }
  }
  for (const e of sub.edges) {
    const key = edgeKey(e);
    if (outEdges[key] || !outNodes[e.source] || !outNodes[e.target]) continue;
    outEdges[key] = { ...e, key };
    addedEdges++;
  }
  if (expanded && outNodes[expanded]) outNodes[expanded] = { ...outNodes[expanded], expanded: true };
  return { nodes: outNodes, edges: outEdges, addedNodes, addedEdges };
}

function nodeOf(n: GraphNode, base: number): ChartNode {
  return { id: n.id, kind: n.kind, label: n.label ?? n.id, hops: n.hops === undefined ? undefined : base + n.hops, expanded: base === 0 && n.hops === 0 };
}

const SOURCE_ORDER: Record<string, number> = { A: 0, B: 1, C: 2, X: 3 };

/** True when an EU 4x4 grading (`B2`) is at least as good as `min` on both axes (X and 4 rank lowest). */
export function gradingAtLeast(code: string, min: string): boolean {
  const a = /^([ABCX])([1-4])$/.exec(code);
  const b = /^([ABCX])([1-4])$/.exec(min);
  if (!a || !b) return false;
  return SOURCE_ORDER[a[1]!]! <= SOURCE_ORDER[b[1]!]! && Number(a[2]) <= Number(b[2]);
}

function timeOf(t: string | number | undefined): number {
  if (t === undefined) return Number.NaN;
  return typeof t === 'number' ? t : Date.parse(t);
}

/**
 * Whether a link passes the chart's filter, as the server applies it to new requests: kind, time
 * window (undated links such as Family pass; an interval passes when it overlaps the window) and
 * minimum grading (at least one statement graded so well).
 */
export function edgePasses(e: GraphEdge, f: ChartFilter): boolean {
  if (f.kinds.length > 0 && !f.kinds.includes(e.kind)) return false;
  if (f.grading && !(e.gradings ?? []).some((g) => gradingAtLeast(g, f.grading))) return false;
  if (f.from || f.to) {
    const first = timeOf(e.first);
    const last = timeOf(e.last);
    if (!Number.isNaN(first) || !Number.isNaN(last)) {
      const from = f.from ? Date.parse(f.from) : Number.NaN;
      const to = f.to ? Date.parse(`${f.to}T23:59:59.999Z`) : Number.NaN;
      if (!Number.isNaN(from) && (Number.isNaN(last) ? first : last) < from) return false;
      if (!Number.isNaN(to) && (Number.isNaN(first) ? last : first) > to) return false;
    }
  }
  return true;
}

/** The filter's query for the API (empty values left out). */
export function filterQuery(f: ChartFilter): { kinds?: string[]; from?: string; to?: string; grading?: string } {
  return {
    ...(f.kinds.length ? { kinds: f.kinds } : {}),
    ...(f.from ? { from: f.from } : {}),
    ...(f.to ? { to: `${f.to}T23:59:59Z` } : {}),
    ...(f.grading ? { grading: f.grading } : {}),
  };
}

/** The links of a node in the chart, strongest first. */
export function linksOf(edges: Record<string, ChartEdge>, id: string): ChartEdge[] {
  return Object.values(edges)
    .filter((e) => e.source === id || e.target === id)
    .sort((a, b) => b.weight - a.weight || a.kind.localeCompare(b.kind));
}

/** Link kinds present in the chart, with counts. */
export function kindCounts(edges: Record<string, ChartEdge>): [string, number][] {
  const counts = new Map<string, number>();
  for (const e of Object.values(edges)) counts.set(e.kind, (counts.get(e.kind) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** Short text for a link time: `2024-01-05 – 2024-01-17`, one date, or empty. */
export function edgeWhen(e: GraphEdge): string {
  const d = (t: string | number | undefined) => (t === undefined ? undefined : typeof t === 'number' ? new Date(t).toISOString().slice(0, 10) : t.slice(0, 10));
  const first = d(e.first);
  const last = d(e.last);
  if (!first && !last) return '';
  if (first === last || !last) return first ?? '';
  return `${first ?? '…'} – ${last}`;
}
