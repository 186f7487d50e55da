import type { ApiErrorBody, AuditVerification, CaseSummary, EntityProfile, Meta, SearchResult, SessionInfo, Stats } from './types';

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
  setContext: (purpose: string, caseId: string) => request<SessionInfo>('PUT', '/api/session/context', { purpose, caseId }),
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
};
