import {
  assembleEntity,
  classificationRank,
  isTesseraError,
  TesseraError,
  verifyAuditEntries,
  AUDIT_GENESIS,
  type AuditChainProblem,
  type AuditEntry,
  type Entity,
  type Statement,
} from '../model/index.js';
import type { SearchOptions, StatementCore, StatementScan, Store, WriteResult } from '../store/index.js';
import { partitionReadable, withheldReason, type AccessFields, type Principal, type WithheldReason } from './access.js';
import { purposeProblem, QueryContext } from './context.js';
import { volumeGuard, type VolumeGuard } from './limits.js';
import { Agency, CaseRecord, DEFAULT_LEGAL_BASES, LegalBasis, User, type AnalysisMethod } from './principals.js';

const AGENCIES = 'agencies';
const USERS = 'users';
const CASES = 'cases';
const LEGAL_BASES = 'legal-bases';
/** At most this many entity ids are listed in one audit entry; the count is always recorded. */
const AUDIT_ID_CAP = 5_000;

export interface GovernanceOptions {
  /** Ordered classification levels, lowest first. */
  readonly classifications: readonly string[];
  /** Clock (tests). */
  readonly now?: () => Date;
  /** Per-user daily volume limits checked before an allowed read or export is logged (default: limits.ts on this store; `null` disables). */
  readonly volumeGuard?: VolumeGuard | null;
}

/** An entity as a principal may see it, with counts of what was withheld and why. */
export interface EntityView {
  readonly entity: Entity | undefined;
  readonly withheld: Readonly<Record<WithheldReason, number>>;
}

export interface EntitySearchHit {
  readonly entityId: string;
  readonly schema: string;
  readonly caption: string;
  readonly matched: readonly { prop: string; value: string }[];
  readonly rank: number;
}

/**
 * Governance: who may see what and why. Every read and write of statements goes through here with a
 * QueryContext; each is checked (user, purpose, case membership, legal basis), filtered (clearance,
 * handling, need-to-know) and appended to the audit hash chain — refusals included.
 */
export class Governance {
  readonly levels: readonly string[];
  private readonly now: () => Date;
  private readonly volumeGuard: VolumeGuard | undefined;

  constructor(
    readonly store: Store,
    options: GovernanceOptions,
  ) {
    this.levels = options.classifications;
    this.now = options.now ?? (() => new Date());
    this.volumeGuard = options.volumeGuard === null ? undefined : (options.volumeGuard ?? volumeGuard(store));
  }

  // ---- administration -------------------------------------------------------------------------

  async upsertAgency(input: unknown): Promise<Agency> {
    const a = Agency.parse(input);
    await this.store.putRecord(AGENCIES, a.id, a, { country: a.country });
    return a;
  }

  async upsertUser(input: unknown): Promise<User> {
    const u = User.parse(input);
    if (classificationRank(u.clearance, this.levels) === Number.POSITIVE_INFINITY) {
      throw new TesseraError('VALIDATION', `user ${u.id}: unknown clearance level "${u.clearance}" (levels: ${this.levels.join(', ')})`, { record: u.id, field: 'clearance' });
    }
    if (!(await this.store.getRecord(AGENCIES, u.agency))) throw new TesseraError('VALIDATION', `user ${u.id}: unknown agency ${u.agency}`, { record: u.id, field: 'agency' });
    await this.store.putRecord(USERS, u.id, u, { agency: u.agency, role: u.roles });
    return u;
  }

  async upsertLegalBasis(input: unknown): Promise<LegalBasis> {
    const b = LegalBasis.parse(input);
    await this.store.putRecord(LEGAL_BASES, b.id, b);
    return b;
  }

  async upsertCase(input: unknown): Promise<CaseRecord> {
    const c = CaseRecord.parse(input);
    if (!(await this.legalBasis(c.legalBasis))) throw new TesseraError('VALIDATION', `case ${c.id}: unknown legal basis "${c.legalBasis}"`, { record: c.id, field: 'legalBasis' });
    await this.store.putRecord(CASES, c.id, c, { agency: c.agency, member: c.members, status: c.status });
    return c;
  }

  async user(id: string): Promise<User | undefined> {
    return (await this.store.getRecord<User>(USERS, id))?.body;
  }

  async agency(id: string): Promise<Agency | undefined> {
    return (await this.store.getRecord<Agency>(AGENCIES, id))?.body;
  }

  async agencies(): Promise<Agency[]> {
    return (await this.store.findRecords<Agency>(AGENCIES)).map((r) => r.body);
  }

