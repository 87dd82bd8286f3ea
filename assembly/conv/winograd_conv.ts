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
import { f32_maxpool2d_rows } from "../pool/pool";
import {
  GROUP, TILE_BLOCK, F2X3_PASS_LIMIT, tilesOf, groupsPerRow, blockCount, blocksPerPass, stageInput, positionGemms,
  inputTransform4, outputTransform4,
} from "./winograd";
import { F4X3_PASS_LIMIT, stageWidth4, inputTransform, transformA, storeRow4, storeValid } from "./winograd4";
import { stageHeight3, stageWidth3, stagePhases, inputTransform3, transformA3, storeRow3 } from "./winograd_s2";
import { packF2x3, packF4x3, packS2k7 } from "./winograd_pack";
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

// 3x3 stride 1 by F(m x m, 3x3), m = 2 or 4. `scratch` is unused (stageInput pads every mode while
// it stages); the three Winograd kernels keep one argument list
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
      padTop, padBottom, padLeft, padRight, padMode, workspace, stageH, stageW);
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

// ---- Threads (issue #15): one image's call in three kinds of task ----
//
// f32_winograd_stage stages input channels [c0, c1) (the stem: padded into `scratch`, then its 4
// phases); in channel mode it also computes those channels' V for every tile block. Then either
// f32_winograd_tiles (tile mode: U small, many tile blocks) takes tile blocks [b0, b1): V, M and Y
// of each block, all output channels, its V/M/rows its own (`local`); or f32_winograd_outblocks
// (channel mode: U large, or few tile blocks) takes output-channel blocks [b0, b1) of a chunk: packs
// their U (lean), M for every tile block, Y. A non-clamp activation runs over exactly the outputs a
// task stored. Every output is the whole call's sum in the same order: the bits do not depend on
// the split. Workspace layouts: f32_winograd_plan.

/**
 * The threaded calls' geometry, `part`: 0 tile blocks, 1 blocks a pass of the whole call takes
 * (1: U small), 2 tile mode's shared bytes (the staged input), 3 its bytes per thread (V, M, rows of
 * one block), 4 channel mode's shared bytes (staged input, V and M of every block), 5 its bytes per
 * thread (rows), 6 and 7 the staged planes' height and width. m: 2 F(2,3), 4 F(4,3), 3 the stem; `outChannels`: the channels whose M is held
 * (lean: a chunk's).
 */
export function f32_winograd_plan(m: i32, channels: i32, outChannels: i32, outHeight: i32, outWidth: i32, part: i32): f64 {
  const positions = m == 2 ? 16 : 36;
  const phaseChannels = m == 3 ? 4 * channels : channels;
  const blocks = blockCount(outHeight, outWidth, m);
  if (part == 0) return <f64>blocks;
  if (part == 1) return <f64>blocksPerPass(positions, phaseChannels, outChannels, outHeight, outWidth, m, m == 2 ? F2X3_PASS_LIMIT : F4X3_PASS_LIMIT);
  const paddedOut = <f64>(((outChannels + GEMM_MR - 1) / GEMM_MR) * GEMM_MR);
  const staged = roundUp64(<f64>phaseChannels * <f64>stageHeightOf(m, outHeight) * <f64>stageWidthOf(m, outWidth) * 4);
  const rowBytes: f64 = 64 * 16;
  if (part == 2) return staged;
  if (part == 3) return roundUp64(<f64>positions * (<f64>phaseChannels + paddedOut) * TILE_BLOCK * 4 + rowBytes);
  if (part == 4) return staged + <f64>positions * (<f64>phaseChannels + paddedOut) * <f64>blocks * TILE_BLOCK * 4;
  if (part == 6) return <f64>stageHeightOf(m, outHeight);
  if (part == 7) return <f64>stageWidthOf(m, outWidth);
  return rowBytes;
}

// @ts-ignore: decorator
@inline function roundUp64(bytes: f64): f64 {
  return Math.ceil(bytes / 64) * 64;
}

// @ts-ignore: decorator
@inline function stageHeightOf(m: i32, outHeight: i32): i32 {
  return m == 3 ? stageHeight3(outHeight) : m * tilesOf(outHeight, m) + 2;
}

// @ts-ignore: decorator
@inline function stageWidthOf(m: i32, outWidth: i32): i32 {
  return m == 2 ? 2 * GROUP * groupsPerRow(outWidth, 2) + 2 : m == 4 ? stageWidth4(outWidth) : stageWidth3(outWidth);
}

