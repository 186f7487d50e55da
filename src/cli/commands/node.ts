import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import pino, { type Level, type Logger } from 'pino';
import {
  FederationNode,
  FederationService,
  deferredPort,
  type FederationPort,
  PeerDirectory,
  peerEntryFor,
  wireFlows,
  LedgerExport,
  MESSAGE_TYPES,
  crossCheckLedgers,
  exportSignatureValid,
  ledgerDataOf,
  loadNodeSetup,
  replayForUser,
  startInbox,
  verifyLedger,
  writeNodeKey,
  type LedgerData,
  type LedgerProblem,
  type MessageType,
  type NodeSetup,
  type RetryPolicy,
} from '../../federation/index.js';
import { loadConfig, type Config } from '../../config/index.js';
import type { Governance } from '../../governance/index.js';
import { TesseraError } from '../../model/index.js';
import { WatchService, watchConfig } from '../../watch/index.js';
import { openSession, withSession, type CliSession } from '../context.js';
import { printJson, printTable, say } from '../output.js';

/** Messages that carry statements go through the follow-up flow, which enforces handling codes; never raw. */
const RAW_SEND_REFUSED: readonly MessageType[] = ['receipt', 'followup.response', 'rectification'];
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface OpenNodeOptions {
  readonly logger?: Logger;
  readonly retry?: Partial<RetryPolicy>;
  readonly pollMs?: number;
  readonly fedHost?: string;
  readonly fedPort?: number;
}

/**
 * The federation node of this store, from the configured key and peers. Any process may open it to
 * queue messages (they go to the outbox in the store); only `node serve` runs the inbox and the
 * delivery loop that sends them.
 */
export async function openFederationNode(s: CliSession, options: OpenNodeOptions = {}): Promise<{ setup: NodeSetup; node: FederationNode }> {
  const setup = loadNodeSetup(Object.freeze({ ...s.config, ...(options.fedHost ? { fedHost: options.fedHost } : {}), ...(options.fedPort !== undefined ? { fedPort: options.fedPort } : {}) }));
  const node = await FederationNode.open({
    store: s.store,
    identity: setup.identity,
    peers: setup.peers,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
  });
  return { setup, node };
}

/**
 * The federation flows of this node (pointers, PSI, hits, requests, deconfliction) wired to its
 * port: inbound messages reach their handlers, and what the flows send goes to the node's outbox.
 */
export function wireNodeFlows(gov: Governance, setup: NodeSetup, fed: FederationPort, options: { contactUnit?: string; contactChannel?: string; consent?: 'standing-agreement' | 'holder-approved' } = {}): FederationService {
  const agency = setup.identity.agency;
  const service = new FederationService(gov, {
    nodeAgency: agency,
    linkage: setup.linkage,
    watch: new WatchService(gov, { config: watchConfig(), nodeAgency: agency }),
    contact: { unit: options.contactUnit ?? `${agency} federation desk`, channel: options.contactChannel ?? `federation node ${agency}` },
    ...(options.consent ? { deconflictionConsent: options.consent } : {}),
  });
  return wireFlows(fed, service);
}

/**
 * The federation service the API server mounts (`tessera serve`, `tessera demo`). With a node key and
 * peers configured, the web app's requests and answers are queued in this store's outbox (the node
 * opens on first use); `tessera node serve` on the same store delivers them and runs the inbox.
 * Without that configuration the routes read the store and sending fails with a CONFIG error.
 */
export function servedFederationService(gov: Governance, config: Config): FederationService {
  if (!config.fedKeyFile || !config.fedPeersFile) return new FederationService(gov, { nodeAgency: config.nodeAgency, watch: new WatchService(gov, { config: watchConfig(), nodeAgency: config.nodeAgency }) });
  const setup = loadNodeSetup(config);
  const port = deferredPort(setup.identity.agency, setup.peers.map((p) => p.agency), () => FederationNode.open({ store: gov.store, identity: setup.identity, peers: setup.peers }));
  return wireNodeFlows(gov, setup, port);
}

