import type { Command } from 'commander';
import { FederationService, SELECTOR_KINDS, type FederationInbox, type HitRecord, type RequestView, type SelectorKind } from '../../federation/index.js';
import { TesseraError } from '../../model/index.js';
import { WatchService, watchConfig } from '../../watch/index.js';
import { withSession, type CliSession } from '../context.js';
import { printJson, printTable, say } from '../output.js';
import { openFederationNode, wireNodeFlows } from './node.js';

/**
 * The federation service of this store. Reading (inbox, hits) needs no node; anything that sends
 * (match, request, answer, refuse…) opens the node from its configured key and peers and queues
 * the messages in the store's outbox, which `tessera node serve` delivers.
 */
async function federation(s: CliSession, sending: boolean): Promise<FederationService> {
  if (!sending) return new FederationService(s.gov, { nodeAgency: s.config.nodeAgency, watch: new WatchService(s.gov, { config: watchConfig(), nodeAgency: s.config.nodeAgency }) });
  const { setup, node } = await openFederationNode(s);
  return wireNodeFlows(s.gov, setup, node);
}

function hitRow(h: HitRecord) {
  return {
    hit: h.id,
    role: h.role,
    partner: h.role === 'asker' ? h.holder : h.asker,
    kind: h.matchKind === 'name' ? 'name' : `selector:${h.selectorKind ?? ''}`,
    score: h.score ?? '',
    case: h.caseId,
    subject: h.subject.label,
    at: h.createdAt.slice(0, 16),
  };
}

function requestRow(r: RequestView) {
  return {
    request: r.id,
    partner: r.role === 'asker' ? r.holder : r.asker,
    urgency: r.urgency,
    status: r.status,
    deadline: r.deadline.slice(0, 16),
    overdue: r.overdue ? `yes (level ${r.level})` : '',
    case: r.caseId,
    question: r.question,
  };
}

function printInbox(inbox: FederationInbox): void {
  const section = (title: string, rows: readonly Record<string, unknown>[]) => {
    say(`\n${title} (${rows.length})`);
    if (rows.length) printTable(rows, undefined, 70);
  };
  say(`Federation inbox of ${inbox.agency}, ${inbox.now.slice(0, 16)}`);
  section('Requests to answer', inbox.requests.incoming.map(requestRow));
  section('Our requests', inbox.requests.outgoing.map(requestRow));
  section(
    'Answers received',
    inbox.answers.map((a) => ({ request: a.requestId, from: a.holder, outcome: a.outcome, at: a.at.slice(0, 16), detail: a.reason ?? a.question ?? `${a.statements.length} statement(s)${a.refusedOnReceipt?.length ? `, ${a.refusedOnReceipt.length} refused on receipt` : ''}` })),
  );
  section('Hits on partners’ pointers', inbox.hits.asked.map(hitRow));
  section('Partners’ hits on our pointers', inbox.hits.held.map(hitRow));
  section(
    'Deconfliction',
    inbox.deconfliction.map((d) => ({ notice: d.id, status: d.status, partner: d.partner, cases: d.caseIds.join(' '), contact: `${d.contact.unit} (${d.contact.channel})`, reason: d.reason })),
  );
}

function parseSelector(text: string): { kind: SelectorKind; value: string } {
  const i = text.indexOf(':');
  const kind = text.slice(0, i) as SelectorKind;
  if (i < 1 || !SELECTOR_KINDS.includes(kind)) throw new TesseraError('VALIDATION', `selector "${text}": write KIND:VALUE with KIND one of ${SELECTOR_KINDS.join(', ')}`, { field: 'selector' });
  return { kind, value: text.slice(i + 1) };
}

