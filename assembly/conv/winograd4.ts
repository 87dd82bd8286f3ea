// f32 3x3 stride-1 convolution by Winograd F(4x4, 3x3) (Lavin & Gray 2015): each 4x4 output tile
// costs 36 multiplications per (input, output) channel pair instead of 144 — 4x fewer, against
// F(2x2, 3x3)'s 2.25x — at the price of larger transforms and more rounding (coefficients up to
// 8 and 1/24; the tests bound it). Same layout as winograd.ts: tiles in groups of 4 neighbours of
// a tile row (a v128's lanes), blocks of 8 tiles for the 5x8 micro-kernel, 36 position GEMMs.
//
//   B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
//   G   = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1]
//   A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]

import { GEMM_MR } from "./pack";
import { storeTransposed4 } from "../simd";
import { GROUP, TILE_BLOCK, L2_BYTES, tilesOf, groupsPerRow, blocksPerPass } from "./winograd";

const POSITIONS: i32 = 36;

// @ts-ignore: decorator
@inline export function stageWidth4(outWidth: i32): i32 {
  // a group's loads read 20 floats from its first column
  return 4 * GROUP * groupsPerRow(outWidth, 4) + 4;
}

// As in winograd.ts, but F(4,3)'s U is 36/16 larger: up to about 2x L2 (e.g. 64 channels, 0.6 MB) one
// block per pass measured fastest (V and M of a block stay in L1/L2 while U streams from L3); beyond
// that, one pass over all blocks (U read once). Measured interleaved: 64ch@56 2.8 vs 3.7 ms.
export const F4X3_PASS_LIMIT: f64 = L2_BYTES * 2;

/** Floats in the packed weights (winograd_pack.ts): per tile position (36) and block of 5 output channels, [5 zeros][C][5]. */
export function f32_winograd_f4x3_packed_size(outChannels: i32, inChannels: i32): i32 {
  return POSITIONS * ((outChannels + GEMM_MR - 1) / GEMM_MR) * GEMM_MR * (inChannels + 1);
}

/** Workspace bytes: staged input planes, V and M for one pass, and the transforms' scratch. */
export function f32_winograd_f4x3_workspace(channels: i32, outChannels: i32, outHeight: i32, outWidth: i32): f64 {
  const stageH = <f64>(4 * tilesOf(outHeight, 4) + 2);
  const paddedOut = <f64>(((outChannels + GEMM_MR - 1) / GEMM_MR) * GEMM_MR);
  const pass = <f64>blocksPerPass(POSITIONS, channels, outChannels, outHeight, outWidth, 4, F4X3_PASS_LIMIT);
  return (<f64>channels * stageH * <f64>stageWidth4(outWidth) + pass * POSITIONS * (<f64>channels + paddedOut) * TILE_BLOCK
    + 64 * 4) * 4 + 64;
}

// B^T z for a 6-vector (lanes = tiles): o0 = 4z0 - 5z2 + z4, o1,2 = (z4 - 4z2) ± (z3 - 4z1),
// o3,4 = (z4 - z2) ± 2(z3 - z1), o5 = 4z1 - 5z3 + z5; results stored at dst + k * stride
// @ts-ignore: decorator
@inline export function transformB(z0: v128, z1: v128, z2: v128, z3: v128, z4: v128, z5: v128, dst: usize, stride: usize): void {
  const four = f32x4.splat(4);
  const five = f32x4.splat(5);
  const two = f32x4.splat(2);
  const a = f32x4.sub(z4, f32x4.mul(four, z2));
  const b = f32x4.sub(z3, f32x4.mul(four, z1));
  const c = f32x4.sub(z4, z2);
  const e = f32x4.mul(two, f32x4.sub(z3, z1));
  v128.store(dst, f32x4.add(f32x4.sub(f32x4.mul(four, z0), f32x4.mul(five, z2)), z4));
  v128.store(dst + stride, f32x4.add(a, b));
  v128.store(dst + 2 * stride, f32x4.sub(a, b));
  v128.store(dst + 3 * stride, f32x4.add(c, e));
  v128.store(dst + 4 * stride, f32x4.sub(c, e));
  v128.store(dst + 5 * stride, f32x4.add(f32x4.sub(f32x4.mul(four, z1), f32x4.mul(five, z3)), z5));
}

