/* eslint-disable @typescript-eslint/ban-ts-comment */
// @ts-nocheck -- AssemblyScript source (i32, v128, load<T>): compiled by `npm run build:wasm`, not by tsc.
/**
 * Dice-coefficient kernel over 1024-bit Bloom filters, WebAssembly SIMD.
 *
 * Each filter is 128 bytes (eight v128 lanes), 16-byte aligned. The popcount of a & b is taken with
 * i8x16.popcnt, accumulated per byte lane (at most 8 x 8 = 64 per lane, so no u8 overflow), then
 * folded with two pairwise widening adds: the same shape as anonlink's AVX2 kernel (Hall et al.,
 * "anonlink", CSIRO Data61), at 128-bit width. Dice = 2|a AND b| / (|a| + |b|) (Schnell et al. 2009).
 * The caller owns the memory layout; this module allocates nothing.
 */

const FILTER_BYTES: usize = 128;

/** Population count of one 1024-bit filter. */
export function popcount1024(p: usize): u32 {
  let acc = i8x16.popcnt(v128.load(p, 0));
  acc = i8x16.add(acc, i8x16.popcnt(v128.load(p, 16)));
  acc = i8x16.add(acc, i8x16.popcnt(v128.load(p, 32)));
  acc = i8x16.add(acc, i8x16.popcnt(v128.load(p, 48)));
  acc = i8x16.add(acc, i8x16.popcnt(v128.load(p, 64)));
  acc = i8x16.add(acc, i8x16.popcnt(v128.load(p, 80)));
  acc = i8x16.add(acc, i8x16.popcnt(v128.load(p, 96)));
  acc = i8x16.add(acc, i8x16.popcnt(v128.load(p, 112)));
  const s32 = i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(acc));
  return <u32>(i32x4.extract_lane(s32, 0) + i32x4.extract_lane(s32, 1) + i32x4.extract_lane(s32, 2) + i32x4.extract_lane(s32, 3));
}

/** Writes popcounts of `n` consecutive filters starting at `base` into u32s at `out`. */
export function popcountMany(base: usize, n: u32, out: usize): void {
  for (let i: u32 = 0; i < n; i++) {
    store<u32>(out + (<usize>i << 2), popcount1024(base + <usize>i * FILTER_BYTES));
  }
}

/** |q AND c| for filter q and candidate c, both held as pointers. */
function andCount(q0: v128, q1: v128, q2: v128, q3: v128, q4: v128, q5: v128, q6: v128, q7: v128, c: usize): i32 {
  let acc = i8x16.popcnt(v128.and(q0, v128.load(c, 0)));
  acc = i8x16.add(acc, i8x16.popcnt(v128.and(q1, v128.load(c, 16))));
  acc = i8x16.add(acc, i8x16.popcnt(v128.and(q2, v128.load(c, 32))));
  acc = i8x16.add(acc, i8x16.popcnt(v128.and(q3, v128.load(c, 48))));
  acc = i8x16.add(acc, i8x16.popcnt(v128.and(q4, v128.load(c, 64))));
  acc = i8x16.add(acc, i8x16.popcnt(v128.and(q5, v128.load(c, 80))));
  acc = i8x16.add(acc, i8x16.popcnt(v128.and(q6, v128.load(c, 96))));
  acc = i8x16.add(acc, i8x16.popcnt(v128.and(q7, v128.load(c, 112))));
  const s32 = i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(acc));
  return i32x4.extract_lane(s32, 0) + i32x4.extract_lane(s32, 1) + i32x4.extract_lane(s32, 2) + i32x4.extract_lane(s32, 3);
}

/**
 * Sums of the four i32x4 partial sums s0..s3 into one vector [sum(s0), sum(s1), sum(s2), sum(s3)]
 * (a 4x4 transpose-add), so four candidates share one horizontal reduction.
 */
function hsum4(s0: v128, s1: v128, s2: v128, s3: v128): v128 {
  const t01 = i32x4.add(v128.shuffle<i32>(s0, s1, 0, 1, 4, 5), v128.shuffle<i32>(s0, s1, 2, 3, 6, 7));
  const t23 = i32x4.add(v128.shuffle<i32>(s2, s3, 0, 1, 4, 5), v128.shuffle<i32>(s2, s3, 2, 3, 6, 7));
  return i32x4.add(v128.shuffle<i32>(t01, t23, 0, 2, 4, 6), v128.shuffle<i32>(t01, t23, 1, 3, 5, 7));
}

/** Byte-lane popcount accumulator of q AND c, widened to four i32 partial sums. */
function andPartial(q0: v128, q1: v128, q2: v128, q3: v128, q4: v128, q5: v128, q6: v128, q7: v128, c: usize): v128 {
  let acc = i8x16.popcnt(v128.and(q0, v128.load(c, 0)));
  acc = i8x16.add(acc, i8x16.popcnt(v128.and(q1, v128.load(c, 16))));
  acc = i8x16.add(acc, i8x16.popcnt(v128.and(q2, v128.load(c, 32))));
  acc = i8x16.add(acc, i8x16.popcnt(v128.and(q3, v128.load(c, 48))));
  acc = i8x16.add(acc, i8x16.popcnt(v128.and(q4, v128.load(c, 64))));
  acc = i8x16.add(acc, i8x16.popcnt(v128.and(q5, v128.load(c, 80))));
  acc = i8x16.add(acc, i8x16.popcnt(v128.and(q6, v128.load(c, 96))));
  acc = i8x16.add(acc, i8x16.popcnt(v128.and(q7, v128.load(c, 112))));
  return i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(acc));
}

