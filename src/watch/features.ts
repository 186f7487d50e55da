import { createHash } from 'node:crypto';
import { normaliseIdentifier, type SchemaName, type ScoringView } from '../model/index.js';
import { parseBirthDate, type BirthDate } from './dates.js';
import type { Selector, SelectorKind } from './model.js';

/** What screening compares: names, dates of birth and exact selectors. Built from a ScoringView only. */
export interface ScreeningFeatures {
  readonly names: readonly string[];
  readonly birthDates: readonly BirthDate[];
  /** Normalised selectors (see `normaliseSelector`). */
  readonly selectors: readonly Selector[];
}

// Which properties feed which feature. Protected characteristics are absent from a ScoringView, so
// nothing here can reach them (LED Art. 11(3)).
const NAME_PROPS: Partial<Record<SchemaName, readonly string[]>> = {
  Person: ['name', 'alias'],
  IdentityDocument: ['holderName'],
  TravelEvent: ['travellerName'],
};
const BIRTH_PROPS: Partial<Record<SchemaName, readonly string[]>> = {
  Person: ['birthDate'],
  TravelEvent: ['travellerBirthDate'],
};
const SELECTOR_PROPS: Partial<Record<SchemaName, Readonly<Record<string, SelectorKind>>>> = {
  Person: { passportNumber: 'document', idNumber: 'document', phone: 'phone', email: 'email' },
  Phone: { number: 'phone' },
  Handset: { imei: 'imei' },
  Email: { address: 'email' },
  IdentityDocument: { number: 'document', holder: 'entity' },
  Vehicle: { registrationNumber: 'plate', vin: 'vin' },
  Firearm: { serialNumber: 'firearm' },
  TravelEvent: { documentNumber: 'document', traveller: 'entity', vehicle: 'entity' },
  Encounter: { subject: 'entity' },
  Possession: { owner: 'entity', asset: 'entity' },
  PhoneUse: { person: 'entity', phone: 'entity' },
  HandsetUse: { phone: 'entity', handset: 'entity' },
};

/**
 * Canonical form of a selector value, so that spellings of one identifier meet in one hash key:
 * identifiers upper-cased without separators; phones as `+` and digits (`00` → `+`); IMEIs by their
 * first 14 digits (TAC + serial: the check digit and an IMEISV's version digits are often dropped or
 * wrong in seized data, 3GPP TS 23.003 §6.2); e-mails lower-cased. Undefined when nothing is left.
 */
export function normaliseSelector(kind: SelectorKind, value: string): string | undefined {
  let v: string;
  switch (kind) {
    case 'phone': {
      const compact = value.replace(/[^\d+]/g, '');
      v = compact.startsWith('00') ? `+${compact.slice(2)}` : compact;
      if (v.replace(/\D/g, '').length < 6) return undefined;
      break;
    }
    case 'imei': {
      const digits = value.replace(/\D/g, '');
      if (digits.length < 14) return undefined;
      v = digits.slice(0, 14);
      break;
    }
    case 'email':
      v = value.trim().toLowerCase();
      break;
    case 'entity':
      v = value.trim();
      break;
    default:
      v = normaliseIdentifier(value);
  }
  return v.length > 0 ? v : undefined;
}

/** Screening features of a record (entity or link) seen through its ScoringView. */
export function featuresOf(schema: SchemaName, view: ScoringView): ScreeningFeatures {
  const names: string[] = [];
  for (const p of NAME_PROPS[schema] ?? []) names.push(...(view[p] ?? []));
  if (schema === 'Person') {
    // Given and family names recorded apart make one full name too.
    const first = view.firstName ?? [];
    const last = view.lastName ?? [];
    for (const f of first) for (const l of last) names.push(`${f} ${l}`);
    if (first.length === 0 && names.length === 0) names.push(...last);
  }
  const birthDates: BirthDate[] = [];
  for (const p of BIRTH_PROPS[schema] ?? []) {
    for (const v of view[p] ?? []) {
      const d = parseBirthDate(v);
      if (d) birthDates.push(d);
    }
  }
  const selectors: Selector[] = [];
  for (const [prop, kind] of Object.entries(SELECTOR_PROPS[schema] ?? {})) {
    for (const v of view[prop] ?? []) {
      const n = normaliseSelector(kind, v);
      if (n) selectors.push({ kind, value: n });
    }
  }
  return { names: [...new Set(names)], birthDates, selectors: dedupeSelectors(selectors) };
}

/** Removes duplicate selectors (same kind and value). */
export function dedupeSelectors(list: readonly Selector[]): Selector[] {
  const seen = new Set<string>();
  return list.filter((s) => {
    const k = `${s.kind}:${s.value}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * A stable digest of what screening saw of a record: the same person travelling again with the same
 * name, date of birth and document gives the same digest, so a false-positive decision still holds;
 * any change of those data gives a new one.
 */
export function featureDigest(f: ScreeningFeatures): string {
  const canon = JSON.stringify([
    [...f.names].map((n) => n.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim()).sort(),
    f.birthDates.map((d) => `${d.year}-${d.month ?? ''}-${d.day ?? ''}`).sort(),
    f.selectors.map((s) => `${s.kind}:${s.value}`).sort(),
  ]);
  return createHash('sha256').update(canon).digest('hex').slice(0, 32);
}

/** Selector kinds a schema's properties can yield (which properties an alert subject entity offers). */
export function selectorPropsOf(schema: SchemaName): Readonly<Record<string, SelectorKind>> {
  return SELECTOR_PROPS[schema] ?? {};
}
