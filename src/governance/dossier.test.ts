import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { frCtx, seedWorld } from '../../test/support/governance.js';
import { stmt } from '../../test/support/statements.js';
import { DEFAULT_CLASSIFICATIONS, type Statement } from '../model/index.js';
import { openStore, type Store } from '../store/index.js';
import {
  auditChainStatus,
  browseAudit,
  disclosureWithheldReason,
  dpoReport,
  prepareDossier,
  redactForRecipient,
  searchAudit,
  withheldTotal,
  type DisclosureRecipient,
  type Governance,
} from './index.js';

const LEVELS = DEFAULT_CLASSIFICATIONS;
const BE: DisclosureRecipient = { agency: 'BE-CT', country: 'BE', clearance: 'RESTRICTED' };
const fr = { agency: 'FR-CT', documentId: 'fr-report-7', collectedAt: '2024-02-01T09:00:00Z' };
const es = { agency: 'ES-CT', documentId: 'es-note-3', collectedAt: '2024-03-01T09:00:00Z' };
const be = { agency: 'BE-CT', documentId: 'be-note-12', collectedAt: '2024-03-05T14:00:00Z' };

describe('disclosureWithheldReason (the redaction rule)', () => {
  const base = { entityId: 'fr-ct:p1', schema: 'Person', prop: 'name', value: 'Karim Benali' } as const;
  const cases: readonly [string, Statement, DisclosureRecipient, string | undefined][] = [
    ['own, released to all', stmt({ ...base, source: fr }), BE, undefined],
    ['own, released to the recipient agency', stmt({ ...base, source: fr, handling: { codes: [], releasableTo: ['BE-CT'] } }), BE, undefined],
    ['own, released to the recipient country', stmt({ ...base, source: fr, handling: { codes: [], releasableTo: ['BE'] } }), BE, undefined],
    ['own, released to another country only', stmt({ ...base, source: fr, handling: { codes: [], releasableTo: ['ES'] } }), BE, 'releasability'],
    ['own, released to nobody (the marking binds its own agency too)', stmt({ ...base, source: fr, handling: { codes: [], releasableTo: [] } }), BE, 'releasability'],
    ['above the recipient clearance', stmt({ ...base, source: fr, classification: 'CONFIDENTIAL' }), BE, 'classification'],
    ['at the recipient clearance', stmt({ ...base, source: fr, classification: 'RESTRICTED' }), BE, undefined],
    ['unknown level (deny by default)', stmt({ ...base, source: fr, classification: 'COSMIC' }), { ...BE, clearance: 'SECRET' }, 'classification'],
    ['a partner’s H2 (no further dissemination)', stmt({ ...base, source: es, handling: { codes: ['H2'], releasableTo: ['*'] } }), BE, 'H2'],
    ['own H2 (binds the recipient, not the originator)', stmt({ ...base, source: fr, handling: { codes: ['H2'], releasableTo: ['*'] } }), BE, undefined],
    ['H3 conditions (a person must check them)', stmt({ ...base, source: fr, handling: { codes: ['H3'], conditions: 'only for the Atlas prosecutor', releasableTo: ['*'] } }), BE, 'H3'],
    ['H1 does not stop a disclosure', stmt({ ...base, source: fr, handling: { codes: ['H1'], releasableTo: ['*'] } }), BE, undefined],
    ['the originator gets its own H2/H3 back', stmt({ ...base, source: be, handling: { codes: ['H2', 'H3'], conditions: 'x', releasableTo: [] } }), BE, undefined],
    ['…but not above the level it is cleared for', stmt({ ...base, source: be, classification: 'SECRET', handling: { codes: [], releasableTo: [] } }), BE, 'classification'],
  ];
  it.each(cases)('%s', (_label, s, recipient, expected) => {
    expect(disclosureWithheldReason(s, 'FR-CT', recipient, LEVELS)).toBe(expected);
  });

  it('partitions a list and counts every withheld statement under its first reason', () => {
    const list = cases.filter(([, , r]) => r === BE).map(([, s]) => s);
    const { released, withheld } = redactForRecipient(list, 'FR-CT', BE, LEVELS);
    expect(withheld).toEqual({ classification: 2, releasability: 2, H2: 1, H3: 1 });
    expect(released).toHaveLength(list.length - 6);
    expect(withheldTotal(withheld)).toBe(6);
  });
});

