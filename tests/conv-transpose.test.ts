// ConvTranspose2d/1d, Conv1d and the 1-D pools: PyTorch's recorded calls replayed, then what replay
// can't express: conv_transpose2d against its definition (a float64 scatter) and as conv2d's adjoint,
// Conv1d against the float64 conv reference in every padding mode, the 1-D max pools bit for bit
// against the 2-D reference, the phase kernels' cache, bad input and leaks.
import { describe, expect, test } from "vitest";
import fc from "fast-check";
import { init, nn, F, tensor, memory, tidy, randn, conv_transpose2d, type Tensor } from "../src/index.js";
import { conv2dRef, maxPool2dRef, reductionTolerance, type Arr, type Ref, type PaddingMode } from "./reference.js";
import { replay } from "./replay.js";
import { rng } from "../bench/rng.js";

await init();

// Tolerances. Convolutions: each output sums K = C/groups*KH*KW products (up to 16*25 = 400 in the
// fixtures) in another order than PyTorch; a float32 sum of K terms errs by at most ~K*2^-24*sum|t|,
// a random walk ~sqrt(K)*2^-24*sum|t| ~ 1e-6 for |t| ~ 1. atol 1e-5 + rtol 1e-4 is conv2d's budget
// (tests/conv2d.test.ts) with ~10x headroom. Max pools and adaptive max pools select an input value:
// exact (null), NaN included. Average pools: a window sum (<= 16 terms) and one division:
// 1e-6 absolute + 1e-5 relative, as the 2-D pools in tests/nn.test.ts.
const CONV = { atol: 1e-5, rtol: 1e-4 };
const EXACT = null;
const AVG = { atol: 1e-6, rtol: 1e-5 };

replay("conv-transpose", {
  tolerance: {
    "F.conv_transpose2d": CONV, "torch.conv_transpose2d": CONV, "nn.ConvTranspose2d": CONV,
    "F.conv_transpose1d": CONV, "torch.conv_transpose1d": CONV, "nn.ConvTranspose1d": CONV,
    "F.conv1d": CONV, "torch.conv1d": CONV, "torch.conv2d": CONV, "nn.Conv1d": CONV,
    "F.max_pool1d": EXACT, "torch.max_pool1d": EXACT, "nn.MaxPool1d": EXACT,
    "F.adaptive_max_pool1d": EXACT, "nn.AdaptiveMaxPool1d": EXACT,
    "F.avg_pool1d": AVG, "torch.avg_pool1d": AVG, "nn.AvgPool1d": AVG,
    "F.adaptive_avg_pool1d": AVG, "torch.adaptive_avg_pool1d": AVG, "nn.AdaptiveAvgPool1d": AVG,
  },
});

// ---------------------------------------------------------------------------------------------
// references

function values(n: number, next: () => number): Float32Array {
  return Float32Array.from({ length: n }, () => next() * 2 - 1);
}

interface TransposeCase {
  batch: number; groups: number; groupIn: number; groupOut: number; height: number; width: number;
  kernel: [number, number]; stride: [number, number]; padding: [number, number]; dilation: [number, number];
  outputPadding: [number, number]; bias: boolean; unbatched: boolean; seed: number;
}

/**
 * conv_transpose2d by its definition, in float64: input pixel (iy, ix) of channel c adds
 * x * w[c, o, kh, kw] to output (iy*s - p + kh*d, ix*s - p + kw*d) of channel g*OC/g + o. The
 * allowed error per element is the float32 summation bound over its terms (reductionTolerance).
 */
