// Activations: PyTorch's recorded calls replayed (tests/fixtures/ops/activation.py), the vector math
// against float64 over dense sweeps of the float range, properties against scalar references, and
// what replay can't say (in-place semantics, random dropout, bad input, leaks).
import { beforeAll, describe, expect, test } from "vitest";
import fc from "fast-check";
import { init, tensor, nn, F, exp, sigmoid, tanh, softmax, log_softmax, manual_seed, memory, tidy, randn, type Tensor } from "../src/index.js";
import { wasm } from "../src/runtime.js";
import { conv2dWith } from "../src/functional/conv.js";
import type { Epilogue } from "../src/functional/activation.js";
import { replay } from "./replay.js";
import { thrownMessage } from "./helpers.js";

beforeAll(async () => {
  await init();
});

// Piecewise-linear activations do PyTorch's operations in PyTorch's order (x * relu6(x + 3) / 6, ...),
// one rounding each: bit-exact. Transcendental ones: our exp/erf/tanh/log are within a few float32 ULP
// (measured below) and so is PyTorch's Sleef, and the formulas amplify that by at most a small factor
// (GELU's 1 + erf near -1 cancels: x/2 * (a few ULP of 1) ~ 1e-7 * |x| for |x| < 6, beyond that both
// are 0), so the 1e-6 absolute + 1e-5 relative holds with room.
const EXACT = null;
const TRANSCENDENTAL = { atol: 1e-6, rtol: 1e-5 };
// softmax/log_softmax add a sum of n <= 1000 terms, accumulated in 4 lanes here and 8 in PyTorch: the
// two sums differ by ~sqrt(n) ULP of the sum (~2e-6 relative at n = 1000), inside the same budget.
const SOFTMAX = TRANSCENDENTAL;

replay("activation", {
  tolerance: {
    "torch.relu": EXACT, "torch.relu_": EXACT, "Tensor.relu": EXACT, "Tensor.relu_": EXACT,
    "F.relu": EXACT, "F.relu6": EXACT, "F.relu_": EXACT, "F.hardtanh": EXACT, "F.hardtanh_": EXACT,
    "F.leaky_relu": EXACT, "F.leaky_relu_": EXACT, "F.hardswish": EXACT, "F.hardsigmoid": EXACT,
    "F.prelu": EXACT, "torch.prelu": EXACT, "F.dropout": EXACT, "F.dropout2d": EXACT, "torch.dropout": EXACT,
    "nn.Hardswish": EXACT, "nn.Hardsigmoid": EXACT, "nn.LeakyReLU": EXACT, "nn.Hardtanh": EXACT,
    "nn.PReLU": EXACT, "nn.Dropout": EXACT, "nn.Dropout2d": EXACT,
    "torch.sigmoid": TRANSCENDENTAL, "torch.sigmoid_": TRANSCENDENTAL, "Tensor.sigmoid": TRANSCENDENTAL, "Tensor.sigmoid_": TRANSCENDENTAL,
    "torch.tanh": TRANSCENDENTAL, "torch.tanh_": TRANSCENDENTAL, "Tensor.tanh": TRANSCENDENTAL, "Tensor.tanh_": TRANSCENDENTAL,
    "torch.exp": TRANSCENDENTAL, "torch.exp_": TRANSCENDENTAL, "Tensor.exp": TRANSCENDENTAL, "Tensor.exp_": TRANSCENDENTAL,
    "F.sigmoid": TRANSCENDENTAL, "F.tanh": TRANSCENDENTAL, "F.silu": TRANSCENDENTAL, "F.mish": TRANSCENDENTAL,
    "F.gelu": TRANSCENDENTAL, "F.elu": TRANSCENDENTAL, "F.elu_": TRANSCENDENTAL, "F.softplus": TRANSCENDENTAL,
    "nn.Sigmoid": TRANSCENDENTAL, "nn.Tanh": TRANSCENDENTAL, "nn.SiLU": TRANSCENDENTAL, "nn.Mish": TRANSCENDENTAL,
    "nn.GELU": TRANSCENDENTAL, "nn.ELU": TRANSCENDENTAL, "nn.Softplus": TRANSCENDENTAL,
    "F.softmax": SOFTMAX, "F.log_softmax": SOFTMAX, "torch.softmax": SOFTMAX, "torch.log_softmax": SOFTMAX,
    "Tensor.softmax": SOFTMAX, "Tensor.log_softmax": SOFTMAX, "nn.Softmax": SOFTMAX, "nn.LogSoftmax": SOFTMAX,
  },
});