/**
 * Threads: stages input channels [c0, c1) of one image into `workspace` (as the whole call; the stem
 * pads them into `scratch` first); `withV` (channel mode): and their V for every tile block, with
 * `rows` (f32_winograd_plan part 5 bytes) for the transforms' scratch.
 */
export function f32_winograd_stage(
  m: i32, input: usize, channels: i32, height: i32, width: i32,
  padTop: i32, padBottom: i32, padLeft: i32, padRight: i32, padMode: i32,
  outHeight: i32, outWidth: i32, workspace: usize, scratch: usize, withV: i32, rows: usize, c0: i32, c1: i32,
): void {
  if (c1 <= c0) return;
  const stageH = stageHeightOf(m, outHeight);
  const stageW = stageWidthOf(m, outWidth);
  const stagePlane = <usize>stageH * stageW;
  const paddedH = height + padTop + padBottom;
  const paddedW = width + padLeft + padRight;
  const source = input + <usize>c0 * height * width * 4;
  const padded = scratch + <usize>c0 * paddedH * paddedW * 4;
  // (phase) channels [p0, p1)
  let p0 = c0, p1 = c1;
  if (m == 3) {
    p0 = 4 * c0;
    p1 = 4 * c1;
    if ((padTop | padBottom | padLeft | padRight) != 0) {
      f32_pad2d(source, padded, c1 - c0, height, width, padTop, padBottom, padLeft, padRight, padMode, 0);
      stagePhases(padded, c1 - c0, paddedH, paddedW, workspace + <usize>p0 * stagePlane * 4, stageH, stageW);
    } else {
      stagePhases(source, c1 - c0, height, width, workspace + <usize>p0 * stagePlane * 4, stageH, stageW);
    }
  } else {
    stageInput(source, c1 - c0, height, width, padTop, padBottom, padLeft, padRight, padMode,
      workspace + <usize>p0 * stagePlane * 4, stageH, stageW);
  }
  if (withV == 0) return;
  const phaseChannels = m == 3 ? 4 * channels : channels;
  const rowGroups = groupsPerRow(outWidth, m);
  const totalGroups = tilesOf(outHeight, m) * rowGroups;
  const totalBlocks = blockCount(outHeight, outWidth, m);
  const vPass = workspace + <usize>f32_winograd_plan(m, channels, 0, outHeight, outWidth, 2);
  transformInput(m, phaseChannels, workspace, stageH, stageW, rowGroups, totalGroups, 0, totalBlocks, p0, p1, vPass,
    totalBlocks * TILE_BLOCK, rows);
}

/**
 * Threads, tile mode: tile blocks [b0, b1) of one image (input staged by f32_winograd_stage in
 * `workspace`, whole-layer U in `packed`), block by block: V, M = U . V, Y + bias clamped into
 * `output` (the image's [OC, outHeight, outWidth]); `local`: this thread's f32_winograd_plan part 3
 * bytes. A non-clamp activation (actKind) runs over this task's outputs as its tile rows complete.
 */
export function f32_winograd_tiles(
  m: i32, channels: i32, packed: usize, bias: usize, outChannels: i32,
  output: usize, outHeight: i32, outWidth: i32, workspace: usize, local: usize,
  actMin: f32, actMax: f32, actKind: i32, b0: i32, b1: i32,
): void {
  const positions = m == 2 ? 16 : 36;
  if (m == 3) channels *= 4;
  const staged = workspace;
  const stageH = stageHeightOf(m, outHeight);
  const stageW = stageWidthOf(m, outWidth);
  const rowGroups = groupsPerRow(outWidth, m);
  const totalGroups = tilesOf(outHeight, m) * rowGroups;
  const blocks = (outChannels + GEMM_MR - 1) / GEMM_MR;
  const vPass = local;
  const mPass = vPass + <usize>positions * channels * TILE_BLOCK * 4;
  const rows = mPass + <usize>positions * blocks * GEMM_MR * TILE_BLOCK * 4;
  const vmin = f32x4.splat(actKind == 0 ? actMin : -Infinity);
  const vmax = f32x4.splat(actKind == 0 ? actMax : Infinity);
  let doneGroups = 2 * b0;
  for (let b = b0; b < b1; b++) {
    transformInput(m, channels, staged, stageH, stageW, rowGroups, totalGroups, b, 1, 0, channels, vPass, TILE_BLOCK, rows);
    positionGemms(positions, channels, blocks, packed, vPass, mPass, 1, TILE_BLOCK, 0, blocks);
    transformOutput(m, mPass, blocks, TILE_BLOCK, b, 1, rowGroups, totalGroups, output, outHeight, outWidth,
      bias, 0, 0, outChannels, rows, vmin, vmax);
    if (actKind != 0) {
      const groups = min(totalGroups, 2 * (b + 1));
      if (b == b1 - 1 || groups % rowGroups == 0 || groups == totalGroups) {
        activateGroups(m, output, 0, outChannels, outHeight, outWidth, rowGroups, doneGroups, groups, actKind, actMin, actMax);
        doneGroups = groups;
      }
    }
  }
}

