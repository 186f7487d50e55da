import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assembleEntity, schemaSpec, validateStatement, type Entity, type Statement } from '../model/index.js';
import { MemorySink, importFtmFile, writeFtmJsonl } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-ftm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = {
  source: { agency: 'NL-CTU', documentId: 'seed', collectedAt: '2024-08-01T00:00:00Z' },
  grading: { system: 'EU4x4', source: 'B', info: '2' },
  handling: { codes: [], releasableTo: [] },
} as const;
const st = (entityId: string, schema: string, prop: string, value: string): Statement => validateStatement({ ...env, entityId, schema, prop, value });

// Fictional entities of every schema FtM supports, with values in properties FtM lacks.
const seed: Statement[] = [
  st('nl-ctu:p1', 'Person', 'name', 'Lotte van Dijk'),
  st('nl-ctu:p1', 'Person', 'alias', 'L. Dijkstra'),
  st('nl-ctu:p1', 'Person', 'birthDate', '1991-02'),
  st('nl-ctu:p1', 'Person', 'nationality', 'NL'),
  st('nl-ctu:p1', 'Person', 'passportNumber', 'NX8811773'),
  st('nl-ctu:p1', 'Person', 'migrantStatus', 'resident'),
  st('nl-ctu:p2', 'Person', 'name', 'Joris Smit'),
  st('nl-ctu:o1', 'Organization', 'name', 'Stichting Voorbeeld'),
  st('nl-ctu:o1', 'Organization', 'country', 'NL'),
  st('nl-ctu:m1', 'Membership', 'member', 'nl-ctu:p1'),
  st('nl-ctu:m1', 'Membership', 'organization', 'nl-ctu:o1'),
  st('nl-ctu:m1', 'Membership', 'role', 'treasurer'),
  st('nl-ctu:a1', 'Associate', 'person', 'nl-ctu:p1'),
  st('nl-ctu:a1', 'Associate', 'associate', 'nl-ctu:p2'),
  st('nl-ctu:d1', 'IdentityDocument', 'number', 'NX8811773'),
  st('nl-ctu:d1', 'IdentityDocument', 'holder', 'nl-ctu:p1'),
  st('nl-ctu:d1', 'IdentityDocument', 'reportedLost', 'yes'),
  st('nl-ctu:b1', 'BankAccount', 'iban', 'NL91ABNA0417164300'),
  st('nl-ctu:b1', 'BankAccount', 'holder', 'nl-ctu:p1'),
  st('nl-ctu:c1', 'Communication', 'date', '2024-03-14T08:15:00Z'),
  st('nl-ctu:c1', 'Communication', 'duration', '125'),
  st('nl-ctu:c1', 'Communication', 'cellId', '204-08-1234'),
  st('nl-ctu:r1', 'Report', 'title', 'Observation report'),
  st('nl-ctu:r1', 'Report', 'bodyText', 'Lotte van Dijk was seen in Utrecht.'),
  st('nl-ctu:x1', 'Mention', 'document', 'nl-ctu:r1'),
  st('nl-ctu:x1', 'Mention', 'entity', 'nl-ctu:p1'),
  st('nl-ctu:x1', 'Mention', 'spanStart', '0'),
  st('nl-ctu:x1', 'Mention', 'spanEnd', '14'),
  st('nl-ctu:v1', 'Vehicle', 'registrationNumber', 'ZG1234AB'),
  st('nl-ctu:ph1', 'Phone', 'number', '+31612345678'),
];

function entitiesOf(statements: Iterable<Statement>): Entity[] {
  const by = new Map<string, Statement[]>();
  for (const s of statements) by.set(s.entityId, [...(by.get(s.entityId) ?? []), s]);
  return [...by.values()].map((l) => assembleEntity(l)!);
}
const valuesOf = (e: Entity) => Object.fromEntries(Object.entries(e.properties).map(([p, v]) => [p, v.map((x) => x.value).sort()]));

describe('FollowTheMoney JSON Lines', () => {
  it('round-trips every supported schema without loss', async () => {
    const file = join(dir, 'out.ftm.jsonl');
    const out = createWriteStream(file);
    const entities = entitiesOf(seed);
    const r = await writeFtmJsonl(entities, out);
    out.end();
    await once(out, 'finish');
    // Phone has no FtM schema: skipped and counted, never silently.
    expect(r.skippedSchemas).toEqual({ Phone: 1 });
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { schema: string; tessera?: unknown });
    expect(lines.find((l) => l.schema === 'Call')).toMatchObject({ tessera: { properties: { cellId: ['204081234'] } } });
    const sink = new MemorySink();
    const report = await importFtmFile(file, sink, { agency: 'NL-CTU', grading: 'B2', collectedAt: '2024-08-02T00:00:00Z' });
    expect([report.written, report.quarantined]).toEqual([r.written, 0]);
    const back = new Map<string, Entity>(entitiesOf(sink.statements.values()).map((e) => [e.id, e]));
    for (const e of entities) {
      if (!schemaSpec(e.schema).ftm) continue;
      expect(back.get(e.id)?.schema).toBe(e.schema);
      expect(valuesOf(back.get(e.id)!)).toEqual(valuesOf(e));
    }
  });

  it('imports OpenSanctions-style lines: foreign ids re-keyed, unknown properties reported, unknown schemas quarantined', async () => {
    const file = join(dir, 'os.jsonl');
    writeFileSync(
      file,
      [
        JSON.stringify({ id: 'os-abc123', schema: 'Person', properties: { name: ['Ivana Kovač'], topics: ['sanction'], birthDate: ['1980-05-06'] } }),
        JSON.stringify({ id: 'os-own1', schema: 'Ownership', properties: { owner: ['os-abc123'], asset: ['os-v1'] } }),
        JSON.stringify({ id: 'os-x', schema: 'Airport', properties: { name: ['Nowhere'] } }),
        JSON.stringify({ id: 'os-call', schema: 'Call', properties: {}, tessera: { properties: { cellId: ['204-08-77'] } } }),
        '{not json',
      ].join('\n'),
    );
    const sink = new MemorySink();
    const r = await importFtmFile(file, sink, { agency: 'HR-BP', grading: 'adm:B2' });
    expect([r.read, r.written, r.quarantined]).toEqual([5, 3, 2]);
    // Properties only in the tessera extension still land on the re-keyed entity.
    expect([...sink.statements.values()].find((s) => s.prop === 'cellId')?.entityId).toBe('hr-bp:os-call');
    expect(r.sampleWarnings[0]).toMatch(/"topics"/);
    const ids = new Set<string>([...sink.statements.values()].map((s) => s.entityId));
    expect(ids.has('hr-bp:os-abc123')).toBe(true);
    const owner = [...sink.statements.values()].find((s) => s.prop === 'owner');
    expect(owner?.value).toBe('hr-bp:os-abc123');
    expect([...sink.quarantine.values()].map((q) => q.line)).toEqual([3, 5]);
  });
});
