// f32 7x7 stride-2 convolution (the stem of ResNets and of the seed model) by polyphase
// decomposition and Winograd F(3x3, 4x4).
//
// With stride 2, output (i, j) reads padded input rows 2i + a and columns 2j + b (a, b < 7). Split
// the padded input into its 4 phases X_pq[i][j] = P[2i + p][2j + q] and the kernel into the matching
// sub-kernels w_pq[a'][b'] = w[2a' + p][2b' + q] (4x4, zero where 2a' + p or 2b' + q reaches 7):
// the convolution becomes a stride-1 4x4 correlation over 4C channels (c, p, q). That one runs as
// Winograd F(3x3, 4x4): each 3x3 output tile costs 36 multiplications per (phase channel, output
// channel) pair, 4C * 36 / 9 = 48 per output for C = 3 against the direct 147 — 3x fewer.
//
// F(3, 4) uses F(4, 3)'s points (0, +-1, +-2, inf), so its input transform B^T is F(4, 3)'s
// (winograd4.ts, shared); the weight transform G (6x4) and output transform A^T (3x6) follow from
// the same points:
//   G   = [1/4 0 0 0; -1/6 -1/6 -1/6 -1/6; -1/6 1/6 -1/6 1/6; 1/24 1/12 1/6 1/3; 1/24 -1/12 1/6 -1/3; 0 0 0 1]
//   A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 1]
// Tiles go 4 neighbours of a tile row to a v128 and 8 to a block of the 5x8 micro-kernel, as in
// the other Winograd kernels; the pass loop is winograd_conv.ts's, shared by all three.

import { GEMM_MR } from "./pack";
import { GROUP, TILE_BLOCK, tilesOf, groupsPerRow, blocksPerPass } from "./winograd";
import { transformB, columnsB, F4X3_PASS_LIMIT } from "./winograd4";

const POSITIONS: i32 = 36;

// @ts-ignore: decorator
@inline export function stageHeight3(outHeight: i32): i32 {
  return 3 * tilesOf(outHeight, 3) + 3;
}
// @ts-ignore: decorator
@inline export function stageWidth3(outWidth: i32): i32 {
  // a group's 4 tiles start at columns 0, 3, 6, 9 and its loads read 16 floats
  return 3 * GROUP * groupsPerRow(outWidth, 3) + 4;
}

/** Floats in the packed weights (winograd_pack.ts): per tile position (36) and block of 5 output channels, [5 zeros][4C][5]. */
export function f32_winograd_s2k7_packed_size(outChannels: i32, inChannels: i32): i32 {
  return POSITIONS * ((outChannels + GEMM_MR - 1) / GEMM_MR) * GEMM_MR * (4 * inChannels + 1);
}

/** Workspace bytes: the staged phase planes, V and M for one pass, and the transforms' scratch. */
export function f32_winograd_s2k7_workspace(channels: i32, outChannels: i32, outHeight: i32, outWidth: i32): f64 {
  const phaseChannels = 4 * channels;
  const paddedOut = <f64>(((outChannels + GEMM_MR - 1) / GEMM_MR) * GEMM_MR);
  // (as F(4,3): one block per pass while U is small, else all blocks in one pass)
  const pass = <f64>blocksPerPass(POSITIONS, phaseChannels, outChannels, outHeight, outWidth, 3, F4X3_PASS_LIMIT);
  return (<f64>phaseChannels * <f64>stageHeight3(outHeight) * <f64>stageWidth3(outWidth)
    + pass * POSITIONS * (<f64>phaseChannels + paddedOut) * TILE_BLOCK + 64 * 4) * 4 + 64;
}

/**
 * [C, H, W] (already padded) -> [C][4 phases][stageH][stageW]: phase (p, q) row i, column j =
 * source[2i + p][2j + q], zeros past the source (read only by tiles whose outputs are discarded).
 */
export function stagePhases(source: usize, channels: i32, height: i32, width: i32, staged: usize, stageH: i32, stageW: i32): void {
  const stagePlane = <usize>stageH * stageW;
  memory.fill(staged, 0, <usize>channels * 4 * stagePlane * 4);
  for (let c = 0; c < channels; c++) {
    const plane = source + <usize>c * height * width * 4;
    for (let phase = 0; phase < 4; phase++) {
      const p = phase >> 1;
      const q = phase & 1;
      const rowsCopied = min(stageH, (height - p + 1) >> 1);
      const colsCopied = min(stageW, (width - q + 1) >> 1);
      const dst = staged + <usize>(c * 4 + phase) * stagePlane * 4;
      for (let i = 0; i < rowsCopied; i++) {
        const src = plane + (<usize>(2 * i + p) * width + q) * 4;
        const row = dst + <usize>i * stageW * 4;
        let j = 0;
        // 4 outputs from 8 inputs: the even lanes of two loads
        for (; j + 4 <= colsCopied && 2 * j + 8 <= width - q; j += 4) {
          const s = src + <usize>(2 * j) * 4;
          v128.store(row + <usize>j * 4, v128.shuffle<f32>(v128.load(s), v128.load(s, 16), 0, 2, 4, 6));
        }
        for (; j < colsCopied; j++) store<f32>(row + <usize>j * 4, load<f32>(src + <usize>(2 * j) * 4));
      }
    }
  }
}

