import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SCHEMA_NAMES, checkValue, schemaSpec, validateStatement, type SchemaName } from '../model/index.js';
import { isCanonicalInstant, statementFactory, type Envelope } from './statements.js';

const envelope: Envelope = {
  source: { agency: 'FR-CT', documentId: 'cdr.csv', collectedAt: '2024-08-01T00:00:00Z' },
  grading: { system: 'EU4x4', source: 'B', info: '2' },
  handling: { codes: ['H2'], releasableTo: ['BE'] },
  classification: 'RESTRICTED',
  subjectCategory: 'suspect',
  caseIds: ['OP-1'],
};

// Values that exercise every property type: valid, canonicalisable and invalid.
const sampleValues = ['+33612345678', '+33 6 12 34 56 78', '352099001761481', '352099001761482', '2024-03-14', '2024-03-14T08:15:00+01:00', '1987', 'FR', 'fr', 'ZZ', 'a@Example.ORG', 'not an email', 'FR7630006000011234567890189', 'Marco  Bellandi', ' ', '42', '4.50', 'x', 'male', 'https://example.org/a', 'fr-ct:phone.+33612345678', 'AB-12 345', ''];

describe('statementFactory', () => {
  it('gives exactly what validateStatement gives, or fails where it fails', () => {
    const make = statementFactory(envelope);
    const props = SCHEMA_NAMES.flatMap((s) => Object.keys(schemaSpec(s).properties).map((p) => [s, p] as const));
    fc.assert(
      fc.property(fc.constantFrom(...props), fc.oneof(fc.constantFrom(...sampleValues), fc.string()), fc.constantFrom('fr-ct:x.1', 'fr-ct:subject.S-0001', 'bad id'), ([schema, prop], value, entityId) => {
        let expected: unknown;
        let expectedError: string | undefined;
        try {
          expected = validateStatement({ ...envelope, entityId, schema, prop, value }, 'r');
        } catch (e) {
          expectedError = (e as Error).message;
        }
        let actual: unknown;
        let actualError: string | undefined;
        try {
          actual = make(entityId, schema as SchemaName, prop, value, undefined, 'r');
        } catch (e) {
          actualError = (e as Error).message;
        }
        expect(actualError === undefined).toBe(expectedError === undefined);
        if (!expectedError) expect(actual).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses an invalid envelope up front', () => {
    expect(() => statementFactory({ ...envelope, grading: { system: 'EU4x4', source: 'Q', info: '2' } } as unknown as Envelope)).toThrow(/grading/);
  });
});

describe('isCanonicalInstant', () => {
  it('holds exactly when checkValue gives a date-time back unchanged', () => {
    const digits = (n: number) => fc.array(fc.constantFrom('0', '1', '2', '3', '5', '9'), { minLength: n, maxLength: n }).map((d) => d.join(''));
    const instant = fc.tuple(digits(4), digits(2), digits(2), digits(2), digits(2), digits(2), fc.constantFrom('T', ' ', 't'), fc.constantFrom('Z', 'z', '+', ''))
      .map(([y, mo, d, h, mi, s, t, z]) => `${y}-${mo}-${d}${t}${h}:${mi}:${s}${z}`);
    const agrees = (v: string) => {
      const c = checkValue('datetime', v);
      expect(isCanonicalInstant(v)).toBe(c.ok && c.value === v);
    };
    fc.assert(fc.property(fc.oneof(instant, fc.string()), agrees), { numRuns: 20_000 });
    for (const v of ['2024-02-29T23:59:59Z', '2023-02-29T00:00:00Z', '1900-02-29T00:00:00Z', '2000-02-29T00:00:00Z', '0999-12-31T23:00:00Z', '1000-01-01T00:00:00Z', '2999-12-31T23:59:59Z', '3000-01-01T00:00:00Z', '2024-04-31T00:00:00Z', '2024-03-14T24:00:00Z', '2024-03-14T08:60:00Z', '2024-03-14T08:15:60Z', ' 2024-03-14T08:15:00Z', '2024-03-14T08:15:00.000Z']) agrees(v);
  });
});
