import { MultiGraph } from 'graphology';
import { inferSettings } from 'graphology-layout-forceatlas2';
import FA2Layout from 'graphology-layout-forceatlas2/worker';
import { useEffect, useRef, useState } from 'react';
import Sigma from 'sigma';
import { EdgeLineProgram, EdgeRectangleProgram, NodeCircleProgram, NodePointProgram } from 'sigma/rendering';
import type { EdgeDisplayData, NodeDisplayData } from 'sigma/types';
import { expandNode, layoutRunning, selectEdge, selectNode, setPathEnd } from '../state/chart-actions';
import { edgePasses, isDerived, LARGE_CHART_LINKS, type ChartEdge, type ChartNode, type ChartState } from '../state/chart-model';
import { getState, useAppState } from '../state/store';
import { communityColour, EDGE_COLOURS, edgeColour, edgeSize, faded, kindColour, nodeSize } from './chart-style';
import { DashedEdgeProgram } from './dashed-edge-program';

interface NodeAttrs {
  x: number;
  y: number;
  label: string;
  kind: string;
}
interface EdgeAttrs {
  kind: string;
  weight: number;
}
type ChartGraph = MultiGraph<NodeAttrs, EdgeAttrs>;

/** Where nodes were laid out, kept across visits to the chart (the canvas is rebuilt on each). */
const positions = new Map<string, { x: number; y: number }>();

/** The last layout request run (a revisit of the chart keeps its layout instead of running it again). */
let layoutDone = 0;

/** Above this many nodes the chart draws smaller nodes, fewer labels and no hover highlight. */
const MANY = 400;

/**
 * The WebGL canvas of the link chart (sigma.js v3 over a graphology multigraph). It mirrors the
 * chart state: new nodes and links are added as they arrive (placed next to a neighbour already
 * drawn), then ForceAtlas2 runs in a web worker for a few seconds. Appearance (kind or community
 * colours, centrality sizes, filter, selection, path) comes from reducers over the current state,
 * so changing them only refreshes the drawing. Click selects, shift+click sets the path's end,
 * double-click expands.
 */
