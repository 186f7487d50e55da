import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson, TesseraError, type AuditChainProblem } from '../model/index.js';
import type { Store } from '../store/index.js';
import type { Governance } from './service.js';

/**
 * Signed checkpoints anchor the audit chain's head. A hash chain alone shows edits, deletions and
 * reordering inside the log, but not the removal of its newest entries (the shortened chain is
 * still consistent). A checkpoint — (seq, hash) of the head, signed with the node's Ed25519 key —
 * made periodically (by `retention run`, `audit checkpoint`, the server) and copied outside the
 * database (an anchor file, or partners via federation) makes truncation detectable: the log must
 * still contain entry `seq` with exactly that hash (cf. RFC 6962 signed tree heads).
 */
export const AuditCheckpoint = z.object({
  v: z.literal(1),
  seq: z.number().int().min(0),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  at: z.iso.datetime(),
  /** SHA-256 of the signer's SubjectPublicKeyInfo (DER), hex, first 32 characters. */
  keyId: z.string().regex(/^[0-9a-f]{32}$/),
  /** Ed25519 signature over the canonical JSON of {v, seq, hash, at, keyId}, base64. */
  signature: z.string().min(1),
});
export type AuditCheckpoint = z.infer<typeof AuditCheckpoint>;

export interface CheckpointKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly keyId: string;
}

const CHECKPOINTS = 'audit-checkpoints';
/** Public keys that have signed checkpoints on this node (so reports can check them without the key file). */
const SIGNERS = 'audit-checkpoint-signers';
const META_PRIVATE = 'audit.checkpoint.privateKey';
const META_PUBLIC = 'audit.checkpoint.publicKey';

