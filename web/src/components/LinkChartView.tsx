import { lazy, Suspense } from 'react';
import { clearPath, findPath, fitChart, requestLayout, setChartFilter, setLinksWhileMoving, toggleCentrality, toggleCommunities } from '../state/chart-actions';
import { DERIVED_KINDS, kindCounts, LARGE_CHART_LINKS } from '../state/chart-model';
import { navigate } from '../state/actions';
import { useAppState } from '../state/store';
import './chart.css';
import { LinkChartPanel } from './LinkChartPanel';

// sigma.js, graphology and ForceAtlas2 load with the first chart, not with the app.
const LinkChartCanvas = lazy(() => import('./LinkChartCanvas').then((m) => ({ default: m.LinkChartCanvas })));

/** EU 4x4 gradings offered as a minimum, best first. */
const GRADINGS = ['A1', 'A2', 'B1', 'B2', 'B3', 'C2', 'C3', 'C4', 'X4'];

/**
 * The link chart (`#/chart/<entity id>`): the entity's neighbourhood drawn with sigma.js, grown by
 * expanding nodes, filtered by link kind, time window and minimum grading, with paths between two
 * nodes, communities (colour) and centralities (size) from the API, and derived links (shared phone,
 * co-travel…) dashed, their evidence one click away.
 */
export function LinkChartView() {
  const rootId = useAppState((s) => s.chart.rootId);
  const routeId = useAppState((s) => s.route.params.id);
  if (!rootId && !routeId) {
    return (
      <section className="view">
        <h2>Link chart</h2>
        <p className="muted">Open a chart from an entity profile (“Open in link chart”), or search for a subject first.</p>
      </section>
    );
  }
  return (
    <section className="chart-view" aria-label="Link chart">
      <ChartToolbar />
      <div className="chart-body">
        <div className="chart-stage">
          <Suspense fallback={<p className="muted chart-failure">Loading the chart…</p>}>
            <LinkChartCanvas />
          </Suspense>
          <ChartStatus />
        </div>
        <LinkChartPanel />
      </div>
    </section>
  );
}

function ChartToolbar() {
  const filter = useAppState((s) => s.chart.filter);
  const edges = useAppState((s) => s.chart.edges);
  const showCommunities = useAppState((s) => s.chart.showCommunities);
  const sizeByCentrality = useAppState((s) => s.chart.sizeByCentrality);
  const measuresLoading = useAppState((s) => s.chart.measuresLoading);
  const layoutRunning = useAppState((s) => s.chart.layoutRunning);
  const nodes = useAppState((s) => s.chart.nodes);
  const linksWhileMoving = useAppState((s) => s.chart.linksWhileMoving);
  const kinds = kindCounts(edges);
  const large = Object.keys(edges).length > LARGE_CHART_LINKS;
  const toggleKind = (kind: string, on: boolean) => {
    const all = kinds.map(([k]) => k);
    const current = filter.kinds.length ? filter.kinds : all;
    const next = on ? [...new Set([...current, kind])] : current.filter((k) => k !== kind);
    setChartFilter({ kinds: next.length === all.length && all.every((k) => next.includes(k)) ? [] : next });
  };
  const networkIds = Object.values(nodes)
    .sort((a, b) => (a.hops ?? 99) - (b.hops ?? 99))
    .slice(0, 300)
    .map((n) => n.id);
  return (
    <div className="chart-toolbar" role="toolbar" aria-label="Link chart filters and tools">
      <label>
        Hops per expansion
        <select value={filter.hops} onChange={(e) => setChartFilter({ hops: Number(e.target.value) })}>
          {[1, 2, 3].map((h) => (
            <option key={h} value={h}>
              {h}
            </option>
          ))}
        </select>
      </label>
      <label>
        From
        <input type="date" value={filter.from} onChange={(e) => setChartFilter({ from: e.target.value })} />
      </label>
      <label>
        To
        <input type="date" value={filter.to} onChange={(e) => setChartFilter({ to: e.target.value })} />
      </label>
      <label>
        Minimum grading
        <select value={filter.grading} onChange={(e) => setChartFilter({ grading: e.target.value })}>
          <option value="">any</option>
          {GRADINGS.map((g) => (
            <option key={g} value={g}>
              {g} or better
            </option>
          ))}
        </select>
      </label>
      <fieldset className="chart-kinds">
        <legend>Link kinds</legend>
        {kinds.map(([kind, n]) => (
          <label key={kind} className="check" title={DERIVED_KINDS[kind] ? `derived: ${DERIVED_KINDS[kind]}` : undefined}>
            <input type="checkbox" checked={filter.kinds.length === 0 || filter.kinds.includes(kind)} onChange={(e) => toggleKind(kind, e.target.checked)} />
            <span className={DERIVED_KINDS[kind] ? 'kind-name derived' : 'kind-name'}>{kind}</span> <span className="muted small">{n}</span>
          </label>
        ))}
      </fieldset>
      <div className="chart-tools">
        <label className="check">
          <input type="checkbox" checked={showCommunities} onChange={(e) => void toggleCommunities(e.target.checked)} /> Communities
        </label>
        <label className="check">
          <input type="checkbox" checked={sizeByCentrality} onChange={(e) => void toggleCentrality(e.target.checked)} /> Size by centrality
        </label>
        {measuresLoading && <span className="muted small">computing…</span>}
        {large && (
          <label className="check" title="Large charts hide links during a pan or zoom and draw them again when it stops">
            <input type="checkbox" checked={linksWhileMoving ?? false} onChange={(e) => setLinksWhileMoving(e.target.checked)} /> Links while moving
          </label>
        )}
        <button className="secondary" onClick={fitChart}>
          Fit
        </button>
        <button className="secondary" onClick={requestLayout} disabled={layoutRunning}>
          {layoutRunning ? 'Laying out…' : 'Lay out again'}
        </button>
        <button className="secondary" onClick={() => (window.location.hash = `#/timeline?ids=${networkIds.map(encodeURIComponent).join(',')}`)} disabled={networkIds.length === 0}>
          Timeline of this network
        </button>
      </div>
    </div>
  );
}