  async users(agency?: string): Promise<User[]> {
    return (await this.store.findRecords<User>(USERS, agency ? { where: { agency } } : {})).map((r) => r.body);
  }

  async case(id: string): Promise<CaseRecord | undefined> {
    return (await this.store.getRecord<CaseRecord>(CASES, id))?.body;
  }

  async casesOf(userId: string): Promise<CaseRecord[]> {
    return (await this.store.findRecords<CaseRecord>(CASES, { where: { member: userId } })).map((r) => r.body);
  }

  async legalBasis(id: string): Promise<LegalBasis | undefined> {
    const stored = (await this.store.getRecord<LegalBasis>(LEGAL_BASES, id))?.body;
    return stored ?? DEFAULT_LEGAL_BASES.find((b) => b.id === id);
  }

  // ---- authorisation --------------------------------------------------------------------------

  /** Resolves a user to a principal (no purpose check: for authentication and administration). */
  async principalOf(userId: string): Promise<Principal> {
    const user = await this.user(userId);
    if (!user || !user.active) throw new TesseraError('UNAUTHENTICATED', `unknown or inactive user "${userId}"`, { field: 'userId' });
    const agency = await this.agency(user.agency);
    const cases = (await this.casesOf(user.id)).filter((c) => c.status === 'open').map((c) => c.id);
    return { userId: user.id, agency: user.agency, country: agency?.country ?? user.agency.slice(0, 2), roles: user.roles, clearance: user.clearance, cases };
  }

  /**
   * Checks a context for an analysis method: known active user, meaningful purpose, a case the user
   * belongs to, and a legal basis on that case allowing the method. Refusals are audited and thrown.
   */
  async authorise(ctxInput: QueryContext, method: AnalysisMethod, detail: { hops?: number; schemas?: readonly string[] } = {}): Promise<Principal> {
    const ctx = QueryContext.parse(ctxInput);
    const principal = await this.principalOf(ctx.userId);
    const refuse = async (code: 'PURPOSE_REQUIRED' | 'CASE_REQUIRED' | 'FORBIDDEN' | 'LEGAL_BASIS', message: string, field: string): Promise<never> => {
      await this.audit(ctx, principal, `refused.${method}`, 'refused', [], { reason: message });
      throw new TesseraError(code, message, { field });
    };
    const purposeIssue = purposeProblem(ctx.purpose);
    if (purposeIssue) return refuse('PURPOSE_REQUIRED', purposeIssue, 'purpose');
    if (!ctx.caseId) return refuse('CASE_REQUIRED', `a case is required for ${method}: every query serves a case`, 'caseId');
    const c = await this.case(ctx.caseId);
    if (!c) return refuse('CASE_REQUIRED', `case "${ctx.caseId}" does not exist`, 'caseId');
    if (c.status !== 'open') return refuse('FORBIDDEN', `case ${c.id} is closed`, 'caseId');
    if (!(c.members as readonly string[]).includes(principal.userId)) return refuse('FORBIDDEN', `user ${principal.userId} is not a member of case ${c.id}`, 'caseId');
    const basis = await this.legalBasis(c.legalBasis);
    if (!basis) return refuse('LEGAL_BASIS', `case ${c.id} names unknown legal basis "${c.legalBasis}"`, 'caseId');
    if (!basis.methods.includes(method)) {
      return refuse('LEGAL_BASIS', `legal basis "${basis.id}" of case ${c.id} does not allow ${method} (allowed: ${basis.methods.join(', ')})`, 'method');
    }
    if (detail.hops !== undefined && basis.maxHops !== undefined && detail.hops > basis.maxHops) {
      return refuse('LEGAL_BASIS', `legal basis "${basis.id}" of case ${c.id} allows link analysis up to ${basis.maxHops} hops, not ${detail.hops}`, 'hops');
    }
    if (detail.schemas?.length && basis.schemas.length) {
      const outside = detail.schemas.filter((s) => !basis.schemas.includes(s));
      if (outside.length) return refuse('LEGAL_BASIS', `legal basis "${basis.id}" of case ${c.id} does not cover data classes ${outside.join(', ')}`, 'schemas');
    }
    return principal;
  }

  /** Requires one of the roles (after authorise). */
  requireRole(principal: Principal, ...roles: readonly string[]): void {
    if (!principal.roles.some((r) => roles.includes(r))) {
      throw new TesseraError('FORBIDDEN', `user ${principal.userId} needs role ${roles.join(' or ')}`, { field: 'role' });
    }
  }

  // ---- audited reads --------------------------------------------------------------------------

