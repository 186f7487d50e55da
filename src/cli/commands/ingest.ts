import { mkdtempSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { entityToFtm, envelopeOf, extractReport, importFtmFile, ingestFile, listQuarantine, loadMapping, resolveQuarantine, GovernedIngestSink, type IngestReport } from '../../ingest/index.js';
import { assembleEntity, TesseraError } from '../../model/index.js';
import type { groupByEntity } from '../../governance/index.js';
import { WatchService, watchConfig } from '../../watch/index.js';
import { withSession, type CliSession } from '../context.js';
import { printJson, printTable, say } from '../output.js';
import { startProgress } from '../progress.js';

interface IngestCliOptions {
  mapping: string;
  agency?: string;
  grading?: string;
  handling?: string;
  releasableTo?: string[];
  classification?: string;
  subjectCategory?: string;
  caseIds?: string[];
  batchSize?: string;
  restart?: boolean;
  screen?: boolean;
}

/** Watchlist screening as data arrives (a failing screen is queued by the watch service, never blocks ingest). */
function screeningOf(s: CliSession, enabled: boolean | undefined) {
  return enabled === false ? {} : { screening: new WatchService(s.gov, { config: watchConfig(), nodeAgency: s.config.nodeAgency }).screeningPort() };
}

/** `ingest`, `quarantine list|retry`, `ftm import|export`, `report ingest`. */
export function registerIngestCommands(program: Command): void {
  program
    .command('ingest')
    .argument('<file>', 'CSV, JSON, JSON Lines or XML file')
    .requiredOption('--mapping <file>', 'mapping (YAML or JSON; see examples/mappings)')
    .option('--agency <id>', 'source agency (default: the mapping’s, else yours)')
    .option('--grading <code>', 'grading of the source, e.g. B2 or adm:C3')
    .option('--handling <codes>', 'handling codes, e.g. H2 or H1+H2 or "H3:conditions"')
    .option('--releasable-to <list...>', 'agencies or countries the data may be released to (* = all partners)')
    .option('--classification <level>', 'classification level')
    .option('--subject-category <category>', 'LED subject category (suspect, contact, …)')
    .option('--case-ids <ids...>', 'cases the data belongs to')
    .option('--batch-size <n>', 'rows per atomic batch', '2000')
    .option('--restart', 'ignore the checkpoint of an interrupted run and read from the start')
    .option('--no-screen', 'do not hand the ingested entities to watchlist screening')
    .description('ingest a file through a mapping: every row is written or quarantined; re-ingest writes no duplicates; interrupted runs resume')
    .action(async (file: string, opts: IngestCliOptions, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const ctx = await s.context();
        const principal = await s.gov.authorise(ctx, 'read');
        s.gov.requireRole(principal, 'analyst', 'supervisor', 'admin');
        const mapping = loadMapping(opts.mapping);
        const sink = new GovernedIngestSink(s.store, ctx, principal);
        const progress = startProgress(`ingest ${file}`, 0, 'rows');
        const controller = new AbortController();
        const stop = () => controller.abort();
        process.once('SIGINT', stop);
        let report: IngestReport;
        try {
          report = await ingestFile(
            file,
            mapping,
            sink,
            {
              agency: opts.agency ?? mapping.document.source.agency ?? principal.agency,
              ...(opts.grading ? { grading: opts.grading } : {}),
              ...(opts.handling ? { handling: opts.handling } : {}),
              ...(opts.releasableTo ? { releasableTo: opts.releasableTo } : {}),
              ...(opts.classification ? { classification: opts.classification } : {}),
              ...(opts.subjectCategory ? { subjectCategory: opts.subjectCategory } : {}),
              ...(opts.caseIds ? { cases: opts.caseIds } : {}),
              batchSize: Number(opts.batchSize ?? 2000),
              resume: !opts.restart,
              signal: controller.signal,
              ...screeningOf(s, opts.screen),
            },
            // Total rows estimated from the bytes read so far, so the bar shows an ETA while streaming.
            (p) => progress.update(p.read, p.bytesRead > 0 ? Math.max(p.read, Math.round((p.read * p.totalBytes) / p.bytesRead)) : undefined),
          );
        } finally {
          process.off('SIGINT', stop);
        }
        progress.stop(`read ${report.read} rows: ${report.written} written, ${report.quarantined} quarantined, ${report.duplicates} duplicates`);
        if (s.json) return printJson(report);
        printTable([
          { rows: 'read', count: report.read },
          { rows: 'written', count: report.written },
          { rows: 'quarantined', count: report.quarantined },
          { rows: 'duplicates (already ingested)', count: report.duplicates },
          { rows: 'resumed after', count: report.resumedFrom },
          { rows: 'entities screened', count: report.entitiesScreened },
        ]);
        if (report.screeningErrors) say(`\nScreening failed for ${report.screeningErrors} batch(es): ${report.screeningError ?? ''}`);
        if (report.quarantined) say(`\n${report.quarantined} row(s) quarantined: see \`tessera quarantine list --source ${report.sourceId}\``);
        if (report.interrupted) say('\nInterrupted: run the same command again to resume from the checkpoint.');
      });
    });

  const q = program.command('quarantine').description('rows that could not be ingested, kept with their raw content, line, field and reason');
  q.command('list')
    .option('--source <id>', 'only this source (agency/mapping)')
    .option('--file <path>', 'only this file')
    .action(async (opts: { source?: string; file?: string }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const principal = await s.gov.authorise(await s.context(), 'read');
        const rows = await listQuarantine(s.store, { ...(opts.source ? { sourceId: opts.source } : {}), ...(opts.file ? { file: opts.file } : {}) });
        const mine = rows.filter((r) => principal.roles.includes('admin') || r.sourceId.startsWith(`${principal.agency}/`));
        if (s.json) return printJson(mine);
        printTable(mine.map((r) => ({ source: r.sourceId, file: r.file, line: r.line, field: r.field, reason: r.reason, raw: r.raw })), undefined, 50);
      });
    });
  q.command('retry')
    .description('replay open quarantined rows of a file through a (fixed) mapping; rows that now pass are written and resolved')
    .requiredOption('--mapping <file>', 'the mapping to replay with')
    .requiredOption('--file <path>', 'the file whose quarantined rows to replay')
    .option('--fixed <file>', 'a corrected copy of the rows (same format, with header) to ingest instead of the stored raw rows')
    .action(async (opts: { mapping: string; file: string; fixed?: string }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const ctx = await s.context();
        const principal = await s.gov.authorise(ctx, 'read');
        s.gov.requireRole(principal, 'analyst', 'supervisor', 'admin');
        const mapping = loadMapping(opts.mapping);
        const open = (await listQuarantine(s.store, { file: opts.file })).filter((r) => r.sourceId.endsWith(`/${mapping.name}`));
        if (open.length === 0) return say(`No open quarantined rows for ${opts.file} under mapping ${mapping.name}.`);
        const dir = mkdtempSync(join(tmpdir(), 'tessera-retry-'));
        try {
          let replay = opts.fixed;
          if (!replay) {
            // Rebuild a file of the stored raw rows (with the header for CSV) to run them through the same pipeline.
            replay = join(dir, `retry${opts.file.slice(opts.file.lastIndexOf('.'))}`);
            const header = mapping.format === 'csv' ? await firstLine(opts.file) : undefined;
            writeFileSync(replay, `${header ? `${header}\n` : ''}${open.map((r) => r.raw).join('\n')}\n`);
          }
          const report = await ingestFile(replay, mapping, new GovernedIngestSink(s.store, ctx, principal), { agency: open[0]!.sourceId.split('/')[0]!, resume: false, documentId: opts.file });
          const stillBad = new Set((await listQuarantine(s.store, { file: replay })).map((r) => r.raw));
          await resolveQuarantine(s.store, open.filter((r) => !stillBad.has(r.raw)));
          say(`Replayed ${open.length} row(s): ${report.written} written, ${report.quarantined} still quarantined.`);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    });

  const ftm = program.command('ftm').description('FollowTheMoney interchange');
  ftm
    .command('import')
    .argument('<file>', 'FollowTheMoney JSON Lines (Aleph, OpenSanctions)')
    .requiredOption('--grading <code>', 'grading of the source, e.g. B2 or adm:C3')
    .option('--agency <id>', 'source agency (default: yours)')
    .option('--handling <codes>', 'handling codes, e.g. H2')
    .option('--releasable-to <list...>', 'agencies or countries the data may be released to')
    .option('--classification <level>', 'classification level')
    .option('--subject-category <category>', 'LED subject category')
    .option('--no-screen', 'do not hand the imported entities to watchlist screening')
    .description('import FollowTheMoney entities (same batching, quarantine, idempotency and resume as mapped files)')
    .action(async (file: string, opts: Omit<IngestCliOptions, 'mapping'>, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const ctx = await s.context();
        const principal = await s.gov.authorise(ctx, 'read');
        s.gov.requireRole(principal, 'analyst', 'supervisor', 'admin');
        const report = await importFtmFile(file, new GovernedIngestSink(s.store, ctx, principal), {
          agency: opts.agency ?? principal.agency,
          ...(opts.grading ? { grading: opts.grading } : {}),
          ...(opts.handling ? { handling: opts.handling } : {}),
          ...(opts.releasableTo ? { releasableTo: opts.releasableTo } : {}),
          ...(opts.classification ? { classification: opts.classification } : {}),
          ...(opts.subjectCategory ? { subjectCategory: opts.subjectCategory } : {}),
          ...screeningOf(s, opts.screen),
        });
        if (s.json) return printJson(report);
        say(`read ${report.read} entities: ${report.written} written, ${report.quarantined} quarantined, ${report.duplicates} duplicates`);
        for (const w of report.sampleWarnings) say(`  ${w}`);
      });
    });
  ftm
    .command('export')
    .description('export what you may read as FollowTheMoney JSON Lines (values only; handling codes are enforced by what you may read)')
    .option('--out <file>', 'write here instead of stdout')
    .option('--schema <names...>', 'only these schemas')
    .action(async (opts: { out?: string; schema?: string[] }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const ctx = await s.context();
        const out = opts.out ? createWriteStream(opts.out) : process.stdout;
        let n = 0;
        // Statements of one entity may span scan batches; carry the tail over.
        let pending: ReturnType<typeof groupByEntity> = new Map();
        const flush = (groups: ReturnType<typeof groupByEntity>) => {
          for (const list of groups.values()) {
            const e = assembleEntity(list);
            // entityToFtm carries properties FtM lacks in a `tessera` object, so a round trip is lossless.
            const f = e && entityToFtm(e);
            if (f) {
              out.write(`${JSON.stringify(f)}\n`);
              n++;
            }
          }
        };
        for await (const batch of s.gov.scanReadable(ctx, 'export', opts.schema ? { schemas: opts.schema } : {})) {
          for (const st of batch) {
            const list = pending.get(st.entityId);
            if (list) list.push(st);
            else pending.set(st.entityId, [st]);
          }
          if (pending.size > 50_000) {
            flush(pending);
            pending = new Map();
          }
        }
        flush(pending);
        if (opts.out) await new Promise<void>((resolve) => (out as ReturnType<typeof createWriteStream>).end(resolve));
        process.stderr.write(`exported ${n} entities\n`);
      });
    });

  program
    .command('report')
    .description('free-text reports')
    .command('ingest')
    .argument('<file>', 'a plain-text report')
    .requiredOption('--grading <code>', 'grading of the report, e.g. B2')
    .option('--agency <id>', 'source agency (default: yours)')
    .option('--handling <codes>', 'handling codes, e.g. H2')
    .option('--classification <level>', 'classification level')
    .option('--subject-category <category>', 'LED subject category of the persons it mentions')
    .option('--reference <ref>', 'report reference (default: the file name)')
    .option('--title <text>', 'report title')
    .option('--date <YYYY-MM-DD>', 'report date')
    .option('--region <CC>', 'country for phone numbers written in national form (default: the agency’s)')
    .description('store a report as a Report entity and link what it mentions (persons, phones, e-mails, IBANs, IMEIs, documents, dates, places, plates) with Mention links')
    .action(async (file: string, opts: Omit<IngestCliOptions, 'mapping'> & { reference?: string; title?: string; date?: string; region?: string }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const ctx = await s.context();
        const principal = await s.gov.authorise(ctx, 'read');
        s.gov.requireRole(principal, 'analyst', 'supervisor', 'admin');
        let text: string;
        try {
          text = readFileSync(file, 'utf8');
        } catch {
          throw new TesseraError('NOT_FOUND', `${file}: no such file`, { record: file });
        }
        if (text.trim().length === 0) throw new TesseraError('VALIDATION', `${file}: the report is empty`, { record: file });
        const agency = opts.agency ?? principal.agency;
        const reference = opts.reference ?? basename(file).replace(/\.[^.]+$/, '');
        const pseudo = { name: 'report', file: '(options)', document: { source: {} } } as unknown as Parameters<typeof envelopeOf>[0];
        const envelope = envelopeOf(pseudo, { agency, ...(opts.grading ? { grading: opts.grading } : {}), ...(opts.handling ? { handling: opts.handling } : {}), ...(opts.classification ? { classification: opts.classification } : {}), ...(opts.subjectCategory ? { subjectCategory: opts.subjectCategory } : {}) }, reference, new Date().toISOString());
        const r = extractReport({ text, reference, ...(opts.title ? { title: opts.title } : {}), ...(opts.date ? { date: opts.date } : {}) }, envelope, { phoneRegion: opts.region ?? agency.slice(0, 2) });
        const sink = new GovernedIngestSink(s.store, ctx, principal);
        const at = new Date().toISOString();
        await sink.writeBatch({ sourceId: `${agency}/report`, statements: r.statements, rowHashes: [], quarantine: [], checkpoint: { sourceId: `${agency}/report`, file, fileSize: text.length, fileMtimeMs: 0, recordsDone: 1, line: 1, updatedAt: at } });
        await sink.clearCheckpoint(`${agency}/report`, file);
        if (s.json) return printJson({ reportId: r.reportId, statements: r.statements.length, mentions: r.mentions });
        say(`${r.reportId}: ${r.mentions.length} mentions, ${r.statements.length} statements`);
        printTable(r.mentions.map((m) => ({ type: m.type, text: m.text, value: m.value, span: `${m.start}–${m.end}` })), undefined, 100);
      });
    });
}

async function firstLine(file: string): Promise<string | undefined> {
  const { createReadStream } = await import('node:fs');
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: createReadStream(file) });
  for await (const line of rl) {
    rl.close();
    return line;
  }
  return undefined;
}
