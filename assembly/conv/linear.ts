// f32 linear layer: y[n, o] = bias[o] + sum_i x[n, i] * w[o, i]  (x [rows, in], w [out, in]).
// Dot products run 16 floats at a time in four independent SIMD accumulators.

import { f32_gemm_5x8__simd128 } from "./gemm";
import { storeTransposed4 } from "../simd";

/**
 * Outputs [unitStart, unitEnd) of the rows x outFeatures (unit u: row u / outFeatures, feature
 * u % outFeatures): each one dot product, the same whichever call computes it (issue #15's split).
 */
export function f32_linear(
  input: usize, weight: usize, bias: usize, output: usize, rows: i32, inFeatures: i32, outFeatures: i32, unitStart: i32, unitEnd: i32,
): void {
  linearRange(input, weight, bias, output, inFeatures, outFeatures, max(unitStart, 0), <i32>min<i64>(<i64>unitEnd, <i64>rows * outFeatures));
}

/** f32_linear over every output (f32_bilinear's steps). */
export function linearAll(input: usize, weight: usize, bias: usize, output: usize, rows: i32, inFeatures: i32, outFeatures: i32): void {
  linearRange(input, weight, bias, output, inFeatures, outFeatures, 0, rows * outFeatures);
}

function linearRange(input: usize, weight: usize, bias: usize, output: usize, inFeatures: i32, outFeatures: i32, start: i32, end: i32): void {
  if (start >= end) return;
  const vectorEnd = inFeatures & ~15;
  let n = start / outFeatures;
  let o = start - n * outFeatures;
  let x = input + <usize>n * inFeatures * 4;
  for (let unit = start; unit < end; unit++) {
    const w = weight + <usize>o * inFeatures * 4;
    let acc0 = f32x4.splat(0), acc1 = f32x4.splat(0), acc2 = f32x4.splat(0), acc3 = f32x4.splat(0);
    let i = 0;
    for (; i < vectorEnd; i += 16) {
      const p = <usize>i * 4;
      acc0 = f32x4.add(acc0, f32x4.mul(v128.load(x + p,  0), v128.load(w + p,  0)));
      acc1 = f32x4.add(acc1, f32x4.mul(v128.load(x + p, 16), v128.load(w + p, 16)));
      acc2 = f32x4.add(acc2, f32x4.mul(v128.load(x + p, 32), v128.load(w + p, 32)));
      acc3 = f32x4.add(acc3, f32x4.mul(v128.load(x + p, 48), v128.load(w + p, 48)));
    }
    const acc = f32x4.add(f32x4.add(acc0, acc1), f32x4.add(acc2, acc3));
    let sum = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
    for (; i < inFeatures; i++) sum += load<f32>(x + <usize>i * 4) * load<f32>(w + <usize>i * 4);
    if (bias != 0) sum += load<f32>(bias + <usize>o * 4);
    store<f32>(output + (<usize>n * outFeatures + o) * 4, sum);
    if (++o == outFeatures) {
      o = 0;
      n++;
      x += <usize>inFeatures * 4;
    }
  }
}

// Many rows (ConvNeXt's pointwise MLPs on [N, H, W, C], Linear over leading dims): the convolution
// GEMM's 5x8 micro-kernel with the roles turned around: 5 input rows play its "output channels"
// (packed [K][5] per block, like conv weights) and 8 output features its "pixels" (the weights
// packed per call into [ceil(out / 8)][K][8] panels, a pass over the weights that is negligible
// next to rows x K x out multiply-adds). Each output starts from the bias (or 0) and adds the K
// products in order. Measured at 3136 x 96 -> 384: 20 GFLOP/s with the dot products above, ~40 here.

/** Bytes of f32_linear_gemm's packed weight panels (f32_linear_gemm_pack), [ceil(out / 8)][K][8]. */
export function f32_linear_gemm_workspace(inFeatures: i32, outFeatures: i32): f64 {
  return <f64>((outFeatures + 7) >> 3) * 8 * inFeatures * 4;
}

/**
 * Weights [out][K] -> panels [p][K][8] (zeros past out), panels [panelStart, panelEnd): 4x4
 * transposes of 4 rows x 4 columns, two per 4 columns of K (rows 0-3 and 4-7 of the panel); the
 * K % 4 tail one float at a time. (A column-at-a-time scalar copy took 21% of a 49 x 3072 -> 768
 * call, 37% at 16 rows.)
 */
