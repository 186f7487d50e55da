import { stmt } from '../../test/support/statements.js';
import { seedWorld } from '../../test/support/governance.js';
import type { Governance } from '../governance/index.js';
import type { Statement, StatementInput } from '../model/index.js';
import { openSqliteStore } from '../store/index.js';

/** The reference time of the fixture world. */
export const AS_OF = '2025-07-01T00:00:00Z';

type Input = Partial<StatementInput> & Pick<StatementInput, 'entityId' | 'schema' | 'prop' | 'value'>;

/**
 * A small invented world for triage: Amir (calls the watched Bruno for the first time in May, flew
 * to a conflict-zone gateway in April, holds a firearm), Bruno (a suspect), Chloé and Emil
 * (background who talk to each other), Dario (quiet after a busy winter). Protected properties are
 * set on everyone so an invariance test can vary them.
 */
export function triageWorld(): Statement[] {
  const out: Statement[] = [];
  const s = (x: Input) => out.push(stmt({ source: { agency: 'FR-CT', documentId: 'fixture', collectedAt: '2024-06-01T00:00:00Z' }, ...x }));
  const person = (id: string, name: string, category: StatementInput['subjectCategory'], religion: string) => {
    s({ entityId: `fr-ct:${id}`, schema: 'Person', prop: 'name', value: name, subjectCategory: category });
    s({ entityId: `fr-ct:${id}`, schema: 'Person', prop: 'religion', value: religion, subjectCategory: category });
    s({ entityId: `fr-ct:${id}`, schema: 'Person', prop: 'nationality', value: religion === 'muslim' ? 'MA' : 'FR', subjectCategory: category });
  };
  person('amir', 'Amir Testa', 'contact', 'muslim');
  person('bruno', 'Bruno Fictif', 'suspect', 'christian');
  person('chloe', 'Chloé Exemple', 'other', 'muslim');
  person('emil', 'Emil Muster', 'other', 'none');
  person('dario', 'Dario Inventato', 'contact', 'muslim');
  const phones: Record<string, string> = { amir: '+33612345601', bruno: '+33612345602', chloe: '+33612345603', emil: '+33612345604', dario: '+33612345605' };
  for (const [who, number] of Object.entries(phones)) {
    s({ entityId: `fr-ct:ph-${who}`, schema: 'Phone', prop: 'number', value: number });
    s({ entityId: `fr-ct:pu-${who}`, schema: 'PhoneUse', prop: 'person', value: `fr-ct:${who}` });
    s({ entityId: `fr-ct:pu-${who}`, schema: 'PhoneUse', prop: 'phone', value: `fr-ct:ph-${who}` });
  }
  let n = 0;
  const call = (from: string, to: string, date: string) => {
    const id = `fr-ct:cdr-${++n}`;
    s({ entityId: id, schema: 'Communication', prop: 'caller', value: `fr-ct:ph-${from}` });
    s({ entityId: id, schema: 'Communication', prop: 'callee', value: `fr-ct:ph-${to}` });
    s({ entityId: id, schema: 'Communication', prop: 'date', value: date });
  };
  // Everyone is visible well before the recent window.
  for (const d of ['2025-01-10', '2025-01-20', '2025-02-05', '2025-02-25', '2025-03-10']) {
    call('amir', 'chloe', `${d}T10:00:00Z`);
    call('bruno', 'emil', `${d}T11:00:00Z`);
    call('chloe', 'emil', `${d}T12:00:00Z`);
    call('emil', 'chloe', `${d}T13:00:00Z`);
  }
  // Dario: busy in the baseline, silent in the last 90 days.
  for (let k = 0; k < 12; k++) call('dario', 'emil', `2025-0${1 + (k % 3)}-${String(2 + k).padStart(2, '0')}T09:00:00Z`);
  // Amir's first contact with the watched Bruno, in May.
  call('amir', 'bruno', '2025-05-15T18:00:00Z');
  call('amir', 'bruno', '2025-05-20T18:00:00Z');
  call('chloe', 'emil', '2025-05-21T12:00:00Z');
  // Travel to a conflict-zone gateway, and a firearm.
  s({ entityId: 'fr-ct:ist', schema: 'Place', prop: 'name', value: 'Istanbul Airport' });
  s({ entityId: 'fr-ct:ist', schema: 'Place', prop: 'conflictZoneGateway', value: 'yes' });
  s({ entityId: 'fr-ct:cdg', schema: 'Place', prop: 'name', value: 'Paris CDG' });
  s({ entityId: 'fr-ct:cdg', schema: 'Place', prop: 'conflictZoneGateway', value: 'no' });
  s({ entityId: 'fr-ct:tr1', schema: 'TravelEvent', prop: 'traveller', value: 'fr-ct:amir' });
  s({ entityId: 'fr-ct:tr1', schema: 'TravelEvent', prop: 'origin', value: 'fr-ct:cdg' });
  s({ entityId: 'fr-ct:tr1', schema: 'TravelEvent', prop: 'destination', value: 'fr-ct:ist' });
  s({ entityId: 'fr-ct:tr1', schema: 'TravelEvent', prop: 'departure', value: '2025-04-01T07:00:00Z' });
  s({ entityId: 'fr-ct:fa1', schema: 'Firearm', prop: 'serialNumber', value: 'W123456' });
  s({ entityId: 'fr-ct:pos1', schema: 'Possession', prop: 'owner', value: 'fr-ct:amir' });
  s({ entityId: 'fr-ct:pos1', schema: 'Possession', prop: 'asset', value: 'fr-ct:fa1' });
  return out;
}

