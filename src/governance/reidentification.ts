import { constants, createCipheriv, createDecipheriv, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, privateDecrypt, publicEncrypt, randomBytes, randomUUID, timingSafeEqual, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { TesseraError } from '../model/index.js';
import type { Store } from '../store/index.js';
import type { QueryContext } from './context.js';
import { authoriseOversight } from './oversight.js';
import type { Governance } from './service.js';

/**
 * Depersonalised values are kept re-identifiable only with a supervisor's approval (issue 9; LED
 * Art. 3(5) pseudonymisation with the additional information kept separately). Scheme, all standard
 * primitives from node:crypto:
 *  - each masked statement's original is encrypted with its own random AES-256-GCM data key (AAD =
 *    statement id, so a ciphertext cannot be moved to another statement);
 *  - the data key is wrapped with RSA-OAEP-SHA256 under the re-identification public key. The node
 *    holds only the public key: the retention job can mask but cannot unmask;
 *  - the private key lives in a file held by supervisors. Approving a request unwraps the data keys of
 *    one entity and re-wraps them under a fresh 256-bit grant key, returned once as a token to the
 *    requester (only its SHA-256 is stored); the grant expires after 24 hours.
 */
export const SealedValue = z.object({
  v: z.literal(1),
  alg: z.literal('RSA-OAEP-256/A256GCM'),
  keyId: z.string(),
  wrappedKey: z.string(),
  iv: z.string(),
  tag: z.string(),
  ciphertext: z.string(),
});
export type SealedValue = z.infer<typeof SealedValue>;

/** The original of a masked statement, as kept sealed. */
export interface MaskedOriginal {
  readonly value: string;
  readonly original: string | null;
}

/** A depersonalised statement: where it was, what rule masked it, and its sealed original. */
export interface DepersonalisedRecord {
  readonly statementId: string;
  readonly entityId: string;
  readonly schema: string;
  readonly prop: string;
  readonly ruleId: string;
  readonly at: string;
  readonly sealed: SealedValue;
}

export const DEPERSONALISED = 'depersonalised';
const REQUESTS = 'reid-requests';
const META_PUBLIC = 'retention.reid.publicKey';
const GRANT_HOURS = 24;

const b64 = (b: Buffer) => b.toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64');

function keyId(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 32);
}

function aesSeal(key: Buffer, plaintext: Buffer, aad: string): { iv: string; tag: string; ciphertext: string } {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([c.update(plaintext), c.final()]);
  return { iv: b64(iv), tag: b64(c.getAuthTag()), ciphertext: b64(ct) };
}

function aesOpen(key: Buffer, box: { iv: string; tag: string; ciphertext: string }, aad: string): Buffer {
  const d = createDecipheriv('aes-256-gcm', key, unb64(box.iv));
  d.setAAD(Buffer.from(aad));
  d.setAuthTag(unb64(box.tag));
  try {
    return Buffer.concat([d.update(unb64(box.ciphertext)), d.final()]);
  } catch {
    throw new TesseraError('FORBIDDEN', 'sealed value cannot be opened: wrong key or altered ciphertext', { field: 'key' });
  }
}

/** A new re-identification key pair (RSA 3072, PEM). The private key goes to the supervisors' key file. */
export function generateReidKeyPair(modulusLength = 3072): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength });
  return { privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** Installs the public half in the store: from now on the retention job can depersonalise. */
export async function installReidPublicKey(store: Store, publicPem: string): Promise<string> {
  const key = createPublicKey(publicPem);
  if (key.asymmetricKeyType !== 'rsa' || (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
    throw new TesseraError('CONFIG', 're-identification key must be RSA with at least 2048 bits', { field: 'key' });
  }
  await store.setMeta(META_PUBLIC, key.export({ type: 'spki', format: 'pem' }).toString());
  return keyId(key);
}

/** The installed re-identification public key, if any. */
export async function reidPublicKey(store: Store): Promise<KeyObject | undefined> {
  const pem = await store.getMeta(META_PUBLIC);
  return pem ? createPublicKey(pem) : undefined;
}

/** Seals a statement's original under the public key (AES-256-GCM data key wrapped by RSA-OAEP-256). */
export function sealOriginal(publicKey: KeyObject, statementId: string, payload: MaskedOriginal): SealedValue {
  const dek = randomBytes(32);
  const box = aesSeal(dek, Buffer.from(JSON.stringify(payload)), statementId);
  const wrappedKey = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, dek);
  return { v: 1, alg: 'RSA-OAEP-256/A256GCM', keyId: keyId(publicKey), wrappedKey: b64(wrappedKey), ...box };
}

function unwrapDek(privateKey: KeyObject, sealed: SealedValue): Buffer {
  try {
    return privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, unb64(sealed.wrappedKey));
  } catch {
    throw new TesseraError('FORBIDDEN', `the key file does not open values sealed under key ${sealed.keyId}`, { field: 'keyFile' });
  }
}