/** Float32 bit patterns across the whole range (every 8191st, both signs: 2 x 260k values) and the edges. */
function sweep(): Float32Array {
  const bits: number[] = [];
  for (let b = 0; b < 0x7f800000; b += 8191) bits.push(b, (b | 0x80000000) >>> 0);
  const f = new Float32Array(new Uint32Array(bits).buffer);
  const edges = [Infinity, -Infinity, NaN, 0, -0, 88.72283, 88.7228, 88.72284, -87.33654, -103.97, -103.98, -104, 89, -88.7228,
    1.4e-45, -1.4e-45, 1.1754942e-38, 3.4028235e38, -3.4028235e38];
  return Float32Array.from([...f, ...edges]);
}

/** The kernel's kind `kind` over `xs` with parameters a, b (kind 13 is log alone; kind 5 with a = 1, b = 1 is erf alone). */
function kernel(kind: number, xs: Float32Array, a = 0, b = 0): Float32Array {
  return tidy(() => {
    const t = tensor(xs, [xs.length]);
    wasm().f32_activation(t.ptr, t.ptr, xs.length, kind, a, b);
    return t.data();
  });
}

/** The spacing of float32 numbers at |e| (2^-149 for subnormals). */
function ulp(e: number): number {
  const a = Math.abs(Math.fround(e));
  if (a < 2 ** -126) return 2 ** -149;
  let exponent = Math.floor(Math.log2(a));
  if (2 ** exponent > a) exponent--;
  if (2 ** (exponent + 1) <= a) exponent++;
  return 2 ** (exponent - 23);
}

/** erf in float64: 2/sqrt(pi) e^(-x^2) sum 2^n x^(2n+1) / (1 3 5 ... (2n+1)), a series of positive terms (no cancellation). */
function erf64(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return -erf64(-x);
  if (x > 6) return 1;
  let term = x;
  let sum = x;
  for (let n = 1; n < 1000 && term > sum * 1e-17; n++) {
    term *= (2 * x * x) / (2 * n + 1);
    sum += term;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
}

/** Worst error in float32 ULP of `kind` against `reference` (float64) over the sweep; non-finite results must match exactly. */
function worstUlp(kind: number, reference: (x: number) => number, domain: (x: number) => boolean = () => true, a = 0, b = 0): number {
  // (expm1 is ELU's negative branch with alpha 1; erf is GELU's kernel with b != 0)
  const xs = sweep().filter((x) => domain(x));
  const out = kernel(kind, xs, a, b);
  let worst = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    const exact = reference(x);
    const want = Math.fround(exact);
    const got = out[i];
    if (!Number.isFinite(want) || !Number.isFinite(got)) {
      if (!(Object.is(got, want) || (Number.isNaN(got) && Number.isNaN(want)))) throw new Error(`kind ${kind} at ${x}: ${got}, expected ${want}`);
      continue;
    }
    worst = Math.max(worst, Math.abs(got - exact) / ulp(exact));
  }
  return worst;
}

