import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DISCLOSER, DISCLOSURE_TABLE, H3_CONDITIONS, RECIPIENT, type DisclosureRow } from '../../test/support/disclosure-table.js';
import { frCtx, seedWorld } from '../../test/support/governance.js';
import { stmt } from '../../test/support/statements.js';
import { DEFAULT_CLASSIFICATIONS, type Statement } from '../model/index.js';
import { openStore, type Store } from '../store/index.js';
import {
  DISCLOSURE_WITHHELD_REASONS,
  disclosureWithheldReason,
  exportEntities,
  handlingWithheldReason,
  noneWithheld,
  prepareDossier,
  rectifyStatement,
  withheldReason,
  type Governance,
  type SubjectRightsNotice,
} from './index.js';

const LEVELS = DEFAULT_CLASSIFICATIONS;
const recipientOf = (r: DisclosureRow) => ({ ...RECIPIENT, clearance: r.clearance ?? RECIPIENT.clearance });

/** The row's statement, as entity `fr-ct:d<i>`, tied to Operation Atlas. */
function statementOf(r: DisclosureRow, i: number): Statement {
  return stmt({
    entityId: `fr-ct:d${i}`,
    schema: 'Person',
    prop: 'name',
    value: `Row ${i} person`,
    source: { agency: r.source, documentId: `doc-${i}`, collectedAt: '2024-02-01T09:00:00Z' },
    handling: { codes: [...r.codes], releasableTo: [...r.releasableTo], ...(r.codes.includes('H3') ? { conditions: H3_CONDITIONS } : {}) },
    classification: r.classification,
    caseIds: ['FR-OP-ATLAS'],
  });
}

describe('the disclosure rule (one rule for every export path)', () => {
  it.each(DISCLOSURE_TABLE.map((r, i) => [r.label, r, i] as const))('%s', (_label, r, i) => {
    expect(disclosureWithheldReason(statementOf(r, i), DISCLOSER, recipientOf(r), LEVELS, { originatorGrant: r.grant === true })).toBe(r.expected);
  });

  it('covers every reason, the originator getting its own back, and the originator’s grant', () => {
    expect(new Set(DISCLOSURE_TABLE.map((r) => r.expected))).toEqual(new Set([...DISCLOSURE_WITHHELD_REASONS, undefined]));
    expect(DISCLOSURE_TABLE.some((r) => r.source === RECIPIENT.agency && r.expected === undefined)).toBe(true);
    expect(DISCLOSURE_TABLE.some((r) => r.grant && r.expected === undefined)).toBe(true);
    expect(DISCLOSURE_TABLE.some((r) => r.grant && r.expected !== undefined)).toBe(true);
  });

  it('has a handling half that gives the same answer whenever classification allows (federation’s check)', () => {
    DISCLOSURE_TABLE.forEach((r, i) => {
      const handling = handlingWithheldReason(statementOf(r, i), DISCLOSER, RECIPIENT, { originatorGrant: r.grant === true });
      expect(handling, r.label).toBe(r.expected === 'classification' ? handling : r.expected);
      if (r.expected === 'classification') expect(handling, r.label).not.toBe('classification');
    });
  });
});

