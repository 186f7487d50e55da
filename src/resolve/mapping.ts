import { z } from 'zod';
import { SCHEMA_NAMES, invalid, isProtected, parsePartialDate, propertySpec, scoringView, type SchemaName } from '../model/index.js';
import type { FieldKind, FieldSpec, ResolveRecord } from './fs/index.js';

/** Date layouts a mapping may declare for a column. */
export const DATE_FORMATS = ['YYYY-MM-DD', 'YYYYMMDD', 'DD/MM/YYYY', 'MM/DD/YYYY', 'DD.MM.YYYY', 'DD-MM-YYYY', 'YYYY'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

const ADDRESS_PARTS: Readonly<Record<string, FieldKind>> = {
  number: 'exact',
  street: 'text',
  locality: 'text',
  city: 'text',
  postcode: 'postcode',
  region: 'exact',
  country: 'exact',
};

const ColumnTarget = z.union([
  z.string().min(1),
  z.object({
    property: z.string().min(1),
    format: z.enum(DATE_FORMATS).optional(),
    kind: z.enum(['name', 'date', 'identifier', 'phone', 'postcode', 'text', 'exact']).optional(),
  }),
]);

/**
 * A CSV-to-Person mapping: which column is the id, and which columns feed which properties. When two
 * files with different layouts are linked, `file2` gives the second file's id and columns.
 */
export const MatchMapping = z.object({
  schema: z.enum(SCHEMA_NAMES).default('Person'),
  id: z.string().min(1),
  columns: z.record(z.string(), ColumnTarget),
  file2: z.object({ id: z.string().min(1), columns: z.record(z.string(), ColumnTarget) }).optional(),
});
export type MatchMapping = z.infer<typeof MatchMapping>;

interface Column {
  readonly column: string;
  readonly field: string;
  readonly kind: FieldKind;
  readonly format: DateFormat | undefined;
}

function kindOf(schema: SchemaName, property: string): FieldKind {
  const [prop = property, part] = property.split('.');
  const spec = propertySpec(schema, prop);
  if (!spec) throw invalid(`"${prop}" is not a property of ${schema}`, undefined, property);
  if (spec.protected || isProtected(schema, prop)) throw invalid(`"${prop}" is a protected characteristic and may not be used for matching (LED 2016/680 Art. 11(3))`, undefined, property);
  if (part !== undefined) {
    const k = ADDRESS_PARTS[part];
    if (prop !== 'address' || !k) throw invalid(`"${property}": only address parts (${Object.keys(ADDRESS_PARTS).join(', ')}) can be addressed with a dot`, undefined, property);
    return k;
  }
  switch (spec.type) {
    case 'name':
      return 'name';
    case 'date':
    case 'datetime':
      return 'date';
    case 'identifier':
    case 'email':
      return 'identifier';
    case 'phone':
      return 'phone';
    case 'text':
      return 'text';
    default:
      return 'exact';
  }
}

/** Validates a parsed mapping document (JSON or YAML) and returns it with its field specs. */
export function parseMapping(doc: unknown): { mapping: MatchMapping; specs: FieldSpec[] } {
  const r = MatchMapping.safeParse(doc);
  if (!r.success) {
    const i = r.error.issues[0];
    throw invalid(`mapping: ${i?.message ?? 'invalid'} at ${i?.path.join('.') || '(root)'}`, undefined, 'mapping');
  }
  const mapping = r.data;
  const specs = new Map<string, FieldSpec>();
  for (const [column, target] of [...Object.entries(mapping.columns), ...Object.entries(mapping.file2?.columns ?? {})]) {
    const property = typeof target === 'string' ? target : target.property;
    const kind = typeof target === 'string' ? kindOf(mapping.schema, property) : (target.kind ?? kindOf(mapping.schema, property));
    const prev = specs.get(property);
    if (prev && prev.kind !== kind) throw invalid(`columns mapped to "${property}" disagree on its kind`, undefined, column);
    specs.set(property, { name: property, kind });
  }
  if (specs.size === 0) throw invalid('mapping has no comparable column: map at least one column to a property', undefined, 'columns');
  return { mapping, specs: [...specs.values()] };
}

function columnsOf(columns: MatchMapping['columns'], specs: readonly FieldSpec[]): Column[] {
  const kinds = new Map(specs.map((s) => [s.name, s.kind]));
  return Object.entries(columns).map(([column, target]) => {
    const field = typeof target === 'string' ? target : target.property;
    return { column, field, kind: kinds.get(field) ?? 'exact', format: typeof target === 'string' ? undefined : target.format };
  });
}

/** Rewrites a date in a declared layout as ISO (YYYY-MM-DD); undefined when it does not fit the layout or the calendar. */
export function dateFromFormat(value: string, format: DateFormat): string | undefined {
  const iso = layoutToIso(value, format);
  return iso !== undefined && parsePartialDate(iso) ? iso : undefined;
}

function layoutToIso(value: string, format: DateFormat): string | undefined {
  const v = value.trim();
  const m = (re: RegExp): RegExpExecArray | null => re.exec(v);
  let r: RegExpExecArray | null;
  switch (format) {
    case 'YYYY-MM-DD':
      r = m(/^(\d{4})-(\d{1,2})-(\d{1,2})$/);
      return r ? `${r[1]}-${r[2]?.padStart(2, '0')}-${r[3]?.padStart(2, '0')}` : undefined;
    case 'YYYYMMDD':
      r = m(/^(\d{4})(\d{2})(\d{2})$/);
      return r ? `${r[1]}-${r[2]}-${r[3]}` : undefined;
    case 'DD/MM/YYYY':
    case 'DD.MM.YYYY':
    case 'DD-MM-YYYY':
      r = m(/^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$/);
      return r ? `${r[3]}-${r[2]?.padStart(2, '0')}-${r[1]?.padStart(2, '0')}` : undefined;
    case 'MM/DD/YYYY':
      r = m(/^(\d{1,2})\/(\d{1,2})\/(\d{4})$/);
      return r ? `${r[3]}-${r[1]?.padStart(2, '0')}-${r[2]?.padStart(2, '0')}` : undefined;
    case 'YYYY':
      return /^\d{4}$/.test(v) ? v : undefined;
  }
}

/**
 * Turns CSV rows (objects keyed by header) into records, through the scoring view so protected
 * characteristics can never reach a comparator. Rows without an id are rejected with their row number;
 * unparseable dates become missing values (counted in `issues`).
 */
export function recordsFromRows(rows: readonly Readonly<Record<string, string>>[], mapping: MatchMapping, specs: readonly FieldSpec[], source = 0): { records: ResolveRecord[]; issues: string[] } {
  // The second file of a link uses `file2` when the mapping gives one.
  const layout = source === 1 && mapping.file2 ? mapping.file2 : mapping;
  const idColumn = layout.id;
  const cols = columnsOf(layout.columns, specs);
  const issues: string[] = [];
  const records: ResolveRecord[] = [];
  const first = rows[0];
  if (first) {
    for (const c of [idColumn, ...cols.map((x) => x.column)]) {
      if (!(c in first)) throw invalid(`column "${c}" named in the mapping is not in the file (columns: ${Object.keys(first).join(', ')})`, undefined, c);
    }
  }
  rows.forEach((row, n) => {
    const id = (row[idColumn] ?? '').trim();
    if (id === '') throw invalid(`row ${n + 2}: empty id column "${idColumn}"`, `row ${n + 2}`, idColumn);
    const props: Record<string, string[]> = {};
    for (const c of cols) {
      let v = (row[c.column] ?? '').trim();
      if (v === '') continue;
      if (c.kind === 'date' && c.format) {
        const iso = dateFromFormat(v, c.format);
        if (iso === undefined) {
          if (issues.length < 100) issues.push(`row ${n + 2}: "${v}" in ${c.column} is not a ${c.format} date (treated as missing)`);
          continue;
        }
        v = iso;
      }
      (props[c.field] ??= []).push(v);
    }
    records.push({ id, fields: scoringView(mapping.schema, props), source });
  });
  return { records, issues };
}