/**
 * Dice of four candidates starting at index i, as f32x4: 2|q AND c| / (|q| + |c|), 0 where both
 * are empty (0/0 is NaN; the mask clears it). f32x4.div rounds per lane exactly like scalar f32.
 */
function dice4(q0: v128, q1: v128, q2: v128, q3: v128, q4: v128, q5: v128, q6: v128, q7: v128, qCount: u32, base: usize, counts: usize, i: u32): v128 {
  const c = base + <usize>i * FILTER_BYTES;
  const inter = hsum4(
    andPartial(q0, q1, q2, q3, q4, q5, q6, q7, c),
    andPartial(q0, q1, q2, q3, q4, q5, q6, q7, c + FILTER_BYTES),
    andPartial(q0, q1, q2, q3, q4, q5, q6, q7, c + 2 * FILTER_BYTES),
    andPartial(q0, q1, q2, q3, q4, q5, q6, q7, c + 3 * FILTER_BYTES),
  );
  const total = f32x4.convert_i32x4_u(i32x4.add(v128.load(counts + (<usize>i << 2)), i32x4.splat(<i32>qCount)));
  const score = f32x4.div(f32x4.convert_i32x4_u(i32x4.shl(inter, 1)), total);
  return v128.and(score, f32x4.ne(total, f32x4.splat(0)));
}

/** Scalar Dice of one candidate (the tail after the groups of four). */
function dice1(q0: v128, q1: v128, q2: v128, q3: v128, q4: v128, q5: v128, q6: v128, q7: v128, qCount: u32, base: usize, counts: usize, i: u32): f32 {
  const inter = andCount(q0, q1, q2, q3, q4, q5, q6, q7, base + <usize>i * FILTER_BYTES);
  const total = qCount + load<u32>(counts + (<usize>i << 2));
  return total == 0 ? <f32>0 : <f32>(inter << 1) / <f32>total;
}

/**
 * Dice of query filter `q` (popcount `qCount`) against `n` candidates at `base` (popcounts at
 * `counts`, u32 each); writes one f32 score per candidate at `out`. Empty pairs score 0.
 */
export function diceMany(q: usize, qCount: u32, base: usize, counts: usize, n: u32, out: usize): void {
  const q0 = v128.load(q, 0), q1 = v128.load(q, 16), q2 = v128.load(q, 32), q3 = v128.load(q, 48);
  const q4 = v128.load(q, 64), q5 = v128.load(q, 80), q6 = v128.load(q, 96), q7 = v128.load(q, 112);
  const n4 = n & ~3;
  let i: u32 = 0;
  for (; i < n4; i += 4) {
    v128.store(out + (<usize>i << 2), dice4(q0, q1, q2, q3, q4, q5, q6, q7, qCount, base, counts, i));
  }
  for (; i < n; i++) {
    store<f32>(out + (<usize>i << 2), dice1(q0, q1, q2, q3, q4, q5, q6, q7, qCount, base, counts, i));
  }
}

/**
 * Like diceMany but keeps only candidates scoring at least `threshold`: writes their indices (u32)
 * at `outIdx` and scores (f32) at `outScore`, and returns how many were kept. Scores are computed
 * exactly as in diceMany, so both agree.
 */
export function diceAbove(q: usize, qCount: u32, base: usize, counts: usize, n: u32, threshold: f32, outIdx: usize, outScore: usize): u32 {
  const q0 = v128.load(q, 0), q1 = v128.load(q, 16), q2 = v128.load(q, 32), q3 = v128.load(q, 48);
  const q4 = v128.load(q, 64), q5 = v128.load(q, 80), q6 = v128.load(q, 96), q7 = v128.load(q, 112);
  const t = f32x4.splat(threshold);
  const n4 = n & ~3;
  let kept: u32 = 0;
  let i: u32 = 0;
  for (; i < n4; i += 4) {
    const s = dice4(q0, q1, q2, q3, q4, q5, q6, q7, qCount, base, counts, i);
    if (v128.any_true(f32x4.ge(s, t))) {
      for (let k: u32 = 0; k < 4; k++) {
        const v: f32 = k == 0 ? f32x4.extract_lane(s, 0) : k == 1 ? f32x4.extract_lane(s, 1) : k == 2 ? f32x4.extract_lane(s, 2) : f32x4.extract_lane(s, 3);
        if (v >= threshold) {
          store<u32>(outIdx + (<usize>kept << 2), i + k);
          store<f32>(outScore + (<usize>kept << 2), v);
          kept++;
        }
      }
    }
  }
  for (; i < n; i++) {
    const v = dice1(q0, q1, q2, q3, q4, q5, q6, q7, qCount, base, counts, i);
    if (v >= threshold) {
      store<u32>(outIdx + (<usize>kept << 2), i);
      store<f32>(outScore + (<usize>kept << 2), v);
      kept++;
    }
  }
  return kept;
}
