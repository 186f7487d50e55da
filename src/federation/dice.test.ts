import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DICE_WASM_URL, FILTER_BITS, FILTER_BYTES, FilterSet, createDiceIndex, diceCoefficient, popcountFilter, wasmDiceAvailable } from './index.js';

const filterArb = fc.uint8Array({ minLength: FILTER_BYTES, maxLength: FILTER_BYTES });
/** Filters with a controlled density, so pairs span the whole range of Dice scores. */
const densityFilter = (r: () => number, p: number): Uint8Array => {
  const f = new Uint8Array(FILTER_BYTES);
  for (let i = 0; i < FILTER_BITS; i++) if (r() < p) f[i >> 3]! |= 1 << (i & 7);
  return f;
};

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('Dice kernels', () => {
  it('the WebAssembly SIMD kernel loads in this runtime', () => {
    expect(wasmDiceAvailable()).toEqual({ available: true });
  });

  it('WASM and JS give bit-identical scores (property, random filters incl. empty and full)', () => {
    fc.assert(
      fc.property(fc.array(filterArb, { minLength: 1, maxLength: 40 }), filterArb, (filters, query) => {
        filters.push(new Uint8Array(FILTER_BYTES), new Uint8Array(FILTER_BYTES).fill(255));
        const set = FilterSet.of(filters);
        const wasm = createDiceIndex(set, 'wasm');
        const js = createDiceIndex(set, 'js');
        expect(wasm.engine).toBe('wasm-simd');
        expect(js.engine).toBe('js');
        const ws = wasm.scores(query);
        expect(Array.from(ws)).toEqual(Array.from(js.scores(query)));
        filters.forEach((f, i) => expect(ws[i]).toBe(diceCoefficient(query, f)));
      }),
      { numRuns: 100 },
    );
  });

  it('agree on thresholded matches, including scores exactly at the threshold', () => {
    const r = seeded(7);
    const filters = Array.from({ length: 3000 }, (_, i) => densityFilter(r, 0.05 + (i % 10) * 0.05));
    const set = FilterSet.of(filters);
    const query = filters[17]!;
    const wasm = createDiceIndex(set, 'wasm');
    const js = createDiceIndex(set, 'js');
    const all = wasm.scores(query);
    for (const t of [0, 0.3, 0.5, all[123]!, 0.8, 1]) {
      const a = wasm.above(query, t);
      const b = js.above(query, t);
      expect(Array.from(a.indices)).toEqual(Array.from(b.indices));
      expect(Array.from(a.scores)).toEqual(Array.from(b.scores));
      expect(a.indices.length).toBe(Array.from(all).filter((s) => s >= Math.fround(t)).length);
    }
    expect(Array.from(wasm.above(query, 1).indices)).toContain(17);
  });

  it('compute Dice as 2|a∧b| / (|a|+|b|)', () => {
    const a = new Uint8Array(FILTER_BYTES);
    const b = new Uint8Array(FILTER_BYTES);
    a.fill(0xff, 0, 4); // 32 bits
    b.fill(0xff, 2, 8); // 48 bits, 16 shared
    expect(popcountFilter(a)).toBe(32);
    expect(diceCoefficient(a, b)).toBe(Math.fround((2 * 16) / 80));
    expect(diceCoefficient(new Uint8Array(FILTER_BYTES), new Uint8Array(FILTER_BYTES))).toBe(0);
  });

  it('refuse filters of the wrong size', () => {
    expect(() => new FilterSet(new Uint8Array(100))).toThrow(/multiple of 128/);
    expect(() => createDiceIndex(FilterSet.of([new Uint8Array(FILTER_BYTES)])).scores(new Uint8Array(64))).toThrow(/64 bytes/);
    expect(() => FilterSet.fromBase64(['AAAA'])).toThrow(/not 128/);
  });

  it('round-trips filters through base64 as carried in pointer messages', () => {
    const r = seeded(3);
    const set = FilterSet.of([densityFilter(r, 0.3), densityFilter(r, 0.5)]);
    const back = FilterSet.fromBase64(set.toBase64());
    expect(Buffer.from(back.bytes).equals(Buffer.from(set.bytes))).toBe(true);
    expect(set.toBase64()[0]).toHaveLength(172);
  });
});

describe('the committed WebAssembly binary', () => {
  it('is reproduced byte for byte by the npm-installed AssemblyScript toolchain from wasm/dice.ts', async () => {
    const asc = await import('assemblyscript/asc');
    const out = mkdtempSync(join(tmpdir(), 'tessera-wasm-'));
    try {
      const outFile = join(out, 'dice.wasm');
      const { error, stderr } = await asc.main(
        [fileURLToPath(new URL('./wasm/dice.ts', import.meta.url)), '--config', fileURLToPath(new URL('./wasm/asconfig.json', import.meta.url)), '--target', 'release', '--outFile', outFile],
        { stdout: { write: () => true }, stderr: { write: () => true } } as never,
      );
      expect(error, String(stderr)).toBeNull();
      expect(Buffer.compare(readFileSync(outFile), readFileSync(DICE_WASM_URL))).toBe(0);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
