import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { frCtx, seedWorld } from '../../test/support/governance.js';
import { addOversightUsers, dpoCtx, FIXTURE_NOW, privacyFixture, superCtx } from '../../test/support/privacy.js';
import { stmt } from '../../test/support/statements.js';
import { openStore, type Store } from '../store/index.js';
import {
  checkProtectedInvariance,
  createCheckpoint,
  decideReidentification,
  dpoReport,
  eraseSubject,
  exportEntities,
  exportSubject,
  findAuditEntries,
  formatAuditEntries,
  generateCheckpointKeyPem,
  generateReidKeyPair,
  checkpointKeyFromPem,
  installReidPublicKey,
  isMasked,
  parseAnchors,
  perturbProtected,
  rectifyStatement,
  reidentify,
  requestReidentification,
  robustZ,
  runRetention,
  scheduleRetention,
  searchAudit,
  setAccessLimits,
  storedCheckpointKey,
  verifyAnchoredAudit,
  type ActiveAlertLookup,
  type Governance,
  type PartnerNotifier,
  type SubjectRightsNotice,
} from './index.js';

let store: Store;
let gov: Governance;

beforeEach(async () => {
  store = await openStore({ url: 'sqlite::memory:' });
  gov = await seedWorld(store);
  await addOversightUsers(gov);
  await gov.systemWrite('test', 'fixture load for privacy tests', privacyFixture());
});
afterEach(async () => store.close());

const alertOn = (...ids: string[]): ActiveAlertLookup => ({
  activeAlerts: async (asked) => new Map(asked.filter((id) => ids.includes(id)).map((id) => [id, { alertId: `alert-${id}`, entityId: id, ownerAgency: 'FR-CT' }])),
});

describe('audit search and export', () => {
  it('filters by user, action prefix, outcome, entity and purpose text, and logs the search', async () => {
    await gov.readEntity(frCtx, 'fr-ct:p1');
    await expect(gov.readEntity({ ...frCtx, purpose: 'x' }, 'fr-ct:p1')).rejects.toMatchObject({ code: 'PURPOSE_REQUIRED' });
    const reads = await searchAudit(gov, dpoCtx, { userId: 'fr.analyst', action: 'entity.*' });
    expect(reads.entries.map((e) => e.action)).toEqual(['entity.read']);
    expect(reads.entries[0]!.entityIds).toEqual(['fr-ct:p1']);
    const refused = await searchAudit(gov, dpoCtx, { outcome: 'refused' });
    expect(refused.entries).toHaveLength(1);
    expect((await searchAudit(gov, dpoCtx, { purpose: 'CONTACTS OF A SUSPECT', entityId: 'fr-ct:p1' })).matched).toBe(1);
    expect((await searchAudit(gov, dpoCtx, { from: '2099-01-01' })).matched).toBe(0);
    const logged = await findAuditEntries(store, { action: 'audit.search', userId: 'fr.dpo' });
    expect(logged.matched).toBe(4);
  });
  it('refuses analysts and meaningless purposes', async () => {
    await expect(searchAudit(gov, { ...frCtx, caseId: null }, {})).rejects.toMatchObject({ code: 'FORBIDDEN', field: 'role' });
    await expect(searchAudit(gov, { ...dpoCtx, purpose: 'test' }, {})).rejects.toMatchObject({ code: 'PURPOSE_REQUIRED' });
    await expect(searchAudit(gov, dpoCtx, { from: 'yesterday' })).rejects.toMatchObject({ code: 'VALIDATION', field: 'from' });
  });
  it('exports CSV safe for spreadsheets and JSON Lines that keep the hashes', async () => {
    await gov.readEntity({ ...frCtx, purpose: '=HYPERLINK("http://x") contacts review' }, 'fr-ct:p1');
    const { entries } = await findAuditEntries(store, { action: 'entity.read' });
    const csv = formatAuditEntries(entries, 'csv');
    expect(csv.split('\r\n')[0]).toBe('seq,at,userId,agency,purpose,caseId,action,outcome,entityIds,recipients,details,prevHash,hash');
    expect(csv).toContain(`"'=HYPERLINK(""http://x"") contacts review"`);
    const jsonl = formatAuditEntries(entries, 'jsonl').trim().split('\n').map((l) => JSON.parse(l) as { hash: string });
    expect(jsonl[0]!.hash).toBe(entries[0]!.hash);
  });
});

