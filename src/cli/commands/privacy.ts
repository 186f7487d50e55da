import { chmodSync, existsSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { createPublicKey } from 'node:crypto';
import type { Command } from 'commander';
import {
  authoriseOversight,
  checkpointKeyFromPem,
  createCheckpoint,
  decideReidentification,
  decideReview,
  dpoReport,
  dueReviews,
  eraseSubject,
  exportAudit,
  exportEntities,
  exportSubject,
  formatDpoReport,
  generateCheckpointKeyPem,
  generateReidKeyPair,
  installReidPublicKey,
  outboxNotifier,
  parseAnchors,
  pendingReidRequests,
  recordAlertLookup,
  rectifyStatement,
  reidentify,
  requestReidentification,
  retentionRules,
  runRetention,
  searchAudit,
  setAccessLimits,
  storedCheckpointKey,
  verifyAnchoredAudit,
  type AuditCheckpoint,
  type AuditQuery,
  type CheckpointKey,
  type RetentionReport,
  upsertRetentionRule,
} from '../../governance/index.js';
import { TesseraError } from '../../model/index.js';
import { withSession, type CliSession } from '../context.js';
import { printJson, printTable, say } from '../output.js';

interface AuditFilterOptions {
  byUser?: string;
  byAgency?: string;
  purposeContains?: string;
  forCase?: string;
  action?: string;
  entity?: string;
  recipient?: string;
  outcome?: string;
  from?: string;
  to?: string;
  limit?: string;
}

function addAuditFilters(cmd: Command): Command {
  return cmd
    .option('--by-user <id>', 'entries of this user')
    .option('--by-agency <id>', 'entries of this agency')
    .option('--purpose-contains <text>', 'stated purpose contains this text')
    .option('--for-case <id>', 'entries for this case')
    .option('--action <name>', 'action, or a prefix ending in * (e.g. "refused.*")')
    .option('--entity <id>', 'entries naming this entity')
    .option('--recipient <agency>', 'disclosures to this agency or country')
    .option('--outcome <o>', 'allowed | refused | error')
    .option('--from <date>', 'from this ISO date or date-time')
    .option('--to <date>', 'up to this ISO date (inclusive) or date-time (exclusive)');
}

function auditQuery(o: AuditFilterOptions): AuditQuery {
  const q: Record<string, unknown> = {};
  const set = (k: string, v: string | undefined) => v !== undefined && (q[k] = v);
  set('userId', o.byUser);
  set('agency', o.byAgency);
  set('purpose', o.purposeContains);
  set('caseId', o.forCase);
  set('action', o.action);
  set('entityId', o.entity);
  set('recipient', o.recipient);
  set('from', o.from);
  set('to', o.to);
  if (o.outcome !== undefined) {
    if (!['allowed', 'refused', 'error'].includes(o.outcome)) throw new TesseraError('VALIDATION', `--outcome must be allowed, refused or error, not "${o.outcome}"`, { field: 'outcome' });
    q.outcome = o.outcome;
  }
  if (o.limit !== undefined) q.limit = positiveInt(o.limit, 'limit');
  return q as AuditQuery;
}

function positiveInt(v: string, field: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new TesseraError('VALIDATION', `--${field} must be a positive whole number, not "${v}"`, { field });
  return n;
}

function readText(path: string, what: string): string {
  if (!existsSync(path)) throw new TesseraError('CONFIG', `${what} ${path} does not exist`, { field: what });
  return readFileSync(path, 'utf8');
}

async function checkpointKey(s: CliSession, keyFile: string | undefined): Promise<CheckpointKey> {
  return keyFile ? checkpointKeyFromPem(readText(keyFile, 'key file')) : storedCheckpointKey(s.store);
}

async function checkpointAndAnchor(s: CliSession, keyFile: string | undefined, anchor: string | undefined): Promise<AuditCheckpoint> {
  const cp = await createCheckpoint(s.gov, await checkpointKey(s, keyFile));
  if (anchor) appendFileSync(anchor, `${JSON.stringify(cp)}\n`, { mode: 0o600 });
  return cp;
}

function printRetention(r: RetentionReport): void {
  say(`Retention ${r.dryRun ? 'plan (dry run)' : 'run'} at ${r.at}: ${r.statementsScanned} statements scanned; ${r.depersonalised} depersonalised, ${r.deleted} deleted, ${r.reviewsDue.length} reviews due, ${r.held.length} held.`);
  say();
  printTable(r.rules.map((x) => ({ rule: x.id, action: x.action, 'after days': x.afterDays, statements: x.statements, entities: x.entities, applied: x.applied, held: x.held })));
  for (const h of r.held) say(`HELD (active alert ${h.alert.alertId}${h.alert.ownerAgency ? `, ${h.alert.ownerAgency}` : ''}): ${h.action} of ${h.entityId} under ${h.ruleId} — ${h.statements} statements kept for review`);
  for (const k of r.skipped) say(`SKIPPED ${k.ruleId} (${k.statements} statements): ${k.reason}`);
  const overdue = r.reviewsDue.filter((x) => x.overdue).length;
  if (r.reviewsDue.length) say(`Reviews due: ${r.reviewsDue.length} (${overdue} overdue) — see \`tessera retention reviews\``);
}

/** `audit search|export|checkpoint|verify-anchors`, `retention …`, `dpo …`, `subject …`, `export`. */
export function registerPrivacyCommands(program: Command): void {
  const audit = program.commands.find((c) => c.name() === 'audit') ?? program.command('audit').description('the append-only, hash-chained audit log');

  addAuditFilters(audit.command('search').description('search the audit log (DPO, supervisor): who consulted what, why, for which case, with what outcome'))
    .option('--limit <n>', 'at most this many entries', '100')
    .action(async (opts: AuditFilterOptions, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const { entries, matched } = await searchAudit(s.gov, await s.context(), auditQuery(opts));
        if (s.json) return printJson({ matched, entries });
        printTable(entries.map((e) => ({ seq: e.seq, at: e.at.slice(0, 19), user: e.userId, agency: e.agency, case: e.caseId ?? '', action: e.action, outcome: e.outcome, entities: e.entityIds.length, purpose: e.purpose })), undefined, 48);
        say(`${matched} matching entries${matched > entries.length ? ` (first ${entries.length} shown)` : ''}`);
      });
    });

  addAuditFilters(audit.command('export').description('export matching audit entries (DPO) as JSON Lines (with hashes) or CSV'))
    .option('--format <f>', 'jsonl | csv', 'jsonl')
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (opts: AuditFilterOptions & { format: string; out?: string }, cmd: Command) => {
      if (opts.format !== 'jsonl' && opts.format !== 'csv') throw new TesseraError('VALIDATION', `--format must be jsonl or csv, not "${opts.format}"`, { field: 'format' });
      const format = opts.format;
      await withSession(cmd, async (s) => {
        const { text, entries } = await exportAudit(s.gov, await s.context(), auditQuery(opts), format);
        if (opts.out) {
          writeFileSync(opts.out, text, { mode: 0o600 });
          say(`${entries} entries written to ${opts.out}`);
        } else process.stdout.write(text);
      });
    });

  audit
    .command('checkpoint')
    .description('sign the chain head (Ed25519) so truncation is detectable; append it to an anchor file kept elsewhere')
    .option('--key-file <pem>', 'Ed25519 private key (PKCS#8 PEM); default: the key kept in the store')
    .option('--anchor <file>', 'append the checkpoint (JSON line) to this file')
    .option('--new-key <pem>', 'generate a new key file here and use it')
    .action(async (opts: { keyFile?: string; anchor?: string; newKey?: string }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        let keyFile = opts.keyFile;
        if (opts.newKey) {
          if (existsSync(opts.newKey)) throw new TesseraError('CONFLICT', `${opts.newKey} exists: refusing to overwrite a key file`, { field: 'newKey' });
          writeFileSync(opts.newKey, generateCheckpointKeyPem(), { mode: 0o600 });
          keyFile = opts.newKey;
        }
        const cp = await checkpointAndAnchor(s, keyFile, opts.anchor);
        if (s.json) return printJson(cp);
        say(`Checkpoint signed: entry ${cp.seq} ${cp.hash.slice(0, 16)}… by key ${cp.keyId}${opts.anchor ? `, anchored in ${opts.anchor}` : ''}`);
      });
    });

  audit
    .command('verify-anchors')
    .description('verify the chain against signed checkpoints (stored and anchor file): detects edits, deletions and truncation')
    .option('--key-file <pem>', 'trust the public half of this key (default: the key recorded in the store)')
    .option('--anchor <file>', 'checkpoints kept outside the database (JSON Lines)')
    .action(async (opts: { keyFile?: string; anchor?: string }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const trustedKeys = opts.keyFile ? [createPublicKey(checkpointKeyFromPem(readText(opts.keyFile, 'key file')).privateKey)] : [];
        const anchors = opts.anchor ? parseAnchors(readText(opts.anchor, 'anchor file')) : [];
        const r = await verifyAnchoredAudit(s.gov, { trustedKeys, anchors });
        if (s.json) printJson(r);
        else if (r.problems.length === 0) say(`Audit chain intact: ${r.entries} entries, ${r.checkpoints} checkpoints verified${r.latest ? ` (latest at entry ${r.latest.seq})` : ''}.`);
        else {
          say(`Audit chain BROKEN: ${r.problems.length} problem(s):`);
          for (const p of r.problems) say(`  entry ${p.seq}: ${p.kind} — ${p.message}`);
        }
        if (r.problems.length) throw new TesseraError('AUDIT_TAMPERED', `audit verification failed at entry ${r.problems[0]!.seq} (${r.problems[0]!.kind})`);
      });
    });

  const retention = program.command('retention').description('retention rules, depersonalisation, reviews and re-identification');
  retention
    .command('rules')
    .description('the retention rules in force')
    .action(async (_o: unknown, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const rules = await retentionRules(s.store);
        if (s.json) return printJson(rules);
        printTable(rules.map((r) => ({ rule: r.id, action: r.action, 'after days': r.afterDays, categories: r.subjectCategories.join(',') || 'all', schemas: r.schemas.join(',') || 'all', props: r.props.join(',') || 'all', basis: r.basis })));
      });
    });
  retention
    .command('rule')
    .argument('<id>', 'rule id (lower case, digits, dashes)')
    .requiredOption('--action <a>', 'review | depersonalise | delete')
    .requiredOption('--after-days <n>', 'age (days since last seen or collected) at which the rule applies')
    .requiredOption('--title <text>', 'what the rule says')
    .requiredOption('--basis <text>', 'its legal reference')
    .option('--categories <c...>', 'subject categories (default: all)')
    .option('--schemas <s...>', 'data classes (default: all)')
    .option('--props <p...>', 'properties (default: all)')
    .description('add or replace a retention rule of this node (admin, DPO)')
    .action(async (id: string, opts: { action: string; afterDays: string; title: string; basis: string; categories?: string[]; schemas?: string[]; props?: string[] }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const rule = await upsertRetentionRule(s.gov, await s.context(), {
          id,
          title: opts.title,
          basis: opts.basis,
          action: opts.action,
          afterDays: positiveInt(opts.afterDays, 'after-days'),
          subjectCategories: opts.categories ?? [],
          schemas: opts.schemas ?? [],
          props: opts.props ?? [],
        });
        if (s.json) return printJson(rule);
        say(`Rule ${rule.id}: ${rule.action} after ${rule.afterDays} days (${rule.basis}).`);
      });
    });
  retention
    .command('keygen')
    .description('create the re-identification key pair: the public key goes into the store, the private key into a file for supervisors')
    .requiredOption('--out <pem>', 'where to write the private key (kept by supervisors, not on the server)')
    .option('--bits <n>', 'RSA modulus length', '3072')
    .action(async (opts: { out: string; bits: string }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const ctx = await s.context();
        const principal = await authoriseOversight(s.gov, ctx, 'retention.keygen', ['admin', 'dpo']);
        if (existsSync(opts.out)) throw new TesseraError('CONFLICT', `${opts.out} exists: refusing to overwrite a key file`, { field: 'out' });
        const bits = positiveInt(opts.bits, 'bits');
        if (bits < 2048) throw new TesseraError('VALIDATION', '--bits must be at least 2048', { field: 'bits' });
        const keys = generateReidKeyPair(bits);
        writeFileSync(opts.out, keys.privatePem, { mode: 0o600 });
        chmodSync(opts.out, 0o600);
        const keyId = await installReidPublicKey(s.store, keys.publicPem);
        await s.gov.audit(ctx, principal, 'retention.keygen', 'allowed', [], { keyId, bits });
        say(`Re-identification key ${keyId} installed; private key written to ${opts.out} (give it to supervisors; do not keep it on the server).`);
      });
    });
  retention
    .command('run')
    .description('apply the retention rules now (also run by the server); never deletes what is under an active alert')
    .option('--dry-run', 'report what would be done, change nothing')
    .option('--now <iso>', 'evaluate as of this time (replays, tests)')
    .option('--key-file <pem>', 'checkpoint signing key (default: the key kept in the store)')
    .option('--anchor <file>', 'append the checkpoint made after the run to this file')
    .option('--alerts-collection <name>', 'store records collection holding watch alerts', 'watch-alerts')
    .action(async (opts: { dryRun?: boolean; now?: string; keyFile?: string; anchor?: string; alertsCollection: string }, cmd: Command) => {
      const now = opts.now ? new Date(opts.now) : new Date();
      if (Number.isNaN(now.getTime())) throw new TesseraError('VALIDATION', `--now "${opts.now}" is not an ISO date-time`, { field: 'now' });
      await withSession(cmd, async (s) => {
        const report = await runRetention(s.gov, { now, dryRun: opts.dryRun ?? false, alerts: recordAlertLookup(s.store, opts.alertsCollection) });
        const cp = opts.dryRun ? undefined : await checkpointAndAnchor(s, opts.keyFile, opts.anchor);
        if (s.json) return printJson({ ...report, checkpoint: cp });
        printRetention(report);
        if (cp) say(`Audit checkpoint signed at entry ${cp.seq}.`);
      });
    });
  retention
    .command('reviews')
    .description('entities due for review (supervisors decide: keep or erase)')
    .action(async (_o: unknown, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const due = await dueReviews(s.store);
        if (s.json) return printJson(due);
        printTable(due.map((d) => ({ entity: d.entityId, rule: d.ruleId, 'due since': d.dueSince })));
      });
    });
  retention
    .command('review')
    .argument('<entity>', 'entity under review')
    .requiredOption('--rule <id>', 'the rule it is due under')
    .option('--keep', 'keep for another period (state why in --purpose)')
    .option('--erase', 'erase the subject (notifies partners who received it)')
    .description('decide a due review (supervisor)')
    .action(async (entity: string, opts: { rule: string; keep?: boolean; erase?: boolean }, cmd: Command) => {
      if (Boolean(opts.keep) === Boolean(opts.erase)) throw new TesseraError('VALIDATION', 'choose exactly one of --keep or --erase', { field: 'decision' });
      await withSession(cmd, async (s) => {
        const ctx = await s.context();
        const decided = await decideReview(s.gov, ctx, entity, opts.rule, opts.keep === true, (id) => eraseSubject(s.gov, ctx, id, { notifier: outboxNotifier(s.store), alerts: recordAlertLookup(s.store) }));
        if (s.json) return printJson(decided);
        say(`${entity}: ${decided.status}${decided.nextReview ? ` until ${decided.nextReview}` : ''}`);
      });
    });

  const reid = retention.command('reid').description('re-identification of depersonalised values (four-eyes, supervisor key)');
  reid
    .command('request')
    .argument('<entity>', 'depersonalised entity')
    .description('ask to re-identify (analyst, for a case; the purpose is the justification)')
    .action(async (entity: string, _o: unknown, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const r = await requestReidentification(s.gov, await s.context(), entity);
        if (s.json) return printJson(r);
        say(`Request ${r.id} recorded; a supervisor of ${r.agency} must approve it.`);
      });
    });
  reid
    .command('pending')
    .description('requests waiting for a decision')
    .action(async (_o: unknown, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const ctx = await s.context();
        await authoriseOversight(s.gov, ctx, 'reid.pending', ['supervisor', 'dpo']);
        const list = await pendingReidRequests(s.store);
        if (s.json) return printJson(list);
        printTable(list.map((r) => ({ id: r.id, entity: r.entityId, requester: r.requester, case: r.caseId ?? '', reason: r.reason, at: r.requestedAt })));
      });
    });
  reid
    .command('approve')
    .argument('<request>', 'request id')
    .requiredOption('--key-file <pem>', 'the re-identification private key')
    .description('approve (supervisor, not the requester): prints a one-time grant token for the requester')
    .action(async (id: string, opts: { keyFile: string }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const r = await decideReidentification(s.gov, await s.context(), id, { approve: true, privateKeyPem: readText(opts.keyFile, 'key file') });
        if (s.json) return printJson({ request: { ...r.request, grants: undefined, tokenHash: undefined }, token: r.token });
        say(`Approved until ${r.request.expiresAt}. Give this token to ${r.request.requester} (shown once):`);
        say(r.token);
      });
    });
  reid
    .command('refuse')
    .argument('<request>', 'request id')
    .description('refuse a request (supervisor)')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      await withSession(cmd, async (s) => {
        await decideReidentification(s.gov, await s.context(), id, { approve: false });
        say(`Request ${id} refused.`);
      });
    });
  reid
    .command('open')
    .argument('<request>', 'request id')
    .requiredOption('--token <t>', 'grant token from the approving supervisor')
    .description('show the original values (the requester, within 24 hours of approval); logged as a disclosure')
    .action(async (id: string, opts: { token: string }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const values = await reidentify(s.gov, await s.context(), id, opts.token);
        if (s.json) return printJson(values);
        printTable(values.map((v) => ({ property: v.prop, value: v.value, original: v.original ?? '' })));
      });
    });

  const dpo = program.command('dpo').description('data protection officer: oversight report and limits');
  dpo
    .command('report')
    .option('--from <date>', 'window start (default 30 days ago)')
    .option('--to <date>', 'window end (default now)')
    .description('queries per user and purpose, unusual access, refusals, expired reviews, data past retention, disclosures per partner')
    .action(async (opts: { from?: string; to?: string }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const r = await dpoReport(s.gov, await s.context(), { ...(opts.from ? { from: opts.from } : {}), ...(opts.to ? { to: opts.to } : {}), alerts: recordAlertLookup(s.store) });
        if (s.json) return printJson(r);
        say(formatDpoReport(r));
      });
    });
  dpo
    .command('limits')
    .option('--subjects-per-day <n>', 'subjects a user may read per day')
    .option('--exports-per-day <n>', 'exports a user may make per day')
    .option('--export-subjects-per-day <n>', 'subjects a user may export per day')
    .description('show or set per-user daily volume limits (DPO, admin)')
    .action(async (opts: { subjectsPerDay?: string; exportsPerDay?: string; exportSubjectsPerDay?: string }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const input = {
          ...(opts.subjectsPerDay ? { subjectsPerDay: positiveInt(opts.subjectsPerDay, 'subjects-per-day') } : {}),
          ...(opts.exportsPerDay ? { exportsPerDay: positiveInt(opts.exportsPerDay, 'exports-per-day') } : {}),
          ...(opts.exportSubjectsPerDay ? { exportSubjectsPerDay: positiveInt(opts.exportSubjectsPerDay, 'export-subjects-per-day') } : {}),
        };
        const limits = await setAccessLimits(s.gov, await s.context(), input);
        if (s.json) return printJson(limits);
        say(`Per user and day: ${limits.subjectsPerDay} subjects read, ${limits.exportsPerDay} exports, ${limits.exportSubjectsPerDay} exported subjects.`);
      });
    });

  const subject = program.command('subject').description('data-subject rights: access, rectification, erasure');
  subject
    .command('export')
    .argument('<entity>', 'the data subject')
    .option('--out <file>', 'write the JSON here')
    .description('everything held on a subject, with provenance, references, disclosures and retention (lawful access request)')
    .action(async (entity: string, opts: { out?: string }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const r = await exportSubject(s.gov, await s.context(), entity);
        if (opts.out) {
          writeFileSync(opts.out, `${JSON.stringify(r, null, 2)}\n`, { mode: 0o600 });
          say(`${r.statements.length} statements, ${r.references.length} references, ${r.disclosures.length} disclosures written to ${opts.out}`);
        } else if (s.json) printJson(r);
        else {
          say(`Subject ${entity}: ${r.statements.length} statements, ${r.references.length} references, ${r.depersonalised.length} depersonalised values, ${r.disclosures.length} disclosures; ${r.partnerHeld} statements from partners (their release needs the originator's consent).`);
          printTable(r.statements.map((x) => ({ property: x.prop, value: x.value, agency: x.source.agency, document: x.source.documentId ?? '', collected: x.source.collectedAt.slice(0, 10), category: x.subjectCategory, class: x.classification })));
        }
      });
    });
  subject
    .command('rectify')
    .argument('<statement>', 'statement id')
    .argument('<value>', 'the corrected value')
    .description('correct a value (originator only); recorded and sent to partners who received it')
    .action(async (id: string, value: string, _o: unknown, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const r = await rectifyStatement(s.gov, await s.context(), id, value, { notifier: outboxNotifier(s.store) });
        if (s.json) return printJson(r);
        say(`Rectified ${r.statement.prop} of ${r.statement.entityId} to "${r.statement.value}"; partners notified: ${r.propagated.map((p) => p.recipient).join(', ') || 'none'}.`);
      });
    });
  subject
    .command('erase')
    .argument('<entity>', 'the data subject')
    .description('erase what this node holds on a subject (refused under an active alert); recorded and sent to partners')
    .action(async (entity: string, _o: unknown, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const r = await eraseSubject(s.gov, await s.context(), entity, { notifier: outboxNotifier(s.store), alerts: recordAlertLookup(s.store) });
        if (s.json) return printJson(r);
        say(`Erased ${r.deleted} statements on ${entity}; partners notified: ${r.propagated.map((p) => p.recipient).join(', ') || 'none'}.`);
      });
    });

  program
    .command('export')
    .argument('<entity...>', 'entities to export')
    .option('--to <recipient...>', 'partner agencies receiving the export (logged as a disclosure; the disclosure rule of dossiers applies)')
    .option('--clearance <level>', 'highest classification the recipients are cleared for (default: the lowest level)')
    .option('--out <file>', 'write JSON Lines here instead of stdout')
    .description('export entities of a case (legal basis must allow export; daily volume limits apply)')
    .action(async (ids: string[], opts: { to?: string[]; clearance?: string; out?: string }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const r = await exportEntities(s.gov, await s.context(), ids, { ...(opts.to ? { recipients: opts.to } : {}), ...(opts.clearance ? { clearance: opts.clearance } : {}) });
        const text = r.statements.map((x) => `${JSON.stringify(x)}\n`).join('');
        const reasons = Object.entries(r.withheld).filter(([, n]) => n > 0).map(([why, n]) => `${n} ${why}`);
        const withheld = r.withheldForRecipients ? `${r.withheldForRecipients} withheld for the recipients (${reasons.join(', ')})` : '';
        if (opts.out) {
          writeFileSync(opts.out, text, { mode: 0o600 });
          say(`${r.statements.length} statements written to ${opts.out}${withheld ? `; ${withheld}` : ''}`);
        } else {
          process.stdout.write(text);
          if (withheld) process.stderr.write(`${withheld}\n`);
        }
      });
    });
}
