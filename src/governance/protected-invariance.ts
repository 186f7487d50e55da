import { createHash } from 'node:crypto';
import { protectedProperties, validateStatement, type SchemaName, type Statement } from '../model/index.js';

/**
 * A harness proving that no score uses protected characteristics (LED 2016/680 Art. 10 and 11(3);
 * AI Act Art. 5(1)(d)). Each scoring area (resolution, screening, triage, graph ranking) registers a
 * `ScoreProbe` that scores a set of statements; the harness re-scores after changing only protected
 * properties — removed, or replaced by values assigned at random per entity — and reports every score
 * that moved. Areas plug in by adding a probe; the test fails for any difference.
 */
export interface ScoreProbe {
  /** The area and score, e.g. `resolution: match probability`. */
  readonly name: string;
  /** Scores keyed by what they rank (an entity, a pair, a hit). */
  score(statements: readonly Statement[]): Promise<ReadonlyMap<string, number>> | ReadonlyMap<string, number>;
}

/** Values used to perturb protected characteristics (invented, deliberately varied). */
const VALUES: Readonly<Record<string, readonly string[]>> = {
  nationality: ['FR', 'MA', 'SY', 'TR', 'BE', 'DZ', 'IQ', 'DE'],
  religion: ['muslim', 'christian', 'jewish', 'none', 'buddhist'],
  ethnicity: ['arab', 'north-african', 'european', 'kurdish', 'chechen'],
  migrantStatus: ['refugee', 'asylum-seeker', 'citizen', 'resident'],
  politicalOpinion: ['salafist', 'far-left', 'conservative', 'nationalist'],
  health: ['diabetic', 'none', 'psychiatric care'],
  sexualLife: ['undisclosed', 'homosexual', 'heterosexual'],
};

function pick(seed: string, list: readonly string[]): string {
  const h = createHash('sha256').update(seed).digest();
  return list[h.readUInt32BE(0) % list.length]!;
}

/**
 * The statements with only protected properties changed. Variant 0 removes them all; variant k ≥ 1
 * gives every entity of a schema with protected properties a fresh, independently drawn value for
 * each of them (so pairs that agreed now disagree and vice versa).
 */
export function perturbProtected(statements: readonly Statement[], variant: number): Statement[] {
  const kept = statements.filter((s) => !protectedProperties(s.schema).includes(s.prop));
  if (variant === 0) return kept;
  const added: Statement[] = [];
  const seen = new Set<string>();
  for (const s of statements) {
    if (seen.has(s.entityId)) continue;
    seen.add(s.entityId);
    for (const prop of protectedProperties(s.schema as SchemaName)) {
      const values = VALUES[prop] ?? ['value-a', 'value-b'];
      added.push(validateStatement({ ...s, id: undefined, prop, value: pick(`${variant}|${s.entityId}|${prop}`, values), original: undefined, nature: 'fact' }));
    }
  }
  return [...kept, ...added];
}

export interface InvarianceResult {
  readonly probe: string;
  readonly scores: number;
  readonly variants: number;
  /** Scores that changed (or appeared/disappeared) when only protected properties changed. */
  readonly differences: readonly { variant: number; key: string; base: number | undefined; perturbed: number | undefined }[];
}

/** Scores the statements and `variants` protected-only perturbations with every probe; lists differences. */
export async function checkProtectedInvariance(probes: readonly ScoreProbe[], statements: readonly Statement[], variants = 3, tolerance = 0): Promise<InvarianceResult[]> {
  const out: InvarianceResult[] = [];
  for (const probe of probes) {
    const base = await probe.score(statements);
    const differences: InvarianceResult['differences'][number][] = [];
    for (let v = 0; v <= variants; v++) {
      const scored = await probe.score(perturbProtected(statements, v));
      for (const key of new Set([...base.keys(), ...scored.keys()])) {
        const a = base.get(key);
        const b = scored.get(key);
        if (a === undefined || b === undefined || Math.abs(a - b) > tolerance) differences.push({ variant: v, key, base: a, perturbed: b });
      }
    }
    out.push({ probe: probe.name, scores: base.size, variants: variants + 1, differences });
  }
  return out;
}
