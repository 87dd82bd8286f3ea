// Winograd F(2x2, 3x3) against the scalar reference kernel, at its tile edges: output sizes odd and
// even, below/at/above the 8-tile block (16 columns), channel counts off multiples of 4, every
// padding mode, batches, and the "all blocks in one pass" layout of deep layers.
import { beforeAll, describe, expect, test } from "vitest";
import { init, nn, randn, manual_seed } from "../src/index.js";
import { conv2dWith, type Conv2dParams } from "../src/functional/conv.js";
import { expectClose } from "./helpers.js";

beforeAll(async () => {
  await init();
  manual_seed(11);
});

/**
 * The transforms only add, subtract and halve, but the 16 products per tile are summed over C in
 * the transformed domain and transformed back: ~2-4x the direct kernel's rounding (measured 3e-6 at
 * C=64, 7e-6 at C=512 for outputs of magnitude ~2.5). The conv tolerance (conv2d.test.ts) holds.
 */
const TOL = { atol: 1e-5, rtol: 1e-4 };

describe("Winograd F(2x2,3x3) equals the reference convolution", () => {
  test.each([
    // [batch, in, out, height, width, padding, mode]
    [1, 8, 8, 8, 8, 1, "zeros"],
    [1, 9, 13, 9, 9, 1, "zeros"],           // odd output size: half tiles at the right and bottom
    [2, 12, 10, 16, 33, 1, "zeros"],        // 33 columns: two 8-tile blocks and a partial third
    [1, 16, 16, 31, 17, 0, "zeros"],        // no padding, odd
    [1, 8, 12, 10, 12, 1, "reflect"],
    [1, 8, 8, 12, 10, 1, "replicate"],
    [1, 8, 8, 9, 11, 1, "circular"],
    [1, 10, 9, 8, 8, "same", "zeros"],
    [1, 300, 40, 9, 9, 1, "zeros"],         // transformed weights > L2/2: every block in one pass
  ] as const)("N=%i C=%i OC=%i %ix%i padding=%s %s", (batch, inChannels, outChannels, height, width, padding, mode) => {
    const conv = new nn.Conv2d(inChannels, outChannels, 3, { padding, padding_mode: mode });
    const x = randn([batch, inChannels, height, width]);
    const params: Conv2dParams = {
      stride: conv.stride, padding: conv.padding, dilation: conv.dilation, groups: 1, paddingMode: conv.padding_mode,
    };
    const fast = conv2dWith(x, conv.weight, conv.bias, { ...params, winograd: true });
    const direct = conv2dWith(x, conv.weight, conv.bias, { ...params, winograd: false });
    const reference = conv2dWith(x, conv.weight, conv.bias, { ...params, reference: true });
    expect(fast.shape).toEqual(reference.shape);
    expectClose(fast.data(), reference.data(), TOL, "winograd vs reference");
    expectClose(direct.data(), reference.data(), TOL, "direct vs reference");
    // a fused ReLU clamps the same values
    const relu = conv2dWith(x, conv.weight, conv.bias, { ...params, activation: "relu" });
    expect(relu.data()).toEqual(fast.data().map((v) => (v < 0 ? 0 : v)));
  });
});