describe("vector math: float32 ULP over the whole range (subnormals, overflow edges, +-inf, NaN)", () => {
  // Bounds are what the implementations reach (measured) rounded up: Cephes' exp/log polynomials are
  // under 1 ULP, expm1 adds one rounding (2^n e + (2^n - 1)), tanh divides two expm1 results, erf is
  // Eigen's rational below 2 (4 ULP near 1.7) and 1 - erfc above.
  test("exp <= 1 ULP, overflow to inf above 88.7228, subnormal results, 0 below -103.97", () => {
    expect(worstUlp(3, Math.exp)).toBeLessThanOrEqual(1);
    expect(Array.from(kernel(3, Float32Array.from([88.7228, 88.72284, -87.33654, -100, -103.98, Infinity, -Infinity, NaN]))))
      .toEqual([Math.fround(Math.exp(Math.fround(88.7228))), Infinity, Math.fround(Math.exp(Math.fround(-87.33654))), Math.fround(Math.exp(-100)), 0, Infinity, 0, NaN]);
  });
  test("expm1 <= 2 ULP (x <= 0, ELU's branch; x > 0 is inside tanh), tanh <= 3 ULP, erf <= 5 ULP", () => {
    expect(worstUlp(10, Math.expm1, (x) => !(x > 0), 1)).toBeLessThanOrEqual(2);
    expect(worstUlp(2, Math.tanh)).toBeLessThanOrEqual(3);
    expect(worstUlp(5, erf64, undefined, 1, 1)).toBeLessThanOrEqual(5);
  });
  test("log <= 1 ULP (0 -> -inf, negatives -> NaN); log1p inside softplus below", () => {
    expect(worstUlp(13, Math.log)).toBeLessThanOrEqual(1);
  });
  test("sigmoid <= 3 ULP everywhere, including its subnormal tail below -87", () => {
    expect(worstUlp(1, (x) => 1 / (1 + Math.exp(-x)))).toBeLessThanOrEqual(3);
  });
  test("softplus, elu <= 3 ULP where PyTorch's formula itself is accurate", () => {
    expect(worstUlp(12, (x) => (x > 20 ? x : Math.log1p(Math.exp(x))), undefined, 1, 20)).toBeLessThanOrEqual(3);
    expect(worstUlp(10, (x) => (x > 0 ? x : Math.expm1(x)), undefined, 1)).toBeLessThanOrEqual(3);
  });
});

describe("stable where naive formulas overflow", () => {
  const far = [-1e30, -1e4, -1000, -100, -89, -88.8, -40, 40, 88.8, 89, 100, 1000, 1e4, 1e30];
  test("sigmoid, softplus, silu, mish, gelu, elu, tanh: finite for every finite input", () => {
    const x = tensor(far);
    for (const fn of [F.sigmoid, F.softplus, F.silu, F.mish, F.gelu, F.elu, F.tanh]) {
      const y = fn(x).data();
      expect(y.every(Number.isFinite), `${fn.name}: ${Array.from(y)}`).toBe(true);
    }
    expect(F.sigmoid(x).data().slice(0, 7).every((v) => v >= 0 && v < 1e-16)).toBe(true);
  });
  test("softmax and log_softmax of logits at +-40 and far beyond: finite, summing to 1", () => {
    const x = tensor([far, far.map((v) => -v)]);
    const p = softmax(x, 1).data();
    const lp = log_softmax(x, 1).data();
    expect(p.every(Number.isFinite) && lp.every(Number.isFinite)).toBe(true);
    for (const row of [0, 1]) {
      const sum = Array.from(p.slice(row * far.length, (row + 1) * far.length)).reduce((s, v) => s + v, 0);
      expect(Math.abs(sum - 1)).toBeLessThan(1e-6);
    }
  });
});

/** Float32 inputs for properties: any finite float, biased towards the interesting range. */
const finite = fc.oneof(
  fc.float({ noNaN: true, noDefaultInfinity: true, min: -20, max: 20 }),
  fc.float({ noNaN: true, noDefaultInfinity: true }),
);
const f = Math.fround;

