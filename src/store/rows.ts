import anyAscii from 'any-ascii';
import type { AuditEntry } from '../model/index.js';
import { gradingCode, parseGrading, propertySpec, type Grading, type Handling, type Statement, type StatementId, type SchemaName } from '../model/index.js';
import type { StatementCore } from './store.js';

/** The flat row both dialects store for a statement. */
export interface StatementRow {
  id: string;
  entity_id: string;
  schema: string;
  prop: string;
  value: string;
  ref: string | null;
  fts: number;
  folded: string | null;
  original: string | null;
  agency: string;
  document_id: string | null;
  collected_at: string;
  grading: string;
  handling: string;
  classification: string;
  subject_category: string;
  nature: string;
  first_seen: string | null;
  last_seen: string | null;
  review_by: string | null;
  case_ids: string;
  recorded_at: string;
}

/** Meta key of the statements version (see Store.statementsVersion). */
export const STATEMENTS_VERSION = 'statements_version';

export const STATEMENT_COLUMNS = [
  'id',
  'entity_id',
  'schema',
  'prop',
  'value',
  'ref',
  'fts',
  'folded',
  'original',
  'agency',
  'document_id',
  'collected_at',
  'grading',
  'handling',
  'classification',
  'subject_category',
  'nature',
  'first_seen',
  'last_seen',
  'review_by',
  'case_ids',
  'recorded_at',
] as const;

const REF_TYPES = new Set(['entity', 'phone', 'imei', 'email', 'iban', 'identifier']);
/** Full-text kinds: 1 = name (also trigram-indexed on PostgreSQL), 2 = text. */
const FTS_KIND: Partial<Record<string, number>> = { name: 1, text: 2 };

/** Maps a statement to its stored row (ref and fts columns derived from the property type). */
export function statementToRow(s: Statement, recordedAt: string): StatementRow {
  const type = propertySpec(s.schema, s.prop)?.type;
  return {
    id: s.id,
    entity_id: s.entityId,
    schema: s.schema,
    prop: s.prop,
    value: s.value,
    ref: type && REF_TYPES.has(type) ? s.value : null,
    fts: (type && FTS_KIND[type]) ?? 0,
    folded: type && FTS_KIND[type] ? foldForSearch(s.value) : null,
    original: s.original ?? null,
    agency: s.source.agency,
    document_id: s.source.documentId ?? null,
    collected_at: s.source.collectedAt,
    grading: gradingCode(s.grading),
    handling: JSON.stringify(s.handling),
    classification: s.classification,
    subject_category: s.subjectCategory,
    nature: s.nature,
    first_seen: s.firstSeen ?? null,
    last_seen: s.lastSeen ?? null,
    review_by: s.reviewBy ?? null,
    case_ids: JSON.stringify(s.caseIds),
    recorded_at: s.recordedAt ?? recordedAt,
  };
}

/** The columns that vary per statement: the first nine of STATEMENT_COLUMNS. */
export const STATEMENT_OWN_COLUMNS = STATEMENT_COLUMNS.slice(0, 9);
/** The provenance columns, shared by every statement of one source write: the other thirteen. */
export const STATEMENT_ENVELOPE_COLUMNS = STATEMENT_COLUMNS.slice(9);

// Property types by schema and property: two Map lookups instead of the registry's object walk, per statement written.
const propertyTypes = new Map<string, Map<string, string | undefined>>();
function propertyType(schema: SchemaName, prop: string): string | undefined {
  let bySchema = propertyTypes.get(schema);
  if (!bySchema) propertyTypes.set(schema, (bySchema = new Map()));
  let type = bySchema.get(prop);
  if (type === undefined && !bySchema.has(prop)) {
    type = propertySpec(schema, prop)?.type;
    bySchema.set(prop, type);
  }
  return type;
}

/** A statement's own column values, in STATEMENT_OWN_COLUMNS order. */
export function statementOwnValues(s: Statement): unknown[] {
  const type = propertyType(s.schema, s.prop);
  const fts = type === undefined ? 0 : (FTS_KIND[type] ?? 0);
  return [s.id, s.entityId, s.schema, s.prop, s.value, type !== undefined && REF_TYPES.has(type) ? s.value : null, fts, fts > 0 ? foldForSearch(s.value) : null, s.original ?? null];
}

/** A statement's provenance column values, in STATEMENT_ENVELOPE_COLUMNS order. */
export function statementEnvelopeValues(s: Statement, recordedAt: string): unknown[] {
  return [
    s.source.agency,
    s.source.documentId ?? null,
    s.source.collectedAt,
    gradingCode(s.grading),
    JSON.stringify(s.handling),
    s.classification,
    s.subjectCategory,
    s.nature,
    s.firstSeen ?? null,
    s.lastSeen ?? null,
    s.reviewBy ?? null,
    JSON.stringify(s.caseIds),
    s.recordedAt ?? recordedAt,
  ];
}

