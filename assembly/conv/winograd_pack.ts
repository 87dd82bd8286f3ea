// The Winograd kernels' weight transforms U = G g G^T, packed for the 5x8 micro-kernel: per tile
// position xi and block of 5 output channels, [5 zeros][C][5] (the zeros are the micro-kernel's bias
// slots: the bias is added after the output transform).
//
// Each U is computed in f64 from the f32 taps and rounded to f32 once, with G's coefficients as
// divisions, rounded as division rounds (x / 6 is not x * (1 / 6): their roundings differ, and the
// packed bytes must not change; tests/winograd-pack.test.ts holds them to the old formulas). Issue
// #13 packs per call, so the cost matters: two kernels share each f64x2, G g is made once per kernel
// (not per row of G g G^T), and the packed floats are written where they go, without first filling
// the whole buffer with zeros (only a partial last block's missing lanes are). F(4,3) waits on the
// f64 divider: 30 of its quotients a kernel are divisions, 15 divpd at ~1.25 ns each on the machine
// measured (bench/pack-speed.ts: ~20 ns a kernel).
//
// Lanes: in a block of 5 output channels, lanes (0, 1) and (2, 3) go two output channels to an
// f64x2 (the packed floats of one input channel are neighbours: one 8-byte store per position);
// lane 4 (or a last lane without a partner) goes two input channels to an f64x2 (stores 20 bytes
// apart). Output channels past the end of the last block are zeros.

import { GEMM_MR } from "./pack";
import { scratch, SCRATCH_S2_ROWS } from "../scratch";

// How an f64x2 of two kernels' values is stored (each mode is a copy of the transform's code):
// lanes = output channels (lane, lane + 1) of one input channel: adjacent floats, one 8-byte store
const PAIR_OC: i32 = 0;
// lane 1's float `second` bytes after lane 0's: input channels (c, c + 1) of one output channel
// (second = 20), or lane 0 alone (second = 0: lane 1 is stored first, then overwritten)
const PAIR_ANY: i32 = 1;

const C_BYTES: usize = GEMM_MR * 4;   // from one input channel's floats to the next's

// @ts-ignore: decorator
@inline function storeU(mode: i32, p: usize, u: v128, second: usize): void {
  const f = f32x4.demote_f64x2_zero(u);
  if (mode == PAIR_OC) {
    v128.store64_lane(p, f, 0);
  } else {
    v128.store32_lane(p + second, f, 1);
    v128.store32_lane(p, f, 0);
  }
}

// lanes 0 and 1 of a (an f32x4 from shuffling two kernels' taps together) as f64x2
// @ts-ignore: decorator
@inline function low(a: v128): v128 {
  return f64x2.promote_low_f32x4(a);
}

/** Packs [OC, C, 3, 3] for F(m x m, 3x3), m = 2 or 4. */
// (Staging a tile of input channels in a small buffer and copying each position's run out, so the
// positions' stores do not go a whole position stride apart, measured slower at every ResNet-18
// shape: F(2,3) 8.7-13 vs 6.3-12 ns a kernel.)
// Blocks [b0, b1) of 5 output channels only (each block's packed floats are its own: threads pack
// disjoint block ranges of one buffer).
// @ts-ignore: decorator
@inline function pack3x3(m: i32, weight: usize, outChannels: i32, inChannels: i32, packed: usize, b0: i32, b1: i32): void {
  const positions = (m + 2) * (m + 2);
  const blocks = (outChannels + GEMM_MR - 1) / GEMM_MR;
  const blockBytes = <usize>GEMM_MR * (inChannels + 1) * 4;
  const positionStride = <usize>blocks * blockBytes;
  const kernelBytes: usize = 9 * 4;
  const ocBytes = <usize>inChannels * kernelBytes;
  for (let b = b0; b < b1; b++) {
    const valid = min(GEMM_MR, outChannels - b * GEMM_MR);
    const block = packed + <usize>b * blockBytes;
    zeroHeaders(block, positions, positionStride, valid, inChannels);
    const first = weight + <usize>b * GEMM_MR * ocBytes;
    let lane = 0;
    for (; lane + 2 <= valid; lane += 2) {
      const a = first + <usize>lane * ocBytes;
      const dst = block + C_BYTES + <usize>lane * 4;
      for (let c = 0; c < inChannels; c++) {
        transform3x3(m, PAIR_OC, a + <usize>c * kernelBytes, a + ocBytes + <usize>c * kernelBytes, 0, dst + <usize>c * C_BYTES, positionStride);
      }
    }
    if (lane < valid) {
      // input channels (c, c + 1) of the last output channel, then an odd count's last channel alone
      const a = first + <usize>lane * ocBytes;
      const dst = block + C_BYTES + <usize>lane * 4;
      for (let c = 0; c < inChannels; c += 2) {
        const kernel = a + <usize>c * kernelBytes;
        const pair = c + 1 < inChannels;
        transform3x3(m, PAIR_ANY, kernel, pair ? kernel + kernelBytes : kernel, pair ? C_BYTES : 0, dst + <usize>c * C_BYTES, positionStride);
      }
    }
  }
}

