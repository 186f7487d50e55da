import { describe, expect, it } from 'vitest';
import { dateFromFormat, parseMapping, recordsFromRows } from './index.js';

describe('match mapping', () => {
  const doc = {
    id: 'ref',
    columns: {
      given: 'firstName',
      family: 'lastName',
      born: { property: 'birthDate', format: 'DD/MM/YYYY' },
      zip: 'address.postcode',
      town: 'address.city',
      doc: 'passportNumber',
      tel: 'phone',
      alias1: 'alias',
      alias2: 'alias',
    },
  };

  it('derives field kinds from the Person schema and address parts', () => {
    const { specs } = parseMapping(doc);
    expect(Object.fromEntries(specs.map((s) => [s.name, s.kind]))).toEqual({
      firstName: 'name',
      lastName: 'name',
      birthDate: 'date',
      'address.postcode': 'postcode',
      'address.city': 'text',
      passportNumber: 'identifier',
      phone: 'phone',
      alias: 'name',
    });
  });

  it('reads rows into protected-free records; bad dates become missing with a warning', () => {
    const { mapping, specs } = parseMapping(doc);
    const { records, issues } = recordsFromRows(
      [
        { ref: 'r1', given: 'Lena', family: 'Moreau', born: '30/02/1979', zip: '1000', town: 'Brussels', doc: '', tel: '+32 470 12 34 56', alias1: 'L. M.', alias2: 'Leni', religion: 'x' },
        { ref: 'r2', given: 'Marek', family: 'Kowal', born: '15/01/1966', zip: '', town: '', doc: 'X1', tel: '', alias1: '', alias2: '', religion: 'y' },
      ],
      mapping,
      specs,
    );
    expect(records[0]?.fields['birthDate']).toBeUndefined();
    expect(records[0]?.fields['alias']).toEqual(['L. M.', 'Leni']);
    expect(records[1]?.fields['birthDate']).toEqual(['1966-01-15']);
    expect(records[0]?.fields['religion']).toBeUndefined();
    expect(issues[0]).toMatch(/row 2: "30\/02\/1979" in born is not a DD\/MM\/YYYY date/);
  });

  it('converts declared date layouts and rejects what does not fit', () => {
    expect(dateFromFormat('19840312', 'YYYYMMDD')).toBe('1984-03-12');
    expect(dateFromFormat('3/12/1984', 'MM/DD/YYYY')).toBe('1984-03-12');
    expect(dateFromFormat('12.03.1984', 'DD.MM.YYYY')).toBe('1984-03-12');
    expect(dateFromFormat('1984-3-12', 'DD/MM/YYYY')).toBeUndefined();
  });

  it('refuses protected characteristics, unknown properties, bad address parts and empty mappings', () => {
    expect(() => parseMapping({ id: 'id', columns: { n: 'nationality' } })).toThrow(/protected characteristic/);
    expect(() => parseMapping({ id: 'id', columns: { n: 'shoeSize' } })).toThrow(/not a property of Person/);
    expect(() => parseMapping({ id: 'id', columns: { n: 'address.planet' } })).toThrow(/only address parts/);
    expect(() => parseMapping({ id: 'id', columns: {} })).toThrow(/no comparable column/);
    expect(() => parseMapping({ columns: { n: 'name' } })).toThrow(/mapping: .* at id/);
  });

  it('names the row of an empty id and the missing column', () => {
    const { mapping, specs } = parseMapping({ id: 'ref', columns: { given: 'firstName' } });
    expect(() => recordsFromRows([{ ref: '', given: 'A' }], mapping, specs)).toThrow(/row 2: empty id column "ref"/);
    expect(() => recordsFromRows([{ id: '1', given: 'A' }], mapping, specs)).toThrow(/column "ref" named in the mapping is not in the file/);
  });
});
