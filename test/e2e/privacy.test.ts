import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.js';
import { cli } from '../support/cli.js';
import { seedWorld } from '../support/governance.js';
import { addOversightUsers, FIXTURE_NOW, privacyFixture } from '../support/privacy.js';
import { stmt } from '../support/statements.js';

/**
 * Issue 9 through the CLI: every rule is enforced in the services and visible in the DPO report.
 * Each test gets its own SQLite store seeded with two agencies, analysts, a DPO, supervisors, cases
 * and the privacy fixture (all invented).
 */
const dir = mkdtempSync(join(tmpdir(), 'tessera-privacy-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
let db: string;
let file: string;

const ATLAS = ['--user', 'fr.analyst', '--purpose', 'Establish the contacts of a suspect in Operation Atlas', '--case', 'FR-OP-ATLAS'];
const DPO = ['--user', 'fr.dpo', '--purpose', 'Quarterly lawfulness review of consultations'];
const SUPER = ['--user', 'fr.super', '--purpose', 'Decide retention and re-identification for Atlas'];

beforeEach(async () => {
  file = join(dir, `t${++n}.sqlite`);
  db = `sqlite:${file}`;
  const store = await openStore({ url: db });
  const gov = await seedWorld(store);
  await addOversightUsers(gov);
  await gov.upsertLegalBasis({ id: 'read-only', title: 'Read only', reference: 'Preliminary check', methods: ['read'] });
  await gov.upsertCase({ id: 'FR-PRE-1', name: 'Preliminary check', agency: 'FR-CT', legalBasis: 'read-only', members: ['fr.analyst'], openedAt: '2024-01-01T00:00:00Z' });
  await gov.systemWrite('test', 'fixture load for privacy e2e tests', privacyFixture());
  await store.close();
});

const run = (...args: string[]) => cli(['--db', db, ...args]);
const json = async <T>(...args: string[]): Promise<T> => {
  const r = await run('--json', ...args);
  if (r.code !== 0) throw new Error(`tessera ${args.join(' ')} failed (${r.code}): ${r.err}`);
  return JSON.parse(r.out) as T;
};

interface Report {
  refusals: { userId: string; kind: string; count: number; lastReason: string }[];
  outsideCases: { userId: string; caseId: string | null }[];
  bulkExportAttempts: { userId: string; reason: string }[];
  disclosures: { recipient: string; crossBorder: boolean; subjects: number }[];
  auditChain: { problems: { seq: number; kind: string }[] };
  expiredReviews: { entityId: string }[];
  pastRetention: { held: { entityId: string }[]; depersonalisePending: number; deletePending: number };
}

describe('abuse is refused and visible', () => {
  it('an empty or meaningless purpose is refused', async () => {
    for (const purpose of ['', 'x', 'test']) {
      const r = await run('--user', 'fr.analyst', '--purpose', purpose, '--case', 'FR-OP-ATLAS', 'entity', 'show', 'fr-ct:p1');
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/error \[PURPOSE_REQUIRED\]/);
    }
    const report = await json<Report>(...DPO, 'dpo', 'report');
    expect(report.refusals).toEqual([expect.objectContaining({ userId: 'fr.analyst', kind: 'purpose', count: 3 })]);
  });
  it('a user querying outside their cases is refused and listed', async () => {
    const r = await run('--user', 'be.analyst', '--purpose', 'Check a Belgian lead against French holdings', '--case', 'FR-OP-ATLAS', 'search', 'Benali');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/FORBIDDEN.*not a member of case FR-OP-ATLAS/);
    const none = await run('--user', 'fr.analyst', '--purpose', 'Establish the contacts of a suspect', 'search', 'Benali');
    expect(none.err).toMatch(/CASE_REQUIRED/);
    const report = await json<Report>(...DPO, 'dpo', 'report');
    expect(report.outsideCases.map((o) => o.userId).sort()).toEqual(['be.analyst', 'fr.analyst']);
  });
  it('bulk export over the daily limit is refused, logged, and in the DPO report', async () => {
    expect((await run(...DPO, 'dpo', 'limits', '--export-subjects-per-day', '2')).code).toBe(0);
    const ok = await run(...ATLAS, 'export', 'fr-ct:p1', '--to', 'BE-CT');
    expect(ok.code).toBe(0);
    expect(ok.out.trim().split('\n').map((l) => (JSON.parse(l) as { prop: string }).prop).sort()).toEqual(['name', 'religion']);
    const bulk = await run(...ATLAS, 'export', 'fr-ct:c1', 'fr-ct:t-old', 'fr-ct:t-recent');
    expect(bulk.code).toBe(1);
    expect(bulk.err).toMatch(/RATE_LIMITED.*bulk export refused/);
    const report = await json<Report>(...DPO, 'dpo', 'report');
    expect(report.bulkExportAttempts.map((b) => b.userId)).toEqual(['fr.analyst']);
    expect(report.disclosures).toEqual([expect.objectContaining({ recipient: 'BE-CT', crossBorder: true, subjects: 1 })]);
    const text = await run(...DPO, 'dpo', 'report');
    expect(text.out).toMatch(/Bulk export attempts refused\n-+\n {2}#\d+ .* fr\.analyst refused\.export\.entities: bulk export refused/);
    expect(text.out).toMatch(/BE-CT \(BE\) cross-border: 1 disclosures/);
  });
  it('exports to a partner under the one disclosure rule: what it may not receive is counted per reason, never written', async () => {
    const store = await openStore({ url: db });
    const gov = await seedWorld(store);
    await gov.systemWrite('test', 'an alias released to Spain only and a restricted address', [
      stmt({ entityId: 'fr-ct:p1', schema: 'Person', prop: 'alias', value: 'Abou Karim', subjectCategory: 'suspect', handling: { codes: [], releasableTo: ['ES'] } }),
      stmt({ entityId: 'fr-ct:p1', schema: 'Person', prop: 'address', value: '12 rue des Lilas, Lyon', subjectCategory: 'suspect', classification: 'RESTRICTED' }),
    ]);
    await store.close();
    const out = join(dir, `export-${n}.jsonl`);
    const low = await run(...ATLAS, 'export', 'fr-ct:p1', '--to', 'BE-CT', '--out', out);
    expect(low.code, low.err).toBe(0);
    expect(low.out).toMatch(/2 statements written to .*; 2 withheld for the recipients \(1 classification, 1 releasability\)/);
    expect(readFileSync(out, 'utf8')).not.toMatch(/Abou Karim|rue des Lilas/);
    const cleared = await run(...ATLAS, 'export', 'fr-ct:p1', '--to', 'BE-CT', '--clearance', 'RESTRICTED', '--out', out);
    expect(cleared.out).toMatch(/3 statements written to .*; 1 withheld for the recipients \(1 releasability\)/);
    expect(readFileSync(out, 'utf8')).toContain('rue des Lilas');
    expect((await run(...ATLAS, 'export', 'fr-ct:p1', '--to', 'BE-CT', '--clearance', 'COSMIC')).err).toMatch(/VALIDATION.*unknown classification level "COSMIC"/);
  });

  it('a direct edit of the audit log is detected, and so is truncation after a checkpoint', async () => {
    await run(...ATLAS, 'entity', 'show', 'fr-ct:p1');
    const anchor = join(dir, `anchor-${n}.jsonl`);
    const key = join(dir, `cp-${n}.pem`);
    expect((await run('audit', 'checkpoint', '--new-key', key, '--anchor', anchor)).code).toBe(0);
    expect(statSync(key).mode & 0o077).toBe(0);
    expect((await run('audit', 'verify-anchors', '--key-file', key, '--anchor', anchor)).code).toBe(0);
    // The insider drops the append-only triggers and rewrites an entry.
    const raw = new Database(file);
    raw.exec(`DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; UPDATE audit_log SET purpose = 'Routine maintenance' WHERE action = 'entity.read'`);
    raw.close();
    const edited = await run('audit', 'verify-anchors', '--key-file', key, '--anchor', anchor);
    expect(edited.code).not.toBe(0);
    expect(edited.out).toMatch(/entry \d+: edited/);
    const report = await json<Report>(...DPO, 'dpo', 'report');
    expect(report.auditChain.problems[0]).toMatchObject({ kind: 'edited' });
  });
  it('truncating the log and its stored checkpoints is caught by the external anchor', async () => {
    for (let i = 0; i < 3; i++) await run(...ATLAS, 'entity', 'show', 'fr-ct:p1');
    const anchor = join(dir, `anchor-${n}.jsonl`);
    const key = join(dir, `cp-${n}.pem`);
    await run('audit', 'checkpoint', '--new-key', key, '--anchor', anchor);
    const cp = JSON.parse(readFileSync(anchor, 'utf8').trim()) as { seq: number };
    const raw = new Database(file);
    raw.exec(`DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq > ${cp.seq - 3}; DELETE FROM records WHERE collection = 'audit-checkpoints'; DELETE FROM record_keys WHERE collection = 'audit-checkpoints'`);
    raw.close();
    expect((await run('audit', 'verify')).code).toBe(0); // the plain chain check cannot see a cut tail
    const r = await run('audit', 'verify-anchors', '--key-file', key, '--anchor', anchor);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/missing — entries \d+–\d+ are missing \(log truncated after the last checkpoint\)/);
    // A forged anchor line (moved head) fails its signature.
    const forged = { ...JSON.parse(readFileSync(anchor, 'utf8').trim()), seq: 1 };
    const anchor2 = join(dir, `forged-${n}.jsonl`);
    (await import('node:fs')).writeFileSync(anchor2, `${JSON.stringify(forged)}\n`);
    expect((await run('audit', 'verify-anchors', '--key-file', key, '--anchor', anchor2)).out).toMatch(/bad-signature/);
  });
});

