// GroupNorm and InstanceNorm (InstanceNorm is GroupNorm with one channel per group): per group of
// [N, G, C/G, HW] the statistics over its C/G * HW contiguous floats (moments.ts), then each
// channel's affine folded into one scale, y = (x - mean) * scale[c] + beta[c] with
// scale = rstd * gamma[c]. PyTorch's CPU GroupNorm (aten/src/ATen/native/cpu/group_norm_kernel.cpp)
// and batch_norm (which InstanceNorm runs on [1, N*C, H, W]) fold the mean into the shift too,
// x * scale + (beta - mean * scale), which rounds at |x| * scale where (x - mean) cancels
// (PyTorch gives 0.129 for GroupNorm of a constant 1000 with gamma 2, beta 0.1; wasmnn 0.1).

import { moments, momentsMean, momentsVariance, normalizeRun } from "./moments";

/**
 * input/output [batch, groups, channelsPerGroup, spatial] (output may alias input).
 * gamma/beta: [groups * channelsPerGroup] floats, or 0 for 1/0. stats: 0, or f64 (mean, biased
 * variance) per (n, g) written at stats + 16 * (n * groups + g). Runs the groups n * groups + g in
 * [groupStart, groupEnd) (threads: each group's statistics stay whole in one call). Each group is read twice: once
 * for its statistics and once for the normalisation, the second time from L1 for groups up to
 * ~32 KB (GroupNorm(32, 256) at 28x28: 8 channels x 784 pixels = 25 KB).
 */
export function f32_group_norm(
  input: usize, output: usize, batch: i32, groups: i32, channelsPerGroup: i32, spatial: i32,
  gamma: usize, beta: usize, eps: f64, stats: usize, groupStart: i32, groupEnd: i32,
): void {
  const groupSize = <usize>channelsPerGroup * <usize>spatial;
  if (groupSize == 0) return;
  for (let index = <usize>groupStart; index < <usize>groupEnd; index++) {
    const src = input + index * groupSize * 4;
    const dst = output + index * groupSize * 4;
    moments(src, groupSize);
    const mean = momentsMean;
    const variance = momentsVariance;
    if (stats != 0) {
      store<f64>(stats + index * 16, mean);
      store<f64>(stats + index * 16 + 8, variance);
    }
    const rstd = 1 / Math.sqrt(variance + eps);
    const firstChannel = (index % <usize>groups) * <usize>channelsPerGroup;
    for (let j: usize = 0; j < <usize>channelsPerGroup; j++) {
      const c = firstChannel + j;
      const weight: f64 = gamma != 0 ? <f64>load<f32>(gamma + c * 4) : 1;
      const bias: f32 = beta != 0 ? load<f32>(beta + c * 4) : 0;
      normalizeRun(src + j * <usize>spatial * 4, dst + j * <usize>spatial * 4, <usize>spatial,
        <f32>mean, <f32>(rstd * weight), bias);
    }
  }
}
