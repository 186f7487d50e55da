import { ApiError, graphApi } from '../api/client';
import { handleError } from './actions';
import { edgeKey, filterQuery, initialChart, mergeSubgraph, type ChartFilter, type ChartState } from './chart-model';
import { getState, setState, type Route } from './store';

/** Link chart actions: open on an entity, expand, filter, select, find paths, load communities and centralities. */

function patch(p: Partial<ChartState> | ((c: ChartState) => Partial<ChartState>)): void {
  setState((s) => ({ chart: { ...s.chart, ...(typeof p === 'function' ? p(s.chart) : p) } }));
}

const chart = () => getState().chart;

/** At most this many nodes are sent for communities and centralities (the request body limit). */
const MEASURE_IDS = 2000;

/** Follows `#/chart/<id>?hops=2&maxNodes=5000`: opens the chart on the entity unless it is already open. */
export function syncChart(route: Route): void {
  const id = route.params.id;
  if (!id) return;
  const hops = Number(route.params.hops);
  const maxNodes = Number(route.params.maxNodes);
  if (id !== chart().rootId) void openChart(id, { ...(hops > 0 ? { hops } : {}), ...(maxNodes > 0 ? { maxNodes } : {}) });
}

/** Starts a chart on an entity (or node) with its neighbourhood. */
export async function openChart(id: string, options: { hops?: number; maxNodes?: number } = {}): Promise<void> {
  const filter = { ...chart().filter, ...(options.hops ? { hops: options.hops } : {}) };
  const keep = chart();
  setState({
    chart: {
      ...initialChart,
      filter,
      maxNodes: options.maxNodes ?? keep.maxNodes,
      showCommunities: keep.showCommunities,
      sizeByCentrality: keep.sizeByCentrality,
      linksWhileMoving: keep.linksWhileMoving,
      rootId: id,
      expanding: id,
    },
  });
  try {
    const sub = await graphApi.neighbours(id, { hops: filter.hops, maxNodes: chart().maxNodes, ...filterQuery(filter) });
    if (chart().rootId !== id) return;
    const merged = mergeSubgraph({}, {}, sub);
    // The root may be an entity id that maps to a node id (a phone entity → phone:+33…).
    const root = sub.nodes.find((n) => n.hops === 0)?.id ?? id;
    patch((c) => ({
      nodes: merged.nodes,
      edges: merged.edges,
      revision: c.revision + 1,
      selectedNode: root,
      expanding: undefined,
      notes: sub.truncated && sub.note ? [sub.note] : [],
      layoutRequest: c.layoutRequest + 1,
      layoutRunning: true,
    }));
    if (chart().showCommunities || chart().sizeByCentrality) await loadMeasures();
  } catch (e) {
    const error = handleError(e);
    if (chart().rootId === id) patch({ expanding: undefined, error });
  }
}

/** Loads a node's neighbours (with the chart's filter and hops) into the chart. */
export async function expandNode(id: string): Promise<void> {
  const root = chart().rootId;
  const filter = chart().filter;
  patch({ expanding: id, error: undefined });
  try {
    const sub = await graphApi.neighbours(id, { hops: filter.hops, maxNodes: chart().maxNodes, ...filterQuery(filter) });
    if (chart().rootId !== root) return;
    const merged = mergeSubgraph(chart().nodes, chart().edges, sub, id);
    patch((c) => ({
      nodes: merged.nodes,
      edges: merged.edges,
      revision: merged.addedNodes + merged.addedEdges > 0 ? c.revision + 1 : c.revision,
      expanding: undefined,
      notes: sub.truncated && sub.note ? [...c.notes, sub.note] : c.notes,
      layoutRequest: merged.addedNodes > 0 ? c.layoutRequest + 1 : c.layoutRequest,
      layoutRunning: c.layoutRunning || merged.addedNodes > 0,
    }));
    if (merged.addedNodes > 0 && (chart().showCommunities || chart().sizeByCentrality)) await loadMeasures();
  } catch (e) {
    const error = handleError(e);
    if (chart().rootId === root) patch({ expanding: undefined, error });
  }
}

export function selectNode(id: string | undefined): void {
  patch({ selectedNode: id, selectedEdge: undefined, evidence: undefined });
}

/** Selects a link and loads the statements it rests on. */
export async function selectEdge(key: string | undefined): Promise<void> {
  if (key === undefined) {
    patch({ selectedEdge: undefined, evidence: undefined });
    return;
  }
  const edge = chart().edges[key];
  if (!edge) return;
  patch({ selectedEdge: key, evidence: { edgeKey: key, data: undefined, loading: true, error: undefined } });
  try {
    const data = await graphApi.evidence(edge.evidence.slice(0, 60));
    if (chart().selectedEdge === key) patch({ evidence: { edgeKey: key, data, loading: false, error: undefined } });
  } catch (e) {
    const error = handleError(e);
    if (chart().selectedEdge === key) patch({ evidence: { edgeKey: key, data: undefined, loading: false, error } });
  }
}