describe('signed checkpoints', () => {
  it('detect a truncated tail that the hash chain alone cannot see', async () => {
    const key = checkpointKeyFromPem(generateCheckpointKeyPem());
    for (let i = 0; i < 3; i++) await gov.readEntity(frCtx, 'fr-ct:p1');
    const cp = await createCheckpoint(gov, key);
    const anchors = parseAnchors(`${JSON.stringify(cp)}\n`);
    expect((await verifyAnchoredAudit(gov, { trustedKeys: [key.publicKey], anchors })).problems).toEqual([]);
    // Simulate truncation: a copy of the log without its last entries (what an insider could leave).
    const copy = await openStore({ url: 'sqlite::memory:' });
    const g2 = await seedWorld(copy);
    const entries = await store.readAudit(1, 10_000);
    const copyHead = await copy.auditHead();
    expect(copyHead).toBeUndefined();
    // Re-append the first entries verbatim (the chain is recomputed identically from genesis).
    for (const e of entries.filter((x) => x.seq < cp.seq - 1)) {
      await copy.appendAudit({ at: e.at, userId: e.userId, agency: e.agency, purpose: e.purpose, caseId: e.caseId, action: e.action, outcome: e.outcome, entityIds: e.entityIds, details: e.details });
    }
    expect((await g2.verifyAudit()).problems).toEqual([]); // the chain alone looks fine
    const result = await verifyAnchoredAudit(g2, { trustedKeys: [key.publicKey], anchors });
    expect(result.problems[0]).toMatchObject({ kind: 'missing' });
    await copy.close();
  });
  it('reject a forged or altered checkpoint and an unknown signer', async () => {
    const key = await storedCheckpointKey(store);
    const cp = await createCheckpoint(gov, key);
    const forged = { ...cp, seq: cp.seq + 5 };
    const other = generateKeyPairSync('ed25519').publicKey;
    const r = await verifyAnchoredAudit(gov, { anchors: [forged] });
    expect(r.problems.map((p) => p.kind)).toEqual(['bad-signature']);
    const r2 = await verifyAnchoredAudit(gov, { trustedKeys: [other] });
    expect(r2.problems.map((p) => p.kind)).toContain('unknown-key');
  });
});

