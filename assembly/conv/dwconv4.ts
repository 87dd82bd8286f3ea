// f32 depthwise 2-D convolution with 4 channels across a v128's lanes ("c4"), for NCHW tensors.
// Per group of 4 channels: the padded input is staged interleaved, [PH][PW][4] (4x4 transposes
// for the interior, the padding mode's index map for the border), so every tap of every output
// pixel is one aligned load whatever the stride or dilation; 3x3 weights (9 vectors) stay in
// registers; the [OH][OW][4] result is transposed back into the 4 output planes. Taps are summed
// in kernel order and the bias added last, as in the other depthwise kernel and the reference.

import { mapIndex, PAD_CONSTANT } from "./pad";
import { madd } from "./gemm";
import { gather4, storeTransposed4 } from "../simd";
import { f32_activation } from "../elementwise/activation";
import { scratch, SCRATCH_DW4_TAPS } from "../scratch";

export function f32_dwconv2d_c4_workspace(height: i32, width: i32, padTop: i32, padBottom: i32, padLeft: i32, padRight: i32,
  outHeight: i32, outWidth: i32): f64 {
  return (<f64>(height + padTop + padBottom) * (width + padLeft + padRight) + <f64>outHeight * outWidth + 4) * 16 + 64;
}

export function f32_dwconv2d_c4(
  input: usize, batch: i32, channels: i32, height: i32, width: i32,
  weight: usize, bias: usize, multiplier: i32,
  kernelH: i32, kernelW: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32,
  padTop: i32, padBottom: i32, padLeft: i32, padRight: i32, padMode: i32,
  output: usize, outHeight: i32, outWidth: i32,
  workspace: usize, actMin: f32, actMax: f32, actKind: i32,
  bands: i32, unitStart: i32, unitEnd: i32,
): void {
  // actKind: f32_activation's kind fused here (0: the clamp [actMin, actMax]).
  // Units (issue #15): (image, band of output rows, group of 4 channels), group fastest; units
  // [unitStart, unitEnd) run here. Band-major, so a thread's contiguous share of the units is a
  // share of the image's rows, as the GEMM's tile tasks before and after it have: a layer's rows
  // mostly stay in the core that made them (MobileNetV2's 1x1 convs after a depthwise layer gained
  // up to 1.2-1.7x -> 1.8-1.9x at 2 threads). Band b of `bands` is output rows [b * OH / bands, (b + 1) * OH /
  // bands): only the input rows it reads are staged. Every output pixel's arithmetic is the same
  // whichever band or call computes it (rows and pixels are independent, the taps' order is fixed),
  // so the bits depend neither on `bands` nor on the unit ranges.
  const paddedH = height + padTop + padBottom;
  const paddedW = width + padLeft + padRight;
  const taps = kernelH * kernelW;
  const gatheredWeights = scratch(SCRATCH_DW4_TAPS);
  const staged = workspace;                                  // [PH][PW][4]
  const result = staged + <usize>paddedH * paddedW * 16;     // [OH][OW][4]
  const plane = <usize>height * width * 4;
  const outPlane = <usize>outHeight * outWidth * 4;
  const vmin = f32x4.splat(actKind == 0 ? actMin : -Infinity);
  const vmax = f32x4.splat(actKind == 0 ? actMax : Infinity);
  const outChannels = channels * multiplier;
  const groups = (channels + 3) >> 2;
  for (let unit = unitStart; unit < unitEnd; unit++) {
    const n = unit / (bands * groups);
    const rest = unit - n * bands * groups;
    const band = rest / groups;
    const c0 = (rest - band * groups) << 2;
    const oy0 = <i32>(<i64>band * outHeight / bands);
    const oy1 = <i32>(<i64>(band + 1) * outHeight / bands);
    const bandHeight = oy1 - oy0;
    if (bandHeight <= 0) continue;
    const lanes = min(4, channels - c0);
    // planes of the group's channels (missing lanes repeat the last real channel; never stored);
    // the band's padded input rows [oy0 * strideH, last row read + 1) staged from staged's row 0
    const base = input + (<usize>n * channels + c0) * plane;
    stage(base, lanes, plane, height, width, padTop, padLeft, paddedW, padMode, staged,
      oy0 * strideH, (oy1 - 1) * strideH + (kernelH - 1) * dilationH + 1);
    const bandOut = <usize>oy0 * outWidth * 4;
    for (let m = 0; m < multiplier; m++) {
      // weights and bias of output channels (c0 + l) * multiplier + m, one lane each
      const wStep = <usize>multiplier * taps * 4;
      const wBase = weight + (<usize>c0 * multiplier + m) * taps * 4;
      const b = bias != 0 ? laneVector(bias + (<usize>c0 * multiplier + m) * 4, <usize>multiplier * 4, lanes) : f32x4.splat(0);
      if (kernelH == 3 && kernelW == 3) {
        conv3x3(staged, paddedW, laneVector(wBase, wStep, lanes), laneVector(wBase + 4, wStep, lanes), laneVector(wBase + 8, wStep, lanes),
          laneVector(wBase + 12, wStep, lanes), laneVector(wBase + 16, wStep, lanes), laneVector(wBase + 20, wStep, lanes),
          laneVector(wBase + 24, wStep, lanes), laneVector(wBase + 28, wStep, lanes), laneVector(wBase + 32, wStep, lanes),
          b, result, bandHeight, outWidth, strideH, strideW, dilationH, dilationW);
      } else if (taps <= MAX_GATHERED_TAPS) {
        // any other kernel (EfficientNet's and MNASNet's 5x5): the group's weights gathered once
        // into [taps][4] vectors, so each tap is two aligned loads and a multiply-add
        for (let t = 0; t < taps; t++) v128.store(gatheredWeights + <usize>t * 16, laneVector(wBase + <usize>t * 4, wStep, lanes));
        if (dilationW == 1 && strideW == 1) convRowPairs(staged, paddedW, b, result, bandHeight, outWidth, kernelH, kernelW, strideH, dilationH);
        else if (kernelW == 5 && dilationW == 1) convRows5(staged, paddedW, b, result, bandHeight, outWidth, kernelH, strideH, strideW, dilationH);
        else {
          for (let oy = 0; oy < bandHeight; oy++) {
            for (let ox = 0; ox < outWidth; ox++) {
              const origin = staged + (<usize>(oy * strideH) * paddedW + <usize>(ox * strideW)) * 16;
              let acc = f32x4.splat(0);
              for (let kh = 0; kh < kernelH; kh++) {
                const row = origin + <usize>(kh * dilationH) * paddedW * 16;
                for (let kw = 0; kw < kernelW; kw++) {
                  acc = madd(acc, v128.load(gatheredWeights + <usize>(kh * kernelW + kw) * 16), v128.load(row + <usize>(kw * dilationW) * 16));
                }
              }
              v128.store(result + (<usize>oy * outWidth + ox) * 16, f32x4.add(acc, b));
            }
          }
        }
      } else {
        for (let oy = 0; oy < bandHeight; oy++) {
          for (let ox = 0; ox < outWidth; ox++) {
            const origin = staged + (<usize>(oy * strideH) * paddedW + <usize>(ox * strideW)) * 16;
            let acc = f32x4.splat(0);
            for (let kh = 0; kh < kernelH; kh++) {
              for (let kw = 0; kw < kernelW; kw++) {
                const w = laneVector(wBase + <usize>(kh * kernelW + kw) * 4, wStep, lanes);
                acc = madd(acc, w, v128.load(origin + (<usize>(kh * dilationH) * paddedW + <usize>(kw * dilationW)) * 16));
              }
            }
            v128.store(result + (<usize>oy * outWidth + ox) * 16, f32x4.add(acc, b));
          }
        }
      }
      // another activation than the clamp: over the group's result while it is in cache
      if (actKind != 0) f32_activation(result, result, bandHeight * outWidth * 4, actKind, actMin, actMax);
      unstage(result, bandHeight, outWidth, output + ((<usize>n * outChannels + <usize>c0 * multiplier + m) * outPlane) + bandOut,
        <usize>multiplier * outPlane, lanes, vmin, vmax);
    }
  }
}

