import type { Governance } from '../../src/governance/index.js';
import type { Statement, StatementInput } from '../../src/model/index.js';
import { stmt } from './statements.js';

/**
 * A small fictional network around Karim Benali (fr-ct:p1 of the API test world) for the link chart,
 * the timeline and the graph API tests. Added on top of `seedApiWorld`:
 *
 *   p1 ── Associate (B2) ── p4 ── Associate (C3) ── p5 ── Family ── p6 ── Associate (X4) ── p8
 *   p1, p4, p5 met on 2024-01-20 (Meeting, filed under FR-OP-ATLAS)
 *   p4 also uses p1's phone +33612345678          → derived link shared-phone p1–p4
 *   p1 and p8 flew AF1234 Paris → Istanbul 2024-02-10 → derived link co-travel p1–p8
 *   +33612345678 called p6's phone +33798765432 three times in January 2024
 *   BE-CT holds an Associate p1–be-ct:p3 releasable to no one: invisible to FR users.
 *
 * One hop from p1: p1, its phone, p4, p5, p8 and Istanbul; p6 is two hops away.
 */
export const CHART = {
  karim: 'fr-ct:p1',
  samir: 'fr-ct:p4',
  ines: 'fr-ct:p5',
  tomas: 'fr-ct:p6',
  walid: 'fr-ct:p8',
  istanbul: 'fr-ct:pl2',
  karimPhone: 'phone:+33612345678',
  tomasPhone: 'phone:+33798765432',
} as const;

const fr = { agency: 'FR-CT', documentId: 'fr-surveillance-3', collectedAt: '2024-02-12T08:00:00Z' };
const frPnr = { agency: 'FR-CT', documentId: 'fr-pnr-2024-02', collectedAt: '2024-02-11T06:00:00Z' };
const be = { agency: 'BE-CT', documentId: 'be-note-40', collectedAt: '2024-02-20T10:00:00Z' };
const atlas = ['FR-OP-ATLAS'] as StatementInput['caseIds'];