describe('every export path applies the rule', () => {
  let store: Store;
  let gov: Governance;
  const dpoCtx = { userId: 'fr.dpo', purpose: 'Correct a subject’s record after an access request', caseId: null };
  // Rows the FR analyst may read (one cannot disclose what one may not read) and that need no grant
  // (exports and dossiers offer none; federation's release does).
  const rows = DISCLOSURE_TABLE.map((r, i) => ({ r, i })).filter(({ r }) => !r.grant && (r.clearance ?? RECIPIENT.clearance) === RECIPIENT.clearance);
  const expectedWithheld = () => {
    const counts = noneWithheld();
    for (const { r } of readableRows()) if (r.expected) counts[r.expected]++;
    return counts;
  };
  const principal = { userId: 'fr.analyst', agency: 'FR-CT', country: 'FR', roles: ['analyst'] as const, clearance: 'SECRET', cases: ['FR-OP-ATLAS'] };
  const readableRows = () => rows.filter(({ r, i }) => withheldReason(principal, statementOf(r, i), LEVELS) === undefined);

  beforeEach(async () => {
    store = await openStore({ url: 'sqlite::memory:' });
    gov = await seedWorld(store);
    await gov.upsertUser({ id: 'fr.dpo', name: 'DPO FR', agency: 'FR-CT', roles: ['dpo'], clearance: 'SECRET' });
    await gov.systemWrite('test', 'fixture load for the disclosure rule', rows.map(({ r, i }) => statementOf(r, i)));
  });
  afterEach(async () => store.close());

  it('the rows exercise every reason through the export paths', () => {
    expect(readableRows().length).toBeGreaterThan(10);
    expect(Object.values(expectedWithheld()).every((n) => n > 0)).toBe(true);
  });

  it('CLI/API export (`exportEntities`) releases exactly what the rule allows and counts the rest per reason', async () => {
    const r = await exportEntities(gov, frCtx, rows.map(({ i }) => `fr-ct:d${i}`), { recipients: [RECIPIENT.agency], clearance: RECIPIENT.clearance });
    expect(r.statements.map((s) => s.entityId).sort()).toEqual(readableRows().filter(({ r: row }) => row.expected === undefined).map(({ i }) => `fr-ct:d${i}`).sort());
    expect(r.withheld).toEqual(expectedWithheld());
    expect(r.withheldForRecipients).toBe(Object.values(expectedWithheld()).reduce((a, b) => a + b, 0));
    const entry = (await store.readAudit()).findLast((e) => e.action === 'export.entities')!;
    expect(entry.details).toMatchObject({ recipients: ['BE-CT'], clearance: 'RESTRICTED', withheld: expectedWithheld() });
  });

  it('a redacted case dossier releases and withholds the same statements', async () => {
    const d = await prepareDossier(gov, frCtx, { caseId: 'FR-OP-ATLAS', recipient: RECIPIENT.agency, clearance: RECIPIENT.clearance });
    expect(d.entities.map((e) => e.id).sort()).toEqual(readableRows().filter(({ r }) => r.expected === undefined).map(({ i }) => `fr-ct:d${i}`).sort());
    expect(d.withheld).toEqual(expectedWithheld());
  });

  it('an export without recipients is internal: everything readable, nothing withheld, no recipients logged', async () => {
    const r = await exportEntities(gov, frCtx, rows.map(({ i }) => `fr-ct:d${i}`));
    expect(r.statements).toHaveLength(readableRows().length);
    expect(r.withheld).toEqual(noneWithheld());
    expect((await store.readAudit()).findLast((e) => e.action === 'export.entities')!.details.recipients).toBeUndefined();
  });

  it('refuses unknown recipients and clearance levels, naming the field', async () => {
    await expect(exportEntities(gov, frCtx, ['fr-ct:d0'], { recipients: ['XX-NONE'] })).rejects.toMatchObject({ code: 'VALIDATION', field: 'recipients' });
    await expect(exportEntities(gov, frCtx, ['fr-ct:d0'], { recipients: ['BE-CT'], clearance: 'TOP' })).rejects.toMatchObject({ code: 'VALIDATION', field: 'clearance' });
  });

  it('sends a corrected value only to recipients the rule lets it go to, at the clearance they were given', async () => {
    await gov.systemWrite('test', 'a subject with a Spain-only alias and a restricted address', [
      stmt({ entityId: 'fr-ct:r1', schema: 'Person', prop: 'name', value: 'Milan Oster' }),
      stmt({ entityId: 'fr-ct:r1', schema: 'Person', prop: 'alias', value: 'Mila O.', handling: { codes: [], releasableTo: ['ES'] } }),
      stmt({ entityId: 'fr-ct:r1', schema: 'Person', prop: 'address', value: 'Rue des Tanneurs 4, Lille', classification: 'RESTRICTED' }),
    ]);
    await exportEntities(gov, frCtx, ['fr-ct:r1'], { recipients: ['BE-CT'] }); // UNCLASSIFIED by default
    await exportEntities(gov, frCtx, ['fr-ct:r1'], { recipients: ['ES-CT'], clearance: 'RESTRICTED' });
    const sent: SubjectRightsNotice[] = [];
    const notifier = { notify: async (n: SubjectRightsNotice) => (sent.push(n), { delivered: true }) };
    const [alias, address] = ['alias', 'address'].map((p) => gov.store.statementsOf('fr-ct:r1').then((l) => l.find((s) => s.prop === p)!));

    await rectifyStatement(gov, dpoCtx, (await alias)!.id, 'Mila Oster', { notifier });
    expect(sent.map((n) => [n.recipient, n.corrections?.map((c) => c.value)])).toEqual([
      ['BE-CT', []], // not releasable to Belgium: told that it changed, not the value
      ['ES-CT', ['Mila Oster']],
    ]);
    sent.length = 0;
    await rectifyStatement(gov, dpoCtx, (await address)!.id, 'Rue des Tanneurs 6, Lille', { notifier });
    expect(sent.map((n) => [n.recipient, n.corrections?.map((c) => c.value)])).toEqual([
      ['BE-CT', []], // RESTRICTED, Belgium was given UNCLASSIFIED
      ['ES-CT', ['Rue des Tanneurs 6, Lille']],
    ]);
    const notify = (await store.readAudit()).findLast((e) => e.action === 'subject.rectify.notify')!;
    expect(notify.details).toMatchObject({ notified: ['BE-CT', 'ES-CT'], withoutValue: ['BE-CT'] });
  });
});
