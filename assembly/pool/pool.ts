// f32 2-D pooling over NCHW planes: max (with PyTorch's NaN rule and int64 flat indices), average
// (PyTorch's divisor rules) and their adaptive forms. The host computes output sizes and checks
// arguments; windows here are clipped to the input.

import { gather4 } from "../simd";

// NaN-propagating max with PyTorch's rule `if (val > maxval || isnan(val))`: the candidate
// replaces the maximum only if greater or NaN, so the first of equal values (-0.0 before 0.0) stays.
// @ts-ignore: decorator
@inline function takeMask(current: v128, candidate: v128): v128 {
  return v128.or(f32x4.gt(candidate, current), f32x4.ne(candidate, candidate));
}

/**
 * max_pool2d. A window's value is its maximum; a NaN wins and propagates (the last NaN's index is
 * kept, as PyTorch). `indices` (0 = none) receives int64 flat offsets ih * W + iw within the plane.
 * Output columns whose windows lie inside the row run 4 at a time (lanes gathered, compared and
 * selected without branches: on real data a scalar max mispredicts constantly); edge columns run
 * the same rule in scalar code.
 */
export function f32_maxpool2d(
  input: usize, planes: i32, height: i32, width: i32,
  kernelH: i32, kernelW: i32, strideH: i32, strideW: i32, padH: i32, padW: i32, dilationH: i32, dilationW: i32,
  output: usize, outHeight: i32, outWidth: i32, indices: usize,
): void {
  // columns [vectorStart, vectorLimit) have horizontally unclipped windows
  const vectorStart = min((padW + strideW - 1) / strideW, outWidth);
  const lastTap = (kernelW - 1) * dilationW;
  const vectorLimit = max(vectorStart, min(outWidth, (width - 1 - lastTap + padW) / strideW + 1));
  // at stride 2 four windows' columns come from two loads of 8 floats: stop where the 8th would leave the row
  const stride2Limit = max(vectorStart, min(vectorLimit, (width - 8 - lastTap + padW) / 2 + 4));
  const laneStep = i32x4(0, strideW, 2 * strideW, 3 * strideW);
  for (let plane = 0; plane < planes; plane++) {
    const inPlane = input + <usize>plane * height * width * 4;
    const outOffset = <usize>plane * outHeight * outWidth;
    for (let oy = 0; oy < outHeight; oy++) {
      let y0 = oy * strideH - padH;
      const y1 = min(y0 + (kernelH - 1) * dilationH + 1, height);
      while (y0 < 0) y0 += dilationH;
      const outRow = outOffset + <usize>oy * outWidth;
      let ox = 0;
      for (; ox < vectorStart; ox++) maxPoolScalar(inPlane, width, y0, y1, ox, kernelW, strideW, padW, dilationH, dilationW, output, indices, outRow);
      // one inlined copy per common case, so the hot loop's loads and index work are constant-shaped
      if (kernelW == 3 && strideW == 2 && dilationW == 1 && indices == 0) {
        ox = maxPool3s2(inPlane, width, y0, y1, ox, vectorLimit, padW, dilationH, output, outRow);
      } else if (strideW == 2 && indices == 0) {
        ox = maxPoolVectors(inPlane, width, y0, y1, ox, stride2Limit, 2, padW, lastTap, dilationH, dilationW, laneStep, output, 0, outRow);
      } else if (strideW == 1 && indices == 0) {
        ox = maxPoolVectors(inPlane, width, y0, y1, ox, vectorLimit, 1, padW, lastTap, dilationH, dilationW, laneStep, output, 0, outRow);
      } else {
        ox = maxPoolVectors(inPlane, width, y0, y1, ox, vectorLimit, strideW, padW, lastTap, dilationH, dilationW, laneStep, output, indices, outRow);
      }
      for (; ox < outWidth; ox++) maxPoolScalar(inPlane, width, y0, y1, ox, kernelW, strideW, padW, dilationH, dilationW, output, indices, outRow);
    }
  }
}

