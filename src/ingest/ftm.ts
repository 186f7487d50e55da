import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { basename } from 'node:path';
import { ENTITY_ID_PATTERN, fromFtm, isTesseraError, keyedEntityId, schemaFromFtm, schemaSpec, toFtm, type Entity, type FtmImportDefaults, type SchemaName, type Statement } from '../model/index.js';
import type { MappedEntity, RowMapper, RowResult } from './mapping/index.js';
import { envelopeOf, ingestStream, statInput, type IngestOptions, type IngestProgress, type IngestReport } from './pipeline.js';
import type { IngestSink } from './ports.js';
import { readJsonLines, type SourceRecord } from './readers/index.js';
import { statementFactory, type Envelope } from './statements.js';
import type { CompiledMapping } from './mapping/index.js';

/**
 * FollowTheMoney JSON Lines (Aleph, OpenSanctions): one `{id, schema, properties}` entity per line.
 * The mapping of schemas and properties is the model's (src/model/ftm.ts). Properties FtM has no
 * name for (`ftm: ''`: Communication.cellId, Mention spans…) travel in an extra top-level
 * `tessera` object — FtM readers ignore unknown top-level keys — so a Tessera → FtM → Tessera round
 * trip loses nothing for schemas FtM supports.
 */
export interface FtmLine {
  readonly id: string;
  readonly schema: string;
  readonly properties: Record<string, string[]>;
  readonly tessera?: { readonly properties: Record<string, string[]> };
}

/** One FtM line of an assembled entity, or undefined when FtM has no such schema. */
export function entityToFtm(entity: Entity): FtmLine | undefined {
  const base = toFtm(entity);
  if (!base) return undefined;
  const spec = schemaSpec(entity.schema);
  const extra: Record<string, string[]> = {};
  for (const [prop, vals] of Object.entries(entity.properties)) {
    if (spec.properties[prop]?.ftm === '') extra[prop] = vals.map((v) => v.value);
  }
  return Object.keys(extra).length > 0 ? { ...base, tessera: { properties: extra } } : base;
}

/** Writes entities as FtM JSON Lines; returns how many were written and skipped (no FtM schema). */
export async function writeFtmJsonl(entities: AsyncIterable<Entity> | Iterable<Entity>, out: Writable): Promise<{ written: number; skipped: number; skippedSchemas: Record<string, number> }> {
  let written = 0;
  let skipped = 0;
  const skippedSchemas: Record<string, number> = {};
  for await (const e of entities) {
    const line = entityToFtm(e);
    if (!line) {
      skipped++;
      skippedSchemas[e.schema] = (skippedSchemas[e.schema] ?? 0) + 1;
      continue;
    }
    if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain');
    written++;
  }
  return { written, skipped, skippedSchemas };
}

/** A row mapper for FtM lines: each line is one entity; unknown schemas and invalid values quarantine the line. */
export function ftmRowMapper(envelope: Envelope, file: string): RowMapper {
  const make = statementFactory(envelope);
  const defaults = envelope as unknown as FtmImportDefaults;
  const mapper = (record: SourceRecord): RowResult => {
    const where = `${file} line ${record.line}`;
    let converted: ReturnType<typeof fromFtm>;
    try {
      converted = fromFtm(record.object, defaults, where);
    } catch (e) {
      if (isTesseraError(e)) return { ok: false, field: e.field ?? 'schema', reason: e.message };
      throw e;
    }
    const obj = record.object as { tessera?: { properties?: Record<string, unknown> }; schema?: string };
    const inputs = [...converted.statements];
    const schema = schemaFromFtm(String(obj.schema)) as SchemaName;
    const ext = obj.tessera?.properties;
    if (ext && typeof ext === 'object') {
      const rawId = String((record.object as { id?: unknown }).id ?? '');
      // The same re-keying fromFtm applies: ids that are not Tessera ids are keyed under the importing agency.
      const entityId = inputs[0]?.entityId ?? (ENTITY_ID_PATTERN.test(rawId) ? rawId : keyedEntityId(envelope.source.agency, rawId));
      for (const [prop, vals] of Object.entries(ext)) {
        if (!Array.isArray(vals)) return { ok: false, field: `tessera.properties.${prop}`, reason: 'expected an array of strings' };
        for (const v of vals) if (entityId) inputs.push({ ...defaults, entityId, schema, prop, value: String(v) });
      }
    }
    const statements: Statement[] = [];
    try {
      for (const s of inputs) statements.push(make(s.entityId as string, s.schema as SchemaName, s.prop, s.value, undefined, where));
    } catch (e) {
      if (isTesseraError(e)) return { ok: false, field: e.field ?? '(entity)', reason: e.message };
      throw e;
    }
    if (statements.length === 0) return { ok: false, field: 'properties', reason: `entity has no property Tessera knows${converted.skipped.length ? ` (skipped: ${converted.skipped.join(', ')})` : ''}` };
    const warnings = converted.skipped.map((p) => `FtM property "${p}" of ${String(obj.schema)} has no Tessera counterpart (not imported)`);
    const entity: MappedEntity = { id: statements[0]!.entityId, schema, statements };
    return { ok: true, statements, fresh: statements, entities: [entity], warnings };
  };
  mapper.startBatch = () => undefined;
  return mapper;
}

/** Imports a FollowTheMoney JSON Lines file (same batching, idempotency, quarantine and resume as mapped files). */
export async function importFtmFile(file: string, sink: IngestSink, options: IngestOptions, onProgress?: (p: IngestProgress) => void): Promise<IngestReport> {
  const info = await statInput(file);
  // The envelope comes from the options alone: FtM files carry no provenance of their own.
  const pseudo = { name: 'ftm', file: '(options)', document: { source: {} } } as unknown as CompiledMapping;
  const envelope = envelopeOf(pseudo, options, options.documentId ?? basename(file), options.collectedAt ?? (options.now ?? (() => new Date()))().toISOString());
  const stream = readJsonLines(info.path);
  return ingestStream(
    { file, path: info.path, size: info.size, mtimeMs: info.mtimeMs, stream, mapRow: ftmRowMapper(envelope, basename(file)), sourceId: `${envelope.source.agency}/ftm`, mappingName: 'ftm' },
    sink,
    options,
    onProgress,
  );
}
