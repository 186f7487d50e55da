import { apiRequest as request } from './client';
import type { Grading, Handling } from './types';

/**
 * The federation routes (/api/federation) and their shapes, as the web app uses them. They mirror
 * the zod schemas of src/api/routes/federation.ts (FederationInbox, FederationRequest…).
 */
export interface FederationHit {
  id: string;
  role: 'asker' | 'holder';
  asker: string;
  holder: string;
  matchKind: 'name' | 'selector';
  pointerId?: string;
  psiSessionId?: string;
  selectorKind?: string;
  score?: number;
  purpose: string;
  caseId: string;
  createdAt: string;
  createdBy?: string;
  subject: { label: string; entityIds: string[]; alertId?: string };
  selectors?: string[];
}
export interface FederationWithheld {
  statementId: string;
  reason: string;
  message: string;
}
export interface FederationAnswer {
  at: string;
  outcome: 'released' | 'refused' | 'more-info-needed';
  by?: string;
  reason?: string;
  question?: string;
  statementIds: string[];
  withheld?: FederationWithheld[];
  refusedOnReceipt?: FederationWithheld[];
}
export type Urgency = 'urgent' | 'normal' | 'routine';
export interface FederationRequest {
  id: string;
  role: 'asker' | 'holder';
  hitId: string;
  asker: string;
  holder: string;
  purpose: string;
  caseId: string;
  urgency: Urgency;
  requestedAt: string;
  deadline: string;
  question: string;
  requestedBy?: string;
  status: 'open' | 'released' | 'refused' | 'more-info-needed';
  escalation: number;
  level: number;
  overdue: boolean;
  answers: FederationAnswer[];
}
export interface FederationStatement {
  id: string;
  entityId: string;
  schema: string;
  prop: string;
  value: string;
  source: { agency: string; documentId?: string; collectedAt: string };
  grading: Grading;
  handling: Handling;
  classification: string;
}
export interface FederationAnswerView extends FederationAnswer {
  requestId: string;
  hitId: string;
  holder: string;
  caseId: string;
  statements: FederationStatement[];
}
export interface DeconflictionNotice {
  id: string;
  status: 'pending-approval' | 'sent' | 'received' | 'declined';
  hitId: string;
  partner: string;
  agencies: string[];
  caseIds: string[];
  contact: { unit: string; channel: string };
  consent: 'holder-approved' | 'standing-agreement';
  reason: string;
  entityIds: string[];
  createdAt: string;
  decidedBy?: string;
}
export interface FederationInbox {
  agency: string;
  now: string;
  hits: { asked: FederationHit[]; held: FederationHit[] };
  requests: { outgoing: FederationRequest[]; incoming: FederationRequest[] };
  answers: FederationAnswerView[];
  deconfliction: DeconflictionNotice[];
}
export interface ReleaseResult {
  request: FederationRequest;
  released: string[];
  withheld: FederationWithheld[];
}

export const federationApi = {
  inbox: () => request<FederationInbox>('GET', '/api/federation/inbox'),
  request: (hitId: string, urgency: Urgency, question: string) => request<FederationRequest>('POST', '/api/federation/requests', { hitId, urgency, question }),
  answer: (id: string, statementIds: string[], grant: boolean) => request<ReleaseResult>('POST', `/api/federation/requests/${encodeURIComponent(id)}/answer`, { statementIds, ...(grant ? { grant } : {}) }),
  refuse: (id: string, reason: string) => request<FederationRequest>('POST', `/api/federation/requests/${encodeURIComponent(id)}/refuse`, { reason }),
  moreInfo: (id: string, question: string) => request<FederationRequest>('POST', `/api/federation/requests/${encodeURIComponent(id)}/more-info`, { question }),
  decide: (id: string, approve: boolean, note: string) => request<DeconflictionNotice>('POST', `/api/federation/deconfliction/${encodeURIComponent(id)}/decide`, { approve, note }),
};
