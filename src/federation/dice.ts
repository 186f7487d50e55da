import { readFileSync } from 'node:fs';
import { invalid } from '../model/index.js';

/** Filters are 1024 bits (128 bytes), the length used in the CLK literature and by anonlink. */
export const FILTER_BITS = 1024;
export const FILTER_BYTES = FILTER_BITS / 8;
const FILTER_WORDS = FILTER_BYTES / 4;

/** A packed, immutable-by-convention array of 1024-bit filters: filter i is bytes [128i, 128i+128). */
export class FilterSet {
  readonly bytes: Uint8Array;
  readonly count: number;

  constructor(bytes: Uint8Array) {
    if (bytes.byteLength % FILTER_BYTES !== 0) throw invalid(`filter bytes must be a multiple of ${FILTER_BYTES}`, undefined, 'filters');
    this.bytes = bytes;
    this.count = bytes.byteLength / FILTER_BYTES;
  }

  /** Filter i (a view, not a copy). */
  get(i: number): Uint8Array {
    if (!Number.isInteger(i) || i < 0 || i >= this.count) throw invalid(`filter index ${i} out of range 0–${this.count - 1}`, undefined, 'index');
    return this.bytes.subarray(i * FILTER_BYTES, (i + 1) * FILTER_BYTES);
  }

  /** Filters as base64 strings, as carried in pointer messages. */
  toBase64(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.count; i++) out.push(Buffer.from(this.get(i)).toString('base64'));
    return out;
  }

  /** Packs base64 filters (e.g. from a `pointer.publish`), refusing any that is not exactly 128 bytes. */
  static fromBase64(filters: readonly string[]): FilterSet {
    const bytes = new Uint8Array(filters.length * FILTER_BYTES);
    filters.forEach((f, i) => {
      const b = Buffer.from(f, 'base64');
      if (b.length !== FILTER_BYTES) throw invalid(`filter is ${b.length} bytes, not ${FILTER_BYTES}`, String(i), 'filter');
      bytes.set(b, i * FILTER_BYTES);
    });
    return new FilterSet(bytes);
  }

  /** Packs separate 128-byte filters. */
  static of(filters: readonly Uint8Array[]): FilterSet {
    const bytes = new Uint8Array(filters.length * FILTER_BYTES);
    filters.forEach((f, i) => {
      if (f.byteLength !== FILTER_BYTES) throw invalid(`filter is ${f.byteLength} bytes, not ${FILTER_BYTES}`, String(i), 'filter');
      bytes.set(f, i * FILTER_BYTES);
    });
    return new FilterSet(bytes);
  }
}

/** Candidates at or above a Dice threshold: parallel arrays of filter index and score. */
export interface DiceMatches {
  readonly indices: Uint32Array;
  readonly scores: Float32Array;
}

/** Dice comparison of one query filter against an indexed filter set. */
export interface DiceIndex {
  readonly engine: 'wasm-simd' | 'js';
  readonly size: number;
  /** Dice of the query against every filter, as f32 (2|a∧b| / (|a|+|b|); 0 when both are empty). */
  scores(query: Uint8Array, out?: Float32Array): Float32Array;
  /** The filters scoring at least `threshold`, in index order. */
  above(query: Uint8Array, threshold: number): DiceMatches;
}

/** Bit count of a 32-bit word (SWAR, Hacker's Delight 5-1). */
function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

function words(bytes: Uint8Array): Uint32Array {
  // Uint32Array needs 4-byte alignment; copy when a view is misaligned.
  if (bytes.byteOffset % 4 === 0) return new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  return new Uint32Array(bytes.slice().buffer);
}

function checkQuery(query: Uint8Array): void {
  if (query.byteLength !== FILTER_BYTES) throw invalid(`query filter is ${query.byteLength} bytes, not ${FILTER_BYTES}`, undefined, 'query');
}

/** Popcount of one 1024-bit filter, in JavaScript. */
export function popcountFilter(filter: Uint8Array): number {
  checkQuery(filter);
  const w = words(filter);
  let c = 0;
  for (let i = 0; i < FILTER_WORDS; i++) c += popcount32(w[i]!);
  return c;
}