/** `fed inbox|hits|match|request|answer|refuse|more-info|deconflict|publish|sweep`. */
export function registerFederationCommands(program: Command): void {
  const fed = program.command('fed').description('federation: hits on partners’ pointers, follow-up requests and answers, deconfliction');

  fed
    .command('inbox')
    .description('hits both ways, requests with deadlines and escalation, answers received, deconfliction notices')
    .action(async (_opts: unknown, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const inbox = await (await federation(s, false)).inbox(await s.context());
        if (s.json) return printJson(inbox);
        printInbox(inbox);
      });
    });

  fed
    .command('hits')
    .description('hits: ours on partners’ pointers (cases you belong to) and partners’ on ours')
    .option('--role <role>', 'asker (ours) or holder (partners’ on our pointers)')
    .action(async (opts: { role?: string }, cmd: Command) => {
      if (opts.role !== undefined && opts.role !== 'asker' && opts.role !== 'holder') throw new TesseraError('VALIDATION', '--role must be asker or holder', { field: 'role' });
      await withSession(cmd, async (s) => {
        const hits = await (await federation(s, false)).hits(await s.context(), opts.role ? { role: opts.role as 'asker' | 'holder' } : {});
        if (s.json) return printJson(hits);
        printTable(hits.map(hitRow), undefined, 70);
      });
    });

  fed
    .command('match')
    .description('match a subject against partners: names by hardened Bloom encodings, selectors by PSI')
    .option('--entity <id>', 'an entity of the store (its names, date of birth, selectors)')
    .option('--alert <id>', 'one of your agency’s alerts')
    .option('--name <name...>', 'names or aliases')
    .option('--dob <date...>', 'dates of birth (YYYY[-MM[-DD]])')
    .option('--selector <kind:value...>', `exact selectors (${SELECTOR_KINDS.join(', ')}), e.g. phone:+32470123456`)
    .option('--partner <agency...>', 'only these partners')
    .action(async (opts: { entity?: string; alert?: string; name?: string[]; dob?: string[]; selector?: string[]; partner?: string[] }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const service = await federation(s, true);
        try {
          const r = await service.match(await s.context(), {
            ...(opts.entity ? { entityId: opts.entity } : {}),
            ...(opts.alert ? { alertId: opts.alert } : {}),
            names: opts.name ?? [],
            birthDates: opts.dob ?? [],
            selectors: (opts.selector ?? []).map(parseSelector),
            ...(opts.partner ? { partners: opts.partner } : {}),
          });
          if (s.json) return printJson(r);
          say(`${r.subject}: searched ${r.searched.join(', ') || 'no partner pointer set'}; ${r.hits.length} hit(s)`);
          if (r.hits.length) printTable(r.hits.map(hitRow), undefined, 70);
          if (r.psiSessions.length) say(`PSI sessions started: ${r.psiSessions.map((p) => `${p.partner}/${p.selectorKind}`).join(', ')} (hits arrive with the partners’ replies)`);
        } finally {
          await service.close();
        }
      });
    });

  fed
    .command('request')
    .argument('<hit>', 'hit id (one of ours)')
    .description('ask the holder of a hit, under the hit’s case')
    .requiredOption('--question <text>', 'what you ask')
    .option('--urgency <urgency>', 'urgent (8 h), normal (3 days) or routine (14 days)', 'normal')
    .action(async (hitId: string, opts: { question: string; urgency: string }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const r = await (await federation(s, true)).request(await s.context(), hitId, { urgency: opts.urgency, question: opts.question });
        if (s.json) return printJson(r);
        say(`Request ${r.id} sent to ${r.holder} (${r.urgency}); answer due by ${r.deadline}`);
      });
    });

  fed
    .command('answer')
    .argument('<request>', 'request id (addressed to your agency)')
    .description('release statements in answer to a request (handling codes are enforced; what may not go is listed)')
    .requiredOption('--statement <id...>', 'statement ids to release')
    .option('--grant', 'as originator, release your own statements to the requester although their releasable-to list does not name it')
    .action(async (requestId: string, opts: { statement: string[]; grant?: boolean }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const r = await (await federation(s, true)).answer(await s.context(), requestId, { statementIds: opts.statement, ...(opts.grant ? { grant: true } : {}) });
        if (s.json) return printJson(r);
        say(`Released ${r.released.length} statement(s) to ${r.request.asker}`);
        for (const w of r.withheld) say(`  kept back ${w.statementId}: ${w.message}`);
      });
    });

  fed
    .command('refuse')
    .argument('<request>', 'request id (addressed to your agency)')
    .description('refuse a request, with the reason the partner is given')
    .requiredOption('--reason <text>', 'why')
    .action(async (requestId: string, opts: { reason: string }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const r = await (await federation(s, true)).refuse(await s.context(), requestId, opts.reason);
        if (s.json) return printJson(r);
        say(`Request ${r.id} of ${r.asker} refused`);
      });
    });

  fed
    .command('more-info')
    .argument('<request>', 'request id (addressed to your agency)')
    .description('answer a request with a question (the partner follows up with a new request)')
    .requiredOption('--question <text>', 'what you need to know')
    .action(async (requestId: string, opts: { question: string }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const r = await (await federation(s, true)).askMore(await s.context(), requestId, opts.question);
        if (s.json) return printJson(r);
        say(`Asked ${r.asker} for more on request ${r.id}`);
      });
    });

  fed
    .command('deconflict')
    .argument('<notice>', 'deconfliction notice id (pending approval)')
    .description('approve (send) or decline a deconfliction notice waiting for the holder’s consent (supervisor)')
    .requiredOption('--note <text>', 'why')
    .option('--decline', 'decline instead of approving')
    .action(async (noticeId: string, opts: { note: string; decline?: boolean }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const d = await (await federation(s, !opts.decline)).decideDeconfliction(await s.context(), noticeId, !opts.decline, opts.note);
        if (s.json) return printJson(d);
        say(`Deconfliction notice ${d.id} ${d.status}${d.status === 'sent' ? ` to ${d.partner}` : ''}`);
      });
    });

  fed
    .command('publish')
    .description('publish your agency’s name pointers to linkage partners (supervisor): a snapshot first, then what changed')
    .option('--partner <agency>', 'one partner only')
    .option('--snapshot', 'republish everything under fresh pointer ids')
    .action(async (opts: { partner?: string; snapshot?: boolean }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const out = await (await federation(s, true)).publishPointers(await s.context(), { ...(opts.partner ? { partner: opts.partner } : {}), ...(opts.snapshot ? { mode: 'snapshot' as const } : {}) });
        if (s.json) return printJson(out);
        if (out.length === 0) say('No linkage partner: configure linkage secrets (TESSERA_FED_SECRETS or TESSERA_FED_SECRET_<AGENCY>)');
        else printTable(out.map((o) => ({ partner: o.partner, mode: o.mode, keyId: o.keyId, added: o.added, withdrawn: o.withdrawn, unchanged: o.unchanged, messages: o.messages })));
      });
    });

  fed
    .command('sweep')
    .description('send escalations for our overdue requests (the node does this on its own schedule)')
    .action(async (_opts: unknown, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const service = await federation(s, true);
        await service.principal(await s.context());
        const escalated = await service.sweepEscalations();
        if (s.json) return printJson(escalated);
        say(escalated.length ? `Escalated ${escalated.map((r) => `${r.id} → ${r.holder} (level ${r.escalation})`).join(', ')}` : 'No request is newly overdue');
      });
    });
}
