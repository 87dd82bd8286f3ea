// f32 3x3 stride-1 convolution by Winograd F(2x2, 3x3) (Lavin & Gray, "Fast Algorithms for
// Convolutional Neural Networks", 2015): each 2x2 output tile costs 16 multiplications per
// (input, output) channel pair instead of 36.
//
//   U = G g G^T   (weights, 3x3 -> 4x4: winograd_pack.ts, the packs of all three Winograd kernels)
//   V = B^T d B   (input tiles, 4x4, overlapping by 2)
//   M = U . V     summed over input channels: 16 GEMMs (one per tile position) on the 5x8 micro-kernel
//   Y = A^T M A   (4x4 -> 2x2 outputs) + bias, clamp
//
// Tiles are processed 8 at a time along a tile row (the micro-kernel's 8 columns); each v128 holds
// one value of 4 neighbouring tiles, so the transforms are plain lane-wise adds.
// The transforms only add, subtract and halve: rounding stays close to the direct convolution's.

import { f32_gemm_5x8_full__simd128 } from "./gemm";
import { GEMM_MR } from "./pack";
import { padRows } from "./pad";

export const TILE_BLOCK: i32 = 8;
// tiles are taken in groups of 4 neighbours of one tile row (a v128's lanes); a block of the
// micro-kernel's 8 columns is 2 consecutive groups, which may lie in different tile rows, so narrow
// images (7x7: 4 tiles a row) waste no columns
export const GROUP: i32 = 4;

// Tile geometry, by the output tile's size m (2: F(2,3), 4: F(4,3), 3: the stem's F(3,4)).
// @ts-ignore: decorator
@inline export function tilesOf(size: i32, m: i32): i32 {
  return (size + m - 1) / m;
}
// @ts-ignore: decorator
@inline export function groupsPerRow(outWidth: i32, m: i32): i32 {
  return (tilesOf(outWidth, m) + GROUP - 1) / GROUP;
}
// @ts-ignore: decorator
@inline export function blockCount(outHeight: i32, outWidth: i32, m: i32): i32 {
  return (tilesOf(outHeight, m) * groupsPerRow(outWidth, m) + 1) / 2;
}

/** Floats in the packed weights (winograd_pack.ts): per tile position (16) and block of 5 output channels, [5 zeros][C][5]. */
export function f32_winograd_f2x3_packed_size(outChannels: i32, inChannels: i32): i32 {
  return 16 * ((outChannels + GEMM_MR - 1) / GEMM_MR) * GEMM_MR * (inChannels + 1);
}

// Tile blocks transformed per pass. When the transformed weights U fit in L2 beside a block's V and
// M, one block per pass keeps everything cache-resident; when U is larger (deep layers on small
// images), all blocks go in one pass so U streams from memory once instead of once per block.
export const L2_BYTES: f64 = 512 * 1024;
// F(2,3)'s threshold; F(4,3) and the stem use 2 x L2 (winograd4.ts)
export const F2X3_PASS_LIMIT: f64 = L2_BYTES / 2;

export function blocksPerPass(positions: i32, channels: i32, outChannels: i32, outHeight: i32, outWidth: i32, m: i32, limit: f64): i32 {
  const paddedOut = <f64>(((outChannels + GEMM_MR - 1) / GEMM_MR) * GEMM_MR);
  const weightBytes = <f64>positions * paddedOut * <f64>(channels + 1) * 4;
  return weightBytes > limit ? blockCount(outHeight, outWidth, m) : 1;
}

/** Workspace bytes: staged input planes, then V and M for one pass of tile blocks. */
export function f32_winograd_f2x3_workspace(channels: i32, outChannels: i32, outHeight: i32, outWidth: i32): f64 {
  const stageH = <f64>(2 * tilesOf(outHeight, 2) + 2);
  const stageW = <f64>(2 * GROUP * groupsPerRow(outWidth, 2) + 2);
  const paddedOut = <f64>(((outChannels + GEMM_MR - 1) / GEMM_MR) * GEMM_MR);
  const pass = <f64>blocksPerPass(16, channels, outChannels, outHeight, outWidth, 2, F2X3_PASS_LIMIT);
  return (<f64>channels * stageH * stageW + pass * 16 * (<f64>channels + paddedOut) * TILE_BLOCK) * 4 + 64;
}

/**
 * [C, H, W] -> [C, stageH, stageW]: (mode-)padded, zeros beyond (read only by tiles whose outputs
 * are discarded). Shared by the F(2,3) and F(4,3) kernels.
 */
// @ts-ignore: decorator
@inline export function stageInput(
  source: usize, channels: i32, height: i32, width: i32,
  padTop: i32, padBottom: i32, padLeft: i32, padRight: i32, padMode: i32,
  staged: usize, stageH: i32, stageW: i32,
): void {
  padRows(source, channels, height, width, staged, stageH, stageW, padTop, padBottom, padLeft, padRight, padMode, 0, 0, stageH);
}

