import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { AgencyId, TesseraError, invalid } from '../model/index.js';

/** A raw 32-byte Ed25519 public key, base64url without padding (43 characters). */
export const PublicKeyB64 = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'Ed25519 public key: 32 bytes, base64url');

/** A node's own identity: its agency and Ed25519 key pair (RFC 8032, via node:crypto/OpenSSL). */
export interface NodeIdentity {
  readonly agency: AgencyId;
  /** Short fingerprint of the public key, carried in envelopes so keys can be rotated. */
  readonly keyId: string;
  /** Raw public key, base64url. */
  readonly publicKey: string;
  readonly privateKey: KeyObject;
}

/** A partner node as configured: agency, public key, and where to reach it. */
export const PeerConfig = z.object({
  agency: AgencyId,
  publicKey: PublicKeyB64,
  /** Base URL of the peer's federation endpoint; absent for peers reached only through the hub. */
  endpoint: z.url().optional(),
  /** Set on the hub: it relays but holds no data it was not given (DESIGN.md, Federation). */
  hub: z.boolean().default(false),
});
export type PeerConfig = z.infer<typeof PeerConfig>;

/** The fingerprint of a raw public key: first 16 bytes of SHA-256, base64url. */
export function keyIdOf(publicKeyB64: string): string {
  return createHash('sha256').update(Buffer.from(publicKeyB64, 'base64url')).digest().subarray(0, 16).toString('base64url');
}

function rawPublicKey(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new TesseraError('CONFIG', 'not an Ed25519 key');
  return jwk.x;
}

/** Creates a fresh node identity for an agency. */
export function generateNodeIdentity(agency: string): NodeIdentity {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const pub = rawPublicKey(publicKey);
  return Object.freeze({ agency: AgencyId.parse(agency), keyId: keyIdOf(pub), publicKey: pub, privateKey });
}

/** Loads a node identity from a PKCS#8 PEM private key (as written by `exportNodeIdentity`). */
export function loadNodeIdentity(agency: string, privateKeyPem: string): NodeIdentity {
  const parsedAgency = AgencyId.safeParse(agency);
  if (!parsedAgency.success) throw invalid('not an agency id', undefined, 'agency');
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: privateKeyPem, format: 'pem' });
  } catch (cause) {
    throw new TesseraError('CONFIG', 'node private key is not a readable PEM key', { field: 'privateKey', cause });
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new TesseraError('CONFIG', `node key must be Ed25519, not ${privateKey.asymmetricKeyType ?? 'unknown'}`, { field: 'privateKey' });
  const pub = rawPublicKey(createPublicKey(privateKey));
  return Object.freeze({ agency: parsedAgency.data, keyId: keyIdOf(pub), publicKey: pub, privateKey });
}

/** The private key as PKCS#8 PEM and the public half, for writing a node's key file. */
export function exportNodeIdentity(identity: NodeIdentity): { agency: AgencyId; publicKey: string; privateKeyPem: string } {
  return { agency: identity.agency, publicKey: identity.publicKey, privateKeyPem: identity.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() };
}

/** The peer entry others put in their configuration for this node. */
export function peerEntryFor(identity: NodeIdentity, endpoint?: string): PeerConfig {
  return PeerConfig.parse({ agency: identity.agency, publicKey: identity.publicKey, ...(endpoint === undefined ? {} : { endpoint }) });
}

/** Ed25519 signature over bytes, base64url. */
export function signBytes(identity: NodeIdentity, data: Uint8Array): string {
  return sign(null, data, identity.privateKey).toString('base64url');
}

interface KnownPeer {
  readonly config: PeerConfig;
  readonly keyId: string;
  readonly key: KeyObject;
}

/** The configured partners of a node, with their verification keys ready for use. */
export class PeerDirectory {
  readonly #peers = new Map<string, KnownPeer>();

  constructor(peers: readonly PeerConfig[] = []) {
    for (const p of peers) this.add(p);
  }

  /** Adds or replaces a peer (key rotation replaces the key; the old one stops verifying). */
  add(peer: z.input<typeof PeerConfig>): void {
    const config = PeerConfig.parse(peer);
    let key: KeyObject;
    try {
      key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: config.publicKey }, format: 'jwk' });
    } catch (cause) {
      throw invalid('peer public key is not a valid Ed25519 key', config.agency, 'publicKey', { cause: String(cause) });
    }
    this.#peers.set(config.agency, { config, keyId: keyIdOf(config.publicKey), key });
  }

  /** The peer's configuration, or undefined for an unknown agency. */
  get(agency: string): PeerConfig | undefined {
    return this.#peers.get(agency)?.config;
  }

  has(agency: string): boolean {
    return this.#peers.has(agency);
  }

  list(): PeerConfig[] {
    return [...this.#peers.values()].map((p) => p.config);
  }

  /** Checks an Ed25519 signature by `agency` over `data`; false for unknown peers or key ids. */
  verify(agency: string, keyId: string, data: Uint8Array, signatureB64: string): 'ok' | 'unknown-peer' | 'unknown-key' | 'bad-signature' {
    const peer = this.#peers.get(agency);
    if (!peer) return 'unknown-peer';
    if (peer.keyId !== keyId) return 'unknown-key';
    const sig = Buffer.from(signatureB64, 'base64url');
    if (sig.length !== 64) return 'bad-signature';
    try {
      return verify(null, data, peer.key, sig) ? 'ok' : 'bad-signature';
    } catch {
      return 'bad-signature';
    }
  }
}
