// Thread cases: the transposed convolution's phase interleaving (f32_phase_merge_w2, f32_phase_merge
// by planes; f32_phase_fill by images) around the phase convolutions: stride 2 stacked (U-Net) and
// per-phase, odd widths (phase 0's last column), stride 3, mixed strides, a stride larger than the
// kernel (filled positions, with and without bias), groups, dilation, batches 1 and > 1.
import { F, manual_seed, randn, type Tensor } from "../../../src/index.js";
import type { Cases } from "../harness.js";

/** conv_transpose2d of seeded [batch, channels, h, w] by a [channels, outPerGroup, kh, kw] weight. */
function transpose(seed: number, [batch, channels, height, width]: number[], outPerGroup: number, kernel: [number, number],
  stride: [number, number], padding: [number, number], outputPadding: [number, number], groups = 1, dilation: [number, number] = [1, 1], bias = true): Tensor {
  manual_seed(seed);
  const x = randn([batch, channels, height, width]);
  const w = randn([channels, outPerGroup, ...kernel]);
  const b = bias ? randn([outPerGroup * groups]) : null;
  return F.conv_transpose2d(x, w, b, stride, padding, outputPadding, groups, dilation);
}

export const cases: Cases = {
  "2x2 s2 (stacked, U-Net) N=2": () => transpose(1, [2, 6, 9, 11], 5, [2, 2], [2, 2], [0, 0], [0, 0]),
  "3x3 s2 p1 op1 (per-phase, stride-2 merge)": () => transpose(2, [1, 7, 10, 13], 4, [3, 3], [2, 2], [1, 1], [1, 1]),
  "3x3 s2 p1 odd width (phase 0's last column)": () => transpose(3, [2, 3, 8, 9], 3, [3, 3], [2, 2], [1, 1], [0, 0]),
  "3x3 s3 (phase merge)": () => transpose(4, [1, 4, 7, 6], 5, [3, 3], [3, 3], [1, 1], [2, 0]),
  "4x3 s(2,3) groups 2": () => transpose(5, [2, 6, 5, 7], 2, [4, 3], [2, 3], [1, 0], [0, 1], 2),
  "stride 3 > kernel 2: filled positions, bias": () => transpose(6, [2, 5, 6, 5], 3, [2, 2], [3, 3], [0, 0], [2, 1]),
  "stride 3 > kernel 1: filled positions, no bias": () => transpose(7, [1, 3, 5, 4], 4, [1, 1], [3, 3], [0, 0], [1, 2], 1, [1, 1], false),
  "3x3 s2 dilation 2": () => transpose(8, [1, 5, 9, 8], 3, [3, 3], [2, 2], [2, 2], [1, 1], 1, [2, 2]),
};