/**
 * M[xi] = U[xi] . V[xi] for every tile position: each weight block (output-channel blocks [b0, b1)
 * of `blocks`) once per pass, against every block's 8 tiles. Per position, V is [tile block][C][8] and M [tile block][OCpad][8]: a call's
 * rows are contiguous 32-byte runs (an [C][passTiles] V at C = 512 was a 64-byte stride that
 * filled L1 with half-used lines: F(2,3) 512ch@7 -6 %).
 */
// @ts-ignore: decorator
@inline export function positionGemms(
  positions: i32, channels: i32, blocks: i32, packed: usize, vPass: usize, mPass: usize, count: i32, passTiles: i32,
  b0: i32, b1: i32,
): void {
  const blockFloats = GEMM_MR * (channels + 1);
  const vPositionStride = <usize>channels * passTiles * 4;
  const mPositionStride = <usize>blocks * GEMM_MR * passTiles * 4;
  for (let xi = 0; xi < positions; xi++) {
    for (let b = b0; b < b1; b++) {
      const weights = packed + (<usize>(xi * blocks + b) * blockFloats) * 4;
      for (let t = 0; t < count; t++) {
        // the block's 4-float header is zeros: the bias is added after the output transform
        f32_gemm_5x8_full__simd128(channels, weights, weights + GEMM_MR * 4, vPass + <usize>xi * vPositionStride + <usize>t * channels * TILE_BLOCK * 4, TILE_BLOCK * 4,
          mPass + <usize>xi * mPositionStride + ((<usize>t * blocks + b) * GEMM_MR * TILE_BLOCK) * 4, TILE_BLOCK * 4);
      }
    }
  }
}

// 4 neighbouring tiles: d[i][k] lanes = tiles j (column 2j + k of row i); V[4i+k] stored at dst + xi*stride.
// @ts-ignore: decorator
@inline export function inputTransform4(base: usize, rowBytes: usize, dst: usize, positionStride: usize): void {
  // row i: x[0..3], x[4..7], x[2..5], x[6..9] -> columns k = 0..3 of 4 tiles
  let p = base;
  let a0 = v128.load(p), a1 = v128.load(p, 16), b0 = v128.load(p, 8), b1 = v128.load(p, 24);
  const d00 = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6), d01 = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
  const d02 = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6), d03 = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
  p += rowBytes;
  a0 = v128.load(p); a1 = v128.load(p, 16); b0 = v128.load(p, 8); b1 = v128.load(p, 24);
  const d10 = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6), d11 = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
  const d12 = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6), d13 = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
  p += rowBytes;
  a0 = v128.load(p); a1 = v128.load(p, 16); b0 = v128.load(p, 8); b1 = v128.load(p, 24);
  const d20 = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6), d21 = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
  const d22 = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6), d23 = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
  p += rowBytes;
  a0 = v128.load(p); a1 = v128.load(p, 16); b0 = v128.load(p, 8); b1 = v128.load(p, 24);
  const d30 = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6), d31 = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
  const d32 = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6), d33 = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
  // t = B^T d: rows d0 - d2, d1 + d2, d2 - d1, d1 - d3
  const t00 = f32x4.sub(d00, d20), t01 = f32x4.sub(d01, d21), t02 = f32x4.sub(d02, d22), t03 = f32x4.sub(d03, d23);
  const t10 = f32x4.add(d10, d20), t11 = f32x4.add(d11, d21), t12 = f32x4.add(d12, d22), t13 = f32x4.add(d13, d23);
  const t20 = f32x4.sub(d20, d10), t21 = f32x4.sub(d21, d11), t22 = f32x4.sub(d22, d12), t23 = f32x4.sub(d23, d13);
  const t30 = f32x4.sub(d10, d30), t31 = f32x4.sub(d11, d31), t32 = f32x4.sub(d12, d32), t33 = f32x4.sub(d13, d33);
  // V = t B: columns t0 - t2, t1 + t2, t2 - t1, t1 - t3
  v128.store(dst, f32x4.sub(t00, t02));                      v128.store(dst + positionStride, f32x4.add(t01, t02));
  v128.store(dst + 2 * positionStride, f32x4.sub(t02, t01)); v128.store(dst + 3 * positionStride, f32x4.sub(t01, t03));
  v128.store(dst + 4 * positionStride, f32x4.sub(t10, t12)); v128.store(dst + 5 * positionStride, f32x4.add(t11, t12));
  v128.store(dst + 6 * positionStride, f32x4.sub(t12, t11)); v128.store(dst + 7 * positionStride, f32x4.sub(t11, t13));
  v128.store(dst + 8 * positionStride, f32x4.sub(t20, t22)); v128.store(dst + 9 * positionStride, f32x4.add(t21, t22));
  v128.store(dst + 10 * positionStride, f32x4.sub(t22, t21)); v128.store(dst + 11 * positionStride, f32x4.sub(t21, t23));
  v128.store(dst + 12 * positionStride, f32x4.sub(t30, t32)); v128.store(dst + 13 * positionStride, f32x4.add(t31, t32));
  v128.store(dst + 14 * positionStride, f32x4.sub(t32, t31)); v128.store(dst + 15 * positionStride, f32x4.sub(t31, t33));
}

