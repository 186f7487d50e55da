import { describe, expect, it } from 'vitest';
import { validateStatement } from '../model/index.js';
import { timeline } from './timeline.js';

const envelope = (agency: string, documentId: string) => ({
  source: { agency, documentId, collectedAt: '2024-06-01T10:00:00Z' },
  grading: { system: 'EU4x4', source: 'B', info: '2' },
  handling: { codes: [], releasableTo: [] },
});
const st = (entityId: string, schema: string, prop: string, value: string, agency = 'FR-CT', doc = 'cdr.csv', extra: Record<string, string> = {}) =>
  validateStatement({ ...envelope(agency, doc), entityId, schema, prop, value, ...extra });

describe('timeline', () => {
  it('orders dated events, one per call/meeting with its facts and sources, plus first-seen statements', () => {
    const statements = [
      st('fr-ct:call2', 'Communication', 'caller', 'fr-ct:ph1'),
      st('fr-ct:call2', 'Communication', 'callee', 'fr-ct:ph2'),
      st('fr-ct:call2', 'Communication', 'date', '2024-03-02T09:00:00Z'),
      st('fr-ct:call1', 'Communication', 'caller', 'fr-ct:ph2'),
      st('fr-ct:call1', 'Communication', 'date', '2024-02-01T08:00:00Z'),
      st('be-ocam:call1', 'Communication', 'date', '2024-02-01T08:00:00Z', 'BE-OCAM', 'intercept-7'),
      st('fr-ct:p1', 'Person', 'name', 'Invented Person', 'FR-CT', 'report-3', { firstSeen: '2024-02' }),
      st('fr-ct:p1', 'Person', 'nationality', 'fr'),
    ];
    const events = timeline(statements);
    expect(events.map((e) => [e.entityId, e.time])).toEqual([
      ['fr-ct:p1', '2024-02'],
      ['be-ocam:call1', '2024-02-01T08:00:00Z'],
      ['fr-ct:call1', '2024-02-01T08:00:00Z'],
      ['fr-ct:call2', '2024-03-02T09:00:00Z'],
    ]);
    const call2 = events.find((e) => e.entityId === 'fr-ct:call2')!;
    expect(call2.facts).toEqual({ caller: ['fr-ct:ph1'], callee: ['fr-ct:ph2'] });
    expect(call2.statementIds).toHaveLength(3);
    expect(call2.sources).toEqual([{ agency: 'FR-CT', documentId: 'cdr.csv' }]);
    expect(events[0]!.dated).toBe('firstSeen');
    expect(events[1]!.sources).toEqual([{ agency: 'BE-OCAM', documentId: 'intercept-7' }]);
  });
  it('gives intervals for things with a start and an end, and nothing for undated statements', () => {
    const events = timeline([
      st('fr-ct:use1', 'PhoneUse', 'person', 'fr-ct:p1'),
      st('fr-ct:use1', 'PhoneUse', 'phone', 'fr-ct:ph1'),
      st('fr-ct:use1', 'PhoneUse', 'startDate', '2023-05-01T00:00:00Z'),
      st('fr-ct:use1', 'PhoneUse', 'endDate', '2023-09-01T00:00:00Z'),
      st('fr-ct:p2', 'Person', 'name', 'Another Invented'),
    ]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ time: '2023-05-01T00:00:00Z', end: '2023-09-01T00:00:00Z', dated: 'startDate' });
  });
});
