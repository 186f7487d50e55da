import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import {
  AgencyId,
  CaseId,
  Classification,
  Nature,
  SubjectCategory,
  TesseraError,
  isSchemaName,
  parseGrading,
  parseHandling,
  propertySpec,
  schemaSpec,
  type PropertySpec,
  type SchemaName,
} from '../../model/index.js';
import { checkDateFormat, isCountryLanguage, isPhoneRegion, isTimeZone, type PhoneValidation } from '../normalise/index.js';
import { MappingDocument, type EntityMapping, type PropertyMapping } from './schema.js';

/** One property of one entity, resolved against the schema. */
export interface PropertyPlan {
  readonly prop: string;
  readonly spec: PropertySpec;
  /** Where in the mapping it is declared, for error messages: `entities.call.properties.date`. */
  readonly path: string;
  readonly source:
    | { readonly kind: 'column'; readonly column: string }
    | { readonly kind: 'columns'; readonly columns: readonly string[]; readonly join: string }
    | { readonly kind: 'template'; readonly template: string; readonly columns: readonly string[] }
    | { readonly kind: 'value'; readonly value: string }
    | { readonly kind: 'entity'; readonly entity: string };
  readonly dateFormats: readonly string[];
  readonly phoneRegion: string | undefined;
  readonly countryLanguages: readonly string[] | undefined;
  readonly split: string | undefined;
  readonly recode: Readonly<Record<string, string>> | undefined;
  readonly pattern: { readonly re: RegExp; readonly replace: string | undefined } | undefined;
  readonly required: boolean;
  readonly onInvalid: 'quarantine' | 'skip' | 'note';
}

export interface EntityPlan {
  readonly name: string;
  readonly schema: SchemaName;
  readonly idPrefix: string;
  readonly key: '$row' | readonly ({ readonly prop: string } | { readonly column: string })[];
  readonly optional: boolean;
  readonly subjectCategory: SubjectCategory | undefined;
  readonly classification: string | undefined;
  /** Entity properties first (references), then values. */
  readonly properties: readonly PropertyPlan[];
  /** Entities this one's edge ends refer to: when one is absent, so is this one. */
  readonly edgeRefs: readonly string[];
}

/** A mapping checked against the schema registry, ready to run. */
export interface CompiledMapping {
  readonly file: string;
  readonly name: string;
  readonly description: string | undefined;
  readonly format: 'csv' | 'json' | 'jsonl' | 'xml';
  readonly document: MappingDocument;
  /** Entities in dependency order (referenced before referencing). */
  readonly entities: readonly EntityPlan[];
  readonly required: readonly string[];
  readonly phoneValidation: PhoneValidation;
  readonly timezone: string | undefined;
  readonly pivotYear: number | undefined;
  /** Every column the mapping reads, with the mapping key that reads it. */
  readonly columnsUsed: ReadonlyMap<string, string>;
}

/** A mapping error: names the mapping file and the key at fault. */
export function mappingError(file: string, path: string, message: string): TesseraError {
  return new TesseraError('VALIDATION', `mapping ${file}: ${path ? `${path}: ` : ''}${message}`, { record: file, field: path || '(mapping)' });
}

