// f32 2-D convolution, NCHW, as GEMM over im2col panels of 8 output pixels.
//
// For each image and group: the (mode-)padded input planes are made once in the workspace; then
// for tiles of 8 output pixels K x 8 panels are gathered (K = C/groups*KH*KW, contiguous v128
// copies when the 8 pixels sit in one row at stride 1) and the 5x8 micro-kernel runs them against
// every block of 5 output channels. 1x1 stride-1 unpadded convolutions skip the panel: the input
// planes already are the GEMM's B matrix.

import { f32_gemm_5x8__simd128 } from "./gemm";
import { GEMM_MR, GEMM_NR } from "./pack";
import { f32_pad2d, mapIndex } from "./pad";
import { f32_activation } from "../elementwise/activation";

// Cache blocking: K is split into blocks of at most KC_MAX rows, and pixel tiles are processed in
// chunks whose panels (chunk x KC x 8 floats) fit in about half of L2. Within a (chunk, K block) every
// block of 5 output channels loads its weights once and runs them against all the chunk's panels,
// so deep layers on small images (e.g. 512 channels at 7x7) read their weights once per chunk
// instead of once per 8 pixels.
const KC_MAX: i32 = 512;
const PANEL_BYTES: i32 = 256 * 1024;

// @ts-ignore: decorator
@inline function blockK(reduction: i32): i32 {
  return max(1, min(reduction, KC_MAX));
}
// @ts-ignore: decorator
@inline function chunkTiles(reduction: i32): i32 {
  return max(1, PANEL_BYTES / (blockK(reduction) * GEMM_NR * 4));
}

/** Workspace bytes f32_conv2d_igemm needs: padded planes of one image, a chunk of panels, 8 offsets. */
export function f32_conv2d_igemm_workspace(
  channels: i32, height: i32, width: i32, kernelH: i32, kernelW: i32, groups: i32,
  padTop: i32, padBottom: i32, padLeft: i32, padRight: i32,
): f64 {
  const padded = padTop | padBottom | padLeft | padRight
    ? <f64>channels * (height + padTop + padBottom) * (width + padLeft + padRight) : 0;
  const reduction = (channels / groups) * kernelH * kernelW;
  const panels = <f64>chunkTiles(reduction) * blockK(reduction) * GEMM_NR;
  return (padded + panels + GEMM_NR) * 4 + 64;
}

/**
 * The convolution over units [unitStart, unitEnd) of its grid (issue #15: a task's share): per image
 * and group, tile units of `tilesPerUnit` tiles of 8 output pixels, each split into block units of
 * `blocksPerUnit` blocks of 5 output channels (0: all tiles / all blocks, one unit per image and
 * group: the whole call is [0, batch * groups)), unit u = ((n * groups + g) * tileUnits + tu) *
 * blockUnits + bu. Every output's arithmetic (its K blocks in order, then the activation) is the
 * same whichever units a call covers, so the bits do not depend on the split. A call's consecutive
 * whole tile units are one run of tiles (the panels of a chunk serve all its blocks); panels are
 * gathered once per (tile run, block run) a call covers. With padding, a call pads each image it
 * touches in its workspace (threads: the host pads once first and passes zero pads).
 */