/**
 * max_pool2d of output rows [o0, o1) of `planes` planes whose outputs are `outPlane` floats apart
 * (a fused convolution's band of rows, pooled into the whole output: rows of one band are not
 * contiguous from plane to plane). Each row is f32_maxpool2d's own (a negative `padH` is a band that
 * starts below its first window), so the bits do not depend on how rows are grouped into calls.
 */
export function f32_maxpool2d_rows(
  input: usize, planes: i32, height: i32, width: i32,
  kernelH: i32, kernelW: i32, strideH: i32, strideW: i32, padH: i32, padW: i32, dilationH: i32, dilationW: i32,
  output: usize, outPlane: i32, outWidth: i32, o0: i32, o1: i32,
): void {
  if (o1 <= o0) return;
  for (let plane = 0; plane < planes; plane++) {
    f32_maxpool2d(input + <usize>plane * height * width * 4, 1, height, width, kernelH, kernelW, strideH, strideW,
      padH - o0 * strideH, padW, dilationH, dilationW, output + (<usize>plane * outPlane + <usize>o0 * outWidth) * 4, o1 - o0, outWidth, 0);
  }
}

// four neighbouring outputs of a row at a time, from ox while ox + 4 <= limit; returns the next ox
// @ts-ignore: decorator
@inline function maxPoolVectors(
  inPlane: usize, width: i32, y0: i32, y1: i32, ox: i32, limit: i32, strideW: i32, padW: i32, lastTap: i32,
  dilationH: i32, dilationW: i32, laneStep: v128, output: usize, indices: usize, outRow: usize,
): i32 {
  const strideBytes = <usize>strideW * 4;
  for (; ox + 4 <= limit; ox += 4) {
    const x0 = ox * strideW - padW;
    let best = f32x4.splat(-Infinity);
    // each lane's window starts at its own column (an all -inf window keeps its first index)
    let bestIndex = i32x4.add(i32x4.splat(y0 * width + x0), laneStep);
    for (let y = y0; y < y1; y += dilationH) {
      for (let kx = 0; kx <= lastTap; kx += dilationW) {
        const x = x0 + kx;
        const p = inPlane + (<usize>y * width + x) * 4;
        let v: v128;
        if (strideW == 1) {
          v = v128.load(p);
        } else if (strideW == 2) {
          v = v128.shuffle<f32>(v128.load(p), v128.load(p, 16), 0, 2, 4, 6);
        } else {
          v = gather4(p, strideBytes);
        }
        const take = takeMask(best, v);
        best = v128.bitselect(v, best, take);
        if (indices != 0) bestIndex = v128.bitselect(i32x4.add(i32x4.splat(y * width + x), laneStep), bestIndex, take);
      }
    }
    v128.store(output + (outRow + ox) * 4, best);
    if (indices != 0) {
      v128.store(indices + (outRow + ox) * 8, i64x2.extend_low_i32x4_s(bestIndex));
      v128.store(indices + (outRow + ox) * 8, i64x2.extend_high_i32x4_s(bestIndex), 16);
    }
  }
  return ox;
}

// PyTorch's max step, branch-free: the candidate replaces the maximum if greater (pmax keeps the
// first of equals, and a NaN maximum, as `>` does) or if it is NaN
// @ts-ignore: decorator
@inline function maxStep(best: v128, v: v128): v128 {
  return v128.bitselect(v, f32x4.pmax(best, v), f32x4.ne(v, v));
}

