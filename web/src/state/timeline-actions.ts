import { graphApi } from '../api/client';
import { handleError } from './actions';
import { getState, setState, type Route } from './store';
import { timelineKey, type TimelineState, type TimelineSubject } from './timeline-model';

/** Timeline actions: load the events of an entity, a network or the case, in a date window. */

function patch(p: Partial<TimelineState>): void {
  setState((s) => ({ timeline: { ...s.timeline, ...p } }));
}

/** At most this many events are loaded (the latest ones; the view says when there were more). */
const LIMIT = 2000;

/** `#/timeline/<entity id>`, `#/timeline?ids=a,b,c` (a network) or `#/timeline` (the session's case). */
export function subjectOf(route: Route): TimelineSubject {
  if (route.params.id) return { kind: 'entity', id: route.params.id };
  const ids = (route.params.ids ?? '').split(',').filter(Boolean);
  if (ids.length) return { kind: 'network', ids };
  return { kind: 'case' };
}

/** Loads the timeline the URL names unless it is already loaded. */
export function syncTimeline(route: Route): void {
  const subject = subjectOf(route);
  const t = getState().timeline;
  if (timelineKey(subject, t.from, t.to) !== t.key) void loadTimeline(subject);
}

export async function loadTimeline(subject: TimelineSubject): Promise<void> {
  const { from, to } = getState().timeline;
  const key = timelineKey(subject, from, to);
  patch({ subject, key, loading: true, error: undefined });
  try {
    const page =
      subject.kind === 'entity'
        ? await graphApi.entityTimeline(subject.id).then((events) => {
            const shown = events.filter((e) => (!from || e.time.slice(0, 10) >= from) && (!to || e.time.slice(0, 10) <= to));
            return { events: shown, total: shown.length, truncated: false };
          })
        : await graphApi.timeline({ ...(subject.kind === 'case' ? { scope: 'case' as const } : { ids: subject.ids }), ...(from ? { from } : {}), ...(to ? { to } : {}), limit: LIMIT });
    if (getState().timeline.key === key) patch({ events: page.events, total: page.total, truncated: page.truncated, loading: false });
  } catch (e) {
    const error = handleError(e);
    if (getState().timeline.key === key) patch({ events: undefined, loading: false, error });
  }
}

/** Changes the date window and reloads. */
export function setTimelineWindow(from: string, to: string): void {
  const subject = getState().timeline.subject;
  patch({ from, to });
  if (subject) void loadTimeline(subject);
}

export function setTimelineOrder(order: 'oldest' | 'newest'): void {
  patch({ order });
}