// the 5 zeros at the head of each position's block; in a partial last block, the missing output
// channels' lanes too (zeros first: the valid lanes then overwrite theirs)
// @ts-ignore: decorator
@inline function zeroHeaders(block: usize, positions: i32, positionStride: usize, valid: i32, channels: i32): void {
  for (let xi = 0; xi < positions; xi++) {
    const head = block + <usize>xi * positionStride;
    v128.store(head, i32x4.splat(0));
    store<f32>(head, 0, 16);
    if (valid < GEMM_MR) memory.fill(head + C_BYTES, 0, <usize>channels * C_BYTES);
  }
}

// two kernels' 9 taps (at a and b) as f64x2, then U for F(2,3) (m = 2) or F(4,3) (m = 4)
// @ts-ignore: decorator
@inline function transform3x3(m: i32, mode: i32, a: usize, b: usize, second: usize, dst: usize, positionStride: usize): void {
  const a0 = v128.load(a), a1 = v128.load(a, 16), a2 = v128.load32_zero(a, 32);
  const b0 = v128.load(b), b1 = v128.load(b, 16), b2 = v128.load32_zero(b, 32);
  const lo = v128.shuffle<f32>(a0, b0, 0, 4, 1, 5), hi = v128.shuffle<f32>(a0, b0, 2, 6, 3, 7);
  const lo1 = v128.shuffle<f32>(a1, b1, 0, 4, 1, 5), hi1 = v128.shuffle<f32>(a1, b1, 2, 6, 3, 7);
  const t0 = low(lo), t1 = low(v128.shuffle<f32>(lo, lo, 2, 3, 2, 3));
  const t2 = low(hi), t3 = low(v128.shuffle<f32>(hi, hi, 2, 3, 2, 3));
  const t4 = low(lo1), t5 = low(v128.shuffle<f32>(lo1, lo1, 2, 3, 2, 3));
  const t6 = low(hi1), t7 = low(v128.shuffle<f32>(hi1, hi1, 2, 3, 2, 3));
  const t8 = low(v128.shuffle<f32>(a2, b2, 0, 4, 0, 4));
  if (m == 2) transformF2(mode, t0, t1, t2, t3, t4, t5, t6, t7, t8, second, dst, positionStride);
  else transformF4(mode, t0, t1, t2, t3, t4, t5, t6, t7, t8, second, dst, positionStride);
}

// ---- F(2x2, 3x3): G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1] ----
// (the old per-entry code's order: (g0 + g1 + g2) * 0.5, (g0 - g1 + g2) * 0.5)

// @ts-ignore: decorator
@inline function sumHalf(g0: v128, g1: v128, g2: v128): v128 {
  return f64x2.mul(f64x2.add(f64x2.add(g0, g1), g2), f64x2.splat(0.5));
}
// @ts-ignore: decorator
@inline function diffHalf(g0: v128, g1: v128, g2: v128): v128 {
  return f64x2.mul(f64x2.add(f64x2.sub(g0, g1), g2), f64x2.splat(0.5));
}

// row (a, b, c) of G g -> U[4i + k], k = 0..3, at p + k * positionStride
// @ts-ignore: decorator
@inline function rowF2(mode: i32, a: v128, b: v128, c: v128, second: usize, p: usize, positionStride: usize): void {
  storeU(mode, p, a, second);
  storeU(mode, p + positionStride, sumHalf(a, b, c), second);
  storeU(mode, p + 2 * positionStride, diffHalf(a, b, c), second);
  storeU(mode, p + 3 * positionStride, c, second);
}