export function LinkChartCanvas() {
  const container = useRef<HTMLDivElement>(null);
  const graphRef = useRef<ChartGraph | undefined>(undefined);
  const sigmaRef = useRef<Sigma<NodeAttrs, EdgeAttrs> | undefined>(undefined);
  const layoutRef = useRef<FA2Layout | undefined>(undefined);
  const stopTimer = useRef<number | undefined>(undefined);
  const look = useRef<Look>(lookOf(getState().chart, undefined));
  const hovered = useRef<string | undefined>(undefined);
  const levelOfDetail = useRef(false);
  const [failure, setFailure] = useState<string | undefined>(undefined);
  const chart = useAppState((s) => s.chart);

  // Create the renderer once per mount; keep positions when it goes.
  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const graph: ChartGraph = new MultiGraph<NodeAttrs, EdgeAttrs>();
    graphRef.current = graph;
    let renderer: Sigma<NodeAttrs, EdgeAttrs>;
    try {
      renderer = new Sigma<NodeAttrs, EdgeAttrs>(graph, el, {
        allowInvalidContainer: true,
        defaultEdgeType: 'line',
        // Large charts draw nodes as points and links as 1-pixel lines: with software WebGL the
        // antialiased circle and quad programs cost ~8x more per frame (bench/web-chart.ts).
        edgeProgramClasses: { line: EdgeRectangleProgram, thin: EdgeLineProgram, dashed: DashedEdgeProgram },
        nodeProgramClasses: { circle: NodeCircleProgram, point: NodePointProgram },
        enableEdgeEvents: true,
        labelFont: 'system-ui, sans-serif',
        labelSize: 12,
        labelColor: { color: '#1c2430' },
        labelRenderedSizeThreshold: 6,
        zIndex: true,
        nodeReducer: (node, data) => nodeLook(look.current, node, data, hovered.current),
        edgeReducer: (edge, data) => edgeLook(look.current, edge, data),
      });
    } catch (e) {
      setFailure(`The link chart needs WebGL, which this browser did not provide (${e instanceof Error ? e.message : String(e)}).`);
      return;
    }
    sigmaRef.current = renderer;
    renderer.on('clickNode', ({ node, event }) => {
      if (event.original.shiftKey) setPathEnd('to', node);
      else selectNode(node);
    });
    renderer.on('doubleClickNode', ({ node, preventSigmaDefault }) => {
      preventSigmaDefault();
      void expandNode(node);
    });
    renderer.on('clickEdge', ({ edge }) => void selectEdge(edge));
    renderer.on('clickStage', () => selectNode(undefined));
    // While the camera moves in a large chart, sigma leaves the link and label layers blank; hiding
    // those canvases as well spares the browser compositing four empty full-size layers per frame
    // (most of a frame's cost with software WebGL). The moving test is sigma's own (render()).
    const captor = renderer.getMouseCaptor();
    let moving = false;
    renderer.on('beforeRender', () => {
      const now = levelOfDetail.current && (renderer.getCamera().isAnimated() || captor.isMoving || captor.draggedEvents > 0 || captor.currentWheelDirection !== 0);
      if (now !== moving) el.classList.toggle('moving', (moving = now));
    });
    renderer.on('enterNode', ({ node }) => {
      if (graph.order > MANY) return;
      hovered.current = node;
      renderer.refresh({ skipIndexation: true });
    });
    renderer.on('leaveNode', () => {
      if (hovered.current === undefined) return;
      hovered.current = undefined;
      renderer.refresh({ skipIndexation: true });
    });
    return () => {
      window.clearTimeout(stopTimer.current);
      layoutRef.current?.kill();
      layoutRef.current = undefined;
      layoutRunning(false);
      graph.forEachNode((id, a) => positions.set(id, { x: a.x, y: a.y }));
      renderer.kill();
      sigmaRef.current = undefined;
      graphRef.current = undefined;
    };
  }, []);

  // Nodes and links: add what arrived, drop what went (a new chart).
  useEffect(() => {
    const graph = graphRef.current;
    if (!graph) return;
    syncGraph(graph, chart.nodes, chart.edges);
    sigmaRef.current?.setSetting('labelRenderedSizeThreshold', graph.order > MANY ? 6 : 0);
  }, [chart.revision]); // the revision says when nodes or links changed

  // Level of detail for large charts: links and labels hidden while moving (unless asked for), no link picking.
  const links = Object.keys(chart.edges).length;
  useEffect(() => {
    const renderer = sigmaRef.current;
    if (!renderer) return;
    const large = links > LARGE_CHART_LINKS;
    const lod = !(chart.linksWhileMoving ?? !large);
    levelOfDetail.current = lod;
    renderer.setSetting('hideEdgesOnMove', lod);
    renderer.setSetting('hideLabelsOnMove', lod);
    renderer.setSetting('enableEdgeEvents', !large);
  }, [links, chart.linksWhileMoving]);

  // Appearance: recompute the look and redraw without re-indexing.
  useEffect(() => {
    look.current = lookOf(chart, graphRef.current);
    sigmaRef.current?.refresh({ skipIndexation: true });
  }, [chart]);

  // Fit: the whole chart in view.
  useEffect(() => {
    if (chart.fitRequest > 0) void sigmaRef.current?.getCamera().animatedReset({ duration: 300 });
  }, [chart.fitRequest]);

  // Layout: ForceAtlas2 in a web worker for a few seconds after new nodes arrive (or on request).
  useEffect(() => {
    const graph = graphRef.current;
    if (!graph || chart.layoutRequest === layoutDone) return;
    layoutDone = chart.layoutRequest;
    if (graph.order === 0) {
      layoutRunning(false);
      return;
    }
    window.clearTimeout(stopTimer.current);
    layoutRef.current?.kill();
    const settings = { ...inferSettings(graph), barnesHutOptimize: graph.order > 300, adjustSizes: false };
    const layout = new FA2Layout(graph, { settings, getEdgeWeight: null });
    layoutRef.current = layout;
    layout.start();
    layoutRunning(true);
    // Small charts settle in about a second; 5,000 nodes need a few more (Barnes–Hut, in the worker).
    const ms = Math.min(8000, 800 + graph.order * 1.5);
    stopTimer.current = window.setTimeout(() => {
      layout.stop();
      layoutRunning(false);
    }, ms);
  }, [chart.layoutRequest]);

  if (failure) return <p className="error chart-failure">{failure}</p>;
  return (
    <div
      ref={container}
      className="chart-canvas"
      data-testid="chart-canvas"
      data-layout={chart.layoutRunning ? 'running' : 'stopped'}
      aria-label="Link chart: click a node to select it, shift+click to set it as the path’s end, double-click to expand it"
    />
  );
}

/** Adds new nodes next to a neighbour already placed (or on a circle for the first ones), and new links. */
function syncGraph(graph: ChartGraph, nodes: Record<string, ChartNode>, edges: Record<string, ChartEdge>): void {
  graph.forEachNode((id) => {
    if (!nodes[id]) graph.dropNode(id);
  });
  graph.forEachEdge((key) => {
    if (!edges[key]) graph.dropEdge(key);
  });
  const fresh = Object.values(nodes).filter((n) => !graph.hasNode(n.id));
  const neighbourOf = new Map<string, string>();
  for (const e of Object.values(edges)) {
    if (!graph.hasNode(e.source) && graph.hasNode(e.target)) neighbourOf.set(e.source, e.target);
    if (!graph.hasNode(e.target) && graph.hasNode(e.source)) neighbourOf.set(e.target, e.source);
  }
  const spread = Math.sqrt(Math.max(1, graph.order + fresh.length)) * 10;
  fresh.forEach((n, i) => {
    const known = positions.get(n.id);
    const anchor = neighbourOf.get(n.id);
    let x: number;
    let y: number;
    if (known) ({ x, y } = known);
    else if (anchor !== undefined && graph.hasNode(anchor)) {
      const a = graph.getNodeAttributes(anchor);
      const angle = (2 * Math.PI * i) / Math.max(1, fresh.length) + Math.random() * 0.3;
      x = a.x + Math.cos(angle) * 8;
      y = a.y + Math.sin(angle) * 8;
    } else {
      const angle = 2 * Math.PI * Math.random();
      const r = spread * Math.sqrt(Math.random());
      x = Math.cos(angle) * r;
      y = Math.sin(angle) * r;
    }
    graph.addNode(n.id, { x, y, label: n.label, kind: n.kind });
  });
  for (const e of Object.values(edges)) {
    if (graph.hasEdge(e.key) || !graph.hasNode(e.source) || !graph.hasNode(e.target)) continue;
    graph.addEdgeWithKey(e.key, e.source, e.target, { kind: e.kind, weight: e.weight });
  }
}

