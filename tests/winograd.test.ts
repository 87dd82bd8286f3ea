// Winograd F(2x2, 3x3) and F(4x4, 3x3) against the scalar reference kernel, at their tile edges:
// output sizes odd and even, below/at/above a block, channel counts off multiples of 4, every
// padding mode, batches, and the "all blocks in one pass" layout of deep layers.
import { beforeAll, describe, expect, test } from "vitest";
import fc from "fast-check";
import { init, nn, randn, manual_seed, tensor, type Tensor } from "../src/index.js";
import { conv2dWith, type Conv2dParams } from "../src/functional/conv.js";

beforeAll(async () => {
  await init();
  manual_seed(11);
});

/**
 * Error budget per output element: GAIN * 2^-24 * (sum_k |x_k * w_k| + |b|), i.e. the rounding of a
 * float32 dot product scaled by how much the transforms amplify it. Measured maxima of
 * |error| / (2^-24 * (sum|x w| + 1)) over C = 8..512: direct 1.9, F(2,3) 3.1 (its transforms only
 * add, subtract and halve), F(4,3) 31.5 (coefficients up to 5 in B, 8 in A, 1/24 in G). The gains
 * below leave 4x headroom. The 7x7 stride-2 stem by polyphase F(3x3, 4x4) (F(4,3)'s points, 4C phase channels): 20.2. (The PyTorch fixtures' atol 1e-5 + rtol 1e-4 also hold: conv2d.test.ts.)
 */
const GAIN = { direct: 8, winograd: 16, winograd4: 128, winograd_s2k7: 96 } as const;

/** sum_k |x_k w_k| per output: the reference convolution of |x| with |w| */
function magnitudes(x: Tensor, conv: nn.Conv2d, params: Conv2dParams): Float32Array {
  const abs = (t: Tensor) => tensor(t.data().map(Math.abs), [...t.shape]);
  return conv2dWith(abs(x), abs(conv.weight), conv.bias ? abs(conv.bias) : null, { ...params, reference: true }).data();
}

/** Throws past the budget; returns the largest error in units of 2^-24 (sum|x w| + 1), as the GAIN comments quote. */
function expectWithin(actual: Float32Array, reference: Float32Array, scale: Float32Array, gain: number, label: string): number {
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const unit = 2 ** -24 * (scale[i] + 1);
    const error = Math.abs(actual[i] - reference[i]);
    if (!(error <= gain * unit)) throw new Error(`${label}: element ${i} is ${actual[i]}, reference ${reference[i]}, error ${error.toExponential(2)} > ${(gain * unit).toExponential(2)}`);
    worst = Math.max(worst, error / unit);
  }
  return worst;
}

describe("dilated 3x3 convolutions by polyphase Winograd equal the reference convolution", () => {
  test.each([
    // [batch, in, out, height, width, dilation, padding, mode]
    [1, 16, 8, 40, 36, 2, 2, "zeros"],
    [2, 8, 12, 33, 47, [2, 3], [2, 3], "reflect"],  // odd sizes: phases of unequal size
    [1, 8, 8, 45, 50, 3, 3, "circular"],
    [1, 12, 9, 30, 30, 2, 0, "replicate"],
  ] as const)("N=%i C=%i OC=%i %ix%i dilation=%s padding=%s %s", (batch, inChannels, outChannels, height, width, dilation, padding, mode) => {
    const conv = new nn.Conv2d(inChannels, outChannels, 3, {
      padding: padding as number | [number, number], dilation: dilation as number | [number, number], padding_mode: mode,
    });
    const x = randn([batch, inChannels, height, width]);
    const params: Conv2dParams = {
      stride: conv.stride, padding: conv.padding, dilation: conv.dilation, groups: 1, paddingMode: conv.padding_mode,
    };
    const reference = conv2dWith(x, conv.weight, conv.bias, { ...params, reference: true });
    const phases = conv2dWith(x, conv.weight, conv.bias, params);
    expect(phases.shape).toEqual(reference.shape);
    expectWithin(phases.data(), reference.data(), magnitudes(x, conv, params), GAIN.winograd4, "phases vs reference");
  });
});