/** Dice coefficient of two 1024-bit filters, computed in JavaScript (reference and fallback). */
export function diceCoefficient(a: Uint8Array, b: Uint8Array): number {
  checkQuery(a);
  checkQuery(b);
  const wa = words(a);
  const wb = words(b);
  let inter = 0;
  let total = 0;
  for (let i = 0; i < FILTER_WORDS; i++) {
    const x = wa[i]!;
    const y = wb[i]!;
    inter += popcount32(x & y);
    total += popcount32(x) + popcount32(y);
  }
  return total === 0 ? 0 : Math.fround((2 * inter) / total);
}

/**
 * The plain-JavaScript kernel: Uint32 words and SWAR popcount. Scores are rounded to f32 like the
 * WebAssembly kernel; f64 division then rounding to f32 equals a direct f32 division here (double
 * rounding is innocuous for division when 53 >= 2·24 + 2, Figueroa 1995), so the two agree exactly.
 */
class JsDiceIndex implements DiceIndex {
  readonly engine = 'js' as const;
  readonly size: number;
  readonly #w: Uint32Array;
  readonly #counts: Uint32Array;

  constructor(set: FilterSet) {
    this.size = set.count;
    this.#w = words(set.bytes);
    this.#counts = new Uint32Array(set.count);
    for (let i = 0; i < set.count; i++) {
      let c = 0;
      for (let k = i * FILTER_WORDS, end = k + FILTER_WORDS; k < end; k++) c += popcount32(this.#w[k]!);
      this.#counts[i] = c;
    }
  }

  #scratch: Float32Array | undefined;

  /** Writes all scores into `out`; a plain loop (no per-candidate callback) so V8 keeps it tight. */
  #scoresInto(query: Uint8Array, out: Float32Array): void {
    checkQuery(query);
    const q = words(query);
    let qc = 0;
    for (let k = 0; k < FILTER_WORDS; k++) qc += popcount32(q[k]!);
    const w = this.#w;
    const counts = this.#counts;
    for (let i = 0, off = 0; i < this.size; i++, off += FILTER_WORDS) {
      let inter = 0;
      for (let k = 0; k < FILTER_WORDS; k++) inter += popcount32(q[k]! & w[off + k]!);
      const total = qc + counts[i]!;
      out[i] = total === 0 ? 0 : (2 * inter) / total; // the Float32Array store rounds to f32
    }
  }

  scores(query: Uint8Array, out: Float32Array = new Float32Array(this.size)): Float32Array {
    this.#scoresInto(query, out);
    return out;
  }

  above(query: Uint8Array, threshold: number): DiceMatches {
    const s = (this.#scratch ??= new Float32Array(this.size));
    this.#scoresInto(query, s);
    const t = Math.fround(threshold);
    const idx: number[] = [];
    const sc: number[] = [];
    for (let i = 0; i < s.length; i++) {
      if (s[i]! >= t) {
        idx.push(i);
        sc.push(s[i]!);
      }
    }
    return { indices: Uint32Array.from(idx), scores: Float32Array.from(sc) };
  }
}

/*
 * The project compiles against lib ES2023 without DOM, whose typings lack the WebAssembly JS API;
 * these are the few members used here (the runtime object is Node's own WebAssembly global).
 */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
type WasmModule = object;
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { readonly exports: Record<string, unknown> };
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface DiceExports {
  readonly memory: WasmMemory;
  popcountMany(base: number, n: number, out: number): void;
  diceMany(q: number, qCount: number, base: number, counts: number, n: number, out: number): void;
  diceAbove(q: number, qCount: number, base: number, counts: number, n: number, threshold: number, outIdx: number, outScore: number): number;
}

/** Where the committed kernel lives (built from wasm/dice.ts by `npm run build:wasm`). */
export const DICE_WASM_URL = new URL('./wasm/build/dice.wasm', import.meta.url);

let compiled: WasmModule | null | undefined;
let loadError: string | undefined;

/** The compiled kernel, or null when this runtime cannot load it (no file, no SIMD support). */
function diceModule(): WasmModule | null {
  if (compiled === undefined) {
    try {
      compiled = new wasmApi.Module(readFileSync(DICE_WASM_URL));
    } catch (e) {
      loadError = (e as Error).message;
      compiled = null;
    }
  }
  return compiled;
}

/** Whether the WebAssembly SIMD kernel is usable here, and why not if it is not. */
export function wasmDiceAvailable(): { available: boolean; reason?: string } {
  return diceModule() ? { available: true } : { available: false, reason: loadError ?? 'unknown' };
}

const PAGE = 65536;
const QUERY_AT = 1024; // below: left to the module (it has no static data, but keep clear of address 0)
const BASE_AT = 2048;

/**
 * The WebAssembly SIMD kernel (wasm/dice.ts). Each index owns one instance and its linear memory:
 * [query | filters | popcounts | out indices | out scores], all 16-byte aligned.
 */
class WasmDiceIndex implements DiceIndex {
  readonly engine = 'wasm-simd' as const;
  readonly size: number;
  readonly #x: DiceExports;
  readonly #counts: number;
  readonly #outIdx: number;
  readonly #outScore: number;