/** Reads and compiles a mapping file (YAML or JSON). */
export function loadMapping(file: string): CompiledMapping {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw mappingError(file, '', `cannot read: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw mappingError(file, '', `not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${(e as Error).message}`);
  }
  return compileMapping(doc, file);
}

const TEMPLATE_FIELD = /\{([^{}]+)\}/g;

/** Validates a mapping document (shape, schemas, properties, references, formats) and plans it. */
export function compileMapping(raw: unknown, file = '(inline mapping)'): CompiledMapping {
  const parsed = MappingDocument.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw mappingError(file, issue.path.map(String).join('.'), issue.message);
  }
  const doc = parsed.data;
  const fail = (path: string, message: string): never => {
    throw mappingError(file, path, message);
  };
  const check = <T>(schema: z.ZodType<T>, value: unknown, path: string): T => {
    const r = schema.safeParse(value);
    if (!r.success) fail(path, r.error.issues[0]!.message);
    return (r as { data: T }).data;
  };
  // Source envelope pieces are checked here so a bad grading fails before any row is read.
  const src = doc.source;
  if (src.agency !== undefined) check(AgencyId, src.agency, 'source.agency');
  if (src.grading !== undefined && !parseGrading(src.grading)) fail('source.grading', `"${src.grading}" is not a grading (B2, eu:B2, adm:C3)`);
  if (src.handling !== undefined) {
    try {
      parseHandling(src.handling, src.releasableTo ?? []);
    } catch (e) {
      fail('source.handling', e instanceof z.ZodError ? (e.issues[0]?.message ?? 'invalid handling') : (e as Error).message);
    }
  }
  if (src.classification !== undefined) check(Classification, src.classification, 'source.classification');
  if (src.subjectCategory !== undefined) check(SubjectCategory, src.subjectCategory, 'source.subjectCategory');
  if (src.nature !== undefined) check(Nature, src.nature, 'source.nature');
  (src.cases ?? []).forEach((c, i) => check(CaseId, c, `source.cases.${i}`));
  const defs = doc.defaults;
  if (defs.phoneRegion !== undefined && !isPhoneRegion(defs.phoneRegion)) fail('defaults.phoneRegion', `"${defs.phoneRegion}" is not an ISO 3166-1 alpha-2 region`);
  if (defs.timezone !== undefined && !isTimeZone(defs.timezone)) fail('defaults.timezone', `"${defs.timezone}" is not an IANA time zone`);
  (defs.countryLanguages ?? []).forEach((l, i) => isCountryLanguage(l) || fail(`defaults.countryLanguages.${i}`, `no country names for language "${l}"`));
  const dateOpts = defs.pivotYear === undefined ? {} : { pivotYear: defs.pivotYear };
  (defs.dateFormats ?? []).forEach((f, i) => {
    const why = checkDateFormat(f, dateOpts);
    if (why) fail(`defaults.dateFormats.${i}`, why);
  });
  if (doc.format === 'xml' && !doc.xml) fail('xml.record', 'XML mappings name the record element (xml: {record: …})');
  if (doc.csv?.header === false && !doc.csv.columns) fail('csv.columns', 'a CSV without a header needs its column names');

  const names = Object.keys(doc.entities);
  if (names.length === 0) fail('entities', 'a mapping makes at least one entity');
  const columnsUsed = new Map<string, string>();
  const useColumn = (column: string, path: string) => {
    if (!columnsUsed.has(column)) columnsUsed.set(column, path);
  };
  (doc.required ?? []).forEach((c, i) => useColumn(c, `required.${i}`));

  const plans = new Map<string, EntityPlan>();
  for (const [name, em] of Object.entries(doc.entities) as [string, EntityMapping][]) {
    const base = `entities.${name}`;
    if (!isSchemaName(em.schema)) fail(`${base}.schema`, `unknown schema "${em.schema}"`);
    const schema = em.schema as SchemaName;
    const spec = schemaSpec(schema);
    if (em.subjectCategory !== undefined) check(SubjectCategory, em.subjectCategory, `${base}.subjectCategory`);
    if (em.classification !== undefined) check(Classification, em.classification, `${base}.classification`);
    const properties: PropertyPlan[] = [];
    for (const [prop, pm] of Object.entries(em.properties) as [string, PropertyMapping][]) {
      const path = `${base}.properties.${prop}`;
      const ps = propertySpec(schema, prop);
      if (!ps) fail(path, `schema ${schema} has no property "${prop}" (known: ${Object.keys(spec.properties).join(', ')})`);
      const pspec = ps!;
      const o = typeof pm === 'string' ? { column: pm } : pm;
      const kinds = [o.column, o.columns, o.template, o.value, o.entity].filter((x) => x !== undefined).length;
      if (kinds !== 1) fail(path, 'give exactly one of column, columns, template, value, entity');
      let source: PropertyPlan['source'];
      if (o.entity !== undefined) {
        if (pspec.type !== 'entity') fail(`${path}.entity`, `${schema}.${prop} is a ${pspec.type}, not a reference to an entity`);
        if (!doc.entities[o.entity]) fail(`${path}.entity`, `no entity named "${o.entity}" in this mapping (known: ${names.join(', ')})`);
        const target = doc.entities[o.entity]!.schema as SchemaName;
        if (pspec.range && !pspec.range.includes(target)) fail(`${path}.entity`, `${schema}.${prop} refers to ${pspec.range.join(' or ')}, but "${o.entity}" is a ${target}`);
        source = { kind: 'entity', entity: o.entity };
      } else {
        if (pspec.type === 'entity') fail(path, `${schema}.${prop} refers to an entity: use {entity: <name>}`);
        if (o.column !== undefined) {
          useColumn(o.column, path);
          source = { kind: 'column', column: o.column };
        } else if (o.columns !== undefined) {
          o.columns.forEach((c) => useColumn(c, path));
          source = { kind: 'columns', columns: o.columns, join: o.join ?? ' ' };
        } else if (o.template !== undefined) {
          const cols = [...o.template.matchAll(TEMPLATE_FIELD)].map((m) => m[1]!);
          if (cols.length === 0) fail(`${path}.template`, 'a template names at least one {column}');
          cols.forEach((c) => useColumn(c, path));
          source = { kind: 'template', template: o.template, columns: cols };
        } else source = { kind: 'value', value: o.value! };
      }
      const formats = o.format === undefined ? (defs.dateFormats ?? ['ISO']) : typeof o.format === 'string' ? [o.format] : o.format;
      if (o.format !== undefined) {
        if (pspec.type !== 'date' && pspec.type !== 'datetime') fail(`${path}.format`, `${schema}.${prop} is a ${pspec.type}, not a date`);
        formats.forEach((f, i) => {
          const why = checkDateFormat(f, dateOpts);
          if (why) fail(`${path}.format${typeof o.format === 'string' ? '' : `.${i}`}`, why);
        });
      }
      if (o.region !== undefined && !isPhoneRegion(o.region)) fail(`${path}.region`, `"${o.region}" is not an ISO 3166-1 alpha-2 region`);
      (o.languages ?? []).forEach((l, i) => isCountryLanguage(l) || fail(`${path}.languages.${i}`, `no country names for language "${l}"`));
      let pattern: PropertyPlan['pattern'];
      if (o.pattern !== undefined) {
        try {
          pattern = { re: new RegExp(o.pattern, 'u'), replace: o.replace };
        } catch (e) {
          fail(`${path}.pattern`, `not a regular expression: ${(e as Error).message}`);
        }
      } else if (o.replace !== undefined) fail(`${path}.replace`, 'replace needs a pattern');
      if (o.onInvalid === 'note' && propertySpec(schema, 'notes')?.type !== 'text') fail(`${path}.onInvalid`, `schema ${schema} has no notes property to keep invalid values in`);
      properties.push({
        prop,
        spec: pspec,
        path,
        source,
        dateFormats: formats,
        phoneRegion: o.region ?? defs.phoneRegion,
        countryLanguages: o.languages ?? defs.countryLanguages,
        split: o.split,
        recode: o.values,
        pattern,
        required: o.required ?? false,
        onInvalid: o.onInvalid ?? 'quarantine',
      });
    }
    let key: EntityPlan['key'];
    if (em.key === '$row') key = '$row';
    else {
      key = em.key.map((k, i) => {
        if (typeof k !== 'string') {
          useColumn(k.column, `${base}.key.${i}`);
          return { column: k.column };
        }
        if (!properties.some((p) => p.prop === k)) fail(`${base}.key.${i}`, `key property "${k}" is not mapped in ${base}.properties`);
        return { prop: k };
      });
    }
    const edgeRefs = spec.edge
      ? properties.filter((p) => p.source.kind === 'entity' && (p.prop === spec.edge!.source || p.prop === spec.edge!.target)).map((p) => (p.source as { entity: string }).entity)
      : [];
    plans.set(name, {
      name,
      schema,
      idPrefix: em.idPrefix ?? schema.toLowerCase(),
      key,
      optional: em.optional ?? false,
      subjectCategory: em.subjectCategory as SubjectCategory | undefined,
      classification: em.classification,
      properties: [...properties.filter((p) => p.source.kind === 'entity'), ...properties.filter((p) => p.source.kind !== 'entity')],
      edgeRefs,
    });
  }
  // Dependency order; a reference cycle is a mapping error.
  const ordered: EntityPlan[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') fail(`entities.${name}`, `entities refer to each other in a cycle: ${[...trail, name].join(' → ')}`);
    state.set(name, 'visiting');
    const plan = plans.get(name)!;
    for (const p of plan.properties) if (p.source.kind === 'entity') visit(p.source.entity, [...trail, name]);
    state.set(name, 'done');
    ordered.push(plan);
  };
  for (const n of names) visit(n, []);
  return {
    file,
    name: doc.name,
    description: doc.description,
    format: doc.format,
    document: doc,
    entities: ordered,
    required: doc.required ?? [],
    phoneValidation: defs.phoneValidation ?? 'possible',
    timezone: defs.timezone,
    pivotYear: defs.pivotYear,
    columnsUsed,
  };
}

/** Rejects a mapping that reads columns the file does not have (CSV header or declared columns). */
export function checkColumns(mapping: CompiledMapping, columns: readonly string[], dataFile: string): void {
  const have = new Set(columns);
  const missing = [...mapping.columnsUsed.entries()].filter(([c]) => !have.has(c));
  if (missing.length > 0) {
    const [col, path] = missing[0]!;
    throw mappingError(
      mapping.file,
      path,
      `column "${col}" is not in ${dataFile} (columns: ${columns.join(', ')})${missing.length > 1 ? `; also missing: ${missing.slice(1).map(([c]) => c).join(', ')}` : ''}`,
    );
  }
}