/** Statements of the chart world, and the ids tests look for. */
export function chartWorldStatements(): { statements: Statement[]; hiddenLinkStatement: string; weakLinkStatement: string } {
  const s = (entityId: string, schema: StatementInput['schema'], prop: string, value: string, extra: Partial<StatementInput> = {}) =>
    stmt({ entityId, schema, prop, value, source: fr, ...extra });
  const hidden = s('be-ct:as9', 'Associate', 'person', 'fr-ct:p1', { source: be, handling: { codes: ['H2'], releasableTo: [] } });
  const weak = s('fr-ct:as3', 'Associate', 'person', 'fr-ct:p6', { grading: { system: 'EU4x4', source: 'X', info: '4' } });
  const statements = [
    s('fr-ct:p4', 'Person', 'name', 'Samir Haddou', { firstSeen: '2023-09-14' }),
    s('fr-ct:p5', 'Person', 'name', 'Ines Marchal', { grading: { system: 'EU4x4', source: 'C', info: '3' } }),
    s('fr-ct:p6', 'Person', 'name', 'Tomas Brenner'),
    s('fr-ct:p8', 'Person', 'name', 'Walid Chergui', { source: frPnr }),
    s('fr-ct:pl1', 'Place', 'name', 'Café du Nord, Lille'),
    s('fr-ct:pl2', 'Place', 'name', 'Istanbul Airport'),
    s('fr-ct:pl3', 'Place', 'name', 'Paris Charles de Gaulle'),
    s('fr-ct:ph2', 'Phone', 'number', '+33798765432'),

    s('fr-ct:as1', 'Associate', 'person', 'fr-ct:p1'),
    s('fr-ct:as1', 'Associate', 'associate', 'fr-ct:p4'),
    s('fr-ct:as1', 'Associate', 'startDate', '2023-06-01'),
    s('fr-ct:as2', 'Associate', 'person', 'fr-ct:p4', { grading: { system: 'EU4x4', source: 'C', info: '3' } }),
    s('fr-ct:as2', 'Associate', 'associate', 'fr-ct:p5', { grading: { system: 'EU4x4', source: 'C', info: '3' } }),
    s('fr-ct:fa1', 'Family', 'person', 'fr-ct:p5'),
    s('fr-ct:fa1', 'Family', 'relative', 'fr-ct:p6'),
    s('fr-ct:fa1', 'Family', 'relationship', 'siblings'),
    weak,
    s('fr-ct:as3', 'Associate', 'associate', 'fr-ct:p8', { grading: { system: 'EU4x4', source: 'X', info: '4' } }),

    s('fr-ct:me1', 'Meeting', 'participant', 'fr-ct:p1', { caseIds: atlas }),
    s('fr-ct:me1', 'Meeting', 'participant', 'fr-ct:p4', { caseIds: atlas }),
    s('fr-ct:me1', 'Meeting', 'participant', 'fr-ct:p5', { caseIds: atlas }),
    s('fr-ct:me1', 'Meeting', 'place', 'fr-ct:pl1', { caseIds: atlas }),
    s('fr-ct:me1', 'Meeting', 'date', '2024-01-20T19:30:00Z', { caseIds: atlas, handling: { codes: ['H1'], releasableTo: ['BE-CT'] } }),

    s('fr-ct:pu2', 'PhoneUse', 'person', 'fr-ct:p4', { grading: { system: 'EU4x4', source: 'B', info: '3' } }),
    s('fr-ct:pu2', 'PhoneUse', 'phone', 'fr-ct:ph1', { grading: { system: 'EU4x4', source: 'B', info: '3' } }),
    s('fr-ct:pu2', 'PhoneUse', 'startDate', '2023-11-02', { grading: { system: 'EU4x4', source: 'B', info: '3' } }),
    s('fr-ct:pu3', 'PhoneUse', 'person', 'fr-ct:p6'),
    s('fr-ct:pu3', 'PhoneUse', 'phone', 'fr-ct:ph2'),
    s('fr-ct:pu3', 'PhoneUse', 'startDate', '2023-12-01'),

    ...['fr-ct:tr1', 'fr-ct:tr2'].flatMap((id, i) => [
      s(id, 'TravelEvent', 'traveller', i === 0 ? 'fr-ct:p1' : 'fr-ct:p8', { source: frPnr }),
      s(id, 'TravelEvent', 'origin', 'fr-ct:pl3', { source: frPnr }),
      s(id, 'TravelEvent', 'destination', 'fr-ct:pl2', { source: frPnr }),
      s(id, 'TravelEvent', 'departure', '2024-02-10T07:15:00Z', { source: frPnr }),
      s(id, 'TravelEvent', 'serviceNumber', 'AF1234', { source: frPnr }),
      s(id, 'TravelEvent', 'mode', 'air', { source: frPnr }),
    ]),

    ...['2024-01-05T10:02:00Z', '2024-01-09T21:40:00Z', '2024-01-17T08:15:00Z'].flatMap((date, i) => [
      s(`fr-ct:cm${i + 1}`, 'Communication', 'caller', 'fr-ct:ph1'),
      s(`fr-ct:cm${i + 1}`, 'Communication', 'callee', 'fr-ct:ph2'),
      s(`fr-ct:cm${i + 1}`, 'Communication', 'date', date),
    ]),

    hidden,
    s('be-ct:as9', 'Associate', 'associate', 'be-ct:p3', { source: be, handling: { codes: ['H2'], releasableTo: [] } }),
  ];
  return { statements, hiddenLinkStatement: hidden.id, weakLinkStatement: weak.id };
}

/** Adds the chart world to a governance already seeded with `seedApiWorld`. */
export async function seedChartWorld(gov: Governance): Promise<ReturnType<typeof chartWorldStatements>> {
  const world = chartWorldStatements();
  await gov.systemWrite('test', 'fixture load for link chart and timeline tests', world.statements);
  return world;
}