/**
 * f32_activation over the outputs of tile groups [g0, g1) (row-major, rowGroups a tile row) of
 * output channels [oc0, oc1): whole tile rows as one span a channel, a partial tile row row by row.
 */
function activateGroups(
  m: i32, output: usize, oc0: i32, oc1: i32, outHeight: i32, outWidth: i32, rowGroups: i32, g0: i32, g1: i32,
  actKind: i32, actMin: f32, actMax: f32,
): void {
  const outPlane = <usize>outHeight * outWidth;
  let g = g0;
  while (g < g1) {
    const th = g / rowGroups;
    const rowStart = th * rowGroups;
    const r0 = m * th;
    if (g == rowStart && g1 >= rowStart + rowGroups) {
      // whole tile rows th .. (g1 / rowGroups) - 1: contiguous in each plane
      const thEnd = g1 / rowGroups;
      const r1 = min(outHeight, m * thEnd);
      for (let oc = oc0; oc < oc1; oc++) {
        const span = output + (<usize>oc * outPlane + <usize>r0 * outWidth) * 4;
        f32_activation(span, span, (r1 - r0) * outWidth, actKind, actMin, actMax);
      }
      g = thEnd * rowGroups;
    } else {
      // part of tile row th: columns [col0, col1) of its rows
      const gEnd = min(g1, rowStart + rowGroups);
      const col0 = m * GROUP * (g - rowStart);
      const col1 = min(outWidth, m * GROUP * (gEnd - rowStart));
      const r1 = min(outHeight, r0 + m);
      for (let oc = oc0; oc < oc1; oc++) {
        for (let r = r0; r < r1; r++) {
          const span = output + (<usize>oc * outPlane + <usize>r * outWidth + col0) * 4;
          f32_activation(span, span, col1 - col0, actKind, actMin, actMax);
        }
      }
      g = gEnd;
    }
  }
}

/**
 * Threads, channel mode: output-channel blocks [b0, b1) of the chunk oc0 + [0, n) of one image, over
 * every tile block (V of all blocks made by f32_winograd_stage in `workspace`, M after it): lean
 * (`weight` != 0, `fold` as the whole call's) packs those blocks' U into `packed` (the chunk's U)
 * first; then M = U . V, Y + bias clamped into `output` (the image's), and a non-clamp activation
 * over those channels. `rows`: this thread's f32_winograd_plan part 5 bytes.
 */
export function f32_winograd_outblocks(
  m: i32, channels: i32, packed: usize, bias: usize, outChannels: i32, oc0: i32, n: i32,
  output: usize, outHeight: i32, outWidth: i32, workspace: usize, rows: usize,
  actMin: f32, actMax: f32, actKind: i32, weight: usize, fold: usize, b0: i32, b1: i32,
): void {
  const positions = m == 2 ? 16 : 36;
  const inChannels = channels;
  if (m == 3) channels *= 4;
  const rowGroups = groupsPerRow(outWidth, m);
  const totalGroups = tilesOf(outHeight, m) * rowGroups;
  const totalBlocks = blockCount(outHeight, outWidth, m);
  const passTiles = totalBlocks * TILE_BLOCK;
  const vPass = workspace + <usize>f32_winograd_plan(m, inChannels, 0, outHeight, outWidth, 2);
  const mPass = vPass + <usize>positions * channels * passTiles * 4;
  const blocks = (n + GEMM_MR - 1) / GEMM_MR;
  const ocStart = b0 * GEMM_MR;
  const ocEnd = min(n, b1 * GEMM_MR);
  if (ocEnd <= ocStart) return;
  if (weight != 0) packChunk(m, weight, fold, outChannels, oc0, n, channels, packed, b0, b1);
  positionGemms(positions, channels, blocks, packed, vPass, mPass, totalBlocks, passTiles, b0, b1);
  const vmin = f32x4.splat(actKind == 0 ? actMin : -Infinity);
  const vmax = f32x4.splat(actKind == 0 ? actMax : Infinity);
  transformOutput(m, mPass, blocks, passTiles, 0, totalBlocks, rowGroups, totalGroups, output, outHeight, outWidth,
    bias, oc0, ocStart, ocEnd, rows, vmin, vmax);
  if (actKind != 0) {
    const outPlane = <usize>outHeight * outWidth;
    for (let oc = oc0 + ocStart; oc < oc0 + ocEnd; oc++) {
      const span = output + <usize>oc * outPlane * 4;
      f32_activation(span, span, outHeight * outWidth, actKind, actMin, actMax);
    }
  }
}