export function f32_conv2d_igemm(
  input: usize, batch: i32, channels: i32, height: i32, width: i32,
  packed: usize, outChannels: i32, groups: i32,
  kernelH: i32, kernelW: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32,
  padTop: i32, padBottom: i32, padLeft: i32, padRight: i32, padMode: i32,
  output: usize, outHeight: i32, outWidth: i32,
  workspace: usize, actMin: f32, actMax: f32, actKind: i32,
  unitStart: i32, unitEnd: i32, tilesPerUnit: i32, blocksPerUnit: i32,
): void {
  // the fused activation: f32_activation's kind (0, the default when a caller omits it: clamp to
  // [actMin, actMax]; others take actMin, actMax as their two parameters)
  if (batch == 0 || outChannels == 0 || outHeight == 0 || outWidth == 0) return;
  const groupIn = channels / groups;
  const groupOut = outChannels / groups;
  const blocks = (groupOut + GEMM_MR - 1) / GEMM_MR;
  const taps = kernelH * kernelW;
  const reduction = groupIn * taps;
  const blockFloats = GEMM_MR * (reduction + 1);
  const padded = (padTop | padBottom | padLeft | padRight) != 0;
  const paddedH = height + padTop + padBottom;
  const paddedW = width + padLeft + padRight;
  const planeFloats = <usize>paddedH * paddedW;
  const outPixels = outHeight * outWidth;
  const outPlaneBytes = <usize>outPixels * 4;
  const tiles = (outPixels + GEMM_NR - 1) / GEMM_NR;
  const tileStep = tilesPerUnit > 0 ? min(tilesPerUnit, tiles) : tiles;
  const blockStep = blocksPerUnit > 0 ? min(blocksPerUnit, blocks) : blocks;
  const tileUnits = (tiles + tileStep - 1) / tileStep;
  const blockUnits = (blocks + blockStep - 1) / blockStep;
  const groupUnits = tileUnits * blockUnits;
  const imageUnits = groups * groupUnits;
  const end = min<i64>(<i64>unitEnd, <i64>batch * imageUnits);
  // workspace: [padded planes][chunk panels][8 pixel offsets]
  const paddedInput = workspace;
  const panels = workspace + (padded ? <usize>channels * planeFloats * 4 : 0);
  let paddedImage = -1;
  let u = <i64>max(unitStart, 0);
  while (u < end) {
    const n = <i32>(u / imageUnits);
    let r = <i32>(u - <i64>n * imageUnits);
    const g = r / groupUnits;
    r -= g * groupUnits;
    const tu = r / blockUnits;
    const bu = r - tu * blockUnits;
    // the run this call covers from u: whole tile units (all their blocks), or blocks of one tile unit
    let tu1 = tu + 1, b0 = 0, b1 = blocks;
    if (bu == 0 && end - u >= blockUnits) {
      tu1 = min(tileUnits, tu + <i32>((end - u) / blockUnits));
      u += <i64>(tu1 - tu) * blockUnits;
    } else {
      const bu1 = <i32>min<i64>(<i64>blockUnits, <i64>bu + (end - u));
      b0 = bu * blockStep;
      b1 = min(blocks, bu1 * blockStep);
      u += <i64>(bu1 - bu);
    }
    let source = input + <usize>n * channels * height * width * 4;
    if (padded) {
      if (paddedImage != n) {
        f32_pad2d(source, paddedInput, channels, height, width, padTop, padBottom, padLeft, padRight, padMode, 0);
        paddedImage = n;
      }
      source = paddedInput;
    }
    igemmRun(
      source + <usize>g * groupIn * planeFloats * 4, paddedW, planeFloats,
      packed + <usize>g * blocks * blockFloats * 4, reduction, groupOut,
      kernelH, kernelW, strideH, strideW, dilationH, dilationW, padded,
      output + (<usize>n * outChannels + <usize>g * groupOut) * outPlaneBytes, outHeight, outWidth,
      tu * tileStep, min(tiles, tu1 * tileStep), b0, b1, panels, actMin, actMax, actKind,
    );
  }
}

/** Tiles [t0, t1) x blocks [b0, b1) of one image and group (f32_conv2d_igemm's run). */
function igemmRun(
  groupSource: usize, paddedW: i32, planeFloats: usize, groupPacked: usize, reduction: i32, groupOut: i32,
  kernelH: i32, kernelW: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padded: bool,
  groupOutput: usize, outHeight: i32, outWidth: i32,
  t0: i32, t1: i32, b0: i32, b1: i32, panels: usize, actMin: f32, actMax: f32, actKind: i32,
): void {
  const activated = actKind != 0 || actMin != -Infinity || actMax != Infinity;
  const taps = kernelH * kernelW;
  const blockFloats = GEMM_MR * (reduction + 1);
  const outPixels = outHeight * outWidth;
  const outPlaneBytes = <usize>outPixels * 4;
  // reading the input planes in place beat copying panels up to one K block (bench: 32->16 @112 0.57 vs
  // 0.74 ms); deeper (960->320 @7: 1.28 vs 1.02 ms) the contiguous panels win
  const pointwise = taps == 1 && strideH == 1 && strideW == 1 && !padded && reduction <= KC_MAX &&
    planesFitCache(planeFloats * 4, reduction);
  const kc = blockK(reduction);
  const chunk = chunkTiles(reduction);
  const panelBytes = <usize>kc * GEMM_NR * 4;
  const offsets = panels + <usize>chunk * panelBytes;
  for (let c0 = t0; c0 < t1; c0 += chunk) {
    const count = min(chunk, t1 - c0);
    // (one pass even when K = 0, e.g. zero input channels: the output is then the bias)
    for (let k0 = 0; k0 < max(reduction, 1); k0 += kc) {
      const kn = min(kc, reduction - k0);
      const last = k0 + kn >= reduction;
      for (let t = 0; t < count; t++) {
        const p0 = (c0 + t) * GEMM_NR;
        const nr = min(GEMM_NR, outPixels - p0);
        if (pointwise && nr == GEMM_NR) continue;   // read straight from the input planes below
        gatherPanel(groupSource, paddedW, planeFloats, kernelH, kernelW, strideH, strideW, dilationH, dilationW,
          outWidth, p0, nr, k0, kn, panels + <usize>t * panelBytes, offsets);
      }
      for (let b = b0; b < b1; b++) {
        const mr = min(GEMM_MR, groupOut - b * GEMM_MR);
        const block = groupPacked + <usize>b * blockFloats * 4;
        const weights = block + <usize>(GEMM_MR + k0 * GEMM_MR) * 4;
        const init = k0 == 0 ? block : 0;
        const outBlock = groupOutput + <usize>b * GEMM_MR * outPlaneBytes;
        for (let t = 0; t < count; t++) {
          const p0 = (c0 + t) * GEMM_NR;
          const nr = min(GEMM_NR, outPixels - p0);
          // [C, H*W] is already the K x pixels matrix for 1x1 stride-1 convolutions
          const direct = pointwise && nr == GEMM_NR;
          const a = direct ? groupSource + (<usize>k0 * planeFloats + p0) * 4 : panels + <usize>t * panelBytes;
          const aStride = direct ? planeFloats * 4 : GEMM_NR * 4;
          f32_gemm_5x8__simd128(kn, init, weights, a, aStride, outBlock + <usize>p0 * 4, outPlaneBytes, mr, nr);
        }
        if (last && activated) {
          // the fused activation over the block's rows of this chunk at once, while they are in
          // cache (per tile it cost a call each)
          const first = c0 * GEMM_NR;
          const pixels = min(outPixels, (c0 + count) * GEMM_NR) - first;
          for (let r = 0; r < mr; r++) {
            const row = outBlock + <usize>r * outPlaneBytes + <usize>first * 4;
            f32_activation(row, row, pixels, actKind, actMin, actMax);
          }
        }
      }
    }
  }
}

