// The Winograd convolutions' entry points and the pass loop they share.
//
// Each kernel stages its input planes (mode-padded; the stem's as 4 polyphase planes per channel),
// then, per pass of tile blocks: V = B^T d B for every block's 8 tiles and every (phase) channel,
// M = U . V by one GEMM per tile position, Y = A^T M A + bias, clamped, into the output (a fused
// activation other than the clamp runs over each pass's completed rows). The tile
// (m x m outputs: 2 for F(2,3), 4 for F(4,3), 3 for the stem's F(3,4)) picks the transforms; it is
// a constant in each inlined copy of `passes`, so the choice costs nothing in the hot loops.
//
// Lean memory mode (issue #13) keeps no transformed weights. Its calls pass 3 more arguments (a call
// with the first 21 has them 0: `packed` holds the whole layer's U): `weight`, the unpacked
// [OC, C, 3, 3] (stem: [OC, C, 7, 7]) weights; `fold`, 0 or a folded BatchNorm's OC f64 factors
// followed by room for min(chunk, OC) weight rows (each row is scaled there first, as
// f32_scale_rows); `chunk`, the output channels whose U `packed` has room for (a multiple of
// GEMM_MR; <= 0 or >= OC: all). Passes are then sized as the cached-weight call's on `chunk`
// channels (workspace: f32_winograd_*_workspace(C, min(chunk, OC), ...)), and each pass computes V
// once, then packs, multiplies and transforms one chunk at a time — the whole U only once a call
// when it fits. (A chunk whose U is under the pass limit runs one tile block per pass and packs
// again each pass: right, but slow; the host's chunks, ~2 MiB, are over it.) Every output is the
// same sum, in the same order, as with the whole layer's U: the same bits.

import { GEMM_MR } from "./pack";
import { f32_activation } from "../elementwise/activation";
import { f32_pad2d } from "./pad";
import {
  GROUP, TILE_BLOCK, F2X3_PASS_LIMIT, tilesOf, groupsPerRow, blockCount, blocksPerPass, stageInput, positionGemms,
  inputTransform4, outputTransform4,
} from "./winograd";
import { F4X3_PASS_LIMIT, stageWidth4, inputTransform, transformA, storeRow4, storeValid } from "./winograd4";
import { stageHeight3, stageWidth3, stagePhases, inputTransform3, transformA3, storeRow3 } from "./winograd_s2";
import { f32_winograd_f2x3_pack, f32_winograd_f4x3_pack, f32_winograd_s2k7_pack } from "./winograd_pack";
import { f32_scale_rows } from "./fold";
import { scratch, SCRATCH_WINO_ROW } from "../scratch";

export function f32_conv2d_winograd_f2x3(
  input: usize, batch: i32, channels: i32, height: i32, width: i32,
  packed: usize, bias: usize, outChannels: i32,
  padTop: i32, padBottom: i32, padLeft: i32, padRight: i32, padMode: i32,
  output: usize, outHeight: i32, outWidth: i32,
  workspace: usize, scratch: usize, actMin: f32, actMax: f32, actKind: i32,
  weight: usize, fold: usize, chunk: i32,
): void {
  conv3x3(2, input, batch, channels, height, width, packed, bias, outChannels, padTop, padBottom, padLeft, padRight, padMode,
    output, outHeight, outWidth, workspace, scratch, actMin, actMax, actKind, weight, fold, chunk);
}

export function f32_conv2d_winograd_f4x3(
  input: usize, batch: i32, channels: i32, height: i32, width: i32,
  packed: usize, bias: usize, outChannels: i32,
  padTop: i32, padBottom: i32, padLeft: i32, padRight: i32, padMode: i32,
  output: usize, outHeight: i32, outWidth: i32,
  workspace: usize, scratch: usize, actMin: f32, actMax: f32, actKind: i32,
  weight: usize, fold: usize, chunk: i32,
): void {
  conv3x3(4, input, batch, channels, height, width, packed, bias, outChannels, padTop, padBottom, padLeft, padRight, padMode,
    output, outHeight, outWidth, workspace, scratch, actMin, actMax, actKind, weight, fold, chunk);
}