  constructor(module: WasmModule, set: FilterSet) {
    this.size = set.count;
    this.#x = new wasmApi.Instance(module, {}).exports as unknown as DiceExports;
    const n = set.count;
    this.#counts = BASE_AT + n * FILTER_BYTES;
    this.#outIdx = this.#counts + n * 4;
    this.#outScore = this.#outIdx + n * 4;
    const end = this.#outScore + n * 4;
    const have = this.#x.memory.buffer.byteLength;
    if (end > have) this.#x.memory.grow(Math.ceil((end - have) / PAGE));
    new Uint8Array(this.#x.memory.buffer).set(set.bytes, BASE_AT);
    this.#x.popcountMany(BASE_AT, n, this.#counts);
  }

  #loadQuery(query: Uint8Array): number {
    checkQuery(query);
    new Uint8Array(this.#x.memory.buffer).set(query, QUERY_AT);
    this.#x.popcountMany(QUERY_AT, 1, QUERY_AT + FILTER_BYTES);
    return new Uint32Array(this.#x.memory.buffer, QUERY_AT + FILTER_BYTES, 1)[0]!;
  }

  scores(query: Uint8Array, out: Float32Array = new Float32Array(this.size)): Float32Array {
    const qc = this.#loadQuery(query);
    this.#x.diceMany(QUERY_AT, qc, BASE_AT, this.#counts, this.size, this.#outScore);
    out.set(new Float32Array(this.#x.memory.buffer, this.#outScore, this.size));
    return out;
  }

  above(query: Uint8Array, threshold: number): DiceMatches {
    const qc = this.#loadQuery(query);
    const kept = this.#x.diceAbove(QUERY_AT, qc, BASE_AT, this.#counts, this.size, threshold, this.#outIdx, this.#outScore);
    return {
      indices: new Uint32Array(this.#x.memory.buffer, this.#outIdx, kept).slice(),
      scores: new Float32Array(this.#x.memory.buffer, this.#outScore, kept).slice(),
    };
  }
}

/**
 * Indexes a filter set for Dice comparison. `auto` (default) uses the WebAssembly SIMD kernel when
 * the runtime can load it and the JavaScript kernel otherwise; `wasm` insists on WebAssembly.
 */
export function createDiceIndex(set: FilterSet, engine: 'auto' | 'wasm' | 'js' = 'auto'): DiceIndex {
  if (engine === 'js') return new JsDiceIndex(set);
  const module = diceModule();
  if (module) return new WasmDiceIndex(module, set);
  if (engine === 'wasm') throw invalid(`the WebAssembly Dice kernel is not available: ${loadError ?? 'unknown'}`, undefined, 'engine');
  return new JsDiceIndex(set);
}