/**
 * True when two statements carry the same provenance objects (the statements of one ingest share
 * them): their envelope values are then equal without computing them.
 */
export function sameEnvelope(a: Statement, b: Statement): boolean {
  return (
    a.source === b.source &&
    a.grading === b.grading &&
    a.handling === b.handling &&
    a.caseIds === b.caseIds &&
    a.classification === b.classification &&
    a.subjectCategory === b.subjectCategory &&
    a.nature === b.nature &&
    a.firstSeen === b.firstSeen &&
    a.lastSeen === b.lastSeen &&
    a.reviewBy === b.reviewBy &&
    a.recordedAt === b.recordedAt
  );
}

/** The row's values in STATEMENT_COLUMNS order (for positional binding). */
export function rowValues(r: StatementRow): unknown[] {
  return [
    r.id,
    r.entity_id,
    r.schema,
    r.prop,
    r.value,
    r.ref,
    r.fts,
    r.folded,
    r.original,
    r.agency,
    r.document_id,
    r.collected_at,
    r.grading,
    r.handling,
    r.classification,
    r.subject_category,
    r.nature,
    r.first_seen,
    r.last_seen,
    r.review_by,
    r.case_ids,
    r.recorded_at,
  ];
}

const gradingCache = new Map<string, Grading>();

/** Maps a stored row back to a statement. */
export function rowToStatement(r: StatementRow): Statement {
  let grading = gradingCache.get(r.grading);
  if (!grading) {
    grading = parseGrading(r.grading);
    if (!grading) throw new Error(`stored statement ${r.id} has an unreadable grading "${r.grading}"`);
    gradingCache.set(r.grading, grading);
  }
  const s: Statement = {
    id: r.id as StatementId,
    entityId: r.entity_id as Statement['entityId'],
    schema: r.schema as SchemaName,
    prop: r.prop,
    value: r.value,
    source: {
      agency: r.agency as Statement['source']['agency'],
      ...(r.document_id === null ? {} : { documentId: r.document_id }),
      collectedAt: toIso(r.collected_at),
    },
    grading,
    handling: JSON.parse(r.handling) as Handling,
    classification: r.classification,
    subjectCategory: r.subject_category as Statement['subjectCategory'],
    nature: r.nature as Statement['nature'],
    caseIds: JSON.parse(r.case_ids) as Statement['caseIds'],
    recordedAt: toIso(r.recorded_at),
  };
  if (r.original !== null) s.original = r.original;
  if (r.first_seen !== null) s.firstSeen = r.first_seen;
  if (r.last_seen !== null) s.lastSeen = r.last_seen;
  if (r.review_by !== null) s.reviewBy = r.review_by;
  return s;
}

/**
 * The columns a statement is read back from, in the order `statementFromValues` expects: the
 * derived search columns (ref, fts, folded) are left out of scans.
 */
export const STATEMENT_READ_COLUMNS = [
  'id',
  'entity_id',
  'schema',
  'prop',
  'value',
  'original',
  'agency',
  'document_id',
  'collected_at',
  'grading',
  'handling',
  'classification',
  'subject_category',
  'nature',
  'first_seen',
  'last_seen',
  'review_by',
  'case_ids',
  'recorded_at',
] as const;

// Handling and case lists repeat across millions of statements: each distinct stored text is parsed
// once and shared, frozen so that no reader can change another's copy.
const handlingCache = new Map<string, Handling>();
const caseIdsCache = new Map<string, Statement['caseIds']>();
const CACHE_LIMIT = 10_000;