/** What the reducers need, computed once per change of the chart state. */
interface Look {
  chart: ChartState;
  many: boolean;
  maxBetweenness: number;
  /** Nodes with at least one link passing the filter (others are hidden, except the root and path). */
  visible: Set<string>;
  pathNodes: Set<string>;
  pathEdges: Set<string>;
  /** The selected node and its neighbours (others fade while something is selected in a small chart). */
  focus: Set<string> | undefined;
}

function lookOf(chart: ChartState, graph: ChartGraph | undefined): Look {
  const visible = new Set<string>();
  for (const e of Object.values(chart.edges)) {
    if (!edgePasses(e, chart.filter)) continue;
    visible.add(e.source);
    visible.add(e.target);
  }
  let maxBetweenness = 0;
  for (const m of Object.values(chart.measures)) maxBetweenness = Math.max(maxBetweenness, m.betweenness);
  const pathNodes = new Set(chart.path?.nodes ?? []);
  const pathEdges = new Set(chart.path?.edgeKeys ?? []);
  for (const id of [chart.rootId, chart.selectedNode, chart.pathFrom, chart.pathTo, ...pathNodes]) if (id) visible.add(id);
  const order = Object.keys(chart.nodes).length;
  let focus: Set<string> | undefined;
  if (chart.selectedNode && order <= MANY && graph?.hasNode(chart.selectedNode)) focus = new Set([chart.selectedNode, ...graph.neighbors(chart.selectedNode)]);
  return { chart, many: order > MANY, maxBetweenness, visible, pathNodes, pathEdges, focus };
}

function nodeLook(look: Look, id: string, data: NodeAttrs, hovered: string | undefined): Partial<NodeDisplayData> {
  const { chart } = look;
  const m = chart.measures[id];
  const colour = chart.showCommunities ? communityColour(m && m.community < 12 ? m.community : undefined) : kindColour(data.kind);
  const size = nodeSize(chart.sizeByCentrality ? m?.betweenness : undefined, look.maxBetweenness, id === chart.rootId, look.many);
  const out: Partial<NodeDisplayData> = { x: data.x, y: data.y, label: data.label, color: colour, size, hidden: !look.visible.has(id), zIndex: 1, type: look.many ? 'point' : 'circle' };
  const chosen = id === chart.selectedNode || id === chart.pathFrom || id === chart.pathTo;
  const outOfFocus = look.focus !== undefined && !look.focus.has(id) && !look.pathNodes.has(id);
  if (chosen || (id === hovered && !outOfFocus)) {
    out.highlighted = true;
    out.zIndex = 3;
    out.forceLabel = true;
  }
  if (look.pathNodes.has(id)) {
    out.forceLabel = true;
    out.zIndex = 2;
  }
  if (id === chart.rootId) out.forceLabel = true;
  if (outOfFocus && !chosen) {
    out.color = faded(colour);
    out.label = '';
  }
  return out;
}

function edgeLook(look: Look, key: string, data: EdgeAttrs): Partial<EdgeDisplayData> {
  const { chart } = look;
  const e = chart.edges[key];
  if (!e || !edgePasses(e, chart.filter)) return { hidden: true };
  const out: Partial<EdgeDisplayData> = { color: edgeColour(data.kind), size: edgeSize(data.weight), type: isDerived(data.kind) ? 'dashed' : look.many ? 'thin' : 'line', zIndex: 0 };
  if (look.focus && !(look.focus.has(e.source) && look.focus.has(e.target) && (e.source === chart.selectedNode || e.target === chart.selectedNode))) out.color = EDGE_COLOURS.faded;
  if (look.pathEdges.has(key)) {
    out.color = EDGE_COLOURS.path;
    out.size = 4;
    out.zIndex = 2;
    out.type = isDerived(data.kind) ? 'dashed' : 'line';
  }
  if (key === chart.selectedEdge) {
    out.color = EDGE_COLOURS.selected;
    out.size = Math.max(3, out.size ?? 1);
    out.zIndex = 3;
    out.type = isDerived(data.kind) ? 'dashed' : 'line';
  }
  return out;
}