/** Opens a sealed original with the private key (supervisor's key file). */
export function openSealed(privateKey: KeyObject, statementId: string, sealed: SealedValue): MaskedOriginal {
  return JSON.parse(aesOpen(unwrapDek(privateKey, sealed), sealed, statementId).toString()) as MaskedOriginal;
}

export interface ReidRequest {
  readonly id: string;
  readonly entityId: string;
  readonly requester: string;
  readonly agency: string;
  readonly caseId: string | null;
  readonly reason: string;
  readonly requestedAt: string;
  readonly status: 'pending' | 'approved' | 'refused';
  readonly approver?: string;
  readonly decidedAt?: string;
  readonly expiresAt?: string;
  readonly tokenHash?: string;
  readonly grants?: readonly { statementId: string; iv: string; tag: string; ciphertext: string }[];
}

/** Depersonalised statements of an entity. */
export async function depersonalisedOf(store: Store, entityId: string): Promise<DepersonalisedRecord[]> {
  return (await store.findRecords<DepersonalisedRecord>(DEPERSONALISED, { where: { entity: entityId } })).map((r) => r.body);
}

/** An analyst asks to re-identify a depersonalised entity for a case (needs a supervisor's approval). */
export async function requestReidentification(gov: Governance, ctx: QueryContext, entityId: string): Promise<ReidRequest> {
  const principal = await gov.authorise(ctx, 'read');
  const masked = await depersonalisedOf(gov.store, entityId);
  if (masked.length === 0) throw new TesseraError('NOT_FOUND', `${entityId} has no depersonalised values`, { record: entityId });
  const req: ReidRequest = { id: randomUUID(), entityId, requester: principal.userId, agency: principal.agency, caseId: ctx.caseId, reason: ctx.purpose, requestedAt: new Date().toISOString(), status: 'pending' };
  await gov.store.putRecord(REQUESTS, req.id, req, { requester: req.requester, status: req.status, entity: entityId });
  await gov.audit(ctx, principal, 'reid.request', 'allowed', [entityId], { request: req.id, statements: masked.length });
  return req;
}

/** Pending re-identification requests (supervisors). */
export async function pendingReidRequests(store: Store): Promise<ReidRequest[]> {
  return (await store.findRecords<ReidRequest>(REQUESTS, { where: { status: 'pending' } })).map((r) => r.body);
}

/**
 * A supervisor of the requester's agency (never the requester) approves or refuses. Approval needs the
 * private key and returns the one-time grant token for the requester.
 */
