import type { GraphTimelineEvent } from '../api/types';

/**
 * The timeline view's model: what it shows (one entity, a network of entities, or the session's
 * case), the events loaded, and the day grouping. Pure data and functions.
 */
export type TimelineSubject = { kind: 'entity'; id: string } | { kind: 'network'; ids: string[] } | { kind: 'case' };

export interface TimelineState {
  subject: TimelineSubject | undefined;
  /** The request the loaded events answer (a late answer to an older request is dropped). */
  key: string | undefined;
  events: GraphTimelineEvent[] | undefined;
  total: number;
  truncated: boolean;
  from: string;
  to: string;
  order: 'oldest' | 'newest';
  loading: boolean;
  error: string | undefined;
}

export const initialTimeline: TimelineState = { subject: undefined, key: undefined, events: undefined, total: 0, truncated: false, from: '', to: '', order: 'oldest', loading: false, error: undefined };

/** A stable key for a subject and window. */
export function timelineKey(subject: TimelineSubject, from: string, to: string): string {
  const what = subject.kind === 'entity' ? `entity:${subject.id}` : subject.kind === 'network' ? `network:${subject.ids.join(',')}` : 'case';
  return `${what}|${from}|${to}`;
}

export interface TimelineDay {
  /** YYYY-MM-DD, YYYY-MM or YYYY for events dated only that precisely. */
  day: string;
  events: GraphTimelineEvent[];
}

/** Events grouped by calendar day (as stated: partial dates form their own groups), in the chosen order. */
export function groupByDay(events: readonly GraphTimelineEvent[], order: 'oldest' | 'newest'): TimelineDay[] {
  const days: TimelineDay[] = [];
  const list = order === 'oldest' ? events : [...events].reverse();
  for (const e of list) {
    const day = e.time.slice(0, 10);
    const last = days[days.length - 1];
    if (last && last.day === day) last.events.push(e);
    else days.push({ day, events: [e] });
  }
  return days;
}

/** The time of day of an event, when it has one (`19:30`). */
export function timeOfDay(time: string): string {
  const m = /T(\d{2}:\d{2})/.exec(time);
  return m ? m[1]! : '';
}

/** The weekday of a full date (UTC), for the day headings. */
export function weekday(day: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return '';
  return new Date(`${day}T00:00:00Z`).toLocaleDateString('en-GB', { weekday: 'long', timeZone: 'UTC' });
}