  /** Reads one entity as the principal may see it. */
  async readEntity(ctx: QueryContext, entityId: string): Promise<EntityView> {
    const principal = await this.authorise(ctx, 'read');
    const all = await this.store.statementsOf(entityId);
    const { readable, withheld } = partitionReadable(principal, all, this.levels);
    await this.audit(ctx, principal, 'entity.read', 'allowed', [entityId], { statements: readable.length, withheld: sumWithheld(withheld) });
    if (all.length === 0) throw new TesseraError('NOT_FOUND', `no entity ${entityId}`, { record: entityId });
    return { entity: assembleEntity(readable), withheld };
  }

  /** Reads several entities (statements the principal may see only); one audit entry. */
  async readEntities(ctx: QueryContext, entityIds: readonly string[], method: AnalysisMethod = 'read'): Promise<Map<string, Entity>> {
    const principal = await this.authorise(ctx, method);
    const statements = await this.store.statementsOfMany(entityIds);
    const { readable } = partitionReadable(principal, statements, this.levels);
    const byEntity = groupByEntity(readable);
    const out = new Map<string, Entity>();
    for (const [id, list] of byEntity) {
      const e = assembleEntity(list);
      if (e) out.set(id, e);
    }
    await this.audit(ctx, principal, 'entity.read-many', 'allowed', [...out.keys()], { requested: entityIds.length });
    return out;
  }

  /** Full-text search over names and texts, filtered to what the principal may read. */
  async search(ctx: QueryContext, text: string, options: SearchOptions = {}): Promise<EntitySearchHit[]> {
    const principal = await this.authorise(ctx, 'search');
    const limit = options.limit ?? 25;
    // Over-fetch: some hits will be withheld.
    const hits = await this.store.search(text, { ...options, limit: Math.min(limit * 8, 1000) });
    const visible = new Set(hits.filter((h) => !withheldReason(principal, h.statement, this.levels)).map((h) => h.statementId));
    const byEntity = new Map<string, { schema: string; matched: { prop: string; value: string }[]; rank: number }>();
    for (const h of hits) {
      if (!visible.has(h.statementId)) continue;
      const cur = byEntity.get(h.entityId);
      if (cur) {
        cur.matched.push({ prop: h.prop, value: h.value });
        cur.rank = Math.min(cur.rank, h.rank);
      } else byEntity.set(h.entityId, { schema: h.schema, matched: [{ prop: h.prop, value: h.value }], rank: h.rank });
    }
    const ranked = [...byEntity.entries()].sort((a, b) => a[1].rank - b[1].rank).slice(0, limit);
    const captionOf = await this.captions(principal, ranked.map(([id]) => id));
    const result = ranked.map(([entityId, v]) => ({ entityId, schema: v.schema, caption: captionOf.get(entityId) ?? v.matched[0]!.value, matched: v.matched, rank: v.rank }));
    await this.audit(ctx, principal, 'search', 'allowed', result.map((r) => r.entityId), { query: text, results: result.length });
    return result;
  }

  /** Captions of entities from readable statements only. */
  private async captions(principal: Principal, ids: readonly string[]): Promise<Map<string, string>> {
    const statements = (await this.store.statementsOfMany(ids)).filter((s) => !withheldReason(principal, s, this.levels));
    const out = new Map<string, string>();
    for (const [id, list] of groupByEntity(statements)) {
      const e = assembleEntity(list);
      if (e) out.set(id, e.caption);
    }
    return out;
  }

  /**
   * Streams the statements a principal may read (projections, resolution, screening). One audit entry
   * records the scan with its counts when the stream ends.
   */
  scanReadable(ctx: QueryContext, method: AnalysisMethod, filter: StatementScan = {}): AsyncIterable<Statement[]> {
    return this.scanReadableFrom(ctx, method, filter, (f) => this.store.scanStatements(f));
  }

  /**
   * As scanReadable, with statement cores (content, owner, grading, handling, classification,
   * cases): for whole-store analysis such as graph projections, several times cheaper to read.
   */
  scanReadableCores(ctx: QueryContext, method: AnalysisMethod, filter: StatementScan = {}): AsyncIterable<StatementCore[]> {
    return this.scanReadableFrom(ctx, method, filter, (f) => this.store.scanStatementCores(f));
  }

  private async *scanReadableFrom<T extends AccessFields>(ctx: QueryContext, method: AnalysisMethod, filter: StatementScan, scan: (filter: StatementScan) => AsyncIterable<T[]>): AsyncIterable<T[]> {
    const principal = await this.authorise(ctx, method, filter.schemas ? { schemas: filter.schemas } : {});
    let read = 0;
    let withheldTotal = 0;
    try {
      for await (const batch of scan(filter)) {
        const { readable, withheld } = partitionReadable(principal, batch, this.levels);
        read += readable.length;
        withheldTotal += sumWithheld(withheld);
        if (readable.length) yield readable;
      }
    } finally {
      await this.audit(ctx, principal, `scan.${method}`, 'allowed', [], { statements: read, withheld: withheldTotal, filter: { ...filter } });
    }
  }

