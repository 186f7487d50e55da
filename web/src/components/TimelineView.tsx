import { useState } from 'react';
import type { GraphTimelineEvent } from '../api/types';
import { navigate } from '../state/actions';
import { useAppState } from '../state/store';
import { setTimelineOrder, setTimelineWindow } from '../state/timeline-actions';
import { groupByDay, timeOfDay, weekday, type TimelineSubject } from '../state/timeline-model';
import './timeline.css';
import { ProvenanceChips } from './ProvenanceChips';

/**
 * The timeline (`#/timeline/<entity id>`, `#/timeline?ids=a,b` for a network, `#/timeline` for the
 * session's case): dated events in order, grouped by day, each with the facts it records and the
 * source agency, grading and handling of the statements behind it.
 */
export function TimelineView() {
  const t = useAppState((s) => s.timeline);
  const title = useTitle(t.subject);
  const days = t.events ? groupByDay(t.events, t.order) : [];
  return (
    <section className="view timeline-view">
      <div className="entity-header timeline-header">
        <h2 data-testid="timeline-title">{title}</h2>
        <TimelineControls />
        {t.events && (
          <p className="muted small" data-testid="timeline-count">
            {t.events.length} event{t.events.length === 1 ? '' : 's'} on {days.length} day{days.length === 1 ? '' : 's'}
            {t.truncated ? ` — the latest ${t.events.length} of ${t.total}; narrow the dates to see earlier ones` : ''}
          </p>
        )}
      </div>
      {t.loading && <p className="muted">Loading events…</p>}
      {t.error && (
        <p className="error" role="alert">
          {t.error}
        </p>
      )}
      {t.events && t.events.length === 0 && !t.loading && <p className="muted">No dated events you may read in this window.</p>}
      {days.map((d) => (
        <section key={d.day} className="timeline-day" aria-label={d.day}>
          <h3 className="day-heading">
            {d.day} <span className="muted small">{weekday(d.day)}</span>
          </h3>
          <ol className="day-events">
            {d.events.map((e, i) => (
              <TimelineItem key={`${e.entityId}-${e.time}-${i}`} event={e} />
            ))}
          </ol>
        </section>
      ))}
    </section>
  );
}

function useTitle(subject: TimelineSubject | undefined): string {
  const profile = useAppState((s) => s.profile);
  const nodes = useAppState((s) => s.chart.nodes);
  const session = useAppState((s) => s.session);
  if (!subject) return 'Timeline';
  if (subject.kind === 'case') return `Timeline of case ${session?.caseName ?? ''} (${session?.caseId ?? ''})`;
  if (subject.kind === 'network') return `Timeline of a network of ${subject.ids.length} entit${subject.ids.length === 1 ? 'y' : 'ies'}`;
  const caption = profile.id === subject.id && profile.profile?.entity ? profile.profile.entity.caption : (nodes[subject.id]?.label ?? subject.id);
  return `Timeline of ${caption}`;
}

function TimelineControls() {
  const from = useAppState((s) => s.timeline.from);
  const to = useAppState((s) => s.timeline.to);
  const order = useAppState((s) => s.timeline.order);
  const subject = useAppState((s) => s.timeline.subject);
  const [draft, setDraft] = useState({ from, to });
  return (
    <form
      className="timeline-controls"
      onSubmit={(e) => {
        e.preventDefault();
        setTimelineWindow(draft.from, draft.to);
      }}
    >
      <label>
        From
        <input type="date" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
      </label>
      <label>
        To
        <input type="date" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
      </label>
      <button type="submit">Show</button>
      <label>
        Order
        <select value={order} onChange={(e) => setTimelineOrder(e.target.value === 'newest' ? 'newest' : 'oldest')}>
          <option value="oldest">oldest first</option>
          <option value="newest">newest first</option>
        </select>
      </label>
      {subject?.kind === 'entity' && (
        <button type="button" className="secondary" onClick={() => navigate('chart', subject.id)}>
          Open in link chart
        </button>
      )}
      {subject?.kind !== 'case' && (
        <button type="button" className="secondary" onClick={() => (window.location.hash = '#/timeline')}>
          Case timeline
        </button>
      )}
    </form>
  );
}

/** One event: time, what happened (schema and facts, entity captions where known), and its sources. */
function TimelineItem({ event }: { event: GraphTimelineEvent }) {
  const at = timeOfDay(event.time);
  const facts = Object.entries(event.facts);
  const name = (v: string) => event.labels?.[v] ?? v;
  return (
    <li className="timeline-event" data-testid="timeline-event">
      <div className="event-head">
        <span className="event-time">{at || '—'}</span>
        <span className="badge schema">{event.schema}</span>
        <button className="link" onClick={() => navigate('entity', event.entityId)}>
          {event.entityId}
        </button>
        {event.end && event.end !== event.time && <span className="muted small">until {event.end.replace('T', ' ').slice(0, 16)}</span>}
        {!['date', 'startDate', 'departure'].includes(event.dated) && <span className="muted small">{event.dated === 'firstSeen' ? 'first seen' : `dated by ${event.dated}`}</span>}
      </div>
      {facts.length > 0 && (
        <dl className="event-facts">
          {facts.map(([prop, values]) => (
            <div key={prop} className="fact">
              <dt>{prop}</dt>
              <dd>
                {values.map((v, i) => (
                  <span key={v}>
                    {i > 0 ? ', ' : ''}
                    {event.labels?.[v] ? (
                      <button className="link" onClick={() => navigate('entity', v)} title={v}>
                        {name(v)}
                      </button>
                    ) : (
                      v
                    )}
                  </span>
                ))}
              </dd>
            </div>
          ))}
        </dl>
      )}
      <div className="event-sources">
        {event.provenance.map((p) => (
          <ProvenanceChips key={p.statementId} p={p} />
        ))}
      </div>
    </li>
  );
}