export async function decideReidentification(gov: Governance, ctx: QueryContext, requestId: string, decision: { approve: true; privateKeyPem: string } | { approve: false }): Promise<{ request: ReidRequest; token?: string }> {
  const principal = await authoriseOversight(gov, ctx, 'reid.decide', ['supervisor']);
  const req = (await gov.store.getRecord<ReidRequest>(REQUESTS, requestId))?.body;
  if (!req) throw new TesseraError('NOT_FOUND', `no re-identification request ${requestId}`, { record: requestId });
  const refuse = async (message: string): Promise<never> => {
    await gov.audit(ctx, principal, 'refused.reid.decide', 'refused', [req.entityId], { request: requestId, reason: message });
    throw new TesseraError('FORBIDDEN', message, { record: requestId });
  };
  if (req.status !== 'pending') return refuse(`request ${requestId} is already ${req.status}`);
  if (req.requester === principal.userId) return refuse('four-eyes rule: a supervisor cannot approve their own re-identification request');
  if (req.agency !== principal.agency) return refuse(`request ${requestId} belongs to ${req.agency}; only its own supervisors decide`);
  const now = new Date();
  if (!decision.approve) {
    const refused: ReidRequest = { ...req, status: 'refused', approver: principal.userId, decidedAt: now.toISOString() };
    await gov.store.putRecord(REQUESTS, req.id, refused, { requester: req.requester, status: refused.status, entity: req.entityId });
    await gov.audit(ctx, principal, 'reid.refuse', 'allowed', [req.entityId], { request: req.id });
    return { request: refused };
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(decision.privateKeyPem);
  } catch {
    return refuse('the key file is not a PEM private key');
  }
  const grantKey = randomBytes(32);
  const grants = (await depersonalisedOf(gov.store, req.entityId)).map((d) => ({ statementId: d.statementId, ...aesSeal(grantKey, unwrapDek(privateKey, d.sealed), `${req.id}|${d.statementId}`) }));
  const approved: ReidRequest = {
    ...req,
    status: 'approved',
    approver: principal.userId,
    decidedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + GRANT_HOURS * 3_600_000).toISOString(),
    tokenHash: createHash('sha256').update(grantKey).digest('hex'),
    grants,
  };
  await gov.store.putRecord(REQUESTS, req.id, approved, { requester: req.requester, status: approved.status, entity: req.entityId });
  await gov.audit(ctx, principal, 'reid.approve', 'allowed', [req.entityId], { request: req.id, requester: req.requester, statements: grants.length, expiresAt: approved.expiresAt });
  return { request: approved, token: grantKey.toString('base64url') };
}

/** The requester opens the approved values with the grant token, within the grant's lifetime; logged as a disclosure. */
export async function reidentify(gov: Governance, ctx: QueryContext, requestId: string, token: string): Promise<{ statementId: string; prop: string; value: string; original: string | null }[]> {
  const principal = await gov.authorise(ctx, 'read');
  const req = (await gov.store.getRecord<ReidRequest>(REQUESTS, requestId))?.body;
  const refuse = async (message: string): Promise<never> => {
    await gov.audit(ctx, principal, 'refused.reid.open', 'refused', req ? [req.entityId] : [], { request: requestId, reason: message });
    throw new TesseraError('FORBIDDEN', message, { record: requestId });
  };
  if (!req) return refuse(`no re-identification request ${requestId}`);
  if (req.requester !== principal.userId) return refuse(`request ${requestId} was made by another user`);
  if (req.status !== 'approved' || !req.grants || !req.tokenHash || !req.expiresAt) return refuse(`request ${requestId} is ${req.status}, not approved`);
  if (Date.parse(req.expiresAt) < Date.now()) return refuse(`the grant for request ${requestId} expired at ${req.expiresAt}`);
  const grantKey = Buffer.from(token, 'base64url');
  const hash = Buffer.from(createHash('sha256').update(grantKey).digest('hex'));
  if (grantKey.length !== 32 || !timingSafeEqual(hash, Buffer.from(req.tokenHash))) return refuse('wrong grant token');
  const byId = new Map((await depersonalisedOf(gov.store, req.entityId)).map((d) => [d.statementId, d]));
  const out: { statementId: string; prop: string; value: string; original: string | null }[] = [];
  for (const g of req.grants) {
    const d = byId.get(g.statementId);
    if (!d) continue; // deleted since approval (retention)
    const dek = aesOpen(grantKey, g, `${req.id}|${g.statementId}`);
    const payload = JSON.parse(aesOpen(dek, d.sealed, d.statementId).toString()) as MaskedOriginal;
    out.push({ statementId: d.statementId, prop: d.prop, value: payload.value, original: payload.original });
  }
  await gov.audit(ctx, principal, 'reid.open', 'allowed', [req.entityId], { request: req.id, approver: req.approver, statements: out.length });
  return out;
}
