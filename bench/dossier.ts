/**
 * Dossier export and audit viewer figures: redaction and HTML rendering of a subject dossier (a hub
 * with many links) and a case dossier (a scan of the whole store), PDF printing through headless
 * Chromium, and one audit-viewer page and a chain check over a large log. Wall time and this
 * process's CPU time (Chromium runs in its own processes: wall only).
 *
 *   npx tsx bench/dossier.ts [--people 20000] [--links 300] [--audit 20000]
 */
import { existsSync } from 'node:fs';
import { auditChainStatus, browseAudit, prepareDossier } from '../src/governance/index.js';
import { validateStatement, type Statement } from '../src/model/index.js';
import { openStore } from '../src/store/index.js';
import { renderDossierHtml } from '../src/api/services/dossier-html.js';
import { printPdf } from '../src/api/services/dossier-pdf.js';
import { frCtx, seedWorld } from '../test/support/governance.js';
import { writeResult } from './_util.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const PEOPLE = arg('people', 20_000);
const LINKS = arg('links', 300);
const AUDIT = arg('audit', 20_000);
const CHROMIUM = '/usr/bin/chromium';

async function measure<T>(fn: () => Promise<T>): Promise<{ wallMs: number; cpuMs: number; value: T }> {
  const cpu = process.cpuUsage();
  const t = performance.now();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  return { wallMs: Math.round(performance.now() - t), cpuMs: Math.round((used.user + used.system) / 1000), value };
}

// Invented name parts (no real persons).
const GIVEN = ['Karim', 'Yusuf', 'Lena', 'Marek', 'Sofia', 'Idris', 'Nadia', 'Tomas', 'Aylin', 'Bruno'];
const FAMILY = ['Benali', 'Demiral', 'Vossberg', 'Kowalczy', 'Marchetti', 'Haddouri', 'Okonkwe', 'Lindqvar', 'Petrescu', 'Zahraoui'];
const HANDLING = [
  { codes: [], releasableTo: ['*'] },
  { codes: ['H2'], releasableTo: ['*'] },
  { codes: [], releasableTo: ['BE'] },
  { codes: [], releasableTo: [] },
  { codes: ['H3'], conditions: 'ask the originator first', releasableTo: ['*'] },
  { codes: ['H1'], releasableTo: ['*'] },
] as const;
const LEVELS = ['UNCLASSIFIED', 'UNCLASSIFIED', 'RESTRICTED', 'CONFIDENTIAL'] as const;