describe('retention', () => {
  it('depersonalises old travel, deletes travel past five years, lists reviews due, and reports it', async () => {
    await installReidPublicKey(store, generateReidKeyPair(2048).publicPem);
    const report = await runRetention(gov, { now: FIXTURE_NOW });
    expect(report.depersonalised).toBe(3); // traveller, name and document of t-old
    expect(report.deleted).toBe(4); // every statement of t-ancient
    const old = await store.statementsOf('fr-ct:t-old');
    expect(old.filter((s) => isMasked(s.value)).map((s) => s.prop).sort()).toEqual(['documentNumber', 'traveller', 'travellerName']);
    expect(old.find((s) => s.prop === 'mode')!.value).toBe('air');
    expect(await store.statementsOf('fr-ct:t-ancient')).toEqual([]);
    expect((await store.statementsOf('fr-ct:t-recent')).some((s) => isMasked(s.value))).toBe(false);
    expect(report.reviewsDue.map((r) => `${r.ruleId}:${r.entityId}`).sort()).toEqual(['contact-review:fr-ct:c1', 'suspect-review:fr-ct:p1']);
    // Masked references do not link unrelated travel to one fake node.
    const masks = old.filter((s) => isMasked(s.value)).map((s) => s.value);
    expect(new Set(masks).size).toBe(masks.length);
    // A second run changes nothing.
    const again = await runRetention(gov, { now: FIXTURE_NOW });
    expect(again.depersonalised + again.deleted).toBe(0);
    expect((await findAuditEntries(store, { action: 'retention.*' })).entries.map((e) => e.action)).toContain('retention.depersonalise');
  });
  it('holds and flags an entity under an active alert (also through the person a travel record names)', async () => {
    await installReidPublicKey(store, generateReidKeyPair(2048).publicPem);
    const report = await runRetention(gov, { now: FIXTURE_NOW, alerts: alertOn('fr-ct:p1') });
    expect(report.deleted).toBe(0);
    expect(report.depersonalised).toBe(0);
    expect(report.held.map((h) => `${h.action}:${h.entityId}:${h.alert.alertId}`).sort()).toEqual(['delete:fr-ct:t-ancient:alert-fr-ct:p1', 'depersonalise:fr-ct:t-old:alert-fr-ct:p1']);
    expect((await store.statementsOf('fr-ct:t-ancient')).length).toBe(4);
    expect((await findAuditEntries(store, { action: 'retention.held' })).matched).toBe(1);
  });
  it('does not mask without a re-identification key, and says so', async () => {
    const report = await runRetention(gov, { now: FIXTURE_NOW });
    expect(report.depersonalised).toBe(0);
    expect(report.skipped[0]).toMatchObject({ ruleId: 'travel-depersonalise', statements: 3 });
    expect(report.skipped[0]!.reason).toMatch(/retention keygen/);
  });
  it('dry run changes nothing', async () => {
    await installReidPublicKey(store, generateReidKeyPair(2048).publicPem);
    const head = await store.auditHead();
    const plan = await runRetention(gov, { now: FIXTURE_NOW, dryRun: true });
    expect(plan.depersonalised).toBe(3);
    expect((await store.statementsOf('fr-ct:t-ancient')).length).toBe(4);
    expect((await store.auditHead())!.seq).toBe(head!.seq);
  });
});

