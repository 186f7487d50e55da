import type { MapFeature, MapSource } from '../api/types';
import { navigate } from '../state/actions';
import { showMap } from '../state/map-actions';
import { gradingCode, gradingTitle, handlingText } from './format';

export const KIND_LABEL: Record<MapFeature['properties']['kind'], string> = {
  address: 'Address',
  place: 'Place',
  travel: 'Travel',
  crossing: 'Border crossing',
  encounter: 'Encounter',
  meeting: 'Meeting',
  'co-location': 'Co-location',
};

const PRECISION: Record<MapFeature['properties']['precision'], string> = {
  exact: 'position as stated in the record',
  airport: 'airport reference point (gazetteer)',
  city: 'approximate: city centre (gazetteer)',
};

/** What a map feature is and who reported it: the popup of a click on the map (several when they overlap). */
export function MapPopup({ features }: { features: MapFeature[] }) {
  const shown = features.slice(0, 6);
  return (
    <div className="map-popup" data-testid="map-popup">
      {shown.map((f) => (
        <FeatureCard key={f.id} f={f} />
      ))}
      {features.length > shown.length && <p className="muted small">…and {features.length - shown.length} more here (zoom in, or see the list below the map).</p>}
    </div>
  );
}

/** One feature: label, time, people, details, position basis and sources. */
export function FeatureCard({ f }: { f: MapFeature }) {
  const p = f.properties;
  return (
    <article className={`feature-card kind-${p.kind}`}>
      <header>
        <span className={`swatch kind-${p.kind}`} aria-hidden="true" />
        <strong>{KIND_LABEL[p.kind]}</strong> {p.label}
      </header>
      {(p.time || p.endTime) && (
        <p className="small">
          {p.time ?? '…'}
          {p.endTime && p.endTime !== p.time ? ` – ${p.endTime}` : ''}
        </p>
      )}
      {p.subjects.length > 0 && (
        <p className="small subjects">
          {p.subjects.map((s) => (
            <span key={s.id} className="subject">
              <button className="link" onClick={() => navigate('entity', s.id)} title={`Open the profile of ${s.id}`}>
                {s.caption}
              </button>
              <button className="link small" onClick={() => showMap({ entityId: s.id, network: false, from: '', to: '' })} title="Map this person">
                map
              </button>
            </span>
          ))}
        </p>
      )}
      {p.details.length > 0 && (
        <dl className="details small">
          {p.details.map((d, i) => (
            <div key={`${d.label}-${i}`}>
              <dt>{d.label}</dt>
              <dd>{d.value}</dd>
            </div>
          ))}
        </dl>
      )}
      <p className={p.precision === 'city' ? 'small precision approximate' : 'small precision muted'}>Position: {PRECISION[p.precision]}</p>
      <SourceList sources={p.sources} />
      <p className="small muted">
        Records:{' '}
        {p.refs.map((r) => (
          <button key={r} className="link small" onClick={() => navigate('entity', r)}>
            {r}
          </button>
        ))}
      </p>
    </article>
  );
}

/** The reporting agencies with grading and handling (the handling binds whoever reads the map). */
export function SourceList({ sources }: { sources: MapSource[] }) {
  return (
    <ul className="sources">
      {sources.map((s, i) => (
        <li key={`${s.agency}-${s.documentId ?? ''}-${i}`} className="provenance">
          <span className="chip agency" title="Source agency">
            {s.agency}
          </span>
          <span className="chip grading" title={gradingTitle(s.grading)}>
            {gradingCode(s.grading)}
          </span>
          <span className={s.handling.codes.length ? 'chip handling restricted' : 'chip handling'} title="Handling code (set by the originator)">
            {handlingText(s.handling)}
          </span>
          <span className="chip classification">{s.classification}</span>
          <span className="muted small">
            {s.documentId ? `${s.documentId} · ` : ''}
            {s.collectedAt.slice(0, 10)}
          </span>
        </li>
      ))}
    </ul>
  );
}
