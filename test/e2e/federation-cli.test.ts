import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInboxApp, FederationNode, FederationService, loadNodeIdentity, wireFlows, writeNodeKey, type PeerConfig } from '../../src/federation/index.js';
import { InProcessNetwork } from '../../src/federation/node/testing.js';
import { Governance } from '../../src/governance/index.js';
import { DEFAULT_CLASSIFICATIONS } from '../../src/model/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { cli } from '../support/cli.js';
import { seedWorld } from '../support/governance.js';
import { stmt } from '../support/statements.js';

/**
 * `tessera fed …` end to end through the CLI (in-process), on two stores with their own node keys:
 * the CLI queues messages in the store's outbox; a courier in the test (each store's
 * FederationNode with the flows wired, talking through in-process inbox apps) delivers them, as
 * `tessera node serve` does between real nodes. All names are invented.
 */
const SECRET = 'cli-test-linkage-secret-be-es-2026';
const es = { agency: 'ES-CT', documentId: 'es-informe-9', collectedAt: '2025-11-02T10:00:00Z' };
const esH2 = stmt({ entityId: 'es-ct:p1', schema: 'Person', prop: 'notes', value: 'Bought two prepaid SIM cards in Valencia', source: es, handling: { codes: ['H2'], releasableTo: ['BE-CT'] } });

interface Side {
  readonly agency: string;
  readonly db: string;
  readonly env: Record<string, string>;
  store: Store;
  node: FederationNode;
  service: FederationService;
}

