/**
 * Privacy benchmark (issue 9): how long the DPO and the retention job take at scale.
 *  - audit log of N entries: append rate, chain verification, checkpoint-anchored verification,
 *    DPO search (one user), CSV export, DPO report;
 *  - retention over M statements with a share of old travel records: plan (dry run) and real run
 *    (RSA-OAEP-wrapped AES-256-GCM sealing of every masked value).
 * Run: npx tsx bench/privacy.ts   (writes bench/results/privacy.json)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCheckpoint, exportAudit, dpoReport, generateReidKeyPair, installReidPublicKey, runRetention, searchAudit, storedCheckpointKey, verifyAnchoredAudit } from '../src/governance/index.js';
import { validateStatement, type Statement } from '../src/model/index.js';
import { openStore } from '../src/store/index.js';
import { seedWorld } from '../test/support/governance.js';
import { addOversightUsers, dpoCtx } from '../test/support/privacy.js';
import { timeMs, writeResult } from './_util.js';

const AUDIT_ENTRIES = Number(process.argv[2] ?? 100_000);
const TRAVEL_EVENTS = Number(process.argv[3] ?? 20_000);

const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-privacy-'));
const store = await openStore({ url: `sqlite:${join(dir, 'bench.sqlite')}` });
const gov = await seedWorld(store);
await addOversightUsers(gov);
for (let u = 0; u < 20; u++) await gov.upsertUser({ id: `fr.u${u}`, name: `Analyst ${u}`, agency: 'FR-CT', roles: ['analyst'], clearance: 'SECRET' });

// Audit log: N entries as governance writes them (reads by 20 analysts, some refusals, some disclosures).
const append = await timeMs(async () => {
  for (let i = 0; i < AUDIT_ENTRIES; i++) {
    const u = i % 20;
    const refused = i % 97 === 0;
    await store.appendAudit({
      at: new Date(Date.now() - (AUDIT_ENTRIES - i) * 1_000).toISOString(),
      userId: `fr.u${u}`,
      agency: 'FR-CT',
      purpose: `Establish the contacts of subject ${i % 50} in Operation Atlas`,
      caseId: 'FR-OP-ATLAS',
      action: refused ? 'refused.read' : i % 211 === 0 ? 'export.entities' : 'entity.read',
      outcome: refused ? 'refused' : 'allowed',
      entityIds: refused ? [] : [`fr-ct:p${(i * (u === 7 ? 13 : 1)) % (u === 7 ? 5_000 : 200)}`],
      details: refused ? { reason: `user fr.u${u} is not a member of case FR-OP-BORA` } : i % 211 === 0 ? { recipients: ['BE-CT'] } : {},
    });
  }
});
const chain = await timeMs(() => gov.verifyAudit());
await createCheckpoint(gov, await storedCheckpointKey(store));
const anchored = await timeMs(() => verifyAnchoredAudit(gov));
const search = await timeMs(() => searchAudit(gov, dpoCtx, { userId: 'fr.u7', action: 'entity.*', limit: 100 }));
const csv = await timeMs(() => exportAudit(gov, dpoCtx, { from: new Date(Date.now() - 3_600_000).toISOString() }, 'csv'));

// Retention: travel events, a third older than six months and a tenth older than five years.
const statements: Statement[] = [];
const now = Date.now();
for (let i = 0; i < TRAVEL_EVENTS; i++) {
  const ageDays = i % 10 === 0 ? 2_000 : i % 3 === 0 ? 300 : 30;
  const when = new Date(now - ageDays * 86_400_000).toISOString();
  const base = { entityId: `fr-ct:tr${i}`, schema: 'TravelEvent', source: { agency: 'FR-CT', documentId: 'pnr', collectedAt: when }, grading: { system: 'EU4x4', source: 'B', info: '2' }, handling: { codes: [], releasableTo: ['*'] }, lastSeen: when.slice(0, 10) };
  statements.push(validateStatement({ ...base, prop: 'traveller', value: `fr-ct:p${i % 5_000}` }));
  statements.push(validateStatement({ ...base, prop: 'travellerName', value: `Invented Traveller ${i}` }));
  statements.push(validateStatement({ ...base, prop: 'documentNumber', value: `D${1_000_000 + i}` }));
  statements.push(validateStatement({ ...base, prop: 'mode', value: 'air' }));
}
await gov.systemWrite('bench', 'benchmark load of synthetic travel records', statements);
await installReidPublicKey(store, generateReidKeyPair(3072).publicPem);
const plan = await timeMs(() => runRetention(gov, { dryRun: true }));
const report = await timeMs(() => dpoReport(gov, dpoCtx, { from: new Date(now - 3 * 86_400_000).toISOString() }));
const run = await timeMs(() => runRetention(gov));
await store.close();
rmSync(dir, { recursive: true, force: true });

const result = {
  auditEntries: AUDIT_ENTRIES,
  appendPerSecond: Math.round(AUDIT_ENTRIES / (append.ms / 1000)),
  verifyChainMs: Math.round(chain.ms),
  verifyAnchoredMs: Math.round(anchored.ms),
  dpoSearchMs: Math.round(search.ms),
  dpoSearchMatched: search.value.matched,
  csvExportMs: Math.round(csv.ms),
  csvExportEntries: csv.value.entries,
  dpoReportMs: Math.round(report.ms),
  unusualUsers: report.value.unusualAccess.map((u) => `${u.userId} z=${u.robustZ}`),
  travelStatements: statements.length,
  retentionPlanMs: Math.round(plan.ms),
  retentionRunMs: Math.round(run.ms),
  depersonalised: run.value.depersonalised,
  deleted: run.value.deleted,
  sealPerSecond: Math.round(run.value.depersonalised / (run.ms / 1000)),
};
console.log(`Audit log: ${AUDIT_ENTRIES.toLocaleString('en')} entries appended at ${result.appendPerSecond.toLocaleString('en')}/s`);
console.log(`  chain verify ${result.verifyChainMs} ms · anchored verify ${result.verifyAnchoredMs} ms · DPO search ${result.dpoSearchMs} ms (${result.dpoSearchMatched} matches) · CSV export ${result.csvExportMs} ms (${result.csvExportEntries} entries)`);
console.log(`  DPO report ${result.dpoReportMs} ms · unusual: ${result.unusualUsers.join(', ') || 'none'}`);
console.log(`Retention over ${result.travelStatements.toLocaleString('en')} travel statements: plan ${result.retentionPlanMs} ms, run ${result.retentionRunMs} ms (${result.depersonalised} masked and sealed, ${result.deleted} deleted)`);
console.log(`Written ${writeResult('privacy', result)}`);
