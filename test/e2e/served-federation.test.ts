import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { servedFederationService } from '../../src/cli/commands/node.js';
import { loadConfig } from '../../src/config/index.js';
import { FederationNode, generateNodeIdentity, loadNodeSetup, peerEntryFor, writeNodeKey } from '../../src/federation/index.js';
import { openStore } from '../../src/store/index.js';
import { seedWorld } from '../support/governance.js';
import { stmt } from '../support/statements.js';

/**
 * What `tessera serve` mounts at /api/federation: with a node key and peers configured, the web
 * app's federation actions queue signed messages in this store's outbox (which `node serve`
 * delivers); without them the service reads the store and cannot send.
 */
describe('the served federation service', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-served-fed-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('queues what the flows send in the outbox when a node is configured', async () => {
    const keyFile = join(dir, 'fr.pem');
    const self = writeNodeKey('FR-CT', keyFile);
    const es = generateNodeIdentity('ES-CT');
    const peersFile = join(dir, 'peers.json');
    writeFileSync(peersFile, JSON.stringify([{ ...self, endpoint: 'http://127.0.0.1:9' }, peerEntryFor(es, 'http://127.0.0.1:9')]));
    const config = loadConfig({ TESSERA_AGENCY: 'FR-CT', TESSERA_FED_KEY: keyFile, TESSERA_FED_PEERS: peersFile, TESSERA_FED_SECRET_ES_CT: 'fr-es-2026:a-shared-linkage-secret-of-some-length' });
    const store = await openStore({ url: 'sqlite::memory:' });
    try {
      const gov = await seedWorld(store);
      await gov.systemWrite('system:test', 'fixture', [stmt({ entityId: 'fr-ct:p1', schema: 'Person', prop: 'name', value: 'Yusuf Karimov' }), stmt({ entityId: 'fr-ct:p1', schema: 'Person', prop: 'birthDate', value: '1990-04-02' })]);
      const service = servedFederationService(gov, config);
      expect(service.wired).toBe(true);
      const published = await service.publishPointersAsSystem();
      expect(published.map((p) => p.partner)).toEqual(['ES-CT']);
      const setup = loadNodeSetup(config);
      const node = await FederationNode.open({ store, identity: setup.identity, peers: setup.peers });
      const queued = await node.outbox('pending');
      expect(queued.map((e) => [e.to, e.type])).toEqual([['ES-CT', 'pointer.publish']]);
      await service.close();
    } finally {
      await store.close();
    }
  });

  it('reads without a node, and refuses to send with a configuration error', async () => {
    const store = await openStore({ url: 'sqlite::memory:' });
    try {
      const gov = await seedWorld(store);
      const service = servedFederationService(gov, loadConfig({ TESSERA_AGENCY: 'FR-CT' }));
      expect(service.wired).toBe(false);
      await expect(service.publishPointersAsSystem()).rejects.toMatchObject({ code: 'CONFIG' });
      await service.close();
    } finally {
      await store.close();
    }
  });
});