// @ts-ignore: decorator
@inline function transformF2(
  mode: i32, t0: v128, t1: v128, t2: v128, t3: v128, t4: v128, t5: v128, t6: v128, t7: v128, t8: v128,
  second: usize, dst: usize, positionStride: usize,
): void {
  // G g, row by row; column j is (t[j], t[3 + j], t[6 + j])
  const row4 = positionStride * 4;
  rowF2(mode, t0, t1, t2, second, dst, positionStride);
  rowF2(mode, sumHalf(t0, t3, t6), sumHalf(t1, t4, t7), sumHalf(t2, t5, t8), second, dst + row4, positionStride);
  rowF2(mode, diffHalf(t0, t3, t6), diffHalf(t1, t4, t7), diffHalf(t2, t5, t8), second, dst + 2 * row4, positionStride);
  rowF2(mode, t6, t7, t8, second, dst + 3 * row4, positionStride);
}

/** weight [OC, C, 3, 3] -> U = G g G^T (4x4, f64, rounded once) per tile position (winograd.ts). */
export function f32_winograd_f2x3_pack(weight: usize, outChannels: i32, inChannels: i32, packed: usize): void {
  packF2x3(weight, outChannels, inChannels, packed, 0, (outChannels + GEMM_MR - 1) / GEMM_MR);
}

/** f32_winograd_f2x3_pack's blocks [b0, b1) of 5 output channels only. */
export function packF2x3(weight: usize, outChannels: i32, inChannels: i32, packed: usize, b0: i32, b1: i32): void {
  pack3x3(2, weight, outChannels, inChannels, packed, b0, b1);
}

// ---- F(4x4, 3x3): G = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1] ----
// (the old gRow's expressions: g0 / 4, -(g0 + g1 + g2) / 6, -(g0 - g1 + g2) / 6,
// g0 / 24 + g1 / 12 + g2 / 6, g0 / 24 - g1 / 12 + g2 / 6, g2)

// @ts-ignore: decorator
@inline function quarter(g0: v128): v128 {
  return f64x2.mul(g0, f64x2.splat(0.25));   // = g0 / 4 exactly
}
// @ts-ignore: decorator
@inline function minusSixth(s: v128): v128 {
  return f64x2.div(f64x2.neg(s), f64x2.splat(6));
}
// x / 3 rounded as f64x2.div(x, 3) rounds it, without dividing (proof below)
// @ts-ignore: decorator
@inline function third(x: v128): v128 {
  const c = f64x2.splat(1.0 / 3);
  const q0 = f64x2.mul(x, c);
  const e = f64x2.mul(f64x2.add(f64x2.sub(f64x2.add(q0, q0), x), q0), c);
  return v128.bitselect(f64x2.sub(q0, e), q0, f64x2.eq(e, e));
}

// Scaling by a power of two is exact and commutes with rounding (f64 values made from f32 taps stay
// far from f64's subnormals and overflow), so R(x / 24) = R(x / 6) / 4, R(x / 12) = R(x / 6) / 2:
// where G g's rows 0 and 5 are taps scaled by 1/4 or 1, the row's quotients are stage 1's tap
// quotients scaled — 39 divisions a kernel instead of 45, the same bits (tests/winograd-pack.test.ts).
//
// With 39 divisions (19.5 divpd a kernel, ~5 cycles each) the divider bounded the pack, so the 9 tap
// quotients are made without it, by `third`, which rounds x / 3 exactly as division does:
//   q0 = x * C (C = R(1/3)) is within 2 ulp of x / 3, so 2 q0 - x and then (2 q0 - x) + q0 are exact
//   (Sterbenz: each subtracts values within a factor 2 of each other): r = 3 q0 - x exactly, and
//   x / 3 = q0 - r / 3. e = R(r * C) is r / 3 to ~2^-52 ulp(x / 3), and x / 3 lies at least 1/6 ulp
//   from every rounding midpoint (the scaled quotient 2^k m / 3 of a 53-bit m has fraction 0, 1/3 or
//   2/3), so R(q0 - e) = R(x / 3). Signed zeros come out as division's (x = -0: q0 = -0, e = +0,
//   -0 - +0 = -0); for x = +-inf or NaN, e is NaN and q0 (= x * C: +-inf, NaN) is taken.
// Routing the 6 column-sum quotients through it as well was slower (21.5-25.5 vs 19.2-22.5 ns a
// kernel: V8's register spills and the extra operations then outweigh the divider).