export function f32_linear_gemm_pack(weight: usize, inFeatures: i32, outFeatures: i32, panels: usize, panelStart: i32, panelEnd: i32): void {
  const panelBytes = <usize>inFeatures * 32;
  const rowBytes = <usize>inFeatures * 4;
  const kVector = inFeatures & ~3;
  for (let p = max(panelStart, 0); p < min(panelEnd, (outFeatures + 7) >> 3); p++) {
    const panel = panels + <usize>p * panelBytes;
    const full = p * 8 + 8 <= outFeatures;
    for (let half = 0; half < 2; half++) {
      const o = p * 8 + half * 4;
      const w = weight + <usize>o * rowBytes;
      const dst = panel + <usize>half * 16;
      if (full) {
        for (let k = 0; k < kVector; k += 4) {
          const at = <usize>k * 4;
          storeTransposed4(v128.load(w + at), v128.load(w + rowBytes + at), v128.load(w + 2 * rowBytes + at),
            v128.load(w + 3 * rowBytes + at), dst + <usize>k * 32, 32);
        }
      }
      for (let k = full ? kVector : 0; k < inFeatures; k++) {
        for (let j = 0; j < 4; j++) {
          const value = o + j < outFeatures ? load<f32>(w + <usize>j * rowBytes + <usize>k * 4) : 0;
          store<f32>(dst + <usize>k * 32 + <usize>j * 4, value);
        }
      }
    }
  }
}

/**
 * The GEMM over panels packed by f32_linear_gemm_pack, units [unitStart, unitEnd) of its grid:
 * blocks of 5 input rows, each split into panel units of `panelsPerUnit` panels of 8 output
 * features (0: all, one unit per row block), unit u = rowBlock * panelUnits + panelUnit. A call
 * packs the rows of each row block it covers into `rowsWorkspace` (5 x K floats).
 */
export function f32_linear_gemm(
  input: usize, panels: usize, bias: usize, output: usize, rows: i32, inFeatures: i32, outFeatures: i32, rowsWorkspace: usize,
  unitStart: i32, unitEnd: i32, panelsPerUnit: i32,
): void {
  const panelCount = (outFeatures + 7) >> 3;
  const panelBytes = <usize>inFeatures * 32;
  const packedRows = rowsWorkspace;            // [K][5]
  const outStride = <usize>outFeatures * 4;
  const step = panelsPerUnit > 0 ? min(panelsPerUnit, panelCount) : panelCount;
  if (step == 0) return;
  const panelUnits = (panelCount + step - 1) / step;
  const rowBlocks = (rows + 4) / 5;
  const end = min(unitEnd, rowBlocks * panelUnits);
  let u = max(unitStart, 0);
  while (u < end) {
    const rb = u / panelUnits;
    const pu = u - rb * panelUnits;
    const pu1 = min(panelUnits, pu + (end - u));
    u += pu1 - pu;
    const p0 = pu * step;
    const p1 = min(panelCount, pu1 * step);
    const m0 = rb * 5;
    const mr = min(5, rows - m0);
    // rows m0 .. m0 + mr of the input -> [K][5] (zeros past mr)
    for (let r = 0; r < 5; r++) {
      const x = input + <usize>(m0 + r) * inFeatures * 4;
      for (let k = 0; k < inFeatures; k++) store<f32>(packedRows + <usize>(k * 5 + r) * 4, r < mr ? load<f32>(x + <usize>k * 4) : 0);
    }
    // the output rows' features [p0 * 8, p1 * 8) start from the bias: the micro-kernel then accumulates onto them
    const first = <usize>p0 * 32;
    const bytes = <usize>min(outFeatures, p1 * 8) * 4 - first;
    for (let r = 0; r < mr; r++) {
      const out = output + <usize>(m0 + r) * outStride + first;
      if (bias != 0) memory.copy(out, bias + first, bytes);
      else memory.fill(out, 0, bytes);
    }
    for (let p = p0; p < p1; p++) {
      f32_gemm_5x8__simd128(inFeatures, 0, packedRows, panels + <usize>p * panelBytes, 32,
        output + <usize>m0 * outStride + <usize>p * 32, outStride, mr, min(8, outFeatures - p * 8));
    }
  }
}
