import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isValidIBAN } from 'ibantools';
import { beforeAll, describe, expect, it } from 'vitest';
import { AGENCY_ID_PATTERN, CaseId, isTesseraError, propertySpec, validateStatement, type SchemaName, type StatementInput } from '../model/index.js';
import { generateScenario, readScenario, writeScenario, type Scenario, type ScenarioTruth } from './index.js';

function hashAll(scenario: Scenario): { hash: string; count: number } {
  const h = createHash('sha256');
  let count = 0;
  for (const batch of scenario.statements()) {
    for (const s of batch) h.update(`${JSON.stringify(s)}\n`);
    count += batch.length;
  }
  return { hash: h.digest('hex'), count };
}

describe('synthetic scenario (tiny)', () => {
  let scenario: Scenario;
  let statements: StatementInput[];
  let truth: ScenarioTruth;
  let generationCpuMs: number;
  const byEntity = new Map<string, StatementInput[]>();

  beforeAll(() => {
    const cpu = process.cpuUsage();
    scenario = generateScenario({ size: 'tiny', seed: 42 });
    statements = [];
    for (const batch of scenario.statements()) statements.push(...batch);
    const used = process.cpuUsage(cpu);
    generationCpuMs = (used.user + used.system) / 1000;
    truth = scenario.truth();
    for (const s of statements) {
      const list = byEntity.get(s.entityId) ?? [];
      list.push(s);
      byEntity.set(s.entityId, list);
    }
  });

  it('is deterministic: the same seed gives byte-identical statements, another seed does not', () => {
    const a = hashAll(generateScenario({ size: 'tiny', seed: 42 }));
    const b = hashAll(generateScenario({ size: 'tiny', seed: 42 }));
    const c = hashAll(generateScenario({ size: 'tiny', seed: 43 }));
    expect(a.hash).toBe(b.hash);
    expect(a.count).toBe(statements.length);
    expect(c.hash).not.toBe(a.hash);
  });

  it('generates tiny quickly', () => {
    // CPU time rather than wall time, so a loaded CI runner does not make it flaky (≈ 0.3 s measured).
    expect(generationCpuMs).toBeLessThan(1500);
    expect(statements.length).toBeGreaterThan(5000);
    expect(Math.abs(statements.length - scenario.estimatedStatements) / scenario.estimatedStatements).toBeLessThan(0.35);
  });

  it('emits only statements that validate, already in canonical form, each a distinct claim', () => {
    const ids = new Set<string>();
    for (const s of statements) {
      const v = validateStatement(s);
      ids.add(v.id);
      expect(v.value).toBe(s.value);
      expect(s.source.agency).toMatch(AGENCY_ID_PATTERN);
      for (const c of s.caseIds ?? []) expect(CaseId.safeParse(c).success).toBe(true);
      expect(s.source.documentId).toBeTruthy();
    }
    // Content-hash ids: no two statements make the same claim from the same document.
    expect(ids.size).toBe(statements.length);
  });

  it('keeps every entity reference inside the referencing agency and pointing at an existing entity', () => {
    let refs = 0;
    for (const s of statements) {
      const spec = propertySpec(s.schema as SchemaName, s.prop);
      if (spec?.type !== 'entity') continue;
      refs++;
      const target = byEntity.get(s.value);
      expect(target, `${s.entityId}.${s.prop} → ${s.value}`).toBeDefined();
      expect(s.value.split(':')[0]).toBe(s.entityId.split(':')[0]);
      expect(spec.range).toContain(target![0]!.schema);
    }
    expect(refs).toBeGreaterThan(1000);
  });

  it('gives each agency its own opaque ids: the same person has unrelated ids and no id leaks the truth', () => {
    const multi = truth.persons.filter((p) => new Set(p.records.map((r) => r.split(':')[0])).size >= 2);
    expect(multi.length).toBeGreaterThan(5);
    for (const p of truth.persons) for (const r of p.records) expect(r).not.toContain(p.id);
    for (const [entityId, trueId] of Object.entries(truth.entities)) {
      expect(byEntity.has(entityId), entityId).toBe(true);
      if (trueId.startsWith('P')) expect(byEntity.get(entityId)![0]!.schema).toBe('Person');
    }
  });

  it('spells the same person differently across records (transliteration, script, order, typos)', () => {
    const names = (id: string) => byEntity.get(id)!.filter((s) => s.prop === 'name').map((s) => s.value);
    let differing = 0;
    for (const p of truth.persons) {
      const spellings = new Set(p.records.flatMap(names));
      if (spellings.size >= 2) differing++;
    }
    expect(differing).toBeGreaterThan(3);
    const all = statements.filter((s) => s.schema === 'Person' && s.prop === 'name').map((s) => s.value);
    expect(all.some((n) => /\p{Script=Arabic}|\p{Script=Cyrillic}/u.test(n)) || truth.persons.length < 300).toBe(true);
    expect(all.some((n) => /^[\p{Lu} '-]+,? \p{Lu}\p{Ll}/u.test(n))).toBe(true);
    // Dates: canonical value, agency-specific original.
    const dob = statements.filter((s) => s.prop === 'birthDate' && s.schema === 'Person');
    expect(dob.some((s) => s.original?.includes('/'))).toBe(true);
    expect(dob.some((s) => s.original?.includes('.'))).toBe(true);
  });

  it('mixes gradings, handling codes, classifications and subject categories', () => {
    const systems = new Set(statements.map((s) => s.grading.system));
    expect(systems).toEqual(new Set(['EU4x4', 'ADMIRALTY']));
    const classes = new Set(statements.map((s) => s.classification));
    for (const c of ['UNCLASSIFIED', 'RESTRICTED', 'CONFIDENTIAL', 'SECRET']) expect(classes).toContain(c);
    expect(statements.some((s) => s.handling.codes?.includes('H3') && s.handling.conditions)).toBe(true);
    expect(statements.some((s) => (s.handling.releasableTo ?? []).length === 0)).toBe(true);
    expect(statements.some((s) => s.handling.releasableTo?.includes('*'))).toBe(true);
    const cats = new Set(statements.map((s) => s.subjectCategory));
    for (const c of ['suspect', 'contact', 'other']) expect(cats).toContain(c);
    expect(statements.some((s) => s.nature === 'assessment')).toBe(true);
    // Protected characteristics exist for some records so privacy tests can vary them.
    expect(statements.some((s) => s.prop === 'nationality')).toBe(true);
  });

  it('records burner successions, proxies and shared handsets consistent with the phones', () => {
    const phones = new Map(truth.phones.map((p) => [p.id, p]));
    const burner = truth.successions.filter((s) => s.burner);
    expect(burner.length).toBeGreaterThan(5);
    for (const s of truth.successions) {
      const o = phones.get(s.oldPhone)!;
      const n = phones.get(s.newPhone)!;
      expect(o.owner).toBe(s.person);
      expect(n.owner).toBe(s.person);
      expect(n.start >= o.end).toBe(true);
      expect(s.sameHandset).toBe(o.handset === n.handset);
    }
    for (const sh of truth.sharedHandsets) {
      const owners = new Set(sh.phones.map((id) => phones.get(id)!.owner));
      expect(owners.size).toBe(2);
      for (const id of sh.phones) expect(phones.get(id)!.handset).toBe(sh.handset);
    }
    for (const p of truth.proxies) expect(phones.get(p.phone)!.owner).toBe(p.owner);
  });

  it('describes cells, operational and quiet subjects, and watched travel', () => {
    const persons = new Map(truth.persons.map((p) => [p.id, p]));
    expect(truth.cells.length).toBe(3);
    for (const c of truth.cells) for (const m of c.members) expect(persons.get(m)!.cell).toBe(c.id);
    expect(truth.operational.length).toBeGreaterThan(0);
    for (const id of truth.operational) expect(persons.get(id)!.cell).toBeDefined();
    expect(truth.quiet.length).toBe(3);
    expect(truth.watchedTravel.length).toBeGreaterThan(0);
    for (const w of truth.watchedTravel) {
      expect(byEntity.get(w.travelEntityId)![0]!.schema).toBe('TravelEvent');
      expect(truth.travel[w.travelEntityId]!.person).toBe(w.person);
    }
    for (const w of scenario.watchlist) {
      expect(w.threatLevel).toBeGreaterThanOrEqual(1);
      expect(w.threatLevel).toBeLessThanOrEqual(16);
      const subject = byEntity.get(w.subjectEntityId);
      expect(subject?.[0]?.schema).toBe('Person');
      expect(subject![0]!.source.agency).toBe(w.agency);
    }
    expect(scenario.watchlist.some((w) => w.status === 'delisted')).toBe(true);
  });

  it('makes quiet operatives go quiet: their traffic in the last four months collapses', () => {
    const phoneOwner = new Map<string, string>();
    for (const [entityId, trueId] of Object.entries(truth.entities)) if (trueId.startsWith('T')) phoneOwner.set(entityId, truth.phones.find((p) => p.id === trueId)!.owner);
    const quiet = new Set(truth.quiet);
    let before = 0;
    let after = 0;
    const cut = '2025-03-03';
    for (const s of statements) {
      if (s.schema !== 'Communication' || s.prop !== 'caller') continue;
      if (!quiet.has(phoneOwner.get(s.value) ?? '')) continue;
      const date = byEntity.get(s.entityId)!.find((x) => x.prop === 'date')!.value;
      if (date >= cut) after++;
      else if (date >= '2024-07-01') before++;
    }
    // Eight months before vs four after: an unchanged rate would give after ≈ before / 2.
    expect(after).toBeLessThan(before / 4 + 2);
  });

  it('agrees with the truth: birth dates, phone numbers and call times match the true objects', () => {
    const persons = new Map(truth.persons.map((p) => [p.id, p]));
    const phones = new Map(truth.phones.map((p) => [p.id, p]));
    let dates = 0;
    for (const s of statements) {
      const trueId = truth.entities[s.entityId];
      if (s.schema === 'Person' && s.prop === 'birthDate') {
        const dob = persons.get(trueId!)!.birthDate;
        const swapped = `${dob.slice(0, 4)}-${dob.slice(8)}-${dob.slice(5, 7)}`;
        expect(dob.startsWith(s.value) || s.value === swapped, `${s.entityId} ${s.value} vs ${dob}`).toBe(true);
        dates++;
      }
      if (s.schema === 'Phone' && s.prop === 'number') expect(s.value).toBe(phones.get(trueId!)!.number);
      if (s.schema === 'Person' && s.prop === 'address') expect(s.value.toUpperCase()).toBe(persons.get(trueId!)!.address.toUpperCase());
      if (s.schema === 'Person' && s.prop === 'phone') expect(truth.phones.some((p) => p.number === s.value && p.owner === trueId)).toBe(true);
      if (s.schema === 'Communication' && s.prop === 'caller') {
        const phone = phones.get(truth.entities[s.value]!)!;
        const date = byEntity.get(s.entityId)!.find((x) => x.prop === 'date')!.value.slice(0, 10);
        expect(date >= phone.start && date <= phone.end, `${s.entityId} on ${date} from ${phone.id} active ${phone.start}..${phone.end}`).toBe(true);
      }
    }
    expect(dates).toBeGreaterThan(100);
    // Households and shared flats: distinct persons at one address (the graph's shared-address links).
    const byAddress = new Map<string, number>();
    for (const p of truth.persons) byAddress.set(p.address, (byAddress.get(p.address) ?? 0) + 1);
    expect([...byAddress.values()].some((n) => n >= 2)).toBe(true);
  });

  it('ships free-text reports whose mention spans match the text', () => {
    expect(scenario.reports.length).toBe(18);
    const types = new Set<string>();
    for (const r of scenario.reports) {
      expect(r.text.length).toBeGreaterThanOrEqual(1000);
      expect(r.text.length).toBeLessThan(4000);
      for (const m of r.mentions) {
        types.add(m.type);
        expect(r.text.slice(m.start, m.end)).toBe(m.text);
        if (m.type === 'phone') expect(m.value).toMatch(/^\+\d{7,15}$/);
        if (m.type === 'iban') expect(isValidIBAN(m.value)).toBe(true);
        if (m.type === 'date') expect(m.value).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        if (m.entityId) expect(byEntity.has(m.entityId)).toBe(true);
      }
      const body = byEntity.get(r.entityId)!.find((s) => s.prop === 'bodyText')!;
      expect(body.value).toBe(r.text);
    }
    for (const t of ['person', 'phone', 'date', 'place', 'passport']) expect(types).toContain(t);
  });

  it('rejects an unknown size or a bad seed with a clear error', () => {
    expect(() => generateScenario({ size: 'huge' as 'tiny' })).toThrow(/unknown scenario size "huge"/);
    try {
      generateScenario({ seed: 1.5 });
      expect.unreachable();
    } catch (e) {
      expect(isTesseraError(e) && e.code === 'VALIDATION' && e.field === 'seed').toBe(true);
    }
  });
});

describe('writeScenario / readScenario', () => {
  it('writes byte-identical files for the same seed and streams them back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tessera-scenario-'));
    try {
      const progress: string[] = [];
      const m1 = await writeScenario(generateScenario({ size: 'tiny', seed: 5 }), join(dir, 'a'), { onProgress: (p) => progress.push(p.phase) });
      const m2 = await writeScenario(generateScenario({ size: 'tiny', seed: 5 }), join(dir, 'b'));
      expect(m1.files.statements.sha256).toBe(m2.files.statements.sha256);
      expect(await readFile(join(dir, 'a', 'truth.json'), 'utf8')).toBe(await readFile(join(dir, 'b', 'truth.json'), 'utf8'));
      expect(progress).toContain('calls');
      expect(progress.at(-1)).toBe('done');
      expect(m1.files.raw).toContain('raw/reports/');
      expect(m1.files.raw.some((f) => f.endsWith('cdr.csv'))).toBe(true);
      expect(m1.files.raw.some((f) => f.endsWith('pnr.csv'))).toBe(true);
      expect(m1.files.raw.some((f) => f.endsWith('border.csv'))).toBe(true);
      const cdr = (await readFile(join(dir, 'a', m1.files.raw.find((f) => f.endsWith('cdr.csv'))!), 'utf8')).split('\n');
      expect(cdr[0]).toBe('caller,callee,start,duration_s,type,cell_id,imei');

      const reader = await readScenario(join(dir, 'a'));
      let n = 0;
      const h = createHash('sha256');
      for await (const batch of reader.statements(1000)) {
        n += batch.length;
        for (const s of batch) h.update(`${JSON.stringify(s)}\n`);
      }
      expect(n).toBe(m1.counts.statements);
      expect(h.digest('hex')).toBe(m1.files.statements.sha256);
      const truth = await reader.truth();
      expect(truth.persons.length).toBe(m1.counts.truePersons);
      expect((await reader.watchlist()).length).toBe(m1.counts.watchlist);

      await writeFile(join(dir, 'a', 'statements.jsonl'), '{"entityId":\n');
      await expect(async () => {
        for await (const b of (await readScenario(join(dir, 'a'))).statements()) void b;
      }).rejects.toThrow(/statements.jsonl line 1/);
      await expect(readScenario(join(dir, 'missing'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('demo size', () => {
  it('has about 5,000 persons, eight cells and every kind of ground truth', () => {
    const demo = generateScenario({ size: 'demo', seed: 1 });
    const truth = demo.truth();
    const records = truth.persons.reduce((n, p) => n + p.records.length, 0);
    expect(truth.persons.length).toBeGreaterThan(4500);
    expect(truth.persons.length).toBeLessThan(6500);
    expect(records).toBeGreaterThan(4000);
    expect(records).toBeLessThan(7000);
    expect(truth.cells.length).toBe(8);
    expect(truth.operational.length).toBeGreaterThanOrEqual(8);
    expect(truth.delistedThenOperational.length).toBeGreaterThanOrEqual(1);
    expect(truth.successions.filter((s) => s.burner).length).toBeGreaterThan(50);
    expect(truth.proxies.length).toBeGreaterThan(0);
    expect(truth.identityFraud.length).toBe(2);
    expect(truth.watchedTravel.length).toBeGreaterThan(20);
    expect(truth.coTravel.length).toBeGreaterThan(8);
    expect(demo.reports.length).toBe(240);
    expect(demo.watchlist.length).toBeGreaterThan(50);
  }, 60_000);
});