// kernels up to 7x7 keep their gathered weights here ([taps][4] vectors, 16-byte aligned)
const MAX_GATHERED_TAPS = 49;

// Stride 1, dilation 1 across, any kernel (ConvNeXt's 7x7, EfficientNet's 5x5): two neighbouring
// outputs at a time share all but one of each kernel row's input columns, so a row costs kernelW
// weight loads + kernelW + 1 pixel loads for 2 * kernelW multiply-adds. Each output's taps are
// summed in kernel order from 0, the bias added last (as the one-pixel loop).
function convRowPairs(staged: usize, paddedW: i32, b: v128, result: usize, outHeight: i32, outWidth: i32,
  kernelH: i32, kernelW: i32, strideH: i32, dilationH: i32): void {
  const rowStep = <usize>(dilationH * paddedW) * 16;
  const weightRow = <usize>kernelW * 16;
  let dst = result;
  for (let oy = 0; oy < outHeight; oy++) {
    let origin = staged + <usize>(oy * strideH) * paddedW * 16;
    let ox = 0;
    for (; ox + 2 <= outWidth; ox += 2) {
      let a = f32x4.splat(0);
      let c = f32x4.splat(0);
      let row = origin;
      let wRow = scratch(SCRATCH_DW4_TAPS);
      for (let kh = 0; kh < kernelH; kh++) {
        let x = v128.load(row);
        let w = wRow;
        const wEnd = wRow + weightRow;
        let p = row;
        for (; w < wEnd; w += 16) {
          const next = v128.load(p, 16);
          const wv = v128.load(w);
          a = madd(a, wv, x);
          c = madd(c, wv, next);
          x = next;
          p += 16;
        }
        row += rowStep;
        wRow = wEnd;
      }
      v128.store(dst, f32x4.add(a, b));
      v128.store(dst, f32x4.add(c, b), 16);
      dst += 32;
      origin += 32;
    }
    for (; ox < outWidth; ox++) {
      let acc = f32x4.splat(0);
      let row = origin;
      let w = scratch(SCRATCH_DW4_TAPS);
      for (let kh = 0; kh < kernelH; kh++) {
        for (let kw = 0; kw < kernelW; kw++) acc = madd(acc, v128.load(w + <usize>kw * 16), v128.load(row + <usize>kw * 16));
        row += rowStep;
        w += weightRow;
      }
      v128.store(dst, f32x4.add(acc, b));
      dst += 16;
      origin += 16;
    }
  }
}