describe("Winograd F(2x2,3x3) and F(4x4,3x3) equal the reference convolution", () => {
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
    [1, 256, 16, 14, 14, 1, "zeros"],       // deep: 256 products summed per transformed element
    [1, 512, 8, 12, 12, 1, "reflect"],
  ] as const)("N=%i C=%i OC=%i %ix%i padding=%s %s", (batch, inChannels, outChannels, height, width, padding, mode) => {
    const conv = new nn.Conv2d(inChannels, outChannels, 3, { padding, padding_mode: mode });
    const x = randn([batch, inChannels, height, width]);
    const params: Conv2dParams = {
      stride: conv.stride, padding: conv.padding, dilation: conv.dilation, groups: 1, paddingMode: conv.padding_mode,
    };
    const reference = conv2dWith(x, conv.weight, conv.bias, { ...params, reference: true });
    const scale = magnitudes(x, conv, params);
    const direct = conv2dWith(x, conv.weight, conv.bias, { ...params, winograd: false });
    expectWithin(direct.data(), reference.data(), scale, GAIN.direct, "direct vs reference");
    for (const kind of ["winograd", "winograd4"] as const) {
      const out = conv2dWith(x, conv.weight, conv.bias, { ...params, winograd: kind });
      expect(out.shape).toEqual(reference.shape);
      expectWithin(out.data(), reference.data(), scale, GAIN[kind], `${kind} vs reference`);
    }
    const fast = conv2dWith(x, conv.weight, conv.bias, { ...params, winograd: true });
    // a fused ReLU clamps the same values
    const relu = conv2dWith(x, conv.weight, conv.bias, { ...params, activation: "relu" });
    expect(relu.data()).toEqual(fast.data().map((v) => (v < 0 ? 0 : v)));
  });
});

describe("fuzz: every Winograd-eligible 3x3 configuration equals the reference", () => {
  test("300 random configurations (channels, sizes, padding, modes, dilation, batch) within the error budget", () => {
    const modes = ["zeros", "reflect", "replicate", "circular"] as const;
    let cases = 0;
    fc.assert(fc.property(
      fc.record({
        batch: fc.integer({ min: 1, max: 2 }), inChannels: fc.integer({ min: 8, max: 20 }), outChannels: fc.integer({ min: 8, max: 20 }),
        height: fc.integer({ min: 4, max: 34 }), width: fc.integer({ min: 4, max: 34 }), padding: fc.integer({ min: 0, max: 2 }),
        dilation: fc.integer({ min: 1, max: 3 }), mode: fc.constantFrom(...modes), bias: fc.boolean(),
      }),
      (c) => {
        // PyTorch's limits: the dilated kernel fits the padded input; reflect pads < size; circular pads <= size
        const reach = 2 * c.dilation + 1;
        if (c.height + 2 * c.padding < reach || c.width + 2 * c.padding < reach) return;
        if (c.mode === "reflect" && (c.padding >= c.height || c.padding >= c.width)) return;
        if (c.mode === "circular" && (c.padding > c.height || c.padding > c.width)) return;
        cases++;
        const conv = new nn.Conv2d(c.inChannels, c.outChannels, 3, { padding: c.padding, dilation: c.dilation, padding_mode: c.mode, bias: c.bias });
        const x = randn([c.batch, c.inChannels, c.height, c.width]);
        const params: Conv2dParams = {
          stride: conv.stride, padding: conv.padding, dilation: conv.dilation, groups: 1, paddingMode: conv.padding_mode,
        };
        const reference = conv2dWith(x, conv.weight, conv.bias, { ...params, reference: true });
        const out = conv2dWith(x, conv.weight, conv.bias, params);   // whichever path the library picks
        expect(out.shape).toEqual(reference.shape);
        expectWithin(out.data(), reference.data(), magnitudes(x, conv, params), GAIN.winograd4, JSON.stringify(c));
        for (const t of [conv.weight, conv.bias, x, reference, out]) t?.dispose();
      }), { numRuns: 300, seed: 0x3a3 });
    console.log(`winograd fuzz: ${cases} eligible configurations checked`);
  });
});