describe('legal-basis profiles refuse what they forbid, naming the rule', () => {
  it('screening-only forbids export; read-only forbids search', async () => {
    const bora = await run('--user', 'fr.junior', '--purpose', 'Screen passengers of flight AF1234 for Bora', '--case', 'FR-OP-BORA', 'export', 'fr-ct:p1');
    expect(bora.code).toBe(1);
    expect(bora.err).toMatch(/LEGAL_BASIS\]: legal basis "screening-only" of case FR-OP-BORA does not allow export \(allowed: read, search, screening\)/);
    const pre = await run('--user', 'fr.analyst', '--purpose', 'Preliminary check of a tip about Benali', '--case', 'FR-PRE-1', 'search', 'Benali');
    expect(pre.err).toMatch(/legal basis "read-only" of case FR-PRE-1 does not allow search/);
    expect((await run('--user', 'fr.analyst', '--purpose', 'Preliminary check of a tip about Benali', '--case', 'FR-PRE-1', 'entity', 'show', 'fr-ct:p1')).code).toBe(0);
    const report = await json<Report>(...DPO, 'dpo', 'report');
    expect(report.refusals.filter((r) => r.kind === 'legal-basis').map((r) => r.userId).sort()).toEqual(['fr.analyst', 'fr.junior']);
  });
});

