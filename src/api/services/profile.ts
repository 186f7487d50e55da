import type { EntityView, Governance, QueryContext } from '../../governance/index.js';
import { isSchemaName, propertySpec, type Entity } from '../../model/index.js';

export interface ProfileLink {
  readonly linkId: string;
  readonly schema: string;
  readonly role: string;
  readonly others: readonly { id: string; schema: string; caption: string }[];
  readonly startDate?: string;
  readonly endDate?: string;
  readonly agencies: readonly string[];
}

export interface EntityProfile extends EntityView {
  readonly links: readonly ProfileLink[];
}

/** At most this many links are listed on a profile; the link chart shows the rest. */
const MAX_LINKS = 200;

/** The entity-valued properties of an entity (the ends of a link, the subject of a mention). */
function referencedIds(e: Entity): string[] {
  if (!isSchemaName(e.schema)) return [];
  const out: string[] = [];
  for (const [prop, values] of Object.entries(e.properties)) {
    if (propertySpec(e.schema, prop)?.type !== 'entity') continue;
    for (const v of values) out.push(v.value);
  }
  return out;
}

/**
 * An entity profile: the entity as the user may see it (every value with its provenance, conflicts,
 * withheld counts) and the links that point at it, each with the entities at its other ends. All
 * reads go through governance with the request's context, so the same rules and audit apply.
 */
export async function entityProfile(gov: Governance, ctx: QueryContext, entityId: string): Promise<EntityProfile> {
  const view = await gov.readEntity(ctx, entityId);
  if (!view.entity) return { ...view, links: [] };
  const referencing = await gov.readReferencing(ctx, 'read', [entityId]);
  const roles = new Map<string, string>();
  for (const s of referencing) if (s.entityId !== entityId && !roles.has(s.entityId)) roles.set(s.entityId, s.prop);
  const linkIds = [...roles.keys()].slice(0, MAX_LINKS);
  if (linkIds.length === 0) return { ...view, links: [] };
  const linkEntities = await gov.readEntities(ctx, linkIds);
  const otherIds = new Set<string>();
  for (const l of linkEntities.values()) for (const id of referencedIds(l)) if (id !== entityId) otherIds.add(id);
  const others = otherIds.size ? await gov.readEntities(ctx, [...otherIds]) : new Map<string, Entity>();
  const links: ProfileLink[] = [];
  for (const id of linkIds) {
    const l = linkEntities.get(id);
    if (!l) continue;
    const ends = referencedIds(l)
      .filter((o) => o !== entityId)
      .map((o) => others.get(o))
      .filter((o): o is Entity => o !== undefined)
      .map((o) => ({ id: o.id, schema: o.schema, caption: o.caption }));
    const start = l.properties.startDate?.[0]?.value ?? l.properties.date?.[0]?.value;
    const end = l.properties.endDate?.[0]?.value;
    links.push({ linkId: id, schema: l.schema, role: roles.get(id)!, others: ends, ...(start ? { startDate: start } : {}), ...(end ? { endDate: end } : {}), agencies: l.agencies });
  }
  links.sort((a, b) => (b.startDate ?? '').localeCompare(a.startDate ?? '') || a.linkId.localeCompare(b.linkId));
  return { ...view, links };
}
