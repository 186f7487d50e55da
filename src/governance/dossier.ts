import { z } from 'zod';
import { AgencyId, assembleEntity, CaseId, EntityId, invalid, isSchemaName, propertySpec, schemaSpec, TesseraError, type Entity, type Statement } from '../model/index.js';
import { partitionReadable, type Principal } from './access.js';
import type { QueryContext } from './context.js';
import { DISCLOSURE_WITHHELD_REASONS, redactForRecipient, type DisclosureRecipient, type DisclosureWithheldReason } from './disclosure.js';
import { groupByEntity, type Governance } from './service.js';

/**
 * What to put in a dossier and for whom: a subject (an entity and its links, one hop) or the work
 * session's case (every entity with statements tied to the case, and the case's subjects), for a
 * recipient agency cleared up to a classification level (default: the lowest level).
 */
export const DossierRequest = z
  .object({
    subject: EntityId.optional(),
    caseId: CaseId.optional(),
    recipient: AgencyId,
    clearance: z.string().min(1).max(32).optional(),
  })
  .strict();
export type DossierRequest = z.input<typeof DossierRequest>;

/** At most this many entities (links excluded) go into one dossier; the rest are counted as omitted. */
export const DOSSIER_MAX_ENTITIES = 150;

/** A link (PhoneUse, Meeting, TravelEvent…) as disclosed: its ends with their captions when the ends are in the dossier. */
export interface DossierLink {
  readonly entity: Entity;
  readonly ends: readonly { readonly role: string; readonly id: string; readonly caption: string | undefined }[];
  readonly startDate: string | undefined;
  readonly endDate: string | undefined;
}

/** A dossier redacted for one recipient: only statements it may receive; what was withheld only as counts per reason. */
export interface Dossier {
  readonly kind: 'subject' | 'case';
  readonly title: string;
  readonly subjectId: string | undefined;
  readonly case: { readonly id: string; readonly name: string; readonly agency: string };
  readonly preparedBy: { readonly userId: string; readonly name: string; readonly agency: string };
  readonly purpose: string;
  readonly recipient: DisclosureRecipient & { readonly name: string };
  readonly generatedAt: string;
  /** Entities (persons, organisations, phones…) with their disclosed values and provenance, subject first. */
  readonly entities: readonly Entity[];
  readonly links: readonly DossierLink[];
  /** Statements disclosed. */
  readonly released: number;
  /** Statements the author could read but the recipient may not receive, by reason (never their content). */
  readonly withheld: Readonly<Record<DisclosureWithheldReason, number>>;
  /** Disclosed statements carrying caveats the recipient must respect: H1 (not for evidential use), H2 (no further dissemination). */
  readonly caveats: { readonly H1: number; readonly H2: number };
  /** Entities in scope beyond DOSSIER_MAX_ENTITIES, not included. */
  readonly omittedEntities: number;
  /** The audit entry recording this disclosure (its reference number). */
  readonly auditSeq: number;
}

const ROLES_THAT_DISCLOSE = ['analyst', 'supervisor'] as const;

/** Entity-valued properties of a statement list (the ends of a link), with the property as role. */
function endsOf(statements: readonly Statement[]): { role: string; id: string }[] {
  const out: { role: string; id: string }[] = [];
  for (const s of statements) {
    if (!isSchemaName(s.schema) || propertySpec(s.schema, s.prop)?.type !== 'entity') continue;
    if (!out.some((e) => e.id === s.value && e.role === s.prop)) out.push({ role: s.prop, id: s.value });
  }
  return out;
}

const isLink = (schema: string) => isSchemaName(schema) && schemaSpec(schema).kind === 'link';

/** Entities first by importance for a reader: the subject, people, organisations, then the rest. */
function entityOrder(subject: string | undefined): (a: Entity, b: Entity) => number {
  const rank = (e: Entity) => (e.id === subject ? 0 : e.schema === 'Person' ? 1 : e.schema === 'Organization' ? 2 : 3);
  return (a, b) => rank(a) - rank(b) || a.schema.localeCompare(b.schema) || a.caption.localeCompare(b.caption) || a.id.localeCompare(b.id);
}

/** Reader's order for choosing what fits in a dossier: the subject, people, organisations, then the rest; by id within a kind. */
function scopeRank(subject: string | undefined): (a: { id: string; schema: string }, b: { id: string; schema: string }) => number {
  const rank = (x: { id: string; schema: string }) => (x.id === subject ? 0 : x.schema === 'Person' ? 1 : x.schema === 'Organization' ? 2 : 3);
  return (a, b) => rank(a) - rank(b) || a.schema.localeCompare(b.schema) || a.id.localeCompare(b.id);
}

