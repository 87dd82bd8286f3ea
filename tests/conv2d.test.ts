// nn.Conv2d and F.conv2d against PyTorch 1.13 (tests/fixtures/gen.py writes the fixtures).
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { init, nn, F, randn, tensor, memory, tidy, type Tensor } from "../src/index.js";
import { conv2dWith, type Conv2dParams } from "../src/functional/conv.js";
import { expectClose, expectPyTorchMessage, loadFixture, thrownMessage, type Fixture } from "./helpers.js";

interface ConvCase {
  id: string;
  args: Record<string, unknown>;
  input_shape: number[];
  output_shape: number[];
  tags: string[];
}
interface ConvError {
  id: string;
  api: "module" | "forward" | "functional";
  args: Record<string, unknown>;
  input_shape: number[] | null;
  weight_shape: number[] | null;
  bias_shape: number[] | null;
  exception: string;
  message: string;
}

await init();
const fixture: Fixture<{ cases: ConvCase[]; errors: ConvError[] }> = loadFixture("conv2d");
const { cases, errors } = fixture.manifest;
const t = (name: string): Tensor => fixture.tensors[name];

/**
 * Tolerance, from float32 accumulation: each output is a sum of K = C/groups*KH*KW products of
 * O(1) inputs and weights of magnitude <= 1/sqrt(K), so |output| = O(1). A different summation
 * order (PyTorch's MKL-DNN/im2col vs our 4x8 tiles, bias first vs last) changes the result by a
 * random walk of K roundings, ~ sqrt(K) * 2^-24 * sum|x*w| ~ 1e-6 for K <= 600; atol 1e-5 leaves
 * 10x headroom and rtol 1e-4 covers the large outputs. torch.allclose's own defaults are looser.
 */
const CONV_TOL = { atol: 1e-5, rtol: 1e-4 };

const ARG_ORDER = ["in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias", "padding_mode"];

/** Even cases pass every argument positionally, odd ones as one options object. */
function makeConv(c: { id: string; args: Record<string, unknown> }): nn.Conv2d {
  const index = Number(c.id.slice(1));
  if (index % 2 === 0) {
    const positional = ARG_ORDER.map((name) => c.args[name]);
    return new (nn.Conv2d as unknown as new (...a: unknown[]) => nn.Conv2d)(...positional);
  }
  const { in_channels, out_channels, kernel_size, ...rest } = c.args;
  return new nn.Conv2d(in_channels as number, out_channels as number, kernel_size as number, rest);
}

const worst = { error: 0, id: "" };

describe("Conv2d matches PyTorch", () => {
  test.each(cases)("$id $input_shape -> $output_shape $args", (c) => {
    const conv = makeConv(c);
    const state: Record<string, Tensor> = { weight: t(`${c.id}.weight`) };
    if (c.args.bias) state.bias = t(`${c.id}.bias`);
    conv.load_state_dict(state);
    const out = conv.forward(t(`${c.id}.input`));
    expect(out.shape).toEqual(c.output_shape);
    const error = expectClose(out.data(), t(`${c.id}.output`).data(), CONV_TOL, c.id);
    if (error > worst.error) Object.assign(worst, { error, id: c.id });

    // the scalar reference kernel (index-mapped padding, no packing) agrees with the fast path
    const params: Conv2dParams = {
      stride: conv.stride, padding: conv.padding, dilation: conv.dilation, groups: conv.groups,
      paddingMode: conv.padding_mode, reference: true,
    };
    const reference = conv2dWith(t(`${c.id}.input`), conv.weight, conv.bias, params);
    expectClose(out.data(), reference.data(), CONV_TOL, `${c.id} fast vs reference`);

    // F.conv2d runs the same kernel: bit-identical for zero padding
    if (c.args.padding_mode === "zeros") {
      const functional = F.conv2d(t(`${c.id}.input`), conv.weight, conv.bias, {
        stride: c.args.stride, padding: c.args.padding, dilation: c.args.dilation, groups: c.args.groups,
      });
      expect(functional.data()).toEqual(out.data());
      functional.dispose();
    }
    out.dispose();
    reference.dispose();
    conv.dispose();
  });

  afterAll(() => {
    console.log(`conv2d: ${cases.length} PyTorch cases, worst abs error ${worst.error.toExponential(2)} (${worst.id}), tolerance atol ${CONV_TOL.atol} rtol ${CONV_TOL.rtol}`);
  });
});

/**
 * Where wasmnn's message knowingly differs from PyTorch 1.13's, with the reason; every other
 * error case must match PyTorch's message exactly.
 */