/**
 * Whether K rows read from planes `planeBytes` apart stay in L2 from one output-channel block to the
 * next: planes a power-of-two multiple apart share a few cache sets (32x32 planes, 4 KiB apart, map
 * to 16 of L2's 1024 sets: 128 lines for 512 rows), and then copying panels is faster (512 -> 125
 * channels @ 32x32: 3.35 vs 4.16 ms). L2 is taken as 512 KiB, 8-way, 64-byte lines.
 */
function planesFitCache(planeBytes: usize, rows: i32): bool {
  let a = planeBytes, b: usize = 65536;   // gcd with L2's way size
  while (b != 0) { const t = a % b; a = b; b = t; }
  const sets = min<usize>(1024, 65536 / max<usize>(a, 64));
  return <usize>rows * 2 <= sets * 8;
}

// [groupIn, paddedH, paddedW] -> panel [kn][8]: row k (k0 <= k < k0 + kn, k = (c, kh, kw)) holds that
// tap's input value for output pixels p0..p0+7 (pixels past the end repeat pixel p0; never stored).
function gatherPanel(
  source: usize, paddedW: i32, planeFloats: usize, kernelH: i32, kernelW: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, outWidth: i32,
  p0: i32, nr: i32, k0: i32, kn: i32, panel: usize, offsets: usize,
): void {
  const firstRow = p0 / outWidth;
  const firstCol = p0 - firstRow * outWidth;
  // the 8 pixels are one contiguous input run when they share an output row at stride 1
  const contiguous = nr == GEMM_NR && strideW == 1 && firstCol + GEMM_NR <= outWidth;
  // at stride 2, the even lanes of 16 floats from the run's start (read only while inside the row)
  const even = nr == GEMM_NR && strideW == 2 && firstCol + GEMM_NR <= outWidth &&
    2 * firstCol + (kernelW - 1) * dilationW + 16 <= paddedW;
  for (let j = 0; j < GEMM_NR; j++) {
    const p = j < nr ? p0 + j : p0;
    const oy = p / outWidth;
    const ox = p - oy * outWidth;
    store<i32>(offsets + <usize>j * 4, (oy * strideH * paddedW + ox * strideW) * 4);
  }
  // at stride 1, 8 pixels that run past the end of an output row are two contiguous runs (n1 pixels
  // of this row, 8 - n1 of the next): lanes below n1 come from the first run's start, the others
  // from the second run's start shifted back by n1, blended with a lane mask (instead of 8 scalar
  // copies per row of K; a 28-wide output has such a tile every 3.5)
  const n1 = outWidth - firstCol;
  const straddle = !contiguous && nr == GEMM_NR && strideW == 1 && n1 < GEMM_NR && outWidth >= GEMM_NR;
  // the same at stride 2, each run's even lanes (16 floats read from each start)
  const straddleEven = !even && nr == GEMM_NR && strideW == 2 && n1 < GEMM_NR && outWidth >= GEMM_NR;
  const maskLo = i32x4.gt_s(i32x4.splat(n1), i32x4(0, 1, 2, 3));
  const maskHi = i32x4.gt_s(i32x4.splat(n1), i32x4(4, 5, 6, 7));
  const taps = kernelH * kernelW;
  let c = k0 / taps;
  let kh = (k0 - c * taps) / kernelW;
  let kw = k0 - c * taps - kh * kernelW;
  const base = <usize>load<i32>(offsets);
  const secondBase = straddle ? <usize>(load<i32>(offsets + <usize>n1 * 4) - n1 * 4)
    : straddleEven ? <usize>(load<i32>(offsets + <usize>n1 * 4) - n1 * 8) : 0;
  let dst = panel;
  for (let k = 0; k < kn; k++) {
    const src = source + <usize>c * planeFloats * 4 + <usize>(kh * dilationH * paddedW + kw * dilationW) * 4;
    if (contiguous) {
      v128.store(dst, v128.load(src + base, 0), 0);
      v128.store(dst, v128.load(src + base, 16), 16);
    } else if (straddle) {
      v128.store(dst, v128.bitselect(v128.load(src + base, 0), v128.load(src + secondBase, 0), maskLo), 0);
      v128.store(dst, v128.bitselect(v128.load(src + base, 16), v128.load(src + secondBase, 16), maskHi), 16);
    } else if (straddleEven) {
      const a = src + base;
      const b = src + secondBase;
      v128.store(dst, v128.bitselect(v128.shuffle<f32>(v128.load(a, 0), v128.load(a, 16), 0, 2, 4, 6),
        v128.shuffle<f32>(v128.load(b, 0), v128.load(b, 16), 0, 2, 4, 6), maskLo), 0);
      v128.store(dst, v128.bitselect(v128.shuffle<f32>(v128.load(a, 32), v128.load(a, 48), 0, 2, 4, 6),
        v128.shuffle<f32>(v128.load(b, 32), v128.load(b, 48), 0, 2, 4, 6), maskHi), 16);
    } else if (even) {
      v128.store(dst, v128.shuffle<f32>(v128.load(src + base, 0), v128.load(src + base, 16), 0, 2, 4, 6), 0);
      v128.store(dst, v128.shuffle<f32>(v128.load(src + base, 32), v128.load(src + base, 48), 0, 2, 4, 6), 16);
    } else {
      for (let j = 0; j < GEMM_NR; j++) {
        store<f32>(dst + <usize>j * 4, load<f32>(src + <usize>load<i32>(offsets + <usize>j * 4)));
      }
    }
    dst += GEMM_NR * 4;
    // next (c, kh, kw)
    if (++kw == kernelW) {
      kw = 0;
      if (++kh == kernelH) {
        kh = 0;
        c++;
      }
    }
  }
}