/** Later records: Chloé flies to the gateway and acquires a firearm ("risk rose since the last decision"). */
export function chloeTravels(): Statement[] {
  const s = (x: Input) => stmt({ source: { agency: 'FR-CT', documentId: 'fixture-2', collectedAt: '2025-06-20T00:00:00Z' }, ...x });
  return [
    s({ entityId: 'fr-ct:tr2', schema: 'TravelEvent', prop: 'traveller', value: 'fr-ct:chloe' }),
    s({ entityId: 'fr-ct:tr2', schema: 'TravelEvent', prop: 'destination', value: 'fr-ct:ist' }),
    s({ entityId: 'fr-ct:tr2', schema: 'TravelEvent', prop: 'departure', value: '2025-06-10T07:00:00Z' }),
    s({ entityId: 'fr-ct:fa2', schema: 'Firearm', prop: 'serialNumber', value: 'K778899' }),
    s({ entityId: 'fr-ct:pos2', schema: 'Possession', prop: 'owner', value: 'fr-ct:chloe' }),
    s({ entityId: 'fr-ct:pos2', schema: 'Possession', prop: 'asset', value: 'fr-ct:fa2' }),
  ];
}

/**
 * The Belgian unit's record of Emil under a variant spelling, with a trip to the conflict-zone
 * gateway and a firearm that only Belgium holds: ranked by record, Emil looks unremarkable;
 * resolved, the trip and the firearm are his.
 */
export function emilInBelgium(): Statement[] {
  const s = (x: Input) => stmt({ source: { agency: 'BE-CT', documentId: 'be-fixture', collectedAt: '2025-06-01T00:00:00Z' }, subjectCategory: 'contact', ...x });
  return [
    s({ entityId: 'be-ct:emil', schema: 'Person', prop: 'name', value: 'Emil Mustér' }),
    s({ entityId: 'be-ct:emil', schema: 'Person', prop: 'religion', value: 'none' }),
    s({ entityId: 'be-ct:tr9', schema: 'TravelEvent', prop: 'traveller', value: 'be-ct:emil' }),
    s({ entityId: 'be-ct:tr9', schema: 'TravelEvent', prop: 'destination', value: 'fr-ct:ist' }),
    s({ entityId: 'be-ct:tr9', schema: 'TravelEvent', prop: 'departure', value: '2025-05-28T06:00:00Z' }),
    s({ entityId: 'be-ct:fa9', schema: 'Firearm', prop: 'serialNumber', value: 'B445566' }),
    s({ entityId: 'be-ct:pos9', schema: 'Possession', prop: 'owner', value: 'be-ct:emil' }),
    s({ entityId: 'be-ct:pos9', schema: 'Possession', prop: 'asset', value: 'be-ct:fa9' }),
  ];
}

/** A fresh in-memory store with the access-test world, a supervisor in Operation Atlas, and the statements. */
export async function triageGovernance(statements: readonly Statement[]): Promise<Governance> {
  const store = await openSqliteStore({ path: ':memory:' });
  const gov = await seedWorld(store);
  await gov.upsertUser({ id: 'fr.chief', name: 'Supervisor FR', agency: 'FR-CT', roles: ['analyst', 'supervisor'], clearance: 'SECRET' });
  await gov.upsertCase({ id: 'FR-OP-ATLAS', name: 'Operation Atlas', agency: 'FR-CT', legalBasis: 'counter-terrorism-full', members: ['fr.analyst', 'fr.junior', 'fr.chief'], openedAt: '2024-01-01T00:00:00Z' });
  await gov.systemWrite('test', 'Triage fixture world for unit tests', statements);
  return gov;
}

export const chiefCtx = { userId: 'fr.chief', purpose: 'Weekly triage of surveillance capacity for Operation Atlas', caseId: 'FR-OP-ATLAS' } as const;