describe("properties against a scalar reference", () => {
  test("piecewise-linear activations are bit-exact with PyTorch's operation order", () => {
    fc.assert(fc.property(fc.array(finite, { minLength: 1, maxLength: 23 }), fc.float({ noNaN: true, min: -3, max: 3 }), (values, slope) => {
      tidy(() => {
        const x = tensor(values);
        const relu6 = (v: number) => Math.min(Math.max(v, 0), 6);
        expect(Array.from(F.hardswish(x).data())).toEqual(values.map((v) => f(f(v * relu6(f(v + 3))) / 6)));
        expect(Array.from(F.hardsigmoid(x).data())).toEqual(values.map((v) => f(relu6(f(v + 3)) / 6)));
        expect(Array.from(F.leaky_relu(x, slope).data())).toEqual(values.map((v) => (v > 0 ? v : f(v * slope))));
        expect(Array.from(F.hardtanh(x, -0.5, 2.5).data())).toEqual(values.map((v) => Math.min(Math.max(v, -0.5), 2.5)));
        expect(Array.from(F.relu(x).data())).toEqual(values.map((v) => (v > 0 ? v : v === 0 ? v : 0)));
      });
    }), { numRuns: 200 });
  });

  test("transcendental activations against float64 formulas (1e-6 abs + 1e-5 rel)", () => {
    const refs: [string, (x: Tensor) => Tensor, (v: number) => number][] = [
      ["sigmoid", (x) => F.sigmoid(x), (v) => 1 / (1 + Math.exp(-v))],
      ["tanh", (x) => F.tanh(x), Math.tanh],
      ["silu", (x) => F.silu(x), (v) => v / (1 + Math.exp(-v))],
      ["gelu", (x) => F.gelu(x), (v) => v * 0.5 * (1 + erf64(v / Math.SQRT2))],
      ["gelu tanh", (x) => F.gelu(x, { approximate: "tanh" }), (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))],
      ["mish", (x) => F.mish(x), (v) => v * Math.tanh(Math.log1p(Math.exp(v)))],
      ["elu", (x) => F.elu(x, 1.5), (v) => (v > 0 ? v : 1.5 * Math.expm1(v))],
      ["softplus", (x) => F.softplus(x, 2, 15), (v) => (2 * v > 15 ? v : Math.log1p(Math.exp(2 * v)) / 2)],
    ];
    fc.assert(fc.property(fc.array(fc.float({ noNaN: true, noDefaultInfinity: true, min: -30, max: 30 }), { minLength: 1, maxLength: 13 }), (values) => {
      tidy(() => {
        const x = tensor(values);
        for (const [name, fn, ref] of refs) {
          const got = fn(x).data();
          values.forEach((v, i) => {
            const want = ref(f(v));
            // the formulas' own cancellation (1 + erf, 1 + tanh near -1) costs a few ULP of 1 times |x| / 2
            const atol = name.startsWith("gelu") ? 1e-6 + 2e-7 * Math.abs(v) : 1e-6;
            expect(Math.abs(got[i] - want), `${name}(${v}) = ${got[i]}, expected ${want}`).toBeLessThanOrEqual(atol + 1e-5 * Math.abs(want));
          });
        }
      });
    }), { numRuns: 100 });
  });

  test("softmax over a non-last dim with more columns than one chunk (1024) equals the definition", () => {
    manual_seed(9);
    const shape = [2, 5, 3, 700];   // dim 1: 2100 columns, chunks of 1024, 1024, 52
    const x = tensor(Array.from(randn(shape).data(), (v) => v * 20), shape);
    const xs = x.data();
    const inner = 2100;
    for (const log of [false, true]) {
      const y = (log ? log_softmax(x, 1) : softmax(x, 1)).data();
      for (let i = 0; i < xs.length; i++) {
        const base = Math.floor(i / (5 * inner)) * 5 * inner + (i % inner);
        let max = -Infinity;
        for (let d = 0; d < 5; d++) max = Math.max(max, xs[base + d * inner]);
        let sum = 0;
        for (let d = 0; d < 5; d++) sum += Math.exp(xs[base + d * inner] - max);
        const want = log ? xs[i] - max - Math.log(sum) : Math.exp(xs[i] - max) / sum;
        expect(Math.abs(y[i] - want), `${log ? "log_softmax" : "softmax"} at ${i}`).toBeLessThanOrEqual(1e-6 + 1e-5 * Math.abs(want));
      }
    }
  });

  test("an element's result does not depend on its position (vector body vs the partial tail)", () => {
    // the convolution epilogue applies these to row chunks of any length: fused == unfused needs this
    fc.assert(fc.property(fc.array(finite, { minLength: 1, maxLength: 11 }), fc.integer({ min: 0, max: 13 }), (values, kind) => {
      const whole = kernel(kind, Float32Array.from(values), 0.3, 4);
      values.forEach((v, i) => {
        const alone = kernel(kind, Float32Array.from([v]), 0.3, 4)[0];
        expect(Object.is(alone, whole[i]) || (Number.isNaN(alone) && Number.isNaN(whole[i]))).toBe(true);
      });
    }), { numRuns: 100 });
  });

  test("softmax over any dim equals the definition in float64; log_softmax is its log", () => {
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }), fc.nat(), fc.integer({ min: 1, max: 60 }),
      (shape, dimSeed, scale) => {
        tidy(() => {
          const dim = dimSeed % shape.length;
          const x = randn(shape);
          const xs = Array.from(x.data(), (v) => v * scale);
          const t = tensor(xs, shape);
          const p = softmax(t, dim).data();
          const lp = log_softmax(t, dim).data();
          const inner = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
          const size = shape[dim];
          for (let i = 0; i < xs.length; i++) {
            const base = i - (Math.floor(i / inner) % size) * inner;
            let max = -Infinity;
            for (let d = 0; d < size; d++) max = Math.max(max, f(xs[base + d * inner]));
            let sum = 0;
            for (let d = 0; d < size; d++) sum += Math.exp(f(xs[base + d * inner]) - max);
            const want = Math.exp(f(xs[i]) - max) / sum;
            expect(Math.abs(p[i] - want)).toBeLessThanOrEqual(1e-6 + 1e-5 * want);
            const wantLog = f(xs[i]) - max - Math.log(sum);
            expect(Math.abs(lp[i] - wantLog)).toBeLessThanOrEqual(1e-6 + 1e-5 * Math.abs(wantLog));
          }
        });
      }), { numRuns: 60 });
  });
});