/**
 * Entities in scope of a case: its declared subjects and every entity with a statement tied to the
 * case that the author may read, chosen in reader's order up to the dossier's size (one scan of the
 * store; nothing else is read). Links of the case come along when one of their ends is chosen.
 */
async function caseScope(gov: Governance, principal: Principal, caseId: string, subjects: readonly string[]): Promise<{ ids: string[]; omitted: number }> {
  const entities = new Map<string, string>();
  const links = new Map<string, Set<string>>();
  for await (const batch of gov.store.scanStatements({})) {
    const tagged = batch.filter((s) => (s.caseIds as readonly string[]).includes(caseId) || subjects.includes(s.entityId));
    for (const s of partitionReadable(principal, tagged, gov.levels).readable) {
      if (!isLink(s.schema)) entities.set(s.entityId, s.schema);
      else {
        const ends = links.get(s.entityId) ?? new Set<string>();
        for (const e of endsOf([s])) ends.add(e.id);
        links.set(s.entityId, ends);
      }
    }
  }
  const ordered = [...entities].map(([id, schema]) => ({ id, schema })).sort(scopeRank(undefined));
  const kept = new Set(ordered.slice(0, DOSSIER_MAX_ENTITIES).map((x) => x.id));
  const keptLinks = [...links].filter(([, ends]) => [...ends].some((e) => kept.has(e))).map(([id]) => id);
  return { ids: [...kept, ...keptLinks], omitted: ordered.length - kept.size };
}

async function refuse(gov: Governance, ctx: QueryContext, principal: Principal, code: 'FORBIDDEN' | 'NOT_FOUND', message: string, field: string): Promise<never> {
  await gov.audit(ctx, principal, 'refused.export.dossier', 'refused', [], { reason: message });
  throw new TesseraError(code, message, { field });
}

/**
 * Prepares a dossier for a recipient agency: authorised as an `export` in the work context (the case's
 * legal basis must allow export), restricted to what the author may read, then redacted with the
 * disclosure rule (`disclosureWithheldReason`). Recorded as a disclosure with its recipient
 * (LED Art. 25) and counted against the daily export limits — before any content is returned.
 */
