import pino from 'pino';
import { createApp, type ApiDeps, type TesseraApp } from '../../src/api/index.js';
import { loadConfig } from '../../src/config/index.js';
import { hashPassword, type Governance } from '../../src/governance/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { seedWorld } from './governance.js';
import { stmt } from './statements.js';

/** The password every seeded test user gets (fictional accounts, test stores only). */
export const TEST_PASSWORD = 'correct horse battery staple';

/** A stored-XSS probe used as a person's name: it must come back as text, never as markup. */
export const XSS_NAME = '<img src=x onerror="window.__xss=1">Zora <script>window.__xss=2</script>Malik';

/**
 * The API test world: the governance fixture (FR, BE, ES agencies; cases Atlas, Bora, Dune, Sol),
 * passwords on the users, and a few fictional people whose statements exercise every read rule:
 * conflicts, classification, releasability, case compartments, links, and an XSS probe.
 */
export async function seedApiWorld(store: Store): Promise<Governance> {
  const gov = await seedWorld(store);
  const passwordHash = hashPassword(TEST_PASSWORD);
  for (const u of await gov.users()) await gov.upsertUser({ ...u, passwordHash });
  const fr = { agency: 'FR-CT', documentId: 'fr-report-7', collectedAt: '2024-02-01T09:00:00Z' };
  const be = { agency: 'BE-CT', documentId: 'be-note-12', collectedAt: '2024-03-05T14:00:00Z' };
  await gov.systemWrite('test', 'fixture load for API tests', [
    stmt({ entityId: 'fr-ct:p1', schema: 'Person', prop: 'name', value: 'Karim Benali', source: fr, firstSeen: '2023-05-01', lastSeen: '2024-02-01' }),
    stmt({ entityId: 'fr-ct:p1', schema: 'Person', prop: 'name', value: 'Karim Benali', source: be, grading: { system: 'EU4x4', source: 'A', info: '2' } }),
    stmt({ entityId: 'fr-ct:p1', schema: 'Person', prop: 'birthDate', value: '1990-04-02', source: fr }),
    stmt({ entityId: 'fr-ct:p1', schema: 'Person', prop: 'birthDate', value: '1990-02-04', source: be, grading: { system: 'EU4x4', source: 'C', info: '3' } }),
    stmt({ entityId: 'fr-ct:p1', schema: 'Person', prop: 'alias', value: 'Abou Karim', source: fr, caseIds: ['FR-OP-ATLAS'], handling: { codes: ['H1'], releasableTo: [] } }),
    stmt({ entityId: 'fr-ct:p1', schema: 'Person', prop: 'passportNumber', value: 'FR88K12345', source: fr, classification: 'SECRET', handling: { codes: ['H2'], releasableTo: ['*'] } }),
    stmt({ entityId: 'fr-ct:p1', schema: 'Person', prop: 'notes', value: 'Seen at the Bora site', source: fr, caseIds: ['FR-OP-BORA'] }),
    stmt({ entityId: 'fr-ct:ph1', schema: 'Phone', prop: 'number', value: '+33612345678', source: fr }),
    stmt({ entityId: 'fr-ct:pu1', schema: 'PhoneUse', prop: 'person', value: 'fr-ct:p1', source: fr }),
    stmt({ entityId: 'fr-ct:pu1', schema: 'PhoneUse', prop: 'phone', value: 'fr-ct:ph1', source: fr }),
    stmt({ entityId: 'fr-ct:pu1', schema: 'PhoneUse', prop: 'startDate', value: '2023-06-01', source: fr }),
    stmt({ entityId: 'fr-ct:p2', schema: 'Person', prop: 'name', value: 'Yusuf Demiral', source: fr, caseIds: ['FR-OP-BORA'] }),
    stmt({ entityId: 'be-ct:p3', schema: 'Person', prop: 'name', value: 'Lena Vossberg', source: be, handling: { codes: ['H2'], releasableTo: [] } }),
    stmt({ entityId: 'fr-ct:x1', schema: 'Person', prop: 'name', value: XSS_NAME, source: fr }),
    stmt({ entityId: 'fr-ct:o1', schema: 'Organization', prop: 'name', value: "Robert'); DROP TABLE statements;-- Logistics", source: fr }),
  ]);
  return gov;
}

const silent = pino({ level: 'silent' });

/** An in-memory store, the seeded world and the app, for in-process API tests. */
export async function apiFixture(overrides: Partial<ApiDeps> = {}): Promise<TesseraApp & { store: Store; gov: Governance }> {
  const store = await openStore({ url: 'sqlite::memory:' });
  const gov = await seedApiWorld(store);
  const config = loadConfig({}, { databaseUrl: 'sqlite::memory:', port: 0 });
  return { ...createApp({ gov, config, logger: silent, ...overrides }), store, gov };
}