// 3x3 stride 1 by F(m x m, 3x3), m = 2 or 4
// @ts-ignore: decorator
@inline function conv3x3(
  m: i32, input: usize, batch: i32, channels: i32, height: i32, width: i32,
  packed: usize, bias: usize, outChannels: i32,
  padTop: i32, padBottom: i32, padLeft: i32, padRight: i32, padMode: i32,
  output: usize, outHeight: i32, outWidth: i32,
  workspace: usize, scratch: usize, actMin: f32, actMax: f32, actKind: i32,
  weight: usize, fold: usize, chunk: i32,
): void {
  if (batch == 0 || outChannels == 0 || outHeight == 0 || outWidth == 0) return;
  if (weight == 0 || <u32>(chunk - 1) >= <u32>outChannels) chunk = outChannels;   // chunk <= 0 or > OC: all
  const positions = (m + 2) * (m + 2);
  const stageH = m * tilesOf(outHeight, m) + 2;
  const stageW = m == 2 ? 2 * GROUP * groupsPerRow(outWidth, 2) + 2 : stageWidth4(outWidth);
  const pass = blocksPerPass(positions, channels, chunk, outHeight, outWidth, m, m == 2 ? F2X3_PASS_LIMIT : F4X3_PASS_LIMIT);
  for (let n = 0; n < batch; n++) {
    stageInput(input + <usize>n * channels * height * width * 4, channels, height, width,
      padTop, padBottom, padLeft, padRight, padMode, scratch, workspace, stageH, stageW);
    passes(m, positions, channels, packed, bias, outChannels, output + <usize>n * outChannels * outHeight * outWidth * 4, outHeight, outWidth,
      workspace, stageH, stageW, pass, actMin, actMax, actKind, n == 0 || chunk < outChannels ? weight : 0, fold, chunk);
  }
}

/**
 * Convolution with a [OC, C, 7, 7] kernel, stride 2, dilation 1, groups 1 (winograd_s2.ts).
 * `scratch` holds the (mode-)padded input when any pad is non-zero ([C, H + pads, W + pads]).
 */
export function f32_conv2d_winograd_s2k7(
  input: usize, batch: i32, channels: i32, height: i32, width: i32,
  packed: usize, bias: usize, outChannels: i32,
  padTop: i32, padBottom: i32, padLeft: i32, padRight: i32, padMode: i32,
  output: usize, outHeight: i32, outWidth: i32,
  workspace: usize, scratch: usize, actMin: f32, actMax: f32, actKind: i32,
  weight: usize, fold: usize, chunk: i32,
): void {
  if (batch == 0 || outChannels == 0 || outHeight == 0 || outWidth == 0) return;
  if (weight == 0 || <u32>(chunk - 1) >= <u32>outChannels) chunk = outChannels;   // chunk <= 0 or > OC: all
  const phaseChannels = 4 * channels;
  const stageH = stageHeight3(outHeight);
  const stageW = stageWidth3(outWidth);
  const pass = blocksPerPass(36, phaseChannels, chunk, outHeight, outWidth, 3, F4X3_PASS_LIMIT);
  for (let n = 0; n < batch; n++) {
    let source = input + <usize>n * channels * height * width * 4;
    if ((padTop | padBottom | padLeft | padRight) != 0) {
      f32_pad2d(source, scratch, channels, height, width, padTop, padBottom, padLeft, padRight, padMode, 0);
      source = scratch;
    }
    stagePhases(source, channels, height + padTop + padBottom, width + padLeft + padRight, workspace, stageH, stageW);
    passes(3, 36, phaseChannels, packed, bias, outChannels, output + <usize>n * outChannels * outHeight * outWidth * 4, outHeight, outWidth,
      workspace, stageH, stageW, pass, actMin, actMax, actKind, n == 0 || chunk < outChannels ? weight : 0, fold, chunk);
  }
}

/**
 * One image, its input staged at `staged` ([channels][stageH][stageW]); V, M and the transforms'
 * scratch follow it in the workspace. Tiles go 4 neighbours of a tile row to a v128 ("group") and
 * 2 groups to a block of the micro-kernel's 8 columns. Each pass: V for all channels, then per chunk
 * of output channels U (lean, `weight` != 0: packed here into `packed`; whole-layer U only at the
 * first pass), M = U . V and Y.
 */
