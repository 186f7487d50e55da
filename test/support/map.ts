import type { Governance } from '../../src/governance/index.js';
import { stmt } from './statements.js';

/**
 * Where the API test world's people go (all fictional): Karim Benali (fr-ct:p1) and his associate
 * Nadia Ferhat (fr-ct:p4) share a flat in Paris and take the same flight CDG → Istanbul on
 * 2024-03-02; Karim is checked at the Menton border post and meets Nadia in Lyon. Records the
 * French analyst must not see sit beside them: a Belgian trip not released to France, a trip in the
 * Bora compartment, and a trip to a place nobody can locate.
 */
export async function seedMapWorld(gov: Governance): Promise<void> {
  const fr = { agency: 'FR-CT', documentId: 'fr-pnr-3', collectedAt: '2024-03-03T08:00:00Z' };
  const be = { agency: 'BE-CT', documentId: 'be-pnr-9', collectedAt: '2024-03-04T08:00:00Z' };
  const atlas = { caseIds: ['FR-OP-ATLAS'] };
  const geo = { subjectCategory: 'other' as const };
  const place = (id: string, props: Record<string, string>) => Object.entries(props).map(([prop, value]) => stmt({ entityId: id, schema: 'Place', prop, value, source: fr, ...geo }));
  const travel = (id: string, props: Record<string, string>, extra: Record<string, unknown> = {}) =>
    Object.entries(props).map(([prop, value]) => stmt({ entityId: id, schema: 'TravelEvent', prop, value, source: fr, handling: { codes: ['H2'], releasableTo: ['*'] }, ...atlas, ...extra }));
  await gov.systemWrite('test', 'fixture load for map tests', [
    // Places: stated coordinates, an airport known only by its code, a border post, a place nobody can locate.
    ...place('fr-ct:plc-cdg', { name: 'Paris Charles de Gaulle', code: 'CDG', kind: 'airport', country: 'FR', latitude: '49.0097', longitude: '2.5479' }),
    ...place('fr-ct:plc-ist', { name: 'Istanbul Airport', code: 'IST', kind: 'airport', country: 'TR' }),
    ...place('fr-ct:plc-menton', { name: 'Menton (IT–FR)', code: 'FR-MENTON', kind: 'border-crossing', country: 'FR', latitude: '43.7792', longitude: '7.5012' }),
    ...place('fr-ct:plc-lyon-cafe', { name: 'Lyon café (site 3)', kind: 'site', country: 'FR', latitude: '45.7606', longitude: '4.8593' }),
    ...place('fr-ct:plc-nowhere', { name: 'Unnamed farm', kind: 'site' }),
    // People and their flat.
    stmt({ entityId: 'fr-ct:p1', schema: 'Person', prop: 'address', value: '12 rue de la Paix, 75002 Paris', source: fr, ...atlas }),
    stmt({ entityId: 'fr-ct:p4', schema: 'Person', prop: 'name', value: 'Nadia Ferhat', source: fr, ...atlas }),
    stmt({ entityId: 'fr-ct:p4', schema: 'Person', prop: 'address', value: '12 RUE DE LA PAIX, 75002 PARIS', source: fr, ...atlas }),
    stmt({ entityId: 'fr-ct:as1', schema: 'Associate', prop: 'person', value: 'fr-ct:p1', source: fr, ...atlas }),
    stmt({ entityId: 'fr-ct:as1', schema: 'Associate', prop: 'associate', value: 'fr-ct:p4', source: fr, ...atlas }),
    stmt({ entityId: 'fr-ct:as1', schema: 'Associate', prop: 'relationship', value: 'flatmate', source: fr, ...atlas }),
    // The same flight, two travellers; the French PNR of Karim is also held by Belgium (one leg, two sources).
    ...travel('fr-ct:trv1', { traveller: 'fr-ct:p1', travellerName: 'BENALI/KARIM', mode: 'air', origin: 'fr-ct:plc-cdg', destination: 'fr-ct:plc-ist', departure: '2024-03-02T10:00:00Z', carrier: 'TK', serviceNumber: 'TK1824', bookingRef: 'QX7P2A' }),
    ...travel('be-ct:trv1', { traveller: 'fr-ct:p1', mode: 'air', origin: 'fr-ct:plc-cdg', destination: 'fr-ct:plc-ist', departure: '2024-03-02T10:00:00Z', serviceNumber: 'TK1824' }, { source: be, grading: { system: 'EU4x4', source: 'A', info: '2' }, caseIds: [] }),
    ...travel('fr-ct:trv2', { traveller: 'fr-ct:p4', travellerName: 'FERHAT/NADIA', mode: 'air', origin: 'fr-ct:plc-cdg', destination: 'fr-ct:plc-ist', departure: '2024-03-02T10:00:00Z', carrier: 'TK', serviceNumber: 'TK1824', bookingRef: 'QX7P2B' }),
    // A border check on Karim (an encounter) and the crossing itself.
    ...travel('fr-ct:trv3', { traveller: 'fr-ct:p1', mode: 'border', origin: 'fr-ct:plc-menton', destination: 'fr-ct:plc-lyon-cafe', departure: '2023-11-20T07:30:00Z', serviceNumber: 'FR-MENTON' }),
    stmt({ entityId: 'fr-ct:enc1', schema: 'Encounter', prop: 'subject', value: 'fr-ct:p1', source: fr, ...atlas }),
    stmt({ entityId: 'fr-ct:enc1', schema: 'Encounter', prop: 'place', value: 'fr-ct:plc-menton', source: fr, ...atlas }),
    stmt({ entityId: 'fr-ct:enc1', schema: 'Encounter', prop: 'date', value: '2023-11-20T07:30:00Z', source: fr, ...atlas }),
    stmt({ entityId: 'fr-ct:enc1', schema: 'Encounter', prop: 'checkedBy', value: 'FR border police', source: fr, ...atlas }),
    stmt({ entityId: 'fr-ct:enc1', schema: 'Encounter', prop: 'outcome', value: 'checked and released', source: fr, ...atlas }),
    // A meeting observed in Lyon.
    stmt({ entityId: 'fr-ct:mtg1', schema: 'Meeting', prop: 'participant', value: 'fr-ct:p1', source: fr, ...atlas }),
    stmt({ entityId: 'fr-ct:mtg1', schema: 'Meeting', prop: 'participant', value: 'fr-ct:p4', source: fr, ...atlas }),
    stmt({ entityId: 'fr-ct:mtg1', schema: 'Meeting', prop: 'place', value: 'fr-ct:plc-lyon-cafe', source: fr, ...atlas }),
    stmt({ entityId: 'fr-ct:mtg1', schema: 'Meeting', prop: 'date', value: '2024-01-12T18:00:00Z', source: fr, ...atlas }),
    // Not for the French analyst: a Belgian trip released to nobody, a trip in the Bora compartment.
    ...travel('be-ct:trv9', { traveller: 'fr-ct:p1', mode: 'air', origin: 'fr-ct:plc-cdg', destination: 'fr-ct:plc-ist', departure: '2024-05-01T09:00:00Z', serviceNumber: 'TK1900' }, { source: be, handling: { codes: ['H2'], releasableTo: [] }, caseIds: [] }),
    ...travel('fr-ct:trv8', { traveller: 'fr-ct:p1', mode: 'air', origin: 'fr-ct:plc-ist', destination: 'fr-ct:plc-cdg', departure: '2024-06-01T09:00:00Z', serviceNumber: 'TK1827' }, { caseIds: ['FR-OP-BORA'] }),
    // A trip to a place without a position: listed as unlocated, not guessed.
    ...travel('fr-ct:trv4', { traveller: 'fr-ct:p1', mode: 'rail', origin: 'fr-ct:plc-cdg', destination: 'fr-ct:plc-nowhere', departure: '2024-02-10T09:00:00Z' }),
  ]);
}