// row (a, b, c) of G g -> U[6i + k], k = 0..5, at p + k * positionStride; a24 = a / 24, b12 = b / 12, c6 = c / 6
// @ts-ignore: decorator
@inline function rowF4(mode: i32, a: v128, b: v128, c: v128, a24: v128, b12: v128, c6: v128, second: usize, p: usize, positionStride: usize): void {
  storeU(mode, p, quarter(a), second);
  storeU(mode, p + positionStride, minusSixth(f64x2.add(f64x2.add(a, b), c)), second);
  storeU(mode, p + 2 * positionStride, minusSixth(f64x2.add(f64x2.sub(a, b), c)), second);
  storeU(mode, p + 3 * positionStride, f64x2.add(f64x2.add(a24, b12), c6), second);
  storeU(mode, p + 4 * positionStride, f64x2.add(f64x2.sub(a24, b12), c6), second);
  storeU(mode, p + 5 * positionStride, c, second);
}

// @ts-ignore: decorator
@inline function rowF4Divided(mode: i32, a: v128, b: v128, c: v128, second: usize, p: usize, positionStride: usize): void {
  rowF4(mode, a, b, c, f64x2.div(a, f64x2.splat(24)), f64x2.div(b, f64x2.splat(12)), f64x2.div(c, f64x2.splat(6)), second, p, positionStride);
}

// @ts-ignore: decorator
@inline function transformF4(
  mode: i32, t0: v128, t1: v128, t2: v128, t3: v128, t4: v128, t5: v128, t6: v128, t7: v128, t8: v128,
  second: usize, dst: usize, positionStride: usize,
): void {
  // G g, row by row; column j is (t[j], t[3 + j], t[6 + j]); rows 3 and 4 share their quotients
  const row6 = positionStride * 6;
  // t / 24 = (t / 3) / 8, t / 12 = (t / 3) / 4, t / 6 = (t / 3) / 2
  const q00 = f64x2.mul(third(t0), f64x2.splat(0.125)), q01 = f64x2.mul(third(t1), f64x2.splat(0.125)), q02 = f64x2.mul(third(t2), f64x2.splat(0.125));
  const q10 = f64x2.mul(third(t3), f64x2.splat(0.25)), q11 = f64x2.mul(third(t4), f64x2.splat(0.25)), q12 = f64x2.mul(third(t5), f64x2.splat(0.25));
  const q20 = f64x2.mul(third(t6), f64x2.splat(0.5)), q21 = f64x2.mul(third(t7), f64x2.splat(0.5)), q22 = f64x2.mul(third(t8), f64x2.splat(0.5));
  // row 0 = t / 4: (t0 / 4) / 24 = (t0 / 24) / 4, (t1 / 4) / 12 = (t1 / 24) / 2, (t2 / 4) / 6 = t2 / 24
  rowF4(mode, quarter(t0), quarter(t1), quarter(t2), quarter(q00), f64x2.mul(q01, f64x2.splat(0.5)), q02, second, dst, positionStride);
  rowF4Divided(mode, minusSixth(f64x2.add(f64x2.add(t0, t3), t6)), minusSixth(f64x2.add(f64x2.add(t1, t4), t7)),
    minusSixth(f64x2.add(f64x2.add(t2, t5), t8)), second, dst + row6, positionStride);
  rowF4Divided(mode, minusSixth(f64x2.add(f64x2.sub(t0, t3), t6)), minusSixth(f64x2.add(f64x2.sub(t1, t4), t7)),
    minusSixth(f64x2.add(f64x2.sub(t2, t5), t8)), second, dst + 2 * row6, positionStride);
  rowF4Divided(mode, f64x2.add(f64x2.add(q00, q10), q20), f64x2.add(f64x2.add(q01, q11), q21), f64x2.add(f64x2.add(q02, q12), q22),
    second, dst + 3 * row6, positionStride);
  rowF4Divided(mode, f64x2.add(f64x2.sub(q00, q10), q20), f64x2.add(f64x2.sub(q01, q11), q21), f64x2.add(f64x2.sub(q02, q12), q22),
    second, dst + 4 * row6, positionStride);
  // row 5 = (t6, t7, t8): t6 / 24 = (t6 / 6) / 4, t7 / 12 = (t7 / 6) / 2, t8 / 6
  rowF4(mode, t6, t7, t8, quarter(q20), f64x2.mul(q21, f64x2.splat(0.5)), q22, second, dst + 5 * row6, positionStride);
}

/** weight [OC, C, 3, 3] -> U = G g G^T (6x6, f64, rounded once) per tile position (winograd4.ts). */
export function f32_winograd_f4x3_pack(weight: usize, outChannels: i32, inChannels: i32, packed: usize): void {
  packF4x3(weight, outChannels, inChannels, packed, 0, (outChannels + GEMM_MR - 1) / GEMM_MR);
}

