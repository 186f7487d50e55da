import { useState } from 'react';
import { editSearch, navigate, runSearch } from '../state/actions';
import { expandNode, selectEdge, selectNode, setPathEnd } from '../state/chart-actions';
import { DERIVED_KINDS, edgeWhen, isDerived, linksOf, type ChartEdge, type ChartNode } from '../state/chart-model';
import { useAppState } from '../state/store';
import { COMMUNITY_COLOURS, KIND_COLOURS, kindClass } from './chart-style';
import { ProvenanceChips } from './ProvenanceChips';

// Entity ids (agency prefix, colon, local id) have a profile; selector nodes (phone:+33…) do not.
const ENTITY_ID = /^[a-z]{2}-[a-z0-9]{2,12}:[A-Za-z0-9._:@+-]{1,160}$/;

/** The side panel: the selected link with its evidence, or the selected node, or the legend and a node finder. */
export function LinkChartPanel() {
  const selectedEdge = useAppState((s) => s.chart.selectedEdge);
  const selectedNode = useAppState((s) => s.chart.selectedNode);
  const edges = useAppState((s) => s.chart.edges);
  const nodes = useAppState((s) => s.chart.nodes);
  const edge = selectedEdge ? edges[selectedEdge] : undefined;
  const node = selectedNode ? nodes[selectedNode] : undefined;
  return (
    <aside className="chart-panel" aria-label="Details">
      {edge ? <EdgeDetails edge={edge} /> : node ? <NodeDetails node={node} /> : <NodeFinder />}
      <Legend />
    </aside>
  );
}

