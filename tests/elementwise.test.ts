// Broadcasting arithmetic (add, sub, mul, div, neg, abs, sqrt, rsqrt, clamp, clip) against PyTorch
// 1.13 (tests/fixtures/ops/elementwise.py), plus properties against a scalar reference.
import { describe, expect, test } from "vitest";
import { replay } from "./replay.js";

/**
 * Every name is bit-exact (null), NaN equal to NaN, the sign of zero compared:
 * - add, sub, mul, div (also 'trunc'), neg, abs, sqrt, clamp are one IEEE operation per element
 *   (or a selection), which float32 SIMD and PyTorch's AVX2 kernel round identically;
 * - rsqrt is 1 / sqrt(x) with two roundings in both (PyTorch's CPU kernel uses no approximation);
 * - alpha: PyTorch computes fmadd(other, alpha, input), one rounding; wasmnn rounds the exact f64
 *   product-sum once to f64 and then to f32, which differs from one rounding only when the f64 sum
 *   lands exactly on a float32 tie (~2^-29 of inputs; none in the fixture);
 * - 'floor' follows c10::div_floor_floating step by step (fmod, then the same corrections).
 */
const EXACT = null;
const names = ["add", "sub", "mul", "div", "neg", "abs", "sqrt", "rsqrt", "clamp", "clip"];
const tolerance = Object.fromEntries(names.flatMap((n) => [
  [`torch.${n}`, EXACT], [`Tensor.${n}`, EXACT], [`Tensor.${n}_`, EXACT], [`torch.${n}_`, EXACT],
]));

replay("elementwise", {
  tolerance,
  messages: {
    "clamp#22": {
      expected: /^clamp\(\) received an invalid combination of arguments - got \(Tensor, Tensor, (int|float)\), but expected one of:/,
      why: "a JavaScript number cannot say whether it was a Python int or float; the list of signatures is the same",
    },
  },
});

// ---------------------------------------------------------------------------------------------
// What replay cannot express: a scalar reference over random broadcasts, in-place semantics,
// bad input, leaks, and the collapsed kernel plans of the shapes that matter.
import fc from "fast-check";
import {
  init, tensor, randn, zeros, memory, tidy, Tensor,
  add, sub, mul, div, clamp, neg, abs, sqrt, rsqrt,
} from "../src/index.js";
import { collapse, broadcastShapes } from "../src/functional/elementwise.js";

await init();

const f32 = Math.fround;
const same = (a: number, b: number): boolean => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

/** c10::div_floor_floating in float32 steps (JavaScript's % is fmod, exact). */
function divFloorRef(a: number, b: number): number {
  if (b === 0) return f32(a / b);
  const mod = f32(a % b);
  let q = f32(f32(a - mod) / b);
  if (mod !== 0 && (b < 0) !== (mod < 0)) q = f32(q - 1);
  if (q === 0) return Math.sign(f32(a / b)) < 0 || Object.is(f32(a / b), -0) ? -0 : 0;
  let floor = Math.floor(q);
  if (f32(q - floor) > 0.5) floor = f32(floor + 1);
  return floor;
}

type OpName = "add" | "sub" | "mul" | "div" | "add alpha" | "sub alpha" | "div trunc" | "div floor" | "clamp min" | "clamp max";
const REF: Record<OpName, (a: number, b: number, alpha: number) => number> = {
  add: (a, b) => f32(a + b),
  sub: (a, b) => f32(a - b),
  mul: (a, b) => f32(a * b),
  div: (a, b) => f32(a / b),
  // the f32 product is exact in f64; the sum rounds to f64, then to f32 (see the tolerance note)
  "add alpha": (a, b, alpha) => f32(a + alpha * b),
  "sub alpha": (a, b, alpha) => f32(a - alpha * b),
  "div trunc": (a, b) => Math.trunc(f32(a / b)),
  "div floor": divFloorRef,
  // torch.maximum / torch.minimum (NaN propagates; f32x4.max orders -0 < +0)
  "clamp min": (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a === b && a === 0 ? (Object.is(a, 0) || Object.is(b, 0) ? 0 : -0) : Math.max(a, b)),
  "clamp max": (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a === b && a === 0 ? (Object.is(a, -0) || Object.is(b, -0) ? -0 : 0) : Math.min(a, b)),
};

function call(op: OpName, a: Tensor | number, b: Tensor | number, alpha: number): Tensor {
  switch (op) {
    case "add": return add(a, b);
    case "sub": return sub(a, b);
    case "mul": return mul(a, b);
    case "div": return div(a, b);
    case "add alpha": return add(a, b, { alpha });
    case "sub alpha": return sub(a, b, { alpha });
    case "div trunc": return div(a, b, { rounding_mode: "trunc" });
    case "div floor": return div(a, b, { rounding_mode: "floor" });
    case "clamp min": return clamp(a as Tensor, b as Tensor);
    case "clamp max": return clamp(a as Tensor, null, b as Tensor);
  }
}