// Kernel width 3, stride 2 (the 3/2 pools of ResNet-style stems), values only: four outputs from
// each window row's three columns, rows scanned top to bottom and columns left to right within a
// row — PyTorch's order, so ties and NaNs resolve the same. The loads read exactly the windows'
// columns, so every group with unclipped windows runs here; a last group that would pass `limit`
// is shifted left to end at it (recomputing a few outputs, with the same values).
// @ts-ignore: decorator
@inline function maxPool3s2(
  inPlane: usize, width: i32, y0: i32, y1: i32, ox: i32, limit: i32, padW: i32, dilationH: i32,
  output: usize, outRow: usize,
): i32 {
  const first = ox;
  while (ox < limit) {
    if (ox + 4 > limit) {
      if (limit - 4 < first) break;
      ox = limit - 4;
    }
    const x0 = 2 * ox - padW;
    let best = f32x4.splat(-Infinity);
    for (let y = y0; y < y1; y += dilationH) {
      const p = inPlane + (<usize>y * width + x0) * 4;
      const a = v128.load(p), b = v128.load(p, 16), e = v128.load(p, 20);   // columns x0 .. x0 + 8
      best = maxStep(best, v128.shuffle<f32>(a, b, 0, 2, 4, 6));   // columns x0 + 2j
      best = maxStep(best, v128.shuffle<f32>(a, b, 1, 3, 5, 7));   // x0 + 2j + 1
      best = maxStep(best, v128.shuffle<f32>(v128.shuffle<f32>(a, b, 2, 4, 6, 6), e, 0, 1, 2, 7));   // x0 + 2j + 2
    }
    v128.store(output + (outRow + ox) * 4, best);
    ox += 4;
  }
  return ox;
}

// one output of f32_maxpool2d, with the window clipped to the row
// @ts-ignore: decorator
@inline function maxPoolScalar(
  inPlane: usize, width: i32, y0: i32, y1: i32, ox: i32, kernelW: i32, strideW: i32, padW: i32,
  dilationH: i32, dilationW: i32, output: usize, indices: usize, outRow: usize,
): void {
  let x0 = ox * strideW - padW;
  const x1 = min(x0 + (kernelW - 1) * dilationW + 1, width);
  while (x0 < 0) x0 += dilationW;
  storeWindowMax(inPlane, width, y0, y1, dilationH, x0, x1, dilationW, output, indices, outRow + ox);
}

// The maximum of rows y0, y0 + dy, ... < y1 and columns x0, x0 + dx, ... < x1 of a plane, scanned in
// PyTorch's order with its rule (branch-free: on real data the comparison mispredicts often), to
// output[o] and, unless indices is 0, its flat index to indices[o] (int64).
// @ts-ignore: decorator
@inline function storeWindowMax(
  inPlane: usize, width: i32, y0: i32, y1: i32, dy: i32, x0: i32, x1: i32, dx: i32,
  output: usize, indices: usize, o: usize,
): void {
  let best: f32 = -Infinity;
  let bestIndex: i32 = y0 * width + x0;
  for (let y = y0; y < y1; y += dy) {
    const row = inPlane + <usize>y * width * 4;
    for (let x = x0; x < x1; x += dx) {
      const value = load<f32>(row + <usize>x * 4);
      const take = value > best || isNaN(value);
      best = select<f32>(value, best, take);
      bestIndex = select<i32>(y * width + x, bestIndex, take);
    }
  }
  store<f32>(output + o * 4, best);
  if (indices != 0) store<i64>(indices + o * 8, <i64>bestIndex);
}

// the sum of rows [y0, y1) and columns [x0, x1) of a plane, row by row
// @ts-ignore: decorator
@inline function windowSum(inPlane: usize, width: i32, y0: i32, y1: i32, x0: i32, x1: i32): f32 {
  let sum: f32 = 0;
  for (let y = y0; y < y1; y++) {
    const row = inPlane + <usize>y * width * 4;
    for (let x = x0; x < x1; x++) sum += load<f32>(row + <usize>x * 4);
  }
  return sum;
}

/**
 * avg_pool2d. The divisor is `divisorOverride` unless it is 0 (none; the host refuses a zero
 * override as PyTorch does), else the window's size clipped to the
 * padded input (countIncludePad) or to the input itself; a window wholly in padding gives 0.
 */
