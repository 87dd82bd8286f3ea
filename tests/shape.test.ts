// Shape ops (issue #11) against PyTorch 1.13 (tests/fixtures/ops/shape.py), plus what the replay
// cannot express: round-trip properties against a scalar reference, the real models' full-size
// shapes, storage sharing, bad input and leaks.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  F, Tensor, cat, chunk, memory, nn, permute, split, stack, tensor, tidy, unflatten,
} from "../src/index.js";
import { replay } from "./replay.js";
import { thrownMessage } from "./helpers.js";

// Every shape op only moves elements (cat of int64 beside float32 also converts them, exactly for
// the |v| < 2^24 the fixture holds): bit-exact, NaN, infinities and -0.0 included.
const EXACT = null;
const NAMES = [
  "Tensor.view", "Tensor.view_as", "Tensor.reshape_as", "Tensor.reshape", "torch.reshape", "torch.flatten", "Tensor.flatten",
  "torch.unflatten", "Tensor.unflatten", "Tensor.squeeze", "torch.squeeze", "Tensor.unsqueeze", "torch.unsqueeze",
  "Tensor.permute", "torch.permute", "Tensor.transpose", "torch.transpose", "Tensor.t", "torch.t", "Tensor.contiguous",
  "Tensor.is_contiguous", "Tensor.expand", "Tensor.expand_as", "Tensor.narrow", "torch.narrow", "torch.cat",
  "torch.concat", "torch.concatenate", "torch.stack", "Tensor.chunk", "torch.chunk", "Tensor.split", "torch.split",
  "Tensor.clone", "torch.clone", "F.channel_shuffle", "torch.channel_shuffle", "nn.Unflatten", "nn.ChannelShuffle", "nn.Flatten",
];

replay("shape", {
  tolerance: Object.fromEntries(NAMES.map((name) => [name, EXACT])),
  messages: {
    "T.permute#14": {
      expected: /^permute\(\): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i\.e\. input\.dim\(\) = 2 is not equal to len\(dims\) = 1$/,
      why: "PyTorch 1.13 prefixes this dense-tensor error with 'permute(sparse_coo)' (a copy-paste slip in aten); wasmnn says permute()",
    },
  },
});

// ---------------------------------------------------------------------------------------------
// Scalar references

type DType = "float32" | "int64";

/** Distinct, exactly representable values (element i -> i * 0.5 - 7, or i - 7 as int64). */
function iota(shape: readonly number[], dtype: DType = "float32"): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  if (dtype === "int64") return tensor(BigInt64Array.from({ length: n }, (_, i) => BigInt(i - 7)), shape);
  return tensor(Float32Array.from({ length: n }, (_, i) => i * 0.5 - 7), shape);
}

const stridesOf = (shape: readonly number[]): number[] => {
  const s = new Array<number>(shape.length);
  for (let d = shape.length - 1, step = 1; d >= 0; d--) { s[d] = step; step *= shape[d]; }
  return s;
};