/** f32_winograd_f4x3_pack's blocks [b0, b1) of 5 output channels only. */
export function packF4x3(weight: usize, outChannels: i32, inChannels: i32, packed: usize, b0: i32, b1: i32): void {
  pack3x3(4, weight, outChannels, inChannels, packed, b0, b1);
}

// ---- the stem's F(3x3, 4x4) over the 4 polyphase sub-kernels of a 7x7 kernel (winograd_s2.ts) ----
// G = [1/4 0 0 0; -1/6 -1/6 -1/6 -1/6; -1/6 1/6 -1/6 1/6; 1/24 1/12 1/6 1/3; 1/24 -1/12 1/6 -1/3; 0 0 0 1]
// (the old gRow's expressions: g0 / 4, -(g0 + g1 + g2 + g3) / 6, -(g0 - g1 + g2 - g3) / 6,
// g0 / 24 + g1 / 12 + g2 / 6 + g3 / 3, g0 / 24 - g1 / 12 + g2 / 6 - g3 / 3, g3)
// Lanes: the phases (p, 0) and (p, 1) of one kernel: taps w[2a + p][2b] and w[2a + p][2b + 1] are
// neighbours, and so are their packed floats' phase channels 4c + 2p and 4c + 2p + 1 (stores C_BYTES apart).

// row (c0, c1, c2, c3) of G w -> U[6i + j], j = 0..5, at p + j * positionStride; q0..q3 = c0 / 24, c1 / 12, c2 / 6, c3 / 3
function rowS2(c0: v128, c1: v128, c2: v128, c3: v128, q0: v128, q1: v128, q2: v128, q3: v128, p: usize, positionStride: usize): void {
  storeU(PAIR_ANY, p, quarter(c0), C_BYTES);
  storeU(PAIR_ANY, p + positionStride, minusSixth(f64x2.add(f64x2.add(f64x2.add(c0, c1), c2), c3)), C_BYTES);
  storeU(PAIR_ANY, p + 2 * positionStride, minusSixth(f64x2.sub(f64x2.add(f64x2.sub(c0, c1), c2), c3)), C_BYTES);
  storeU(PAIR_ANY, p + 3 * positionStride, f64x2.add(f64x2.add(f64x2.add(q0, q1), q2), q3), C_BYTES);
  storeU(PAIR_ANY, p + 4 * positionStride, f64x2.sub(f64x2.add(f64x2.sub(q0, q1), q2), q3), C_BYTES);
  storeU(PAIR_ANY, p + 5 * positionStride, c3, C_BYTES);
}

// row i of G w (the [8][4] f64x2 at `rows`) -> U[6i + j], its quotients by division
// @ts-ignore: decorator
@inline function rowS2Divided(rows: usize, i: i32, p: usize, positionStride: usize): void {
  const row = rows + <usize>i * 64;
  const c0 = v128.load(row), c1 = v128.load(row, 16), c2 = v128.load(row, 32), c3 = v128.load(row, 48);
  rowS2(c0, c1, c2, c3, f64x2.div(c0, f64x2.splat(24)), f64x2.div(c1, f64x2.splat(12)), f64x2.div(c2, f64x2.splat(6)),
    f64x2.div(c3, f64x2.splat(3)), p, positionStride);
}

// row r of the 7x7 kernel at g, columns (2b, 2b + 1), b = 0..3, as f64x2 (column 7 is past the edge: 0)
// @ts-ignore: decorator
@inline function tapRow(g: usize, r: i32, b: i32): v128 {
  if (r >= 7) return f64x2.splat(0);
  const p = g + <usize>(r * 7 + 2 * b) * 4;
  return f64x2.promote_low_f32x4(b == 3 ? v128.load32_zero(p) : v128.load64_zero(p));
}

