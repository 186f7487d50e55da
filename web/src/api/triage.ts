import { apiRequest as request } from './client';

/**
 * The triage routes (/api/triage) and their shapes, as the web app uses them. They mirror the zod
 * schemas of src/api/routes/triage.ts (TriageRanking, TriagePlan, TriageDecision…).
 */
export interface TriageContribution {
  signal: string;
  label: string;
  value: number;
  weight: number;
  logit: number;
  summary: string;
  evidence: string[];
}
export interface TriageSubject {
  rank: number;
  subject: string;
  label: string;
  entityIds: string[];
  risk: number;
  contributions: TriageContribution[];
  missing: { signal: string; reason: string }[];
  rose?: { from: number; decision: string };
}
export interface TriageSignalInfo {
  signal: string;
  label: string;
  weight: number;
  description: string;
}
export interface TriageWeights {
  agency: string;
  version: number;
  source: 'default' | 'agency';
  bias: number;
  weights: Record<string, number>;
  setBy?: string;
  setAt?: string;
  reason?: string;
  signals: TriageSignalInfo[];
}
export interface TriageResolution {
  source: 'none' | 'given' | 'resolution';
  clusters: number;
  records: number;
  warnings: string[];
}
export interface TriageRanking {
  asOf: string;
  agency: string;
  weights: TriageWeights;
  resolution: TriageResolution;
  notes: string[];
  lastDecision?: string;
  total: number;
  subjects: TriageSubject[];
}
export interface TriageMeasure {
  id: string;
  label: string;
  agents: number;
  coverage: number;
}
export interface TriageCapacity {
  teams: { id: string; agents: number }[];
  agentsPerTarget: number;
  partial: TriageMeasure[];
}
export interface TriageCapacityRecord extends TriageCapacity {
  agency: string;
  setBy: string;
  setAt: string;
  reason: string;
}
export interface TriageAssignment {
  subject: string;
  risk: number;
  measure: string;
  team: string;
  agents: number;
  coveredRisk: number;
}
export interface TriageCurvePoint {
  teams: number;
  agents: number;
  coveredRisk: number;
  chosen: boolean;
}
export interface TriagePlan {
  id: string;
  agency: string;
  caseId: string | null;
  createdBy: string;
  createdAt: string;
  asOf: string;
  weights: TriageWeights;
  capacity: TriageCapacity;
  ranking: TriageSubject[];
  rankingTotal: number;
  plan: {
    totalAgents: number;
    usedAgents: number;
    totalRisk: number;
    coveredRisk: number;
    assignments: TriageAssignment[];
    uncovered: { subject: string; risk: number }[];
    teams: { id: string; agents: number; used: number }[];
    marginal: { extraAgents: number; extraCoveredRisk: number }[];
    warnings: string[];
  };
  curve: TriageCurvePoint[];
  resolution?: TriageResolution;
  notes: string[];
  lastDecision?: string;
}
export interface TriageChange {
  subject: string;
  measure: string;
  team?: string;
}
export interface TriageDecision {
  id: string;
  planId: string;
  agency: string;
  decidedBy: string;
  decidedAt: string;
  action: 'accept' | 'change';
  reason: string;
  changes: TriageChange[];
  allocation: { subject: string; measure: string; team: string; agents: number; risk: number }[];
  risks: Record<string, number>;
  supersedes?: string;
}
export interface TriageEvidenceRef {
  statementId: string;
  entityId: string;
  schema: string;
  prop: string;
}

/** How many ranked rows the view asks for (the API says how many were ranked in all). */
export const TRIAGE_ROWS = 100;

export const triageApi = {
  rank: () => request<TriageRanking>('GET', `/api/triage/rank?limit=${TRIAGE_ROWS}`),
  evidence: (ids: readonly string[]) => request<{ evidence: TriageEvidenceRef[] }>('GET', `/api/triage/evidence?ids=${encodeURIComponent(ids.join(','))}`),
  weights: () => request<TriageWeights>('GET', '/api/triage/weights'),
  capacity: () => request<{ capacity: TriageCapacityRecord | null }>('GET', '/api/triage/capacity'),
  setCapacity: (capacity: TriageCapacity, reason: string) => request<TriageCapacityRecord>('PUT', '/api/triage/capacity', { capacity, reason }),
  plan: (capacity?: TriageCapacity) => request<TriagePlan>('POST', '/api/triage/plans', { limit: TRIAGE_ROWS, ...(capacity ? { capacity } : {}) }),
  decide: (body: { planId: string; action: 'accept' | 'change'; changes: TriageChange[]; reason: string; supersede?: boolean }) => request<TriageDecision>('POST', '/api/triage/decisions', body),
  decisions: () => request<{ decisions: TriageDecision[] }>('GET', '/api/triage/decisions?limit=20'),
  replay: (id: string) => request<{ decision: TriageDecision; shown: TriagePlan }>('GET', `/api/triage/decisions/${encodeURIComponent(id)}?limit=${TRIAGE_ROWS}`),
};