// @ts-ignore: decorator
@inline function passes(
  m: i32, positions: i32, channels: i32, packed: usize, bias: usize, outChannels: i32,
  outImage: usize, outHeight: i32, outWidth: i32,
  staged: usize, stageH: i32, stageW: i32, pass: i32, actMin: f32, actMax: f32, actKind: i32,
  weight: usize, fold: usize, chunk: i32,
): void {
  const stagePlane = <usize>stageH * stageW;
  const rowGroups = groupsPerRow(outWidth, m);
  const totalGroups = tilesOf(outHeight, m) * rowGroups;
  const totalBlocks = blockCount(outHeight, outWidth, m);
  // per pass: V [positions][pass][C][8] and M [positions][pass][chunk's OCpad][8] (see positionGemms)
  const passTiles = pass * TILE_BLOCK;
  const vPass = staged + <usize>channels * stagePlane * 4;
  const mPass = vPass + <usize>positions * channels * passTiles * 4;
  const rows = mPass + <usize>positions * ((chunk + GEMM_MR - 1) / GEMM_MR) * GEMM_MR * passTiles * 4;   // the transforms' scratch
  const vPositionStride = <usize>channels * passTiles * 4;
  const outPlane = <usize>outHeight * outWidth;
  // actKind 0 (also when a caller omits it): the clamp [actMin, actMax] as the rows are stored; another
  // f32_activation kind runs over the output rows each pass completes, for every channel, in cache
  const vmin = f32x4.splat(actKind == 0 ? actMin : -Infinity);
  const vmax = f32x4.splat(actKind == 0 ? actMax : Infinity);
  let doneRows = 0;
  for (let first = 0; first < totalBlocks; first += pass) {
    const count = min(pass, totalBlocks - first);
    // V = B^T d B for each block's 8 tiles x all channels
    for (let t = 0; t < count; t++) {
      for (let half = 0; half < 2; half++) {
        // a missing second group (odd group count) leaves stale lanes: their outputs are never stored
        const group = (first + t) * 2 + half;
        if (group >= totalGroups) break;
        const th = group / rowGroups;
        const tw0 = (group - th * rowGroups) * GROUP;
        for (let c = 0; c < channels; c++) {
          const base = staged + (<usize>c * stagePlane + <usize>(m * th) * stageW + <usize>(m * tw0)) * 4;
          const dst = vPass + ((<usize>t * channels + c) * TILE_BLOCK + half * GROUP) * 4;
          if (m == 2) inputTransform4(base, <usize>stageW * 4, dst, vPositionStride);
          else if (m == 4) inputTransform(base, <usize>stageW * 4, rows, dst, vPositionStride);
          else inputTransform3(base, <usize>stageW * 4, rows, dst, vPositionStride);
        }
      }
    }
    for (let oc0 = 0; oc0 < outChannels; oc0 += chunk) {
      const n = min(chunk, outChannels - oc0);
      const blocks = (n + GEMM_MR - 1) / GEMM_MR;
      if (weight != 0 && (chunk < outChannels || first == 0)) packChunk(m, weight, fold, outChannels, oc0, n, channels, packed);
      positionGemms(positions, channels, blocks, packed, vPass, mPass, count, passTiles);
      // Y = A^T M A + bias -> output rows m th .. m th + m - 1
      const mPositionStride = <usize>blocks * GEMM_MR * passTiles * 4;
      for (let t = 0; t < count; t++) {
        for (let half = 0; half < 2; half++) {
          const group = (first + t) * 2 + half;
          if (group >= totalGroups) break;
          const th = group / rowGroups;
          const firstCol = m * (group - th * rowGroups) * GROUP;
          const rowsLeft = outHeight - m * th;
          const cols = min(m * GROUP, outWidth - firstCol);
          for (let oc = 0; oc < n; oc++) {
            const vbias = f32x4.splat(bias != 0 ? load<f32>(bias + <usize>(oc0 + oc) * 4) : 0);
            const src = mPass + ((<usize>t * blocks * GEMM_MR + oc) * TILE_BLOCK + half * GROUP) * 4;
            const out = outImage + (<usize>(oc0 + oc) * outPlane + <usize>(m * th) * outWidth + firstCol) * 4;
            if (m == 2) outputTransform4(src, mPositionStride, out, <usize>outWidth * 4, cols, rowsLeft, vbias, vmin, vmax);
            else outputTransform6(m, src, mPositionStride, rows, out, <usize>outWidth * 4, cols, rowsLeft, vbias, vmin, vmax);
          }
        }
      }
    }
    if (actKind != 0) {
      // groups go row-major: every tile row below the pass's last group is now complete
      const rowsDone = min(outHeight, m * (min(totalGroups, (first + count) * 2) / rowGroups));
      if (rowsDone > doneRows) {
        for (let oc = 0; oc < outChannels; oc++) {
          const span = outImage + (<usize>oc * outPlane + <usize>doneRows * outWidth) * 4;
          f32_activation(span, span, (rowsDone - doneRows) * outWidth, actKind, actMin, actMax);
        }
        doneRows = rowsDone;
      }
    }
  }
}