// Kernel width 5 (dilation 1 across): per output pixel, each kernel row's 5 weights and 5 pixels,
// unrolled; taps summed in kernel order from 0 (as the generic loop), the bias added last.
function convRows5(staged: usize, paddedW: i32, b: v128, result: usize, outHeight: i32, outWidth: i32,
  kernelH: i32, strideH: i32, strideW: i32, dilationH: i32): void {
  const rowStep = <usize>(dilationH * paddedW) * 16;
  const pixelStep = <usize>strideW * 16;
  let dst = result;
  for (let oy = 0; oy < outHeight; oy++) {
    let origin = staged + <usize>(oy * strideH) * paddedW * 16;
    for (let ox = 0; ox < outWidth; ox++) {
      let acc = f32x4.splat(0);
      let row = origin;
      let w = scratch(SCRATCH_DW4_TAPS);
      for (let kh = 0; kh < kernelH; kh++) {
        acc = madd(acc, v128.load(w), v128.load(row));
        acc = madd(acc, v128.load(w, 16), v128.load(row, 16));
        acc = madd(acc, v128.load(w, 32), v128.load(row, 32));
        acc = madd(acc, v128.load(w, 48), v128.load(row, 48));
        acc = madd(acc, v128.load(w, 64), v128.load(row, 64));
        row += rowStep;
        w += 80;
      }
      v128.store(dst, f32x4.add(acc, b));
      dst += 16;
      origin += pixelStep;
    }
  }
}

// 4 floats at p, p + step, ... (lanes past `lanes` repeat the last one)
// @ts-ignore: decorator
@inline function laneVector(p: usize, step: usize, lanes: i32): v128 {
  return lanes == 4 ? gather4(p, step) : gather4Partial(p, step, lanes);
}

function gather4Partial(p: usize, step: usize, lanes: i32): v128 {
  let v = f32x4.splat(load<f32>(p));
  if (lanes > 1) v = f32x4.replace_lane(v, 1, load<f32>(p + step));
  if (lanes > 2) v = f32x4.replace_lane(v, 2, load<f32>(p + 2 * step));
  return v;
}

