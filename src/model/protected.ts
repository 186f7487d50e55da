import { protectedProperties, type SchemaName } from './schemas.js';

declare const scoringBrand: unique symbol;

/**
 * The only view of a record that scoring code may receive (resolution, screening, triage, graph
 * ranking). It cannot hold protected characteristics (religion, ethnicity, nationality, migrant
 * status, political opinion, health, sexual life): LED 2016/680 Art. 10 and 11(3) forbid profiling
 * on them, and the AI Act Art. 5(1)(d) bans predicting crime from a person's traits. Scoring
 * functions take `ScoringView`, so passing raw properties is a type error.
 */
export type ScoringView = Readonly<Record<string, readonly string[]>> & { readonly [scoringBrand]: true };

/** Strips protected characteristics from a property map, producing the only input scoring accepts. */
export function scoringView(schema: SchemaName, properties: Readonly<Record<string, readonly string[]>>): ScoringView {
  const banned = new Set(protectedProperties(schema));
  const out: Record<string, readonly string[]> = {};
  for (const [prop, vals] of Object.entries(properties)) if (!banned.has(prop)) out[prop] = vals;
  return Object.freeze(out) as ScoringView;
}

/** True when the property is a protected characteristic of the schema. */
export function isProtected(schema: SchemaName, prop: string): boolean {
  return protectedProperties(schema).includes(prop);
}
