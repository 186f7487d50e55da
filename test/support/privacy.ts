import type { Governance } from '../../src/governance/index.js';
import { stmt } from './statements.js';

/** Oversight users of the fictional French unit: a DPO and two supervisors. */
export async function addOversightUsers(gov: Governance): Promise<void> {
  await gov.upsertUser({ id: 'fr.dpo', name: 'DPO FR', agency: 'FR-CT', roles: ['dpo'], clearance: 'SECRET' });
  await gov.upsertUser({ id: 'fr.super', name: 'Supervisor FR', agency: 'FR-CT', roles: ['supervisor'], clearance: 'SECRET' });
  await gov.upsertUser({ id: 'fr.super2', name: 'Second supervisor FR', agency: 'FR-CT', roles: ['supervisor', 'analyst'], clearance: 'SECRET' });
}

export const dpoCtx = { userId: 'fr.dpo', purpose: 'Quarterly lawfulness review of consultations', caseId: null } as const;
export const superCtx = { userId: 'fr.super', purpose: 'Decide a re-identification request for Atlas', caseId: null } as const;

/** A person, a contact, and travel records of various ages (all invented). */
export function privacyFixture() {
  const travel = (id: string, when: string, traveller = 'fr-ct:p1') => [
    stmt({ entityId: `fr-ct:${id}`, schema: 'TravelEvent', prop: 'traveller', value: traveller, subjectCategory: 'other', lastSeen: when, source: { agency: 'FR-CT', documentId: 'pnr-1', collectedAt: `${when}T00:00:00Z` } }),
    stmt({ entityId: `fr-ct:${id}`, schema: 'TravelEvent', prop: 'travellerName', value: 'Karim Benali', subjectCategory: 'other', lastSeen: when, source: { agency: 'FR-CT', documentId: 'pnr-1', collectedAt: `${when}T00:00:00Z` } }),
    stmt({ entityId: `fr-ct:${id}`, schema: 'TravelEvent', prop: 'documentNumber', value: 'X1234567', subjectCategory: 'other', lastSeen: when, source: { agency: 'FR-CT', documentId: 'pnr-1', collectedAt: `${when}T00:00:00Z` } }),
    stmt({ entityId: `fr-ct:${id}`, schema: 'TravelEvent', prop: 'mode', value: 'air', subjectCategory: 'other', lastSeen: when, source: { agency: 'FR-CT', documentId: 'pnr-1', collectedAt: `${when}T00:00:00Z` } }),
  ];
  return [
    stmt({ entityId: 'fr-ct:p1', schema: 'Person', prop: 'name', value: 'Karim Benali', subjectCategory: 'suspect', source: { agency: 'FR-CT', documentId: 'r-1', collectedAt: '2022-01-10T00:00:00Z' } }),
    stmt({ entityId: 'fr-ct:p1', schema: 'Person', prop: 'religion', value: 'recorded by the source', subjectCategory: 'suspect', source: { agency: 'FR-CT', documentId: 'r-1', collectedAt: '2022-01-10T00:00:00Z' } }),
    stmt({ entityId: 'fr-ct:c1', schema: 'Person', prop: 'name', value: 'Yanis Moreau', subjectCategory: 'contact', source: { agency: 'FR-CT', documentId: 'r-2', collectedAt: '2025-06-01T00:00:00Z' } }),
    stmt({ entityId: 'be-ct:b1', schema: 'Person', prop: 'name', value: 'Lotte Verbeke', subjectCategory: 'contact', source: { agency: 'BE-CT', documentId: 'be-1', collectedAt: '2026-06-01T00:00:00Z' } }),
    ...travel('t-recent', '2026-09-01'),
    ...travel('t-old', '2026-01-10'),
    ...travel('t-ancient', '2020-03-01'),
  ];
}

/** "Now" for the fixture: late November 2026. */
export const FIXTURE_NOW = new Date('2026-11-20T12:00:00Z');