describe("in place, views and the Tensor methods", () => {
  test("inplace=True writes into the input (and its views) and returns it; the default leaves it alone", () => {
    const x = tensor([[-2, -1], [1, 2]]);
    const view = x.reshape([4]);
    const y = F.silu(x);
    expect(y).not.toBe(x);
    expect(Array.from(x.data())).toEqual([-2, -1, 1, 2]);
    const version = x.version;
    expect(F.silu(x, true)).toBe(x);
    expect(x.version).toBeGreaterThan(version);
    expect(Array.from(view.data())).toEqual(Array.from(y.data()));
    const m = new nn.Hardswish(true);
    const z = tensor([-4, -1, 1, 4]);
    expect(m.forward(z)).toBe(z);
    expect(Array.from(z.data())).toEqual([-0, f(f(-1 * 2) / 6), f(f(1 * 4) / 6), 4]);
  });

  test("Tensor methods match the functions; _ forms return this", () => {
    const x = tensor([-3, -0.5, 0, 0.5, 3]);
    expect(Array.from(x.sigmoid().data())).toEqual(Array.from(sigmoid(x).data()));
    expect(Array.from(x.tanh().data())).toEqual(Array.from(tanh(x).data()));
    expect(Array.from(x.exp().data())).toEqual(Array.from(exp(x).data()));
    expect(Array.from(x.softmax(0).data())).toEqual(Array.from(softmax(x, 0).data()));
    expect(Array.from(x.log_softmax({ dim: 0 }).data())).toEqual(Array.from(log_softmax(x, 0).data()));
    const e = exp(x).data();
    expect(x.exp_()).toBe(x);
    expect(Array.from(x.data())).toEqual(Array.from(e));
  });

  test("softmax dtype: 'float32' or None; other dtypes are refused (wasmnn computes in float32)", () => {
    const x = tensor([1, 2, 3]);
    expect(Array.from(F.softmax(x, 0, 3, "float32").data())).toEqual(Array.from(softmax(x, 0).data()));
    expect(() => F.softmax(x, { dim: 0, dtype: "float64" })).toThrow(/dtype must be 'float32' or None/);
  });
});