// [4 planes of H x W] -> [PH][PW][4], padded by mode;
// padded rows [py0, py1) only, row py0 at staged
function stage(
  base: usize, lanes: i32, plane: usize, height: i32, width: i32, padTop: i32, padLeft: i32,
  paddedW: i32, padMode: i32, staged: usize, py0: i32, py1: i32,
): void {
  const p1 = base + (lanes > 1 ? plane : 0);
  const p2 = base + (lanes > 2 ? 2 * plane : lanes > 1 ? plane : 0);
  const p3 = base + (lanes > 3 ? 3 * plane : lanes > 2 ? 2 * plane : lanes > 1 ? plane : 0);
  for (let py = py0; py < py1; py++) {
    const row = staged + <usize>(py - py0) * paddedW * 16;
    const iy = mapIndex(py - padTop, height, padMode);
    if (iy < 0) {
      memory.fill(row, 0, <usize>paddedW * 16);
      continue;
    }
    const rowOffset = <usize>iy * width * 4;
    // interior: 4x4 transposes of 4 pixels x 4 channels; the last group of a row whose width is not
    // a multiple of 4 overlaps the one before (the same pixels again) instead of going pixel by pixel
    let ix = 0;
    while (ix < width) {
      if (ix + 4 > width) {
        if (width < 4) break;
        ix = width - 4;
      }
      transpose4(base + rowOffset, p1 + rowOffset, p2 + rowOffset, p3 + rowOffset, ix, row + <usize>(padLeft + ix) * 16);
      ix += 4;
    }
    for (; ix < width; ix++) {
      v128.store(row + <usize>(padLeft + ix) * 16, pixel(base, p1, p2, p3, rowOffset + <usize>ix * 4));
    }
    // the border columns: zeros, or by the mode's index map
    for (let px = 0; px < paddedW; px++) {
      if (px == padLeft) px = padLeft + width;
      if (px >= paddedW) break;
      if (padMode == PAD_CONSTANT) {
        v128.store(row + <usize>px * 16, f32x4.splat(0));
        continue;
      }
      const mx = mapIndex(px - padLeft, width, padMode);
      v128.store(row + <usize>px * 16, mx < 0 ? f32x4.splat(0) : pixel(base, p1, p2, p3, rowOffset + <usize>mx * 4));
    }
  }
}

// pixels ix .. ix + 3 of 4 rows (one per channel) -> 4 interleaved [4 channels] vectors at dst
// @ts-ignore: decorator
@inline function transpose4(r0: usize, r1: usize, r2: usize, r3: usize, ix: i32, dst: usize): void {
  const offset = <usize>ix * 4;
  storeTransposed4(v128.load(r0 + offset), v128.load(r1 + offset), v128.load(r2 + offset), v128.load(r3 + offset), dst, 16);
}

// @ts-ignore: decorator
@inline function pixel(p0: usize, p1: usize, p2: usize, p3: usize, offset: usize): v128 {
  let v = f32x4.splat(load<f32>(p0 + offset));
  v = f32x4.replace_lane(v, 1, load<f32>(p1 + offset));
  v = f32x4.replace_lane(v, 2, load<f32>(p2 + offset));
  return f32x4.replace_lane(v, 3, load<f32>(p3 + offset));
}

// Pairs of neighbouring outputs of one row from ox = 0 (dilation 1, stride s = 1 or 2, a constant
// after inlining): they share 2 (s = 1) or 1 (s = 2) of each kernel row's 3 columns, so 12 or 15
// loads instead of 18; each output's taps are still summed in kernel order. Returns the next ox.
// @ts-ignore: decorator
@inline function outputPairs(
  r0: usize, dst: usize, outWidth: i32, rowStep: usize,
  w0: v128, w1: v128, w2: v128, w3: v128, w4: v128, w5: v128, w6: v128, w7: v128, w8: v128, b: v128, s: i32,
): i32 {
  let ox = 0;
  for (; ox + 2 <= outWidth; ox += 2) {
    const r1 = r0 + rowStep;
    const r2 = r1 + rowStep;
    // columns x0 .. x4 of a kernel row: the first output reads x0 x1 x2, the second x[s] .. x[s + 2]
    let x0 = v128.load(r0), x1 = v128.load(r0, 16), x2 = v128.load(r0, 32), x3 = v128.load(r0, 48);
    let x4 = s == 2 ? v128.load(r0, 64) : x3;
    let a = f32x4.mul(w0, x0);
    let c = f32x4.mul(w0, s == 1 ? x1 : x2);
    a = madd(a, w1, x1); c = madd(c, w1, s == 1 ? x2 : x3);
    a = madd(a, w2, x2); c = madd(c, w2, s == 1 ? x3 : x4);
    x0 = v128.load(r1); x1 = v128.load(r1, 16); x2 = v128.load(r1, 32); x3 = v128.load(r1, 48);
    x4 = s == 2 ? v128.load(r1, 64) : x3;
    a = madd(a, w3, x0); c = madd(c, w3, s == 1 ? x1 : x2);
    a = madd(a, w4, x1); c = madd(c, w4, s == 1 ? x2 : x3);
    a = madd(a, w5, x2); c = madd(c, w5, s == 1 ? x3 : x4);
    x0 = v128.load(r2); x1 = v128.load(r2, 16); x2 = v128.load(r2, 32); x3 = v128.load(r2, 48);
    x4 = s == 2 ? v128.load(r2, 64) : x3;
    a = madd(a, w6, x0); c = madd(c, w6, s == 1 ? x1 : x2);
    a = madd(a, w7, x1); c = madd(c, w7, s == 1 ? x2 : x3);
    a = madd(a, w8, x2); c = madd(c, w8, s == 1 ? x3 : x4);
    v128.store(dst, f32x4.add(a, b));
    v128.store(dst, f32x4.add(c, b), 16);
    dst += 32;
    r0 += <usize>(32 * s);
  }
  return ox;
}