  /** Statements referencing entities or selectors, filtered for the principal. */
  async readReferencing(ctx: QueryContext, method: AnalysisMethod, values: readonly string[], props?: readonly string[]): Promise<Statement[]> {
    const principal = await this.authorise(ctx, method);
    const { readable } = partitionReadable(principal, await this.store.statementsReferencing(values, props), this.levels);
    await this.audit(ctx, principal, `references.${method}`, 'allowed', capIds(values), { statements: readable.length });
    return readable;
  }

  /**
   * Statements by id (the evidence a graph link names), filtered for the principal: ids the caller
   * may not read are left out exactly like ids that do not exist. One audit entry.
   */
  async readStatements(ctx: QueryContext, method: AnalysisMethod, ids: readonly string[]): Promise<Statement[]> {
    const principal = await this.authorise(ctx, method);
    const { readable } = partitionReadable(principal, await this.store.statementsById(ids), this.levels);
    await this.audit(ctx, principal, `statements.${method}`, 'allowed', capIds([...new Set(readable.map((s) => s.entityId))]), { requested: ids.length, statements: readable.length });
    return readable;
  }

  /** Store counts (aggregate only: no content), audited. */
  async stats(ctx: QueryContext): Promise<Awaited<ReturnType<Store['stats']>>> {
    const principal = await this.authorise(ctx, 'read');
    const s = await this.store.stats();
    await this.audit(ctx, principal, 'stats', 'allowed', [], {});
    return s;
  }

  // ---- audited writes -------------------------------------------------------------------------

  /**
   * Writes validated statements (one transaction). The writer's agency must be the source agency of
   * what it writes, except for federation imports that carry a partner's provenance.
   */
  async writeStatements(ctx: QueryContext, statements: readonly Statement[], options: { action?: string; allowForeignSource?: boolean } = {}): Promise<WriteResult> {
    const principal = await this.authorise(ctx, 'read');
    this.requireRole(principal, 'analyst', 'supervisor', 'admin');
    if (!options.allowForeignSource) {
      const foreign = statements.find((s) => s.source.agency !== principal.agency);
      if (foreign) {
        await this.audit(ctx, principal, 'statements.write', 'refused', [foreign.entityId], { reason: 'foreign source agency' });
        throw new TesseraError('FORBIDDEN', `user ${principal.userId} of ${principal.agency} cannot write statements sourced to ${foreign.source.agency}`, {
          record: foreign.entityId,
          field: 'source.agency',
        });
      }
    }
    return this.store.transaction(async (tx) => {
      const result = await tx.writeStatements(statements);
      await tx.appendAudit(this.entry(ctx, principal, options.action ?? 'statements.write', 'allowed', capIds(statements.map((s) => s.entityId)), { ...result }));
      return result;
    });
  }

  /**
   * Writes statements without a user context: only for bootstrap loads (`tessera load`), recorded in
   * the audit chain as a system action with its justification.
   */
  async systemWrite(actor: string, justification: string, statements: readonly Statement[]): Promise<WriteResult> {
    return this.store.transaction(async (tx) => {
      const result = await tx.writeStatements(statements);
      await tx.appendAudit({
        at: this.now().toISOString(),
        userId: `system:${actor}`,
        agency: 'SYSTEM',
        purpose: justification,
        caseId: null,
        action: 'statements.load',
        outcome: 'allowed',
        entityIds: capIds(statements.map((s) => s.entityId)),
        details: { ...result },
      });
      return result;
    });
  }

  /**
   * Bulk load without a user context (`tessera load` into a new store): the store's fastest path,
   * then one system audit entry with the counts and justification. The load itself is atomic; the
   * entry follows it (a crash between the two leaves loaded data whose load is not logged, which
   * `tessera stats` against the audit log would show).
   */
  async systemBulkWrite(
    actor: string,
    justification: string,
    batches: Iterable<readonly Statement[]> | AsyncIterable<readonly Statement[]>,
    onBatch?: (statementsSoFar: number) => void,
  ): Promise<WriteResult> {
    const result = await this.store.bulkWriteStatements(batches, onBatch);
    await this.store.appendAudit({
      at: this.now().toISOString(),
      userId: `system:${actor}`,
      agency: 'SYSTEM',
      purpose: justification,
      caseId: null,
      action: 'statements.bulk-load',
      outcome: 'allowed',
      entityIds: [],
      details: { ...result },
    });
    return result;
  }