describe("Dropout in training mode", () => {
  test("seeded by manual_seed, zeroes about p of the elements, scales the rest by float32(1 / (1 - p))", () => {
    const x = randn([64, 64]);
    for (const p of [0.1, 0.5, 0.8]) {
      manual_seed(42);
      const a = F.dropout(x, p).data();
      manual_seed(42);
      const b = new nn.Dropout(p).train().forward(x).data();
      expect(Array.from(a)).toEqual(Array.from(b));
      const scale = f(1 / f(1 - p));
      const input = x.data();
      let zeros = 0;
      a.forEach((v, i) => {
        if (v === 0) zeros++;
        else expect(v).toBe(f(input[i] * scale));
      });
      // binomial(4096, p): 5 standard deviations
      expect(Math.abs(zeros / a.length - p)).toBeLessThan(5 * Math.sqrt(p * (1 - p) / a.length));
    }
    manual_seed(1);
    const c = F.dropout(x, 0.5).data();
    manual_seed(2);
    expect(Array.from(F.dropout(x, 0.5).data())).not.toEqual(Array.from(c));
  });

  test("Dropout2d zeroes whole channels (per sample) and scales the others; inplace writes the input", () => {
    manual_seed(7);
    const x = randn([4, 16, 3, 5]);
    const input = x.data();
    const y = new nn.Dropout2d(0.5).train().forward(x).data();
    let dropped = 0;
    for (let plane = 0; plane < 64; plane++) {
      const part = y.slice(plane * 15, plane * 15 + 15);
      const zero = part.every((v) => v === 0);
      if (zero) dropped++;
      else part.forEach((v, i) => expect(v).toBe(f(input[plane * 15 + i] * 2)));
    }
    expect(dropped).toBeGreaterThan(10);
    expect(dropped).toBeLessThan(54);
    const z = randn([2, 3, 4]);
    expect(F.dropout2d(z, 0.5, true, true)).toBe(z);
  });

  test("eval mode and p = 0 return the input itself, as PyTorch", () => {
    const x = randn([2, 3]);
    expect(new nn.Dropout().eval().forward(x)).toBe(x);
    expect(F.dropout(x, 0)).toBe(x);
    expect(F.dropout2d(x, 0.5, false)).toBe(x);
  });
});

describe("bad input: PyTorch's errors, no trap, other tensors intact", () => {
  test("int64 input, disposed input, a non-tensor: clear errors, and the next call works", () => {
    const keep = tensor([1, 2, 3]);
    const ints = tensor(new BigInt64Array([1n, 2n]), [2]);
    expect(thrownMessage(() => F.silu(ints))).toMatch(/float32/);
    expect(thrownMessage(() => softmax(ints, 0))).toMatch(/float32/);
    const gone = tensor([1]);
    gone.dispose();
    expect(thrownMessage(() => F.gelu(gone))).toMatch(/after dispose/);
    expect(thrownMessage(() => F.sigmoid([1, 2] as unknown as Tensor))).toMatch(/must be Tensor/);
    expect(thrownMessage(() => F.leaky_relu(keep, "a" as unknown as number))).toMatch(/must be Number/);
    expect(thrownMessage(() => F.prelu(randn([2, 5]), tensor([1, 2])))).toBe("Mismatch of parameter numbers and input channel size. Found parameter numbers = 2 and channel size = 5.");
    expect(thrownMessage(() => F.silu(keep, { inplace: true, alpha: 1 }))).toBe("silu() got an unexpected keyword argument 'alpha'");
    expect(thrownMessage(() => new nn.Hardtanh(2, 1))).toMatch(/max_val/);
    expect(Array.from(keep.data())).toEqual([1, 2, 3]);
    expect(Array.from(F.relu(tensor([-1, 1])).data())).toEqual([0, 1]);
  });
});

