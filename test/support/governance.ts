import { Governance } from '../../src/governance/index.js';
import { DEFAULT_CLASSIFICATIONS } from '../../src/model/index.js';
import type { Store } from '../../src/store/index.js';

/** Two agencies, four users and two cases — the smallest world access tests need. */
export async function seedWorld(store: Store): Promise<Governance> {
  const gov = new Governance(store, { classifications: DEFAULT_CLASSIFICATIONS });
  await gov.upsertAgency({ id: 'FR-CT', name: 'French CT unit (fictional)', country: 'FR' });
  await gov.upsertAgency({ id: 'BE-CT', name: 'Belgian CT unit (fictional)', country: 'BE' });
  await gov.upsertAgency({ id: 'ES-CT', name: 'Spanish CT unit (fictional)', country: 'ES' });
  await gov.upsertUser({ id: 'fr.analyst', name: 'Analyst FR', agency: 'FR-CT', roles: ['analyst'], clearance: 'SECRET' });
  await gov.upsertUser({ id: 'fr.junior', name: 'Junior FR', agency: 'FR-CT', roles: ['analyst'], clearance: 'RESTRICTED' });
  await gov.upsertUser({ id: 'be.analyst', name: 'Analyst BE', agency: 'BE-CT', roles: ['analyst'], clearance: 'SECRET' });
  await gov.upsertUser({ id: 'es.analyst', name: 'Analyst ES', agency: 'ES-CT', roles: ['analyst'], clearance: 'SECRET' });
  await gov.upsertCase({ id: 'FR-OP-ATLAS', name: 'Operation Atlas', agency: 'FR-CT', legalBasis: 'counter-terrorism-full', members: ['fr.analyst', 'fr.junior'], openedAt: '2024-01-01T00:00:00Z' });
  await gov.upsertCase({ id: 'FR-OP-BORA', name: 'Operation Bora', agency: 'FR-CT', legalBasis: 'screening-only', members: ['fr.junior'], openedAt: '2024-01-01T00:00:00Z' });
  await gov.upsertCase({ id: 'BE-OP-DUNE', name: 'Operation Dune', agency: 'BE-CT', legalBasis: 'investigation-2-hops', members: ['be.analyst'], openedAt: '2024-01-01T00:00:00Z' });
  await gov.upsertCase({ id: 'ES-OP-SOL', name: 'Operation Sol', agency: 'ES-CT', legalBasis: 'counter-terrorism-full', members: ['es.analyst'], openedAt: '2024-01-01T00:00:00Z' });
  return gov;
}

export const PURPOSE = 'Establish the contacts of a suspect in Operation Atlas';
export const frCtx = { userId: 'fr.analyst', purpose: PURPOSE, caseId: 'FR-OP-ATLAS' } as const;
export const beCtx = { userId: 'be.analyst', purpose: 'Check a Belgian lead against French holdings', caseId: 'BE-OP-DUNE' } as const;
export const esCtx = { userId: 'es.analyst', purpose: 'Verify a Spanish lead against partner holdings', caseId: 'ES-OP-SOL' } as const;
