import type { AuditChainStatus, AuditFilter, AuditPage, DossierFile, DossierFormat, DpoReport } from '../api/oversight';

/** The audit viewer: filters, the page shown (newest first), older pages by sequence number, the chain state. */
export interface AuditViewState {
  filter: AuditFilter;
  page: AuditPage | undefined;
  /** `before` of each page shown so far (the first is undefined: the newest page). */
  trail: (number | undefined)[];
  chain: AuditChainStatus | undefined;
  /** An entry opened to show its details and hashes. */
  openSeq: number | undefined;
  loading: boolean;
  checking: boolean;
  error: string | undefined;
}

/** The DPO report for a time window. */
export interface DpoState {
  from: string;
  to: string;
  report: DpoReport | undefined;
  loading: boolean;
  error: string | undefined;
}

/** What a dossier is about: a subject (entity) or the session's case. */
export interface DossierTarget {
  subject?: string;
  caseId?: string;
  /** Shown in the dialog: the subject's caption or the case name. */
  label: string;
}

/** The "Export dossier" dialog and the last export made from it. */
export interface DossierState {
  target: DossierTarget | undefined;
  recipient: string;
  clearance: string;
  format: DossierFormat;
  name: string;
  busy: boolean;
  error: string | undefined;
  last: (Omit<DossierFile, 'blob'> & { recipient: string; label: string }) | undefined;
}

export const initialAuditFilter: AuditFilter = { user: '', action: '', purpose: '', case: '', outcome: '', from: '', to: '' };
export const initialAuditView: AuditViewState = { filter: initialAuditFilter, page: undefined, trail: [undefined], chain: undefined, openSeq: undefined, loading: false, checking: false, error: undefined };
export const initialDpo: DpoState = { from: '', to: '', report: undefined, loading: false, error: undefined };
export const initialDossier: DossierState = { target: undefined, recipient: '', clearance: '', format: 'pdf', name: '', busy: false, error: undefined, last: undefined };