describe("memory", () => {
  test("activation modules and functions leak nothing over repeated forwards", () => {
    const model = new nn.Sequential(
      new nn.SiLU(), new nn.GELU(), new nn.Hardswish(true), new nn.PReLU(3), new nn.Softmax(1), new nn.LogSoftmax(1),
      new nn.Dropout(0.3), new nn.Dropout2d(0.3), new nn.Mish(), new nn.Softplus(), new nn.ELU(), new nn.LeakyReLU(),
    ).train();
    const x = randn([2, 3, 5, 6]);
    model.forward(x).dispose();
    const steady = memory();
    for (let i = 0; i < 100; i++) {
      model.forward(x).dispose();
      tidy(() => { F.softmax(x, 2); F.gelu(x, { approximate: "tanh" }); exp(x); });
    }
    expect(memory()).toEqual(steady);
  });

  test("fused Conv -> BN -> SiLU / Hardswish forwards leak nothing", () => {
    const model = new nn.Sequential(
      new nn.Conv2d(3, 8, 3, { padding: 1 }), new nn.BatchNorm2d(8), new nn.SiLU(),
      new nn.Conv2d(8, 8, 3, { padding: 1, groups: 8 }), new nn.BatchNorm2d(8), new nn.Hardswish(),
    ).eval();
    const x = randn([1, 3, 16, 16]);
    model.forward(x).dispose();
    const steady = memory();
    for (let i = 0; i < 50; i++) model.forward(x).dispose();
    expect(memory()).toEqual(steady);
  });
});

