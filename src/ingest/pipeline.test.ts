import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { checkValue, propertySpec, validateStatement } from '../model/index.js';
import { MemoryScreening, MemorySink, compileMapping, ingestFile, loadMapping, readCsv, type IngestReport } from './index.js';

const root = new URL('../../', import.meta.url).pathname;
const ex = (p: string) => join(root, 'examples', p);
const dir = mkdtempSync(join(tmpdir(), 'tessera-ingest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (content: string | Buffer, ext = 'csv') => {
  const f = join(dir, `in${n++}.${ext}`);
  writeFileSync(f, content);
  return f;
};
const opts = { collectedAt: '2024-08-01T00:00:00Z' };
const balanced = (r: IngestReport) => expect(r.read).toBe(r.written + r.quarantined + r.duplicates);

describe('example mappings ingest their example files', () => {
  it('subject list: people, passports, phones; bad rows quarantined with line and field', async () => {
    const sink = new MemorySink();
    const r = await ingestFile(ex('data/subjects.csv'), loadMapping(ex('mappings/subjects.yaml')), sink, opts);
    balanced(r);
    expect([r.read, r.written, r.quarantined]).toEqual([8, 5, 3]);
    const q = [...sink.quarantine.values()].map((e) => [e.line, e.field]);
    expect(q).toEqual([
      [7, 'dob'],
      [8, 'nationality'],
      [9, '(row)'],
    ]);
    const st = [...sink.statements.values()];
    // Every statement is accepted by the model as it stands.
    for (const s of st) expect(validateStatement(s)).toEqual(s);
    const person = st.filter((s) => s.entityId === 'fr-ct:subject.S-0001');
    expect(person.find((s) => s.prop === 'birthDate')!.value).toBe('1987-03-14');
    expect(person.find((s) => s.prop === 'nationality')!.value).toBe('IT');
    expect(person.every((s) => s.subjectCategory === 'suspect' && s.classification === 'RESTRICTED')).toBe(true);
    expect(st.find((s) => s.schema === 'Phone' && s.value === '+33639981234')).toBeDefined();
    expect(st.find((s) => s.schema === 'IdentityDocument' && s.prop === 'number' && s.value === 'YA1234567')?.entityId).toBe('fr-ct:passport.YA1234567');
    expect(st.find((s) => s.entityId === 'fr-ct:subject.S-0005' && s.prop === 'name')!.value).toBe('Юлия Соколова');
  });

  it('call-detail records: phones, handsets, communications, handset use', async () => {
    const sink = new MemorySink();
    const r = await ingestFile(ex('data/cdr.csv'), loadMapping(ex('mappings/cdr.yaml')), sink, opts);
    balanced(r);
    expect([r.read, r.written, r.quarantined, r.duplicates]).toEqual([10, 5, 4, 1]);
    expect([...sink.quarantine.values()].map((q) => q.field)).toEqual(['callee', 'start', 'imei', '(row)']);
    const st = [...sink.statements.values()];
    const calls = st.filter((s) => s.schema === 'Communication' && s.prop === 'date');
    expect(calls.map((s) => s.value).sort()[0]).toBe('2024-03-14T07:15:00Z'); // Paris winter time → UTC
    expect(new Set(st.filter((s) => s.schema === 'HandsetUse' && s.prop === 'handset').map((s) => s.value)).size).toBe(3);
    // The row without an IMEI makes no Handset and no HandsetUse, but still its Communication.
    expect(st.filter((s) => s.schema === 'Communication' && s.prop === 'caller')).toHaveLength(5);
    expect(st.filter((s) => s.schema === 'Communication' && s.prop === 'handset')).toHaveLength(4);
  });

  it('PNR (JSON Lines): passengers, documents, airports, travel events', async () => {
    const sink = new MemorySink();
    const r = await ingestFile(ex('data/pnr.jsonl'), loadMapping(ex('mappings/pnr.yaml')), sink, opts);
    balanced(r);
    expect([r.read, r.written, r.quarantined]).toEqual([5, 3, 2]);
    const st = [...sink.statements.values()];
    expect(st.filter((s) => s.schema === 'Person' && s.prop === 'name').map((s) => s.value).sort()).toEqual(['JONAS VERBEEK', 'MARCO BELLANDI', 'SOFIA RENNART']);
    expect(st.filter((s) => s.schema === 'Place' && s.prop === 'code').map((s) => s.value).sort()).toEqual(['AMS', 'FCO', 'IST']);
    expect(st.find((s) => s.schema === 'TravelEvent' && s.prop === 'seat' && s.value === '14C')).toBeDefined();
    expect(st.find((s) => s.schema === 'IdentityDocument' && s.prop === 'type')!.value).toBe('passport');
  });

  it('border crossings (XML): attributes, nested elements, a malformed record quarantined', async () => {
    const sink = new MemorySink();
    const r = await ingestFile(ex('data/border-crossings.xml'), loadMapping(ex('mappings/border-crossings.yaml')), sink, opts);
    balanced(r);
    expect([r.read, r.written, r.quarantined]).toEqual([4, 3, 1]);
    expect([...sink.quarantine.values()][0]!.line).toBe(42);
    const st = [...sink.statements.values()];
    expect(st.find((s) => s.schema === 'Vehicle' && s.prop === 'registrationNumber')!.value).toBe('ZG1234AB');
    expect(st.filter((s) => s.schema === 'Person' && s.prop === 'nationality').map((s) => s.value).sort()).toEqual(['BE', 'IT', 'NL']);
    // Two travellers in one car: one vehicle entity.
    expect(new Set(st.filter((s) => s.schema === 'Vehicle').map((s) => s.entityId)).size).toBe(1);
  });

  // The FEBRL files live beside the repository (../shared/data/er); CI without them skips this case.
  const febrl3 = join(root, '../shared/data/er/febrl3.csv');
  it.skipIf(!existsSync(febrl3))('FEBRL person file: every row written, impossible dates kept as notes', async () => {
    const sink = new MemorySink();
    const r = await ingestFile(febrl3, loadMapping(ex('mappings/febrl.yaml')), sink, opts);
    balanced(r);
    expect([r.read, r.written, r.quarantined]).toEqual([5000, 5000, 0]);
    const st = [...sink.statements.values()];
    expect(st.filter((s) => s.prop === 'notes' && s.value.startsWith('birthDate as received'))).toHaveLength(35);
    expect(st.filter((s) => s.prop === 'birthDate')).toHaveLength(5000 - 155 - 35);
    const ssn = st.find((s) => s.prop === 'idNumber' && s.value === '0684075');
    expect(ssn).toBeDefined();
    expect(new Set(st.map((s) => s.entityId)).size).toBe(5000);
  });
});

const cdrMapping = () => loadMapping(ex('mappings/cdr.yaml'));
function cdrFile(rows: number, bad = 0): string {
  const lines = ['caller,callee,start,duration,cell_id,imei'];
  for (let i = 0; i < rows; i++) lines.push(`06 39 98 ${String(i % 100).padStart(2, '0')} ${String((i * 7) % 100).padStart(2, '0')},+32 470 99 01 23,2024-03-14 08:${String(i % 60).padStart(2, '0')}:00,${i},208-01-${i},${i < bad ? 'bad' : ''}`);
  return file(`${lines.join('\n')}\n`);
}

describe('idempotency, resume, screening', () => {
  it('re-ingesting the same file writes nothing new', async () => {
    const sink = new MemorySink();
    const f = cdrFile(500, 3);
    const first = await ingestFile(f, cdrMapping(), sink, { ...opts, batchSize: 64 });
    const count = sink.statements.size;
    const second = await ingestFile(f, cdrMapping(), sink, { ...opts, batchSize: 64 });
    expect([first.written, first.quarantined]).toEqual([497, 3]);
    expect([second.written, second.duplicates, second.quarantined]).toEqual([0, 497, 3]);
    expect(sink.statements.size).toBe(count);
    expect(sink.quarantine.size).toBe(3);
  });

  it('resumes after a crash from the last checkpoint without loss or duplicates', async () => {
    const f = cdrFile(1000);
    const crashing = new MemorySink({ failOnBatch: 4 });
    await expect(ingestFile(f, cdrMapping(), crashing, { ...opts, batchSize: 100 })).rejects.toThrow(/simulated crash/);
    expect(crashing.rowCount('FR-CT/cdr-operator')).toBe(300);
    // The same sink, healthy again: the checkpoint of batch 3 is there.
    (crashing as unknown as { options: object }).options = {};
    const r = await ingestFile(f, cdrMapping(), crashing, { ...opts, batchSize: 100 });
    expect(r.resumedFrom).toBe(300);
    expect([r.read, r.written, r.duplicates]).toEqual([700, 700, 0]);
    expect(crashing.rowCount('FR-CT/cdr-operator')).toBe(1000);
    expect(await crashing.loadCheckpoint('FR-CT/cdr-operator', f)).toBeUndefined();
    const fresh = new MemorySink();
    await ingestFile(f, cdrMapping(), fresh, { ...opts, batchSize: 100 });
    expect(crashing.statements.size).toBe(fresh.statements.size);
  });

  it('stops on abort after the batch in hand and resumes later', async () => {
    const f = cdrFile(600);
    const sink = new MemorySink();
    const ctl = new AbortController();
    const r1 = await ingestFile(f, cdrMapping(), sink, { ...opts, batchSize: 100, signal: ctl.signal }, (p) => {
      if (p.read >= 200) ctl.abort();
    });
    expect(r1.interrupted).toBe(true);
    expect(r1.read).toBe(200);
    const r2 = await ingestFile(f, cdrMapping(), sink, { ...opts, batchSize: 100 });
    expect([r2.resumedFrom, r2.read, r2.interrupted]).toEqual([200, 400, false]);
    expect(sink.rowCount('FR-CT/cdr-operator')).toBe(600);
  });

  it('hands every written entity to screening once per batch; a failing screen never blocks', async () => {
    const screening = new MemoryScreening();
    const r = await ingestFile(ex('data/cdr.csv'), cdrMapping(), new MemorySink(), { ...opts, screening });
    expect(r.entitiesScreened).toBe(screening.screened.length);
    expect(new Set(screening.screened.map((e) => e.schema))).toEqual(new Set(['Phone', 'Handset', 'Communication', 'HandsetUse']));
    const failing = await ingestFile(ex('data/cdr.csv'), cdrMapping(), new MemorySink(), { ...opts, screening: new MemoryScreening(true) });
    expect([failing.written, failing.screeningErrors]).toEqual([5, 1]);
    expect(failing.screeningError).toMatch(/unavailable/);
  });
});

describe('bad input', () => {
  it('refuses an empty file, a missing file, and missing provenance clearly', async () => {
    await expect(ingestFile(file(''), cdrMapping(), new MemorySink(), opts)).rejects.toThrow(/file is empty \(0 bytes\)/);
    await expect(ingestFile(join(dir, 'nope.csv'), cdrMapping(), new MemorySink(), opts)).rejects.toThrow(/no such file/);
    const m = compileMapping({ name: 'x', format: 'csv', entities: { p: { schema: 'Phone', key: ['number'], properties: { number: 'phone' } } } });
    await expect(ingestFile(file('phone\n+33612345678\n'), m, new MemorySink(), opts)).rejects.toThrow(/no agency/);
    await expect(ingestFile(file('phone\n+33612345678\n'), m, new MemorySink(), { ...opts, agency: 'FR-CT' })).rejects.toThrow(/no grading/);
  });

  it('rejects a mapping that reads a column the file lacks, before writing anything', async () => {
    const sink = new MemorySink();
    await expect(ingestFile(file('caller,callee,start,duration,cellid,imei\n1,2,3,4,5,6\n'), cdrMapping(), sink, opts)).rejects.toThrow(/cdr.yaml: entities.call.properties.cellId: column "cell_id" is not in/);
    expect(sink.batches).toBe(0);
  });

  it('rejects bad mappings naming the file and key', () => {
    const base = { name: 'm', format: 'csv', entities: { p: { schema: 'Person', key: ['name'], properties: { name: 'n' } } } };
    const err = (doc: unknown) => {
      try {
        compileMapping(doc, 'm.yaml');
      } catch (e) {
        return (e as Error).message;
      }
      return 'accepted';
    };
    expect(err(base)).toBe('accepted');
    expect(err({ ...base, entities: { p: { schema: 'Persn', key: ['name'], properties: { name: 'n' } } } })).toMatch(/^mapping m.yaml: entities.p.schema: unknown schema "Persn"/);
    expect(err({ ...base, entities: { p: { schema: 'Person', key: ['name'], properties: { nme: 'n' } } } })).toMatch(/entities.p.properties.nme: schema Person has no property "nme"/);
    expect(err({ ...base, entities: { p: { schema: 'Person', key: ['birthDate'], properties: { name: 'n' } } } })).toMatch(/entities.p.key.0: key property "birthDate" is not mapped/);
    expect(err({ ...base, entities: { p: { schema: 'Person', key: ['name'], properties: { name: 'n', birthDate: { column: 'b', format: 'DD/MM/YY' } } } } })).toMatch(/properties.birthDate.format: .*pivotYear/);
    expect(err({ ...base, entities: { ...base.entities, u: { schema: 'PhoneUse', key: '$row', properties: { person: { entity: 'p' }, phone: { entity: 'p' } } } } })).toMatch(/entities.u.properties.phone.entity: PhoneUse.phone refers to Phone, but "p" is a Person/);
    expect(err({ ...base, entities: { p: { schema: 'Person', key: ['name'], properties: { name: 'n', phone: { entity: 'q' } } } } })).toMatch(/phone.entity: .*not a reference|no entity named/);
    expect(err({ ...base, format: 'xls' })).toMatch(/^mapping m.yaml: format:/);
    expect(err({ ...base, source: { grading: 'Z9' } })).toMatch(/source.grading/);
    expect(err({ ...base, defaults: { phoneRegion: 'ZZ' } })).toMatch(/defaults.phoneRegion/);
    expect(err({ ...base, bogus: 1 })).toMatch(/^mapping m.yaml: /);
  });
});

describe('nothing lost (fuzz)', () => {
  const mapping = compileMapping(
    {
      name: 'fuzz',
      format: 'csv',
      source: { agency: 'FR-CT', grading: 'B2' },
      defaults: { phoneRegion: 'FR', dateFormats: ['DD/MM/YYYY'] },
      entities: {
        person: { schema: 'Person', key: [{ column: 'id' }], properties: { name: 'name', birthDate: 'dob' } },
        phone: { schema: 'Phone', key: ['number'], optional: true, properties: { number: 'phone' } },
      },
    },
    'fuzz.yaml',
  );
  const cell = fc.oneof(
    fc.constantFrom('', 'Ana', '"quoted, comma"', '"unbalanced', 'x"y', '""', '06 39 98 12 34', '14/03/1987', '31/02/1988', '\u0000', '\uFFFD', 'Ж', ' '),
    fc.string({ maxLength: 8 }),
  );
  const row = fc.array(cell, { minLength: 0, maxLength: 6 }).map((cells) => cells.join(','));

  it('every non-blank line is accounted for, and rows in = written + quarantined + duplicates', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 40 }), fc.boolean(), async (rows, garbageBytes) => {
        const text = `id,name,dob,phone\n${rows.join('\n')}\n`;
        const content = garbageBytes ? Buffer.concat([Buffer.from(text), Buffer.from([0xc3, 0x28, 0x0a, 0xff, 0x00, 0x0a])]) : Buffer.from(text);
        const sink = new MemorySink();
        const r = await ingestFile(file(content), mapping, sink, { ...opts, batchSize: 7 });
        expect(r.read).toBe(r.written + r.quarantined + r.duplicates);
        expect(sink.quarantine.size + sink.rowCount('FR-CT/fuzz')).toBeLessThanOrEqual(r.read);
        // Coverage: written rows + quarantined rows + duplicates span exactly the non-blank lines after the header.
        // The records' line spans are disjoint and cover every non-blank line after the header.
        const physical = content.toString('latin1').split('\n');
        const nonBlank = physical.map((l, i) => [l, i + 1] as const).filter(([l, i]) => i > 1 && l.replace(/\r$/, '').trim().length > 0).map(([, i]) => i);
        const covered: number[] = [];
        for await (const rec of (await readCsv(file(content))).records) {
          const span = rec.raw.split('\n').length;
          for (let k = 0; k < span; k++) covered.push(rec.line + k);
        }
        expect(new Set(covered).size).toBe(covered.length);
        for (const line of nonBlank) expect(covered).toContain(line);
        for (const s of sink.statements.values()) expect(checkValue(propertySpec(s.schema, s.prop)!.type, s.value).ok).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('JSON Lines: every non-blank line is one row, written or quarantined', async () => {
    const jsonl = compileMapping(
      { name: 'fuzz-jsonl', format: 'jsonl', source: { agency: 'FR-CT', grading: 'B2' }, defaults: { phoneRegion: 'FR' }, entities: { phone: { schema: 'Phone', key: ['number'], properties: { number: 'n', kind: { column: 'k', onInvalid: 'skip' } } } } },
      'fuzz-jsonl.yaml',
    );
    const line = fc.oneof(
      fc.record({ n: fc.constantFrom('06 39 98 12 34', '+32 470 99 01 23', 'x', ''), k: fc.constantFrom('mobile', 'pager') }).map((o) => JSON.stringify(o)),
      fc.json(),
      fc.string({ maxLength: 12 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 30 }), async (lines) => {
        const content = `${lines.join('\n')}\n`;
        const r = await ingestFile(file(content, 'jsonl'), jsonl, new MemorySink(), { ...opts, batchSize: 5 });
        expect(r.read).toBe(r.written + r.quarantined + r.duplicates);
        expect(r.read).toBe(content.split('\n').filter((l) => l.trim().length > 0).length);
      }),
      { numRuns: 100 },
    );
  });
});