// 4 neighbouring 6x6 input tiles (columns 4j + k of 6 rows) -> V[6i+k] at dst + xi * positionStride.
// Rows first into `rows` (W = d B, [6][6] v128), then columns (V = B^T W).
// @ts-ignore: decorator
@inline export function inputTransform(base: usize, rowBytes: usize, rows: usize, dst: usize, positionStride: usize): void {
  for (let i = 0; i < 6; i++) {
    const p = base + <usize>i * rowBytes;
    const a0 = v128.load(p), a1 = v128.load(p, 16), a2 = v128.load(p, 32), a3 = v128.load(p, 48), a4 = v128.load(p, 64);
    // 4x4 transposes: column k of the 4 tiles = x[k], x[4+k], x[8+k], x[12+k]
    const t0 = v128.shuffle<f32>(a0, a1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(a0, a1, 2, 6, 3, 7);
    const t2 = v128.shuffle<f32>(a2, a3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(a2, a3, 2, 6, 3, 7);
    const u0 = v128.shuffle<f32>(a1, a2, 0, 4, 1, 5), u2 = v128.shuffle<f32>(a3, a4, 0, 4, 1, 5);
    transformB(
      v128.shuffle<f32>(t0, t2, 0, 1, 4, 5), v128.shuffle<f32>(t0, t2, 2, 3, 6, 7),
      v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), v128.shuffle<f32>(t1, t3, 2, 3, 6, 7),
      v128.shuffle<f32>(u0, u2, 0, 1, 4, 5), v128.shuffle<f32>(u0, u2, 2, 3, 6, 7),
      rows + <usize>i * 96, 16);
  }
  columnsB(rows, dst, positionStride);
}

// V = B^T W, column by column: W ([6][6] v128 at rows, row-major) -> V[6i+k] at dst + xi * positionStride
// (shared with the stem's F(3,4), whose points and so B are F(4,3)'s)
// @ts-ignore: decorator
@inline export function columnsB(rows: usize, dst: usize, positionStride: usize): void {
  for (let k = 0; k < 6; k++) {
    const col = rows + <usize>k * 16;
    transformB(v128.load(col), v128.load(col, 96), v128.load(col, 192), v128.load(col, 288), v128.load(col, 384), v128.load(col, 480),
      dst + <usize>k * positionStride, 6 * positionStride);
  }
}

// A^T z for a 6-vector: p = z1 + z2, q = z1 - z2, r = z3 + z4, s = z3 - z4;
// y0 = z0 + p + r, y1 = q + 2s, y2 = p + 4r, y3 = q + 8s + z5; stored at dst + k * stride
// @ts-ignore: decorator
@inline export function transformA(z0: v128, z1: v128, z2: v128, z3: v128, z4: v128, z5: v128, dst: usize, stride: usize): void {
  const p = f32x4.add(z1, z2);
  const q = f32x4.sub(z1, z2);
  const r = f32x4.add(z3, z4);
  const s = f32x4.sub(z3, z4);
  v128.store(dst, f32x4.add(f32x4.add(z0, p), r));
  v128.store(dst + stride, f32x4.add(q, f32x4.mul(f32x4.splat(2), s)));
  v128.store(dst + 2 * stride, f32x4.add(p, f32x4.mul(f32x4.splat(4), r)));
  v128.store(dst + 3 * stride, f32x4.add(f32x4.add(q, f32x4.mul(f32x4.splat(8), s)), z5));
}

// one output row of 4 tiles x 4 columns (y at ys: columns b = 0..3, lanes = tiles) + bias, clamped,
// transposed to tile-major: 16 floats at out
// @ts-ignore: decorator
@inline export function storeRow4(y: usize, out: usize, vbias: v128, vmin: v128, vmax: v128): void {
  // tile j's 4 consecutive outputs = lane j of the 4 columns
  storeTransposed4(
    f32x4.pmin(f32x4.pmax(f32x4.add(v128.load(y), vbias), vmin), vmax),
    f32x4.pmin(f32x4.pmax(f32x4.add(v128.load(y, 16), vbias), vmin), vmax),
    f32x4.pmin(f32x4.pmax(f32x4.add(v128.load(y, 32), vbias), vmin), vmax),
    f32x4.pmin(f32x4.pmax(f32x4.add(v128.load(y, 48), vbias), vmin), vmax), out, 16);
}

// the first `cols` floats of a transformed row at `from` (16 at most), to `row`
// @ts-ignore: decorator
@inline export function storeValid(row: usize, from: usize, cols: i32): void {
  for (let j = 0; j < cols; j += 4) storeCols(row + <usize>j * 4, v128.load(from + <usize>j * 4), cols - j);
}

// the first `count` floats of v (all 4 if count >= 4); lane stores, not memory.copy: a call there
// would make V8 keep the caller's vectors on the stack around it on every path
// @ts-ignore: decorator
@inline export function storeCols(out: usize, v: v128, count: i32): void {
  if (count >= 4) {
    v128.store(out, v);
  } else if (count > 0) {
    store<f32>(out, f32x4.extract_lane(v, 0));
    if (count > 1) store<f32>(out, f32x4.extract_lane(v, 1), 4);
    if (count > 2) store<f32>(out, f32x4.extract_lane(v, 2), 8);
  }
}
