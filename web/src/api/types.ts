/**
 * Shapes of the Tessera API as the web app uses them. They mirror the zod schemas of src/api
 * (see docs/openapi.json); the API test that checks the committed document keeps both honest.
 */
export interface Grading {
  system: 'EU4x4' | 'ADMIRALTY';
  source: string;
  info: string;
}
export interface Handling {
  codes: string[];
  conditions?: string;
  releasableTo: string[];
}
export interface Provenance {
  statementId: string;
  agency: string;
  documentId?: string;
  collectedAt: string;
  grading: Grading;
  handling: Handling;
  classification: string;
  subjectCategory: string;
  nature: string;
  original?: string;
  firstSeen?: string;
  lastSeen?: string;
  caseIds: string[];
}
export interface PropertyValue {
  value: string;
  provenance: Provenance[];
}
export interface Entity {
  id: string;
  schema: string;
  caption: string;
  properties: Record<string, PropertyValue[]>;
  agencies: string[];
  conflicts: string[];
  statementCount: number;
  firstSeen?: string;
  lastSeen?: string;
}
export type Withheld = Record<'classification' | 'releasability' | 'case-compartment', number>;
export interface EntityRef {
  id: string;
  schema: string;
  caption: string;
}
export interface Link {
  linkId: string;
  schema: string;
  role: string;
  others: EntityRef[];
  startDate?: string;
  endDate?: string;
  agencies: string[];
}
export interface EntityProfile {
  entity: Entity | null;
  withheld: Withheld;
  links: Link[];
}
export interface SearchResult {
  entityId: string;
  schema: string;
  caption: string;
  matched: { prop: string; value: string }[];
  agencies: string[];
  firstSeen?: string;
  lastSeen?: string;
  match: 'text' | 'fuzzy';
  score: number;
}
export interface SessionInfo {
  user: { id: string; name: string; agency: string; roles: string[]; clearance: string };
  purpose: string | null;
  caseId: string | null;
  caseName: string | null;
  csrfToken: string;
  expiresAt: string;
}
export interface CaseSummary {
  id: string;
  name: string;
  agency: string;
  legalBasis: string;
  methods: string[];
  status: string;
}
export interface Meta {
  schemas: { name: string; label: string; kind: 'entity' | 'link' }[];
  agencies: { id: string; name: string; country: string }[];
  classifications: string[];
}
export interface ApiErrorBody {
  code: string;
  message: string;
  field?: string;
  requestId?: string;
}
export interface Stats {
  statements: number;
  entities: number;
  bySchema: Record<string, number>;
  byAgency: Record<string, number>;
}
export interface AuditVerification {
  intact: boolean;
  entries: number;
  problems: { seq: number; kind: 'edited' | 'missing' | 'reordered' | 'link-broken'; message: string }[];
}
