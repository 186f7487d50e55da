import { describe, expect, it } from 'vitest';
import { validateStatement } from '../../model/index.js';
import type { Envelope } from '../statements.js';
import { extractMentions, extractReport, scoreExtraction } from './index.js';

// A fictional report (all persons, numbers and accounts invented; IBAN and IMEI with valid check digits).
const REPORT = `SURVEILLANCE REPORT BE-RPT-2024-0042
Date: 14 March 2024

Subject: Jonas Verbeek, born 31/01/1990 in Antwerp, holder of passport NX8811773. He uses the number +32 470 99 01 23 and the e-mail address j.verbeek@example.org.
On 12.03.2024 the team observed Jonas Verbeek meeting RENNART Sofia at Ghent café (site 4). They left in a grey Peugeot with registration 1-ABC-234.
Financial enquiries identified the account BE71 0961 2345 6769 held by the subject. The handset has IMEI 35-209900-176148-1.
According to passenger data, Verbeek travelled from Brussels to Istanbul on 2024-05-02 together with Kovač, Ivana.
`;

const envelope: Envelope = {
  source: { agency: 'BE-CTU', documentId: 'BE-RPT-2024-0042', collectedAt: '2024-03-14T12:00:00Z' },
  grading: { system: 'EU4x4', source: 'B', info: '2' },
  handling: { codes: ['H2'], releasableTo: [] },
};

describe('extractMentions', () => {
  const found = extractMentions(REPORT, { phoneRegion: 'BE' });
  const of = (type: string) => found.filter((m) => m.type === type).map((m) => m.value);

  it('finds identifiers by pattern and checksum, with canonical values and exact spans', () => {
    expect(of('phone')).toEqual(['+32470990123']);
    expect(of('email')).toEqual(['j.verbeek@example.org']);
    expect(of('iban')).toEqual(['BE71096123456769']);
    expect(of('imei')).toEqual(['352099001761481']);
    expect(of('passport')).toEqual(['NX8811773']);
    expect(of('plate')).toEqual(['1ABC234']);
    expect(of('date')).toEqual(['2024-03-14', '1990-01-31', '2024-03-12', '2024-05-02']);
    for (const m of found) expect(REPORT.slice(m.start, m.end)).toBe(m.text);
  });

  it('finds persons in several written forms and places', () => {
    expect(of('person')).toEqual(expect.arrayContaining(['Jonas Verbeek', 'RENNART Sofia', 'Kovač, Ivana']));
    expect(of('place')).toEqual(expect.arrayContaining(['Antwerp', 'Ghent café (site 4)', 'Brussels', 'Istanbul']));
    // The report reference is no phone number; the car model is no person.
    expect(found.some((m) => m.text.includes('2024-0042'))).toBe(false);
    expect(found.some((m) => m.type === 'person' && m.text.includes('Peugeot'))).toBe(false);
  });

  it('never returns overlapping spans', () => {
    const sorted = [...found].sort((a, b) => a.start - b.start);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.start).toBeGreaterThanOrEqual(sorted[i - 1]!.end);
  });

  it('uses a gazetteer for known places and keeps dates in the declared order', () => {
    const g = extractMentions('Met at Antwerp Centraal on 03/04/2024.', { gazetteer: [{ name: 'Antwerp Centraal', code: 'BEANR' }], dateOrder: 'MDY' });
    expect(g.map((m) => [m.type, m.value])).toEqual([
      ['place', 'BEANR'],
      ['date', '2024-03-04'],
    ]);
  });
});

describe('extractReport', () => {
  it('makes a Report, the mentioned entities and Mention links with spans, all valid statements', () => {
    const r = extractReport({ text: REPORT, reference: 'BE-RPT-2024-0042', title: 'Surveillance report', date: '2024-03-14' }, envelope, { phoneRegion: 'BE' });
    expect(r.reportId).toBe('be-ctu:report.BE-RPT-2024-0042');
    for (const s of r.statements) expect(validateStatement(s)).toEqual(s);
    const mentions = r.statements.filter((s) => s.schema === 'Mention');
    expect(mentions.every((s) => s.nature === 'extracted')).toBe(true);
    expect(r.statements.filter((s) => s.schema === 'Report').every((s) => s.nature === 'fact')).toBe(true);
    // The phone mention points at the same entity a CDR mapping keys (`phone.<E.164>`).
    const phoneLink = mentions.find((s) => s.prop === 'entity' && s.value === 'be-ctu:phone.+32470990123');
    expect(phoneLink).toBeDefined();
    const spanStart = mentions.find((s) => s.entityId === phoneLink!.entityId && s.prop === 'spanStart')!.value;
    const spanEnd = mentions.find((s) => s.entityId === phoneLink!.entityId && s.prop === 'spanEnd')!.value;
    expect(REPORT.slice(Number(spanStart), Number(spanEnd))).toBe('+32 470 99 01 23');
    expect(r.mentions.length).toBe(new Set(mentions.map((s) => s.entityId)).size);
  });
});

describe('scoreExtraction', () => {
  it('computes exact and overlap precision and recall per type', () => {
    const s = scoreExtraction([
      {
        truth: [
          { type: 'person', start: 0, end: 10 },
          { type: 'place', start: 20, end: 30 },
        ],
        found: [
          { type: 'person', start: 0, end: 10 },
          { type: 'place', start: 20, end: 25 },
          { type: 'place', start: 40, end: 45 },
        ],
      },
    ]);
    expect(s.find((x) => x.type === 'person')).toMatchObject({ precision: 1, recall: 1 });
    expect(s.find((x) => x.type === 'place')).toMatchObject({ precision: 0, recall: 0, lenientPrecision: 0.5, lenientRecall: 1 });
  });
});