  // ---- audit ----------------------------------------------------------------------------------

  private entry(ctx: QueryContext, principal: Principal | undefined, action: string, outcome: 'allowed' | 'refused' | 'error', entityIds: readonly string[], details: Record<string, unknown>) {
    return {
      at: this.now().toISOString(),
      userId: ctx.userId,
      agency: principal?.agency ?? 'UNKNOWN',
      purpose: ctx.purpose,
      caseId: ctx.caseId,
      action,
      outcome,
      entityIds: capIds(entityIds),
      details: entityIds.length > AUDIT_ID_CAP ? { ...details, entityCount: entityIds.length } : details,
    };
  }

  /** Appends an audit entry for a context (services call this for their own actions). */
  async audit(ctx: QueryContext, principal: Principal | undefined, action: string, outcome: 'allowed' | 'refused' | 'error', entityIds: readonly string[], details: Record<string, unknown> = {}): Promise<AuditEntry> {
    const entry = this.entry(ctx, principal, action, outcome, entityIds, details);
    if (outcome === 'allowed' && this.volumeGuard) {
      // Bulk extraction is refused here, where every read and export is logged (issue 9, abuse).
      const reason = await this.volumeGuard(entry);
      if (reason) {
        await this.store.appendAudit({ ...entry, action: `refused.${action}`, outcome: 'refused', details: { ...entry.details, requested: entityIds.length, reason } });
        throw new TesseraError('RATE_LIMITED', reason, { field: 'volume' });
      }
    }
    return this.store.appendAudit(entry);
  }

  /**
   * Appends the audit entry of a write inside the caller's transaction (`tx`), so the change and its
   * record commit together or not at all. Volume limits guard reads and exports, which go through
   * `audit()`; writes recorded here are not counted against them.
   */
  async auditIn(tx: Store, ctx: QueryContext, principal: Principal, action: string, entityIds: readonly string[], details: Record<string, unknown> = {}): Promise<AuditEntry> {
    return tx.appendAudit(this.entry(ctx, principal, action, 'allowed', entityIds, details));
  }

  /**
   * Verifies the whole audit chain page by page. Reports each edited, deleted or reordered entry.
   * `expectedHead` (from a signed checkpoint) also catches truncation of the newest entries.
   */
  async verifyAudit(expectedHead?: { seq: number; hash: string }): Promise<{ entries: number; problems: AuditChainProblem[] }> {
    const problems: AuditChainProblem[] = [];
    let prev = AUDIT_GENESIS;
    let nextSeq = 1;
    let count = 0;
    let last: AuditEntry | undefined;
    for (;;) {
      let page: AuditEntry[];
      try {
        page = await this.store.readAudit(nextSeq, 5_000);
      } catch (e) {
        if (isTesseraError(e)) throw e;
        throw new TesseraError('AUDIT_TAMPERED', `the audit log cannot be read: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
      if (page.length === 0) break;
      problems.push(...verifyAuditEntries(page, prev, nextSeq));
      count += page.length;
      last = page[page.length - 1]!;
      prev = last.hash;
      nextSeq = last.seq + 1;
    }
    if (expectedHead && (!last || last.seq < expectedHead.seq)) {
      problems.push({ seq: (last?.seq ?? 0) + 1, kind: 'missing', message: `entries ${(last?.seq ?? 0) + 1}–${expectedHead.seq} are missing (log truncated after the last checkpoint)` });
    } else if (expectedHead) {
      const at = (await this.store.readAudit(expectedHead.seq, 1))[0];
      if (at && at.hash !== expectedHead.hash) problems.push({ seq: expectedHead.seq, kind: 'edited', message: `entry ${expectedHead.seq} differs from the signed checkpoint` });
    }
    return { entries: count, problems };
  }
}

function sumWithheld(w: Readonly<Record<WithheldReason, number>>): number {
  return w.classification + w.releasability + w['case-compartment'];
}

function capIds(ids: readonly string[]): string[] {
  const unique = [...new Set(ids)];
  return unique.length > AUDIT_ID_CAP ? unique.slice(0, AUDIT_ID_CAP) : unique;
}

/** Groups statements by entity id, keeping order. */
export function groupByEntity(statements: readonly Statement[]): Map<string, Statement[]> {
  const out = new Map<string, Statement[]>();
  for (const s of statements) {
    const list = out.get(s.entityId);
    if (list) list.push(s);
    else out.set(s.entityId, [s]);
  }
  return out;
}