function convTranspose2dRef(x: Arr, w: Arr, b: Arr | null, c: TransposeCase): Ref {
  const [N, C, H, W] = c.unbatched ? [1, ...x.shape] : x.shape;
  const [, groupOut, KH, KW] = w.shape;
  const OC = groupOut * c.groups;
  const groupIn = C / c.groups;
  const OH = (H - 1) * c.stride[0] - 2 * c.padding[0] + c.dilation[0] * (KH - 1) + c.outputPadding[0] + 1;
  const OW = (W - 1) * c.stride[1] - 2 * c.padding[1] + c.dilation[1] * (KW - 1) + c.outputPadding[1] + 1;
  const size = N * OC * OH * OW;
  const sum = new Float64Array(size);
  const mag = new Float64Array(size);
  const terms = new Float64Array(size);
  for (let n = 0; n < N; n++) {
    for (let ch = 0; ch < C; ch++) {
      const g = Math.floor(ch / groupIn);
      for (let iy = 0; iy < H; iy++) {
        for (let ix = 0; ix < W; ix++) {
          const xv = x.data[((n * C + ch) * H + iy) * W + ix];
          for (let o = 0; o < groupOut; o++) {
            for (let kh = 0; kh < KH; kh++) {
              const oy = iy * c.stride[0] - c.padding[0] + kh * c.dilation[0];
              if (oy < 0 || oy >= OH) continue;
              for (let kw = 0; kw < KW; kw++) {
                const ox = ix * c.stride[1] - c.padding[1] + kw * c.dilation[1];
                if (ox < 0 || ox >= OW) continue;
                const at = ((n * OC + g * groupOut + o) * OH + oy) * OW + ox;
                const t = xv * w.data[((ch * groupOut + o) * KH + kh) * KW + kw];
                sum[at] += t;
                mag[at] += Math.abs(t);
                terms[at]++;
              }
            }
          }
        }
      }
    }
  }
  const err = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const oc = Math.floor(i / (OH * OW)) % OC;
    if (b) { sum[i] += b.data[oc]; mag[i] += Math.abs(b.data[oc]); terms[i]++; }
    err[i] = reductionTolerance(terms[i], mag[i]);
  }
  return { shape: c.unbatched ? [OC, OH, OW] : [N, OC, OH, OW], data: sum, err };
}

let worstRatio = 0;
function expectRef(actual: Tensor, ref: Ref, label: string): void {
  expect(actual.shape, `${label} shape`).toEqual(ref.shape);
  const a = actual.data();
  for (let i = 0; i < a.length; i++) {
    const err = Math.abs(a[i] - ref.data[i]);
    if (!(err <= ref.err[i])) throw new Error(`${label}: element ${i} is ${a[i]}, expected ${ref.data[i]} (error ${err.toExponential(3)} > ${ref.err[i].toExponential(3)})`);
    if (ref.err[i] > 0) worstRatio = Math.max(worstRatio, err / ref.err[i]);
  }
}

const transposeCase: fc.Arbitrary<TransposeCase> = fc.record({
  batch: fc.integer({ min: 1, max: 2 }), groups: fc.constantFrom(1, 1, 2, 3), groupIn: fc.integer({ min: 1, max: 3 }),
  groupOut: fc.integer({ min: 1, max: 6 }), height: fc.integer({ min: 1, max: 7 }), width: fc.integer({ min: 1, max: 9 }),
  kernel: fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 })),
  stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
  padding: fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 })),
  dilation: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
  outputPadding: fc.tuple(fc.nat(2), fc.nat(2)), bias: fc.boolean(), unbatched: fc.boolean(), seed: fc.nat(),
}).map((c) => ({
  ...c,
  // output_padding below stride or dilation, as PyTorch requires
  outputPadding: [c.outputPadding[0] % Math.max(c.stride[0], c.dilation[0]), c.outputPadding[1] % Math.max(c.stride[1], c.dilation[1])] as [number, number],
})).filter((c) => [0, 1].every((d) =>
  (([c.height, c.width][d] - 1) * c.stride[d] - 2 * c.padding[d] + c.dilation[d] * (c.kernel[d] - 1) + c.outputPadding[d] + 1) >= 1));

function makeTransposeCase(c: TransposeCase): { x: Arr; w: Arr; b: Arr | null } {
  const next = rng(c.seed);
  const C = c.groups * c.groupIn;
  const xShape = c.unbatched ? [C, c.height, c.width] : [c.batch, C, c.height, c.width];
  return {
    x: { shape: xShape, data: values(xShape.reduce((p, q) => p * q, 1), next) },
    w: { shape: [C, c.groupOut, ...c.kernel], data: values(C * c.groupOut * c.kernel[0] * c.kernel[1], next) },
    b: c.bias ? { shape: [c.groupOut * c.groups], data: values(c.groupOut * c.groups, next) } : null,
  };
}

