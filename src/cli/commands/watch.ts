import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { ingestFile, loadMapping, MemorySink } from '../../ingest/index.js';
import { isTesseraError, parseGrading, TesseraError } from '../../model/index.js';
import type { Scenario } from '../../scenario/index.js';
import { SELECTOR_KINDS, addMonths, subjectOfEntity, travelSubject, WatchService, watchConfig, type Alert, type HitReport, type ImportedAlert, type ScreeningSubject, type SelectorKind } from '../../watch/index.js';
import { withSession, type CliSession } from '../context.js';
import { printJson, printTable, say } from '../output.js';

/**
 * Imports a generated scenario's watchlist after `tessera load` (demo). Active alerts are taken as
 * reviewed on time: their review date is rolled forward by whole years until it is in the future, so
 * some fall in the due-for-review queue. Delisted subjects keep their delisting date (quiet watch).
 */
export async function importScenarioWatchlist(s: CliSession, scenario: Pick<Scenario, 'watchlist'>): Promise<number> {
  const alerts = scenarioAlerts(scenario.watchlist, new Date().toISOString().slice(0, 10));
  return service(s).importAlerts('load', 'Demo scenario load: the agencies’ watchlists', alerts);
}

/**
 * The scenario's watchlist as alerts to import. Active alerts were kept in force by their yearly
 * review, so each review date is rolled a year at a time past `asOfDay` (YYYY-MM-DD); delisted ones
 * keep their dates.
 */
export function scenarioAlerts(watchlist: Scenario['watchlist'], asOfDay: string): ImportedAlert[] {
  const roll = (day: string): string => {
    let d = new Date(`${day.slice(0, 10)}T00:00:00Z`);
    while (d.toISOString().slice(0, 10) <= asOfDay) d = addMonths(d, 12);
    return d.toISOString().slice(0, 10);
  };
  return watchlist.map((w) => ({
    id: w.alertId,
    agency: w.agency,
    caseId: w.caseId,
    subjectEntityIds: [w.subjectEntityId],
    threatLevel: `S${w.threatLevel}`,
    reasons: w.reasons.join('; '),
    grading: { system: 'EU4x4', source: 'B', info: '2' },
    action: w.action,
    issuedAt: w.issuedAt,
    reviewBy: w.status === 'active' ? roll(w.reviewBy) : w.reviewBy,
    status: w.status,
    ...(w.delistedAt ? { delistedAt: w.delistedAt } : {}),
  }));
}

function service(s: CliSession): WatchService {
  return new WatchService(s.gov, { config: watchConfig(), nodeAgency: s.config.nodeAgency });
}

function parseSelector(text: string): { kind: SelectorKind; value: string } {
  const i = text.indexOf(':');
  const kind = text.slice(0, i) as SelectorKind;
  if (i < 1 || !SELECTOR_KINDS.includes(kind)) throw new TesseraError('VALIDATION', `selector "${text}": write KIND:VALUE with KIND one of ${SELECTOR_KINDS.join(', ')}`, { field: 'selector' });
  return { kind, value: text.slice(i + 1) };
}

function alertRow(a: Alert) {
  return { alert: a.id, status: a.status, level: a.threatLevel, action: a.action, subject: a.subject.names[0] ?? a.subject.selectors[0]?.value ?? a.subject.entityIds[0] ?? '', case: a.caseId, reviewBy: a.reviewBy };
}

function hitRow(h: HitReport) {
  return { hit: h.id, kind: h.kind, priority: h.priority, status: h.status, score: h.score, alert: h.alertId, action: h.recommendedAction, encountered: h.encountered.what, when: h.encountered.when ?? '' };
}

