import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import type { Config } from '../../config/index.js';
import { TesseraError } from '../../model/index.js';
import type { LinkageAgreement } from '../flows/context.js';
import { exportNodeIdentity, generateNodeIdentity, loadNodeIdentity, PeerConfig, type NodeIdentity } from '../identity.js';

/** One linkage partnership as configured (the flows' `LinkageAgreement`). */
export const LinkageSecret = z
  .object({
    partner: z.string().regex(/^[A-Z]{2}-[A-Z0-9]{2,12}$/, 'agency id like ES-CT'),
    keyId: z.string().regex(/^[A-Za-z0-9_-]{4,64}$/, 'key id: 4–64 letters, digits, dash, underscore'),
    secret: z.string().min(16, 'a linkage secret has at least 16 characters'),
    threshold: z.number().min(0).max(1).optional(),
    balanced: z.boolean().optional(),
    salt: z.enum(['none', 'birth-year']).optional(),
  })
  .strict();
export type LinkageSecret = z.infer<typeof LinkageSecret>;

/** A node's federation configuration, read from the files the config names and checked. */
export interface NodeSetup {
  readonly identity: NodeIdentity;
  /** Every configured peer (this node's own entry, if the shared file lists it, is dropped). */
  readonly peers: readonly PeerConfig[];
  readonly linkage: readonly LinkageAgreement[];
  readonly host: string;
  readonly port: number;
}

function configError(field: string, message: string, cause?: unknown): TesseraError {
  return new TesseraError('CONFIG', `invalid configuration ${field}: ${message}`, { field, ...(cause === undefined ? {} : { cause }) });
}

function readJson(field: string, path: string): unknown {
  if (!existsSync(path)) throw configError(field, `file ${path} does not exist`);
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw configError(field, `${path} is not JSON (${(e as Error).message})`, e);
  }
}

function parseList<T extends z.ZodType>(field: string, path: string, schema: T, listName: string): z.infer<T>[] {
  const raw = readJson(field, path);
  const list = Array.isArray(raw) ? raw : raw !== null && typeof raw === 'object' && Array.isArray((raw as Record<string, unknown>)[listName]) ? (raw as Record<string, unknown[]>)[listName]! : undefined;
  if (!list) throw configError(field, `${path} must hold a JSON list (or { "${listName}": [...] })`);
  return list.map((item, i) => {
    const r = schema.safeParse(item);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw configError(field, `${path}: ${listName}[${i}]${issue.path.length ? `.${issue.path.join('.')}` : ''}: ${issue.message}`);
    }
    return r.data as z.infer<T>;
  });
}

/**
 * Reads the node's key, peers and linkage secrets from the files and variables the configuration
 * names. Every problem is a CONFIG error naming the field (and the file and entry).
 */
export function loadNodeSetup(config: Config): NodeSetup {
  if (!config.fedKeyFile) throw configError('fedKeyFile', 'no node key configured (set TESSERA_FED_KEY to a PEM file; `tessera node keygen` writes one)');
  if (!existsSync(config.fedKeyFile)) throw configError('fedKeyFile', `file ${config.fedKeyFile} does not exist`);
  let identity: NodeIdentity;
  try {
    identity = loadNodeIdentity(config.nodeAgency, readFileSync(config.fedKeyFile, 'utf8'));
  } catch (e) {
    throw configError('fedKeyFile', `${config.fedKeyFile}: ${(e as Error).message}`, e);
  }
  if (!config.fedPeersFile) throw configError('fedPeersFile', 'no peers configured (set TESSERA_FED_PEERS to a JSON file of { agency, endpoint, publicKey })');
  const peers = parseList('fedPeersFile', config.fedPeersFile, PeerConfig, 'peers');
  const seen = new Set<string>();
  for (const p of peers) {
    if (seen.has(p.agency)) throw configError('fedPeersFile', `${config.fedPeersFile}: ${p.agency} is listed twice`);
    seen.add(p.agency);
  }
  const own = peers.find((p) => p.agency === identity.agency);
  if (own && own.publicKey !== identity.publicKey) throw configError('fedPeersFile', `${config.fedPeersFile} lists ${identity.agency} with a public key that is not this node's key (${config.fedKeyFile})`);
  const fromFile: LinkageSecret[] = config.fedSecretsFile ? parseList('fedSecretsFile', config.fedSecretsFile, LinkageSecret, 'secrets') : [];
  const linkage: LinkageSecret[] = [...fromFile, ...config.fedLinkageSecrets.filter((e) => !fromFile.some((f) => f.partner === e.partner))];
  for (const l of linkage) {
    if (!peers.some((p) => p.agency === l.partner)) throw configError(config.fedSecretsFile ? 'fedSecretsFile' : 'fedLinkageSecrets', `a linkage secret names ${l.partner}, which is not a configured peer`);
  }
  const agreements: LinkageAgreement[] = linkage.map((l) => ({
    partner: l.partner,
    keyId: l.keyId,
    secret: l.secret,
    ...(l.threshold === undefined ? {} : { threshold: l.threshold }),
    ...(l.balanced === undefined ? {} : { balanced: l.balanced }),
    ...(l.salt === undefined ? {} : { salt: l.salt }),
  }));
  return { identity, peers: peers.filter((p) => p.agency !== identity.agency), linkage: agreements, host: config.fedHost, port: config.fedPort };
}

/**
 * Writes a new Ed25519 node key (PKCS#8 PEM, mode 0600) and returns the peer entry partners put in
 * their peers file. Refuses to overwrite an existing key unless `force`.
 */
export function writeNodeKey(agency: string, path: string, options: { endpoint?: string; force?: boolean } = {}): PeerConfig {
  if (existsSync(path) && !options.force) throw new TesseraError('CONFLICT', `${path} exists; a node key is not replaced without --force (partners would stop trusting this node)`, { field: 'out' });
  const identity = generateNodeIdentity(agency);
  const { privateKeyPem } = exportNodeIdentity(identity);
  writeFileSync(path, privateKeyPem, { mode: 0o600 });
  chmodSync(path, 0o600);
  return PeerConfig.parse({ agency: identity.agency, publicKey: identity.publicKey, ...(options.endpoint ? { endpoint: options.endpoint } : {}) });
}
