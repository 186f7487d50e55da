import type { Grading } from './grading.js';
import type { Classification, Handling, Nature, SubjectCategory } from './handling.js';
import type { EntityId, StatementId } from './ids.js';
import { schemaSpec, type SchemaName } from './schemas.js';
import type { Statement } from './statement.js';

/** The provenance of one value: which agency said it, how graded, under which handling. */
export interface Provenance {
  readonly statementId: StatementId;
  readonly agency: string;
  readonly documentId?: string | undefined;
  readonly collectedAt: string;
  readonly grading: Grading;
  readonly handling: Handling;
  readonly classification: Classification;
  readonly subjectCategory: SubjectCategory;
  readonly nature: Nature;
  readonly original?: string | undefined;
  readonly firstSeen?: string | undefined;
  readonly lastSeen?: string | undefined;
  readonly caseIds: readonly string[];
}

/** One distinct value of a property and every statement that supports it. */
export interface PropertyValue {
  readonly value: string;
  readonly provenance: readonly Provenance[];
}

/**
 * An entity assembled from its statements. Values are never merged away: distinct values stand
 * side by side, each with its provenance; `conflicts` lists properties where agencies disagree.
 */
export interface Entity {
  readonly id: EntityId;
  readonly schema: SchemaName;
  readonly caption: string;
  readonly properties: Readonly<Record<string, readonly PropertyValue[]>>;
  readonly agencies: readonly string[];
  readonly conflicts: readonly string[];
  readonly statementCount: number;
  readonly firstSeen?: string | undefined;
  readonly lastSeen?: string | undefined;
}

// Properties that hold one true value; several distinct values are a conflict worth showing.
const SINGLE_VALUED = new Set(['birthDate', 'deathDate', 'gender', 'imei', 'number', 'iban', 'serialNumber', 'registrationNumber', 'date', 'departure']);

function provenanceOf(s: Statement): Provenance {
  return {
    statementId: s.id,
    agency: s.source.agency,
    documentId: s.source.documentId,
    collectedAt: s.source.collectedAt,
    grading: s.grading,
    handling: s.handling,
    classification: s.classification,
    subjectCategory: s.subjectCategory,
    nature: s.nature,
    original: s.original,
    firstSeen: s.firstSeen,
    lastSeen: s.lastSeen,
    caseIds: s.caseIds,
  };
}

/** Assembles an entity from statements about one entity id (returns undefined for none). */
export function assembleEntity(statements: readonly Statement[]): Entity | undefined {
  const first = statements[0];
  if (!first) return undefined;
  // Schema: the one most statements agree on (ties: first seen).
  const schemaVotes = new Map<SchemaName, number>();
  for (const s of statements) schemaVotes.set(s.schema, (schemaVotes.get(s.schema) ?? 0) + 1);
  const schema = [...schemaVotes.entries()].sort((a, b) => b[1] - a[1])[0]![0];
  const byProp = new Map<string, Map<string, Provenance[]>>();
  const agencies = new Set<string>();
  let firstSeen: string | undefined;
  let lastSeen: string | undefined;
  for (const s of statements) {
    agencies.add(s.source.agency);
    let values = byProp.get(s.prop);
    if (!values) byProp.set(s.prop, (values = new Map()));
    const list = values.get(s.value);
    if (list) list.push(provenanceOf(s));
    else values.set(s.value, [provenanceOf(s)]);
    if (s.firstSeen && (!firstSeen || s.firstSeen < firstSeen)) firstSeen = s.firstSeen;
    if (s.lastSeen && (!lastSeen || s.lastSeen > lastSeen)) lastSeen = s.lastSeen;
  }
  const properties: Record<string, PropertyValue[]> = {};
  const conflicts: string[] = [];
  for (const [prop, values] of byProp) {
    // Most-supported value first, so the caption and the UI lead with the best-attested reading.
    properties[prop] = [...values.entries()].map(([value, provenance]) => ({ value, provenance })).sort((a, b) => b.provenance.length - a.provenance.length || a.value.localeCompare(b.value));
    if (values.size > 1 && SINGLE_VALUED.has(prop)) conflicts.push(prop);
  }
  const spec = schemaSpec(schema);
  const captionProp = spec.caption.find((p) => properties[p]?.length);
  const caption = captionProp ? properties[captionProp]![0]!.value : first.entityId;
  return {
    id: first.entityId,
    schema,
    caption,
    properties,
    agencies: [...agencies].sort(),
    conflicts: conflicts.sort(),
    statementCount: statements.length,
    firstSeen,
    lastSeen,
  };
}

/** All distinct values of a property (most-supported first). */
export function values(entity: Entity, prop: string): string[] {
  return (entity.properties[prop] ?? []).map((v) => v.value);
}

/** The most-supported value of a property. */
export function firstValue(entity: Entity, prop: string): string | undefined {
  return entity.properties[prop]?.[0]?.value;
}