// @ts-ignore: decorator
@inline function conv3x3(
  staged: usize, paddedW: i32, w0: v128, w1: v128, w2: v128, w3: v128, w4: v128, w5: v128, w6: v128, w7: v128, w8: v128,
  b: v128, result: usize, outHeight: i32, outWidth: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32,
): void {
  const rowStep = <usize>(dilationH * paddedW) * 16;
  const tap = <usize>dilationW * 16;
  const pixelStep = <usize>strideW * 16;
  let dst = result;
  for (let oy = 0; oy < outHeight; oy++) {
    let r0 = staged + <usize>(oy * strideH) * paddedW * 16;
    // two neighbouring outputs at a time where they share columns (dilation 1, stride 1 or 2)
    let ox = 0;
    if (dilationW == 1 && strideW == 1) ox = outputPairs(r0, dst, outWidth, rowStep, w0, w1, w2, w3, w4, w5, w6, w7, w8, b, 1);
    else if (dilationW == 1 && strideW == 2) ox = outputPairs(r0, dst, outWidth, rowStep, w0, w1, w2, w3, w4, w5, w6, w7, w8, b, 2);
    dst += <usize>ox * 16;
    r0 += <usize>ox * pixelStep;
    for (; ox < outWidth; ox++) {
      const r1 = r0 + rowStep;
      const r2 = r1 + rowStep;
      // (madd: mul + add in the default build, fused in the relaxed one)
      let acc = f32x4.mul(w0, v128.load(r0));
      acc = madd(acc, w1, v128.load(r0 + tap));
      acc = madd(acc, w2, v128.load(r0 + 2 * tap));
      acc = madd(acc, w3, v128.load(r1));
      acc = madd(acc, w4, v128.load(r1 + tap));
      acc = madd(acc, w5, v128.load(r1 + 2 * tap));
      acc = madd(acc, w6, v128.load(r2));
      acc = madd(acc, w7, v128.load(r2 + tap));
      acc = madd(acc, w8, v128.load(r2 + 2 * tap));
      // the clamp (fused ReLU/ReLU6) waits for unstage: 9 weights + bias + clamp bounds would not fit
      // V8's registers here (measured: 0.67 vs 0.42 ms at 144ch@56)
      v128.store(dst, f32x4.add(acc, b));
      dst += 16;
      r0 += pixelStep;
    }
  }
}

// [OH][OW][4] -> lanes' output planes (plane l at out + l * laneStride), 4x4 transposes, clamped to
// [vmin, vmax] (pmax/pmin keep NaN)
function unstage(result: usize, outHeight: i32, outWidth: i32, out: usize, laneStride: usize, lanes: i32, vmin: v128, vmax: v128): void {
  const pixels = outHeight * outWidth;
  let p = 0;
  if (lanes == 4) {
    for (; p + 4 <= pixels; p += 4) {
      const src = result + <usize>p * 16;
      storeTransposed4(clamp(v128.load(src), vmin, vmax), clamp(v128.load(src, 16), vmin, vmax),
        clamp(v128.load(src, 32), vmin, vmax), clamp(v128.load(src, 48), vmin, vmax), out + <usize>p * 4, laneStride);
    }
  }
  for (; p < pixels; p++) {
    v128.store(result + <usize>p * 16, clamp(v128.load(result + <usize>p * 16), vmin, vmax));
    for (let l = 0; l < lanes; l++) {
      store<f32>(out + <usize>l * laneStride + <usize>p * 4, load<f32>(result + <usize>p * 16 + <usize>l * 4));
    }
  }
}

// @ts-ignore: decorator
@inline function clamp(v: v128, vmin: v128, vmax: v128): v128 {
  return f32x4.pmin(f32x4.pmax(v, vmin), vmax);
}
