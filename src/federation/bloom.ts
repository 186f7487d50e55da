import { createHmac, hkdfSync } from 'node:crypto';
import { TesseraError, invalid } from '../model/index.js';
import { FilterSet, FILTER_BITS, FILTER_BYTES } from './dice.js';
import type { BloomEncodingSpec } from './messages.js';
import { birthDateParts, nameBigrams, normaliseName } from './normalise.js';

/**
 * Hardened Bloom-filter encodings of people for privacy-preserving record linkage.
 *
 * Cryptographic long-term keys (CLK, Schnell, Bachteler & Reiher 2009/2011): the padded bigrams of
 * every name part and the date-of-birth tokens of one record go into one 1024-bit filter; two
 * encodings are compared by the Dice coefficient, so misspelt or transliterated names still meet.
 * Hardening against the known attacks on CLKs (Christen, Ranbaduge, Vidanage & Schnell 2018;
 * Vidanage et al. 2020, pattern-mining and frequency attacks):
 *  - keyed hashing: token positions come from HMAC-SHA256 under a secret shared by the partners
 *    (sub-keys via HKDF), so an outsider cannot run a dictionary attack;
 *  - random hashing (Niedermeyer, Steinmetzer, Kroll & Schnell 2014): each token's k positions are
 *    independent HMAC output, not the double-hashing pattern g1 + i·g2 that their attack exploits;
 *  - balancing (Schnell, Borgs & Encarnação 2016): a 512-bit filter is concatenated with its
 *    complement and the 1024 bits permuted under the key, so every encoding has exactly 512 ones and
 *    the Hamming weight — the handle of frequency attacks — says nothing about the record;
 *  - optional salting (Niedermeyer et al. 2014; Ranbaduge & Christen 2018): name tokens are keyed
 *    with the year of birth, so the same name in different records sets different bits and bit
 *    patterns cannot be mined across the population. It costs recall when the year itself is wrong.
 */

export interface BloomEncoderOptions {
  /** The linkage secret shared by the partners (at least 16 bytes). Never sent. */
  readonly secret: Uint8Array | string;
  /** Public name of the secret, carried in pointer messages so a partner picks the right key. */
  readonly keyId: string;
  /** Balanced filters (default true). */
  readonly balanced?: boolean;
  /** Salting of name tokens (default `none`). */
  readonly salt?: 'none' | 'birth-year';
  /** Bit positions per name bigram (default 8; chosen on FEBRL 1, see docs/federation.md). */
  readonly nameHashes?: number;
  /** Bit positions per date-of-birth token (default 24: a date agreeing is strong evidence). */
  readonly dobHashes?: number;
}

/** One person as the linkage sees them: the names they go by and a (partial) date of birth. */
export interface LinkagePerson {
  /** Full name or name parts (given, middle, family, aliases); order does not matter. */
  readonly names: readonly string[] | string;
  readonly birthDate?: string | undefined;
}

const MAX_HASHES = 64;

export class BloomEncoder {
  readonly spec: BloomEncodingSpec;
  readonly #positionKey: Buffer;
  readonly #baseBits: number;
  /** Token → bit positions. Bigrams and date tokens repeat across records, so this is what makes encoding fast. */
  readonly #cache = new Map<string, Uint16Array>();
  readonly #permutation: Uint16Array | undefined;
  /** Scratch for the 512-bit base filter of balanced encodings (reused: encoding is synchronous). */
  readonly #base = new Uint8Array(FILTER_BYTES / 2);

  constructor(options: BloomEncoderOptions) {
    const secret = typeof options.secret === 'string' ? Buffer.from(options.secret, 'utf8') : Buffer.from(options.secret);
    if (secret.length < 16) throw new TesseraError('CONFIG', 'the linkage secret must be at least 16 bytes', { field: 'secret' });
    const nameHashes = options.nameHashes ?? 8;
    const dobHashes = options.dobHashes ?? 24;
    for (const [field, k] of [['nameHashes', nameHashes], ['dobHashes', dobHashes]] as const) {
      if (!Number.isInteger(k) || k < (field === 'nameHashes' ? 1 : 0) || k > MAX_HASHES) throw invalid(`must be an integer 0–${MAX_HASHES}`, undefined, field);
    }
    this.spec = Object.freeze({ scheme: 'clk-hmac-sha256-v1', bits: 1024, keyId: options.keyId, balanced: options.balanced ?? true, salt: options.salt ?? 'none', nameHashes, dobHashes });
    // Separate sub-keys for positions and the balancing permutation (HKDF, RFC 5869).
    this.#positionKey = Buffer.from(hkdfSync('sha256', secret, 'tessera/pprl', 'clk positions', 32));
    this.#baseBits = this.spec.balanced ? FILTER_BITS / 2 : FILTER_BITS;
    this.#permutation = this.spec.balanced ? keyedPermutation(Buffer.from(hkdfSync('sha256', secret, 'tessera/pprl', 'balancing permutation', 32)), FILTER_BITS) : undefined;
  }

