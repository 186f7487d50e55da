import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  assembleEntity,
  checkValue,
  fromFtm,
  gradingAtLeast,
  gradingCode,
  luhnValid,
  parseGrading,
  parseHandling,
  scoringView,
  toAdmiralty,
  toEu,
  toFtm,
  validateStatement,
  ADMIRALTY_INFO,
  ADMIRALTY_SOURCE,
  allSchemas,
  TesseraError,
  type FtmImportDefaults,
  type Grading,
} from './index.js';

const envelope = {
  source: { agency: 'FR-CT', documentId: 'subjects.csv', collectedAt: '2024-01-15T10:00:00Z' },
  grading: { system: 'EU4x4', source: 'B', info: '2' },
  handling: { codes: [], releasableTo: [] },
};

describe('values', () => {
  it.each([
    ['date', '1987', '1987'],
    ['date', '1987-03', '1987-03'],
    ['date', '2024-02-29', '2024-02-29'],
    ['datetime', '2024-03-14T08:15:00+01:00', '2024-03-14T07:15:00Z'],
    ['phone', '+33 6 12 34 56 78', '+33612345678'],
    ['imei', '49-015420-323751-8', '490154203237518'],
    ['email', 'Karim.B@Example.ORG', 'Karim.B@example.org'],
    ['iban', 'BE71 0961 2345 6769', 'BE71096123456769'],
    ['identifier', 'ab-12 345.c', 'AB12345C'],
    ['country', 'fr', 'FR'],
    ['country', 'XK', 'XK'],
    ['name', '  Ａbdel   Karim ', 'Abdel Karim'],
    ['name', 'عبد الكريم', 'عبد الكريم'],
  ] as const)('%s %j → %j', (type, input, out) => {
    expect(checkValue(type, input)).toEqual({ ok: true, value: out });
  });

  it.each([
    ['date', '2023-02-29'],
    ['date', '1987-13'],
    ['date', '14/03/1987'],
    ['datetime', '2024-03-14T25:00:00Z'],
    ['phone', '0612345678'],
    ['imei', '490154203237519'],
    ['imei', '12345'],
    ['email', 'not-an-email'],
    ['iban', 'BE71096123456760'],
    ['country', 'ZZ'],
    ['country', 'France'],
    ['name', '   '],
    ['entity', 'no-prefix'],
    ['number', '12abc'],
  ] as const)('%s rejects %j with a reason', (type, input) => {
    const r = checkValue(type, input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason.length).toBeGreaterThan(5);
  });

  it('Luhn check agrees with a reference computation for every 15-digit number', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 14, maxLength: 14 }), (digits) => {
        // Compute the check digit the textbook way, then confirm only it passes.
        const body = digits.join('');
        let sum = 0;
        for (let i = 0; i < 14; i++) {
          let d = digits[13 - i]!;
          if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
          sum += d;
        }
        const check = (10 - (sum % 10)) % 10;
        for (let c = 0; c < 10; c++) expect(luhnValid(body + c)).toBe(c === check);
      }),
      { numRuns: 200 },
    );
  });
});

describe('grading', () => {
  it('converts conservatively: Admiralty → EU never raises reliability or credibility', () => {
    const euOrder = { A: 0, B: 1, C: 2, X: 3 } as const;
    for (const s of ADMIRALTY_SOURCE)
      for (const i of ADMIRALTY_INFO) {
        const g: Grading = { system: 'ADMIRALTY', source: s, info: i };
        const eu = toEu(g);
        expect(gradingAtLeast(eu, g)).toBe(true);
        // Known anchors of the documented mapping.
        if (s === 'A') expect(eu.source).toBe('A');
        if (s === 'F') expect(eu.source).toBe('X');
        if (i === '6') expect(eu.info).toBe('4');
        expect(euOrder[eu.source]).toBeGreaterThanOrEqual(0);
      }
    expect(toAdmiralty({ system: 'EU4x4', source: 'C', info: '4' })).toEqual({ system: 'ADMIRALTY', source: 'D', info: '6' });
  });
  it('parses and prints codes', () => {
    expect(parseGrading('B2')).toEqual({ system: 'EU4x4', source: 'B', info: '2' });
    expect(parseGrading('adm:C3')).toEqual({ system: 'ADMIRALTY', source: 'C', info: '3' });
    expect(parseGrading('E5')).toBeUndefined(); // E is not an EU 4x4 source grade
    expect(gradingCode({ system: 'ADMIRALTY', source: 'F', info: '6' })).toBe('adm:F6');
  });
});

describe('handling', () => {
  it('parses codes and requires conditions for H3', () => {
    expect(parseHandling('H1+H2', ['BE-CT'])).toEqual({ codes: ['H1', 'H2'], releasableTo: ['BE-CT'] });
    expect(parseHandling('H3:not before trial', [])).toMatchObject({ codes: ['H3'], conditions: 'not before trial' });
    expect(() => parseHandling('H3', [])).toThrow(/conditions/);
    expect(() => parseHandling('H4', [])).toThrow();
    expect(() => parseHandling('H1', ['belgium'])).toThrow(/releasable/);
  });
});