describe('retention through the CLI', () => {
  it('depersonalises, deletes, holds alerted subjects, and re-identifies only with a supervisor', async () => {
    const keyFile = join(dir, `reid-${n}.pem`);
    expect((await run(...ATLAS, 'retention', 'keygen', '--out', keyFile, '--bits', '2048')).err).toMatch(/FORBIDDEN.*needs role admin or dpo/);
    expect((await run(...DPO, 'retention', 'keygen', '--out', keyFile, '--bits', '2048')).code).toBe(0);
    expect(existsSync(keyFile)).toBe(true);
    // An active alert on the travel record t-ancient's traveller would hold everything; put one on the contact instead.
    const store = await openStore({ url: db });
    // Stored in the watch capability's shape (src/watch: collection watch-alerts, indexed by status).
    await store.putRecord('watch-alerts', 'al-1', { id: 'al-1', agency: 'FR-CT', caseId: 'FR-OP-ATLAS', subject: { entityIds: ['fr-ct:t-ancient'] }, status: 'active' }, { agency: 'FR-CT', status: 'active', case: 'FR-OP-ATLAS' });
    await store.close();
    const plan = await json<Report>(...DPO, 'dpo', 'report');
    expect(plan.pastRetention).toMatchObject({ depersonalisePending: 3, deletePending: 4 });
    const r = await run('retention', 'run', '--now', FIXTURE_NOW.toISOString());
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/3 depersonalised, 0 deleted, 2 reviews due, 1 held/);
    expect(r.out).toMatch(/HELD \(active alert al-1, FR-CT\): delete of fr-ct:t-ancient under travel-delete/);
    expect(r.out).toMatch(/Audit checkpoint signed/);
    const shown = await run(...ATLAS, 'entity', 'show', 'fr-ct:t-old');
    expect(shown.out).not.toContain('Karim Benali');
    expect(shown.out).toContain('[masked ');
    // Re-identification: analyst requests, supervisor approves with the key file, analyst opens.
    const req = await json<{ id: string }>(...ATLAS, 'retention', 'reid', 'request', 'fr-ct:t-old');
    expect((await run(...ATLAS, 'retention', 'reid', 'approve', req.id, '--key-file', keyFile)).err).toMatch(/needs role supervisor/);
    const approved = await json<{ token: string }>(...SUPER, 'retention', 'reid', 'approve', req.id, '--key-file', keyFile);
    const opened = await run(...ATLAS, 'retention', 'reid', 'open', req.id, '--token', approved.token);
    expect(opened.code).toBe(0);
    expect(opened.out).toContain('Karim Benali');
    expect((await run(...ATLAS, 'retention', 'reid', 'open', req.id, '--token', 'A'.repeat(43))).err).toMatch(/wrong grant token/);
    // Reviews: the supervisor keeps the suspect for another period with a reason.
    const reviews = await json<{ entityId: string; ruleId: string }[]>(...SUPER, 'retention', 'reviews');
    expect(reviews.map((x) => x.entityId).sort()).toEqual(['fr-ct:c1', 'fr-ct:p1']);
    expect((await run(...SUPER, 'retention', 'review', 'fr-ct:p1', '--rule', 'suspect-review', '--keep')).out).toMatch(/fr-ct:p1: kept until/);
    const searched = await json<{ entries: { action: string }[] }>(...DPO, 'audit', 'search', '--action', 'reid.*');
    expect(searched.entries.map((e) => e.action)).toEqual(['reid.request', 'reid.approve', 'reid.open']);
    const refused = await json<{ entries: { action: string }[] }>(...DPO, 'audit', 'search', '--action', 'refused.reid.*');
    expect(refused.entries.map((e) => e.action)).toEqual(['refused.reid.decide', 'refused.reid.open']);
  });
});

