// LayerNorm over the trailing `cols` floats of each row (convnext: C of [N, H, W, C]); statistics
// per row (moments.ts), then PyTorch's own arrangement of the normalisation
// (aten/src/ATen/native/cpu/layer_norm_kernel.cpp):
//   y = (x * rstd + (-rstd * mean)) * gamma[j] + beta[j]
// which, unlike a folded x * scale + shift, gives exactly beta for a constant row whose values
// times rstd are exact.

import { moments, momentsMean, momentsVariance } from "./moments";

/**
 * input/output [rows, cols] (output may alias input); gamma/beta: [cols] floats, both given or
 * both 0 (the host passes ones/zeros when only one is).
 */
export function f32_layer_norm(input: usize, output: usize, rows: i32, cols: i32, gamma: usize, beta: usize, eps: f64): void {
  const count = <usize>cols;
  if (count == 0) return;
  for (let r: usize = 0; r < <usize>rows; r++) {
    const src = input + r * count * 4;
    const dst = output + r * count * 4;
    moments(src, count);
    // in f64: a variance past float's range (rows of ~1e20 and up) still gives a finite rstd,
    // where PyTorch's float statistics overflow to inf and return NaN
    const rstd = <f32>(1 / Math.sqrt(momentsVariance + eps));
    const shift = -rstd * <f32>momentsMean;
    const vr = f32x4.splat(rstd);
    const vs = f32x4.splat(shift);
    let i: usize = 0;
    if (gamma == 0) {
      for (; i + 4 <= count; i += 4) v128.store(dst + i * 4, f32x4.add(f32x4.mul(v128.load(src + i * 4), vr), vs));
      for (; i < count; i++) store<f32>(dst + i * 4, load<f32>(src + i * 4) * rstd + shift);
      continue;
    }
    for (; i + 4 <= count; i += 4) {
      const t = f32x4.add(f32x4.mul(v128.load(src + i * 4), vr), vs);
      v128.store(dst + i * 4, f32x4.add(f32x4.mul(t, v128.load(gamma + i * 4)), v128.load(beta + i * 4)));
    }
    for (; i < count; i++) {
      const t = load<f32>(src + i * 4) * rstd + shift;
      store<f32>(dst + i * 4, t * load<f32>(gamma + i * 4) + load<f32>(beta + i * 4));
    }
  }
}