/** Key id of an Ed25519 public key: the first 128 bits of SHA-256 over its SPKI DER. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 32);
}

/** A fresh Ed25519 key pair as PKCS#8 PEM (for a key file kept outside the database). */
export function generateCheckpointKeyPem(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** Loads a checkpoint key from PKCS#8 PEM; refuses anything but Ed25519. */
export function checkpointKeyFromPem(pem: string): CheckpointKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (e) {
    throw new TesseraError('CONFIG', `checkpoint key is not a PEM private key: ${e instanceof Error ? e.message : String(e)}`, { field: 'keyFile' });
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new TesseraError('CONFIG', `checkpoint key must be Ed25519, not ${privateKey.asymmetricKeyType ?? 'unknown'}`, { field: 'keyFile' });
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

/**
 * The node's checkpoint key from the store's meta, created on first use. Convenient, but an insider
 * with database access could then re-sign a truncated log: production nodes pass a key file and keep
 * anchors outside the database (docs/privacy.md).
 */
export async function storedCheckpointKey(store: Store): Promise<CheckpointKey> {
  let pem = await store.getMeta(META_PRIVATE);
  if (!pem) {
    pem = generateCheckpointKeyPem();
    await store.setMeta(META_PRIVATE, pem);
  }
  const key = checkpointKeyFromPem(pem);
  await store.setMeta(META_PUBLIC, key.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  return key;
}

function signedBytes(c: Omit<AuditCheckpoint, 'signature'>): Buffer {
  return Buffer.from(canonicalJson({ v: c.v, seq: c.seq, hash: c.hash, at: c.at, keyId: c.keyId }));
}

/** Signs the current head of the chain, stores the checkpoint, and records it in the chain itself. */
export async function createCheckpoint(gov: Governance, key: CheckpointKey, now = new Date()): Promise<AuditCheckpoint> {
  const head = await gov.store.auditHead();
  const body = { v: 1 as const, seq: head?.seq ?? 0, hash: head?.hash ?? '0'.repeat(64), at: now.toISOString(), keyId: key.keyId };
  const checkpoint: AuditCheckpoint = { ...body, signature: sign(null, signedBytes(body), key.privateKey).toString('base64') };
  await gov.store.putRecord(CHECKPOINTS, String(checkpoint.seq).padStart(12, '0'), checkpoint, { key: key.keyId });
  await gov.store.putRecord(SIGNERS, key.keyId, { keyId: key.keyId, publicKey: key.publicKey.export({ type: 'spki', format: 'pem' }).toString() });
  await gov.store.appendAudit({
    at: checkpoint.at,
    userId: 'system:checkpoint',
    agency: 'SYSTEM',
    purpose: 'Periodic signed checkpoint of the audit chain head (truncation detection)',
    caseId: null,
    action: 'audit.checkpoint',
    outcome: 'allowed',
    entityIds: [],
    details: { seq: checkpoint.seq, hash: checkpoint.hash, keyId: checkpoint.keyId, signature: checkpoint.signature },
  });
  return checkpoint;
}

/** True when the checkpoint's signature verifies under the public key. */
export function checkpointSignatureValid(c: AuditCheckpoint, publicKey: KeyObject): boolean {
  if (keyIdOf(publicKey) !== c.keyId) return false;
  try {
    return verify(null, signedBytes(c), publicKey, Buffer.from(c.signature, 'base64'));
  } catch {
    return false;
  }
}

/** Checkpoints stored in the database, oldest first. */
export async function storedCheckpoints(store: Store): Promise<AuditCheckpoint[]> {
  return (await store.findRecords<AuditCheckpoint>(CHECKPOINTS, { order: 'asc' })).map((r) => r.body);
}

/** Parses an anchor file (JSON Lines of checkpoints), naming the bad line. */
export function parseAnchors(text: string): AuditCheckpoint[] {
  return text
    .split(/\r?\n/)
    .map((l, i) => [l.trim(), i + 1] as const)
    .filter(([l]) => l.length > 0)
    .map(([l, n]) => {
      let json: unknown;
      try {
        json = JSON.parse(l);
      } catch {
        throw new TesseraError('VALIDATION', `anchor line ${n} is not JSON`, { record: `line ${n}` });
      }
      const parsed = AuditCheckpoint.safeParse(json);
      if (!parsed.success) throw new TesseraError('VALIDATION', `anchor line ${n} is not a checkpoint: ${parsed.error.issues[0]?.message ?? ''}`, { record: `line ${n}` });
      return parsed.data;
    });
}

export interface AnchoredVerification {
  readonly entries: number;
  readonly checkpoints: number;
  /** The newest checkpoint with a valid signature (its head must still be in the log). */
  readonly latest: AuditCheckpoint | undefined;
  readonly problems: readonly (AuditChainProblem | { seq: number; kind: 'bad-signature' | 'unknown-key'; message: string })[];
}

/**
 * Verifies the chain and every checkpoint (stored and external anchors): signatures under the trusted
 * keys, each anchored (seq, hash) still in the log, and the newest one as the expected head so a
 * truncated tail is reported. With no trusted key given, the key recorded in the store's meta is used.
 */
export async function verifyAnchoredAudit(gov: Governance, options: { trustedKeys?: readonly KeyObject[]; anchors?: readonly AuditCheckpoint[] } = {}): Promise<AnchoredVerification> {
  const trusted = [...(options.trustedKeys ?? [])];
  if (trusted.length === 0) {
    // Without a key file, trust the signers recorded in the store: this catches truncation by anyone
    // who cannot also rewrite the store's key records; a key file or external anchors catch the rest.
    const pem = await gov.store.getMeta(META_PUBLIC);
    if (pem) trusted.push(createPublicKey(pem));
    for (const r of await gov.store.findRecords<{ publicKey: string }>(SIGNERS)) trusted.push(createPublicKey(r.body.publicKey));
  }
  const byKey = new Map(trusted.map((k) => [keyIdOf(k), k]));
  const all = new Map<string, AuditCheckpoint>();
  for (const c of [...(await storedCheckpoints(gov.store)), ...(options.anchors ?? [])]) all.set(`${c.seq}:${c.hash}:${c.signature}`, c);
  const problems: AnchoredVerification['problems'][number][] = [];
  const valid: AuditCheckpoint[] = [];
  for (const c of all.values()) {
    const key = byKey.get(c.keyId);
    if (!key) problems.push({ seq: c.seq, kind: 'unknown-key', message: `checkpoint at entry ${c.seq} is signed by unknown key ${c.keyId}` });
    else if (!checkpointSignatureValid(c, key)) problems.push({ seq: c.seq, kind: 'bad-signature', message: `checkpoint at entry ${c.seq} has an invalid signature (forged or altered)` });
    else valid.push(c);
  }
  valid.sort((a, b) => a.seq - b.seq);
  const latest = valid[valid.length - 1];
  const chain = await gov.verifyAudit(latest && latest.seq > 0 ? { seq: latest.seq, hash: latest.hash } : undefined);
  problems.push(...chain.problems);
  for (const c of valid.slice(0, -1)) {
    if (c.seq === 0) continue;
    const at = (await gov.store.readAudit(c.seq, 1))[0];
    if (!at || at.seq !== c.seq) problems.push({ seq: c.seq, kind: 'missing', message: `entry ${c.seq} anchored by the checkpoint of ${c.at} is missing` });
    else if (at.hash !== c.hash) problems.push({ seq: c.seq, kind: 'edited', message: `entry ${c.seq} differs from the checkpoint of ${c.at}` });
  }
  return { entries: chain.entries, checkpoints: all.size, latest, problems };
}