/** `watch add|list|show|due|review|remove|approve|retry`, `screen FILE`, `hits list|show|decide`. */
export function registerWatchCommands(program: Command): void {
  const watch = program.command('watch').description('watchlists: alerts with review timers, four-eyes removal and a post-delisting safety net');

  watch
    .command('add')
    .description('issue an alert owned by your agency (review date defaults to one year)')
    .option('--entity <id...>', 'resolved subject entities (person, phone, document, vehicle…)')
    .option('--name <name...>', 'names and aliases, any script')
    .option('--dob <date...>', 'dates of birth (YYYY-MM-DD)')
    .option('--selector <kind:value...>', `exact selectors (${SELECTOR_KINDS.join(', ')}), e.g. document:P1234567`)
    .requiredOption('--level <level>', 'threat level on the scale (default S1…S16, lowest first)')
    .requiredOption('--reasons <text>', 'why the subject is watched')
    .requiredOption('--action <action>', 'action on encounter: discreet-check, inquiry-check, specific-check, arrest')
    .option('--grading <code>', 'grading of the assessment, e.g. B2 or adm:C3', 'B2')
    .option('--review-by <date>', 'review date (YYYY-MM-DD)')
    .action(async (opts: { entity?: string[]; name?: string[]; dob?: string[]; selector?: string[]; level: string; reasons: string; action: string; grading: string; reviewBy?: string }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const grading = parseGrading(opts.grading);
        if (!grading) throw new TesseraError('VALIDATION', `grading "${opts.grading}" is not a code like B2 or adm:C3`, { field: 'grading' });
        const alert = await service(s).addAlert(await s.context(), {
          subject: { entityIds: opts.entity ?? [], names: opts.name ?? [], birthDates: opts.dob ?? [], selectors: (opts.selector ?? []).map(parseSelector) },
          threatLevel: opts.level,
          reasons: opts.reasons,
          grading,
          action: opts.action,
          ...(opts.reviewBy ? { reviewBy: opts.reviewBy } : {}),
        });
        if (s.json) return printJson(alert);
        say(`Alert ${alert.id} issued by ${alert.agency} (level ${alert.threatLevel}, ${alert.action}); review by ${alert.reviewBy}`);
      });
    });

  watch
    .command('list')
    .description('alerts of your agency')
    .option('--status <status>', 'active, removal-pending or delisted')
    .action(async (opts: { status?: string }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const alerts = await service(s).listAlerts(await s.context(), opts.status ? { status: opts.status } : {});
        if (s.json) return printJson(alerts);
        printTable(alerts.map(alertRow));
      });
    });

  watch
    .command('show')
    .argument('<alert>', 'alert id')
    .description('one alert with its history')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const a = await service(s).getAlert(await s.context(), id);
        if (s.json) return printJson(a);
        printTable([alertRow(a)]);
        say(`\nReasons: ${a.reasons}`);
        say(`Subject: names ${a.subject.names.join(' | ') || '–'}; born ${a.subject.birthDates.join(', ') || '–'}; selectors ${a.subject.selectors.map((x) => `${x.kind}:${x.value}`).join(', ') || '–'}; entities ${a.subject.entityIds.join(', ') || '–'}`);
        if (a.quietUntil) say(`Post-delisting quiet watch until ${a.quietUntil.slice(0, 10)}`);
        say('\nHistory:');
        printTable(a.history.map((h) => ({ at: h.at.slice(0, 19), by: h.by, event: h.kind, assessment: h.assessment ?? '' })), undefined, 80);
      });
    });

  watch
    .command('due')
    .description('the due-for-review queue: alerts expiring within four months, or lapsed')
    .action(async (_opts: unknown, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const due = await service(s).dueForReview(await s.context());
        if (s.json) return printJson(due);
        printTable(due.map((d) => ({ ...alertRow(d.alert), daysLeft: d.daysLeft, overdue: d.overdue ? 'OVERDUE' : '' })));
      });
    });

  watch
    .command('review')
    .argument('<alert>', 'alert id')
    .description('documented re-assessment: extend the alert and/or change its level, action or subject')
    .requiredOption('--assessment <text>', 'the re-assessment (why the alert stays, and what changed)')
    .option('--extend', 'extend the validity by the review period (one year)')
    .option('--review-by <date>', 'extend to this date instead (YYYY-MM-DD)')
    .option('--level <level>', 'new threat level')
    .option('--action <action>', 'new action on encounter')
    .option('--name <name...>', 'add names or aliases')
    .option('--selector <kind:value...>', 'add selectors')
    .action(async (id: string, opts: { assessment: string; extend?: boolean; reviewBy?: string; level?: string; action?: string; name?: string[]; selector?: string[] }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const a = await service(s).reviewAlert(await s.context(), id, {
          assessment: opts.assessment,
          ...(opts.extend ? { extend: true } : {}),
          ...(opts.reviewBy ? { reviewBy: opts.reviewBy } : {}),
          ...(opts.level ? { threatLevel: opts.level } : {}),
          ...(opts.action ? { action: opts.action } : {}),
          ...(opts.name ? { addNames: opts.name } : {}),
          ...(opts.selector ? { addSelectors: opts.selector.map(parseSelector) } : {}),
        });
        if (s.json) return printJson(a);
        say(`Alert ${a.id} re-assessed: level ${a.threatLevel}, ${a.action}, review by ${a.reviewBy}`);
      });
    });

  watch
    .command('remove')
    .argument('<alert>', 'alert id')
    .description('ask for removal with a documented re-assessment (a supervisor must approve: four eyes)')
    .requiredOption('--assessment <text>', 'why the subject no longer needs an alert')
    .action(async (id: string, opts: { assessment: string }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const a = await service(s).requestRemoval(await s.context(), id, opts.assessment);
        if (s.json) return printJson(a);
        say(`Removal of ${a.id} requested by ${a.removal?.requestedBy}; waiting for a second person's approval`);
      });
    });

  watch
    .command('approve')
    .argument('<alert>', 'alert id')
    .description('four-eyes decision on a pending removal (a supervisor other than the requester)')
    .requiredOption('--note <text>', 'why the removal is approved or rejected')
    .option('--reject', 'reject the removal: the alert stays active')
    .action(async (id: string, opts: { note: string; reject?: boolean }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const a = await service(s).decideRemoval(await s.context(), id, !opts.reject, opts.note);
        if (s.json) return printJson(a);
        say(a.status === 'delisted' ? `Alert ${a.id} removed; the subject stays on the quiet watch until ${a.quietUntil?.slice(0, 10)}` : `Removal of ${a.id} rejected; the alert stays active`);
      });
    });

  watch
    .command('retry')
    .description('retry screening work that failed during ingest')
    .action(async (_opts: unknown, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const r = await service(s).retryPending();
        if (s.json) return printJson(r);
        say(`Retried ${r.retried}; still pending ${r.stillPending}`);
      });
    });

  program
    .command('screen')
    .argument('<file>', 'records to screen: any file an ingest mapping reads, or JSON Lines of TravelEvent-like objects (travellerName, travellerBirthDate, documentNumber, origin, destination, departure, carrier, phone, email…)')
    .option('--mapping <file>', 'an ingest mapping (YAML) to read the file with, or "travel-jsonl" for JSON Lines of TravelEvent-like records', 'travel-jsonl')
    .option('--agency <id>', 'source agency recorded on mapped records (default: the mapping’s, else yours)')
    .description('batch screening against every alert in force (nothing is stored but the hit reports, which go to the issuing agencies’ inboxes)')
    .action(async (file: string, opts: { mapping: string; agency?: string }, cmd: Command) => {
      if (!existsSync(file)) throw new TesseraError('NOT_FOUND', `no such file: ${file}`, { record: file });
      await withSession(cmd, async (s) => {
        const ctx = await s.context();
        const w = service(s);
        const totals = { records: 0, hits: 0, notices: 0, suppressed: 0, duplicates: 0 };
        const add = (r: { records: number; hits: number; notices: number; suppressed: number; duplicates: number }) => {
          totals.records += r.records;
          totals.hits += r.hits;
          totals.notices += r.notices;
          totals.suppressed += r.suppressed;
          totals.duplicates += r.duplicates;
        };
        const errors: { line: number; field?: string; message: string }[] = [];
        if (opts.mapping === 'travel-jsonl') {
          let batch: ScreeningSubject[] = [];
          const flush = async () => {
            if (batch.length) add(await w.screenRecords(ctx, batch, { file }));
            batch = [];
          };
          let lineNo = 0;
          const by = `${ctx.userId} (${file})`;
          for await (const line of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) {
            lineNo++;
            if (line.trim() === '') continue;
            try {
              let value: unknown;
              try {
                value = JSON.parse(line);
              } catch {
                throw new TesseraError('VALIDATION', `line ${lineNo}: not JSON`, { record: `line ${lineNo}` });
              }
              batch.push(travelSubject(value, `${file}:${lineNo}`, by));
            } catch (e) {
              if (!isTesseraError(e)) throw e;
              errors.push({ line: lineNo, ...(e.field ? { field: e.field } : {}), message: e.message });
              continue;
            }
            if (batch.length >= 1_000) await flush();
          }
          await flush();
        } else {
          // Any ingest mapping: rows are mapped to entities in memory (nothing written to the store),
          // rows the mapping rejects are reported like ingest's quarantine, entities are screened.
          const principal = await s.gov.authorise(ctx, 'screening');
          const mapping = loadMapping(opts.mapping);
          const sink = new MemorySink({ keepStatements: false });
          const report = await ingestFile(
            file,
            mapping,
            sink,
            {
              agency: opts.agency ?? mapping.document.source.agency ?? principal.agency,
              grading: mapping.document.source.grading ?? 'X4',
              resume: false,
              screening: { screen: async (entities, source) => add(await w.screenRecords(ctx, entities.map((e) => subjectOfEntity(e, source)), { file, sourceId: source.sourceId })) },
            },
          );
          if (report.screeningErrors > 0) throw new TesseraError('INTERNAL', `screening failed on ${report.screeningErrors} batch(es): ${report.screeningError ?? 'unknown error'}`);
          for (const q of sink.quarantine.values()) errors.push({ line: q.line, field: q.field, message: `line ${q.line}, ${q.field}: ${q.reason}` });
        }
        const result = { file, mapping: opts.mapping, ...totals, rejected: errors.length, errors: errors.slice(0, 100) };
        if (s.json) return printJson(result);
        say(`Screened ${totals.records} records from ${file}: ${totals.hits} hits, ${totals.notices} post-delisting notices, ${totals.suppressed} suppressed by earlier false-positive decisions, ${errors.length} rejected`);
        for (const e of errors.slice(0, 20)) say(`  rejected ${e.message}`);
        if (errors.length > 20) say(`  … and ${errors.length - 20} more (use --json)`);
      });
    });

  const hits = program.command('hits').description('hit reports in your agency’s inbox; a person decides each one');
  hits
    .command('list')
    .description('hits and post-delisting notices on your agency’s alerts')
    .option('--status <status>', 'open, confirmed, false-positive, needs-info, escalated (the supervisors’ queue)')
    .option('--kind <kind>', 'hit or notice')
    .option('--alert <id>', 'one alert')
    .action(async (opts: { status?: string; kind?: string; alert?: string }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const list = await service(s).listHits(await s.context(), { ...(opts.status ? { status: opts.status } : {}), ...(opts.kind ? { kind: opts.kind } : {}), ...(opts.alert ? { alertId: opts.alert } : {}) });
        if (s.json) return printJson(list);
        printTable(list.map(hitRow));
      });
    });

  hits
    .command('decide')
    .argument('<hit>', 'hit id')
    .requiredOption('--decision <decision>', 'confirmed, false-positive, needs-info, or escalated (a supervisor decides it next)')
    .requiredOption('--note <text>', 'why (kept with the decision; for an escalation, the reason the supervisors see)')
    .description('decide a hit; a false positive is remembered and not raised again unless the data change; an escalated hit is decided by a supervisor')
    .action(async (id: string, opts: { decision: string; note: string }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const h = await service(s).decideHit(await s.context(), id, opts.decision, opts.note);
        if (s.json) return printJson(h);
        say(h.status === 'escalated' ? `Hit ${h.id}: escalated — it waits in the supervisors' queue of ${h.agency} (tessera hits list --status escalated)` : `Hit ${h.id}: ${h.status}`);
      });
    });
}