describe('retention rules through the CLI', () => {
  it('a DPO adds a rule per category and data class; bad rules are refused with the field named', async () => {
    const added = await run(...DPO, 'retention', 'rule', 'witness-review', '--action', 'review', '--after-days', '180', '--title', 'Witnesses reviewed after six months', '--basis', 'LED Art. 6(d)', '--categories', 'witness', '--schemas', 'Person');
    expect(added.out).toMatch(/Rule witness-review: review after 180 days/);
    const rules = await json<{ id: string }[]>('retention', 'rules');
    expect(rules.map((r) => r.id)).toEqual(expect.arrayContaining(['contact-review', 'suspect-review', 'travel-depersonalise', 'travel-delete', 'witness-review']));
    const bad = await run(...DPO, 'retention', 'rule', 'x-rule', '--action', 'shred', '--after-days', '10', '--title', 't', '--basis', 'b');
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/action/);
    expect((await run(...ATLAS, 'retention', 'rule', 'y-rule', '--action', 'delete', '--after-days', '1', '--title', 't', '--basis', 'b')).err).toMatch(/needs role admin or dpo/);
  });
});

describe('subject rights through the CLI', () => {
  it('exports with provenance, rectifies and erases, queueing notices for partners who received the data', async () => {
    await run(...ATLAS, 'export', 'fr-ct:c1', '--to', 'BE-CT');
    const out = join(dir, `subject-${n}.json`);
    expect((await run(...DPO, 'subject', 'export', 'fr-ct:p1', '--out', out)).code).toBe(0);
    const exported = JSON.parse(readFileSync(out, 'utf8')) as { statements: { source: { documentId: string } }[]; references: unknown[] };
    expect(exported.statements.every((s) => s.source.documentId === 'r-1')).toBe(true);
    expect(exported.references).toHaveLength(3);
    expect((await run(...ATLAS, 'subject', 'export', 'fr-ct:p1')).err).toMatch(/needs role dpo or supervisor/);
    const store = await openStore({ url: db });
    const [name] = (await store.statementsOf('fr-ct:c1')).filter((s) => s.prop === 'name');
    await store.close();
    const fixed = await run(...DPO, 'subject', 'rectify', name!.id, 'Yanis Moreau-Lefèvre');
    expect(fixed.out).toMatch(/Rectified name of fr-ct:c1 to "Yanis Moreau-Lefèvre"; partners notified: BE-CT/);
    const erased = await run(...DPO, 'subject', 'erase', 'fr-ct:c1');
    expect(erased.out).toMatch(/Erased 1 statements on fr-ct:c1; partners notified: BE-CT/);
    const s2 = await openStore({ url: db });
    const outbox = await s2.findRecords<{ kind: string; recipient: string }>('subject-rights-outbox');
    await s2.close();
    expect(outbox.map((o) => `${o.body.kind}:${o.body.recipient}`).sort()).toEqual(['erasure:BE-CT', 'rectification:BE-CT']);
    const csv = await run(...DPO, 'audit', 'export', '--format', 'csv', '--action', 'subject.*');
    expect(csv.out.split('\r\n').filter((l) => l.includes('subject.')).map((l) => l.split(',')[6])).toEqual(['subject.export', 'subject.rectify', 'subject.rectify.notify', 'subject.erase', 'subject.erase.notify']);
  });
});
