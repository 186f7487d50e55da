import type { ApiErrorBody, AuditVerification, CaseSummary, EntityProfile, Meta, SearchResult, SessionInfo, Stats } from './types';
import type { GraphEvidence, GraphMeasures, GraphPath, GraphSubgraph, GraphTimelineEvent, GraphTimelinePage } from './types';
import type { AlertStatus, DueAlert, HitDecision, HitReport, MapData, WatchAlert } from './types';

/** An error answered by the API, with its stable code (UNAUTHENTICATED, PURPOSE_REQUIRED…). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

let csrfToken: string | undefined;

/** Remembers the session's CSRF token; every state-changing request sends it. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, { method, headers, credentials: 'same-origin', ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  if (res.status === 204) return undefined as T;
  const data: unknown = await res.json().catch(() => ({}));
  if (!res.ok) {
    const e = data as Partial<ApiErrorBody>;
    throw new ApiError(res.status, e.code ?? 'INTERNAL', e.message ?? `request failed (${res.status})`, e.field);
  }
  return data as T;
}

export interface SearchQuery {
  q: string;
  schema?: string;
  agency?: string;
  from?: string;
  to?: string;
  grading?: string;
}

/** The Tessera API, one function per route. */
export const api = {
  login: (userId: string, password: string) => request<SessionInfo>('POST', '/api/auth/login', { userId, password }),
  logout: () => request<void>('POST', '/api/auth/logout'),
  session: () => request<SessionInfo>('GET', '/api/session'),
  /** `caseId` null: an oversight context (DPO, auditor). */
  setContext: (purpose: string, caseId: string | null) => request<SessionInfo>('PUT', '/api/session/context', { purpose, caseId }),
  cases: () => request<{ cases: CaseSummary[] }>('GET', '/api/cases'),
  meta: () => request<Meta>('GET', '/api/meta'),
  search: (query: SearchQuery) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v) params.set(k, v);
    return request<{ results: SearchResult[]; tookMs: number }>('GET', `/api/search?${params.toString()}`);
  },
  entity: (id: string) => request<EntityProfile>('GET', `/api/entities/${encodeURIComponent(id)}`),
  stats: () => request<Stats>('GET', '/api/stats'),
  verifyAudit: () => request<AuditVerification>('GET', '/api/audit/verify'),
  // map (/api/map)
  mapEntity: (id: string, q: MapQuery = {}) => request<MapData>('GET', `/api/map/entity/${encodeURIComponent(id)}${mapParams(q)}`),
  mapCase: (q: MapQuery = {}) => request<MapData>('GET', `/api/map/case${mapParams(q)}`),
  // watchlists and hits (/api/watch)
  watchAlerts: (status?: AlertStatus) => request<{ alerts: WatchAlert[] }>('GET', `/api/watch/alerts${status ? `?status=${status}` : ''}`),
  watchAlert: (id: string) => request<WatchAlert>('GET', `/api/watch/alerts/${encodeURIComponent(id)}`),
  watchDue: () => request<{ due: DueAlert[] }>('GET', '/api/watch/due'),
  watchReview: (id: string, body: { assessment: string; extend?: boolean }) => request<WatchAlert>('POST', `/api/watch/alerts/${encodeURIComponent(id)}/review`, body),
  watchRemove: (id: string, assessment: string) => request<WatchAlert>('POST', `/api/watch/alerts/${encodeURIComponent(id)}/remove`, { assessment }),
  watchApprove: (id: string, note: string, reject: boolean) => request<WatchAlert>('POST', `/api/watch/alerts/${encodeURIComponent(id)}/approve`, { note, reject }),
  watchHits: (status?: 'open' | HitDecision) => request<{ hits: HitReport[] }>('GET', `/api/watch/hits${status ? `?status=${status}` : ''}`),
  watchHit: (id: string) => request<HitReport>('GET', `/api/watch/hits/${encodeURIComponent(id)}`),
  watchDecide: (id: string, decision: HitDecision, note: string) => request<HitReport>('POST', `/api/watch/hits/${encodeURIComponent(id)}/decide`, { decision, note }),
};

export interface MapQuery {
  network?: boolean;
  from?: string;
  to?: string;
}

function mapParams(q: MapQuery): string {
  const params = new URLSearchParams();
  if (q.network) params.set('network', 'true');
  if (q.from) params.set('from', q.from);
  if (q.to) params.set('to', q.to);
  const s = params.toString();
  return s ? `?${s}` : '';
}

// ---- graph (/api/graph): link chart and timelines ----------------------------------------------

/** Which links a chart query follows: kinds, a time window, a minimum grading. */
export interface GraphFilterQuery {
  kinds?: readonly string[];
  from?: string;
  to?: string;
  grading?: string;
}

function graphParams(q: object): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q) as [string, unknown][]) {
    if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    params.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** The graph routes the link chart and the timeline view use. */
export const graphApi = {
  neighbours: (id: string, q: GraphFilterQuery & { hops?: number; maxNodes?: number }) => request<GraphSubgraph>('GET', `/api/graph/neighbours/${encodeURIComponent(id)}${graphParams(q)}`),
  path: (source: string, target: string, q: GraphFilterQuery & { maxLength?: number }) => request<GraphPath>('GET', `/api/graph/path${graphParams({ source, target, ...q })}`),
  measures: (ids: readonly string[]) => request<GraphMeasures>('POST', '/api/graph/measures', { ids }),
  evidence: (ids: readonly string[]) => request<GraphEvidence>('GET', `/api/graph/evidence${graphParams({ ids })}`),
  entityTimeline: (id: string) => request<GraphTimelineEvent[]>('GET', `/api/graph/timeline/${encodeURIComponent(id)}`),
  timeline: (q: { ids?: readonly string[]; scope?: 'entities' | 'case'; from?: string; to?: string; limit?: number }) => request<GraphTimelinePage>('GET', `/api/graph/timeline${graphParams(q)}`),
};

/** The request helper for capability modules that keep their own route functions (api/triage.ts). */
export { request as apiRequest };