describe("7x7 stride-2 convolutions by polyphase Winograd F(3x3, 4x4) equal the reference convolution", () => {
  let worst = 0;
  test.each([
    // [batch, in, out, height, width, padding, mode, bias]
    [1, 3, 64, 100, 76, 3, "zeros", false],    // the seed's stem on a smaller image (full size: tests/seed-block, the fixtures)
    [1, 3, 64, 64, 64, 3, "zeros", false],     // ResNet's stem, smaller
    [2, 3, 8, 21, 17, 3, "zeros", true],       // batch; outputs 11x9: partial tiles and groups
    [1, 5, 13, 30, 41, 2, "reflect", true],    // 13 output channels: a partial block of 4
    [1, 4, 9, 19, 23, 0, "zeros", true],       // no padding: 7x9 outputs
    [1, 2, 8, 26, 27, [1, 3], "replicate", true],
    [1, 3, 10, 24, 40, 3, "circular", false],
    [1, 64, 16, 20, 20, 3, "zeros", true],     // 256 phase channels: transformed weights > 2 x L2, one pass
  ] as const)("N=%i C=%i OC=%i %ix%i padding=%s %s bias=%s", (batch, inChannels, outChannels, height, width, padding, mode, bias) => {
    const conv = new nn.Conv2d(inChannels, outChannels, 7, { stride: 2, padding: padding as number | [number, number], padding_mode: mode, bias });
    const x = randn([batch, inChannels, height, width]);
    const params: Conv2dParams = {
      stride: conv.stride, padding: conv.padding, dilation: conv.dilation, groups: 1, paddingMode: conv.padding_mode,
    };
    const reference = conv2dWith(x, conv.weight, conv.bias, { ...params, reference: true });
    const scale = magnitudes(x, conv, params);
    const out = conv2dWith(x, conv.weight, conv.bias, params);   // the library's choice: this path
    expect(out.shape).toEqual(reference.shape);
    worst = Math.max(worst, expectWithin(out.data(), reference.data(), scale, GAIN.winograd_s2k7, "polyphase F(3,4) vs reference"));
    const forced = conv2dWith(x, conv.weight, conv.bias, { ...params, winograd: "winograd_s2k7" });
    expect(forced.data()).toEqual(out.data());
    const relu = conv2dWith(x, conv.weight, conv.bias, { ...params, activation: "relu" });
    expect(relu.data()).toEqual(out.data().map((v) => (v < 0 ? 0 : v)));
    for (const t of [x, reference, out, forced, relu]) t.dispose();
  });
  test("fuzz: 150 random stride-2 7x7 configurations within the error budget", () => {
    const modes = ["zeros", "reflect", "replicate", "circular"] as const;
    fc.assert(fc.property(
      fc.record({
        batch: fc.integer({ min: 1, max: 2 }), inChannels: fc.integer({ min: 1, max: 6 }), outChannels: fc.integer({ min: 8, max: 20 }),
        height: fc.integer({ min: 11, max: 40 }), width: fc.integer({ min: 11, max: 40 }), padding: fc.integer({ min: 0, max: 3 }),
        mode: fc.constantFrom(...modes), bias: fc.boolean(),
      }),
      (c) => {
        if (c.mode === "reflect" && (c.padding >= c.height || c.padding >= c.width)) return;
        const conv = new nn.Conv2d(c.inChannels, c.outChannels, 7, { stride: 2, padding: c.padding, padding_mode: c.mode, bias: c.bias });
        const x = randn([c.batch, c.inChannels, c.height, c.width]);
        const params: Conv2dParams = {
          stride: conv.stride, padding: conv.padding, dilation: conv.dilation, groups: 1, paddingMode: conv.padding_mode,
        };
        const reference = conv2dWith(x, conv.weight, conv.bias, { ...params, reference: true });
        const out = conv2dWith(x, conv.weight, conv.bias, { ...params, winograd: "winograd_s2k7" });
        expect(out.shape).toEqual(reference.shape);
        const scale = magnitudes(x, conv, params);
        worst = Math.max(worst, expectWithin(out.data(), reference.data(), scale, GAIN.winograd_s2k7, JSON.stringify(c)));
        for (const t of [conv.weight, conv.bias, x, reference, out]) t?.dispose();
      }), { numRuns: 150, seed: 0x5275 });
    console.log(`polyphase F(3,4): worst |error| / (2^-24 (sum|x w| + 1)) = ${worst.toFixed(1)}`);
  });
});