function cachedJson<T>(cache: Map<string, T>, text: string): T {
  let v = cache.get(text);
  if (v === undefined) {
    v = deepFreeze(JSON.parse(text) as T);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(text, v);
  }
  return v;
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/**
 * Maps a row read as an array (better-sqlite3 raw mode: far fewer allocations than row objects on
 * full scans) to a statement; `values[at]` is the first of STATEMENT_READ_COLUMNS.
 */
export function statementFromValues(values: readonly unknown[], at = 0): Statement {
  const id = values[at] as string;
  const gradingText = values[at + 9] as string;
  let grading = gradingCache.get(gradingText);
  if (!grading) {
    grading = parseGrading(gradingText);
    if (!grading) throw new Error(`stored statement ${id} has an unreadable grading "${gradingText}"`);
    gradingCache.set(gradingText, grading);
  }
  const documentId = values[at + 7] as string | null;
  const s: Statement = {
    id: id as StatementId,
    entityId: values[at + 1] as Statement['entityId'],
    schema: values[at + 2] as SchemaName,
    prop: values[at + 3] as string,
    value: values[at + 4] as string,
    source: {
      agency: values[at + 6] as Statement['source']['agency'],
      ...(documentId === null ? {} : { documentId }),
      collectedAt: values[at + 8] as string,
    },
    grading,
    handling: cachedJson(handlingCache, values[at + 10] as string),
    classification: values[at + 11] as string,
    subjectCategory: values[at + 12] as Statement['subjectCategory'],
    nature: values[at + 13] as Statement['nature'],
    caseIds: cachedJson(caseIdsCache, values[at + 17] as string),
    recordedAt: values[at + 18] as string,
  };
  const original = values[at + 5] as string | null;
  const firstSeen = values[at + 14] as string | null;
  const lastSeen = values[at + 15] as string | null;
  const reviewBy = values[at + 16] as string | null;
  if (original !== null) s.original = original;
  if (firstSeen !== null) s.firstSeen = firstSeen;
  if (lastSeen !== null) s.lastSeen = lastSeen;
  if (reviewBy !== null) s.reviewBy = reviewBy;
  return s;
}

/** The columns a statement core is read from, in the order `statementCoreFromValues` expects. */
export const STATEMENT_CORE_COLUMNS = ['id', 'entity_id', 'schema', 'prop', 'value', 'agency', 'grading', 'handling', 'classification', 'case_ids'] as const;

/** Maps a row of STATEMENT_CORE_COLUMNS (from `values[at]` on) to a statement core. */
export function statementCoreFromValues(values: readonly unknown[], at = 0): StatementCore {
  const gradingText = values[at + 6] as string;
  let grading = gradingCache.get(gradingText);
  if (!grading) {
    grading = parseGrading(gradingText);
    if (!grading) throw new Error(`stored statement ${String(values[at])} has an unreadable grading "${gradingText}"`);
    gradingCache.set(gradingText, grading);
  }
  return {
    id: values[at] as StatementId,
    entityId: values[at + 1] as Statement['entityId'],
    schema: values[at + 2] as SchemaName,
    prop: values[at + 3] as string,
    value: values[at + 4] as string,
    source: { agency: values[at + 5] as Statement['source']['agency'] },
    grading,
    handling: cachedJson(handlingCache, values[at + 7] as string),
    classification: values[at + 8] as string,
    caseIds: cachedJson(caseIdsCache, values[at + 9] as string),
  };
}

function toIso(v: string | Date): string {
  return v instanceof Date ? v.toISOString() : v;
}

/**
 * The text both dialects index for full-text search: lower case, diacritics removed, plus an ASCII
 * transliteration (any-ascii) so that "Мухаммад" and "محمد" are found by Latin queries too.
 */
export function foldForSearch(value: string): string {
  const lower = value.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
  const ascii = anyAscii(value).toLowerCase();
  return ascii === lower ? lower : `${lower} ${ascii}`;
}

/** Turns free text into safe full-text terms: folded ASCII words, each used as a prefix. */
export function searchTerms(query: string): string[] {
  return (anyAscii(query.normalize('NFKC')).toLowerCase().match(/[a-z0-9]+/g) ?? []).slice(0, 12);
}

/** Collection and key names are identifiers chosen by code, never by users; check them anyway. */
export function checkName(kind: string, name: string): void {
  if (!/^[a-z][a-z0-9_.-]{0,63}$/.test(name)) throw new Error(`invalid ${kind} name "${name}"`);
}

/** Flattens record index keys into (name, value) pairs. */
export function keyPairs(keys: Readonly<Record<string, string | readonly string[] | undefined>> | undefined): [string, string][] {
  const out: [string, string][] = [];
  for (const [name, v] of Object.entries(keys ?? {})) {
    if (v === undefined) continue;
    checkName('record key', name);
    for (const value of typeof v === 'string' ? [v] : v) out.push([name, value]);
  }
  return out;
}

/** The audit_log row as both dialects store it (PostgreSQL returns BIGINT seq as a string). */
export interface AuditRow {
  seq: number | string;
  at: string;
  user_id: string;
  agency: string;
  purpose: string;
  case_id: string | null;
  action: string;
  outcome: string;
  entity_ids: string;
  details: string;
  prev_hash: string;
  hash: string;
}

/** Maps an audit_log row to an entry (no verification: `verifyAuditEntries` does that). */
export function auditFromRow(r: AuditRow): AuditEntry {
  return {
    seq: Number(r.seq),
    at: r.at,
    userId: r.user_id,
    agency: r.agency,
    purpose: r.purpose,
    caseId: r.case_id,
    action: r.action,
    outcome: r.outcome as AuditEntry['outcome'],
    entityIds: JSON.parse(r.entity_ids) as string[],
    details: JSON.parse(r.details) as Record<string, unknown>,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}