/** out[i] = input[offset + sum(index_d * strides_d)] over the row-major indices of `shape`: the view PyTorch would return. */
function referenceView(data: ArrayLike<number | bigint>, shape: readonly number[], strides: readonly number[], offset = 0): (number | bigint)[] {
  const n = shape.reduce((a, b) => a * b, 1);
  const out: (number | bigint)[] = [];
  const index = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    let at = offset;
    for (let d = 0; d < shape.length; d++) at += index[d] * strides[d];
    out.push(data[at]);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

function expectSame(actual: Tensor, shape: readonly number[], expected: ArrayLike<number | bigint>, label = ""): void {
  expect(actual.shape, label).toEqual(shape);
  const got = actual.data<Float32Array | BigInt64Array>();
  expect(got.length, label).toBe(expected.length);
  for (let i = 0; i < got.length; i++) {
    if (!Object.is(got[i], expected[i])) throw new Error(`${label}: element ${i} is ${String(got[i])}, expected ${String(expected[i])}`);
  }
}

/** fc.assert with a fixed seed; every run also checks it leaked no tensor. */
function check<T>(numRuns: number, seed: number, arb: fc.Arbitrary<T>, body: (value: T) => void): void {
  fc.assert(fc.property(arb, (value) => {
    const before = memory().liveTensors;
    tidy(() => { body(value); });
    expect(memory().liveTensors).toBe(before);
  }), { numRuns, seed });
}

const shapeArb = (minRank: number, maxRank: number, maxSize = 6) =>
  fc.array(fc.integer({ min: 0, max: maxSize }), { minLength: minRank, maxLength: maxRank });
const dtypeArb = fc.constantFrom<DType>("float32", "int64");

// ---------------------------------------------------------------------------------------------

describe("properties (fast-check, against a scalar reference)", () => {
  test("permute matches the strided view, and the inverse permute restores the input bit for bit", () => {
    const arb = fc.tuple(shapeArb(0, 5, 7), dtypeArb).chain(([shape, dtype]) =>
      fc.tuple(fc.constant(shape), fc.constant(dtype), fc.shuffledSubarray([...shape.keys()], { minLength: shape.length, maxLength: shape.length })));
    check(300, 11, arb, ([shape, dtype, dims]) => {
      const x = iota(shape, dtype);
      const y = x.permute(dims);
      const strides = stridesOf(shape);
      expectSame(y, dims.map((d) => shape[d]), referenceView(x.data(), dims.map((d) => shape[d]), dims.map((d) => strides[d])), `permute ${dims}`);
      const inverse = dims.map((_, i) => dims.indexOf(i));
      expectSame(permute(y, inverse), shape, x.data<Float32Array | BigInt64Array>(), "inverse");
    });
  });

  test("cat(split(x, sizes, dim), dim) is x; each piece is the narrowed view", () => {
    const arb = fc.tuple(shapeArb(1, 4), dtypeArb).chain(([shape, dtype]) => fc.tuple(
      fc.constant(shape), fc.constant(dtype), fc.integer({ min: 0, max: shape.length - 1 }), fc.integer({ min: 1, max: 4 }), fc.boolean()));
    check(300, 12, arb, ([shape, dtype, dim, cuts, asList]) => {
      const x = iota(shape, dtype);
      const size = shape[dim];
      // `cuts` sizes summing to size (some may be 0), or a split size
      const sizes: number[] = [];
      for (let left = size, k = 0; k < cuts; k++) {
        const take = k === cuts - 1 ? left : Math.floor(left / 2);
        sizes.push(take);
        left -= take;
      }
      const splitSize = Math.max(1, Math.ceil(size / cuts));
      const pieces = asList ? split(x, sizes, dim) : x.split(splitSize, dim - shape.length);
      let start = 0;
      const strides = stridesOf(shape);
      for (const p of pieces) {
        const pieceShape = [...shape];
        pieceShape[dim] = p.shape[dim];
        expectSame(p, pieceShape, referenceView(x.data(), pieceShape, strides, start * strides[dim]), "piece");
        start += p.shape[dim];
      }
      expect(start).toBe(size);
      expectSame(cat(pieces, dim), shape, x.data<Float32Array | BigInt64Array>(), "cat");
    });
  });

  test("cat(chunk(x, n, dim), dim) is x, with ceil(size / n)-sized chunks", () => {
    const arb = fc.tuple(shapeArb(1, 4, 9), dtypeArb).chain(([shape, dtype]) => fc.tuple(
      fc.constant(shape), fc.constant(dtype), fc.integer({ min: 0, max: shape.length - 1 }), fc.integer({ min: 1, max: 10 })));
    check(300, 13, arb, ([shape, dtype, dim, chunks]) => {
      const x = iota(shape, dtype);
      const pieces = chunk(x, chunks, dim);
      const each = Math.ceil(shape[dim] / chunks);
      if (shape[dim] === 0) expect(pieces.length).toBe(chunks);
      else expect(pieces.length).toBe(Math.ceil(shape[dim] / each));
      pieces.slice(0, -1).forEach((p) => expect(p.shape[dim]).toBe(each));
      expectSame(cat(pieces, dim), shape, x.data<Float32Array | BigInt64Array>(), "cat");
    });
  });

  test("expand matches the stride-0 view", () => {
    const arb = fc.tuple(shapeArb(0, 4, 5), dtypeArb, fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 2 }), fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 4, maxLength: 4 }), fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }))
      .map(([shape, dtype, leading, targets, keep]) => {
        // size-1 dims expand to targets (or stay, via -1); others keep their size (or -1)
        const input = shape.map((s, i) => (keep[i] ? s : 1));
        const sizes = [...leading, ...input.map((s, i) => (s === 1 ? targets[i] : keep[i] ? -1 : s))];
        return { input, dtype, sizes };
      });
    check(300, 14, arb, ({ input, dtype, sizes }) => {
      const x = iota(input, dtype);
      const y = x.expand(sizes);
      const lead = sizes.length - input.length;
      const shape = sizes.map((s, i) => (s === -1 ? input[i - lead] : s));
      const inStrides = stridesOf(input);
      const strides = shape.map((s, i) => (i < lead || input[i - lead] !== s || input[i - lead] === 1 ? 0 : inStrides[i - lead]));
      expectSame(y, shape, referenceView(x.data(), shape, strides), `expand [${input}] to [${sizes}]`);
    });
  });

  test("stack(tensors, dim) is cat of the unsqueezed tensors, and unbinds by narrow", () => {
    const arb = fc.tuple(shapeArb(0, 3, 5), fc.integer({ min: 1, max: 4 })).chain(([shape, count]) =>
      fc.tuple(fc.constant(shape), fc.constant(count), fc.integer({ min: -shape.length - 1, max: shape.length })));
    check(200, 15, arb, ([shape, count, dim]) => {
      const xs = Array.from({ length: count }, (_, k) => iota(shape).add(tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(k * 100), shape)));
      const y = stack(xs, dim);
      const d = dim < 0 ? dim + shape.length + 1 : dim;
      expect(y.shape).toEqual([...shape.slice(0, d), count, ...shape.slice(d)]);
      xs.forEach((x, k) => expectSame(y.narrow(d, k, 1).squeeze(d), shape, x.data(), `entry ${k}`));
    });
  });
});