/** Value at output index `flat` of an operand of `shape` broadcast to `out`. */
function at(values: Float32Array, shape: readonly number[], out: readonly number[], flat: number): number {
  let offset = 0, stride = 1, rest = flat;
  for (let d = out.length - 1; d >= 0; d--) {
    const i = rest % out[d];
    rest = Math.floor(rest / out[d]);
    const k = d - (out.length - shape.length);
    if (k >= 0) {
      if (shape[k] !== 1) offset += i * stride;
      stride *= shape[k];
    }
  }
  return values[offset];
}

/** An output shape and two operand shapes that broadcast to it (dims set to 1 or dropped at random). */
const broadcastArb = fc.integer({ min: 0, max: 5 }).chain((rank) => fc.record({
  out: fc.array(fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.constant(1) }, { weight: 8, arbitrary: fc.integer({ min: 2, max: 7 }) }), { minLength: rank, maxLength: rank }),
  aMask: fc.array(fc.boolean(), { minLength: rank, maxLength: rank }),
  bMask: fc.array(fc.boolean(), { minLength: rank, maxLength: rank }),
  aDrop: fc.integer({ min: 0, max: rank }),
  bDrop: fc.integer({ min: 0, max: rank }),
})).map(({ out, aMask, bMask, aDrop, bDrop }) => ({
  a: out.map((d, i) => (aMask[i] ? 1 : d)).slice(aDrop),
  b: out.map((d, i) => (bMask[i] ? 1 : d)).slice(bDrop),
}));

const valueArb = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: -64, max: 64 }).map((i) => i / 8) },
  { weight: 4, arbitrary: fc.float({ noDefaultInfinity: false }) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, 0, -0, 3e38, 1e-40) },
);

describe("broadcasting against a scalar reference", () => {
  const ops = Object.keys(REF) as OpName[];
  test.each(ops)("%s over random shapes, tensors and numbers on either side", (op) => {
    fc.assert(fc.property(
      broadcastArb, fc.array(valueArb, { minLength: 64, maxLength: 64 }), fc.constantFrom("tensors", "number other", "number input"),
      fc.constantFrom(0.3, 2, -1.7), (shapes, pool, form, alpha) => {
        // number bounds are the scalar clamp (a NaN bound alone is ignored): the fixture covers them
        if (op.startsWith("clamp")) form = "tensors";
        const before = memory();
        tidy(() => {
          const fill = (shape: number[], seed: number) => Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, (_, i) => pool[(i * 7 + seed) % pool.length]);
          const aVals = fill(shapes.a, 0), bVals = fill(shapes.b, 3);
          const aNum = f32(pool[5]), bNum = f32(pool[11]);
          const A = form === "number input" ? aNum : tensor(aVals, shapes.a);
          const B = form === "number other" ? bNum : tensor(bVals, shapes.b);
          const aShape = typeof A === "number" ? [] : shapes.a, bShape = typeof B === "number" ? [] : shapes.b;
          const out = broadcastShapes(aShape, bShape);
          const got = call(op, A, B, alpha);
          expect(got.shape).toEqual(out);
          const data = got.data();
          for (let i = 0; i < data.length; i++) {
            const x = typeof A === "number" ? A : at(aVals, aShape, out, i);
            const y = typeof B === "number" ? B : at(bVals, bShape, out, i);
            const want = REF[op](x, y, f32(alpha));
            if (!same(data[i], want)) throw new Error(`${op} ${JSON.stringify(shapes)} ${form}: [${i}] = ${x} op ${y} gave ${data[i]}, expected ${want}`);
          }
        });
        expect(memory().liveBytes).toBe(before.liveBytes);
      }), { numRuns: 150, seed: 11 });
  });

  test("in place equals out of place where the broadcast shape is self's", () => {
    fc.assert(fc.property(broadcastArb, fc.constantFrom("add_", "sub_", "mul_", "div_", "clamp_") , (shapes, method) => tidy(() => {
      const out = broadcastShapes(shapes.a, shapes.b);
      const self = randn(out), other = randn(shapes.b);
      const expected = method === "clamp_" ? clamp(self, other) : (self[method.slice(0, -1) as "add"] as (o: Tensor) => Tensor).call(self, other).data();
      const expectedData = expected instanceof Tensor ? expected.data() : expected;
      const version = self.version;
      const result = method === "clamp_" ? self.clamp_(other) : (self[method as "add_"] as (o: Tensor) => Tensor).call(self, other);
      expect(result).toBe(self);
      expect(self.version).toBeGreaterThan(version);
      expect(Array.from(self.data())).toEqual(Array.from(expectedData));
    })), { numRuns: 100, seed: 12 });
  });
});

