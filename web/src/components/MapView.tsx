import { lazy, Suspense, useEffect, useState, type FormEvent } from 'react';
import type { MapData, MapFeature, MapFeatureKind } from '../api/types';
import { navigate } from '../state/actions';
import { showMap, toggleMapKind } from '../state/map-actions';
import { useAppState } from '../state/store';
import { KIND_LABEL } from './MapPopup';

// MapLibre (WebGL) and the basemap load only when a map is opened.
const MapCanvas = lazy(() => import('./MapCanvas'));

const KINDS: readonly MapFeatureKind[] = ['address', 'travel', 'crossing', 'encounter', 'meeting', 'co-location', 'place'];
const LIST_LIMIT = 300;

/** The map of an entity (`#/map/<id>`, optionally with its network) or of the session's case (`#/map`). */
export function MapView() {
  const m = useAppState((s) => s.map);
  const session = useAppState((s) => s.session);
  const data = m.data;
  const subject = data?.subjects.find((s) => s.role === 'subject' && s.id === m.entityId);
  const title = m.entityId ? `Map of ${subject?.caption ?? m.entityId}` : `Map of the case ${session?.caseName ?? session?.caseId ?? ''}`;
  return (
    <section className="view map-view">
      <div className="entity-header map-header">
        <div>
          <h2>{title}</h2>
          <p className="muted small">
            Offline basemap (Natural Earth country outlines). Positions come from records you may read; approximate ones (city centres) are marked as such.
          </p>
        </div>
        <MapControls />
      </div>
      {m.error && (
        <p className="error" role="alert">
          {m.error}
        </p>
      )}
      {m.loading && <p className="muted small">Loading the map…</p>}
      {data && (
        <>
          <MapSummary data={data} />
          <div className="map-layout">
            <Suspense fallback={<div className="map-canvas">Loading the map…</div>}>
              <MapCanvas data={data} hidden={m.hidden} loading={m.loading} />
            </Suspense>
            <Legend data={data} hidden={m.hidden} />
          </div>
          <FeatureList features={data.features} />
        </>
      )}
    </section>
  );
}

function MapControls() {
  const m = useAppState((s) => s.map);
  const [from, setFrom] = useState(m.from);
  const [to, setTo] = useState(m.to);
  useEffect(() => {
    setFrom(m.from);
    setTo(m.to);
  }, [m.from, m.to]);
  const apply = (e: FormEvent) => {
    e.preventDefault();
    showMap({ from, to });
  };
  return (
    <form className="map-controls" onSubmit={apply} aria-label="Map options">
      {m.entityId && (
        <label className="inline">
          <input type="checkbox" checked={m.network} onChange={(e) => showMap({ network: e.target.checked })} />
          Include the network (one link away)
        </label>
      )}
      <label>
        From
        <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
      </label>
      <label>
        To
        <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
      </label>
      <button type="submit" className="secondary">
        Apply dates
      </button>
      {m.entityId ? (
        <>
          <button type="button" className="secondary" onClick={() => navigate('entity', m.entityId)}>
            Profile
          </button>
          <button type="button" className="secondary" onClick={() => showMap({ entityId: undefined, network: false })}>
            Whole case
          </button>
        </>
      ) : null}
    </form>
  );
}

function MapSummary({ data }: { data: MapData }) {
  const withheld = Object.entries(data.withheld ?? {}).filter(([, n]) => n > 0);
  // A case map names everyone its records name; an entity map its subject and network.
  const people = data.scope.kind === 'case' ? data.subjects : data.subjects.filter((s) => s.role !== 'linked');
  return (
    <div className="map-summary">
      <p data-testid="map-summary">
        {data.features.length} features: {KINDS.filter((k) => data.counts[k]).map((k) => `${data.counts[k]} ${KIND_LABEL[k].toLowerCase()}`).join(', ') || 'nothing with a known position'}
        {people.length > 0 && ` · ${people.length} ${people.length === 1 ? 'subject' : 'subjects'}`}
      </p>
      {people.length > 1 && (
        <p className="small subjects">
          {people.map((s) => (
            <button key={s.id} className={`chip role-${s.role}`} onClick={() => showMap({ entityId: s.id, network: false })} title={s.via ? `${s.role} via ${s.via}` : s.role}>
              {s.caption}
              {s.via ? ` · ${s.via}` : ''}
            </button>
          ))}
        </p>
      )}
      {withheld.length > 0 && (
        <p className="withheld small">
          Withheld from you about this entity: {withheld.map(([why, n]) => `${n} by ${why}`).join(', ')} (not shown on the map).
        </p>
      )}
      {data.truncated && <p className="notice small">The map was cut at its limits (events or network size); narrow the dates to see everything.</p>}
      {data.unlocated.length > 0 && (
        <details className="small unlocated">
          <summary>{data.unlocated.length} record(s) name a place the map cannot position</summary>
          <ul>
            {data.unlocated.map((u) => (
              <li key={`${u.ref}-${u.reason}`}>
                <button className="link" onClick={() => navigate('entity', u.ref)}>
                  {u.ref}
                </button>{' '}
                ({u.schema}): {u.reason}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

function Legend({ data, hidden }: { data: MapData; hidden: readonly MapFeatureKind[] }) {
  return (
    <aside className="map-legend" aria-label="Legend">
      <h3>Legend</h3>
      {KINDS.map((k) => (
        <label key={k} className="inline">
          <input type="checkbox" checked={!hidden.includes(k)} onChange={() => toggleMapKind(k)} />
          <span className={`swatch kind-${k}`} aria-hidden="true" />
          {KIND_LABEL[k]} <span className="muted">({data.counts[k] ?? 0})</span>
        </label>
      ))}
      <p className="small muted">Travel lines: blue air, green rail, dashed orange road. Rings mark co-locations: two or more people at one address, or at one place on the same day.</p>
    </aside>
  );
}

/** Every feature as a row: the map's content without WebGL, and a way to read overlapping points. */
function FeatureList({ features }: { features: MapFeature[] }) {
  const rows = features.filter((f) => f.properties.kind !== 'place').slice(0, LIST_LIMIT);
  return (
    <details className="feature-list" open>
      <summary>
        On the map ({rows.length}
        {features.length > rows.length ? ` of ${features.length}` : ''})
      </summary>
      <table>
        <thead>
          <tr>
            <th>What</th>
            <th>When</th>
            <th>Who</th>
            <th>Sources</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((f) => (
            <tr key={f.id} className={`kind-${f.properties.kind}`}>
              <td>
                <span className={`swatch kind-${f.properties.kind}`} aria-hidden="true" /> {f.properties.label}
                {f.properties.precision === 'city' && <span className="badge">approx.</span>}
              </td>
              <td className="small">{f.properties.time?.slice(0, 16).replace('T', ' ') ?? ''}</td>
              <td className="small">{f.properties.subjects.map((s) => s.caption).join(', ')}</td>
              <td className="small">{[...new Set(f.properties.sources.map((s) => s.agency))].join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