describe("transpose tiles (4x4 SIMD) and their tails", () => {
  // rows/cols below, at and above the tile, not multiples of 4, and both loop orders
  const sizes = [1, 3, 4, 5, 8, 13, 17];
  test.each(sizes)("[rows, %i] and [%i, cols] transposes equal the reference", (a) => {
    tidy(() => {
      for (const b of sizes) {
        const x = iota([2, a, b]);
        const ref = referenceView(x.data(), [2, b, a], [a * b, 1, b]);
        expectSame(x.transpose(1, 2), [2, b, a], ref, `[2, ${a}, ${b}]`);
      }
    });
  });
});

describe("the shapes real models use, full size", () => {
  test("shufflenet: channel_shuffle [2, 116, 28, 28] in 2 groups equals view -> transpose -> contiguous -> view and the reference", () => {
    tidy(() => {
      const [n, c, h, w] = [2, 116, 28, 28];
      const x = iota([n, c, h, w]);
      const viaViews = x.view(n, 2, -1, h, w).transpose(1, 2).contiguous().view(n, -1, h, w);
      const ref = referenceView(x.data(), [n, c / 2, 2, h * w], [c * h * w, h * w, (c / 2) * h * w, 1]);
      expectSame(F.channel_shuffle(x, 2), [n, c, h, w], ref, "F.channel_shuffle");
      expectSame(viaViews, [n, c, h, w], ref, "view/transpose/contiguous/view");
      expectSame(new nn.ChannelShuffle(2).forward(x), [n, c, h, w], ref, "nn.ChannelShuffle");
    });
  });

  test("convnext: permute(0, 2, 3, 1) of [2, 96, 56, 56] and back", () => {
    tidy(() => {
      const x = iota([2, 96, 56, 56]);
      const nhwc = x.permute(0, 2, 3, 1);
      expectSame(nhwc, [2, 56, 56, 96], referenceView(x.data(), [2, 56, 56, 96], [96 * 56 * 56, 56, 1, 56 * 56]), "NHWC");
      expectSame(nhwc.permute(0, 3, 1, 2), [2, 96, 56, 56], x.data(), "back to NCHW");
    });
  });

  test("densenet: cat of 25 inputs along dim 1 ([1, 64, 56, 56] and 24 x [1, 32, 56, 56])", () => {
    tidy(() => {
      const inputs = [iota([1, 64, 56, 56]), ...Array.from({ length: 24 }, (_, k) => iota([1, 32, 56, 56]).add(tensor(new Float32Array(32 * 56 * 56).fill(k + 1), [1, 32, 56, 56])))];
      const out = cat(inputs, 1);
      const expected = new Float32Array(out.numel());
      let at = 0;
      for (const t of inputs) { expected.set(t.data(), at); at += t.numel(); }
      expectSame(out, [1, 64 + 24 * 32, 56, 56], expected, "cat");
    });
  });
});

