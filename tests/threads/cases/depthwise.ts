// Thread cases: the depthwise kernels (f32_dwconv2d_c4: units (image, row band, 4-channel group);
// f32_dwconv2d: units (image, channel)), each task staging into its own workspace. Channel counts
// off multiples of 4, multipliers, strides, dilations, every padding mode, kernels 3x3 / 5x5 / 7x7 /
// dilated 5x5 / > 49 taps, batches 1 and > 1, fused clamps and activation epilogues, a negative pad
// (the per-plane kernel), Conv+BN+ReLU6 folding, lean mode; few groups at a tall output so the
// c4 kernel splits rows into bands.
import { manual_seed, nn, randn, type Tensor } from "../../../src/index.js";
import { conv2dWith, type Conv2dParams, type ConvActivation } from "../../../src/functional/conv.js";
import { inLean, type Cases } from "../harness.js";

type Pair = number | [number, number];
const pair = (v: Pair): [number, number] => (typeof v === "number" ? [v, v] : v);

/** A depthwise convolution of a seeded input through both kernels (c4 first, then per plane). */
function depthwise(seed: number, [batch, channels, multiplier, height, width]: number[], kernel: Pair, stride: Pair, padding: Pair,
  dilation: Pair, mode: Conv2dParams["paddingMode"], activation?: ConvActivation, kernels: ("c4" | "planes")[] = ["c4", "planes"]): Tensor[] {
  manual_seed(seed);
  const conv = new nn.Conv2d(channels, channels * multiplier, kernel, { stride, padding, dilation, groups: channels, padding_mode: mode });
  const x = randn([batch, channels, height, width]);
  const params: Conv2dParams = {
    stride: pair(stride), padding: pair(padding), dilation: pair(dilation), groups: channels, paddingMode: mode, activation,
  };
  return kernels.map((k) => conv2dWith(x, conv.weight, conv.bias, { ...params, depthwise: k }));
}

/** A depthwise Conv2d + BatchNorm2d + ReLU6 in an eval Sequential: the BatchNorm folds into the weights. */
function folded(seed: number): Tensor {
  manual_seed(seed);
  const conv = new nn.Conv2d(12, 12, 3, { groups: 12, padding: 1, stride: 2 });
  const bn = new nn.BatchNorm2d(12);
  bn.load_state_dict({ weight: randn([12]), bias: randn([12]), running_mean: randn([12]), running_var: randn([12]).abs().add(0.5) }, false);
  return new nn.Sequential(conv, bn, new nn.ReLU6()).eval().forward(randn([2, 12, 17, 15])) as Tensor;
}

export const cases: Cases = {
  "3x3 s1 zeros N=1 C=4": () => depthwise(1, [1, 4, 1, 9, 9], 3, 1, 1, 1, "zeros"),
  "3x3 s2 zeros N=2 C=6 (a partial group)": () => depthwise(2, [2, 6, 1, 7, 11], 3, 2, 1, 1, "zeros"),
  "3x3 s1 reflect x2 C=5": () => depthwise(3, [1, 5, 2, 8, 8], 3, 1, 1, 1, "reflect"),
  "5x5 s1 replicate x3 C=3": () => depthwise(4, [1, 3, 3, 10, 6], 5, 1, 2, 1, "replicate"),
  "3x3 s3 d2 circular N=3 C=8": () => depthwise(5, [3, 8, 1, 12, 12], 3, 3, 1, 2, "circular"),
  "1x3 s(1,2) C=7": () => depthwise(6, [1, 7, 1, 6, 13], [1, 3], [1, 2], [0, 1], 1, "zeros"),
  "5x5 s2 C=6 (EfficientNet)": () => depthwise(7, [2, 6, 1, 15, 14], 5, 2, 2, 1, "zeros"),
  "3x5 d(2,1) reflect C=9": () => depthwise(8, [2, 9, 1, 11, 12], [3, 5], 1, [2, 2], [2, 1], "reflect"),
  "5x5 d2 (generic gathered loop)": () => depthwise(9, [1, 5, 1, 12, 12], 5, 1, 4, 2, "zeros"),
  "7x7 x2 circular (pairs + one)": () => depthwise(10, [1, 4, 2, 10, 9], 7, 1, 3, 1, "circular"),
  "5x11 (55 taps, per-tap weights)": () => depthwise(11, [1, 4, 1, 12, 12], [5, 11], 1, [2, 5], 1, "zeros"),
  "negative pad (planes only)": () => depthwise(12, [2, 4, 1, 5, 7], 3, 1, [-1, 1], 1, "reflect", undefined, ["planes"]),
  // few groups, tall output: bands of rows per group (MobileNetV2's first depthwise layer, smaller)
  "bands: 3x3 s1 C=8 at 57x45": () => depthwise(13, [1, 8, 1, 57, 45], 3, 1, 1, 1, "zeros", "relu6"),
  "bands: 3x3 s2 C=3 x2 at 61x33": () => depthwise(14, [1, 3, 2, 61, 33], 3, 2, 1, 1, "replicate", "relu"),
  "bands: 5x5 s1 C=2 at 40x23 reflect": () => depthwise(15, [1, 2, 1, 40, 23], 5, 1, 2, 1, "reflect"),
  "bands: 7x7 s1 C=4 at 31x30 (ConvNeXt)": () => depthwise(16, [1, 4, 1, 31, 30], 7, 1, 3, 1, "zeros"),
  "bands: 3x3 s1 d3 C=5 x2 at 29x17 circular": () => depthwise(17, [2, 5, 2, 29, 17], 3, 1, 3, 3, "circular"),
  "epilogue hardswish 3x3": () => depthwise(18, [2, 6, 1, 19, 21], 3, 1, 1, 1, "zeros", { kind: 7, a: 0, b: 0 }),
  "epilogue silu 5x5 s2": () => depthwise(19, [1, 10, 1, 23, 22], 5, 2, 2, 1, "zeros", { kind: 4, a: 0, b: 0 }),
  "Conv+BN+ReLU6 folded (eval Sequential)": () => folded(20),
  "lean mode, and a fold in it": () => inLean(() => [...depthwise(21, [2, 7, 1, 13, 16], 3, 1, 1, 1, "reflect", "relu"), folded(22)]),
};