const DIFFERENT_MESSAGE: Record<string, { expected: RegExp; why: string }> = {
  e008: { expected: /^padding_mode must be one of zeros, reflect, replicate, circular, but got 'mirror'$/, why: "PyTorch prints a Python set, whose order varies between runs" },
  e009: { expected: /^padding_mode must be one of zeros, reflect, replicate, circular, but got 'zero'$/, why: "as e008" },
  e010: { expected: /argument 'kernel_size' must be tuple of ints, but found element of type float at pos 1/, why: "PyTorch's message comes from torch.empty inside the constructor" },
  e040: { expected: /^expected kernel_size to be a single integer value or a list of 2 values/, why: "PyTorch complains about stride, a consequence of the 3-element kernel_size" },
  e055: { expected: /^Expected 4-dimensional weight .* but got weight of size \[4, 4, 3\]$/, why: "PyTorch complains about stride, a consequence of the weight's rank" },
  e056: { expected: /^Expected 4-dimensional weight .* but got weight of size \[4, 4, 3, 3, 3\]$/, why: "as e055" },
  e057: { expected: /^Given groups=3, expected weight to be divisible by 3 at dimension 0, but got weight of size \[4, 4, 3, 3\] instead$/, why: "PyTorch prints the size in double brackets" },
};
/** Errors PyTorch 1.13 raises where wasmnn computes the answer (checked against the batched case). */
const WASMNN_SUPPORTS = new Set(["e028"]); // circular padding of unbatched input: a PyTorch 1.13 limitation of F.pad

function runErrorCase(e: ConvError): Tensor | void {
  if (e.api === "module") {
    makeConv({ id: "c001", args: e.args });
    return;
  }
  if (e.api === "forward") {
    const conv = makeConv({ id: "c001", args: e.args });
    try {
      return conv.forward(randn(e.input_shape!));
    } finally {
      conv.dispose();
    }
  }
  const weight = randn(e.weight_shape!);
  const bias = e.bias_shape ? randn(e.bias_shape) : null;
  return F.conv2d(randn(e.input_shape!), weight, bias, e.args);
}

describe("Conv2d errors match PyTorch's", () => {
  const canary = tensor(new Float32Array([1, -2, 3.5, Number.NaN]));
  const reference = new nn.Conv2d(2, 3, 3, { padding: 1 });
  const probe = randn([1, 2, 5, 5]);
  const expected = reference.forward(probe).data();

  test.each(errors.filter((e) => !WASMNN_SUPPORTS.has(e.id)))("$id $api $args $input_shape: $message", (e) => {
    const before = memory();
    expectPyTorchMessage(thrownMessage(() => runErrorCase(e)), e.message, DIFFERENT_MESSAGE[e.id]);
    // nothing leaked, nothing else touched, and the next call works
    expect(memory().liveTensors).toBe(before.liveTensors);
    expect(Array.from(canary.data())).toEqual([1, -2, 3.5, Number.NaN]);
    expect(reference.forward(probe).data()).toEqual(expected);
  });

  test("e028: circular padding of an unbatched input (PyTorch 1.13 refuses) equals the batched result", () => {
    const e = errors.find((x) => x.id === "e028")!;
    const conv = makeConv({ id: "c001", args: e.args });
    const x = randn(e.input_shape!);
    const unbatched = conv.forward(x);
    const batched = conv.forward(x.reshape([1, ...e.input_shape!]));
    expect(unbatched.shape).toEqual(batched.shape.slice(1));
    expect(unbatched.data()).toEqual(batched.data());
  });
});

describe("im2col panels that run past an output row's end (two runs blended per lane)", () => {
  // 8 output pixels per panel: with an output width that is not a multiple of 8, some panels start
  // near a row's end and finish in the next row; stride 1 and 2, dense and grouped (RegNet's 8 per group)
  test.each([
    [16, 16, 11, 13, 1, 1], [16, 16, 11, 13, 2, 1], [16, 16, 28, 28, 1, 2], [24, 24, 29, 30, 2, 3], [8, 16, 9, 17, 1, 1],
  ])("C=%i OC=%i %ix%i stride %i groups %i", (channels, outChannels, height, width, stride, groups) => {
    const conv = new nn.Conv2d(channels, outChannels, 3, { stride, padding: 1, groups });
    const x = randn([1, channels, height, width]);
    const params: Conv2dParams = { stride: conv.stride, padding: conv.padding, dilation: conv.dilation, groups, paddingMode: "zeros", winograd: false };
    const fast = conv2dWith(x, conv.weight, conv.bias, params);
    const reference = conv2dWith(x, conv.weight, conv.bias, { ...params, reference: true });
    expect(fast.shape[3] % 8).not.toBe(0);
    expectClose(fast.data(), reference.data(), CONV_TOL, "panels across rows");
  });
});