/** Runs `job` every `everyMs` (first after `firstMs`), logging failures; returns a stop function. */
function every(logger: Logger, name: string, firstMs: number, everyMs: number, job: () => Promise<unknown>): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const run = async () => {
    try {
      const result = await job();
      logger.info({ job: name, result }, `federation: ${name} done`);
    } catch (e) {
      logger.error({ job: name, err: e }, `federation: ${name} failed`);
    }
    if (!stopped && everyMs > 0) timer = setTimeout(() => void run(), everyMs);
  };
  timer = setTimeout(() => void run(), firstMs);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** The node's peers and the node itself: a partner's ledger holds envelopes this node signed. */
function withSelf(fed: FederationNode): PeerDirectory {
  const directory = new PeerDirectory(fed.directory.list());
  directory.add(peerEntryFor(fed.identity));
  return directory;
}

function intOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new TesseraError('VALIDATION', `--${name} must be a whole number, not "${value}"`, { field: name });
  return n;
}

function readExports(files: readonly string[] | undefined): LedgerExport[] {
  return (files ?? []).map((f) => {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(f, 'utf8'));
    } catch (e) {
      throw new TesseraError('VALIDATION', `${f} is not a readable ledger export (${(e as Error).message})`, { field: 'with' });
    }
    const parsed = LedgerExport.safeParse(raw);
    if (!parsed.success) throw new TesseraError('VALIDATION', `${f} is not a ledger export: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`, { field: 'with' });
    return parsed.data;
  });
}