// 4 neighbouring 6x6 input tiles (tile j: columns 3j + k of 6 rows) -> V[6i+k] at dst + xi * positionStride.
// Rows first into `rows` (W = d B, [6][6] v128), then columns (V = B^T W).
// @ts-ignore: decorator
@inline export function inputTransform3(base: usize, rowBytes: usize, rows: usize, dst: usize, positionStride: usize): void {
  for (let i = 0; i < 6; i++) {
    const p = base + <usize>i * rowBytes;
    const a0 = v128.load(p), a1 = v128.load(p, 16), a2 = v128.load(p, 32), a3 = v128.load(p, 48);
    // column k of the 4 tiles = x[k], x[3+k], x[6+k], x[9+k]
    const z0 = v128.shuffle<f32>(v128.shuffle<f32>(a0, a1, 0, 3, 6, 7), a2, 0, 1, 2, 5);    // x0 x3 x6 | x9
    const z1 = v128.shuffle<f32>(v128.shuffle<f32>(a0, a1, 1, 4, 7, 7), a2, 0, 1, 2, 6);    // x1 x4 x7 | x10
    const z2 = v128.shuffle<f32>(v128.shuffle<f32>(a0, a1, 2, 5, 5, 5), a2, 0, 1, 4, 7);    // x2 x5 | x8 x11
    const z3 = v128.shuffle<f32>(v128.shuffle<f32>(a0, a1, 3, 6, 3, 6), v128.shuffle<f32>(a2, a3, 1, 4, 1, 4), 0, 1, 4, 5);  // x3 x6 | x9 x12
    const z4 = v128.shuffle<f32>(v128.shuffle<f32>(a1, a2, 0, 3, 6, 6), a3, 0, 1, 2, 5);    // x4 x7 x10 | x13
    const z5 = v128.shuffle<f32>(v128.shuffle<f32>(a1, a2, 1, 4, 7, 7), a3, 0, 1, 2, 6);    // x5 x8 x11 | x14
    transformB(z0, z1, z2, z3, z4, z5, rows + <usize>i * 96, 16);
  }
  columnsB(rows, dst, positionStride);
}

// A^T z for a 6-vector: y0 = z0 + (z1 + z2) + (z3 + z4), y1 = (z1 - z2) + 2 (z3 - z4), y2 = (z1 + z2) + 4 (z3 + z4) + z5
// @ts-ignore: decorator
@inline export function transformA3(z0: v128, z1: v128, z2: v128, z3: v128, z4: v128, z5: v128, dst: usize, stride: usize): void {
  const p = f32x4.add(z1, z2);
  const q = f32x4.sub(z1, z2);
  const r = f32x4.add(z3, z4);
  const s = f32x4.sub(z3, z4);
  v128.store(dst, f32x4.add(f32x4.add(z0, p), r));
  v128.store(dst + stride, f32x4.add(q, f32x4.mul(f32x4.splat(2), s)));
  v128.store(dst + 2 * stride, f32x4.add(f32x4.add(p, f32x4.mul(f32x4.splat(4), r)), z5));
}

// 4 neighbouring tiles of one output channel: m[xi] at src + xi * positionStride -> 3 output rows
// of 12 columns (cols, rows valid). Rows of M first into `rows` ([6][3] v128: row i, output column
// b), then columns ([3][3] v128 after it), interleaved to tile-major on store.
// one output row of 4 tiles x 3 columns (y at ys: columns b = 0..2, lanes = tiles), 12 floats at out
// @ts-ignore: decorator
@inline export function storeRow3(y: usize, out: usize, vbias: v128, vmin: v128, vmax: v128): void {
  const y0 = f32x4.pmin(f32x4.pmax(f32x4.add(v128.load(y), vbias), vmin), vmax);
  const y1 = f32x4.pmin(f32x4.pmax(f32x4.add(v128.load(y, 16), vbias), vmin), vmax);
  const y2 = f32x4.pmin(f32x4.pmax(f32x4.add(v128.load(y, 32), vbias), vmin), vmax);
  const t = v128.shuffle<f32>(y0, y1, 0, 4, 1, 5);
  const u = v128.shuffle<f32>(y0, y1, 2, 6, 3, 7);
  v128.store(out, v128.shuffle<f32>(t, y2, 0, 1, 4, 2));
  v128.store(out, v128.shuffle<f32>(v128.shuffle<f32>(y1, y2, 1, 5, 1, 5), u, 0, 1, 4, 5), 16);
  v128.store(out, v128.shuffle<f32>(y2, u, 2, 6, 7, 3), 32);
}


