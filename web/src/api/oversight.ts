import { ApiError, apiRequest } from './client';
import type { ApiErrorBody } from './types';

/** Shapes of the audit viewer, DPO report and dossier routes (docs/openapi.json: AuditPage, AuditChainStatus, DpoReport, DossierExport). */
export interface AuditEntry {
  seq: number;
  at: string;
  userId: string;
  agency: string;
  purpose: string;
  caseId: string | null;
  action: string;
  outcome: 'allowed' | 'refused' | 'error';
  entityIds: string[];
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}
export interface AuditPage {
  entries: AuditEntry[];
  matched: number;
  nextBeforeSeq: number | null;
  facets: { actions: string[]; users: string[]; cases: string[] };
}
export interface AuditChainStatus {
  intact: boolean;
  entries: number;
  checkpoints: number;
  latestCheckpoint: { seq: number; at: string; keyId: string } | null;
  problems: { seq: number; kind: string; message: string }[];
}
export interface AuditFilter {
  user: string;
  action: string;
  purpose: string;
  case: string;
  outcome: string;
  from: string;
  to: string;
}
export interface DpoReport {
  window: { from: string; to: string };
  generatedAt: string;
  queries: { userId: string; agency: string; purpose: string; caseId: string | null; queries: number; subjects: number }[];
  unusualAccess: { userId: string; agency: string; subjects: number; peerMedian: number; robustZ: number; peers: number }[];
  refusals: { userId: string; agency: string; kind: string; action: string; count: number; lastReason: string; last: string }[];
  outsideCases: { seq: number; at: string; userId: string; caseId: string | null; reason: string }[];
  bulkExportAttempts: { seq: number; at: string; userId: string; action: string; reason: string }[];
  expiredReviews: { entityId: string; ruleId: string; dueSince: string; overdue: boolean }[];
  pastRetention: { depersonalisePending: number; deletePending: number; held: Record<string, unknown>[]; skipped: Record<string, unknown>[] };
  disclosures: { recipient: string; country: string; crossBorder: boolean; disclosures: number; subjects: number; last: string }[];
  auditChain: { entries: number; problems: { seq: number; kind: string; message: string }[]; latestCheckpoint: Record<string, unknown> | null };
  limits: { subjectsPerDay: number; exportSubjectsPerDay: number; exportsPerDay: number };
  limitsConfigured: boolean;
}
export type DossierFormat = 'html' | 'pdf';
export interface DossierRequest {
  subject?: string;
  caseId?: string;
  recipient: string;
  clearance: string;
  format: DossierFormat;
  name?: string;
}
export type WithheldReason = 'classification' | 'releasability' | 'H2' | 'H3';
/** A downloaded dossier: the file and what the server withheld from it (counts per reason). */
export interface DossierFile {
  blob: Blob;
  fileName: string;
  withheld: Record<WithheldReason, number> & { total: number };
  released: number;
  disclosure: number;
}

function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The oversight routes: audit viewer (DPO, auditor), chain state, DPO report (DPO), dossier export. */
export const oversightApi = {
  auditEntries: (f: Partial<AuditFilter>, page: { before?: number; limit?: number } = {}) => apiRequest<AuditPage>('GET', `/api/audit/entries${query({ ...f, before: page.before, limit: page.limit ?? 50 })}`),
  auditChain: () => apiRequest<AuditChainStatus>('GET', '/api/audit/chain'),
  dpoReport: (from?: string, to?: string) => apiRequest<DpoReport>('GET', `/api/dpo/report${query({ from, to })}`),
  /** POSTs the export and returns the file; the CSRF token comes from the session. */
  exportDossier: async (req: DossierRequest, csrfToken: string): Promise<DossierFile> => {
    const res = await fetch('/api/dossiers', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken },
      body: JSON.stringify(req),
    });
    if (!res.ok) {
      const e = (await res.json().catch(() => ({}))) as Partial<ApiErrorBody>;
      throw new ApiError(res.status, e.code ?? 'INTERNAL', e.message ?? `export failed (${res.status})`, e.field);
    }
    const fileName = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? `dossier.${req.format}`;
    return {
      blob: await res.blob(),
      fileName,
      withheld: JSON.parse(res.headers.get('x-tessera-withheld') ?? '{}') as DossierFile['withheld'],
      released: Number(res.headers.get('x-tessera-released') ?? 0),
      disclosure: Number(res.headers.get('x-tessera-disclosure') ?? 0),
    };
  },
};