describe('prepareDossier', () => {
  let store: Store;
  let gov: Governance;
  const atlas = ['FR-OP-ATLAS'] as const;

  beforeEach(async () => {
    store = await openStore({ url: 'sqlite::memory:' });
    gov = await seedWorld(store);
    await gov.upsertUser({ id: 'fr.dpo', name: 'DPO FR', agency: 'FR-CT', roles: ['dpo'], clearance: 'SECRET' });
    await gov.upsertUser({ id: 'fr.auditor', name: 'Auditor FR', agency: 'FR-CT', roles: ['auditor'], clearance: 'SECRET' });
    await gov.upsertCase({ id: 'FR-OP-ATLAS', name: 'Operation Atlas', agency: 'FR-CT', legalBasis: 'counter-terrorism-full', members: ['fr.analyst', 'fr.junior', 'fr.dpo'], openedAt: '2024-01-01T00:00:00Z' });
    await gov.systemWrite('test', 'fixture load for dossier tests', [
      stmt({ entityId: 'fr-ct:p1', schema: 'Person', prop: 'name', value: 'Karim Benali', source: fr, caseIds: [...atlas] }),
      stmt({ entityId: 'fr-ct:p1', schema: 'Person', prop: 'alias', value: 'Abou Karim', source: fr, handling: { codes: ['H1'], releasableTo: [] } }),
      stmt({ entityId: 'fr-ct:p1', schema: 'Person', prop: 'passportNumber', value: 'FR88K12345', source: fr, classification: 'CONFIDENTIAL' }),
      stmt({ entityId: 'fr-ct:p1', schema: 'Person', prop: 'birthDate', value: '1990-04-02', source: es, handling: { codes: ['H2'], releasableTo: ['*'] } }),
      stmt({ entityId: 'fr-ct:p1', schema: 'Person', prop: 'address', value: '12 rue des Lilas, Lyon', source: fr, handling: { codes: ['H3'], conditions: 'only for the Atlas prosecutor', releasableTo: ['*'] } }),
      stmt({ entityId: 'fr-ct:p1', schema: 'Person', prop: 'position', value: 'Courier', source: fr, handling: { codes: ['H1', 'H2'], releasableTo: ['BE'] } }),
      // Not readable by fr.analyst: a Belgian note released to nobody, a Bora compartment note.
      stmt({ entityId: 'fr-ct:p1', schema: 'Person', prop: 'notes', value: 'Belgian surveillance note', source: be, handling: { codes: [], releasableTo: [] } }),
      stmt({ entityId: 'fr-ct:p1', schema: 'Person', prop: 'notes', value: 'Seen at the Bora site', source: fr, caseIds: ['FR-OP-BORA'] }),
      stmt({ entityId: 'fr-ct:ph1', schema: 'Phone', prop: 'number', value: '+33612345678', source: fr }),
      stmt({ entityId: 'fr-ct:pu1', schema: 'PhoneUse', prop: 'person', value: 'fr-ct:p1', source: fr }),
      stmt({ entityId: 'fr-ct:pu1', schema: 'PhoneUse', prop: 'phone', value: 'fr-ct:ph1', source: fr }),
      stmt({ entityId: 'fr-ct:pu1', schema: 'PhoneUse', prop: 'startDate', value: '2023-06-01', source: fr }),
      // An associate whose name the recipient may not receive: the link shows the end without a caption.
      stmt({ entityId: 'fr-ct:p2', schema: 'Person', prop: 'name', value: 'Yusuf Demiral', source: fr, handling: { codes: [], releasableTo: ['ES'] }, caseIds: [...atlas] }),
      stmt({ entityId: 'fr-ct:as1', schema: 'Associate', prop: 'person', value: 'fr-ct:p1', source: fr }),
      stmt({ entityId: 'fr-ct:as1', schema: 'Associate', prop: 'associate', value: 'fr-ct:p2', source: fr }),
      // Outside the case and unlinked: never in the case dossier.
      stmt({ entityId: 'fr-ct:p9', schema: 'Person', prop: 'name', value: 'Quentin Farral', source: fr }),
    ]);
  });
  afterEach(async () => store.close());

  it('discloses to the recipient only what its markings allow, counting the rest by reason', async () => {
    const d = await prepareDossier(gov, frCtx, { subject: 'fr-ct:p1', recipient: 'BE-CT', clearance: 'RESTRICTED' }, { format: 'html' });
    expect(d.kind).toBe('subject');
    expect(d.title).toBe('Subject dossier: Karim Benali');
    expect(d.recipient).toEqual({ agency: 'BE-CT', country: 'BE', clearance: 'RESTRICTED', name: 'Belgian CT unit (fictional)' });
    const p1 = d.entities.find((e) => e.id === 'fr-ct:p1')!;
    expect(Object.keys(p1.properties).sort()).toEqual(['name', 'position']);
    expect(d.entities.map((e) => e.id)).toEqual(['fr-ct:p1', 'fr-ct:ph1']); // subject first; p2 has nothing releasable
    // alias (releasable to nobody) + p2's name (ES only) | passport | birthDate (ES's H2) | address (H3)
    expect(d.withheld).toEqual({ classification: 1, releasability: 2, H2: 1, H3: 1 });
    expect(d.caveats).toEqual({ H1: 1, H2: 1 });
    const phoneUse = d.links.find((l) => l.entity.schema === 'PhoneUse')!;
    expect(phoneUse.ends).toEqual([
      { role: 'person', id: 'fr-ct:p1', caption: 'Karim Benali' },
      { role: 'phone', id: 'fr-ct:ph1', caption: '+33612345678' },
    ]);
    expect(phoneUse.startDate).toBe('2023-06-01');
    expect(d.links.find((l) => l.entity.schema === 'Associate')!.ends).toContainEqual({ role: 'associate', id: 'fr-ct:p2', caption: undefined });
    // Nothing withheld leaks into the disclosed content.
    const text = JSON.stringify(d);
    for (const secret of ['Abou Karim', 'FR88K12345', '1990-04-02', 'Lilas', 'Atlas prosecutor', 'Yusuf', 'Belgian surveillance', 'Bora site']) expect(text).not.toContain(secret);
  });

  it('is recorded as a disclosure to the recipient: audit entry, audit search and DPO report', async () => {
    const d = await prepareDossier(gov, frCtx, { subject: 'fr-ct:p1', recipient: 'BE-CT' }, { format: 'pdf' });
    const entry = (await store.readAudit(d.auditSeq, 1))[0]!;
    expect(entry).toMatchObject({ action: 'export.dossier', outcome: 'allowed', userId: 'fr.analyst', caseId: 'FR-OP-ATLAS', details: { recipients: ['BE-CT'], format: 'pdf', kind: 'subject' } });
    expect(entry.entityIds.sort()).toEqual(['fr-ct:as1', 'fr-ct:p1', 'fr-ct:ph1', 'fr-ct:pu1']);
    const dpo = { userId: 'fr.dpo', purpose: 'Quarterly lawfulness review of disclosures', caseId: null };
    expect((await searchAudit(gov, dpo, { recipient: 'BE-CT' })).matched).toBe(1);
    const report = await dpoReport(gov, dpo);
    expect(report.disclosures).toContainEqual(expect.objectContaining({ recipient: 'BE-CT', crossBorder: true, disclosures: 1 }));
  });

  it('defaults to the lowest classification level for the recipient', async () => {
    const d = await prepareDossier(gov, frCtx, { subject: 'fr-ct:p1', recipient: 'BE-CT' });
    expect(d.recipient.clearance).toBe('UNCLASSIFIED');
  });

  it('builds a case dossier from the entities tied to the session case', async () => {
    const d = await prepareDossier(gov, frCtx, { caseId: 'FR-OP-ATLAS', recipient: 'ES-CT', clearance: 'SECRET' });
    expect(d.kind).toBe('case');
    expect(d.title).toBe('Case dossier: Operation Atlas');
    expect(d.entities.map((e) => e.caption).sort()).toEqual(['Karim Benali', 'Yusuf Demiral']);
  });

  it('refuses what the author may not do, and audits the refusals', async () => {
    await expect(prepareDossier(gov, frCtx, { caseId: 'BE-OP-DUNE', recipient: 'BE-CT' })).rejects.toMatchObject({ code: 'FORBIDDEN', field: 'caseId' });
    await expect(prepareDossier(gov, { userId: 'es.analyst', purpose: 'Verify a Spanish lead against partner holdings', caseId: 'ES-OP-SOL' }, { subject: 'fr-ct:p9', recipient: 'BE-CT' })).resolves.toBeDefined();
    await expect(prepareDossier(gov, { userId: 'be.analyst', purpose: 'Check a Belgian lead against French holdings', caseId: 'BE-OP-DUNE' }, { subject: 'fr-ct:p2', recipient: 'FR-CT' })).rejects.toMatchObject({ code: 'FORBIDDEN', field: 'subject' });
    await expect(prepareDossier(gov, { userId: 'fr.junior', purpose: 'Screen a traveller for Operation Bora', caseId: 'FR-OP-BORA' }, { subject: 'fr-ct:p1', recipient: 'BE-CT' })).rejects.toMatchObject({ code: 'LEGAL_BASIS' });
    await expect(prepareDossier(gov, { userId: 'fr.dpo', purpose: PURPOSE_DPO, caseId: 'FR-OP-ATLAS' }, { subject: 'fr-ct:p1', recipient: 'BE-CT' })).rejects.toMatchObject({ code: 'FORBIDDEN', field: 'role' });
    await expect(prepareDossier(gov, { ...frCtx, purpose: '' }, { subject: 'fr-ct:p1', recipient: 'BE-CT' })).rejects.toMatchObject({ code: 'PURPOSE_REQUIRED' });
    const refusals = (await store.readAudit(1, 10_000)).filter((e) => e.outcome === 'refused').map((e) => e.action);
    expect(refusals.filter((a) => a === 'refused.export.dossier')).toHaveLength(3);
    expect(refusals).toContain('refused.export');
  });

  it('validates the request, naming the field', async () => {
    await expect(prepareDossier(gov, frCtx, { subject: 'fr-ct:p1', recipient: 'XX-NONE' })).rejects.toMatchObject({ code: 'VALIDATION', field: 'recipient' });
    await expect(prepareDossier(gov, frCtx, { subject: '../etc/passwd', recipient: 'BE-CT' })).rejects.toMatchObject({ code: 'VALIDATION', field: 'subject' });
    await expect(prepareDossier(gov, frCtx, { subject: 'fr-ct:p1', recipient: 'BE-CT', clearance: 'TOP' })).rejects.toMatchObject({ code: 'VALIDATION', field: 'clearance' });
    await expect(prepareDossier(gov, frCtx, { recipient: 'BE-CT' })).rejects.toMatchObject({ code: 'VALIDATION', field: 'subject' });
    await expect(prepareDossier(gov, frCtx, { subject: 'fr-ct:nobody', recipient: 'BE-CT' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

const PURPOSE_DPO = 'Quarterly lawfulness review of disclosures';

describe('audit viewer', () => {
  let store: Store;
  let gov: Governance;
  beforeEach(async () => {
    store = await openStore({ url: 'sqlite::memory:' });
    gov = await seedWorld(store);
    await gov.upsertUser({ id: 'fr.dpo', name: 'DPO FR', agency: 'FR-CT', roles: ['dpo'], clearance: 'SECRET' });
    await gov.upsertUser({ id: 'fr.auditor', name: 'Auditor FR', agency: 'FR-CT', roles: ['auditor'], clearance: 'SECRET' });
    await gov.upsertUser({ id: 'fr.super', name: 'Supervisor FR', agency: 'FR-CT', roles: ['supervisor'], clearance: 'SECRET' });
    await gov.systemWrite('test', 'fixture load', [stmt({ entityId: 'fr-ct:p1', schema: 'Person', prop: 'name', value: 'Karim Benali', source: fr })]);
    for (let i = 0; i < 5; i++) await gov.readEntity(frCtx, 'fr-ct:p1');
    await gov.search({ userId: 'be.analyst', purpose: 'Check a Belgian lead against French holdings', caseId: 'BE-OP-DUNE' }, 'benali');
  });
  afterEach(async () => store.close());

  const auditor = { userId: 'fr.auditor', purpose: 'Internal audit of consultations in 2024', caseId: null };

  it('pages newest first with filters, and offers the log’s actions, users and cases', async () => {
    const first = await browseAudit(gov, auditor, { userId: 'fr.analyst', action: 'entity.*', limit: 2 });
    expect(first.matched).toBe(5);
    expect(first.entries.map((e) => e.action)).toEqual(['entity.read', 'entity.read']);
    expect(first.entries[0]!.seq).toBeGreaterThan(first.entries[1]!.seq);
    const second = await browseAudit(gov, auditor, { userId: 'fr.analyst', action: 'entity.*', limit: 2 }, { beforeSeq: first.nextBeforeSeq! });
    expect(second.entries[0]!.seq).toBeLessThan(first.entries[1]!.seq);
    const third = await browseAudit(gov, auditor, { userId: 'fr.analyst', action: 'entity.*', limit: 2 }, { beforeSeq: second.nextBeforeSeq! });
    expect(third.entries).toHaveLength(1);
    expect(third.nextBeforeSeq).toBeUndefined();
    expect(first.facets.users).toEqual(expect.arrayContaining(['be.analyst', 'fr.analyst', 'system:test']));
    expect(first.facets.cases).toEqual(['BE-OP-DUNE', 'FR-OP-ATLAS']);
    expect((await browseAudit(gov, auditor, { caseId: 'BE-OP-DUNE', purpose: 'belgian lead' })).entries.map((e) => e.action)).toEqual(['search']);
    expect((await browseAudit(gov, auditor, { to: '2000-01-01' })).matched).toBe(0);
    // Each search is itself in the log.
    expect((await store.auditHead())!.action).toBe('audit.search');
  });

  it('reports the chain state with the number of entries verified', async () => {
    const ok = await auditChainStatus(gov, auditor);
    expect(ok).toMatchObject({ intact: true, problems: [], latestCheckpoint: undefined });
    expect(ok.entries).toBe(7); // load, five reads, one search (the verification is logged after it)
    expect((await store.auditHead())!.action).toBe('audit.verify');
  });

  it('is open to the DPO and auditors only, with a meaningful purpose', async () => {
    await expect(browseAudit(gov, { ...auditor, userId: 'fr.dpo' }, {})).resolves.toBeDefined();
    for (const userId of ['fr.analyst', 'fr.super']) {
      await expect(browseAudit(gov, { ...auditor, userId }, {})).rejects.toMatchObject({ code: 'FORBIDDEN', field: 'role' });
      await expect(auditChainStatus(gov, { ...auditor, userId })).rejects.toMatchObject({ code: 'FORBIDDEN', field: 'role' });
    }
    await expect(browseAudit(gov, { ...auditor, purpose: 'audit' }, {})).rejects.toMatchObject({ code: 'PURPOSE_REQUIRED' });
  });
});