const t = (a: Arr): Tensor => tensor(Float32Array.from(a.data), a.shape);

// ---------------------------------------------------------------------------------------------

describe("conv_transpose2d: phases on the GEMM against the definition", () => {
  test("random geometries (stride 1-3, padding, output_padding, dilation, groups, bias, unbatched) match the float64 scatter", () => {
    const before = memory().liveTensors;
    fc.assert(fc.property(transposeCase, (c) => {
      tidy(() => {
        const { x, w, b } = makeTransposeCase(c);
        const y = F.conv_transpose2d(t(x), t(w), b ? t(b) : null, c.stride, c.padding, c.outputPadding, c.groups, c.dilation);
        expectRef(y, convTranspose2dRef(x, w, b, c), JSON.stringify(c));
      });
    }), { seed: 11, numRuns: 300 });
    expect(memory().liveTensors).toBe(before);
    expect(worstRatio).toBeLessThanOrEqual(1);
  });

  test("depthwise (groups = channels, with multipliers) and the U-Net shapes match the definition", () => {
    const shapes: Partial<TransposeCase>[] = [
      { groups: 8, groupIn: 1, groupOut: 1, kernel: [3, 3], stride: [2, 2], padding: [1, 1], outputPadding: [1, 1] },
      { groups: 8, groupIn: 1, groupOut: 2, kernel: [4, 4], stride: [2, 2], padding: [1, 1], outputPadding: [0, 0] },
      { groups: 1, groupIn: 32, groupOut: 16, kernel: [2, 2], stride: [2, 2], padding: [0, 0], outputPadding: [0, 0] },
      { groups: 1, groupIn: 32, groupOut: 16, kernel: [3, 3], stride: [2, 2], padding: [1, 1], outputPadding: [1, 1] },
      { groups: 1, groupIn: 24, groupOut: 13, kernel: [3, 3], stride: [1, 1], padding: [1, 1], outputPadding: [0, 0] },  // Winograd phase
      // phases all alike, run as one stacked GEMM: kernel = stride, kernel = 2 x stride (no padding)
      { groups: 1, groupIn: 5, groupOut: 3, kernel: [3, 2], stride: [3, 2], padding: [0, 0], outputPadding: [0, 0], unbatched: true },
      { groups: 1, groupIn: 5, groupOut: 7, kernel: [4, 4], stride: [2, 2], padding: [0, 0], outputPadding: [0, 0] },
      { groups: 1, groupIn: 5, groupOut: 7, kernel: [6, 2], stride: [3, 1], padding: [0, 0], outputPadding: [0, 0], bias: false },
    ];
    for (const [i, s] of shapes.entries()) {
      tidy(() => {
        const c: TransposeCase = { batch: 2, height: 13, width: 11, dilation: [1, 1], bias: true, unbatched: false, seed: i, ...s } as TransposeCase;
        const { x, w, b } = makeTransposeCase(c);
        expectRef(F.conv_transpose2d(t(x), t(w), b ? t(b) : null, c.stride, c.padding, c.outputPadding, c.groups), convTranspose2dRef(x, w, b, c), `shape ${i}`);
      });
    }
  });

  test("the stride-2 SIMD merge at every width: width1 < 4, = 4, > 4 (pair tail), odd widths (last column from phase 0)", () => {
    // output width 2W - 1 + op: phase 0 holds ceil(width/2) columns, phase 1 floor(width/2)
    for (let width = 1; width <= 11; width++) {
      for (const [kernel, padding, outputPadding] of [[2, 0, 0], [3, 1, 1], [3, 1, 0], [1, 0, 1]] as const) {
        tidy(() => {
          const c: TransposeCase = { batch: 2, groups: 1, groupIn: 3, groupOut: 2, height: 3, width, kernel: [kernel, kernel], stride: [2, 2],
            padding: [padding, padding], dilation: [1, 1], outputPadding: [outputPadding, outputPadding], bias: true, unbatched: false, seed: width };
          if ((width - 1) * 2 - 2 * padding + kernel + outputPadding < 1) return;
          const { x, w, b } = makeTransposeCase(c);
          expectRef(F.conv_transpose2d(t(x), t(w), t(b!), 2, padding, outputPadding), convTranspose2dRef(x, w, b, c), `width ${width} kernel ${kernel}`);
        });
      }
    }
  });

  test("conv_transpose2d is the adjoint of conv2d: <conv2d(x, w), y> = <x, conv_transpose2d(y, w)>", () => {
    // Both sides are the same float64 sum of x*w*y products; each float32 side errs by at most its
    // reduction length K times 2^-24 relative per output (plus the final float64 dot), so
    // |lhs - rhs| <= 2 * 4 * (K + 2) * 2^-24 * S, S = sum |x| * |w| * |y| over all products
    // (= <conv2d(|x|, |w|), |y|>).
    const arb = fc.record({
      groups: fc.constantFrom(1, 2), groupIn: fc.integer({ min: 1, max: 4 }), groupOut: fc.integer({ min: 1, max: 4 }),
      height: fc.integer({ min: 3, max: 10 }), width: fc.integer({ min: 3, max: 10 }),
      kernel: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })),
      stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
      padding: fc.tuple(fc.nat(2), fc.nat(2)), dilation: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
      seed: fc.nat(),
    }).filter((c) => [0, 1].every((d) => [c.height, c.width][d] + 2 * c.padding[d] >= c.dilation[d] * (c.kernel[d] - 1) + 1));
    fc.assert(fc.property(arb, (c) => {
      tidy(() => {
        const next = rng(c.seed);
        const C = c.groupIn * c.groups;
        const OC = c.groupOut * c.groups;
        const x = tensor(values(2 * C * c.height * c.width, next), [2, C, c.height, c.width]);
        const w = tensor(values(OC * c.groupIn * c.kernel[0] * c.kernel[1], next), [OC, c.groupIn, ...c.kernel]);
        const cx = F.conv2d(x, w, null, c.stride, c.padding, c.dilation, c.groups);
        const y = tensor(values(cx.numel(), next), cx.shape);
        // the output padding that brings conv_transpose2d's output back to x's size
        const op = [0, 1].map((d) => [c.height, c.width][d] - ((cx.shape[2 + d] - 1) * c.stride[d] - 2 * c.padding[d] + c.dilation[d] * (c.kernel[d] - 1) + 1));
        const ty = conv_transpose2d(y, w, null, c.stride, c.padding, op, c.groups, c.dilation);
        expect(ty.shape).toEqual(x.shape);
        const dot = (a: Float32Array, b: Float32Array): number => a.reduce((s, v, i) => s + v * b[i], 0);
        const lhs = dot(cx.data(), y.data());
        const rhs = dot(x.data(), ty.data());
        const abs = (v: Tensor): Tensor => tensor(v.data().map(Math.abs), v.shape);
        const scale = dot(F.conv2d(abs(x), abs(w), null, c.stride, c.padding, c.dilation, c.groups).data(), abs(y).data());
        const K = c.groupIn * c.kernel[0] * c.kernel[1] + c.groupOut * c.kernel[0] * c.kernel[1];
        expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(2 * 4 * (K + 2) * 2 ** -24 * scale + 1e-9);
      });
    }), { seed: 13, numRuns: 150 });
  });
});