/** `node …` (keygen, serve, send, status) and `ledger …` (verify, export, replay). */
export function registerNodeCommands(program: Command): void {
  const node = program.command('node').description('this agency’s federation node: key, inbox, outbox');

  node
    .command('keygen')
    .description('write a new Ed25519 node key (PKCS#8 PEM, mode 0600) and print the peer entry partners need')
    .requiredOption('--out <file>', 'where to write the private key (set TESSERA_FED_KEY to it)')
    .option('--agency <id>', 'the agency (default: TESSERA_AGENCY)')
    .option('--endpoint <url>', 'this node’s federation URL, for the peer entry')
    .option('--force', 'replace an existing key')
    .action(async (opts: { out: string; agency?: string; endpoint?: string; force?: boolean }, cmd: Command) => {
      const json = cmd.optsWithGlobals<{ json?: boolean }>().json ?? false;
      const agency = opts.agency ?? loadConfig().nodeAgency;
      const entry = writeNodeKey(agency, opts.out, { ...(opts.endpoint ? { endpoint: opts.endpoint } : {}), ...(opts.force ? { force: true } : {}) });
      if (json) printJson(entry);
      else {
        say(`Wrote the node key of ${entry.agency} to ${opts.out}. Partners add this entry to their peers file:`);
        say(JSON.stringify(entry));
      }
    });

  node
    .command('serve')
    .description('run the federation inbox (POST /fed/v1/envelopes) and the outbox delivery loop')
    .option('--fed-host <host>', 'listen address (env TESSERA_FED_HOST)')
    .option('--fed-port <port>', 'listen port (env TESSERA_FED_PORT)')
    .option('--log-level <level>', `pino log level: ${LOG_LEVELS.join(', ')}`, 'info')
    .option('--retry-initial-ms <ms>', 'delay after a first failed delivery', '1000')
    .option('--retry-max-ms <ms>', 'largest delay between delivery attempts', '300000')
    .option('--poll-ms <ms>', 'how often the outbox is checked for messages queued by other processes', '1000')
    .option('--publish-every <s>', 'publish name pointers to linkage partners at start and then every so many seconds (0: only at start)', '3600')
    .option('--no-publish', 'do not publish pointers automatically')
    .option('--sweep-every <s>', 'check follow-up deadlines and escalate overdue requests every so many seconds', '60')
    .option('--contact-unit <text>', 'whom partners should call about a shared subject (deconfliction)')
    .option('--contact-channel <text>', 'how to reach that unit')
    .option('--consent <rule>', 'deconfliction consent: holder-approved (default) or standing-agreement')
    .action(async (opts: { fedHost?: string; fedPort?: string; logLevel: string; retryInitialMs: string; retryMaxMs: string; pollMs: string; publishEvery: string; publish: boolean; sweepEvery: string; contactUnit?: string; contactChannel?: string; consent?: string }, cmd: Command) => {
      if (opts.consent !== undefined && opts.consent !== 'holder-approved' && opts.consent !== 'standing-agreement') throw new TesseraError('VALIDATION', '--consent must be holder-approved or standing-agreement', { field: 'consent' });
      if (!LOG_LEVELS.includes(opts.logLevel)) throw new TesseraError('VALIDATION', `--log-level must be one of ${LOG_LEVELS.join(', ')}`, { field: 'log-level' });
      const s = await openSession(cmd);
      try {
        const logger = pino({ level: opts.logLevel as Level, base: { service: 'tessera-federation' } });
        const fedPort = intOption('fed-port', opts.fedPort);
        const { setup, node: fed } = await openFederationNode(s, {
          logger,
          retry: { initialMs: intOption('retry-initial-ms', opts.retryInitialMs)!, maxMs: intOption('retry-max-ms', opts.retryMaxMs)! },
          pollMs: intOption('poll-ms', opts.pollMs)!,
          ...(opts.fedHost ? { fedHost: opts.fedHost } : {}),
          ...(fedPort !== undefined ? { fedPort } : {}),
        });
        const service = wireNodeFlows(s.gov, setup, fed, {
          ...(opts.contactUnit ? { contactUnit: opts.contactUnit } : {}),
          ...(opts.contactChannel ? { contactChannel: opts.contactChannel } : {}),
          ...(opts.consent ? { consent: opts.consent as 'holder-approved' | 'standing-agreement' } : {}),
        });
        const inbox = await startInbox(fed, { host: setup.host, port: setup.port });
        fed.start();
        const jobs: (() => void)[] = [];
        const sweepMs = intOption('sweep-every', opts.sweepEvery)! * 1000;
        if (sweepMs > 0) jobs.push(every(logger, 'escalation sweep', sweepMs, sweepMs, async () => (await service.sweepEscalations()).length));
        if (opts.publish && setup.linkage.length > 0) jobs.push(every(logger, 'pointer publication', 0, intOption('publish-every', opts.publishEvery)! * 1000, () => service.publishPointersAsSystem()));
        say(`Federation node ${fed.self} listening on ${inbox.url} (peers: ${fed.peers().join(', ') || 'none'}; linkage with: ${setup.linkage.map((l) => l.partner).join(', ') || 'none'})`);
        await new Promise<void>((resolve) => {
          const stop = () => {
            for (const j of jobs) j();
            void fed
              .stop()
              .then(() => inbox.close())
              .then(() => service.close())
              .finally(resolve);
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      } finally {
        await s.close();
      }
    });

  node
    .command('send')
    .description('queue a raw federation message (supervisors and administrators; statements travel only through the follow-up flow)')
    .requiredOption('--to <agency>', 'recipient peer')
    .requiredOption('--type <type>', `message type: ${MESSAGE_TYPES.filter((t) => !RAW_SEND_REFUSED.includes(t)).join(', ')}`)
    .requiredOption('--body <json>', 'the message body as JSON, or @file')
    .option('--in-reply-to <id>', 'the envelope this one answers')
    .option('--subject <ids...>', 'local entity/hit/case ids the message concerns (kept in the ledger, not sent)')
    .action(async (opts: { to: string; type: string; body: string; inReplyTo?: string; subject?: string[] }, cmd: Command) => {
      if (!(MESSAGE_TYPES as readonly string[]).includes(opts.type)) throw new TesseraError('VALIDATION', `unknown message type "${opts.type}"`, { field: 'type' });
      const type = opts.type as MessageType;
      if (RAW_SEND_REFUSED.includes(type)) throw new TesseraError('FORBIDDEN', `${type} messages are not sent raw: ${type === 'receipt' ? 'the node issues receipts itself' : 'statements go through the follow-up flow, which enforces their handling codes'}`, { field: 'type' });
      let body: unknown;
      try {
        body = JSON.parse(opts.body.startsWith('@') ? readFileSync(opts.body.slice(1), 'utf8') : opts.body);
      } catch (e) {
        throw new TesseraError('VALIDATION', `--body is not JSON: ${(e as Error).message}`, { field: 'body' });
      }
      await withSession(cmd, async (s) => {
        const ctx = await s.context();
        const principal = await s.gov.authorise(ctx, 'federation');
        s.gov.requireRole(principal, 'supervisor', 'admin');
        const { node: fed } = await openFederationNode(s);
        const id = await fed.send(opts.to, type, body as never, { ...(opts.inReplyTo ? { inReplyTo: opts.inReplyTo } : {}), ...(opts.subject ? { subjects: opts.subject } : {}) });
        await s.gov.audit(ctx, principal, 'federation.node.send', 'allowed', (opts.subject ?? []).filter((x) => x.includes(':')), { to: opts.to, type, envelopeId: id });
        if (s.json) printJson({ id, to: opts.to, type });
        else say(`Queued ${type} ${id} for ${opts.to}; the node delivers it.`);
      });
    });

  node
    .command('status')
    .description('outbox by peer and status, ledger head, what was received from each peer')
    .action(async (_opts: unknown, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const { node: fed } = await openFederationNode(s);
        const outbox = await fed.outbox();
        const byPeer = new Map<string, Record<string, number>>();
        for (const e of outbox) {
          const row = byPeer.get(e.to) ?? {};
          row[e.status] = (row[e.status] ?? 0) + 1;
          byPeer.set(e.to, row);
        }
        const received = new Map<string, number>();
        for (const e of await fed.ledger.entries()) if (e.event === 'received') received.set(e.peer, (received.get(e.peer) ?? 0) + 1);
        const rows = fed.peers().map((p) => ({ peer: p, pending: byPeer.get(p)?.['pending'] ?? 0, delivered: byPeer.get(p)?.['delivered'] ?? 0, rejected: byPeer.get(p)?.['rejected'] ?? 0, disputed: byPeer.get(p)?.['disputed'] ?? 0, expired: byPeer.get(p)?.['expired'] ?? 0, received: received.get(p) ?? 0 }));
        const head = await fed.ledger.head();
        if (s.json) printJson({ agency: fed.self, keyId: fed.identity.keyId, ledger: head, peers: rows, pending: outbox.filter((e) => e.status === 'pending').map((e) => ({ id: e.id, to: e.to, type: e.type, seq: e.seq, attempts: e.attempts, lastError: e.lastError })) });
        else {
          say(`Node ${fed.self} (key ${fed.identity.keyId}); ledger at entry ${head.seq}`);
          printTable(rows);
        }
      });
    });

  const ledger = program.command('ledger').description('the federation ledger: who knew what, when');

  ledger
    .command('verify')
    .description('check the hash chain, every envelope’s signature, and the peers’ signed receipts; cross-check against partners’ exports')
    .option('--against <files...>', 'ledger exports of partners (`tessera ledger export`) to cross-check with')
    .action(async (opts: { against?: string[] }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const { node: fed } = await openFederationNode(s);
        const own = await fed.ledger.load();
        const directory = withSelf(fed);
        const report = verifyLedger(own, fed.identity.publicKey, directory);
        const problems: LedgerProblem[] = [...report.problems];
        const checked: string[] = [];
        for (const exp of readExports(opts.against)) {
          if (!exportSignatureValid(exp, fed.directory)) {
            problems.push({ ledger: exp.agency, seq: exp.head.seq, kind: 'bad-signature', message: `the export of ${exp.agency} is not signed by the key configured for it` });
            continue;
          }
          const theirs = ledgerDataOf(exp);
          problems.push(...verifyLedger(theirs, exp.publicKey, directory).problems);
          problems.push(...crossCheckLedgers(own, fed.identity.publicKey, theirs, directory));
          checked.push(exp.agency);
        }
        const result = { agency: fed.self, entries: report.entries, head: report.head, receiptsChecked: report.receiptsChecked, crossChecked: checked, ok: problems.length === 0, problems };
        if (s.json) printJson(result);
        else {
          say(`Ledger of ${fed.self}: ${report.entries} entries, head ${report.head.hash.slice(0, 16)}…; ${report.receiptsChecked} peer receipts checked${checked.length ? `; cross-checked with ${checked.join(', ')}` : ''}.`);
          if (problems.length === 0) say('OK: the chain is intact and agrees with the peers’ signed receipts.');
          else printTable(problems.map((p) => ({ ledger: p.ledger, entry: p.seq, problem: p.kind, detail: p.message })), undefined, 140);
        }
        if (problems.length > 0) throw new TesseraError('CONFLICT', `ledger verification found ${problems.length} problem${problems.length === 1 ? '' : 's'}`, { context: { problems: problems.length } });
      });
    });

  ledger
    .command('export')
    .description('write this node’s ledger (entries, envelopes, signed head) for a partner or an inquiry')
    .requiredOption('--out <file>', 'where to write the export (JSON)')
    .action(async (opts: { out: string }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const ctx = await s.context();
        const principal = await s.gov.authorise(ctx, 'federation');
        s.gov.requireRole(principal, 'supervisor', 'dpo', 'admin');
        const { node: fed } = await openFederationNode(s);
        const exp = await fed.ledger.export(fed.identity);
        writeFileSync(opts.out, JSON.stringify(exp));
        await s.gov.audit(ctx, principal, 'federation.ledger.export', 'allowed', [], { entries: exp.entries.length, head: exp.head, file: opts.out });
        if (s.json) printJson({ file: opts.out, entries: exp.entries.length, head: exp.head });
        else say(`Wrote ${exp.entries.length} ledger entries of ${fed.self} to ${opts.out}`);
      });
    });

  ledger
    .command('replay')
    .description('reconstruct, per agency, what it held, what it was told and when, and what it did about a subject')
    .requiredOption('--subject <id>', 'an entity, hit, alert, request or case id')
    .option('--with <files...>', 'partners’ ledger exports to include (verified first)')
    .action(async (opts: { subject: string; with?: string[] }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const ctx = await s.context();
        const { node: fed } = await openFederationNode(s);
        const ledgers: LedgerData[] = [await fed.ledger.load()];
        for (const exp of readExports(opts.with)) {
          if (!exportSignatureValid(exp, fed.directory)) throw new TesseraError('VALIDATION', `the ledger export of ${exp.agency} is not signed by the key configured for it`, { field: 'with' });
          const data = ledgerDataOf(exp);
          const problems = verifyLedger(data, exp.publicKey, withSelf(fed)).problems;
          if (problems.length > 0) throw new TesseraError('CONFLICT', `the ledger export of ${exp.agency} does not verify: ${problems[0]!.message}`, { field: 'with' });
          ledgers.push(data);
        }
        const replay = await replayForUser(s.gov, ctx, fed.self, opts.subject, ledgers);
        if (s.json) {
          printJson(replay);
          return;
        }
        say(`Who knew what, when — subject ${opts.subject} (${ledgers.map((l) => l.agency).join(', ')} ledger${ledgers.length === 1 ? '' : 's'}; related: ${replay.related.join(', ') || 'none'})`);
        printTable(
          replay.timeline.map((e) => ({
            when: e.at,
            agency: e.agency,
            what: e.kind,
            peer: e.peer ?? '',
            message: e.summary,
            receipt: e.acknowledged ? `${e.acknowledged.status} ${e.acknowledged.at}` : '',
          })),
          undefined,
          160,
        );
      });
    });
}
