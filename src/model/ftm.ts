import { z } from 'zod';
import { invalid } from './errors.js';
import type { Entity } from './entity.js';
import { keyedEntityId, ENTITY_ID_PATTERN } from './ids.js';
import { allSchemas, schemaSpec, type SchemaName, type SchemaSpec } from './schemas.js';
import type { StatementInput } from './statement.js';

/**
 * FollowTheMoney JSON (https://followthemoney.tech): `{id, schema, properties: {prop: [values]}}`.
 * Mapping: each Tessera schema with an `ftm` name maps to that FtM schema; each property maps to its
 * `ftm` name, or to the same name when `ftm` is absent; `ftm: ''` means FtM has no such property and
 * it is not exported. FtM schemas without a Tessera counterpart are refused on import with a clear error.
 */
export const FtmEntity = z.object({
  id: z.string().min(1).max(300),
  schema: z.string().min(1),
  properties: z.record(z.string(), z.array(z.string())).default({}),
});
export type FtmEntity = z.infer<typeof FtmEntity>;

const fromFtmSchema = new Map<string, SchemaSpec>();
for (const s of allSchemas()) if (s.ftm) fromFtmSchema.set(s.ftm, s);
// Common FtM schemas that land on the nearest Tessera schema.
const FTM_ALIASES: Record<string, SchemaName> = {
  LegalEntity: 'Organization',
  Company: 'Organization',
  PublicBody: 'Organization',
  Passport: 'IdentityDocument',
  Document: 'Report',
  Pages: 'Report',
  Airplane: 'Vehicle',
  Vessel: 'Vehicle',
};

/** The Tessera schema for an FtM schema name, if supported. */
export function schemaFromFtm(ftmSchema: string): SchemaName | undefined {
  return fromFtmSchema.get(ftmSchema)?.name ?? FTM_ALIASES[ftmSchema];
}

function ftmPropName(spec: SchemaSpec, prop: string): string | undefined {
  const p = spec.properties[prop];
  if (!p) return undefined;
  if (p.ftm === '') return undefined;
  return p.ftm ?? prop;
}

function tesseraPropName(spec: SchemaSpec, ftmProp: string): string | undefined {
  for (const [prop, p] of Object.entries(spec.properties)) {
    if ((p.ftm ?? prop) === ftmProp && p.ftm !== '') return prop;
  }
  return undefined;
}

/** Exports an assembled entity as FtM JSON (values only; provenance stays in Tessera). */
export function toFtm(entity: Entity): FtmEntity | undefined {
  const spec = schemaSpec(entity.schema);
  if (!spec.ftm) return undefined;
  const properties: Record<string, string[]> = {};
  for (const [prop, vals] of Object.entries(entity.properties)) {
    const name = ftmPropName(spec, prop);
    if (!name) continue;
    (properties[name] ??= []).push(...vals.map((v) => v.value));
  }
  return { id: entity.id, schema: spec.ftm, properties };
}

/** Envelope fields every imported statement gets (the importing agency's provenance). */
export type FtmImportDefaults = Omit<StatementInput, 'entityId' | 'schema' | 'prop' | 'value'>;

/**
 * Turns one FtM entity into statement inputs. Entity references inside properties are re-keyed
 * with the same agency prefix so links still point at the right entities.
 * Unknown FtM properties are reported in `skipped` (never silently dropped).
 */
export function fromFtm(raw: unknown, defaults: FtmImportDefaults, record?: string): { statements: StatementInput[]; skipped: string[] } {
  const parsed = FtmEntity.safeParse(raw);
  if (!parsed.success) throw invalid(parsed.error.issues[0]!.message, record, parsed.error.issues[0]!.path.join('.') || 'entity');
  const e = parsed.data;
  const schema = schemaFromFtm(e.schema);
  if (!schema) throw invalid(`FollowTheMoney schema "${e.schema}" has no Tessera counterpart`, record ?? e.id, 'schema');
  const spec = schemaSpec(schema);
  const agency = defaults.source.agency;
  const idOf = (id: string) => (ENTITY_ID_PATTERN.test(id) ? id : keyedEntityId(agency, id));
  const entityId = idOf(e.id);
  const statements: StatementInput[] = [];
  const skipped: string[] = [];
  for (const [ftmProp, vals] of Object.entries(e.properties)) {
    const prop = tesseraPropName(spec, ftmProp);
    if (!prop) {
      skipped.push(ftmProp);
      continue;
    }
    const type = spec.properties[prop]!.type;
    for (const v of vals) statements.push({ ...defaults, entityId, schema, prop, value: type === 'entity' ? idOf(v) : v });
  }
  return { statements, skipped };
}