describe("neg, abs, sqrt, rsqrt against Math", () => {
  test.each([
    ["neg", neg, (x: number) => -x], ["abs", abs, Math.abs],
    ["sqrt", sqrt, (x: number) => f32(Math.sqrt(x))], ["rsqrt", rsqrt, (x: number) => f32(1 / f32(Math.sqrt(x)))],
  ] as const)("%s at every tail length", (_, fn, ref) => {
    fc.assert(fc.property(fc.array(valueArb, { minLength: 0, maxLength: 40 }), (values) => tidy(() => {
      const got = fn(tensor(values, [values.length])).data();
      values.forEach((v, i) => { if (!same(got[i], ref(f32(v)))) throw new Error(`${v}: ${got[i]} vs ${ref(f32(v))}`); });
    })), { numRuns: 200, seed: 13 });
  });
});

describe("the kernel plan of the shapes that matter (one call, no odometer)", () => {
  const plan = (a: number[], b: number[]) => collapse(broadcastShapes(a, b), a, b);
  test.each([
    ["same shape collapses to one run", [2, 64, 56, 56], [2, 64, 56, 56], [[401408, 1, 1]]],
    ["SE gate: N*C rows of H*W against one value", [2, 64, 56, 56], [2, 64, 1, 1], [[128, 3136, 1], [3136, 1, 0]]],
    ["layer scale: N x C rows of H*W", [2, 96, 56, 56], [96, 1, 1], [[2, 301056, 0], [96, 3136, 1], [3136, 1, 0]]],
    ["bias row: rows of C", [2, 56, 56, 96], [96], [[6272, 96, 0], [96, 1, 1]]],
    ["[N,C,H,W] + [N,1,H,W]: N x C rows of H*W", [2, 64, 28, 28], [2, 1, 28, 28], [[2, 50176, 784], [64, 784, 0], [784, 1, 1]]],
    ["[3,1] op [1,4]", [3, 1], [1, 4], [[3, 1, 0], [4, 0, 1]]],
    ["0-d against 0-d", [], [], [[1, 1, 1]]],
  ])("%s", (_, a, b, dims) => {
    expect(plan(a as number[], b as number[])).toEqual(dims);
    expect((dims as unknown[]).length).toBeLessThanOrEqual(3);
  });

  test("large SE gate and layer scale are exact (runs longer than a tile, odd tails)", () => tidy(() => {
    const x = randn([2, 8, 37, 41]), g = randn([2, 8, 1, 1]), s = randn([8, 1, 1]);
    const xd = x.data(), gd = g.data(), sd = s.data();
    const gated = x.mul(g).data(), scaled = s.mul(x).data();
    for (let i = 0; i < xd.length; i++) {
      const plane = Math.floor(i / (37 * 41));
      expect(gated[i]).toBe(f32(xd[i] * gd[plane]));
      expect(scaled[i]).toBe(f32(sd[plane % 8] * xd[i]));
    }
  }));
});

describe("in-place semantics", () => {
  test("add_ writes through views that share storage and leaves the other operand intact", () => tidy(() => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    const view = x.reshape([6]);
    const bias = tensor([10, 20, 30]);
    expect(x.add_(bias)).toBe(x);
    expect(view.tolist()).toEqual([11, 22, 33, 14, 25, 36]);
    expect(bias.tolist()).toEqual([10, 20, 30]);
  }));

  test("an operand that is self (or a view of it) reads each element before it is written", () => tidy(() => {
    const x = tensor([[1, 2], [3, 4]]);
    x.mul_(x);
    expect(x.tolist()).toEqual([[1, 4], [9, 16]]);
    x.sub_(x.reshape([1, 4]).reshape([2, 2]), { alpha: 0.5 });
    expect(x.tolist()).toEqual([[0.5, 2], [4.5, 8]]);
  }));

  test("a failed in-place op changes nothing", () => tidy(() => {
    const x = tensor([[1], [2], [3]]);
    const version = x.version;
    expect(() => x.add_(tensor([[1, 2, 3, 4]]))).toThrow("output with shape [3, 1] doesn't match the broadcast shape [3, 4]");
    expect(() => x.clamp_(zeros([2, 3, 1]))).toThrow("output with shape [3, 1] doesn't match the broadcast shape [2, 3, 1]");
    expect(x.tolist()).toEqual([[1], [2], [3]]);
    expect(x.version).toBe(version);
  }));

  test("clamp_ and neg_/abs_/sqrt_ return self", () => tidy(() => {
    const x = tensor([-4, 9, 16]);
    expect(x.clamp_(0, 9)).toBe(x);
    expect(x.sqrt_()).toBe(x);
    expect(x.neg_()).toBe(x);
    expect(x.abs_()).toBe(x);
    expect(x.tolist()).toEqual([0, 3, 3]);
  }));
});

