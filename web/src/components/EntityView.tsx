import type { Entity, Link, PropertyValue, Withheld } from '../api/types';
import { navigate } from '../state/actions';
import { useAppState } from '../state/store';
import { seenRange } from './format';
import { DossierExportButton } from './DossierExport';
import { OpenInChartButton } from './LinkChartView';
import { ProvenanceChips } from './ProvenanceChips';

/** The entity profile: every value with its provenance, conflicts side by side, withheld counts, links. */
export function EntityView() {
  const state = useAppState((s) => s.profile);
  if (state.loading) return <section className="view">Loading {state.id}…</section>;
  if (state.error)
    return (
      <section className="view">
        <p className="error" role="alert">
          {state.error}
        </p>
      </section>
    );
  const profile = state.profile;
  if (!profile) return <section className="view muted">Choose an entity from the search.</section>;
  return (
    <section className="view entity-view">
      {profile.entity ? <EntityHeader entity={profile.entity} /> : <h2>Nothing you may read about {state.id}</h2>}
      <WithheldNotice withheld={profile.withheld} />
      {profile.entity && <PropertyTable entity={profile.entity} />}
      <LinkList links={profile.links} />
      {profile.entity && <Timeline entity={profile.entity} links={profile.links} />}
    </section>
  );
}

function EntityHeader({ entity }: { entity: Entity }) {
  return (
    <div className="entity-header">
      <h2 className="entity-caption">{entity.caption}</h2>
      <span className="badge schema">{entity.schema}</span>
      <span className="muted small">{entity.id}</span>
      <p className="muted">
        Sources: {entity.agencies.join(', ')} · {entity.statementCount} statements
        {entity.firstSeen || entity.lastSeen ? ` · seen ${seenRange(entity.firstSeen, entity.lastSeen)}` : ''}
      </p>
      {entity.conflicts.length > 0 && <p className="conflict-banner">Agencies disagree on: {entity.conflicts.join(', ')}</p>}
      <p className="entity-tools">
        <OpenInChartButton id={entity.id} />
        <button className="secondary" onClick={() => navigate('timeline', entity.id)}>
          Timeline
        </button>
        <button className="secondary" onClick={() => navigate('map', entity.id)}>
          Map
        </button>
      </p>
      <DossierExportButton target={{ subject: entity.id, label: entity.caption }} />
    </div>
  );
}

function WithheldNotice({ withheld }: { withheld: Withheld }) {
  const parts = Object.entries(withheld).filter(([, n]) => n > 0);
  if (parts.length === 0) return null;
  const total = parts.reduce((sum, [, n]) => sum + n, 0);
  return (
    <p className="withheld" data-testid="withheld">
      {total} statement{total === 1 ? '' : 's'} withheld from you: {parts.map(([why, n]) => `${n} by ${why}`).join(', ')}
    </p>
  );
}

function PropertyTable({ entity }: { entity: Entity }) {
  const props = Object.entries(entity.properties).sort(([a], [b]) => a.localeCompare(b));
  return (
    <table className="properties">
      <tbody>
        {props.map(([prop, values]) => (
          <tr key={prop} className={entity.conflicts.includes(prop) ? 'conflict' : undefined}>
            <th scope="row">
              {prop}
              {entity.conflicts.includes(prop) && <span className="badge conflict">≠ conflict</span>}
            </th>
            <td>
              <div className={entity.conflicts.includes(prop) ? 'values side-by-side' : 'values'}>
                {values.map((v) => (
                  <ValueCell key={v.value} value={v} />
                ))}
              </div>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

// Entity ids (agency prefix, colon, local id) — values of link ends and references — open their profile.
const ENTITY_ID = /^[a-z]{2}-[a-z0-9]{2,12}:[A-Za-z0-9._:@+-]{1,160}$/;

function ValueCell({ value }: { value: PropertyValue }) {
  return (
    <div className="value">
      <div className="value-text">
        {ENTITY_ID.test(value.value) ? (
          <button className="link" onClick={() => navigate('entity', value.value)}>
            {value.value}
          </button>
        ) : (
          value.value
        )}
      </div>
      {value.provenance.map((p) => (
        <ProvenanceChips key={p.statementId} p={p} />
      ))}
    </div>
  );
}

function LinkList({ links }: { links: Link[] }) {
  if (links.length === 0) return null;
  return (
    <div className="links">
      <h3>Links ({links.length})</h3>
      <table>
        <thead>
          <tr>
            <th>Link</th>
            <th>Role</th>
            <th>With</th>
            <th>When</th>
            <th>Sources</th>
          </tr>
        </thead>
        <tbody>
          {links.map((l) => (
            <tr key={l.linkId}>
              <td>
                <button className="link" onClick={() => navigate('entity', l.linkId)}>
                  {l.schema}
                </button>
              </td>
              <td>{l.role}</td>
              <td>
                {l.others.map((o) => (
                  <button key={o.id} className="link" onClick={() => navigate('entity', o.id)}>
                    {o.caption} <span className="muted small">({o.schema})</span>
                  </button>
                ))}
              </td>
              <td>{seenRange(l.startDate, l.endDate)}</td>
              <td>{l.agencies.join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface TimelineEvent {
  date: string;
  what: string;
  agency: string;
  key: string;
}

/** Dated events of the entity, newest first: when values were seen and collected, and its links. */
function timelineOf(entity: Entity, links: Link[]): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  for (const [prop, values] of Object.entries(entity.properties)) {
    for (const v of values) {
      for (const p of v.provenance) {
        if (p.firstSeen) events.push({ date: p.firstSeen, what: `${prop} “${v.value}” first seen`, agency: p.agency, key: `${p.statementId}-f` });
        if (p.lastSeen && p.lastSeen !== p.firstSeen) events.push({ date: p.lastSeen, what: `${prop} “${v.value}” last seen`, agency: p.agency, key: `${p.statementId}-l` });
        events.push({ date: p.collectedAt.slice(0, 10), what: `${prop} “${v.value}” reported${p.documentId ? ` in ${p.documentId}` : ''}`, agency: p.agency, key: `${p.statementId}-c` });
      }
    }
  }
  for (const l of links) {
    const with_ = l.others.map((o) => o.caption).join(', ');
    if (l.startDate) events.push({ date: l.startDate, what: `${l.schema} with ${with_} begins`, agency: l.agencies.join(', '), key: `${l.linkId}-s` });
    if (l.endDate) events.push({ date: l.endDate, what: `${l.schema} with ${with_} ends`, agency: l.agencies.join(', '), key: `${l.linkId}-e` });
  }
  return events.sort((a, b) => b.date.localeCompare(a.date) || a.what.localeCompare(b.what));
}

function Timeline({ entity, links }: { entity: Entity; links: Link[] }) {
  const events = timelineOf(entity, links);
  if (events.length === 0) return null;
  return (
    <div className="timeline">
      <h3>Timeline ({events.length})</h3>
      <ol>
        {events.map((e) => (
          <li key={e.key}>
            <span className="date">{e.date}</span> <span className="chip agency">{e.agency}</span> {e.what}
          </li>
        ))}
      </ol>
    </div>
  );
}