// G w for sub-kernel column b (rows a = 0..3 are kernel rows 2a + p) -> its 6 rows at
// `rows + 16 * (4i + b)`, then the taps' quotients g0 / 24 (i = 6) and g3 / 3 (i = 7)
function columnS2(g: usize, p: i32, b: i32, rows: usize): void {
  const g0 = tapRow(g, p, b), g1 = tapRow(g, 2 + p, b), g2 = tapRow(g, 4 + p, b), g3 = tapRow(g, 6 + p, b);
  const q0 = f64x2.div(g0, f64x2.splat(24));
  const q1 = f64x2.div(g1, f64x2.splat(12));
  const q2 = f64x2.div(g2, f64x2.splat(6));
  const q3 = f64x2.div(g3, f64x2.splat(3));
  const at = rows + <usize>b * 16;
  v128.store(at, quarter(g0));
  v128.store(at, minusSixth(f64x2.add(f64x2.add(f64x2.add(g0, g1), g2), g3)), 64);
  v128.store(at, minusSixth(f64x2.sub(f64x2.add(f64x2.sub(g0, g1), g2), g3)), 128);
  v128.store(at, f64x2.add(f64x2.add(f64x2.add(q0, q1), q2), q3), 192);
  v128.store(at, f64x2.sub(f64x2.add(f64x2.sub(q0, q1), q2), q3), 256);
  v128.store(at, g3, 320);
  v128.store(at, q0, 384);
  v128.store(at, q3, 448);
}

// G w ([6][4] f64x2) between the two stages, then the tap quotients ([2][4])

/** weight [OC, C, 7, 7] -> per phase channel (c, p, q): U = G w_pq G^T (6x6, f64, rounded once). */
export function f32_winograd_s2k7_pack(weight: usize, outChannels: i32, inChannels: i32, packed: usize): void {
  packS2k7(weight, outChannels, inChannels, packed, 0, (outChannels + GEMM_MR - 1) / GEMM_MR);
}

/** f32_winograd_s2k7_pack's blocks [b0, b1) of 5 output channels only. */
export function packS2k7(weight: usize, outChannels: i32, inChannels: i32, packed: usize, b0: i32, b1: i32): void {
  const blocks = (outChannels + GEMM_MR - 1) / GEMM_MR;
  const phaseChannels = 4 * inChannels;
  const blockBytes = <usize>GEMM_MR * (phaseChannels + 1) * 4;
  const positionStride = <usize>blocks * blockBytes;
  const kernelBytes: usize = 49 * 4;
  const rows = scratch(SCRATCH_S2_ROWS);
  for (let b = b0; b < b1; b++) {
    const valid = min(GEMM_MR, outChannels - b * GEMM_MR);
    const block = packed + <usize>b * blockBytes;
    zeroHeaders(block, 36, positionStride, valid, phaseChannels);
    for (let lane = 0; lane < valid; lane++) {
      const oc = b * GEMM_MR + lane;
      for (let c = 0; c < inChannels; c++) {
        const g = weight + (<usize>oc * inChannels + c) * kernelBytes;
        for (let p = 0; p < 2; p++) {
          // phase channels 4c + 2p (q = 0, lane 0) and 4c + 2p + 1 (q = 1, lane 1)
          const dst = block + C_BYTES + (<usize>(c * 4 + 2 * p) * GEMM_MR + lane) * 4;
          columnS2(g, p, 0, rows); columnS2(g, p, 1, rows); columnS2(g, p, 2, rows); columnS2(g, p, 3, rows);
          // row 0 = g0 / 4 and row 5 = g3 of each column: their quotients are the taps' scaled (as F(4,3)'s):
          // (g0 / 4) / 24 = (g0 / 24) / 4, / 12 = (g0 / 24) / 2, / 6 = g0 / 24, / 3 = (g0 / 24) * 2; g3 / 24 = (g3 / 3) / 8 ...
          const q = rows + 6 * 64;
          rowS2(v128.load(rows), v128.load(rows, 16), v128.load(rows, 32), v128.load(rows, 48),
            f64x2.mul(v128.load(q), f64x2.splat(0.25)), f64x2.mul(v128.load(q, 16), f64x2.splat(0.5)), v128.load(q, 32),
            f64x2.mul(v128.load(q, 48), f64x2.splat(2)), dst, positionStride);
          for (let i = 1; i < 5; i++) rowS2Divided(rows, i, dst + <usize>(6 * i) * positionStride, positionStride);
          rowS2(v128.load(rows, 320), v128.load(rows, 336), v128.load(rows, 352), v128.load(rows, 368),
            f64x2.mul(v128.load(q, 64), f64x2.splat(0.125)), f64x2.mul(v128.load(q, 80), f64x2.splat(0.25)),
            f64x2.mul(v128.load(q, 96), f64x2.splat(0.5)), v128.load(q, 112), dst + <usize>30 * positionStride, positionStride);
        }
      }
    }
  }
}