async function main(): Promise<void> {
  const store = await openStore({ url: 'sqlite::memory:' });
  const gov = await seedWorld(store);
  const statements: Statement[] = [];
  const push = (entityId: string, schema: string, prop: string, value: string, i: number, agency = i % 3 === 0 ? 'BE-CT' : 'FR-CT') =>
    statements.push(
      validateStatement({
        entityId,
        schema,
        prop,
        value,
        source: { agency, documentId: `doc-${i % 500}`, collectedAt: '2024-03-01T10:00:00Z' },
        grading: { system: 'EU4x4', source: 'B', info: '2' },
        handling: HANDLING[i % HANDLING.length],
        classification: LEVELS[i % LEVELS.length],
        subjectCategory: 'suspect',
        nature: 'fact',
        caseIds: i % 10 === 0 ? ['FR-OP-ATLAS'] : [],
      }),
    );
  for (let i = 0; i < PEOPLE; i++) {
    const id = `fr-ct:b${i}`;
    push(id, 'Person', 'name', `${GIVEN[i % 10]} ${FAMILY[Math.floor(i / 10) % 10]} ${i}`, i);
    push(id, 'Person', 'birthDate', `19${60 + (i % 40)}-0${1 + (i % 9)}-1${i % 10}`, i + 1);
    push(id, 'Person', 'alias', `Abu ${FAMILY[i % 10]} ${i}`, i + 2);
    push(id, 'Person', 'address', `${i} rue des Lilas, Lyon`, i + 3);
    push(id, 'Person', 'notes', `Seen near site ${i % 97}`, i + 4);
  }
  // The hub: a subject with many phone links (each link and phone with its own markings).
  for (let j = 0; j < LINKS; j++) {
    push(`fr-ct:ph${j}`, 'Phone', 'number', `+3361${String(1_000_000 + j)}`, j);
    push(`fr-ct:pu${j}`, 'PhoneUse', 'person', 'fr-ct:b0', j);
    push(`fr-ct:pu${j}`, 'PhoneUse', 'phone', `fr-ct:ph${j}`, j);
    push(`fr-ct:pu${j}`, 'PhoneUse', 'startDate', `2023-0${1 + (j % 9)}-01`, j);
  }
  await gov.systemBulkWrite('bench', 'dossier bench fixture', [statements]);
  // Grow the audit log to AUDIT entries (reads as an analyst would make them).
  const head = (await store.auditHead())?.seq ?? 0;
  for (let i = head; i < AUDIT; i++) {
    await store.appendAudit({ at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), userId: i % 7 ? 'fr.analyst' : 'fr.junior', agency: 'FR-CT', purpose: frCtx.purpose, caseId: 'FR-OP-ATLAS', action: i % 5 ? 'entity.read' : 'search', outcome: 'allowed', entityIds: [`fr-ct:b${i % PEOPLE}`], details: {} });
  }
  const limits = { subjectsPerDay: 10_000_000, exportSubjectsPerDay: 10_000_000, exportsPerDay: 1_000 };
  await store.setMeta('privacy.limits', JSON.stringify(limits));

  const subject = await measure(async () => renderDossierHtml(await prepareDossier(gov, frCtx, { subject: 'fr-ct:b0', recipient: 'BE-CT', clearance: 'RESTRICTED' }, { format: 'html' })));
  const subjectDossier = await prepareDossier(gov, frCtx, { subject: 'fr-ct:b0', recipient: 'BE-CT', clearance: 'RESTRICTED' });
  const caseRun = await measure(async () => renderDossierHtml(await prepareDossier(gov, frCtx, { caseId: 'FR-OP-ATLAS', recipient: 'BE-CT', clearance: 'RESTRICTED' }, { format: 'html' })));
  const caseDossier = await prepareDossier(gov, frCtx, { caseId: 'FR-OP-ATLAS', recipient: 'BE-CT', clearance: 'RESTRICTED' });
  let pdf: { wallMs: number; bytes: number; pages: number } | { skipped: string } = { skipped: `${CHROMIUM} not found` };
  if (existsSync(CHROMIUM)) {
    const html = renderDossierHtml(subjectDossier);
    const runs: number[] = [];
    let bytes: Buffer = Buffer.alloc(0);
    for (let k = 0; k < 3; k++) {
      const r = await measure(() => printPdf(html, { chromiumPath: CHROMIUM, marking: 'bench' }));
      runs.push(r.wallMs);
      bytes = r.value;
    }
    pdf = { wallMs: Math.min(...runs), bytes: bytes.length, pages: bytes.toString('latin1').match(/\/Type\s*\/Page\b/g)?.length ?? 0 };
  }
  const dpo = { userId: 'fr.dpo', purpose: 'Quarterly lawfulness review of consultations', caseId: null };
  await gov.upsertUser({ id: 'fr.dpo', name: 'DPO FR', agency: 'FR-CT', roles: ['dpo'], clearance: 'SECRET' });
  const page = await measure(() => browseAudit(gov, dpo, { limit: 100 }));
  const filtered = await measure(() => browseAudit(gov, dpo, { userId: 'fr.junior', action: 'search', limit: 100 }));
  const chain = await measure(() => auditChainStatus(gov, dpo));

  const result = {
    statements: statements.length,
    auditEntries: chain.value.entries,
    subjectDossier: { wallMs: subject.wallMs, cpuMs: subject.cpuMs, htmlBytes: subject.value.length, entities: subjectDossier.entities.length, links: subjectDossier.links.length, released: subjectDossier.released, withheld: subjectDossier.withheld },
    caseDossier: { wallMs: caseRun.wallMs, cpuMs: caseRun.cpuMs, htmlBytes: caseRun.value.length, entities: caseDossier.entities.length, omittedEntities: caseDossier.omittedEntities, released: caseDossier.released, withheld: caseDossier.withheld },
    pdf,
    auditViewer: { newestPageMs: page.wallMs, newestPageCpuMs: page.cpuMs, filteredPageMs: filtered.wallMs, filteredMatched: filtered.value.matched, chainCheckMs: chain.wallMs, chainCheckCpuMs: chain.cpuMs },
  };
  console.log(JSON.stringify(result, null, 2));
  console.log(`wrote ${writeResult('dossier', result)}`);
  await store.close();
}

await main();