  /** Bit positions of one token, in [0, baseBits): HMAC-SHA256 output read as 16-bit words. */
  #positions(token: string, k: number): Uint16Array {
    const cached = this.#cache.get(token);
    if (cached) return cached;
    const out = new Uint16Array(k);
    // 65536 is a multiple of 512 and 1024, so `word % bits` is unbiased.
    for (let block = 0; block * 16 < k; block++) {
      const mac = createHmac('sha256', this.#positionKey).update(block === 0 ? token : `${token}\u0000${block}`).digest();
      for (let j = 0; j < 16 && block * 16 + j < k; j++) out[block * 16 + j] = mac.readUInt16LE(j * 2) % this.#baseBits;
    }
    if (this.#cache.size < 1_000_000) this.#cache.set(token, out);
    return out;
  }

  /** Encodes one person into a 128-byte (1024-bit) filter. */
  encode(person: LinkagePerson): Uint8Array {
    const out = new Uint8Array(FILTER_BYTES);
    this.encodeInto(person, out, 0);
    return out;
  }

  /** Encodes one person into `target` at byte `offset` (which must be zero-filled). */
  encodeInto(person: LinkagePerson, target: Uint8Array, offset: number): void {
    const base = this.#permutation ? this.#base.fill(0) : target.subarray(offset, offset + FILTER_BYTES);
    const set = (pos: number): void => {
      base[pos >> 3]! |= 1 << (pos & 7);
    };
    const dob = birthDateParts(person.birthDate);
    const salt = this.spec.salt === 'birth-year' && dob.year ? `|${dob.year}` : '';
    const names = typeof person.names === 'string' ? [person.names] : person.names;
    for (const gram of new Set(nameBigrams(normaliseName(names.join(' '))))) {
      for (const p of this.#positions(`n:${gram}${salt}`, this.spec.nameHashes)) set(p);
    }
    if (this.spec.dobHashes > 0) {
      const tokens = [dob.year && `y:${dob.year}`, dob.month && `m:${dob.month}`, dob.day && `d:${dob.day}`].filter((t): t is string => !!t);
      for (const t of tokens) for (const p of this.#positions(t, this.spec.dobHashes)) set(p);
    }
    if (this.#permutation) {
      // Balanced filter: base bits then their complements, scattered by the keyed permutation.
      const half = FILTER_BITS / 2;
      const perm = this.#permutation;
      for (let i = 0; i < half; i++) {
        const bit = (base[i >> 3]! >> (i & 7)) & 1;
        const dest = bit ? perm[i]! : perm[i + half]!;
        target[offset + (dest >> 3)]! |= 1 << (dest & 7);
      }
    }
  }

  /** Encodes many people into one packed filter set (index i is people[i]). */
  encodeMany(people: readonly LinkagePerson[]): FilterSet {
    const bytes = new Uint8Array(people.length * FILTER_BYTES);
    people.forEach((p, i) => this.encodeInto(p, bytes, i * FILTER_BYTES));
    return new FilterSet(bytes);
  }
}

/** A permutation of 0..n-1 drawn by Fisher–Yates from an HMAC-SHA256 counter stream (rejection sampling, no modulo bias). */
function keyedPermutation(key: Buffer, n: number): Uint16Array {
  const perm = new Uint16Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  let counter = 0;
  let pool = Buffer.alloc(0);
  let at = 0;
  const next32 = (): number => {
    if (at + 4 > pool.length) {
      pool = createHmac('sha256', key).update(`perm:${counter++}`).digest();
      at = 0;
    }
    const v = pool.readUInt32LE(at);
    at += 4;
    return v;
  };
  for (let i = n - 1; i > 0; i--) {
    const range = i + 1;
    const limit = Math.floor(0x1_0000_0000 / range) * range;
    let r = next32();
    while (r >= limit) r = next32();
    const j = r % range;
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  return perm;
}