/**
 * Scalar reference: the textbook six loops, padding by index mapping (no padded copy, no packing),
 * f32 accumulation in PyTorch's (c, kh, kw) order, bias added last. Tests compare fast paths to it.
 */
export function f32_conv2d_ref(
  input: usize, batch: i32, channels: i32, height: i32, width: i32,
  weight: usize, bias: usize, outChannels: i32, groups: i32,
  kernelH: i32, kernelW: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32,
  padTop: i32, padLeft: i32, padMode: i32,
  output: usize, outHeight: i32, outWidth: i32,
): void {
  const groupIn = channels / groups;
  const groupOut = outChannels / groups;
  for (let n = 0; n < batch; n++) {
    for (let oc = 0; oc < outChannels; oc++) {
      const g = oc / groupOut;
      for (let oy = 0; oy < outHeight; oy++) {
        for (let ox = 0; ox < outWidth; ox++) {
          let sum: f32 = 0;
          for (let c = 0; c < groupIn; c++) {
            const ic = g * groupIn + c;
            for (let kh = 0; kh < kernelH; kh++) {
              const iy = mapIndex(oy * strideH + kh * dilationH - padTop, height, padMode);
              if (iy < 0) continue;
              for (let kw = 0; kw < kernelW; kw++) {
                const ix = mapIndex(ox * strideW + kw * dilationW - padLeft, width, padMode);
                if (ix < 0) continue;
                const x = load<f32>(input + ((((<usize>n * channels + ic) * height) + iy) * width + ix) * 4);
                const w = load<f32>(weight + ((((<usize>oc * groupIn + c) * kernelH) + kh) * kernelW + kw) * 4);
                sum += x * w;
              }
            }
          }
          if (bias != 0) sum += load<f32>(bias + <usize>oc * 4);
          store<f32>(output + ((((<usize>n * outChannels + oc) * outHeight) + oy) * outWidth + ox) * 4, sum);
        }
      }
    }
  }
}