/**
 * Lean mode: output channels [oc0, oc0 + n) of the [OC][C][taps] weights -> U at `packed` (tile m;
 * `channels`: the pass loop's, 4 phase channels a channel for the stem); with a `fold`, each row
 * times its f64 factor first, into the rows after the factors.
 */
function packChunk(m: i32, weight: usize, fold: usize, outChannels: i32, oc0: i32, n: i32, channels: i32, packed: usize): void {
  const inChannels = m == 3 ? channels >> 2 : channels;
  const rowFloats = inChannels * (m == 3 ? 49 : 9);
  let source = weight + <usize>oc0 * rowFloats * 4;
  if (fold != 0) {
    const rows = fold + <usize>outChannels * 8;
    f32_scale_rows(source, fold + <usize>oc0 * 8, n, rowFloats, rows);
    source = rows;
  }
  if (m == 2) f32_winograd_f2x3_pack(source, n, inChannels, packed);
  else if (m == 4) f32_winograd_f4x3_pack(source, n, inChannels, packed);
  else f32_winograd_s2k7_pack(source, n, inChannels, packed);
}


/**
 * Y = A^T M A for 4 neighbouring 6x6 tiles of one output channel (F(4,3): m = 4; the stem's F(3,4):
 * m = 3): m[xi] at src + xi * positionStride -> m output rows of 4m columns (cols, rowsLeft valid),
 * + bias, clamped. Rows of M first into `rows` ([6][m] v128: row i, output column b), then
 * columns ([m][m] v128 after it), transposed to tile-major on store.
 */
// @ts-ignore: decorator
@inline function outputTransform6(
  m: i32, src: usize, positionStride: usize, rows: usize, out: usize, rowBytes: usize, cols: i32, rowsLeft: i32,
  vbias: v128, vmin: v128, vmax: v128,
): void {
  const rowStep = <usize>m * 16;
  for (let i = 0; i < 6; i++) {
    const p = src + <usize>(i * 6) * positionStride;
    const z0 = v128.load(p), z1 = v128.load(p + positionStride), z2 = v128.load(p + 2 * positionStride);
    const z3 = v128.load(p + 3 * positionStride), z4 = v128.load(p + 4 * positionStride), z5 = v128.load(p + 5 * positionStride);
    if (m == 4) transformA(z0, z1, z2, z3, z4, z5, rows + <usize>i * rowStep, 16);
    else transformA3(z0, z1, z2, z3, z4, z5, rows + <usize>i * rowStep, 16);
  }
  const ys = rows + 6 * rowStep;   // [m output rows a][m columns b] v128, lanes = tiles
  for (let b = 0; b < m; b++) {
    const col = rows + <usize>b * 16;
    const z0 = v128.load(col), z1 = v128.load(col + rowStep), z2 = v128.load(col + 2 * rowStep);
    const z3 = v128.load(col + 3 * rowStep), z4 = v128.load(col + 4 * rowStep), z5 = v128.load(col + 5 * rowStep);
    if (m == 4) transformA(z0, z1, z2, z3, z4, z5, ys + <usize>b * 16, rowStep);
    else transformA3(z0, z1, z2, z3, z4, z5, ys + <usize>b * 16, rowStep);
  }
  if (rowsLeft >= m && cols >= 4 * m) {
    // a whole tile row: straight stores
    storeRowM(m, ys, out, vbias, vmin, vmax);
    storeRowM(m, ys + rowStep, out + rowBytes, vbias, vmin, vmax);
    storeRowM(m, ys + 2 * rowStep, out + 2 * rowBytes, vbias, vmin, vmax);
    if (m == 4) storeRowM(m, ys + 3 * rowStep, out + 3 * rowBytes, vbias, vmin, vmax);
    return;
  }
  // the image's right or bottom edge: whole rows into scratch, then the valid columns
  const rowCount = min(m, rowsLeft);
  for (let a = 0; a < rowCount; a++) {
    storeRowM(m, ys + <usize>a * rowStep, scratch(SCRATCH_WINO_ROW), vbias, vmin, vmax);
    storeValid(out + <usize>a * rowBytes, scratch(SCRATCH_WINO_ROW), cols);
  }
}

// @ts-ignore: decorator
@inline function storeRowM(m: i32, y: usize, out: usize, vbias: v128, vmin: v128, vmax: v128): void {
  if (m == 4) storeRow4(y, out, vbias, vmin, vmax);
  else storeRow3(y, out, vbias, vmin, vmax);
}
