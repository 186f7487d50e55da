import { agreedValue, fieldLevel, type PreparedRecords } from './fields.js';
import { tfAdjustment, weightTable, type FsModel } from './model.js';

/**
 * Comparison levels of candidate pairs: `pairs` holds record indices (i0, j0, i1, j1, …); the result
 * holds one level per field per pair, row-major. This is the hot loop run in every worker.
 */
export function compareLevels(prepared: PreparedRecords, pairs: Int32Array): Uint8Array {
  const F = prepared.fields.length;
  const n = pairs.length >> 1;
  const out = new Uint8Array(n * F);
  for (let p = 0; p < n; p++) {
    const i = pairs[2 * p] ?? 0;
    const j = pairs[2 * p + 1] ?? 0;
    for (let k = 0; k < F; k++) {
      const f = prepared.fields[k];
      if (f) out[p * F + k] = fieldLevel(f, i, j);
    }
  }
  return out;
}

/** Term-frequency adjustment per value id of each field (0 where the field has no adjustment). */
function tfByValueId(model: FsModel, prepared: PreparedRecords): (Float64Array | undefined)[] {
  return prepared.fields.map((f, k) => {
    const fm = model.fields[k];
    if (!fm?.tf) return undefined;
    return Float64Array.from(f.dict, (v) => tfAdjustment(fm, v));
  });
}

/** Total match weights (bits) of pairs from their levels, with term-frequency adjustment on exact agreement. */
export function weightsFromLevels(model: FsModel, prepared: PreparedRecords, pairs: Int32Array, levels: Uint8Array): Float64Array {
  const F = prepared.fields.length;
  const table = weightTable(model);
  const tf = tfByValueId(model, prepared);
  const n = pairs.length >> 1;
  const out = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    let w = 0;
    for (let k = 0; k < F; k++) {
      const l = levels[p * F + k] ?? 0;
      w += table[k]?.[l] ?? 0;
      const adj = tf[k];
      if (l === 1 && adj) {
        const f = prepared.fields[k];
        const i = pairs[2 * p] ?? 0;
        const j = pairs[2 * p + 1] ?? 0;
        if (!f) continue;
        const a = f.ids[i] ?? -1;
        if (a >= 0 && a === f.ids[j] && f.multi[i] === undefined && f.multi[j] === undefined) w += adj[a] ?? 0;
        else {
          const fm = model.fields[k];
          if (fm) w += tfAdjustment(fm, agreedValue(f, i, j) ?? '');
        }
      }
    }
    out[p] = w;
  }
  return out;
}
