import type { Command } from 'commander';
import { gradingCode, TesseraError, type Entity } from '../../model/index.js';
import { withSession } from '../context.js';
import { printJson, printTable, say } from '../output.js';

/** `init`, `stats`, `entity show`, `search`, `audit verify`. */
export function registerCoreCommands(program: Command): void {
  program
    .command('init')
    .description('create (or migrate) the store and register this node’s agency and an administrator')
    .option('--agency <id>', 'agency id, e.g. FR-CT', 'FR-CT')
    .option('--agency-name <name>', 'agency name', 'Counter-terrorism unit')
    .option('--country <code>', 'ISO 3166 country of the agency')
    .option('--admin <id>', 'administrator user id', 'admin')
    .action(async (opts: { agency: string; agencyName: string; country?: string; admin: string }, cmd: Command) => {
      await withSession(cmd, async ({ gov, store, json }) => {
        const agency = await gov.upsertAgency({ id: opts.agency, name: opts.agencyName, country: opts.country ?? opts.agency.slice(0, 2) });
        const admin = await gov.upsertUser({ id: opts.admin, name: 'Administrator', agency: agency.id, roles: ['admin'], clearance: gov.levels[gov.levels.length - 1] });
        const result = { store: store.location, dialect: store.dialect, schemaVersion: await store.schemaVersion(), agency: agency.id, admin: admin.id };
        if (json) printJson(result);
        else say(`Initialised ${result.dialect} store at ${result.store} (schema v${result.schemaVersion}); agency ${agency.id}, administrator ${admin.id}`);
      });
    });

  program
    .command('stats')
    .description('counts of statements and entities by schema and agency')
    .action(async (_opts: unknown, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const stats = await s.gov.stats(await s.context());
        if (s.json) return printJson(stats);
        say(`${stats.statements.toLocaleString('en')} statements about ${stats.entities.toLocaleString('en')} entities in ${s.store.location}`);
        say();
        printTable(Object.entries(stats.bySchema).map(([schema, entities]) => ({ schema, entities })));
        say();
        printTable(Object.entries(stats.byAgency).map(([agency, statements]) => ({ agency, statements })));
      });
    });

  const entity = program.command('entity').description('entities assembled from statements');
  entity
    .command('show')
    .argument('<id>', 'entity id, e.g. fr-ct:01J…')
    .description('every value with its source agency, grading, handling and dates; conflicts side by side')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const ctx = await s.context();
        const view = await s.gov.readEntity(ctx, id);
        const links = await s.gov.readReferencing(ctx, 'read', [id]);
        if (s.json) return printJson({ ...view, links: links.map((l) => ({ entityId: l.entityId, schema: l.schema, prop: l.prop })) });
        if (!view.entity) {
          say(`${id}: nothing you may read (withheld: ${JSON.stringify(view.withheld)})`);
          return;
        }
        printEntity(view.entity);
        const withheld = Object.entries(view.withheld).filter(([, n]) => n > 0);
        if (withheld.length) say(`\nWithheld from you: ${withheld.map(([why, n]) => `${n} by ${why}`).join(', ')}`);
        if (links.length) {
          say('\nLinks:');
          printTable(links.map((l) => ({ link: l.entityId, schema: l.schema, role: l.prop, agency: l.source.agency })));
        }
      });
    });

  program
    .command('search')
    .argument('<text...>', 'words to find in names and texts (any script; prefixes match)')
    .option('--schema <name...>', 'only these schemas')
    .option('--limit <n>', 'at most this many entities', '20')
    .description('full-text search, filtered to what you may read')
    .action(async (words: string[], opts: { schema?: string[]; limit: string }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const hits = await s.gov.search(await s.context(), words.join(' '), { limit: Number(opts.limit), ...(opts.schema ? { schemas: opts.schema } : {}) });
        if (s.json) return printJson(hits);
        printTable(hits.map((h) => ({ entity: h.entityId, schema: h.schema, caption: h.caption, matched: h.matched.map((m) => m.value).join(' | ') })));
      });
    });

  const audit = program.command('audit').description('the append-only, hash-chained audit log');
  audit
    .command('verify')
    .description('check the whole hash chain; names every edited, deleted or reordered entry')
    .action(async (_opts: unknown, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const result = await s.gov.verifyAudit();
        if (s.json) printJson(result);
        else if (result.problems.length === 0) say(`Audit chain intact: ${result.entries} entries verified.`);
        else {
          say(`Audit chain BROKEN: ${result.problems.length} problem(s) in ${result.entries} entries:`);
          for (const p of result.problems) say(`  entry ${p.seq}: ${p.kind} — ${p.message}`);
        }
        if (result.problems.length) throw new TesseraError('AUDIT_TAMPERED', `audit chain verification failed at entry ${result.problems[0]!.seq}`);
      });
    });
}

function printEntity(e: Entity): void {
  say(`${e.caption}  [${e.schema}]  ${e.id}`);
  say(`sources: ${e.agencies.join(', ')} · ${e.statementCount} statements${e.firstSeen ? ` · seen ${e.firstSeen} – ${e.lastSeen ?? '…'}` : ''}`);
  if (e.conflicts.length) say(`conflicting values: ${e.conflicts.join(', ')}`);
  say();
  const rows: Record<string, unknown>[] = [];
  for (const [prop, values] of Object.entries(e.properties)) {
    for (const v of values) {
      for (const p of v.provenance) {
        rows.push({
          property: `${prop}${e.conflicts.includes(prop) ? ' ≠' : ''}`,
          value: v.value,
          original: p.original ?? '',
          agency: p.agency,
          grading: gradingCode(p.grading),
          handling: [...p.handling.codes, p.handling.releasableTo.length ? `→${p.handling.releasableTo.join(',')}` : 'originator only'].join(' '),
          class: p.classification,
          nature: p.nature,
          seen: p.firstSeen ? `${p.firstSeen}–${p.lastSeen ?? ''}` : '',
        });
      }
    }
  }
  printTable(rows);
}