export function f32_avgpool2d(
  input: usize, planes: i32, height: i32, width: i32,
  kernelH: i32, kernelW: i32, strideH: i32, strideW: i32, padH: i32, padW: i32,
  countIncludePad: bool, divisorOverride: i32,
  output: usize, outHeight: i32, outWidth: i32,
): void {
  for (let plane = 0; plane < planes; plane++) {
    const inPlane = input + <usize>plane * height * width * 4;
    const outPlane = output + <usize>plane * outHeight * outWidth * 4;
    for (let oy = 0; oy < outHeight; oy++) {
      let y0 = oy * strideH - padH;
      let y1 = min(y0 + kernelH, height + padH);
      const paddedRows = y1 - y0;
      y0 = max(y0, 0);
      y1 = min(y1, height);
      for (let ox = 0; ox < outWidth; ox++) {
        let x0 = ox * strideW - padW;
        let x1 = min(x0 + kernelW, width + padW);
        const paddedCols = x1 - x0;
        x0 = max(x0, 0);
        x1 = min(x1, width);
        let result: f32 = 0;
        if (y0 < y1 && x0 < x1) {
          const sum = windowSum(inPlane, width, y0, y1, x0, x1);
          const divisor = divisorOverride != 0 ? divisorOverride
            : countIncludePad ? paddedRows * paddedCols : (y1 - y0) * (x1 - x0);
          result = sum / <f32>divisor;
        }
        store<f32>(outPlane + (<usize>oy * outWidth + ox) * 4, result);
      }
    }
  }
}

// adaptive windows: [floor(o * in / out), ceil((o + 1) * in / out))
// @ts-ignore: decorator
@inline function adaptiveStart(o: i32, inSize: i32, outSize: i32): i32 {
  return <i32>((<i64>o * inSize) / outSize);
}
// @ts-ignore: decorator
@inline function adaptiveEnd(o: i32, inSize: i32, outSize: i32): i32 {
  return <i32>((<i64>(o + 1) * inSize + outSize - 1) / outSize);
}

export function f32_adaptive_avgpool2d(
  input: usize, planes: i32, height: i32, width: i32, output: usize, outHeight: i32, outWidth: i32,
): void {
  for (let plane = 0; plane < planes; plane++) {
    const inPlane = input + <usize>plane * height * width * 4;
    const outPlane = output + <usize>plane * outHeight * outWidth * 4;
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = adaptiveStart(oy, height, outHeight);
      const y1 = adaptiveEnd(oy, height, outHeight);
      for (let ox = 0; ox < outWidth; ox++) {
        const x0 = adaptiveStart(ox, width, outWidth);
        const x1 = adaptiveEnd(ox, width, outWidth);
        store<f32>(outPlane + (<usize>oy * outWidth + ox) * 4, windowSum(inPlane, width, y0, y1, x0, x1) / <f32>((y1 - y0) * (x1 - x0)));
      }
    }
  }
}

export function f32_adaptive_maxpool2d(
  input: usize, planes: i32, height: i32, width: i32, output: usize, outHeight: i32, outWidth: i32, indices: usize,
): void {
  for (let plane = 0; plane < planes; plane++) {
    const inPlane = input + <usize>plane * height * width * 4;
    const outOffset = <usize>plane * outHeight * outWidth;
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = adaptiveStart(oy, height, outHeight);
      const y1 = adaptiveEnd(oy, height, outHeight);
      for (let ox = 0; ox < outWidth; ox++) {
        const x0 = adaptiveStart(ox, width, outWidth);
        const x1 = adaptiveEnd(ox, width, outWidth);
        storeWindowMax(inPlane, width, y0, y1, 1, x0, x1, 1, output, indices, outOffset + <usize>oy * outWidth + ox);
      }
    }
  }
}