/**
 * Threads: whole bands [u0, u1) of a fused convolution + max pool (convolveAndPool in
 * src/functional/conv.ts; unit u is image u / bands, band u % bands), each on this thread alone: its
 * input rows copied into `local`, convolved by one Winograd call (m: 2 F(2,3), 4 F(4,3), 3 the stem)
 * into the band buffer, then pooled into `output`. The same calls, on the same bands, as the one-thread
 * path: the same bits; and a band's data never leaves the core that made it. `local` (this thread's):
 * the input rows (`sourceBytes`), the padded copy (`paddedBytes`), the kernel's workspace
 * (`workspaceBytes`), then the band's convolution output.
 */
export function f32_winograd_pool_bands(
  m: i32, input: usize, channels: i32, height: i32, width: i32, packed: usize, bias: usize, outChannels: i32,
  padTop: i32, padLeft: i32, padRight: i32, strideH: i32, reach: i32, convH: i32, convW: i32,
  actMin: f32, actMax: f32, actKind: i32,
  poolKH: i32, poolKW: i32, poolSH: i32, poolSW: i32, poolPH: i32, poolPW: i32, poolDH: i32, poolDW: i32,
  output: usize, outHeight: i32, outWidth: i32, bandRows: i32, bands: i32,
  local: usize, sourceBytes: usize, paddedBytes: usize, workspaceBytes: usize, u0: i32, u1: i32,
): void {
  const source = local;
  const padded = source + sourceBytes;
  const workspace = padded + paddedBytes;
  const band = workspace + workspaceBytes;
  const windowRows = poolDH * (poolKH - 1) + 1;
  for (let u = u0; u < u1; u++) {
    const n = u / bands;
    const first = (u % bands) * bandRows;
    const last = min(outHeight, first + bandRows);
    // convolution rows [r0, r1) feed pooled rows [first, last); input rows [top, bottom) feed them
    const r0 = max(0, first * poolSH - poolPH);
    const r1 = min(convH, (last - 1) * poolSH - poolPH + windowRows);
    const top = r0 * strideH - padTop;
    const bottom = (r1 - 1) * strideH - padTop + reach;
    const i0 = max(0, top);
    const i1 = min(height, bottom);
    const inRows = i1 - i0;
    const image = input + <usize>n * channels * height * width * 4;
    for (let c = 0; c < channels; c++) {
      memory.copy(source + <usize>c * inRows * width * 4, image + (<usize>c * height + i0) * width * 4, <usize>inRows * width * 4);
    }
    const rows = r1 - r0;
    if (m == 3) {
      f32_conv2d_winograd_s2k7(source, 1, channels, inRows, width, packed, bias, outChannels, i0 - top, bottom - i1, padLeft, padRight, 0,
        band, rows, convW, workspace, padded, actMin, actMax, actKind, 0, 0, 0);
    } else if (m == 4) {
      f32_conv2d_winograd_f4x3(source, 1, channels, inRows, width, packed, bias, outChannels, i0 - top, bottom - i1, padLeft, padRight, 0,
        band, rows, convW, workspace, padded, actMin, actMax, actKind, 0, 0, 0);
    } else {
      f32_conv2d_winograd_f2x3(source, 1, channels, inRows, width, packed, bias, outChannels, i0 - top, bottom - i1, padLeft, padRight, 0,
        band, rows, convW, workspace, padded, actMin, actMax, actKind, 0, 0, 0);
    }
    f32_maxpool2d_rows(band, outChannels, rows, convW, poolKH, poolKW, poolSH, poolSW, r0 - (first * poolSH - poolPH), poolPW, poolDH, poolDW,
      output + (<usize>n * outChannels * outHeight + first) * outWidth * 4, outHeight * outWidth, outWidth, 0, last - first);
  }
}