function ChartStatus() {
  const nodes = useAppState((s) => s.chart.nodes);
  const edges = useAppState((s) => s.chart.edges);
  const expanding = useAppState((s) => s.chart.expanding);
  const error = useAppState((s) => s.chart.error);
  const notes = useAppState((s) => s.chart.notes);
  const info = useAppState((s) => s.chart.measuresInfo);
  const measuresError = useAppState((s) => s.chart.measuresError);
  const showCommunities = useAppState((s) => s.chart.showCommunities);
  const sizeByCentrality = useAppState((s) => s.chart.sizeByCentrality);
  const path = useAppState((s) => s.chart.path);
  const pathFrom = useAppState((s) => s.chart.pathFrom);
  const pathTo = useAppState((s) => s.chart.pathTo);
  const pathLoading = useAppState((s) => s.chart.pathLoading);
  const label = (id: string | undefined) => (id ? (nodes[id]?.label ?? id) : '…');
  return (
    <div className="chart-status">
      <p data-testid="chart-count">
        {Object.keys(nodes).length} nodes · {Object.keys(edges).length} links
        {expanding ? ` · loading neighbours of ${label(expanding)}…` : ''}
      </p>
      {(pathFrom || pathTo) && (
        <div className="chart-path" data-testid="chart-path">
          Path from <strong>{label(pathFrom)}</strong> to <strong>{label(pathTo)}</strong>
          <button onClick={() => void findPath()} disabled={!pathFrom || !pathTo || pathLoading}>
            {pathLoading ? 'Finding…' : 'Find path'}
          </button>
          <button className="link" onClick={clearPath}>
            clear
          </button>
          {path && (
            <p className={path.found ? 'path-result' : 'path-result muted'}>
              {path.found ? `${path.hops} hop${path.hops === 1 ? '' : 's'}: ${path.nodes.map(label).join(' → ')}` : (path.note ?? 'No path within the filter.')}
            </p>
          )}
        </div>
      )}
      {!pathFrom && !pathTo && <p className="muted small">Shift+click two nodes (or use the panel) to find a path between them.</p>}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {notes.map((n) => (
        <p key={n} className="notice small">
          {n}
        </p>
      ))}
      {measuresError && <p className="notice small">{measuresError}</p>}
      {info && (showCommunities || sizeByCentrality) && (
        <p className="muted small" data-testid="chart-measures">
          {info.communities} communities in the readable network (modularity {info.modularity.toFixed(2)})
          {info.exact ? '' : ` · betweenness sampled${info.epsilon === undefined ? '' : ` (±${info.epsilon.toFixed(3)} at 95 %)`}`}
          {info.partial ? ' · measured for the 2,000 nodes closest to the start' : ''}
        </p>
      )}
    </div>
  );
}

/** A button for other views: opens the link chart on an entity. */
export function OpenInChartButton({ id }: { id: string }) {
  return (
    <button className="secondary" onClick={() => navigate('chart', id)}>
      Open in link chart
    </button>
  );
}
