import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { hashPassword, type Governance } from '../governance/index.js';
import { invalid, validateStatement, type Statement } from '../model/index.js';
import type { Scenario } from '../scenario/index.js';
import { DEMO_LOGINS_KEY, type DemoLogin } from './commands/serve.js';
import { DEMO_DEFAULTS_KEY } from './context.js';
import type { Progress } from './progress.js';

/** The demo password of every seeded user (printed at start-up; a demo only). */
export const DEMO_PASSWORD = 'tessera-demo';

/** The users `load` creates per agency: an analyst, a supervisor and a DPO; plus one administrator. */
export function demoUsers(agencyId: string): { id: string; name: string; roles: ('analyst' | 'supervisor' | 'dpo' | 'admin')[]; clearance: string }[] {
  const cc = agencyId.slice(0, 2).toLowerCase();
  return [
    { id: `${cc}.analyst`, name: `Analyst (${agencyId})`, roles: ['analyst'], clearance: 'SECRET' },
    { id: `${cc}.supervisor`, name: `Supervisor (${agencyId})`, roles: ['analyst', 'supervisor'], clearance: 'SECRET' },
    { id: `${cc}.dpo`, name: `Data protection officer (${agencyId})`, roles: ['dpo'], clearance: 'SECRET' },
  ];
}

export interface LoadSummary {
  readonly agencies: number;
  readonly users: number;
  readonly cases: number;
  readonly statements: number;
  readonly inserted: number;
  readonly duplicates: number;
  readonly seconds: number;
  readonly demoContext: { userId: string; purpose: string; caseId: string };
}

/**
 * Loads a scenario into a store: agencies, demo users with passwords, cases with members and legal
 * bases, then every statement (validated; each batch in one transaction, audited as a system load),
 * and the demo defaults for the CLI. Writes the ground truth beside the store when `truthPath` is given.
 */
export async function loadScenario(gov: Governance, scenario: Scenario, options: { progress?: Progress; truthPath?: string; agency?: string } = {}): Promise<LoadSummary> {
  // A federation node holds only its own agency's part (`load --agency`); agencies, users and cases are all registered.
  const only = options.agency;
  if (only !== undefined && !scenario.agencies.some((a) => a.id === only)) throw invalid(`the scenario has no agency "${only}" (agencies: ${scenario.agencies.map((a) => a.id).join(', ')})`, undefined, 'agency');
  const started = Date.now();
  const passwordHash = hashPassword(DEMO_PASSWORD);
  let users = 0;
  for (const a of scenario.agencies) {
    await gov.upsertAgency({ id: a.id, name: a.name, country: a.country });
    for (const u of demoUsers(a.id)) {
      await gov.upsertUser({ ...u, agency: a.id, passwordHash });
      users++;
    }
  }
  await gov.upsertUser({ id: 'admin', name: 'Administrator', agency: scenario.agencies[0]!.id, roles: ['admin'], clearance: 'SECRET', passwordHash });
  users++;
  for (const c of scenario.cases) {
    const cc = c.agency.slice(0, 2).toLowerCase();
    await gov.upsertCase({
      id: c.id,
      name: c.name,
      agency: c.agency,
      // Cell investigations run under the full counter-terrorism basis; the general intake case screens only.
      legalBasis: c.cells.length > 0 ? 'counter-terrorism-full' : 'screening-only',
      members: [`${cc}.analyst`, `${cc}.supervisor`, `${cc}.dpo`],
      openedAt: c.opened.length === 10 ? `${c.opened}T00:00:00Z` : c.opened,
      subjects: [],
    });
  }
  let batchNo = 0;
  // Validation happens as batches stream into the store; the first invalid statement aborts the
  // whole load (the bulk path is one transaction), naming the batch, statement and field.
  function* validated(): Generator<Statement[]> {
    for (const all of scenario.statements({ batchSize: 10_000 })) {
      batchNo++;
      const batch = only === undefined ? all : all.filter((st) => st.source.agency === only);
      yield batch.map((s, i) => validateStatement(s, `scenario batch ${batchNo} statement ${i + 1} (${s.entityId})`));
    }
  }
  const written = await gov.systemBulkWrite('load', `Load of synthetic scenario ${scenario.size} seed ${scenario.seed}`, validated(), (n) => options.progress?.update(n));
  const statements = written.inserted + written.duplicates;
  const { inserted, duplicates } = written;
  const first = scenario.agencies.find((a) => a.id === only) ?? scenario.agencies[0]!;
  const firstCase = scenario.cases.find((c) => c.agency === first.id && c.cells.length > 0) ?? scenario.cases.find((c) => c.agency === first.id)!;
  const demoContext = {
    userId: `${first.id.slice(0, 2).toLowerCase()}.analyst`,
    purpose: `Demo: analysis of the network under ${firstCase.name}`,
    caseId: firstCase.id,
  };
  await gov.store.setMeta(DEMO_DEFAULTS_KEY, JSON.stringify(demoContext));
  const logins: DemoLogin[] = [
    ...scenario.agencies.map((a) => ({ userId: `${a.id.slice(0, 2).toLowerCase()}.analyst`, password: DEMO_PASSWORD, agency: a.id, note: 'analyst' })),
    { userId: `${first.id.slice(0, 2).toLowerCase()}.supervisor`, password: DEMO_PASSWORD, agency: first.id, note: 'supervisor' },
    { userId: `${first.id.slice(0, 2).toLowerCase()}.dpo`, password: DEMO_PASSWORD, agency: first.id, note: 'data protection officer' },
  ];
  await gov.store.setMeta(DEMO_LOGINS_KEY, JSON.stringify(logins));
  await gov.store.setMeta('scenario', JSON.stringify({ seed: scenario.seed, size: scenario.size, referenceTime: scenario.referenceTime }));
  if (options.truthPath) {
    mkdirSync(dirname(options.truthPath), { recursive: true });
    writeFileSync(options.truthPath, JSON.stringify(scenario.truth()));
  }
  return { agencies: scenario.agencies.length, users, cases: scenario.cases.length, statements, inserted, duplicates, seconds: (Date.now() - started) / 1000, demoContext };
}
