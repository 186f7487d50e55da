import { invalid, scoringView } from '../model/index.js';
import { parseBirthDate } from './dates.js';
import { dedupeSelectors, featuresOf, normaliseSelector } from './features.js';
import type { Selector } from './model.js';
import { describe, type ScreeningSubject } from './service.js';

/**
 * TravelEvent-like records as batch screening reads them (JSON Lines): the TravelEvent properties of
 * the model (travellerName, travellerBirthDate, documentNumber, mode, origin, destination, departure,
 * carrier, serviceNumber, bookingRef, seat) plus the contact selectors a PNR carries (phone, email)
 * and an optional `id`. Common aliases are accepted (name, birthDate/dob, passport/document).
 */
const ALIASES: Readonly<Record<string, string>> = {
  name: 'travellerName',
  traveller_name: 'travellerName',
  birthDate: 'travellerBirthDate',
  dob: 'travellerBirthDate',
  dateOfBirth: 'travellerBirthDate',
  passport: 'documentNumber',
  passportNumber: 'documentNumber',
  document: 'documentNumber',
  from: 'origin',
  to: 'destination',
};
const TRAVEL_PROPS = new Set(['travellerName', 'travellerBirthDate', 'documentNumber', 'mode', 'origin', 'destination', 'departure', 'arrival', 'carrier', 'serviceNumber', 'bookingRef', 'seat', 'traveller']);
const EXTRA_SELECTORS: Readonly<Record<string, Selector['kind']>> = { phone: 'phone', email: 'email', plate: 'plate', vehicle: 'plate', imei: 'imei' };

/**
 * Turns one parsed JSON value into a screening subject. Throws VALIDATION naming the record and field
 * for garbage (not an object, no name and no selector, an unreadable date of birth).
 */
export function travelSubject(value: unknown, record: string, by: string): ScreeningSubject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('expected a JSON object (one travel record per line)', record, undefined);
  const props: Record<string, string[]> = {};
  const extra: Selector[] = [];
  let id: string | undefined;
  for (const [rawKey, rawVal] of Object.entries(value as Record<string, unknown>)) {
    if (rawVal === null || rawVal === undefined || rawVal === '') continue;
    if (typeof rawVal !== 'string' && typeof rawVal !== 'number') throw invalid(`expected a string, got ${Array.isArray(rawVal) ? 'an array' : typeof rawVal}`, record, rawKey);
    const v = String(rawVal).trim();
    if (rawKey === 'id') {
      id = v;
      continue;
    }
    const kind = EXTRA_SELECTORS[rawKey];
    if (kind) {
      const n = normaliseSelector(kind, v);
      if (!n) throw invalid(`not a usable ${kind}: "${v}"`, record, rawKey);
      extra.push({ kind, value: n });
      continue;
    }
    const key = ALIASES[rawKey] ?? rawKey;
    if (!TRAVEL_PROPS.has(key)) continue; // other PNR fields are not screened
    if (key === 'travellerBirthDate' && !parseBirthDate(v)) throw invalid(`not a date of birth (YYYY-MM-DD, DD/MM/YYYY or DD.MM.YYYY): "${v}"`, record, rawKey);
    (props[key] ??= []).push(v);
  }
  const view = scoringView('TravelEvent', props);
  const base = featuresOf('TravelEvent', view);
  const features = { ...base, selectors: dedupeSelectors([...base.selectors, ...extra]) };
  if (features.names.length === 0 && features.selectors.length === 0) throw invalid('a travel record needs a traveller name or a selector (document, phone, e-mail)', record, 'travellerName');
  const where = [view.origin?.[0], view.destination?.[0]].filter(Boolean).join(' → ');
  const when = view.departure?.[0];
  return {
    features,
    encountered: { ref: id ?? record, schema: 'TravelEvent', what: describe('TravelEvent', features, view), ...(where ? { where } : {}), ...(when ? { when } : {}), by },
  };
}
