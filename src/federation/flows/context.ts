import { TesseraError, type SubjectCategory } from '../../model/index.js';
import type { Governance, Principal, QueryContext } from '../../governance/index.js';
import type { Store } from '../../store/index.js';
import { BloomEncoder } from '../bloom.js';
import type { BloomEncodingSpec } from '../messages.js';
import type { FederationPort } from '../port.js';
import { partyOf, type Party } from './handling.js';

/**
 * A linkage partnership: the shared secret that keys both partners' Bloom encodings of names.
 * Pointers are published only to partners we hold an agreement with, and a partner's pointers are
 * matched only with the encoder of the same keyId (docs/federation.md, hardened encodings).
 */
export interface LinkageAgreement {
  readonly partner: string;
  readonly keyId: string;
  /** At least 16 bytes; never sent, never logged. */
  readonly secret: string | Uint8Array;
  /** Dice threshold for a name hit (default DEFAULT_THRESHOLD, 0.9). */
  readonly threshold?: number;
  readonly balanced?: boolean;
  readonly salt?: 'none' | 'birth-year';
}

/** Whom a partner should call about a shared subject (sent in deconfliction notices). */
export interface ContactPoint {
  readonly unit: string;
  readonly channel: string;
}

export interface FederationOptions {
  /** This node's agency (the port's `self` once wired). */
  readonly nodeAgency: string;
  readonly linkage?: readonly LinkageAgreement[];
  readonly contact?: ContactPoint;
  /**
   * The holder's consent rule for deconfliction notices: `standing-agreement` sends them at once,
   * `holder-approved` (default) waits until a supervisor of this node approves each one.
   */
  readonly deconflictionConsent?: 'standing-agreement' | 'holder-approved';
  /** Subject categories never published as pointers nor put into PSI sets (default victim, witness, informant). */
  readonly withholdCategories?: readonly SubjectCategory[];
  /** Largest partner PSI offer answered (a partner probing with a huge list is refused; default 200,000). */
  readonly psiMaxOffer?: number;
  /** PSI worker threads (default 2). */
  readonly psiWorkers?: number;
  /** Name variants (name, aliases) published per person (default 3). */
  readonly maxNamesPerPerson?: number;
  readonly now?: () => Date;
}

/**
 * Default Dice threshold of a name hit with the balanced encoding. Not FEBRL 3's best (0.83): that
 * was measured on blocked candidate pairs, while a partner's pointer set is scanned whole. On the
 * scenario's cross-agency persons, all pairs compared (bench/federation.ts, docs/federation.md),
 * 0.83 gives precision 0.09 — ten false hits, each telling a partner of our interest, per true one —
 * and 0.9 gives precision 0.42 at recall 0.69 (best F1 at 0.925). Partnerships may set their own.
 */
export const DEFAULT_THRESHOLD = 0.9;
export const DEFAULT_WITHHELD_CATEGORIES: readonly SubjectCategory[] = ['victim', 'witness', 'informant'];

/** The audit identity of federation work no user started (inbound messages, scheduled publishing). */
export const FEDERATION_ACTOR = 'system:federation';

/** What every flow shares: governance and the store, options, the clock, and the port once wired. */
export class FlowContext {
  readonly store: Store;
  readonly self: Party;
  readonly now: () => Date;
  #port: FederationPort | undefined;
  readonly #encoders = new Map<string, BloomEncoder>();

  constructor(
    readonly gov: Governance,
    readonly options: FederationOptions,
  ) {
    this.store = gov.store;
    this.self = partyOf(options.nodeAgency);
    this.now = options.now ?? (() => new Date());
  }

  attach(port: FederationPort): void {
    if (port.self !== this.self.agency) throw new TesseraError('CONFIG', `the federation port is node ${port.self}, but the flows run for ${this.self.agency}`, { field: 'nodeAgency' });
    this.#port = port;
  }

  get wired(): boolean {
    return this.#port !== undefined;
  }

  /** The port, or a clear error when this process has no federation node (e.g. a CLI without one). */
  port(): FederationPort {
    if (!this.#port) throw new TesseraError('CONFIG', `no federation node is running for ${this.self.agency}: messages cannot be sent from this process`, { field: 'federation' });
    return this.#port;
  }

  agreement(partner: string): LinkageAgreement | undefined {
    return this.options.linkage?.find((a) => a.partner === partner);
  }

  /** The encoder of our agreement with a partner (cached: its token cache is what makes encoding fast). */
  encoderFor(partner: string): BloomEncoder | undefined {
    const a = this.agreement(partner);
    if (!a) return undefined;
    const key = `${partner}|${a.keyId}`;
    let enc = this.#encoders.get(key);
    if (!enc) {
      enc = new BloomEncoder({ secret: a.secret, keyId: a.keyId, ...(a.balanced === undefined ? {} : { balanced: a.balanced }), ...(a.salt ? { salt: a.salt } : {}) });
      this.#encoders.set(key, enc);
    }
    return enc;
  }

  /** True when a partner's published encoding is the one our agreement produces (same key, same parameters). */
  sameEncoding(partner: string, spec: BloomEncodingSpec): boolean {
    const enc = this.encoderFor(partner);
    if (!enc) return false;
    const ours = enc.spec;
    return ours.scheme === spec.scheme && ours.keyId === spec.keyId && ours.balanced === spec.balanced && ours.salt === spec.salt && ours.nameHashes === spec.nameHashes && ours.dobHashes === spec.dobHashes && ours.bits === spec.bits;
  }

  threshold(partner: string): number {
    return this.agreement(partner)?.threshold ?? DEFAULT_THRESHOLD;
  }

  get withheldCategories(): readonly string[] {
    return this.options.withholdCategories ?? DEFAULT_WITHHELD_CATEGORIES;
  }

  /** A partner as the handling rules see it (its country from the agency registry when known). */
  async partyOf(agency: string): Promise<Party> {
    const a = await this.gov.agency(agency);
    return partyOf(agency, a?.country);
  }

  /** Checks a user's context for federation work (purpose, case, legal basis allowing `federation`). */
  authorise(ctx: QueryContext): Promise<Principal> {
    return this.gov.authorise(ctx, 'federation');
  }

  /**
   * Audit entry of work no user started (an inbound message, scheduled publishing), under the system
   * actor of this node. The purpose says on whose behalf: the partner's stated purpose and case.
   */
  async systemAudit(action: string, purpose: string, entityIds: readonly string[], details: Record<string, unknown> = {}): Promise<void> {
    await this.store.appendAudit({
      at: this.now().toISOString(),
      userId: FEDERATION_ACTOR,
      agency: this.self.agency,
      purpose,
      caseId: null,
      action,
      outcome: 'allowed',
      entityIds: [...new Set(entityIds)].slice(0, 5_000),
      details,
    });
  }
}

/** Requires one of the roles. */
export function requireRole(principal: Principal, roles: readonly string[], what: string): void {
  if (!principal.roles.some((r) => roles.includes(r))) {
    throw new TesseraError('FORBIDDEN', `${what} needs role ${roles.join(' or ')} (user ${principal.userId} has ${principal.roles.join(', ')})`, { field: 'role' });
  }
}