describe("grouped 3x3 convolutions (up to 4 groups) by Winograd on block-diagonal dense weights", () => {
  test.each([
    // [batch, in, out, groups, height, width, padding, mode]
    [1, 12, 6, 3, 64, 64, 1, "zeros"],       // the benchmark's grouped workload
    [2, 16, 16, 2, 13, 17, 1, "reflect"],    // small image: F(2,3)
    [1, 8, 12, 4, 20, 21, 0, "zeros"],
    [1, 10, 5, 5, 16, 16, 1, "zeros"],       // 5 groups: stays direct
  ] as const)("N=%i C=%i OC=%i groups=%i %ix%i padding=%s %s", (batch, inChannels, outChannels, groups, height, width, padding, mode) => {
    const conv = new nn.Conv2d(inChannels, outChannels, 3, { padding, padding_mode: mode, groups });
    const x = randn([batch, inChannels, height, width]);
    const params: Conv2dParams = { stride: conv.stride, padding: conv.padding, dilation: conv.dilation, groups, paddingMode: conv.padding_mode };
    const reference = conv2dWith(x, conv.weight, conv.bias, { ...params, reference: true });
    const out = conv2dWith(x, conv.weight, conv.bias, params);
    const direct = conv2dWith(x, conv.weight, conv.bias, { ...params, winograd: false });
    expect(out.shape).toEqual(reference.shape);
    const scale = magnitudes(x, conv, params);
    expectWithin(out.data(), reference.data(), scale, GAIN.winograd4, "grouped, library's choice vs reference");
    expectWithin(direct.data(), reference.data(), scale, GAIN.direct, "grouped direct vs reference");
    // Winograd's rounding differs from the direct kernel's: proof that the path changed (or not, for 5 groups)
    expect(out.data().some((v, i) => v !== direct.data()[i])).toBe(groups <= 4);
  });
});

describe("the 5x8 GEMM kernel's tile edges (direct convolution)", () => {
  test.each([
    // [in, out, kernel, stride, height, width, activation]: K = in * kernel^2 over one K block (512) or more,
    // output channels 1-4 past a multiple of 5 (partial row blocks), pixels 1-7 past a multiple of 8
    [64, 7, 3, 1, 9, 11, "relu6"],     // K 576: two K blocks (accumulate through the scratch tile), mr 2
    [60, 13, 3, 2, 13, 9, "relu"],     // K 540, mr 3, stride 2
    [8, 4, 3, 1, 5, 7, "none"],        // K 72, one block of 4 rows (mr 4), 35 pixels
    [600, 6, 1, 1, 3, 3, "relu"],      // pointwise K 600 > 512: two blocks, 9 pixels
    [3, 1, 7, 2, 20, 18, "relu6"],     // a single output channel
  ] as const)("C=%i OC=%i k=%i s=%i %ix%i %s", (inChannels, outChannels, kernel, stride, height, width, activation) => {
    const conv = new nn.Conv2d(inChannels, outChannels, kernel, { stride, padding: kernel >> 1 });
    const x = randn([1, inChannels, height, width]);
    const params: Conv2dParams = { stride: conv.stride, padding: conv.padding, dilation: conv.dilation, groups: 1, paddingMode: "zeros" };
    const reference = conv2dWith(x, conv.weight, conv.bias, { ...params, reference: true }).data();
    const out = conv2dWith(x, conv.weight, conv.bias, { ...params, winograd: false, activation }).data();
    const [lo, hi] = activation === "relu" ? [0, Infinity] : activation === "relu6" ? [0, 6] : [-Infinity, Infinity];
    const clamped = reference.map((v) => Math.min(Math.max(v, lo), hi));
    expectWithin(out, clamped, magnitudes(x, conv, params), GAIN.direct, `direct ${activation} vs reference`);
  });
});