describe('statement validation', () => {
  it('canonicalises the value, keeps the original and computes a content id', () => {
    const s = validateStatement({ ...envelope, entityId: 'fr-ct:p1', schema: 'Person', prop: 'phone', value: '+33 6 12 34 56 78' });
    expect(s.value).toBe('+33612345678');
    expect(s.original).toBe('+33 6 12 34 56 78');
    expect(s.id).toMatch(/^[0-9a-f]{40}$/);
    expect(validateStatement({ ...envelope, entityId: 'fr-ct:p1', schema: 'Person', prop: 'phone', value: '+33612345678' }).id).toBe(s.id);
  });

  it.each([
    [{ schema: 'Persn' }, 'schema'],
    [{ prop: 'shoeSize' }, 'prop'],
    [{ value: '1987-02-30', prop: 'birthDate' }, 'birthDate'],
    [{ grading: { system: 'EU4x4', source: 'E', info: '2' } }, 'grading.source'],
    [{ handling: { codes: ['H9'], releasableTo: [] } }, 'handling.codes.0'],
    [{ source: { agency: 'france', collectedAt: '2024-01-01T00:00:00Z' } }, 'source.agency'],
    [{ entityId: 'p1' }, 'entityId'],
    [{ prop: 'imei', schema: 'Handset', value: '490154203237519' }, 'imei'],
  ] as const)('names the field at fault: %j', (patch, field) => {
    try {
      validateStatement({ ...envelope, entityId: 'fr-ct:p1', schema: 'Person', prop: 'name', value: 'Karim', ...patch }, 'subjects.csv line 7');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TesseraError);
      expect((e as TesseraError).field).toBe(field);
      expect((e as TesseraError).record).toBe('subjects.csv line 7');
      expect((e as TesseraError).message).toContain('subjects.csv line 7');
    }
  });
});

describe('entity assembly', () => {
  it('keeps conflicting values side by side with provenance', () => {
    const fr = validateStatement({ ...envelope, entityId: 'fr-ct:p1', schema: 'Person', prop: 'birthDate', value: '1990-04-02' });
    const be = validateStatement({ ...envelope, source: { agency: 'BE-CT', collectedAt: '2024-02-01T00:00:00Z' }, entityId: 'fr-ct:p1', schema: 'Person', prop: 'birthDate', value: '1990-02-04' });
    const name1 = validateStatement({ ...envelope, entityId: 'fr-ct:p1', schema: 'Person', prop: 'name', value: 'Karim Benali' });
    const name2 = validateStatement({ ...envelope, source: { agency: 'BE-CT', collectedAt: '2024-02-01T00:00:00Z' }, entityId: 'fr-ct:p1', schema: 'Person', prop: 'name', value: 'Karim Benali' });
    const e = assembleEntity([fr, be, name1, name2])!;
    expect(e.caption).toBe('Karim Benali');
    expect(e.conflicts).toEqual(['birthDate']);
    expect(e.properties.birthDate!.map((v) => [v.value, v.provenance.map((p) => p.agency)])).toEqual([
      ['1990-02-04', ['BE-CT']],
      ['1990-04-02', ['FR-CT']],
    ]);
    expect(e.properties.name![0]!.provenance.map((p) => p.agency)).toEqual(['FR-CT', 'BE-CT']);
    expect(e.agencies).toEqual(['BE-CT', 'FR-CT']);
  });
});

describe('protected characteristics', () => {
  it('are stripped from the scoring view', () => {
    const view = scoringView('Person', { name: ['A B'], religion: ['x'], nationality: ['FR'], ethnicity: ['y'], birthDate: ['1990'] });
    expect(Object.keys(view).sort()).toEqual(['birthDate', 'name']);
  });
});

describe('FollowTheMoney mapping', () => {
  const ftmDefaults: FtmImportDefaults = {
    source: { agency: 'FR-CT', documentId: 'export.ftm.json', collectedAt: '2024-01-15T10:00:00Z' },
    grading: { system: 'EU4x4', source: 'B', info: '2' },
    handling: { codes: [], releasableTo: [] },
  };
  it('round-trips a Person and a link through FtM JSON', () => {
    const ftm = { id: 'abc123', schema: 'Person', properties: { name: ['Samir Haddad'], birthDate: ['1985-07'], nationality: ['fr'], passportNumber: ['X1234567'], weirdProp: ['?'] } };
    const { statements, skipped } = fromFtm(ftm, ftmDefaults);
    expect(skipped).toEqual(['weirdProp']);
    const validated = statements.map((s) => validateStatement(s));
    const e = assembleEntity(validated)!;
    expect(e.id).toBe('fr-ct:abc123');
    const back = toFtm(e)!;
    expect(back.schema).toBe('Person');
    expect(back.properties).toEqual({ name: ['Samir Haddad'], birthDate: ['1985-07'], nationality: ['FR'], passportNumber: ['X1234567'] });
    const call = fromFtm({ id: 'c1', schema: 'Call', properties: { caller: ['ph1'], receiver: ['ph2'], date: ['2024-01-01T10:00:00Z'] } }, ftmDefaults);
    expect(call.statements.map((s) => [s.schema, s.prop, s.value])).toEqual([
      ['Communication', 'caller', 'fr-ct:ph1'],
      ['Communication', 'callee', 'fr-ct:ph2'],
      ['Communication', 'date', '2024-01-01T10:00:00Z'],
    ]);
    expect(() => fromFtm({ id: 'x', schema: 'Airplane2', properties: {} }, ftmDefaults)).toThrow(/no Tessera counterpart/);
  });
  it('every schema with an FtM name maps every property it exports back to itself', () => {
    for (const s of allSchemas()) {
      if (!s.ftm) continue;
      for (const [prop, spec] of Object.entries(s.properties)) {
        if (spec.ftm === '') continue;
        const ftmName = spec.ftm ?? prop;
        const owners = Object.entries(s.properties).filter(([p, sp]) => (sp.ftm ?? p) === ftmName && sp.ftm !== '');
        expect(owners.map(([p]) => p), `${s.name}.${prop}`).toEqual([prop]);
      }
    }
  });
});