describe("views share storage, copies do not", () => {
  test("view, reshape, flatten, unflatten, squeeze, unsqueeze, contiguous: a write through one shows in the other", () => {
    tidy(() => {
      const x = iota([2, 1, 6]);
      const views = [x.view(3, 4), x.reshape([-1]), x.flatten(), unflatten(x, 2, [2, 3]), x.squeeze(), x.unsqueeze(0), x.view_as(iota([12])), x.contiguous()];
      expect(x.contiguous()).toBe(x);
      expect(x.is_contiguous()).toBe(true);
      for (const v of views) {
        const before = x.data()[5];
        v.add_(tensor(new Float32Array(12).fill(1), v.shape));
        expect(x.data()[5]).toBe(before + 1);
      }
    });
  });

  test("a view outlives the disposed tensor it came from", () => {
    const x = iota([4, 3]);
    const v = x.view(12);
    x.dispose();
    expect(v.data()[11]).toBe(11 * 0.5 - 7);
    v.dispose();
  });

  test("permute, transpose, t, expand, narrow, chunk, split and clone are copies: writing into them leaves the input", () => {
    tidy(() => {
      const x = iota([3, 4]);
      const original = x.data();
      const copies = [x.permute(1, 0), x.transpose(0, 1), x.t(), x.unsqueeze(0).expand(2, 3, 4), x.narrow(1, 1, 2), ...x.chunk(2), ...x.split([1, 3], 1), x.clone()];
      for (const c of copies) c.add_(tensor(new Float32Array(c.numel()).fill(1), c.shape));
      expect(x.data()).toEqual(original);
    });
  });

  test("where the layout is unchanged (identity permute, full narrow, same-shape expand) the result is a view, as PyTorch's", () => {
    tidy(() => {
      const x = iota([3, 1, 4]);
      for (const v of [x.permute(1, 0, 2), x.narrow(0, 0, 3), x.expand(3, 1, 4), x.transpose(1, 1)]) {
        const before = x.data()[0];
        v.add_(tensor(new Float32Array(12).fill(1), v.shape));
        expect(x.data()[0]).toBe(before + 1);
      }
    });
  });
});

describe("bad input: a clear Error, no trap, other tensors intact, the next call works", () => {
  test.each([
    ["cat with mismatched sizes", (a: Tensor, b: Tensor) => cat([a, b.view(4, 3)], 1), /Sizes of tensors must match except in dimension 1/],
    ["cat of a non-list", (a: Tensor) => cat(a as unknown as Tensor[]), /must be tuple of Tensors, not Tensor/],
    ["cat with a number in the list", (a: Tensor) => cat([a, 1 as unknown as Tensor]), /expected Tensor as element 1 in argument 0, but got int/],
    ["view to a bad size", (a: Tensor) => a.view(5, 5), /shape '\[5, 5\]' is invalid for input of size 12/],
    ["view with a fractional size", (a: Tensor) => a.view(2.5, 4), /must be tuple of ints, but found element of type float at pos 1/],
    ["view with an unknown keyword", (a: Tensor) => a.view({ shape: [12] } as never), /unexpected keyword argument 'shape'/],
    ["permute with too few dims", (a: Tensor) => a.permute(1), /input.dim\(\) = 2 is not equal to len\(dims\) = 1/],
    ["expand to a negative size", (a: Tensor) => a.view(12, 1).expand(12, -3), /must be non-negative/],
    ["narrow past the end", (a: Tensor) => a.narrow(0, 2, 2), /exceeds dimension size/],
    ["split into too many", (a: Tensor) => a.split([2, 2]), /sum exactly to 3/],
    ["stack of unequal shapes", (a: Tensor, b: Tensor) => stack([a, b.view(4, 3)]), /stack expects each tensor to be equal size/],
    ["channel_shuffle of a 2-D tensor", (a: Tensor) => F.channel_shuffle(a, 2), /expects input with > 2 dims/],
  ] as const)("%s", (_, call, message) => {
    const a = iota([3, 4]);
    const b = iota([12]);
    const before = memory();
    expect(thrownMessage(() => call(a, b))).toMatch(message);
    expect(memory().liveTensors).toBe(before.liveTensors);
    expect(memory().liveBytes).toBe(before.liveBytes);
    expectSame(a, [3, 4], iota([12]).data(), "a intact");
    expectSame(cat([a, a]), [6, 4], [...a.data(), ...a.data()], "next call");
    a.dispose();
    b.dispose();
  });

  test("a disposed tensor is refused before anything is allocated", () => {
    const a = iota([2, 2]);
    const b = iota([2, 2]);
    b.dispose();
    const before = memory();
    expect(thrownMessage(() => cat([a, b]))).toMatch(/used after dispose/);
    expect(thrownMessage(() => b.permute(1, 0))).toMatch(/used after dispose/);
    expect(thrownMessage(() => b.view(4))).toMatch(/used after dispose/);
    expect(memory().liveBytes).toBe(before.liveBytes);
    a.dispose();
  });
});

test("no leaks: memory() stays flat over repeated shape ops", () => {
  const x = iota([2, 12, 5, 7]);
  const round = () => tidy(() => {
    const y = x.permute(0, 2, 3, 1).contiguous().view(2, 35, 12).transpose(1, 2).reshape(2, 12, 5, 7);
    const pieces = y.chunk(3, 1);
    const z = cat([...pieces, F.channel_shuffle(y, 4), x.narrow(1, 2, 3), stack([x, x], 2).flatten(1, 2)], 1);
    return z.unflatten(1, [z.shape[1], 1]).squeeze(2).expand(2, -1, 5, 7).clone().shape;
  });
  round();
  const before = memory();
  for (let i = 0; i < 20; i++) round();
  expect(memory()).toEqual(before);
  x.dispose();
});
