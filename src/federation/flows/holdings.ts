import type { Statement } from '../../model/index.js';
import type { LinkagePerson } from '../bloom.js';
import type { SelectorKind } from '../messages.js';
import { canonicalSelector } from '../selectors.js';
import type { FlowContext } from './context.js';

/**
 * What this node holds, as the pointer index and PSI see it: its own statements only (statements
 * partners released to us are theirs to index), without the subject categories never shared
 * (victims, witnesses, informants by default). These are system reads of the whole agency's
 * holdings — nothing of them leaves the node but encodings and blinded points — and each is
 * audited by the flow that makes it.
 */

/** Person properties read for names and dates of birth. */
const NAME_PROPS = ['name', 'alias', 'firstName', 'lastName', 'birthDate'];

/** One person's name variants (full name, aliases) with a date of birth. */
export interface HeldPerson {
  readonly entityId: string;
  readonly variants: readonly LinkagePerson[];
}

function shareable(ctx: FlowContext, s: Statement): boolean {
  return !ctx.withheldCategories.includes(s.subjectCategory);
}

/** Our Person entities as name variants with a date of birth, at most `maxNames` variants each. */
export async function heldPersons(ctx: FlowContext, maxNames: number): Promise<HeldPerson[]> {
  const byEntity = new Map<string, { names: string[]; first?: string; last?: string; dob?: string; excluded: boolean }>();
  for await (const batch of ctx.store.scanStatements({ schemas: ['Person'], props: NAME_PROPS, agencies: [ctx.self.agency] })) {
    for (const s of batch) {
      let e = byEntity.get(s.entityId);
      if (!e) byEntity.set(s.entityId, (e = { names: [], excluded: false }));
      if (!shareable(ctx, s)) {
        e.excluded = true;
        continue;
      }
      if (s.prop === 'name' || s.prop === 'alias') {
        if (!e.names.includes(s.value)) e.names.push(s.value);
      } else if (s.prop === 'firstName') e.first ??= s.value;
      else if (s.prop === 'lastName') e.last ??= s.value;
      else if (s.prop === 'birthDate') e.dob ??= s.value;
    }
  }
  const out: HeldPerson[] = [];
  for (const [entityId, e] of byEntity) {
    // A person any of whose statements is in a withheld category is left out entirely.
    if (e.excluded) continue;
    const names = [...e.names];
    if (names.length === 0 && (e.first || e.last)) names.push([e.first, e.last].filter(Boolean).join(' '));
    if (names.length === 0) continue;
    out.push({ entityId, variants: names.slice(0, maxNames).map((n) => ({ names: n, birthDate: e.dob })) });
  }
  return out;
}

/** Where each selector kind lives in our statements. */
const SELECTOR_SOURCES: Readonly<Record<SelectorKind, readonly { schema: string; prop: string }[]>> = {
  passport: [
    { schema: 'Person', prop: 'passportNumber' },
    { schema: 'IdentityDocument', prop: 'number' },
  ],
  idcard: [
    { schema: 'Person', prop: 'idNumber' },
    { schema: 'IdentityDocument', prop: 'number' },
  ],
  phone: [
    { schema: 'Phone', prop: 'number' },
    { schema: 'Person', prop: 'phone' },
    { schema: 'Organization', prop: 'phone' },
  ],
  imei: [{ schema: 'Handset', prop: 'imei' }],
  email: [
    { schema: 'Email', prop: 'address' },
    { schema: 'Person', prop: 'email' },
    { schema: 'Organization', prop: 'email' },
  ],
  plate: [{ schema: 'Vehicle', prop: 'registrationNumber' }],
};

/** Identity document types that count as each document kind (an untyped document counts as both). */
const DOCUMENT_TYPES: Partial<Record<SelectorKind, readonly string[]>> = { passport: ['passport'], idcard: ['idcard', 'residence-permit'] };

/** Our selectors of one kind: canonical form → the entities holding it. */
export async function heldSelectors(ctx: FlowContext, kind: SelectorKind): Promise<Map<string, string[]>> {
  const sources = SELECTOR_SOURCES[kind];
  const schemas = [...new Set(sources.map((s) => s.schema))];
  const props = [...new Set([...sources.map((s) => s.prop), ...(schemas.includes('IdentityDocument') ? ['type'] : [])])];
  const docs = new Map<string, { numbers: string[]; type?: string; excluded: boolean }>();
  const out = new Map<string, string[]>();
  const add = (value: string, entityId: string) => {
    const c = canonicalSelector(kind, value);
    if (c === undefined) return;
    const list = out.get(c);
    if (!list) out.set(c, [entityId]);
    else if (!list.includes(entityId)) list.push(entityId);
  };
  for await (const batch of ctx.store.scanStatements({ schemas, props, agencies: [ctx.self.agency] })) {
    for (const s of batch) {
      if (s.schema === 'IdentityDocument') {
        let d = docs.get(s.entityId);
        if (!d) docs.set(s.entityId, (d = { numbers: [], excluded: false }));
        if (!shareable(ctx, s)) d.excluded = true;
        else if (s.prop === 'type') d.type ??= s.value;
        else if (s.prop === 'number') d.numbers.push(s.value);
        continue;
      }
      if (!shareable(ctx, s)) continue;
      if (sources.some((src) => src.schema === s.schema && src.prop === s.prop)) add(s.value, s.entityId);
    }
  }
  const types = DOCUMENT_TYPES[kind];
  for (const [entityId, d] of docs) {
    if (d.excluded || !types) continue;
    if (d.type === undefined || types.includes(d.type)) for (const n of d.numbers) add(n, entityId);
  }
  return out;
}