/** Changes the filter: links already shown are hidden or shown at once; new requests use it. */
export function setChartFilter(p: Partial<ChartFilter>): void {
  patch((c) => ({ filter: { ...c.filter, ...p } }));
}

export function setPathEnd(end: 'from' | 'to', id: string | undefined): void {
  patch(end === 'from' ? { pathFrom: id, path: undefined } : { pathTo: id, path: undefined });
}

/** Finds the shortest path between the two chosen nodes (with the filter) and adds it to the chart. */
export async function findPath(): Promise<void> {
  const { pathFrom: from, pathTo: to, filter, rootId } = chart();
  if (!from || !to) return;
  patch({ pathLoading: true, error: undefined, path: undefined });
  try {
    const r = await graphApi.path(from, to, filterQuery(filter));
    if (chart().rootId !== rootId) return;
    const nodes = r.paths[0] ?? [];
    // Path nodes not yet in the chart come with their kind and caption (a 0-hop neighbourhood each).
    const missing = await Promise.all(nodes.filter((n) => !chart().nodes[n]).map((n) => graphApi.neighbours(n, { hops: 0 })));
    if (chart().rootId !== rootId) return;
    let merged = { nodes: chart().nodes, edges: chart().edges, addedNodes: 0, addedEdges: 0 };
    for (const sub of [...missing, { nodes: [], edges: r.edges }]) {
      const next = mergeSubgraph(merged.nodes, merged.edges, sub);
      merged = { ...next, addedNodes: merged.addedNodes + next.addedNodes, addedEdges: merged.addedEdges + next.addedEdges };
    }
    patch((c) => ({
      nodes: merged.nodes,
      edges: merged.edges,
      revision: merged.addedNodes + merged.addedEdges > 0 ? c.revision + 1 : c.revision,
      layoutRequest: merged.addedNodes > 0 ? c.layoutRequest + 1 : c.layoutRequest,
      layoutRunning: c.layoutRunning || merged.addedNodes > 0,
      pathLoading: false,
      path: { from, to, found: r.found, nodes, edgeKeys: r.edges.map(edgeKey), hops: r.hops, note: r.note },
    }));
  } catch (e) {
    const error = handleError(e);
    patch({ pathLoading: false, error });
  }
}

export function clearPath(): void {
  patch({ path: undefined, pathFrom: undefined, pathTo: undefined });
}

/** Colours nodes by community (from the whole readable network, computed by the server). */
export async function toggleCommunities(on: boolean): Promise<void> {
  patch({ showCommunities: on });
  if (on && Object.keys(chart().measures).length === 0) await loadMeasures();
}

/** Sizes nodes by betweenness centrality. */
export async function toggleCentrality(on: boolean): Promise<void> {
  patch({ sizeByCentrality: on });
  if (on && Object.keys(chart().measures).length === 0) await loadMeasures();
}

/** Communities and centralities of the shown nodes (the case's legal basis must allow network analysis). */
export async function loadMeasures(): Promise<void> {
  const { rootId, nodes } = chart();
  const all = Object.values(nodes);
  // Closest nodes first when the chart is larger than one request carries.
  const ids = all
    .sort((a, b) => (a.hops ?? 99) - (b.hops ?? 99))
    .slice(0, MEASURE_IDS)
    .map((n) => n.id);
  if (ids.length === 0) return;
  patch({ measuresLoading: true, measuresError: undefined });
  try {
    const m = await graphApi.measures(ids);
    if (chart().rootId !== rootId) return;
    const measures = Object.fromEntries(m.nodes.map((n) => [n.id, { community: n.community, communitySize: n.communitySize, degree: n.degree, betweenness: n.betweenness }]));
    patch({
      measures,
      measuresLoading: false,
      measuresInfo: { modularity: m.modularity, communities: m.communities, exact: m.betweenness.exact, note: m.betweenness.note, epsilon: m.betweenness.epsilon, partial: all.length > ids.length },
    });
  } catch (e) {
    const refused = e instanceof ApiError && e.code === 'LEGAL_BASIS';
    const error = refused ? `Communities and centralities are network analysis, which this case’s legal basis does not allow (${e.message}).` : handleError(e);
    patch({ measuresLoading: false, measuresError: error, showCommunities: false, sizeByCentrality: false });
  }
}

/** Whether links are drawn while the camera moves (see ChartState.linksWhileMoving). */
export function setLinksWhileMoving(on: boolean): void {
  patch({ linksWhileMoving: on });
}

/** Brings the whole chart into view. */
export function fitChart(): void {
  patch((c) => ({ fitRequest: c.fitRequest + 1 }));
}

/** Asks the canvas to run the layout again (or stop it). */
export function requestLayout(): void {
  patch((c) => ({ layoutRequest: c.layoutRequest + 1, layoutRunning: true }));
}

/** The canvas reports whether its layout is running. */
export function layoutRunning(running: boolean): void {
  if (chart().layoutRunning !== running) patch({ layoutRunning: running });
}

/** Empties the chart (the next `#/chart/<id>` opens afresh). */
export function clearChart(): void {
  setState({ chart: { ...initialChart, filter: chart().filter } });
}
