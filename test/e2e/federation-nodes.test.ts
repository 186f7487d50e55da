import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportNodeIdentity, FederationNode, generateNodeIdentity, peerEntryFor, type LedgerEntry, type NodeIdentity } from '../../src/federation/index.js';
import { generateScenario, type Scenario } from '../../src/scenario/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { cli as runCliCaptured } from '../support/cli.js';

/**
 * Three federation nodes (FR, BE, ES) as separate processes on 127.0.0.1, each with its own SQLite
 * store holding its own agency's part of the tiny scenario, talking signed envelopes over HTTP.
 * A receiver and a sender are killed (SIGKILL) mid-exchange and restarted: everything queued
 * arrives exactly once, both ledgers verify against each other's signed receipts, and the replay
 * shows who was told what, when.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const AGENCIES = ['FR-CT', 'BE-CT', 'ES-CT'] as const;
type Agency = (typeof AGENCIES)[number];
const short = (a: Agency) => a.slice(0, 2).toLowerCase();

interface Node {
  readonly agency: Agency;
  readonly identity: NodeIdentity;
  readonly port: number;
  readonly db: string;
  readonly env: Record<string, string>;
  /** A second connection to the node's store, from this test process (queueing, reading). */
  store: Store;
  proc?: ChildProcess;
  log: string;
  /** Supervisor context of the agency's first operational case, for ledger commands. */
  readonly ctx: string[];
}

