import { z } from 'zod';
import { invalid } from './errors.js';
import { Grading } from './grading.js';
import { Classification, Handling, Nature, SubjectCategory } from './handling.js';
import { AgencyId, CaseId, EntityId, statementId, type StatementId } from './ids.js';
import { isSchemaName, propertySpec, schemaSpec, SCHEMA_NAMES, type SchemaName } from './schemas.js';
import { checkValue, parsePartialDate } from './values.js';

const isoDateTime = z.iso.datetime({ offset: true });
const partialOrFull = z.string().refine((v) => parsePartialDate(v) !== undefined || !Number.isNaN(Date.parse(v)), 'a date (YYYY[-MM[-DD]]) or ISO date-time');

/** Where a statement comes from. */
export const Source = z.object({
  agency: AgencyId,
  /** The source document, file or report the statement was taken from. */
  documentId: z.string().min(1).max(200).optional(),
  /** When the originating agency collected it. */
  collectedAt: isoDateTime,
});
export type Source = z.infer<typeof Source>;

/**
 * A statement as submitted by a writer (ingest, analyst, federation). Validation turns it into a
 * `Statement`: value canonicalised for its property type, id computed from content.
 */
export const StatementInput = z.object({
  entityId: EntityId,
  schema: z.enum(SCHEMA_NAMES),
  prop: z.string().min(1).max(64),
  value: z.string(),
  original: z.string().max(1_000_000).optional(),
  source: Source,
  grading: Grading,
  handling: Handling,
  classification: Classification.default('UNCLASSIFIED'),
  subjectCategory: SubjectCategory.default('other'),
  nature: Nature.default('fact'),
  firstSeen: partialOrFull.optional(),
  lastSeen: partialOrFull.optional(),
  reviewBy: z.iso.date().optional(),
  caseIds: z.array(CaseId).max(50).default([]),
});
export type StatementInput = z.input<typeof StatementInput>;

export const Statement = StatementInput.extend({
  id: z.string().regex(/^[0-9a-f]{40}$/),
  /** When this node recorded the statement (set by the store). */
  recordedAt: isoDateTime.optional(),
});
export type Statement = Omit<z.infer<typeof Statement>, 'id' | 'schema'> & { id: StatementId; schema: SchemaName };

function describeIssue(issue: z.core.$ZodIssue): { field: string; message: string } {
  return { field: issue.path.map(String).join('.') || '(statement)', message: issue.message };
}

/**
 * Validates one statement: envelope (zod), property known for the schema, value valid for the
 * property's type (canonicalised). Throws a VALIDATION TesseraError naming the record and field.
 * @param record how to name the record in errors (e.g. `subjects.csv line 12`); defaults to the entity id
 */
export function validateStatement(input: unknown, record?: string): Statement {
  const parsed = StatementInput.safeParse(input);
  const rec = record ?? (typeof input === 'object' && input !== null && 'entityId' in input ? String((input as { entityId: unknown }).entityId) : undefined);
  if (!parsed.success) {
    const first = describeIssue(parsed.error.issues[0]!);
    throw invalid(first.message, rec, first.field, { issues: parsed.error.issues.map(describeIssue) });
  }
  const s = parsed.data;
  if (!isSchemaName(s.schema)) throw invalid(`unknown schema "${s.schema}"`, rec, 'schema');
  const spec = propertySpec(s.schema, s.prop);
  if (!spec) {
    throw invalid(`schema ${s.schema} has no property "${s.prop}" (known: ${Object.keys(schemaSpec(s.schema).properties).join(', ')})`, rec, 'prop');
  }
  const checked = checkValue(spec.type, s.value, spec.members);
  if (!checked.ok) throw invalid(checked.reason, rec, s.prop);
  if (s.firstSeen && s.lastSeen && s.firstSeen.slice(0, 10) > s.lastSeen.slice(0, 10)) {
    throw invalid(`firstSeen ${s.firstSeen} is after lastSeen ${s.lastSeen}`, rec, 'firstSeen');
  }
  const value = checked.value;
  const id = statementId({ entityId: s.entityId, prop: s.prop, value, agency: s.source.agency, documentId: s.source.documentId, nature: s.nature });
  const out: Statement = {
    ...s,
    schema: s.schema,
    id,
    value,
    ...(s.original === undefined && value !== s.value ? { original: s.value } : {}),
  };
  return out;
}

/** Validates a batch; the first invalid statement throws (the caller writes nothing of the batch). */
export function validateStatements(inputs: readonly unknown[], recordOf?: (i: number) => string): Statement[] {
  return inputs.map((s, i) => validateStatement(s, recordOf?.(i)));
}
