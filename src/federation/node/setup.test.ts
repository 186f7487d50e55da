import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.js';
import { generateNodeIdentity, peerEntryFor } from '../identity.js';
import { loadNodeSetup, writeNodeKey } from './setup.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-fed-setup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('node configuration', () => {
  const keyFile = join(dir, 'be.pem');
  const be = writeNodeKey('BE-CT', keyFile, { endpoint: 'http://127.0.0.1:9101' });
  const es = peerEntryFor(generateNodeIdentity('ES-CT'), 'http://127.0.0.1:9102');
  const peersFile = join(dir, 'peers.json');
  writeFileSync(peersFile, JSON.stringify([be, es]));
  const env = { TESSERA_AGENCY: 'BE-CT', TESSERA_FED_KEY: keyFile, TESSERA_FED_PEERS: peersFile, TESSERA_FED_PORT: '9101' };

  it('reads key, peers and linkage secrets (file and environment); the key file is private', () => {
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const secretsFile = join(dir, 'secrets.json');
    writeFileSync(secretsFile, JSON.stringify({ secrets: [{ partner: 'ES-CT', keyId: 'be-es-2026-1', secret: 'an invented shared secret', threshold: 0.85 }] }));
    const setup = loadNodeSetup(loadConfig({ ...env, TESSERA_FED_SECRETS: secretsFile }));
    expect(setup.identity.publicKey).toBe(be.publicKey);
    expect(setup.peers.map((p) => p.agency)).toEqual(['ES-CT']);
    expect(setup.port).toBe(9101);
    expect(setup.linkage).toEqual([{ partner: 'ES-CT', keyId: 'be-es-2026-1', secret: 'an invented shared secret', threshold: 0.85 }]);
    const fromEnv = loadNodeSetup(loadConfig({ ...env, TESSERA_FED_SECRET_ES_CT: 'be-es-2026-2:another:invented:secret' }));
    expect(fromEnv.linkage).toEqual([{ partner: 'ES-CT', keyId: 'be-es-2026-2', secret: 'another:invented:secret' }]);
    expect(() => writeNodeKey('BE-CT', keyFile)).toThrow(/exists/);
  });

  it('names the field, file and entry of every configuration problem', () => {
    expect(() => loadNodeSetup(loadConfig({ ...env, TESSERA_FED_KEY: '' }))).toThrow(/fedKeyFile: no node key configured/);
    expect(() => loadNodeSetup(loadConfig({ ...env, TESSERA_FED_KEY: join(dir, 'nope.pem') }))).toThrow(/fedKeyFile: file .*nope.pem does not exist/);
    const notPem = join(dir, 'not.pem');
    writeFileSync(notPem, 'hello');
    expect(() => loadNodeSetup(loadConfig({ ...env, TESSERA_FED_KEY: notPem }))).toThrow(/fedKeyFile: .*not a readable PEM key/);
    const badPeers = join(dir, 'bad-peers.json');
    writeFileSync(badPeers, JSON.stringify([be, { ...es, publicKey: 'short' }]));
    expect(() => loadNodeSetup(loadConfig({ ...env, TESSERA_FED_PEERS: badPeers }))).toThrow(/fedPeersFile: .*bad-peers.json: peers\[1\]\.publicKey: Ed25519 public key/);
    writeFileSync(badPeers, '{ not json');
    expect(() => loadNodeSetup(loadConfig({ ...env, TESSERA_FED_PEERS: badPeers }))).toThrow(/fedPeersFile: .* is not JSON/);
    const wrongKey = join(dir, 'wrong-peers.json');
    writeFileSync(wrongKey, JSON.stringify([{ ...be, publicKey: es.publicKey }, es]));
    expect(() => loadNodeSetup(loadConfig({ ...env, TESSERA_FED_PEERS: wrongKey }))).toThrow(/not this node's key/);
    expect(() => loadNodeSetup(loadConfig({ ...env, TESSERA_FED_SECRET_FR_CT: 'k-fr-1:an invented shared secret' }))).toThrow(/fedLinkageSecrets: a linkage secret names FR-CT, which is not a configured peer/);
    expect(() => loadConfig({ ...env, TESSERA_FED_SECRET_ES_CT: 'k1:short' })).toThrow(/fedLinkageSecrets\.0\.keyId|fedLinkageSecrets\.0\.secret/);
    expect(() => loadConfig({ ...env, TESSERA_FED_PORT: 'eighty' })).toThrow(/invalid configuration fedPort/);
  });
});