// 4 neighbouring tiles of one output channel: m[xi] at src + xi*positionStride -> 2 output rows of
// 8 columns (cols valid, rows valid counted from the tile row's top).
// @ts-ignore: decorator
@inline export function outputTransform4(
  src: usize, positionStride: usize, out: usize, rowBytes: usize, cols: i32, rows: i32,
  vbias: v128, vmin: v128, vmax: v128,
): void {
  const m0 = v128.load(src), m1 = v128.load(src + positionStride), m2 = v128.load(src + 2 * positionStride), m3 = v128.load(src + 3 * positionStride);
  const m4 = v128.load(src + 4 * positionStride), m5 = v128.load(src + 5 * positionStride), m6 = v128.load(src + 6 * positionStride), m7 = v128.load(src + 7 * positionStride);
  const m8 = v128.load(src + 8 * positionStride), m9 = v128.load(src + 9 * positionStride), m10 = v128.load(src + 10 * positionStride), m11 = v128.load(src + 11 * positionStride);
  const m12 = v128.load(src + 12 * positionStride), m13 = v128.load(src + 13 * positionStride), m14 = v128.load(src + 14 * positionStride), m15 = v128.load(src + 15 * positionStride);
  // s = A^T m: rows m0 + m1 + m2, m1 - m2 - m3 (row i = m[4i..4i+3])
  const s00 = f32x4.add(f32x4.add(m0, m4), m8), s01 = f32x4.add(f32x4.add(m1, m5), m9);
  const s02 = f32x4.add(f32x4.add(m2, m6), m10), s03 = f32x4.add(f32x4.add(m3, m7), m11);
  const s10 = f32x4.sub(f32x4.sub(m4, m8), m12), s11 = f32x4.sub(f32x4.sub(m5, m9), m13);
  const s12 = f32x4.sub(f32x4.sub(m6, m10), m14), s13 = f32x4.sub(f32x4.sub(m7, m11), m15);
  // y = s A: columns s0 + s1 + s2, s1 - s2 - s3
  let y00 = f32x4.add(f32x4.add(f32x4.add(s00, s01), s02), vbias);
  let y01 = f32x4.add(f32x4.sub(f32x4.sub(s01, s02), s03), vbias);
  let y10 = f32x4.add(f32x4.add(f32x4.add(s10, s11), s12), vbias);
  let y11 = f32x4.add(f32x4.sub(f32x4.sub(s11, s12), s13), vbias);
  y00 = f32x4.pmin(f32x4.pmax(y00, vmin), vmax);
  y01 = f32x4.pmin(f32x4.pmax(y01, vmin), vmax);
  y10 = f32x4.pmin(f32x4.pmax(y10, vmin), vmax);
  y11 = f32x4.pmin(f32x4.pmax(y11, vmin), vmax);
  // interleave: row a = y[a]0[0], y[a]1[0], y[a]0[1], y[a]1[1], ...
  storeRow(out, v128.shuffle<f32>(y00, y01, 0, 4, 1, 5), v128.shuffle<f32>(y00, y01, 2, 6, 3, 7), cols);
  if (rows > 1) storeRow(out + rowBytes, v128.shuffle<f32>(y10, y11, 0, 4, 1, 5), v128.shuffle<f32>(y10, y11, 2, 6, 3, 7), cols);
}

// @ts-ignore: decorator
@inline function storeRow(out: usize, lo: v128, hi: v128, cols: i32): void {
  if (cols >= 8) {
    v128.store(out, lo);
    v128.store(out, hi, 16);
    return;
  }
  if (cols >= 4) {
    v128.store(out, lo);
    for (let i = 4; i < cols; i++) store<f32>(out + <usize>i * 4, laneOf(hi, i - 4));
    return;
  }
  for (let i = 0; i < cols; i++) store<f32>(out + <usize>i * 4, laneOf(lo, i));
}

// @ts-ignore: decorator
@inline function laneOf(v: v128, i: i32): f32 {
  return i == 0 ? f32x4.extract_lane(v, 0) : i == 1 ? f32x4.extract_lane(v, 1) : i == 2 ? f32x4.extract_lane(v, 2) : f32x4.extract_lane(v, 3);
}