describe("Sequential fuses the activations into the preceding convolution (eval), bit-identically", () => {
  const activations: [string, () => nn.Module][] = [
    ["Sigmoid", () => new nn.Sigmoid()], ["Tanh", () => new nn.Tanh()], ["SiLU", () => new nn.SiLU(true)],
    ["GELU", () => new nn.GELU()], ["GELU tanh", () => new nn.GELU("tanh")], ["Hardswish", () => new nn.Hardswish()],
    ["Hardsigmoid", () => new nn.Hardsigmoid()], ["LeakyReLU", () => new nn.LeakyReLU(0.1)], ["ELU", () => new nn.ELU(0.7)],
    ["Hardtanh", () => new nn.Hardtanh(-1.5, 2)], ["Mish", () => new nn.Mish()], ["Softplus", () => new nn.Softplus(2, 5)],
  ];
  // each kernel path of src/functional/conv.ts, chosen by shape
  const paths: [string, () => nn.Conv2d, number[]][] = [
    ["direct GEMM (3x3 stride 2)", () => new nn.Conv2d(8, 16, 3, 2, 1), [2, 8, 13, 11]],
    ["direct GEMM, K over one block (5x5, 24 channels)", () => new nn.Conv2d(24, 7, 5, { padding: 2 }), [1, 24, 9, 9]],
    ["1x1 pointwise", () => new nn.Conv2d(16, 12, 1), [1, 16, 9, 10]],
    ["Winograd F(4,3)", () => new nn.Conv2d(8, 16, 3, { padding: 1 }), [1, 8, 14, 14]],
    ["Winograd F(2,3)", () => new nn.Conv2d(8, 16, 3, { padding: 1 }), [1, 8, 6, 7]],
    // passes of one block that end mid tile row (3 groups a row), and one pass for all (weights over L2 / 2)
    ["Winograd F(4,3), 3 groups per tile row", () => new nn.Conv2d(8, 6, 3, { padding: 1 }), [1, 8, 21, 43]],
    ["Winograd F(2,3), all blocks in one pass", () => new nn.Conv2d(64, 64, 3, { padding: 1 }), [1, 64, 6, 6]],
    ["Winograd 7x7 stride 2 (stem)", () => new nn.Conv2d(3, 8, 7, 2, 3), [1, 3, 20, 20]],
    ["dilated (Winograd per phase)", () => new nn.Conv2d(8, 16, 3, { padding: 2, dilation: 2 }), [1, 8, 28, 28]],
    ["depthwise", () => new nn.Conv2d(8, 8, 3, { padding: 1, groups: 8 }), [2, 8, 7, 9]],
  ];
  function randomBn(channels: number): nn.BatchNorm2d {
    const bn = new nn.BatchNorm2d(channels);
    bn.load_state_dict({
      weight: randn([channels]), bias: randn([channels]), running_mean: randn([channels]),
      running_var: tensor(Array.from({ length: channels }, (_, i) => 0.5 + i / channels)),
    }, false);
    return bn.eval();
  }

  test.each(paths)("%s", (_, makeConv, shape) => {
    manual_seed(5);
    for (const [name, makeAct] of activations) {
      tidy(() => {
        const conv = makeConv();
        const bn = randomBn(conv.out_channels);
        // inputs scaled so outputs reach every regime of the activations
        const x = tensor(Array.from(randn(shape).data(), (v) => v * 3), shape);
        const act = makeAct();
        // the fused forward never calls the activation module's own forward
        const fusedAct = makeAct();
        (fusedAct as { forward: unknown }).forward = () => { throw new Error(`${name} ran unfused`); };
        const fused = new nn.Sequential(conv, bn, fusedAct).eval().forward(x).data();
        const reference = act.forward(nn.utils.fuse_conv_bn_eval(conv, bn).forward(x)).data();
        expect(Array.from(fused), `${name} after conv + BN`).toEqual(Array.from(reference));
        const plain = new nn.Sequential(conv, fusedAct).eval().forward(x).data();
        expect(Array.from(plain), `${name} after conv`).toEqual(Array.from(act.forward(conv.forward(x)).data()));
        conv.dispose();
        bn.dispose();
      });
    }
  });

  test("conv + activation + max pool, banded: the activation runs on each band", () => {
    manual_seed(6);
    const conv = new nn.Conv2d(3, 8, 3, { padding: 1 });
    const pool = new nn.MaxPool2d(3, 2, 1);
    for (const [name, makeAct] of activations) {
      tidy(() => {
        const x = tensor(Array.from(randn([1, 3, 64, 48]).data(), (v) => v * 3), [1, 3, 64, 48]);
        const act = makeAct();
        const epilogue = (act as unknown as { _epilogue(): Epilogue })._epilogue();
        const banded = conv2dWith(x, conv.weight, conv.bias, {
          stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1, paddingMode: "zeros", activation: epilogue,
          pool: { kernel: [3, 3], stride: [2, 2], padding: [1, 1], dilation: [1, 1], ceilMode: false }, poolBandBytes: 4096,
        }).data();
        expect(Array.from(banded), name).toEqual(Array.from(pool.forward(act.forward(conv.forward(x))).data()));
      });
    }
  });

  test("both depthwise kernels (channels across lanes, plane by plane; 3x3 and 5x5) apply it in their epilogue", () => {
    manual_seed(8);
    for (const depthwise of ["c4", "planes"] as const) {
      for (const kernel of [3, 5]) {
        const conv = new nn.Conv2d(6, 12, kernel, { padding: 1, groups: 6 });
        for (const [name, makeAct] of activations) {
          tidy(() => {
            const x = tensor(Array.from(randn([2, 6, 9, 11]).data(), (v) => v * 3), [2, 6, 9, 11]);
            const act = makeAct();
            const params = { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 6, paddingMode: "zeros", depthwise } as const;
            const fused = conv2dWith(x, conv.weight, conv.bias, {
              ...params, stride: [1, 1], padding: [1, 1], dilation: [1, 1], activation: (act as unknown as { _epilogue(): Epilogue })._epilogue(),
            }).data();
            const plain = conv2dWith(x, conv.weight, conv.bias, { ...params, stride: [1, 1], padding: [1, 1], dilation: [1, 1] });
            expect(Array.from(fused), `${name} ${depthwise} ${kernel}x${kernel}`).toEqual(Array.from(act.forward(plain).data()));
          });
        }
      }
    }
  });

  test("a subclass with its own forward is not fused; a GELU with a bad approximate reports its error", () => {
    class Doubled extends nn.SiLU {
      override forward(input: Tensor): Tensor { return F.silu(input).add(F.silu(input)); }
    }
    const conv = new nn.Conv2d(2, 3, 3);
    const x = randn([1, 2, 5, 5]);
    const y = new nn.Sequential(conv, new Doubled()).eval().forward(x).data();
    const once = F.silu(conv.forward(x)).data();
    expect(Array.from(y)).toEqual(Array.from(once, (v) => f(v + v)));
    expect(thrownMessage(() => new nn.Sequential(conv, new nn.GELU("erf")).eval().forward(x))).toBe("approximate argument must be either none or tanh.");
  });
});