describe("nn.ConvTranspose2d", () => {
  test("weight [in, out/groups, kH, kW] and PyTorch's default init: U(-b, b), b = 1/sqrt(out/groups * kH * kW)", () => {
    const m = new nn.ConvTranspose2d(16, 24, [3, 2], { groups: 2 });
    expect(m.weight.shape).toEqual([16, 12, 3, 2]);
    expect(m.bias!.shape).toEqual([24]);
    const bound = 1 / Math.sqrt(12 * 3 * 2);
    const w = m.weight.data();
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.9 * bound);
    // uniform: mean ~0, variance bound^2/3
    const mean = w.reduce((s, v) => s + v, 0) / w.length;
    const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
    expect(Math.abs(mean)).toBeLessThan(0.1 * bound);
    expect(variance).toBeGreaterThan(0.8 * bound * bound / 3);
    expect(variance).toBeLessThan(1.2 * bound * bound / 3);
    expect(Math.max(...m.bias!.data().map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(m.named_parameters().map(([name]) => name)).toEqual(["weight", "bias"]);
    m.dispose();
  });

  test("the cached phase kernels follow in-place weight changes (versions) and load_state_dict", () => {
    for (const [k, s, p, op] of [[2, 2, 0, 0], [3, 2, 1, 1], [3, 1, 1, 0]]) {
      const m = new nn.ConvTranspose2d(6, 5, k, { stride: s, padding: p, output_padding: op });
      const x = randn([1, 6, 5, 4]);
      const c = { batch: 1, groups: 1, kernel: [k, k], stride: [s, s], padding: [p, p], dilation: [1, 1], outputPadding: [op, op], unbatched: false } as TransposeCase;
      const arr = (v: Tensor): Arr => ({ shape: [...v.shape], data: v.data() });
      const check = (): void => tidy(() => expectRef(m.forward(x), convTranspose2dRef(arr(x), arr(m.weight), arr(m.bias!), c), `${k} ${s} ${p} ${op}`));
      check();
      tidy(() => m.weight.add_(randn([6, 5, k, k])));
      check();
      m.load_state_dict({ weight: randn([6, 5, k, k]), bias: randn([5]) });
      check();
      tidy(() => m.bias!.add_(randn([5])));
      check();
      x.dispose();
      m.dispose();
    }
  });

  test("in a Sequential with BatchNorm2d and ReLU (eval): the same as the layers one by one", () => {
    const seq = new nn.Sequential(new nn.ConvTranspose2d(6, 4, 3, { stride: 2, padding: 1, output_padding: 1 }), new nn.BatchNorm2d(4), new nn.ReLU());
    seq.eval();
    const x = randn([2, 6, 5, 5]);
    tidy(() => {
      const together = seq.forward(x).data();
      const [ct, bn, relu] = [...seq.children()];
      const apart = relu.forward(bn.forward(ct.forward(x))).data();
      expect(Array.from(together)).toEqual(Array.from(apart));
    });
    x.dispose();
    seq.dispose();
  });

  test("forward(input, output_size) picks the output padding; out-of-range sizes throw PyTorch's ValueError text", () => {
    const m = new nn.ConvTranspose2d(3, 2, 3, { stride: 3, padding: 1 });
    const x = randn([1, 3, 4, 4]);
    for (const size of [[10, 10], [11, 12], [12, 10]]) expect(tidy(() => m.forward(x, size).shape)).toEqual([1, 2, ...size]);
    expect(() => m.forward(x, [13, 10])).toThrow("requested an output size of [13, 10], but valid sizes range from [10, 10] to [12, 12] (for an input of torch.Size([4, 4]))");
    x.dispose();
    m.dispose();
  });
});

describe("Conv1d and the 1-D pools against the references", () => {
  const modes: PaddingMode[] = ["zeros", "reflect", "replicate", "circular"];
  test("Conv1d in every padding mode, 'same'/'valid', groups, dilation, stride matches conv2dRef on 1 x L", () => {
    const arb = fc.record({
      groups: fc.constantFrom(1, 2, 4), groupIn: fc.integer({ min: 1, max: 3 }), groupOut: fc.integer({ min: 1, max: 3 }),
      length: fc.integer({ min: 3, max: 20 }), kernel: fc.integer({ min: 1, max: 5 }), stride: fc.integer({ min: 1, max: 3 }),
      padding: fc.oneof(fc.integer({ min: 0, max: 2 }), fc.constantFrom("same" as const, "valid" as const)),
      dilation: fc.integer({ min: 1, max: 2 }), mode: fc.constantFrom(...modes), bias: fc.boolean(), unbatched: fc.boolean(), seed: fc.nat(),
    }).map((c) => ({ ...c, stride: c.padding === "same" ? 1 : c.stride }))
      .filter((c) => c.length + 2 * (typeof c.padding === "number" ? c.padding : 0) >= c.dilation * (c.kernel - 1) + 1 && c.length > 2);
    fc.assert(fc.property(arb, (c) => {
      tidy(() => {
        const next = rng(c.seed);
        const C = c.groups * c.groupIn, OC = c.groups * c.groupOut;
        const x = values(2 * C * c.length, next), w = values(OC * c.groupIn * c.kernel, next), b = values(OC, next);
        const m = new nn.Conv1d(C, OC, c.kernel, { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups, bias: c.bias, padding_mode: c.mode });
        m.load_state_dict(c.bias ? { weight: tensor(w, [OC, c.groupIn, c.kernel]), bias: tensor(b, [OC]) } : { weight: tensor(w, [OC, c.groupIn, c.kernel]) });
        const input = c.unbatched ? tensor(x.subarray(0, C * c.length), [C, c.length]) : tensor(x, [2, C, c.length]);
        const y = m.forward(input);
        const ref = conv2dRef({ shape: c.unbatched ? [C, 1, c.length] : [2, C, 1, c.length], data: input.data() }, { shape: [OC, c.groupIn, 1, c.kernel], data: w },
          c.bias ? { shape: [OC], data: b } : null,
          { stride: [1, c.stride], padding: typeof c.padding === "string" ? c.padding : [0, c.padding], dilation: [1, c.dilation], groups: c.groups, padding_mode: c.mode });
        expectRef(y, { ...ref, shape: ref.shape.filter((_, i) => i !== ref.shape.length - 2) }, JSON.stringify(c));
        m.dispose();
      });
    }), { seed: 21, numRuns: 200 });
  });

  test("max_pool1d and its indices equal max_pool2d's reference on 1 x L bit for bit (NaN, ties, ceil_mode, dilation)", () => {
    const arb = fc.record({
      length: fc.integer({ min: 1, max: 16 }), kernel: fc.integer({ min: 1, max: 4 }), stride: fc.integer({ min: 1, max: 3 }),
      padding: fc.nat(2), dilation: fc.integer({ min: 1, max: 3 }), ceil: fc.boolean(), seed: fc.nat(),
    }).filter((c) => c.padding <= c.kernel >> 1 && c.length + 2 * c.padding >= c.dilation * (c.kernel - 1) + 1);
    fc.assert(fc.property(arb, (c) => {
      tidy(() => {
        const next = rng(c.seed);
        const data = Float32Array.from({ length: 3 * c.length }, () => { const r = next(); return r < 0.1 ? NaN : Math.floor(r * 5) - 2; });
        const [out, indices] = F.max_pool1d(tensor(data, [1, 3, c.length]), c.kernel, c.stride, c.padding, c.dilation, c.ceil, true) as [Tensor, Tensor];
        const ref = maxPool2dRef({ shape: [1, 3, 1, c.length], data }, [1, c.kernel], { stride: [1, c.stride], padding: [0, c.padding], dilation: [1, c.dilation], ceil_mode: c.ceil });
        expect(out.shape).toEqual([1, 3, ref.out.shape[3]]);
        const got = out.data();
        ref.out.data.forEach((v, i) => expect(Object.is(got[i], Math.fround(v)) || (Number.isNaN(v) && Number.isNaN(got[i]))).toBe(true));
        expect(Array.from(indices.data<BigInt64Array>(), Number)).toEqual(ref.indices);
        const plain = F.max_pool1d(tensor(data, [1, 3, c.length]), c.kernel, c.stride, c.padding, c.dilation, c.ceil) as Tensor;
        expect(Array.from(plain.data())).toEqual(Array.from(got));
      });
    }), { seed: 22, numRuns: 200 });
  });
});

describe("bad input, views and leaks", () => {
  test("bad input throws a clear Error (no Wasm trap), leaves the other tensors intact, and the next call works", () => {
    const x = randn([1, 4, 5, 5]);
    const w = randn([4, 2, 3, 3]);
    const keep = x.data();
    const bad: [() => unknown, string][] = [
      [() => F.conv_transpose2d(x, randn([4, 2, 3])), "Expected 4-dimensional weight"],
      [() => F.conv_transpose2d(x, w, null, 2, 0, 2), "output padding must be smaller than either stride or dilation"],
      [() => F.conv_transpose2d(x, w, null, { stride: 2, bogus: 1 }), "unexpected keyword argument 'bogus'"],
      [() => F.conv_transpose2d(tensor(new BigInt64Array(100), [1, 4, 5, 5]), w), "float32"],
      [() => F.conv1d(randn([1, 4, 9]), randn([2, 4, 3]), null, 1, 0, 1, 1.5), "groups"],
      [() => F.max_pool1d(randn([1, 4, 9]), 3, 1, 2), "padding should be at most half"],
      [() => new nn.ConvTranspose2d(4, 2, 3, { padding_mode: "circular" }), 'Only "zeros" padding mode is supported for ConvTranspose2d'],
    ];
    for (const [fn, message] of bad) {
      let error: unknown;
      try { tidy(fn); } catch (e) { error = e; }
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(WebAssembly.RuntimeError);
      expect((error as Error).message).toContain(message);
    }
    expect(Array.from(x.data())).toEqual(Array.from(keep));
    expect(tidy(() => F.conv_transpose2d(x, w, null, 2, 1, 1).shape)).toEqual([1, 2, 10, 10]);
    x.dispose();
    w.dispose();
  });

  test("no leaks: memory() stays flat over repeated forwards of every module and functional", () => {
    const modules: [nn.Module, Tensor][] = [
      [new nn.ConvTranspose2d(8, 4, 2, { stride: 2 }), randn([2, 8, 6, 7])],
      [new nn.ConvTranspose2d(8, 4, 3, { stride: 2, padding: 1, output_padding: 1, groups: 2 }), randn([8, 6, 7])],
      [new nn.ConvTranspose2d(8, 8, 3, { stride: 3, groups: 8 }), randn([1, 8, 6, 7])],
      [new nn.ConvTranspose1d(8, 4, 3, { stride: 2 }), randn([2, 8, 9])],
      [new nn.Conv1d(8, 4, 3, { padding: "same", padding_mode: "reflect" }), randn([2, 8, 9])],
      [new nn.MaxPool1d(3, 2, 1, 1, true), randn([2, 8, 9])],
      [new nn.AvgPool1d(3, 2, 1), randn([2, 8, 9])],
      [new nn.AdaptiveMaxPool1d(4, true), randn([2, 8, 9])],
      [new nn.AdaptiveAvgPool1d(4), randn([8, 9])],
    ];
    const run = (): void => {
      tidy(() => {
        for (const [m, x] of modules) m.forward(x);
        F.conv_transpose2d(randn([1, 4, 5, 5]), randn([4, 3, 3, 3]), null, 2);
        F.conv1d(randn([1, 4, 9]), randn([2, 4, 3]));
      });
    };
    run();
    const steady = memory();
    for (let i = 0; i < 5; i++) run();
    expect(memory()).toEqual(steady);
    for (const [m, x] of modules) { m.dispose(); x.dispose(); }
    expect(memory().liveTensors).toBeLessThan(steady.liveTensors);
  });

  test("Conv1d and the 1-D pools return new tensors and leave their input untouched (the [N, C, 1, L] views share its storage)", () => {
    const x = randn([2, 4, 9]);
    const copy = x.data();
    const y = F.max_pool1d(x, 2) as Tensor;
    const z = F.conv1d(x, randn([3, 4, 1]));
    expect(Array.from(x.data())).toEqual(Array.from(copy));
    expect(x.shape).toEqual([2, 4, 9]);
    expect(y.shape).toEqual([2, 4, 4]);
    expect(z.shape).toEqual([2, 3, 9]);
    for (const v of [x, y, z]) v.dispose();
  });
});
