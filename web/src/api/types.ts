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
  /** An oversight context: a purpose and no case (DPO, auditor); only oversight views open in it. */
  oversight: boolean;
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

// ---- map (/api/map) ---------------------------------------------------------------------------
export type MapFeatureKind = 'address' | 'place' | 'travel' | 'crossing' | 'encounter' | 'meeting' | 'co-location';
export interface MapSource {
  agency: string;
  documentId?: string;
  collectedAt: string;
  grading: Grading;
  handling: Handling;
  classification: string;
  nature: string;
}
export interface MapFeatureProperties {
  fid: string;
  kind: MapFeatureKind;
  label: string;
  subjects: { id: string; caption: string }[];
  time?: string;
  endTime?: string;
  mode?: string;
  precision: 'exact' | 'airport' | 'city';
  basis: string;
  refs: string[];
  sources: MapSource[];
  details: { label: string; value: string }[];
}
export interface MapFeature {
  type: 'Feature';
  id: string;
  geometry: { type: 'Point'; coordinates: [number, number] } | { type: 'LineString'; coordinates: [number, number][] };
  properties: MapFeatureProperties;
}
export interface MapData {
  type: 'FeatureCollection';
  scope: { kind: 'entity' | 'case'; id: string; network: boolean; from?: string; to?: string };
  features: MapFeature[];
  subjects: { id: string; schema: string; caption: string; role: 'subject' | 'network' | 'linked'; via?: string }[];
  bbox?: [number, number, number, number];
  counts: Record<MapFeatureKind, number>;
  unlocated: { ref: string; schema: string; reason: string }[];
  withheld?: Record<string, number>;
  truncated: boolean;
}

// ---- watchlists and hits (/api/watch) ---------------------------------------------------------
export type AlertStatus = 'active' | 'removal-pending' | 'delisted';
/** `escalated`: waiting in the agency supervisors' queue; only a supervisor decides it next. */
export type HitDecision = 'confirmed' | 'false-positive' | 'needs-info' | 'escalated';
export interface WatchAlert {
  id: string;
  agency: string;
  caseId: string;
  subject: { entityIds: string[]; names: string[]; birthDates: string[]; selectors: { kind: string; value: string }[] };
  threatLevel: string;
  reasons: string;
  grading: Grading;
  action: string;
  createdBy: string;
  createdAt: string;
  reviewBy: string;
  status: AlertStatus;
  delistedAt?: string;
  quietUntil?: string;
  removal?: { requestedBy: string; requestedAt: string; assessment: string };
  version: number;
  history: { at: string; by: string; kind: string; assessment?: string; changes?: Record<string, unknown> }[];
}
export interface DueAlert {
  alert: WatchAlert;
  daysLeft: number;
  overdue: boolean;
}
export interface HitReport {
  id: string;
  kind: 'hit' | 'notice';
  priority: 'high' | 'normal' | 'low';
  alertId: string;
  agency: string;
  caseId: string;
  threatLevel: string;
  recommendedAction: string;
  encountered: { ref: string; schema: string; what: string; where?: string; when?: string; by: string };
  score: number;
  matched: { field: string; recordValue: string; alertValue: string; score: number; how: string }[];
  explanation: string[];
  fingerprint: string;
  createdAt: string;
  status: 'open' | HitDecision;
  decisions: { at: string; by: string; decision: HitDecision; note: string }[];
}

// ---- graph (/api/graph): link chart and timelines ----------------------------------------------

export interface GraphNode {
  id: string;
  kind: string;
  label?: string;
  hops?: number;
}
export interface GraphEdge {
  source: string;
  target: string;
  kind: string;
  weight: number;
  count?: number;
  first?: string | number;
  last?: string | number;
  directed?: boolean;
  /** Statement ids (shared phones and handsets name the selector node first). */
  evidence: string[];
  /** Distinct EU 4x4 gradings of the statements behind the link. */
  gradings?: string[];
}
export interface GraphSubgraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  truncated: boolean;
  note?: string;
}
export interface GraphPath {
  found: boolean;
  paths: string[][];
  edges: GraphEdge[];
  hops: number;
  note?: string;
}
export interface GraphMeasures {
  algorithm: 'leiden' | 'louvain';
  modularity: number;
  communities: number;
  nodes: { id: string; community: number; communitySize: number; degree: number; betweenness: number }[];
  betweenness: { exact: boolean; note?: string; epsilon?: number };
}
export interface GraphEvidence {
  statements: { entityId: string; schema: string; prop: string; value: string; provenance: Provenance }[];
  selectors: string[];
  notShown: number;
}
export interface GraphTimelineEvent {
  time: string;
  end?: string;
  schema: string;
  entityId: string;
  dated: string;
  facts: Record<string, string[]>;
  /** Captions of the entities the facts name, where the user may see them. */
  labels?: Record<string, string>;
  sources: { agency: string; documentId?: string }[];
  provenance: Provenance[];
}
export interface GraphTimelinePage {
  events: GraphTimelineEvent[];
  total: number;
  truncated: boolean;
}