function NodeDetails({ node }: { node: ChartNode }) {
  const edges = useAppState((s) => s.chart.edges);
  const nodes = useAppState((s) => s.chart.nodes);
  const measure = useAppState((s) => s.chart.measures[node.id]);
  const expanding = useAppState((s) => s.chart.expanding);
  const pathFrom = useAppState((s) => s.chart.pathFrom);
  const links = linksOf(edges, node.id);
  const isEntity = ENTITY_ID.test(node.id);
  const searchFor = () => {
    editSearch({ query: node.label, schema: '', agency: '', from: '', to: '', grading: '' });
    navigate('search');
    void runSearch();
  };
  return (
    <div className="panel-section" data-testid="node-details">
      <button className="link back" onClick={() => selectNode(undefined)}>
        ← all nodes
      </button>
      <h3>
        <span className={`swatch ${kindClass(node.kind)}`} aria-hidden="true" /> {node.label}
      </h3>
      <p className="muted small">
        {node.kind} · {node.id}
        {node.hops !== undefined ? ` · ${node.hops} hop${node.hops === 1 ? '' : 's'} from the start` : ''}
      </p>
      {measure && (
        <p className="small" data-testid="node-measures">
          Community {measure.community + 1} ({measure.communitySize} members) · betweenness {measure.betweenness.toFixed(4)} · degree {measure.degree.toFixed(4)}
        </p>
      )}
      <div className="panel-actions">
        <button onClick={() => void expandNode(node.id)} disabled={expanding !== undefined}>
          {node.expanded ? 'Expand again' : 'Expand'}
        </button>
        {isEntity ? (
          <button className="secondary" onClick={() => navigate('entity', node.id)}>
            Open profile
          </button>
        ) : (
          <button className="secondary" onClick={searchFor}>
            Search for {node.label}
          </button>
        )}
        <button className="secondary" onClick={() => navigate('timeline', node.id)}>
          Timeline
        </button>
        <button className="secondary" onClick={() => setPathEnd(pathFrom ? 'to' : 'from', node.id)}>
          {pathFrom ? 'Path to here' : 'Path from here'}
        </button>
      </div>
      <h4>Links in the chart ({links.length})</h4>
      <ul className="link-list">
        {links.map((e) => {
          const other = e.source === node.id ? e.target : e.source;
          return (
            <li key={e.key}>
              <button className="link-row" onClick={() => void selectEdge(e.key)}>
                <span className={isDerived(e.kind) ? 'kind-name derived' : 'kind-name'}>{e.kind}</span> {e.directed ? (e.source === node.id ? '→' : '←') : '—'} {nodes[other]?.label ?? other}
                <span className="muted small">
                  {edgeWhen(e) ? ` · ${edgeWhen(e)}` : ''}
                  {e.count && e.count > 1 ? ` · ×${e.count}` : ''}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function EdgeDetails({ edge }: { edge: ChartEdge }) {
  const nodes = useAppState((s) => s.chart.nodes);
  const evidence = useAppState((s) => s.chart.evidence);
  const label = (id: string) => nodes[id]?.label ?? id;
  const derived = DERIVED_KINDS[edge.kind];
  return (
    <div className="panel-section" data-testid="edge-details">
      <button className="link back" onClick={() => selectNode(edge.source)}>
        ← {label(edge.source)}
      </button>
      <h3>
        <span className={derived ? 'kind-name derived' : 'kind-name'}>{edge.kind}</span>
      </h3>
      <p>
        {label(edge.source)} {edge.directed ? '→' : '—'} {label(edge.target)}
      </p>
      {derived && (
        <p className="derived-note">
          Derived link: {derived}. No record states this tie; it is inferred from the records below.
        </p>
      )}
      <p className="muted small">
        {edgeWhen(edge) || 'undated'}
        {edge.count ? ` · ${edge.count} record${edge.count === 1 ? '' : 's'}` : ''}
        {edge.gradings?.length ? ` · graded ${edge.gradings.join(', ')}` : ''}
      </p>
      <h4>Evidence</h4>
      {evidence?.loading && <p className="muted">Loading the statements…</p>}
      {evidence?.error && (
        <p className="error" role="alert">
          {evidence.error}
        </p>
      )}
      {evidence?.data && (
        <div className="evidence" data-testid="evidence">
          {evidence.data.selectors.map((s) => (
            <p key={s} className="selector">
              Shared: <strong>{nodes[s]?.label ?? s}</strong>
            </p>
          ))}
          <ul className="evidence-list">
            {evidence.data.statements.map((st) => (
              <li key={st.provenance.statementId}>
                <div>
                  <button className="link" onClick={() => navigate('entity', st.entityId)}>
                    {st.schema} {st.entityId}
                  </button>{' '}
                  <span className="muted">{st.prop}</span> {nodes[st.value]?.label ?? st.value}
                </div>
                <ProvenanceChips p={st.provenance} />
              </li>
            ))}
          </ul>
          {evidence.data.notShown > 0 && (
            <p className="muted small">
              {evidence.data.notShown} more statement{evidence.data.notShown === 1 ? '' : 's'} not shown (not readable by you, or no longer held).
            </p>
          )}
        </div>
      )}
    </div>
  );
}

function NodeFinder() {
  const nodes = useAppState((s) => s.chart.nodes);
  const [text, setText] = useState('');
  const needle = text.trim().toLowerCase();
  const found = Object.values(nodes)
    .filter((n) => !needle || n.label.toLowerCase().includes(needle) || n.id.toLowerCase().includes(needle))
    .sort((a, b) => (a.hops ?? 99) - (b.hops ?? 99) || a.label.localeCompare(b.label))
    .slice(0, 40);
  return (
    <div className="panel-section">
      <label>
        Find in the chart
        <input value={text} onChange={(e) => setText(e.target.value)} placeholder="name, number, id" />
      </label>
      <ul className="link-list">
        {found.map((n) => (
          <li key={n.id}>
            <button className="link-row" onClick={() => selectNode(n.id)}>
              <span className={`swatch ${kindClass(n.kind)}`} aria-hidden="true" /> {n.label} <span className="muted small">{n.kind}</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

function Legend() {
  const showCommunities = useAppState((s) => s.chart.showCommunities);
  return (
    <div className="panel-section legend" aria-label="Legend">
      <h4>Legend</h4>
      {showCommunities ? (
        <p className="legend-row">
          {COMMUNITY_COLOURS.map((_, i) => (
            <span key={i} className={`swatch community-${i}`} title={`community ${i + 1}`} aria-hidden="true" />
          ))}{' '}
          <span className="small">node colour = community (largest first; grey: small ones)</span>
        </p>
      ) : (
        <p className="legend-row">
          {['Person', 'Organization', 'Phone', 'Place', 'Vehicle', 'Firearm'].filter((k) => KIND_COLOURS[k]).map((k) => (
            <span key={k} className="legend-item">
              <span className={`swatch ${kindClass(k)}`} aria-hidden="true" /> {k}
            </span>
          ))}
        </p>
      )}
      <p className="legend-row small">
        <span className="line solid" aria-hidden="true" /> stated link <span className="line calls" aria-hidden="true" /> calls <span className="line dashed" aria-hidden="true" /> derived link{' '}
        <span className="line path" aria-hidden="true" /> path
      </p>
      <p className="muted small">Double-click a node to expand it; shift+click sets the end of a path.</p>
    </div>
  );
}
