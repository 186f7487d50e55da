import { api } from '../api/client';
import type { HitDecision } from '../api/types';
import { handleError } from './actions';
import { getState, setState, type HitFilter, type Route, type WatchTab } from './store';

const TABS: readonly WatchTab[] = ['alerts', 'due', 'approvals'];
const FILTERS: readonly HitFilter[] = ['open', 'escalated', 'confirmed', 'false-positive', 'needs-info', 'all'];

// ---- watchlists ---------------------------------------------------------------------------------

/** `#/watchlist?tab=due`: shows the tab and loads it. */
export function syncWatch(route: Route): void {
  const tab = TABS.find((t) => t === route.params.tab) ?? 'alerts';
  setState((s) => ({ watch: { ...s.watch, tab } }));
  if (!getState().watch.loading) void loadWatchTab(tab);
}

/** Loads one tab: all alerts, the due-for-review queue, or removals waiting for a second person. */
export async function loadWatchTab(tab: WatchTab): Promise<void> {
  setState((s) => ({ watch: { ...s.watch, loading: true, error: undefined } }));
  try {
    if (tab === 'alerts') {
      const { alerts } = await api.watchAlerts();
      setState((s) => ({ watch: { ...s.watch, alerts, loading: false } }));
    } else if (tab === 'due') {
      const { due } = await api.watchDue();
      setState((s) => ({ watch: { ...s.watch, due, loading: false } }));
    } else {
      const { alerts } = await api.watchAlerts('removal-pending');
      setState((s) => ({ watch: { ...s.watch, pending: alerts, loading: false } }));
    }
  } catch (e) {
    const error = handleError(e);
    setState((s) => ({ watch: { ...s.watch, loading: false, error } }));
  }
}

async function change(id: string, run: () => Promise<string>): Promise<boolean> {
  setState((s) => ({ watch: { ...s.watch, busyId: id, error: undefined, done: undefined } }));
  try {
    const done = await run();
    setState((s) => ({ watch: { ...s.watch, busyId: undefined, done } }));
    await loadWatchTab(getState().watch.tab);
    return true;
  } catch (e) {
    const error = handleError(e);
    setState((s) => ({ watch: { ...s.watch, busyId: undefined, error } }));
    return false;
  }
}

/** Extends an alert after a documented re-assessment (the due queue's main action). */
export function extendAlert(id: string, assessment: string): Promise<boolean> {
  return change(id, async () => {
    const a = await api.watchReview(id, { assessment, extend: true });
    return `Alert ${a.id} extended: review by ${a.reviewBy}.`;
  });
}

/** Asks for an alert's removal; a second person (supervisor) must approve it. */
export function askRemoval(id: string, assessment: string): Promise<boolean> {
  return change(id, async () => {
    const a = await api.watchRemove(id, assessment);
    return `Removal of alert ${a.id} requested: it waits for a second person's approval.`;
  });
}

/** The four-eyes decision on a pending removal. */
export function decideRemoval(id: string, note: string, reject: boolean): Promise<boolean> {
  return change(id, async () => {
    const a = await api.watchApprove(id, note, reject);
    return reject ? `Removal of alert ${a.id} rejected: the alert stays active.` : `Removal of alert ${a.id} approved: delisted, quiet watch until ${a.quietUntil?.slice(0, 10) ?? '—'}.`;
  });
}

// ---- hits inbox ---------------------------------------------------------------------------------

/** `#/hits?status=open` lists the inbox; `#/hits/<hit id>` also opens that report. */
export function syncHits(route: Route): void {
  const filter = FILTERS.find((f) => f === route.params.status) ?? 'open';
  const h = getState().hits;
  if (h.filter !== filter || (!h.hits && !h.loading)) void loadHits(filter);
  const id = route.params.id;
  if (id && id !== h.openId) void openHit(id);
  if (!id && h.openId) setState((s) => ({ hits: { ...s.hits, openId: undefined, hit: undefined, alert: undefined, decideError: undefined } }));
}

export async function loadHits(filter: HitFilter): Promise<void> {
  setState((s) => ({ hits: { ...s.hits, filter, loading: true, error: undefined } }));
  try {
    const { hits } = await api.watchHits(filter === 'all' ? undefined : filter);
    if (getState().hits.filter === filter) setState((s) => ({ hits: { ...s.hits, hits, loading: false } }));
  } catch (e) {
    const error = handleError(e);
    setState((s) => ({ hits: { ...s.hits, loading: false, error } }));
  }
}

/** Opens a hit report with the alert it matched (reasons, grading, subject). */
export async function openHit(id: string): Promise<void> {
  setState((s) => ({ hits: { ...s.hits, openId: id, hit: undefined, alert: undefined, decideError: undefined } }));
  try {
    const hit = await api.watchHit(id);
    if (getState().hits.openId !== id) return;
    setState((s) => ({ hits: { ...s.hits, hit } }));
    const alert = await api.watchAlert(hit.alertId).catch(() => undefined);
    if (getState().hits.openId === id) setState((s) => ({ hits: { ...s.hits, alert } }));
  } catch (e) {
    const decideError = handleError(e);
    setState((s) => ({ hits: { ...s.hits, decideError } }));
  }
}

/** A person decides the hit: confirm, dismiss as a false positive, ask for more information, or escalate it to a supervisor. */
export async function decideHit(id: string, decision: HitDecision, note: string): Promise<boolean> {
  setState((s) => ({ hits: { ...s.hits, deciding: true, decideError: undefined } }));
  try {
    const hit = await api.watchDecide(id, decision, note);
    setState((s) => ({
      hits: {
        ...s.hits,
        deciding: false,
        hit: s.hits.openId === id ? hit : s.hits.hit,
        // The list keeps its filter: a decided hit leaves the "open" view.
        hits: s.hits.hits?.flatMap((h) => (h.id !== id ? [h] : s.hits.filter === 'all' || s.hits.filter === hit.status ? [hit] : [])),
      },
    }));
    return true;
  } catch (e) {
    const decideError = handleError(e);
    setState((s) => ({ hits: { ...s.hits, deciding: false, decideError } }));
    return false;
  }
}
