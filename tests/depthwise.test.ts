// The two depthwise kernels (4 channels across lanes, and one plane at a time) against the
// scalar reference: channel counts off multiples of 4, multipliers, strides, dilations, every
// padding mode, batches, and the negative padding (cropping) only the per-plane kernel serves.
import { beforeAll, describe, expect, test } from "vitest";
import { init, nn, randn, manual_seed } from "../src/index.js";
import { conv2dWith, type Conv2dParams } from "../src/functional/conv.js";
import { expectClose } from "./helpers.js";

beforeAll(async () => {
  await init();
  manual_seed(21);
});

/** a sum of <= 25 products in the reference's order, bias last: a few ulps (see conv2d.test.ts) */
const TOL = { atol: 1e-6, rtol: 1e-5 };

describe("depthwise kernels equal the reference convolution", () => {
  test.each([
    // [batch, channels, multiplier, height, width, kernel, stride, padding, dilation, mode]
    [1, 4, 1, 9, 9, 3, 1, 1, 1, "zeros"],
    [2, 6, 1, 7, 11, 3, 2, 1, 1, "zeros"],     // 6 channels: one full group of 4 and one of 2
    [1, 5, 2, 8, 8, 3, 1, 1, 1, "reflect"],    // multiplier 2, 5 channels
    [1, 3, 3, 10, 6, 5, 1, 2, 1, "replicate"], // 5x5, multiplier 3
    [1, 8, 1, 12, 12, 3, 3, 1, 2, "circular"], // stride 3, dilation 2
    [1, 7, 1, 6, 13, [1, 3], [1, 2], [0, 1], 1, "zeros"],
    [1, 4, 1, 5, 5, 3, 1, [-1, 1], 1, "reflect"], // a negative pad crops: the per-plane kernel
    // kernels other than 3x3 (c4), weights gathered once: stride 1 in output pairs (convRowPairs), width 5
    // unrolled at other strides (convRows5), the generic loop otherwise; > 49 taps gathered per tap
    [1, 6, 1, 15, 14, 5, 2, 2, 1, "zeros"],            // EfficientNet's 5x5 stride 2, a partial lane group
    [2, 9, 1, 11, 12, [3, 5], 1, [2, 2], [2, 1], "reflect"], // kernel width 5 with a row dilation
    [1, 5, 1, 12, 12, 5, 1, 4, 2, "zeros"],            // 5x5 dilated across: the generic gathered loop
    [1, 4, 2, 10, 9, 7, 1, 3, 1, "circular"],          // 7x7 = 49 taps, multiplier 2, odd output width (pairs + one)
    [1, 7, 1, 9, 11, [7, 3], 1, [3, 1], 1, "zeros"],   // a tall kernel, pairs of stride-1 outputs
    [1, 4, 1, 12, 12, [5, 11], 1, [2, 5], 1, "zeros"], // 55 taps: weights gathered per tap
  ] as const)("N=%i C=%i x%i %ix%i k=%s s=%s p=%s d=%s %s", (batch, channels, multiplier, height, width, kernel, stride, padding, dilation, mode) => {
    const conv = new nn.Conv2d(channels, channels * multiplier, kernel as number | [number, number], { stride, padding, dilation, groups: channels, padding_mode: mode });
    const x = randn([batch, channels, height, width]);
    const params: Conv2dParams = {
      stride: conv.stride, padding: conv.padding, dilation: conv.dilation, groups: channels, paddingMode: conv.padding_mode,
    };
    const reference = conv2dWith(x, conv.weight, conv.bias, { ...params, reference: true });
    for (const depthwise of ["c4", "planes"] as const) {
      const out = conv2dWith(x, conv.weight, conv.bias, { ...params, depthwise });
      expect(out.shape).toEqual(reference.shape);
      expectClose(out.data(), reference.data(), TOL, depthwise);
    }
  });
});