let dir: string;
// A seed whose tiny scenario has a BE alert on a person ES holds under another spelling, with H2 statements.
const SEED = 4;
let scenario: Scenario;
const nodes = {} as Record<Agency, Node>;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function start(n: Node): Promise<void> {
  n.log = '';
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), '--db', `sqlite:${n.db}`, 'node', 'serve', '--fed-port', String(n.port), '--retry-initial-ms', '100', '--retry-max-ms', '600', '--poll-ms', '100', '--sweep-every', '0', '--consent', 'standing-agreement'],
    { cwd: root, env: { ...process.env, ...n.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  n.proc = proc;
  proc.stdout!.on('data', (d: Buffer) => (n.log += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (n.log += d.toString()));
  return waitFor(() => n.log.includes('listening on http://127.0.0.1'), `${n.agency} to listen`, 45_000, () => n.log);
}

function kill(n: Node): Promise<void> {
  const proc = n.proc!;
  return new Promise((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill('SIGKILL');
  });
}

async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000, detail?: () => string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${detail ? `\n${detail().slice(-3000)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function ledgerOf(n: Node): Promise<LedgerEntry[]> {
  return (await n.store.findRecords<LedgerEntry>('fed-ledger', { limit: 100_000 })).map((r) => r.body);
}

async function pending(n: Node): Promise<number> {
  return n.store.countRecords('fed-outbox', { status: 'pending' });
}

/** The CLI in-process (the node servers are the separate processes), with the node's environment. */
async function cli(n: Node, args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  const saved = Object.fromEntries(Object.keys(n.env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, n.env);
  try {
    return await runCliCaptured(['--db', `sqlite:${n.db}`, ...n.ctx, ...args]);
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-fed-e2e-'));
  scenario = generateScenario({ size: 'tiny', seed: SEED });
  const identities = Object.fromEntries(AGENCIES.map((a) => [a, generateNodeIdentity(a)])) as Record<Agency, NodeIdentity>;
  const ports = Object.fromEntries(await Promise.all(AGENCIES.map(async (a) => [a, await freePort()] as const))) as Record<Agency, number>;
  const peersFile = join(dir, 'peers.json');
  writeFileSync(peersFile, JSON.stringify(AGENCIES.map((a) => peerEntryFor(identities[a], `http://127.0.0.1:${ports[a]}`))));
  for (const a of AGENCIES) {
    const keyFile = join(dir, `${short(a)}.pem`);
    writeFileSync(keyFile, exportNodeIdentity(identities[a]).privateKeyPem, { mode: 0o600 });
    // Every pair of agencies shares a linkage secret (invented), configured on both sides, with its Dice threshold.
    const secrets = AGENCIES.filter((b) => b !== a).map((b) => ({ partner: b, keyId: `k-${[a, b].sort().join('-')}-1`, secret: `e2e-linkage-secret-${[a, b].sort().join('-')}`, threshold: 0.9 }));
    const secretsFile = join(dir, `${short(a)}-secrets.json`);
    writeFileSync(secretsFile, JSON.stringify(secrets));
    const db = join(dir, `${short(a)}.sqlite`);
    const caseId = scenario.cases.find((c) => c.agency === a && c.cells.length > 0)!.id;
    const n: Node = {
      agency: a,
      identity: identities[a],
      port: ports[a],
      db,
      store: undefined as unknown as Store,
      log: '',
      env: { TESSERA_AGENCY: a, TESSERA_FED_KEY: keyFile, TESSERA_FED_PEERS: peersFile, TESSERA_FED_SECRETS: secretsFile, TESSERA_FED_HOST: '127.0.0.1' },
      ctx: ['--user', `${short(a)}.supervisor`, '--purpose', `Federation exchange review for ${caseId}`, '--case', caseId],
    };
    // Each node's store gets its own agency's part of the tiny scenario (statements and alerts).
    const loaded = await cli(n, ['load', '--size', 'tiny', '--seed', String(SEED), '--agency', a]);
    expect(loaded.code, loaded.err).toBe(0);
    n.store = await openStore({ url: `sqlite:${db}` });
    nodes[a] = n;
  }
  await Promise.all(AGENCIES.map((a) => start(nodes[a])));
}, 120_000);

afterAll(async () => {
  for (const a of AGENCIES) {
    const n = nodes[a];
    if (n?.proc && n.proc.exitCode === null && n.proc.signalCode === null) await kill(n);
    await n?.store.close();
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const hitNotice = (holder: Agency, n: number, caseId: string) => ({
  hitId: `01JE${String(n).padStart(22, '0')}`,
  pointerId: `e2e_ptr_${String(n).padStart(8, '0')}`,
  matchKind: 'name' as const,
  score: 0.9,
  holder,
  purpose: 'counter-terrorism investigation (end-to-end test)',
  caseId,
});

describe('three federation nodes over HTTP', () => {
  it('publish pointers to each other at start, and every envelope is acknowledged by a signed receipt', async () => {
    await waitFor(async () => {
      const all = await Promise.all(AGENCIES.map(async (a) => (await ledgerOf(nodes[a])).filter((e) => e.event === 'receipt-received' && e.type === 'receipt').length));
      return all.every((n) => n >= 2);
    }, 'pointer publications to be acknowledged');
    for (const a of AGENCIES) {
      const received = (await ledgerOf(nodes[a])).filter((e) => e.event === 'received' && e.type === 'pointer.publish').map((e) => e.from).sort();
      expect(received).toEqual(AGENCIES.filter((b) => b !== a).sort());
    }
  });

  it('a receiver and a sender killed mid-exchange catch up after restart without loss or duplicates', async () => {
    const { 'BE-CT': be, 'FR-CT': fr, 'ES-CT': es } = nodes;
    // Queue from this process into BE's and FR's stores (as the CLI and the API do); their node processes deliver.
    const queue = async (n: Node, from: number, count: number) => {
      const port = await FederationNode.open({ store: n.store, identity: n.identity, peers: AGENCIES.filter((x) => x !== n.agency).map((x) => peerEntryFor(nodes[x].identity, `http://127.0.0.1:${nodes[x].port}`)) });
      const ids: string[] = [];
      for (let i = from; i < from + count; i++) ids.push(await port.send('ES-CT', 'hit.notice', hitNotice('ES-CT', i, n.ctx[5]!), { subjects: [`${short(n.agency)}-ct:e2e-subject-${i}`] }));
      return ids;
    };
    const sent = { be: await queue(be, 100, 10), fr: await queue(fr, 200, 10) };
    await waitFor(async () => (await ledgerOf(es)).some((e) => e.event === 'received' && e.type === 'hit.notice'), 'ES to receive the first hits');
    await kill(es); // the receiver dies mid-exchange
    sent.be.push(...(await queue(be, 110, 10)));
    sent.fr.push(...(await queue(fr, 210, 10)));
    await waitFor(() => /delivery failed; backing off/.test(be.log) && /ECONNREFUSED/.test(be.log), 'BE to back off from ES');
    expect(await pending(be)).toBeGreaterThan(0);
    await kill(be); // the sender dies with its outbox full
    await Promise.all([start(es), start(be)]);
    await waitFor(async () => (await pending(be)) === 0 && (await pending(fr)) === 0, 'BE and FR outboxes to drain', 30_000, () => be.log);

    const esLedger = await ledgerOf(es);
    for (const [from, ids] of [
      ['BE-CT', sent.be],
      ['FR-CT', sent.fr],
    ] as const) {
      const received = esLedger.filter((e) => e.event === 'received' && e.from === from);
      // Every queued hit arrived exactly once...
      expect(received.filter((e) => e.type === 'hit.notice').map((e) => e.envelopeId).sort()).toEqual([...ids].sort());
      // ...and the sender's numbering has neither gaps nor repeats (pointer publications included).
      expect(received.map((e) => e.envelopeSeq).sort((a, b) => a - b)).toEqual(Array.from({ length: received.length }, (_, i) => i + 1));
    }
    const hits = await es.store.findRecords<{ id: string; asker: string }>('fed-hits', { limit: 1000 });
    expect(hits.filter((h) => h.body.asker === 'BE-CT' && h.id.startsWith('01JE')).length).toBe(20);

    // Both sides' ledgers verify, and each agrees with the other's signed receipts.
    const exportFile = join(dir, 'be-ledger.json');
    const exported = await cli(be, ['ledger', 'export', '--out', exportFile]);
    expect(exported.err).toBe('');
    expect(exported.code).toBe(0);
    const verified = await cli(es, ['--json', 'ledger', 'verify', '--against', exportFile]);
    expect(verified.code, verified.out.slice(0, 3000) + verified.err).toBe(0);
    expect(JSON.parse(verified.out)).toMatchObject({ agency: 'ES-CT', ok: true, crossChecked: ['BE-CT'], problems: [] });

    // Who knew what, when, about one hit: BE's side (from its export) and ES's (its own ledger).
    const subject = hitNotice('ES-CT', 115, '').hitId;
    const replay = await cli(es, ['--json', 'ledger', 'replay', '--subject', subject, '--with', exportFile]);
    expect(replay.code, replay.err).toBe(0);
    const timeline = JSON.parse(replay.out) as { timeline: { agency: string; kind: string; type: string; acknowledged?: { status: string } }[] };
    expect(timeline.timeline.map((e) => `${e.agency} ${e.kind} ${e.type}`)).toEqual(['BE-CT did hit.notice', 'ES-CT told hit.notice']);
    expect(timeline.timeline[0]!.acknowledged?.status).toMatch(/accepted|duplicate/);
    const table = await cli(es, ['ledger', 'replay', '--subject', subject, '--with', exportFile]);
    expect(table.out).toMatch(/when\s+agency\s+what\s+peer\s+message/);
  });
  it('the story: a BE alert hits ES under another spelling, BE asks, ES releases H2 statements BE cannot pass on to FR, and the replay shows who knew what, when', async () => {
    const { 'BE-CT': be, 'FR-CT': fr, 'ES-CT': es } = nodes;
    const truth = scenario.truth();
    // A BE alert on a person ES also holds, under its own (different) spelling.
    const personOf = (entityId: string) => truth.persons.find((p) => p.id === truth.entities[entityId]);
    const nameOf = async (n: Node, entityId: string) => (await n.store.statementsOf(entityId)).find((st) => st.prop === 'name')?.value;
    let alert: (typeof scenario.watchlist)[number] | undefined;
    let esEntity = '';
    for (const w of scenario.watchlist.filter((x) => x.agency === 'BE-CT' && x.status === 'active')) {
      const candidate = personOf(w.subjectEntityId)?.records.find((r) => r.startsWith('es-ct:'));
      const h2 = candidate ? (await es.store.statementsOf(candidate)).some((st) => st.handling.codes.includes('H2')) : false;
      if (candidate && h2 && (await nameOf(es, candidate)) !== (await nameOf(be, w.subjectEntityId))) {
        alert = w;
        esEntity = candidate;
        break;
      }
    }
    expect(alert, `seed ${SEED} has no BE alert on a person ES holds (with H2 statements) under another spelling`).toBeDefined();
    const beEntity = alert!.subjectEntityId;
    const beName = (await nameOf(be, beEntity))!;
    const esName = (await nameOf(es, esEntity))!;
    const beCase = ['--case', alert!.caseId];
    const received = async (n: Node, type: string, ref: string) => (await ledgerOf(n)).some((e) => e.event === 'received' && e.type === type && (e.refs.includes(ref) || e.subjects.includes(ref)));
    const json = <T>(r: { code: number; out: string; err: string }): T => {
      expect(r.code, r.err).toBe(0);
      return JSON.parse(r.out) as T;
    };

    // 1. BE matches its alert against the pointers ES published: a hit, without either list leaving its node.
    const match = json<{ hits: { id: string; holder: string; score: number }[] }>(await cli(be, ['--json', ...beCase, 'fed', 'match', '--alert', alert!.alertId, '--partner', 'ES-CT']));
    const hit = match.hits.find((h) => h.holder === 'ES-CT')!;
    expect(hit.score).toBeGreaterThanOrEqual(0.9);
    await waitFor(() => received(es, 'hit.notice', hit.id), 'ES to be told of the hit');
    const esHits = json<{ id: string; subject: { entityIds: string[] } }[]>(await cli(es, ['--json', 'fed', 'hits', '--role', 'holder']));
    expect(esHits.find((h) => h.id === hit.id)!.subject.entityIds).toEqual([esEntity]);
    for (const n of [be, es]) {
      const wire = JSON.stringify((await n.store.findRecords('fed-envelopes', { limit: 100_000 })).map((r) => r.body));
      for (const name of [beName, esName, ...beName.split(' '), ...esName.split(' ')]) expect(wire).not.toContain(name);
    }

    // 2. BE asks; ES, the originator, releases H2 statements to BE (no dissemination beyond BE without ES's consent).
    const request = json<{ id: string }>(await cli(be, ['--json', ...beCase, 'fed', 'request', hit.id, '--urgency', 'urgent', '--question', 'Address and assessment of the subject?']));
    await waitFor(() => received(es, 'followup.request', request.id), 'ES to receive the request');
    const h2 = (await es.store.statementsOf(esEntity)).filter((st) => st.handling.codes.includes('H2'));
    const released = h2.slice(0, 2).map((st) => st.id);
    const esCase = h2[0]!.caseIds[0] ? ['--case', h2[0]!.caseIds[0]] : [];
    const answer = json<{ released: string[] }>(await cli(es, ['--json', ...esCase, 'fed', 'answer', request.id, '--grant', '--statement', ...released]));
    expect(answer.released.sort()).toEqual([...released].sort());
    await waitFor(() => received(be, 'followup.response', request.id), 'BE to receive the answer');
    const atBe = await be.store.statementsById(released);
    expect(atBe.map((st) => st.handling.codes)).toEqual(expect.arrayContaining([expect.arrayContaining(['H2'])]));

    // 3. FR asks BE about the same person; BE may not pass ES's H2 statement on, and says so.
    const frMatch = json<{ hits: { id: string; holder: string }[] }>(await cli(fr, ['--json', 'fed', 'match', '--name', beName, '--dob', personOf(beEntity)!.birthDate, '--partner', 'BE-CT']));
    // FR may hit several BE pointers (BE holds more than one record under the name); it asks about the one for our subject.
    await waitFor(async () => (await Promise.all(frMatch.hits.map((h) => received(be, 'hit.notice', h.id)))).every(Boolean), 'BE to be told of FR’s hits');
    const beHeld = json<{ id: string; asker: string; subject: { entityIds: string[] } }[]>(await cli(be, ['--json', ...beCase, 'fed', 'hits', '--role', 'holder']));
    const frHit = frMatch.hits.find((h) => beHeld.some((b) => b.id === h.id && b.subject.entityIds.includes(beEntity)))!;
    expect(frHit).toBeDefined();
    const frRequest = json<{ id: string }>(await cli(fr, ['--json', 'fed', 'request', frHit.id, '--question', 'What do you hold on this person?']));
    await waitFor(() => received(be, 'followup.request', frRequest.id), 'BE to receive the FR request');
    const forward = await cli(be, [...beCase, 'fed', 'answer', frRequest.id, '--statement', released[0]!]);
    expect(forward.code).toBe(1);
    expect(forward.err).toMatch(/none of the statements may be released to FR-CT/);
    expect(json<{ status: string }>(await cli(be, ['--json', ...beCase, 'fed', 'refuse', frRequest.id, '--reason', 'H2 information of ES-CT: ask the originator'])).status).toBe('refused');
    await waitFor(() => received(fr, 'followup.response', frRequest.id), 'FR to receive the refusal');
    expect((await fr.store.statementsById(released)).length).toBe(0);

    // 4. Who knew what, when: BE's ledger with ES's and FR's signed exports.
    const exports = [];
    for (const n of [es, fr]) {
      const file = join(dir, `${short(n.agency)}-story.json`);
      expect((await cli(n, ['ledger', 'export', '--out', file])).code).toBe(0);
      exports.push(file);
    }
    const replay = json<{ agencies: { agency: string; held: { entityId: string }[] }[]; timeline: { at: string; agency: string; kind: string; type: string; peer?: string; summary: string }[] }>(
      await cli(be, ['--json', ...beCase, 'ledger', 'replay', '--subject', beEntity, '--with', ...exports]),
    );
    const lines = replay.timeline.map((e) => `${e.agency} ${e.kind} ${e.type}${e.peer ? ` ${e.peer}` : ''}`);
    const story = [
      'BE-CT did hit.notice ES-CT',
      'ES-CT told hit.notice BE-CT',
      'BE-CT did followup.request ES-CT',
      'ES-CT told followup.request BE-CT',
      'ES-CT did followup.response BE-CT',
      'BE-CT told followup.response ES-CT',
      'FR-CT did hit.notice BE-CT',
      'BE-CT told hit.notice FR-CT',
      'FR-CT did followup.request BE-CT',
      'BE-CT told followup.request FR-CT',
      'BE-CT did followup.response FR-CT',
      'FR-CT told followup.response BE-CT',
    ];
    // In this order (other events, e.g. deconfliction notices, may come between).
    let at = -1;
    for (const line of story) {
      const i = lines.indexOf(line, at + 1);
      expect(i, `${line} after position ${at} in\n${lines.join('\n')}`).toBeGreaterThan(at);
      at = i;
    }
    expect(replay.agencies.find((a) => a.agency === 'BE-CT')!.held.map((h) => h.entityId)).toContain(beEntity);
    expect(replay.timeline.find((e) => e.agency === 'ES-CT' && e.type === 'followup.response')!.summary).toMatch(/released \d statements? .*handling .*H2/);
  });
});