describe("bad input: a clear Error, never a trap; other tensors intact; the next call works", () => {
  test.each([
    ["int64 with a number (int or float result cannot be told apart)", () => add(tensor(new BigInt64Array([1n, 2n])), 1), /add\(\): wasmnn computes in float32, but got an int64 tensor/],
    ["int64 with int64", () => mul(tensor(new BigInt64Array([1n])), tensor(new BigInt64Array([2n]))), /mul\(\): wasmnn computes in float32, but got an int64 tensor/],
    ["int64 self in place", () => tensor(new BigInt64Array([1n])).add_(randn([1])), /result type Float can't be cast to the desired output type Long/],
    ["neg of int64", () => neg(tensor(new BigInt64Array([1n]))), /neg\(\): wasmnn computes in float32, but got an int64 tensor/],
    ["two numbers", () => add(1, 2), /add\(\): expected at least one Tensor operand, but got two numbers/],
    ["a disposed operand", () => { const t = randn([2]); t.dispose(); return add(randn([2]), t); }, /used after dispose/],
    ["rounding_mode 'round'", () => div(randn([2]), 2, { rounding_mode: "round" as "floor" }), /div expected rounding_mode to be one of None, 'trunc', or 'floor' but found 'round'/],
    ["an array operand", () => mul(randn([2]), [1, 2] as unknown as Tensor), /mul\(\): argument 'other' \(position 2\) must be Tensor, not list/],
  ])("%s", (_, fn, message) => {
    const keep = randn([3, 4]);
    const copy = Array.from(keep.data());
    const before = memory();
    expect(() => tidy(fn)).toThrow(message);
    expect(memory().liveBytes).toBe(before.liveBytes);
    expect(Array.from(keep.data())).toEqual(copy);
    expect(keep.add(1).mul(2).data()[0]).toBe(f32(f32(copy[0] + 1) * 2));
    keep.dispose();
  });

  test("an int64 tensor with a float32 one is promoted to float32, as PyTorch", () => tidy(() => {
    expect(add(tensor([0.5, 0.25]), tensor(new BigInt64Array([1n, 2n]))).tolist()).toEqual([1.5, 2.25]);
    expect(sqrt(tensor(new BigInt64Array([4n, 9n]))).tolist()).toEqual([2, 3]);
  }));
});

test("no leaks: memory() is flat over a loop of every op, broadcast, in place and error", () => {
  const x = randn([2, 3, 4, 5]), g = randn([2, 3, 1, 1]);
  const step = () => tidy(() => {
    x.mul(g).add(1.5, { alpha: 2 }).sub(g).div(g, { rounding_mode: "floor" }).clamp(-1, 1).neg().abs().sqrt().rsqrt();
    clamp(x, g, g.add(1));
    add(tensor(new BigInt64Array([1n, 2n, 3n, 4n, 5n])), x);
    try { x.add_(randn([3, 2, 3, 4, 5])); } catch { /* the error path must not leak either */ }
  });
  step();
  const before = memory();
  for (let i = 0; i < 50; i++) step();
  const after = memory();
  expect(after.liveBytes).toBe(before.liveBytes);
  expect(after.liveTensors).toBe(before.liveTensors);
  x.dispose(); g.dispose();
});

describe("run lengths around the kernel's tiles (16 unrolled, 4 per vector, scalar tail)", () => {
  const lengths = [1, 3, 4, 5, 15, 16, 17, 31, 32, 33, 47, 64, 67];
  const ops = Object.keys(REF).filter((op) => !op.startsWith("clamp")) as OpName[];
  test.each(ops)("%s: contiguous ⊕ contiguous, ⊕ one value, one value ⊕ run", (op) => tidy(() => {
    for (const n of lengths) {
      const a = Float32Array.from({ length: 2 * n }, (_, i) => ((i * 37) % 23) / 4 - 2.75);
      const b = Float32Array.from({ length: 2 * n }, (_, i) => ((i * 11) % 19) / 8 - 1.125);
      const A = tensor(a, [2, n]);
      for (const [label, B, bAt] of [
        ["vv", tensor(b, [2, n]), (i: number) => b[i]],
        ["vs", tensor(b.subarray(0, 2), [2, 1]), (i: number) => b[Math.floor(i / n)]],
      ] as const) {
        for (const swapped of [false, true]) {
          const got = (swapped ? call(op, B, A, 0.3) : call(op, A, B, 0.3)).data();
          for (let i = 0; i < 2 * n; i++) {
            const want = swapped ? REF[op](bAt(i), a[i], f32(0.3)) : REF[op](a[i], bAt(i), f32(0.3));
            if (!same(got[i], want)) throw new Error(`${op} ${label}${swapped ? " swapped" : ""} n=${n} [${i}]: ${got[i]} vs ${want}`);
          }
        }
      }
    }
  }));
});