describe('re-identification needs a supervisor and the key file', () => {
  it('runs the four-eyes flow and opens the originals only with the grant token', async () => {
    const keys = generateReidKeyPair(2048);
    await installReidPublicKey(store, keys.publicPem);
    await runRetention(gov, { now: FIXTURE_NOW });
    await gov.upsertCase({ id: 'FR-OP-ATLAS', name: 'Operation Atlas', agency: 'FR-CT', legalBasis: 'counter-terrorism-full', members: ['fr.analyst', 'fr.junior', 'fr.super2'], openedAt: '2024-01-01T00:00:00Z' });
    const req = await requestReidentification(gov, frCtx, 'fr-ct:t-old');
    await expect(reidentify(gov, frCtx, req.id, 'AAAA')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const wrong = generateReidKeyPair(2048);
    await expect(decideReidentification(gov, superCtx, req.id, { approve: true, privateKeyPem: wrong.privatePem })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const selfReq = await requestReidentification(gov, { ...frCtx, userId: 'fr.super2' }, 'fr-ct:t-old');
    await expect(decideReidentification(gov, { ...superCtx, userId: 'fr.super2' }, selfReq.id, { approve: true, privateKeyPem: keys.privatePem })).rejects.toThrow(/four-eyes/);
    await expect(decideReidentification(gov, { ...superCtx, userId: 'fr.analyst' }, req.id, { approve: true, privateKeyPem: keys.privatePem })).rejects.toMatchObject({ code: 'FORBIDDEN', field: 'role' });
    const { token } = await decideReidentification(gov, superCtx, req.id, { approve: true, privateKeyPem: keys.privatePem });
    await expect(reidentify(gov, { ...frCtx, userId: 'fr.junior' }, req.id, token!)).rejects.toThrow(/another user/);
    const values = await reidentify(gov, frCtx, req.id, token!);
    expect(values.map((v) => `${v.prop}=${v.value}`).sort()).toEqual(['documentNumber=X1234567', 'traveller=fr-ct:p1', 'travellerName=Karim Benali']);
    // The store still holds only masks.
    expect((await store.statementsOf('fr-ct:t-old')).filter((s) => s.prop === 'travellerName')[0]!.value).toMatch(/^\[masked /);
    expect((await findAuditEntries(store, { action: 'reid.*' })).entries.map((e) => e.action)).toEqual(['reid.request', 'reid.request', 'reid.approve', 'reid.open']);
  });
});

describe('volume limits and governed export', () => {
  it('refuses a bulk export over the daily limit, logs it, and the DPO report shows it', async () => {
    await setAccessLimits(gov, dpoCtx, { exportSubjectsPerDay: 2 });
    const first = await exportEntities(gov, frCtx, ['fr-ct:p1'], { recipients: ['BE-CT'] });
    expect(first.statements.length).toBeGreaterThan(0);
    await expect(exportEntities(gov, frCtx, ['fr-ct:c1', 'fr-ct:t-old'])).rejects.toMatchObject({ code: 'RATE_LIMITED', field: 'volume' });
    const report = await dpoReport(gov, dpoCtx, { now: new Date() });
    expect(report.bulkExportAttempts).toHaveLength(1);
    expect(report.bulkExportAttempts[0]!.reason).toMatch(/bulk export refused/);
    expect(report.disclosures).toEqual([expect.objectContaining({ recipient: 'BE-CT', country: 'BE', crossBorder: true, disclosures: 1, subjects: 1 })]);
  });
  it('applies to ordinary reads too', async () => {
    await setAccessLimits(gov, dpoCtx, { subjectsPerDay: 2 });
    await gov.readEntity(frCtx, 'fr-ct:p1');
    await gov.readEntity(frCtx, 'fr-ct:c1');
    await expect(gov.readEntity(frCtx, 'fr-ct:p1')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  });
  it('an export without a legal basis for export is refused naming the rule', async () => {
    await expect(exportEntities(gov, { userId: 'fr.junior', purpose: 'Screen passengers of flight AF1234 for Bora', caseId: 'FR-OP-BORA' }, ['fr-ct:p1'])).rejects.toMatchObject({
      code: 'LEGAL_BASIS',
      message: expect.stringMatching(/legal basis "screening-only" of case FR-OP-BORA does not allow export/),
    });
  });
});

describe('DPO report', () => {
  it('flags a user reading far more subjects than peers, refusals, outside-case access and reviews', async () => {
    const people: ReturnType<typeof stmt>[] = [];
    for (let i = 0; i < 60; i++) people.push(stmt({ entityId: `fr-ct:x${i}`, schema: 'Person', prop: 'name', value: `Invented Person ${i}` }));
    await gov.systemWrite('test', 'fixture load of background persons', people);
    for (const u of ['u1', 'u2', 'u3', 'u4', 'u5']) await gov.upsertUser({ id: `fr.${u}`, name: u, agency: 'FR-CT', roles: ['analyst'], clearance: 'SECRET' });
    await gov.upsertCase({ id: 'FR-OP-ATLAS', name: 'Operation Atlas', agency: 'FR-CT', legalBasis: 'counter-terrorism-full', members: ['fr.analyst', 'fr.junior', 'fr.u1', 'fr.u2', 'fr.u3', 'fr.u4', 'fr.u5'], openedAt: '2024-01-01T00:00:00Z' });
    for (const [n, u] of ['u1', 'u2', 'u3', 'u4', 'u5'].entries()) {
      for (let i = 0; i < 3 + (n % 2); i++) await gov.readEntity({ ...frCtx, userId: `fr.${u}` }, `fr-ct:x${n * 4 + i}`);
    }
    await gov.readEntities(frCtx, people.map((p) => p.entityId));
    await expect(gov.readEntity({ ...frCtx, userId: 'be.analyst' }, 'fr-ct:p1')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(gov.readEntity({ ...frCtx, purpose: 'asdf' }, 'fr-ct:p1')).rejects.toMatchObject({ code: 'PURPOSE_REQUIRED' });
    await runRetention(gov, { now: new Date() });
    const report = await dpoReport(gov, dpoCtx);
    expect(report.unusualAccess.map((u) => u.userId)).toEqual(['fr.analyst']);
    expect(report.unusualAccess[0]!.subjects).toBe(60);
    expect(report.outsideCases.map((o) => o.userId)).toEqual(['be.analyst']);
    expect(report.refusals.map((r) => r.kind).sort()).toEqual(['outside-case', 'purpose']);
    expect(report.queries.find((q) => q.userId === 'fr.u1')).toMatchObject({ queries: 3, subjects: 3 });
    expect(report.expiredReviews.map((r) => r.entityId).sort()).toEqual(['fr-ct:c1', 'fr-ct:p1']);
    expect(report.pastRetention.skipped.length + report.pastRetention.depersonalisePending).toBeGreaterThan(0);
    expect(report.auditChain.problems).toEqual([]);
    await expect(dpoReport(gov, { ...superCtx })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
  it('robust z-scores: a clear outlier stands out, equal readers do not', () => {
    const z = robustZ([10, 12, 11, 9, 10, 300]);
    expect(z[5]).toBeGreaterThan(3.5);
    expect(z.slice(0, 5).every((v) => Math.abs(v) < 3.5)).toBe(true);
    expect(robustZ([5, 5, 5, 5])).toEqual([0, 0, 0, 0]);
    expect(robustZ([5, 5, 5, 5, 5, 80])[5]).toBeGreaterThan(3.5);
  });
});

describe('subject rights', () => {
  const sent: SubjectRightsNotice[] = [];
  const notifier: PartnerNotifier = { notify: async (n) => (sent.push(n), { delivered: true, messageId: `m-${sent.length}` }) };
  beforeEach(() => void (sent.length = 0));

  it('exports everything held on a subject with provenance, references and disclosures', async () => {
    await exportEntities(gov, frCtx, ['fr-ct:p1'], { recipients: ['BE-CT'] });
    const out = await exportSubject(gov, dpoCtx, 'fr-ct:p1');
    expect(out.statements.map((s) => s.prop).sort()).toEqual(['name', 'religion']);
    expect(out.statements[0]!.source.documentId).toBe('r-1');
    expect(out.references.map((r) => r.entityId).sort()).toEqual(['fr-ct:t-ancient', 'fr-ct:t-old', 'fr-ct:t-recent']);
    expect(out.disclosures).toEqual([expect.objectContaining({ recipients: ['BE-CT'], userId: 'fr.analyst' })]);
    expect(out.retention.map((r) => r.id)).toContain('suspect-review');
    await expect(exportSubject(gov, { ...frCtx, caseId: null }, 'fr-ct:p1')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // Above the caller's clearance: counted, not shown.
    await gov.systemWrite('test', 'fixture load of a secret statement', [stmt({ entityId: 'fr-ct:p1', schema: 'Person', prop: 'alias', value: 'Abou Karim', classification: 'SECRET' })]);
    await gov.upsertUser({ id: 'fr.dpo2', name: 'Deputy DPO FR', agency: 'FR-CT', roles: ['dpo'], clearance: 'CONFIDENTIAL' });
    const deputy = await exportSubject(gov, { ...dpoCtx, userId: 'fr.dpo2' }, 'fr-ct:p1');
    expect(deputy.statements.map((s) => s.prop)).not.toContain('alias');
    expect(deputy.aboveClearance).toBe(1);
  });
  it('rectifies with validation, logs it, and notifies the partners who received the data', async () => {
    await exportEntities(gov, frCtx, ['fr-ct:p1'], { recipients: ['BE-CT', 'ES-CT'] });
    const [name] = (await store.statementsOf('fr-ct:p1')).filter((s) => s.prop === 'name');
    const r = await rectifyStatement(gov, dpoCtx, name!.id, 'Karim Ben Ali', { notifier });
    expect(r.statement.value).toBe('Karim Ben Ali');
    expect(sent.map((n) => `${n.kind}:${n.recipient}`)).toEqual(['rectification:BE-CT', 'rectification:ES-CT']);
    expect(sent[0]!.corrections).toEqual([{ statementId: name!.id, prop: 'name', value: 'Karim Ben Ali' }]);
    const [audit] = (await findAuditEntries(store, { action: 'subject.rectify' })).entries;
    expect(JSON.stringify(audit)).not.toContain('Karim Benali'); // the log records the change, not the old value
    const [be] = (await store.statementsOf('be-ct:b1')).filter((s) => s.prop === 'name');
    await expect(rectifyStatement(gov, dpoCtx, be!.id, 'Lotte V.')).rejects.toThrow(/only the originator/);
  });
  it('erases a subject and links to it, notifies, and refuses while an alert is active', async () => {
    await exportEntities(gov, frCtx, ['fr-ct:c1'], { recipients: ['BE-CT'] });
    await expect(eraseSubject(gov, dpoCtx, 'fr-ct:p1', { notifier, alerts: alertOn('fr-ct:p1') })).rejects.toMatchObject({ code: 'CONFLICT' });
    const r = await eraseSubject(gov, dpoCtx, 'fr-ct:c1', { notifier, alerts: alertOn('fr-ct:p1') });
    expect(r.deleted).toBe(1);
    expect(await store.statementsOf('fr-ct:c1')).toEqual([]);
    expect(sent.map((n) => `${n.kind}:${n.recipient}`)).toEqual(['erasure:BE-CT']);
    expect((await findAuditEntries(store, { action: 'subject.erase' })).matched).toBe(1);
    const again = await eraseSubject(gov, dpoCtx, 'fr-ct:p1', { notifier });
    expect(again.deleted).toBe(2 + 3); // own statements and the travel records' traveller links
  });
});

describe('protected-characteristic harness', () => {
  it('perturbs only protected properties', () => {
    const base = privacyFixture();
    const removed = perturbProtected(base, 0);
    expect(removed.some((s) => s.prop === 'religion')).toBe(false);
    const varied = perturbProtected(base, 1);
    const unprotected = (xs: typeof base) => xs.filter((s) => !['religion', 'nationality', 'ethnicity', 'migrantStatus', 'politicalOpinion', 'health', 'sexualLife'].includes(s.prop)).map((s) => s.id).sort();
    expect(unprotected(varied)).toEqual(unprotected(base));
    expect(varied.filter((s) => s.entityId === 'fr-ct:p1' && s.prop === 'ethnicity')).toHaveLength(1);
  });
  it('catches a score that peeks at a protected property', async () => {
    const leaky = { name: 'leaky', score: (xs: readonly { entityId: string; prop: string }[]) => new Map([['p1', xs.filter((s) => s.entityId === 'fr-ct:p1' && s.prop === 'religion').length]]) };
    const [r] = await checkProtectedInvariance([leaky], privacyFixture(), 2);
    expect(r!.differences.length).toBeGreaterThan(0);
  });
});

it('the re-identification public key must be a real RSA key', async () => {
  const ed = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
  await expect(installReidPublicKey(store, ed)).rejects.toMatchObject({ code: 'CONFIG' });
  expect(createPublicKey(generateReidKeyPair(2048).publicPem).asymmetricKeyType).toBe('rsa');
});

it('the scheduled job runs retention and signs a checkpoint', async () => {
  const runs: number[] = [];
  const job = scheduleRetention(gov, { everyMs: 3_600_000, onRun: (_r, cp) => void runs.push(cp.seq) });
  await job.runNow();
  job.stop();
  expect(runs.length).toBeGreaterThanOrEqual(1);
  expect((await verifyAnchoredAudit(gov)).latest?.seq).toBe(runs[runs.length - 1]);
  expect((await findAuditEntries(store, { action: 'retention.run', userId: 'system:scheduler' })).matched).toBeGreaterThanOrEqual(1);
});

it('by default retention and erasure consult the watch capability’s stored alerts', async () => {
  await store.putRecord('watch-alerts', 'al-9', { id: 'al-9', agency: 'FR-CT', subject: { entityIds: ['fr-ct:p1'] }, status: 'removal-pending' }, { agency: 'FR-CT', status: 'removal-pending' });
  await expect(eraseSubject(gov, dpoCtx, 'fr-ct:p1')).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/al-9/) });
  const report = await runRetention(gov, { now: FIXTURE_NOW, dryRun: true });
  expect(report.held.map((h) => h.entityId).sort()).toEqual(['fr-ct:t-ancient', 'fr-ct:t-old']);
});