export async function prepareDossier(gov: Governance, ctx: QueryContext, input: DossierRequest, options: { format?: string; now?: Date } = {}): Promise<Dossier> {
  const parsed = DossierRequest.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalid(issue.message, undefined, issue.path.map(String).join('.') || 'dossier');
  }
  const req = parsed.data;
  if ((req.subject === undefined) === (req.caseId === undefined)) throw invalid('name either a subject (an entity id) or the case for the dossier', undefined, 'subject');
  const principal = await gov.authorise(ctx, 'export');
  if (!principal.roles.some((r) => (ROLES_THAT_DISCLOSE as readonly string[]).includes(r))) {
    return refuse(gov, ctx, principal, 'FORBIDDEN', `a dossier is disclosed by an analyst or supervisor; user ${principal.userId} has ${principal.roles.join(', ')}`, 'role');
  }
  const agency = await gov.agency(req.recipient);
  if (!agency) throw invalid(`unknown recipient agency ${req.recipient}`, undefined, 'recipient');
  const clearance = req.clearance ?? gov.levels[0]!;
  if (!gov.levels.includes(clearance)) throw invalid(`unknown classification level "${clearance}" (levels: ${gov.levels.join(', ')})`, undefined, 'clearance');
  const theCase = (await gov.case(ctx.caseId!))!;
  if (req.caseId !== undefined && req.caseId !== theCase.id) {
    return refuse(gov, ctx, principal, 'FORBIDDEN', `a dossier of case ${req.caseId} is prepared in that case's work context (the session's case is ${theCase.id})`, 'caseId');
  }

  // Scope: the subject with its links and their other ends, or everything tied to the case.
  let scope: string[];
  let omittedInScope = 0;
  if (req.subject !== undefined) {
    const own = await gov.store.statementsOf(req.subject);
    if (own.length === 0) throw new TesseraError('NOT_FOUND', `no entity ${req.subject}`, { record: req.subject, field: 'subject' });
    if (partitionReadable(principal, own, gov.levels).readable.length === 0) {
      return refuse(gov, ctx, principal, 'FORBIDDEN', `you may read nothing about ${req.subject} in case ${theCase.id}, so you cannot disclose it`, 'subject');
    }
    const linkIds = [...new Set((await gov.store.statementsReferencing([req.subject])).map((s) => s.entityId))].filter((id) => id !== req.subject);
    scope = [req.subject, ...linkIds];
  } else {
    const chosen = await caseScope(gov, principal, theCase.id, theCase.subjects);
    scope = chosen.ids;
    omittedInScope = chosen.omitted;
  }
  const readableOf = async (ids: readonly string[]) => (ids.length ? partitionReadable(principal, await gov.store.statementsOfMany(ids), gov.levels).readable : []);
  let readable = await readableOf(scope);
  // Links bring their other ends (one hop), read under the same rules.
  const inScope = new Set<string>(readable.map((s) => s.entityId));
  const ends = endsOf(readable.filter((s) => isLink(s.schema))).map((e) => e.id).filter((id) => !inScope.has(id));
  readable = [...readable, ...(await readableOf([...new Set(ends)]))];

  // Cap the number of entities (links travel with the entities they connect).
  const bySchema = groupByEntity(readable);
  const ordered = [...bySchema]
    .map(([id, list]) => ({ id, schema: list[0]!.schema }))
    .filter((x) => !isLink(x.schema))
    .sort(scopeRank(req.subject))
    .map((x) => x.id);
  const kept = new Set<string>(ordered.slice(0, DOSSIER_MAX_ENTITIES));
  const omittedEntities = omittedInScope + Math.max(0, ordered.length - kept.size);
  const linkKept = (id: string) => endsOf(bySchema.get(id)!).some((e) => kept.has(e.id));
  const inDossier = readable.filter((s) => (isLink(s.schema) ? linkKept(s.entityId) : kept.has(s.entityId)));

  const recipient = { agency: agency.id, country: agency.country, clearance };
  const { released, withheld } = redactForRecipient(inDossier, principal.agency, recipient, gov.levels);
  const groups = groupByEntity(released);
  const entities: Entity[] = [];
  const linkEntities: Entity[] = [];
  for (const list of groups.values()) {
    const e = assembleEntity(list)!;
    (isLink(e.schema) ? linkEntities : entities).push(e);
  }
  entities.sort(entityOrder(req.subject));
  const captionOf = new Map<string, string>(entities.map((e) => [e.id, e.caption]));
  const links: DossierLink[] = linkEntities
    .map((l) => ({
      entity: l,
      ends: endsOf(groups.get(l.id)!).map((e) => ({ ...e, caption: captionOf.get(e.id) })),
      startDate: l.properties.startDate?.[0]?.value ?? l.properties.date?.[0]?.value,
      endDate: l.properties.endDate?.[0]?.value,
    }))
    .sort((a, b) => (a.startDate ?? '').localeCompare(b.startDate ?? '') || a.entity.id.localeCompare(b.entity.id));
  const caveats = {
    H1: released.filter((s) => s.handling.codes.includes('H1')).length,
    H2: released.filter((s) => s.handling.codes.includes('H2')).length,
  };

  const user = await gov.user(principal.userId);
  const subjectEntity = req.subject !== undefined ? entities.find((e) => e.id === req.subject) : undefined;
  const title = req.subject !== undefined ? `Subject dossier: ${subjectEntity?.caption ?? req.subject}` : `Case dossier: ${theCase.name}`;
  const entry = await gov.audit(ctx, principal, 'export.dossier', 'allowed', [...groups.keys()], {
    recipients: [agency.id],
    kind: req.subject !== undefined ? 'subject' : 'case',
    ...(req.subject !== undefined ? { subject: req.subject } : {}),
    format: options.format ?? 'json',
    clearance,
    released: released.length,
    withheld: { ...withheld },
    omittedEntities,
  });
  return {
    kind: req.subject !== undefined ? 'subject' : 'case',
    title,
    subjectId: req.subject,
    case: { id: theCase.id, name: theCase.name, agency: theCase.agency },
    preparedBy: { userId: principal.userId, name: user?.name ?? principal.userId, agency: principal.agency },
    purpose: ctx.purpose,
    recipient: { ...recipient, name: agency.name },
    generatedAt: (options.now ?? new Date(entry.at)).toISOString(),
    entities,
    links,
    released: released.length,
    withheld,
    caveats,
    omittedEntities,
    auditSeq: entry.seq,
  };
}

/** Total statements withheld from a dossier. */
export function withheldTotal(w: Readonly<Record<DisclosureWithheldReason, number>>): number {
  return DISCLOSURE_WITHHELD_REASONS.reduce((a, r) => a + w[r], 0);
}