describe('tessera fed (CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-fed-cli-'));
  const net = new InProcessNetwork();
  const sides: Record<string, Side> = {};
  const saved = { ...process.env };

  async function run(agency: string, args: readonly string[], user: string, caseId: string, withNode = true) {
    const side = sides[agency]!;
    for (const k of Object.keys(process.env)) if (k.startsWith('TESSERA_')) delete process.env[k];
    Object.assign(process.env, withNode ? side.env : { TESSERA_AGENCY: agency });
    return cli(['--db', side.db, '--user', user, '--purpose', 'Check a lead against partner holdings for the operation', '--case', caseId, ...args]);
  }

  /** Delivers everything queued in both outboxes (and the answers it causes). */
  async function deliver(): Promise<void> {
    for (let i = 0; i < 4; i++) for (const s of Object.values(sides)) await s.node.deliverDue();
  }

  beforeAll(async () => {
    const entries: PeerConfig[] = [];
    for (const agency of ['BE-CT', 'ES-CT']) {
      const host = `${agency.slice(0, 2).toLowerCase()}.test`;
      entries.push(writeNodeKey(agency, join(dir, `${agency}.pem`), { endpoint: `http://${host}` }));
    }
    writeFileSync(join(dir, 'peers.json'), JSON.stringify(entries));
    for (const agency of ['BE-CT', 'ES-CT']) {
      const partner = agency === 'BE-CT' ? 'ES-CT' : 'BE-CT';
      const db = `sqlite:${join(dir, `${agency}.sqlite`)}`;
      const store = await openStore({ url: db });
      const gov = await seedWorld(store);
      await gov.upsertUser({ id: 'be.super', name: 'Supervisor BE', agency: 'BE-CT', roles: ['supervisor'], clearance: 'SECRET' });
      await gov.upsertUser({ id: 'es.super', name: 'Supervisor ES', agency: 'ES-CT', roles: ['supervisor'], clearance: 'SECRET' });
      await gov.upsertCase({ id: 'BE-OP-NORD', name: 'Operation Nord', agency: 'BE-CT', legalBasis: 'counter-terrorism-full', members: ['be.analyst', 'be.super'], openedAt: '2025-01-01T00:00:00Z' });
      await gov.upsertCase({ id: 'ES-OP-SOL', name: 'Operation Sol', agency: 'ES-CT', legalBasis: 'counter-terrorism-full', members: ['es.analyst', 'es.super'], openedAt: '2025-01-01T00:00:00Z' });
      if (agency === 'ES-CT') {
        await gov.systemWrite('test', 'fixture load for the federation CLI test', [
          stmt({ entityId: 'es-ct:p1', schema: 'Person', prop: 'name', value: 'Youssef El Amrani', source: es }),
          stmt({ entityId: 'es-ct:p1', schema: 'Person', prop: 'birthDate', value: '1993-04-21', source: es }),
          esH2,
        ]);
      }
      const env = {
        TESSERA_AGENCY: agency,
        TESSERA_FED_KEY: join(dir, `${agency}.pem`),
        TESSERA_FED_PEERS: join(dir, 'peers.json'),
        [`TESSERA_FED_SECRET_${partner.replace('-', '_')}`]: `k-be-es-1:${SECRET}`,
      };
      // The courier: this store's node, with the flows wired, reachable through the in-process network.
      const identity = loadNodeIdentity(agency, readFileSync(env.TESSERA_FED_KEY, 'utf8'));
      const node = await FederationNode.open({ store, identity, peers: entries.filter((e) => e.agency !== agency), fetch: net.fetch });
      const service = wireFlows(node, new FederationService(new Governance(store, { classifications: DEFAULT_CLASSIFICATIONS }), { nodeAgency: agency, linkage: [{ partner, keyId: 'k-be-es-1', secret: SECRET }] }));
      net.attach(`${agency.slice(0, 2).toLowerCase()}.test`, createInboxApp(node));
      sides[agency] = { agency, db, env, store, node, service };
    }
  });

  afterAll(async () => {
    for (const s of Object.values(sides)) {
      await s.service.close();
      await s.store.close();
    }
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    rmSync(dir, { recursive: true, force: true });
  });

  it('publish, match, request, inbox, answer: the H2 statement reaches BE with its handling', async () => {
    const pub = await run('ES-CT', ['fed', 'publish'], 'es.super', 'ES-OP-SOL');
    expect(pub.err).toBe('');
    expect(pub.out).toMatch(/BE-CT\s+snapshot\s+k-be-es-1\s+1\s+0\s+0\s+1/);
    await deliver();

    const match = await run('BE-CT', ['--json', 'fed', 'match', '--name', 'Yusef Elamrani', '--dob', '1993-04-21'], 'be.analyst', 'BE-OP-NORD');
    expect(match.code).toBe(0);
    const { hits } = JSON.parse(match.out) as { hits: { id: string; holder: string }[] };
    expect(hits).toEqual([expect.objectContaining({ holder: 'ES-CT' })]);
    const req = await run('BE-CT', ['fed', 'request', hits[0]!.id, '--urgency', 'urgent', '--question', 'Known phones of the subject?'], 'be.analyst', 'BE-OP-NORD');
    expect(req.out).toMatch(/^Request (\w{26}) sent to ES-CT \(urgent\); answer due by /);
    const requestId = /^Request (\w{26})/.exec(req.out)![1]!;
    await deliver();

    const inbox = await run('ES-CT', ['fed', 'inbox'], 'es.analyst', 'ES-OP-SOL', false);
    expect(inbox.code).toBe(0);
    expect(inbox.out).toContain('Requests to answer (1)');
    expect(inbox.out).toContain(requestId);
    expect(inbox.out).toContain('Known phones of the subject?');
    const held = await run('ES-CT', ['--json', 'fed', 'hits', '--role', 'holder'], 'es.analyst', 'ES-OP-SOL', false);
    expect((JSON.parse(held.out) as { subject: { entityIds: string[] } }[])[0]?.subject.entityIds).toEqual(['es-ct:p1']);

    const answer = await run('ES-CT', ['fed', 'answer', requestId, '--statement', esH2.id], 'es.analyst', 'ES-OP-SOL');
    expect(answer.out).toContain('Released 1 statement(s) to BE-CT');
    await deliver();

    const beInbox = await run('BE-CT', ['--json', 'fed', 'inbox'], 'be.analyst', 'BE-OP-NORD', false);
    const parsed = JSON.parse(beInbox.out) as { answers: { statements: { id: string; handling: { codes: string[]; releasableTo: string[] } }[] }[] };
    expect(parsed.answers[0]?.statements).toEqual([expect.objectContaining({ id: esH2.id, handling: { codes: ['H2'], releasableTo: ['BE-CT'] } })]);
  });

  it('reports bad input and a missing node clearly', async () => {
    const unknown = await run('ES-CT', ['fed', 'refuse', '01JD0000000000000000000000', '--reason', 'Not ours to answer'], 'es.analyst', 'ES-OP-SOL');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('[NOT_FOUND]');
    const noNode = await run('BE-CT', ['fed', 'match', '--name', 'Youssef El Amrani'], 'be.analyst', 'BE-OP-NORD', false);
    expect(noNode.code).toBe(2);
    expect(noNode.err).toMatch(/\[CONFIG\].*fedKeyFile/);
    const badRole = await run('BE-CT', ['fed', 'hits', '--role', 'owner'], 'be.analyst', 'BE-OP-NORD', false);
    expect(badRole.code).toBe(1);
    const noBasis = await run('BE-CT', ['fed', 'inbox'], 'be.analyst', 'BE-OP-DUNE', false);
    expect(noBasis.err).toContain('[LEGAL_BASIS]');
  });
});
