import { api, ApiError, setCsrfToken } from '../api/client';
import type { SessionInfo } from '../api/types';
import { getState, initialHits, initialMap, initialSearch, initialWatch, setState, type Route, type SearchState } from './store';
import { syncMap } from './map-actions';
import { syncHits, syncWatch } from './watch-actions';
import { syncChart } from './chart-actions';
import { initialChart } from './chart-model';
import { syncTimeline } from './timeline-actions';
import { initialTimeline } from './timeline-model';
import { syncAudit, syncDpo } from './oversight-actions';
import { initialAuditView, initialDossier, initialDpo } from './oversight-model';
import { firstOversightView, viewIdOpens } from '../views/work-context';

/** Every change of client state goes through these actions; components only call them. */

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Handles failures every action shares: an expired session sends the user back to sign in. */
export function handleError(e: unknown): string {
  if (e instanceof ApiError && e.code === 'UNAUTHENTICATED') {
    setCsrfToken(undefined);
    setState({ session: null, notice: e.message });
  }
  if (e instanceof ApiError && (e.code === 'PURPOSE_REQUIRED' || e.code === 'CASE_REQUIRED')) setState({ choosingContext: true });
  return messageOf(e);
}

function adoptSession(s: SessionInfo): void {
  setCsrfToken(s.csrfToken);
  setState({ session: s, choosingContext: !s.purpose || (!s.caseId && !s.oversight) });
}

/** Reads the route from the URL hash: `#/search`, `#/entity/fr-ct:p1`, `#/<view>/<id>`. */
export function routeFromHash(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  const [view = 'search', ...rest] = path.split('/').map((p) => decodeURIComponent(p));
  const params: Record<string, string> = Object.fromEntries(new URLSearchParams(query));
  if (rest.length) params.id = rest.join('/');
  return { view: view || 'search', params };
}

/** Follows the URL hash (back/forward buttons, links). */
export function syncRoute(): void {
  const route = routeFromHash(window.location.hash);
  setState({ route });
  // In an oversight session (no case) a case view does not open, so nothing of it is loaded.
  const session = getState().session;
  if (session?.oversight && !viewIdOpens(route.view, session)) return;
  if (route.view === 'entity' && route.params.id && getState().profile.id !== route.params.id) void openProfile(route.params.id);
  if (route.view === 'oversight' && !getState().oversight.loading) void loadOversight();
  if (route.view === 'map') syncMap(route);
  if (route.view === 'watchlist') syncWatch(route);
  if (route.view === 'hits') syncHits(route);
  if (route.view === 'chart') syncChart(route);
  if (route.view === 'timeline') syncTimeline(route);
  if (route.view === 'audit') syncAudit(route);
  if (route.view === 'dpo') syncDpo(route);
}

/** Navigates to a view. */
export function navigate(view: string, id?: string): void {
  window.location.hash = `#/${view}${id ? `/${encodeURIComponent(id)}` : ''}`;
}

/** Checks for an existing session at start-up. */
export async function bootstrap(): Promise<void> {
  try {
    adoptSession(await api.session());
    await loadWorkspace();
  } catch (e) {
    if (e instanceof ApiError && e.code === 'UNAUTHENTICATED') setState({ session: null });
    else setState({ session: null, notice: messageOf(e) });
  }
}

async function loadWorkspace(): Promise<void> {
  const [cases, meta] = await Promise.all([api.cases(), api.meta()]);
  setState({ cases: cases.cases, meta });
  syncRoute();
}

export async function login(userId: string, password: string): Promise<void> {
  setState({ busy: true, loginError: undefined, notice: undefined });
  try {
    adoptSession(await api.login(userId, password));
    await loadWorkspace();
  } catch (e) {
    setState({ loginError: messageOf(e) });
  } finally {
    setState({ busy: false });
  }
}

export async function logout(): Promise<void> {
  try {
    await api.logout();
  } catch {
    // Signed out on the client whatever the server says.
  }
  setCsrfToken(undefined);
  setState({ session: null, search: initialSearch, profile: { id: undefined, profile: undefined, loading: false, error: undefined }, cases: [], choosingContext: false });
  setState({ chart: initialChart, timeline: initialTimeline });
  // The audit log and the DPO report must not stay in memory for the next person at this browser.
  setState({ auditView: initialAuditView, dpo: initialDpo, dossier: initialDossier });
  setState({ map: initialMap, watch: initialWatch, hits: initialHits });
}

/**
 * Sets the purpose and case for the rest of the work session (the server checks and audits it).
 * `caseId` null is an oversight context (DPO, auditor): it starts on the first oversight view.
 */
export async function chooseContext(purpose: string, caseId: string | null): Promise<void> {
  setState({ busy: true, contextError: undefined });
  try {
    const s = await api.setContext(purpose, caseId);
    adoptSession(s);
    const start = s.oversight && !viewIdOpens(getState().route.view, s) ? firstOversightView(s.user.roles) : undefined;
    if (start) window.location.hash = `#/${start.id}`;
    setState({ choosingContext: false, search: initialSearch, profile: { id: undefined, profile: undefined, loading: false, error: undefined } });
    // Maps, watchlists and the inbox answer for a case: reload them for the new one.
    setState({ map: initialMap, watch: initialWatch, hits: initialHits });
    setState({ chart: initialChart, timeline: initialTimeline });
    syncRoute();
  } catch (e) {
    setState({ contextError: handleError(e) });
    setState({ choosingContext: true });
  } finally {
    setState({ busy: false });
  }
}

export function openContextChooser(open: boolean): void {
  setState({ choosingContext: open, contextError: undefined });
}

/** Edits a search field (query or a filter). */
export function editSearch(patch: Partial<Pick<SearchState, 'query' | 'schema' | 'agency' | 'from' | 'to' | 'grading'>>): void {
  setState((s) => ({ search: { ...s.search, ...patch } }));
}

export async function runSearch(): Promise<void> {
  const s = getState().search;
  if (!s.query.trim()) return;
  setState((st) => ({ search: { ...st.search, loading: true, error: undefined } }));
  try {
    const r = await api.search({ q: s.query, schema: s.schema, agency: s.agency, from: s.from, to: s.to, grading: s.grading });
    setState((st) => ({ search: { ...st.search, results: r.results, tookMs: r.tookMs, loading: false } }));
  } catch (e) {
    const error = handleError(e);
    setState((st) => ({ search: { ...st.search, loading: false, error } }));
  }
}

export async function openProfile(id: string): Promise<void> {
  setState({ profile: { id, profile: undefined, loading: true, error: undefined } });
  try {
    const profile = await api.entity(id);
    if (getState().profile.id === id) setState({ profile: { id, profile, loading: false, error: undefined } });
  } catch (e) {
    setState({ profile: { id, profile: undefined, loading: false, error: handleError(e) } });
  }
}

/** Loads store counts and verifies the audit chain (both run in the session's purpose and case). */
export async function loadOversight(): Promise<void> {
  setState((s) => ({ oversight: { ...s.oversight, loading: true, error: undefined } }));
  try {
    const [stats, audit] = await Promise.all([api.stats(), api.verifyAudit()]);
    setState({ oversight: { stats, audit, loading: false, error: undefined } });
  } catch (e) {
    const error = handleError(e);
    setState((s) => ({ oversight: { ...s.oversight, loading: false, error } }));
  }
}