/**
 * Threads, lean tile mode: blocks [b0, b1) of output channels [oc0, oc0 + n) of the unpacked weights
 * (`channels` input channels) packed into `packed` (U of those n channels), `fold` as the whole call's.
 */
export function f32_winograd_pack_blocks(
  m: i32, weight: usize, fold: usize, outChannels: i32, oc0: i32, n: i32, channels: i32, packed: usize, b0: i32, b1: i32,
): void {
  packChunk(m, weight, fold, outChannels, oc0, n, m == 3 ? 4 * channels : channels, packed, b0, b1);
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
  const outPlane = <usize>outHeight * outWidth;
  // actKind 0 (also when a caller omits it): the clamp [actMin, actMax] as the rows are stored; another
  // f32_activation kind runs over the output rows each pass completes, for every channel, in cache
  const vmin = f32x4.splat(actKind == 0 ? actMin : -Infinity);
  const vmax = f32x4.splat(actKind == 0 ? actMax : Infinity);
  let doneRows = 0;
  for (let first = 0; first < totalBlocks; first += pass) {
    const count = min(pass, totalBlocks - first);
    transformInput(m, channels, staged, stageH, stageW, rowGroups, totalGroups, first, count, 0, channels, vPass, passTiles, rows);
    for (let oc0 = 0; oc0 < outChannels; oc0 += chunk) {
      const n = min(chunk, outChannels - oc0);
      const blocks = (n + GEMM_MR - 1) / GEMM_MR;
      if (weight != 0 && (chunk < outChannels || first == 0)) packChunk(m, weight, fold, outChannels, oc0, n, channels, packed, 0, blocks);
      positionGemms(positions, channels, blocks, packed, vPass, mPass, count, passTiles, 0, blocks);
      transformOutput(m, mPass, blocks, passTiles, first, count, rowGroups, totalGroups, outImage, outHeight, outWidth,
        bias, oc0, 0, n, rows, vmin, vmax);
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

// inputTransforms and outputTransforms by the tile m (one copy of each for every caller: the
// whole-call kernels and the threads' tasks), the tile a constant in each copy's loops
function transformInput(
  m: i32, channels: i32, staged: usize, stageH: i32, stageW: i32, rowGroups: i32, totalGroups: i32,
  first: i32, count: i32, c0: i32, c1: i32, vPass: usize, passTiles: i32, rows: usize,
): void {
  if (m == 2) inputTransforms(2, channels, staged, stageH, stageW, rowGroups, totalGroups, first, count, c0, c1, vPass, passTiles, rows);
  else if (m == 4) inputTransforms(4, channels, staged, stageH, stageW, rowGroups, totalGroups, first, count, c0, c1, vPass, passTiles, rows);
  else inputTransforms(3, channels, staged, stageH, stageW, rowGroups, totalGroups, first, count, c0, c1, vPass, passTiles, rows);
}

function transformOutput(
  m: i32, mPass: usize, blocks: i32, passTiles: i32, first: i32, count: i32, rowGroups: i32, totalGroups: i32,
  outImage: usize, outHeight: i32, outWidth: i32, bias: usize, oc0: i32, ocStart: i32, ocEnd: i32, rows: usize,
  vmin: v128, vmax: v128,
): void {
  if (m == 2) outputTransforms(2, mPass, blocks, passTiles, first, count, rowGroups, totalGroups, outImage, outHeight, outWidth, bias, oc0, ocStart, ocEnd, rows, vmin, vmax);
  else if (m == 4) outputTransforms(4, mPass, blocks, passTiles, first, count, rowGroups, totalGroups, outImage, outHeight, outWidth, bias, oc0, ocStart, ocEnd, rows, vmin, vmax);
  else outputTransforms(3, mPass, blocks, passTiles, first, count, rowGroups, totalGroups, outImage, outHeight, outWidth, bias, oc0, ocStart, ocEnd, rows, vmin, vmax);
}

/**
 * V = B^T d B for tile blocks [first, first + count) (at block t - first of a pass of `passTiles`
 * tiles) and (phase) channels [c0, c1) of `channels`, from the input staged at `staged`.
 */
// @ts-ignore: decorator
@inline function inputTransforms(
  m: i32, channels: i32, staged: usize, stageH: i32, stageW: i32, rowGroups: i32, totalGroups: i32,
  first: i32, count: i32, c0: i32, c1: i32, vPass: usize, passTiles: i32, rows: usize,
): void {
  const stagePlane = <usize>stageH * stageW;
  const vPositionStride = <usize>channels * passTiles * 4;
  for (let t = 0; t < count; t++) {
    for (let half = 0; half < 2; half++) {
      // a missing second group (odd group count) leaves stale lanes: their outputs are never stored
      const group = (first + t) * 2 + half;
      if (group >= totalGroups) break;
      const th = group / rowGroups;
      const tw0 = (group - th * rowGroups) * GROUP;
      for (let c = c0; c < c1; c++) {
        const base = staged + (<usize>c * stagePlane + <usize>(m * th) * stageW + <usize>(m * tw0)) * 4;
        const dst = vPass + ((<usize>t * channels + c) * TILE_BLOCK + half * GROUP) * 4;
        if (m == 2) inputTransform4(base, <usize>stageW * 4, dst, vPositionStride);
        else if (m == 4) inputTransform(base, <usize>stageW * 4, rows, dst, vPositionStride);
        else inputTransform3(base, <usize>stageW * 4, rows, dst, vPositionStride);
      }
    }
  }
}

/**
 * Y = A^T M A + bias for tile blocks [first, first + count) (M of `blocks` output-channel blocks, a
 * pass of `passTiles` tiles) and the chunk's output channels oc0 + [ocStart, ocEnd), clamped, into
 * the output rows m th .. m th + m - 1 of each block's groups.
 */
// @ts-ignore: decorator
@inline function outputTransforms(
  m: i32, mPass: usize, blocks: i32, passTiles: i32, first: i32, count: i32, rowGroups: i32, totalGroups: i32,
  outImage: usize, outHeight: i32, outWidth: i32, bias: usize, oc0: i32, ocStart: i32, ocEnd: i32, rows: usize,
  vmin: v128, vmax: v128,
): void {
  const outPlane = <usize>outHeight * outWidth;
  const mPositionStride = <usize>blocks * GEMM_MR * passTiles * 4;
  for (let t = 0; t < count; t++) {
    for (let half = 0; half < 2; half++) {
      const group = (first + t) * 2 + half;
      if (group >= totalGroups) break;
      const th = group / rowGroups;
      const firstCol = m * (group - th * rowGroups) * GROUP;
      const rowsLeft = outHeight - m * th;
      const cols = min(m * GROUP, outWidth - firstCol);
      for (let oc = ocStart; oc < ocEnd; oc++) {
        const vbias = f32x4.splat(bias != 0 ? load<f32>(bias + <usize>(oc0 + oc) * 4) : 0);
        const src = mPass + ((<usize>t * blocks * GEMM_MR + oc) * TILE_BLOCK + half * GROUP) * 4;
        const out = outImage + (<usize>(oc0 + oc) * outPlane + <usize>(m * th) * outWidth + firstCol) * 4;
        if (m == 2) outputTransform4(src, mPositionStride, out, <usize>outWidth * 4, cols, rowsLeft, vbias, vmin, vmax);
        else outputTransform6(m, src, mPositionStride, rows, out, <usize>outWidth * 4, cols, rowsLeft, vbias, vmin, vmax);
      }
    }
  }
}

/**
 * Lean mode: blocks [b0, b1) of output channels [oc0, oc0 + n) of the [OC][C][taps] weights -> U at
 * `packed` (U of the n channels; tile m; `channels`: the pass loop's, 4 phase channels a channel
 * for the stem); with a `fold`, each row times its f64 factor first, into the rows after the
 * factors (row oc0 + i at row i). Each block's U and rows are its own: threads take disjoint blocks.
 */
function packChunk(m: i32, weight: usize, fold: usize, outChannels: i32, oc0: i32, n: i32, channels: i32, packed: usize, b0: i32, b1: i32): void {
  const inChannels = m == 3 ? channels >> 2 : channels;
  const rowFloats = inChannels * (m == 3 ? 49 : 9);
  let source = weight + <usize>oc0 * rowFloats * 4;
  if (fold != 0) {
    const rows = fold + <usize>outChannels * 8;
    const r0 = b0 * GEMM_MR;
    const r1 = min(n, b1 * GEMM_MR);
    if (r1 > r0) {
      f32_scale_rows(source + <usize>r0 * rowFloats * 4, fold + <usize>(oc0 + r0) * 8, r1 - r0, rowFloats, rows + <usize>r0 * rowFloats * 4);
    }
    source = rows;
  }
  if (m == 2) packF2x3(source, n, inChannels, packed, b0, b1);
  else if (m == 4) packF4x3(source, n, inChannels, packed, b0, b1);
  else packS2k7(source, n, inChannels, packed, b0, b1);
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
