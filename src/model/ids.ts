import * as crypto from 'node:crypto';
import { monotonicFactory } from 'ulidx';
import { z } from 'zod';

/**
 * Ids are stable and unique across the federation: an agency prefix and a local part
 * (a ULID for things the node creates, or the source's own key for imported records).
 */
export const AGENCY_ID_PATTERN = /^[A-Z]{2}-[A-Z0-9]{2,12}$/;
export const ENTITY_ID_PATTERN = /^[a-z]{2}-[a-z0-9]{2,12}:[A-Za-z0-9._:@+-]{1,160}$/;

export const AgencyId = z.string().regex(AGENCY_ID_PATTERN, 'agency id like FR-CT (country code, dash, 2–12 letters or digits)').brand<'AgencyId'>();
export type AgencyId = z.infer<typeof AgencyId>;

export const EntityId = z.string().regex(ENTITY_ID_PATTERN, 'entity id like fr-ct:01J… (agency prefix, colon, local id)').brand<'EntityId'>();
export type EntityId = z.infer<typeof EntityId>;

export const StatementId = z.string().regex(/^[0-9a-f]{40}$/).brand<'StatementId'>();
export type StatementId = z.infer<typeof StatementId>;

export const CaseId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'case id: letters, digits, dot, dash, underscore').brand<'CaseId'>();
export type CaseId = z.infer<typeof CaseId>;

export const UserId = z.string().regex(/^[a-z0-9][a-z0-9._@-]{1,63}$/, 'user id: lower-case letters, digits, dot, dash, @').brand<'UserId'>();
export type UserId = z.infer<typeof UserId>;

/** Hex digest in one call: crypto.hash (Node ≥ 20.12, ~2× faster than a Hash object per value), createHash on earlier Node 20 releases. */
const hexDigest: (algorithm: string, data: string) => string =
  typeof crypto.hash === 'function' ? (algorithm, data) => crypto.hash(algorithm, data, 'hex') : (algorithm, data) => crypto.createHash(algorithm).update(data).digest('hex');

const ulid = monotonicFactory();

/** The id prefix of an agency: `FR-CT` → `fr-ct`. */
export function agencyPrefix(agency: string): string {
  return agency.toLowerCase();
}

/** A new entity id for an agency (ULID local part, sortable by creation time). */
export function newEntityId(agency: AgencyId | string, time?: number): EntityId {
  return `${agencyPrefix(agency)}:${ulid(time)}` as EntityId;
}

/** An entity id for a record keyed by the source (deterministic: the same key gives the same id). */
export function keyedEntityId(agency: AgencyId | string, ...keyParts: readonly string[]): EntityId {
  const key = keyParts.join('\u001f');
  const safe = /^[A-Za-z0-9._@+-]{1,80}$/.test(key) ? key : hexDigest('sha1', key);
  return `${agencyPrefix(agency)}:${safe}` as EntityId;
}

/** The agency that minted an entity id. */
export function agencyOfEntity(id: EntityId | string): string {
  const prefix = id.slice(0, id.indexOf(':'));
  return prefix.toUpperCase();
}

/**
 * Statement ids are content hashes (like FollowTheMoney's): the same claim by the same source about
 * the same entity gets the same id, which makes re-ingestion idempotent.
 */
export function statementId(parts: {
  entityId: string;
  prop: string;
  value: string;
  agency: string;
  documentId?: string | undefined;
  nature: string;
}): StatementId {
  return hexDigest('sha1', `${parts.entityId}\u001f${parts.prop}\u001f${parts.value}\u001f${parts.agency}\u001f${parts.documentId ?? ''}\u001f${parts.nature}`) as StatementId;
}
