// Differential fuzzing (fast-check): random Conv2d / pooling / BatchNorm2d / Linear / Sequential
// configurations against the scalar float64 reference in tests/reference.ts, plus every fast path
// against its scalar or unfused twin. Fixed seeds, so CI replays the same cases; a failure prints
// fast-check's shrunk counterexample (the configuration) and the seed/path to replay it.
//
// Tolerance (see reference.ts, `reductionTolerance`): per element,
//   |actual - expected| <= ATOL + 4 * (K + 2) * 2^-24 * sum_j |t_j|
// where K is the number of terms the element sums (C/groups*KH*KW (+1 for the bias) for conv,
// the window size for average pools, ~4 for BatchNorm's affine map) and sum_j |t_j| their
// magnitude: the float32 summation bound for any order, with 4x headroom; ATOL = 1e-7.
// Layers pass the allowed error on (BatchNorm scales it by |weight|/sqrt(var+eps), max pooling
// takes the window's largest, averages the mean), so a Sequential's tolerance is derived, not guessed.
// Selections (max pools and their indices, ReLU of an exact value, fused-vs-unfused activations,
// module-vs-functional on one kernel) must match bit for bit, NaN included.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import fc from "fast-check";
import { init, nn, F, tensor, memory, tidy, type Tensor } from "../src/index.js";
import { conv2dWith, type Conv2dParams, type PaddingMode } from "../src/functional/conv.js";
import { batchNormWith } from "../src/functional/norm.js";
import {
  conv2dRef, maxPool2dRef, avgPool2dRef, adaptiveAvgPool2dRef, adaptiveMaxPool2dRef, batchNormRef, reluRef, relu6Ref,
  linearRef, convPadding, poolOutSize, numel, withWindowErrors, maxPoolWindows, avgPoolWindows, adaptiveWindows,
  type Arr, type Ref, type BatchNormState,
} from "./reference.js";
// mulberry32, seeded: a case's data follows from its (shrinkable) seed
import { rng } from "../bench/rng.js";

await init();

// ---------------------------------------------------------------------------------------------
// data

/**
 * normal: uniform floats in [-2, 2); ints: integers in [-3, 3] (exact arithmetic, many ties for
 * the max pools' first-wins rule, ±0); special: normal with ~1 in 8 values NaN, ±inf, ±0 or subnormal.
 */
type Style = "normal" | "ints" | "special";
const STYLES: Style[] = ["normal", "ints", "special"];
const SPECIALS = [NaN, Infinity, -Infinity, -0, 0, 1e-40, -1e-40];

function fill(n: number, style: Style, next: () => number, scale = 2): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (style === "ints") out[i] = Math.floor(next() * 7) - 3;
    else if (style === "special" && next() < 0.125) out[i] = SPECIALS[Math.floor(next() * SPECIALS.length)];
    else out[i] = (next() * 2 - 1) * scale;
  }
  return out;
}
/** Weights: finite always (ints in [-2, 2] for the exact style). */
function fillWeights(n: number, style: Style, next: () => number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = style === "ints" ? Math.floor(next() * 5) - 2 : next() * 2 - 1;
  return out;
}

// ---------------------------------------------------------------------------------------------
// comparisons

const stats = { worstRatio: 0, worstLabel: "", elements: 0 };

/** Every element within the reference's allowed error; non-finite expected values must match exactly. */
function expectRef(actual: Float32Array, ref: Ref, label: string, errScale = 1): void {
  if (actual.length !== ref.data.length) throw new Error(`${label}: ${actual.length} elements, expected ${ref.data.length}`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = ref.data[i];
    stats.elements++;
    if (!Number.isFinite(e)) {
      if (!(Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e)))) throw new Error(`${label}: element ${i} is ${a}, expected ${e}`);
      continue;
    }
    const err = Math.abs(a - e);
    const allowed = ref.err[i] * errScale;
    if (!(err <= allowed)) {
      throw new Error(`${label}: element ${i} is ${a}, expected ${e} (error ${err.toExponential(3)} > allowed ${allowed.toExponential(3)})`);
    }
    if (allowed > 0 && err / allowed > stats.worstRatio) {
      stats.worstRatio = err / allowed;
      stats.worstLabel = label;
    }
  }
}

/** Bitwise equality of float32 data (any NaN equals any NaN; -0 differs from 0). */
function expectSame(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string): void {
  if (actual.length !== expected.length) throw new Error(`${label}: ${actual.length} elements, expected ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = Math.fround(expected[i]);
    if (!(Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e)))) throw new Error(`${label}: element ${i} is ${a}, expected ${e}`);
  }
}

function expectShape(t: Tensor, shape: number[], label: string): void {
  if (t.shape.join(",") !== shape.join(",")) throw new Error(`${label}: shape [${t.shape.join(", ")}], expected [${shape.join(", ")}]`);
}

/** Relu/relu6 of float32 values as PyTorch (NaN stays NaN). */
function clampValues(values: Float32Array, lo: number, hi: number): Float32Array {
  return values.map((v) => (Number.isNaN(v) ? v : Math.min(Math.max(v, lo), hi)));
}


const runs: Record<string, number> = {};
/** fc.assert with a fixed seed and run count; every run also checks it leaked no tensor. */
function check<T>(name: string, numRuns: number, seed: number, arb: fc.Arbitrary<T>, body: (value: T) => void): void {
  runs[name] = 0;
  fc.assert(fc.property(arb, (value) => {
    runs[name]++;
    const before = memory().liveTensors;
    tidy(() => { body(value); });
    const after = memory().liveTensors;
    if (after !== before) throw new Error(`${name}: ${after - before} tensors leaked`);
  }), { numRuns, seed, endOnFailure: false, verbose: 1 });
}

const arr = (t: Tensor): Arr => ({ shape: [...t.shape], data: t.data() });

// ---------------------------------------------------------------------------------------------
// Conv2d

interface ConvCase {
  inC: number; outC: number; kernel: [number, number]; stride: [number, number]; dilation: [number, number];
  padding: number | [number, number] | "same" | "valid"; mode: PaddingMode; groups: number; bias: boolean;
  batch: number | null; h: number; w: number; style: Style; activation: "none" | "relu" | "relu6";
  positional: boolean; seed: number;
}

const dim = (max: number) => fc.integer({ min: 1, max });
/** Mostly batches of 1-3, sometimes unbatched (3-D input) or an empty batch. */
const batchArb: fc.Arbitrary<number | null> = fc.oneof(
  { weight: 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constant(0) }, { weight: 8, arbitrary: fc.integer({ min: 1, max: 3 }) });
const convArb: fc.Arbitrary<ConvCase> = fc.record({
  groups: fc.integer({ min: 1, max: 4 }), inPerGroup: dim(4), outPerGroup: dim(4),
  kh: dim(5), kw: dim(5), sh: dim(3), sw: dim(3), dh: dim(3), dw: dim(3),
  padKind: fc.constantFrom("int", "pair", "same", "valid"), ph: fc.integer({ min: 0, max: 3 }), pw: fc.integer({ min: 0, max: 3 }),
  mode: fc.constantFrom<PaddingMode>("zeros", "reflect", "replicate", "circular"),
  bias: fc.boolean(), batch: batchArb,
  h: dim(11), w: dim(11), style: fc.constantFrom(...STYLES), activation: fc.constantFrom("none", "relu", "relu6"),
  positional: fc.boolean(), seed: fc.integer(),
}).map((r): ConvCase => {
  const stride: [number, number] = r.padKind === "same" ? [1, 1] : [r.sh, r.sw];
  const padding = r.padKind === "int" ? r.ph : r.padKind === "pair" ? [r.ph, r.pw] as [number, number] : r.padKind as "same" | "valid";
  const kernel: [number, number] = [r.kh, r.kw];
  const dilation: [number, number] = [r.dh, r.dw];
  const [pt, pb, pl, pr] = convPadding(padding, kernel, dilation);
  // sizes PyTorch accepts: reflect needs pad < size, circular pad <= size, every mode a padded
  // input at least as large as the dilated kernel
  const fit = (size: number, before: number, after: number, k: number, d: number): number => {
    let s = Math.max(size, d * (k - 1) + 1 - before - after, 1);
    if (r.mode === "reflect") s = Math.max(s, before + 1, after + 1);
    if (r.mode === "circular") s = Math.max(s, before, after);
    return s;
  };
  return {
    inC: r.groups * r.inPerGroup, outC: r.groups * r.outPerGroup, kernel, stride, dilation, padding, mode: r.mode,
    groups: r.groups, bias: r.bias, batch: r.batch, h: fit(r.h, pt, pb, r.kh, r.dh), w: fit(r.w, pl, pr, r.kw, r.dw),
    style: r.style, activation: r.activation as ConvCase["activation"], positional: r.positional, seed: r.seed,
  };
});

function makeConv(c: ConvCase): nn.Conv2d {
  const k = c.kernel[0] === c.kernel[1] ? c.kernel[0] : c.kernel;
  if (c.positional) {
    return new (nn.Conv2d as unknown as new (...a: unknown[]) => nn.Conv2d)(
      c.inC, c.outC, k, c.stride, c.padding, c.dilation, c.groups, c.bias, c.mode);
  }
  return new nn.Conv2d(c.inC, c.outC, k, { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups, bias: c.bias, padding_mode: c.mode });
}

/** conv2dWith's padding form: ints become pairs. */
const padding2d = (p: ConvCase["padding"]): Conv2dParams["padding"] => (typeof p === "number" ? [p, p] : p);

function convInputShape(c: ConvCase): number[] {
  return c.batch === null ? [c.inC, c.h, c.w] : [c.batch, c.inC, c.h, c.w];
}

/** The conv case's tensors: input, weight and bias from its seed. */
function convData(c: ConvCase): { x: Tensor; weight: Tensor; bias: Tensor | null } {
  const next = rng(c.seed);
  const xShape = convInputShape(c);
  const wShape = [c.outC, c.inC / c.groups, ...c.kernel];
  return {
    x: tensor(fill(numel(xShape), c.style, next), xShape),
    weight: tensor(fillWeights(numel(wShape), c.style, next), wShape),
    bias: c.bias ? tensor(fillWeights(c.outC, c.style, next), [c.outC]) : null,
  };
}

/** Block-diagonal dense weight [OC, C, KH, KW] equal to a grouped weight [OC, C/g, KH, KW]. */
function denseWeight(weight: Tensor, groups: number): Tensor {
  const [OC, Cg, KH, KW] = weight.shape;
  const C = Cg * groups;
  const w = weight.data();
  const dense = new Float32Array(OC * C * KH * KW);
  const taps = KH * KW;
  for (let oc = 0; oc < OC; oc++) {
    const g = Math.floor(oc / (OC / groups));
    for (let c = 0; c < Cg; c++) {
      dense.set(w.subarray((oc * Cg + c) * taps, (oc * Cg + c + 1) * taps), (oc * C + g * Cg + c) * taps);
    }
  }
  return tensor(dense, [OC, C, KH, KW]);
}

// ---------------------------------------------------------------------------------------------
// pooling

interface MaxPoolCase {
  kernel: [number, number]; stride: [number, number] | null; padding: [number, number]; dilation: [number, number];
  ceil: boolean; batch: number | null; c: number; h: number; w: number; style: Style; seed: number; positional: boolean;
}

/** Bumps the input size until PyTorch's output size is >= 1 (a "too small" input is an error case, not a fuzz case). */
function fitPool(size: number, k: number, p: number, s: number, d: number, ceil: boolean): number {
  while (poolOutSize(size, k, p, s, d, ceil) < 1) size++;
  return size;
}

const maxPoolArb: fc.Arbitrary<MaxPoolCase> = fc.record({
  kh: dim(4), kw: dim(4), stride: fc.option(fc.tuple(dim(3), dim(3)), { freq: 4 }), ph: fc.nat(2), pw: fc.nat(2),
  dh: dim(3), dw: dim(3), ceil: fc.boolean(), batch: batchArb,
  c: dim(3), h: dim(9), w: dim(9), style: fc.constantFrom(...STYLES), seed: fc.integer(), positional: fc.boolean(),
}).map((r): MaxPoolCase => {
  const padding: [number, number] = [Math.min(r.ph, r.kh >> 1), Math.min(r.pw, r.kw >> 1)];
  const stride = r.stride ?? [r.kh, r.kw];
  return {
    kernel: [r.kh, r.kw], stride: r.stride, padding, dilation: [r.dh, r.dw], ceil: r.ceil, batch: r.batch, c: r.c,
    h: fitPool(r.h, r.kh, padding[0], stride[0], r.dh, r.ceil), w: fitPool(r.w, r.kw, padding[1], stride[1], r.dw, r.ceil),
    style: r.style, seed: r.seed, positional: r.positional,
  };
});

interface AvgPoolCase {
  kernel: [number, number]; stride: [number, number] | null; padding: [number, number]; ceil: boolean;
  includePad: boolean; divisor: number | null; batch: number | null; c: number; h: number; w: number; style: Style; seed: number;
}

const avgPoolArb: fc.Arbitrary<AvgPoolCase> = fc.record({
  kh: dim(4), kw: dim(4), stride: fc.option(fc.tuple(dim(3), dim(3)), { freq: 4 }), ph: fc.nat(2), pw: fc.nat(2),
  ceil: fc.boolean(), includePad: fc.boolean(),
  divisor: fc.option(fc.integer({ min: -3, max: 7 }).filter((d) => d !== 0), { freq: 3 }),
  batch: batchArb, c: dim(3), h: dim(9), w: dim(9),
  style: fc.constantFrom(...STYLES), seed: fc.integer(),
}).map((r): AvgPoolCase => {
  const padding: [number, number] = [Math.min(r.ph, r.kh >> 1), Math.min(r.pw, r.kw >> 1)];
  const stride = r.stride ?? [r.kh, r.kw];
  return {
    kernel: [r.kh, r.kw], stride: r.stride, padding, ceil: r.ceil, includePad: r.includePad, divisor: r.divisor,
    batch: r.batch, c: r.c, h: fitPool(r.h, r.kh, padding[0], stride[0], 1, r.ceil),
    w: fitPool(r.w, r.kw, padding[1], stride[1], 1, r.ceil), style: r.style, seed: r.seed,
  };
});

interface AdaptiveCase {
  size: number | (number | null)[]; max: boolean; batch: number | null; c: number; h: number; w: number; style: Style; seed: number;
}
const adaptiveArb: fc.Arbitrary<AdaptiveCase> = fc.record({
  size: fc.oneof(dim(6), fc.tuple(fc.option(dim(6), { freq: 3 }), fc.option(dim(6), { freq: 3 }))),
  max: fc.boolean(), batch: batchArb, c: dim(3), h: dim(11), w: dim(11),
  style: fc.constantFrom(...STYLES), seed: fc.integer(),
});

const poolShape = (r: { batch: number | null; c: number; h: number; w: number }): number[] =>
  r.batch === null ? [r.c, r.h, r.w] : [r.batch, r.c, r.h, r.w];

// ---------------------------------------------------------------------------------------------
// BatchNorm2d

interface BnCase {
  c: number; n: number; h: number; w: number; eps: number; momentum: number | null; affine: boolean; track: boolean;
  steps: number; style: Style; seed: number; loadState: boolean;
}
const bnArb: fc.Arbitrary<BnCase> = fc.record({
  c: dim(5), n: dim(3), h: dim(5), w: dim(5), eps: fc.constantFrom(1e-5, 1e-3, 0.1),
  momentum: fc.constantFrom(0.1, 0, 1, 0.5, null), affine: fc.boolean(), track: fc.boolean(),
  steps: fc.integer({ min: 0, max: 4 }), style: fc.constantFrom(...STYLES), seed: fc.integer(), loadState: fc.boolean(),
}).map((r) => (r.n * r.h * r.w > 1 ? r : { ...r, h: 2 }));

/** Random affine and running state (positive variances) loaded into a BatchNorm2d; returns the reference's copy. */
function loadBnState(bn: nn.BatchNorm2d, c: number, next: () => number, style: Style): BatchNormState {
  const state: BatchNormState = { running_mean: null, running_var: null, weight: null, bias: null, num_batches_tracked: 0 };
  const sd: Record<string, Tensor> = {};
  if (bn.affine) {
    const w = fillWeights(c, style, next).map((v) => (style === "ints" ? v : v * 2));
    const b = fillWeights(c, style, next);
    sd.weight = tensor(w, [c]);
    sd.bias = tensor(b, [c]);
    state.weight = w;
    state.bias = b;
  }
  if (bn.track_running_stats) {
    const rm = fillWeights(c, style, next);
    const rv = new Float32Array(c).map(() => (style === "ints" ? 1 + Math.floor(next() * 4) : 0.05 + next() * 3));
    const count = Math.floor(next() * 5);
    sd.running_mean = tensor(rm, [c]);
    sd.running_var = tensor(rv, [c]);
    sd.num_batches_tracked = tensor(new BigInt64Array([BigInt(count)]), []);
    state.running_mean = Float64Array.from(rm);
    state.running_var = Float64Array.from(rv);
    state.num_batches_tracked = count;
  }
  bn.load_state_dict(sd);
  return state;
}

/** A fresh module's state as the reference sees it (ones/zeros, 0 batches). */
function defaultBnState(bn: nn.BatchNorm2d, c: number): BatchNormState {
  return {
    running_mean: bn.track_running_stats ? new Float64Array(c) : null,
    running_var: bn.track_running_stats ? new Float64Array(c).fill(1) : null,
    weight: bn.affine ? new Float32Array(c).fill(1) : null,
    bias: bn.affine ? new Float32Array(c) : null,
    num_batches_tracked: 0,
  };
}

function expectRunningStats(bn: nn.BatchNorm2d, state: BatchNormState, label: string): void {
  if (!bn.track_running_stats) return;
  const close = (a: Float32Array, e: Float64Array, what: string) => {
    for (let i = 0; i < a.length; i++) {
      if (Number.isNaN(e[i]) && Number.isNaN(a[i])) continue;
      if (!Number.isFinite(e[i]) && Object.is(a[i], e[i])) continue;
      if (!(Math.abs(a[i] - e[i]) <= 1e-6 + 1e-5 * Math.abs(e[i]))) throw new Error(`${label} ${what}[${i}] is ${a[i]}, expected ${e[i]}`);
    }
  };
  close(bn.running_mean!.data(), state.running_mean!, "running_mean");
  close(bn.running_var!.data(), state.running_var!, "running_var");
  const count = Number(bn.num_batches_tracked!.data<BigInt64Array>()[0]);
  if (count !== state.num_batches_tracked) throw new Error(`${label} num_batches_tracked is ${count}, expected ${state.num_batches_tracked}`);
}

// ---------------------------------------------------------------------------------------------
// Sequential: conv -> bn -> relu|relu6 -> pool

interface SeqCase {
  conv: ConvCase; bnTrain: boolean; momentum: number | null; act: "relu" | "relu6"; inplace: boolean;
  pool: "max" | "avg" | "adaptive_avg" | "adaptive_max" | "none"; poolK: number; rounds: number; seed: number;
}
const seqArb: fc.Arbitrary<SeqCase> = fc.record({
  conv: convArb.map((c) => ({ ...c, batch: c.batch === null ? null : Math.max(c.batch, 1), style: c.style === "special" ? "normal" as Style : c.style })),
  bnTrain: fc.boolean(), momentum: fc.constantFrom(0.1, null), act: fc.constantFrom("relu" as const, "relu6" as const), inplace: fc.boolean(),
  pool: fc.constantFrom("max" as const, "avg" as const, "adaptive_avg" as const, "adaptive_max" as const, "none" as const),
  poolK: dim(3), rounds: fc.integer({ min: 1, max: 2 }), seed: fc.integer(),
});

// ---------------------------------------------------------------------------------------------

/** Runs per property (fixed seeds): 25,000 cases, ~6 s on the 2-core CI machine. */
const NUM_RUNS = {
  conv2d: 7000, conv2d_grouped_vs_dense: 2000, max_pool2d: 4000, avg_pool2d: 4000, adaptive_pool2d: 2500,
  batch_norm: 2500, sequential: 2000, linear: 1000,
};
let started = 0;

describe("differential fuzzing against tests/reference.ts", () => {
  let baseline: ReturnType<typeof memory>;
  beforeAll(() => {
    baseline = memory();
    started = performance.now();
  });
  afterAll(() => {
    const total = Object.values(runs).reduce((a, b) => a + b, 0);
    console.log(`fuzz: ${total} cases in ${((performance.now() - started) / 1000).toFixed(1)} s: ${Object.entries(runs).map(([k, v]) => `${k} ${v}`).join(", ")}`);
    console.log(`fuzz: ${stats.elements} elements compared; worst error / allowed = ${stats.worstRatio.toFixed(4)} (${stats.worstLabel})`);
    const end = memory();
    console.log(`fuzz: live tensors ${baseline.liveTensors} -> ${end.liveTensors}, live bytes ${baseline.liveBytes} -> ${end.liveBytes} (workspaces grow once), wasm ${baseline.wasmBytes} -> ${end.wasmBytes}`);
  });

  test("Conv2d: module (fast path) = reference = scalar kernel; F.conv2d and fused activations agree", () => {
    check("conv2d", NUM_RUNS.conv2d, 0x5eed01, convArb, (c) => {
      const conv = makeConv(c);
      try {
        const { x, weight, bias } = convData(c);
        conv.load_state_dict(bias ? { weight, bias } : { weight });
        const out = conv.forward(x);
        const ref = conv2dRef(arr(x), arr(weight), bias ? arr(bias) : null,
          { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups, padding_mode: c.mode });
        expectShape(out, ref.shape, "Conv2d");
        const fast = out.data();
        expectRef(fast, ref, "Conv2d vs reference");

        const params: Conv2dParams = { stride: c.stride, padding: padding2d(c.padding), dilation: c.dilation, groups: c.groups, paddingMode: c.mode };
        const scalar = conv2dWith(x, weight, bias, { ...params, reference: true }).data();
        expectRef(scalar, ref, "scalar kernel vs reference");
        // fast vs scalar kernel directly: each within `err` of the exact value
        expectRef(fast, { ...ref, data: Float64Array.from(scalar) }, "fast vs scalar kernel", 2);

        if (c.mode === "zeros") {
          const functional = F.conv2d(x, weight, bias, { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups });
          expectSame(functional.data(), fast, "F.conv2d vs Conv2d");
        }
        if (c.activation !== "none") {
          const fused = conv2dWith(x, weight, bias, { ...params, activation: c.activation }).data();
          expectSame(fused, clampValues(fast, 0, c.activation === "relu" ? Infinity : 6), `fused ${c.activation} vs unfused`);
        }
      } finally {
        conv.dispose();
      }
    });
  });

  test("grouped and depthwise convs = the GEMM path with a block-diagonal dense weight", () => {
    const groupedArb = convArb.filter((c) => c.groups > 1 && c.style !== "special")
      .map((c) => ({ ...c, depthwise: c.seed % 2 === 0 }))
      .map((c) => (c.depthwise ? { ...c, inC: c.groups } : c));   // depthwise: groups == channels, multiplier outC/groups
    check("conv2d_grouped_vs_dense", NUM_RUNS.conv2d_grouped_vs_dense, 0x5eed02, groupedArb, (c) => {
      const { x, weight, bias } = convData(c);
      const params: Conv2dParams = { stride: c.stride, padding: padding2d(c.padding), dilation: c.dilation, groups: c.groups, paddingMode: c.mode };
      const grouped = conv2dWith(x, weight, bias, params);
      const dense = conv2dWith(x, denseWeight(weight, c.groups), bias, { ...params, groups: 1 });
      const ref = conv2dRef(arr(x), arr(weight), bias ? arr(bias) : null,
        { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups, padding_mode: c.mode });
      expectShape(grouped, ref.shape, "grouped");
      expectRef(grouped.data(), ref, "grouped vs reference");
      expectRef(dense.data(), ref, "dense vs reference");
      expectRef(grouped.data(), { ...ref, data: Float64Array.from(dense.data()) }, "grouped vs dense", 2);
    });
  });

  test("MaxPool2d: output and indices = reference, bit for bit; without indices the same output", () => {
    check("max_pool2d", NUM_RUNS.max_pool2d, 0x5eed03, maxPoolArb, (c) => {
      const shape = poolShape(c);
      const x = tensor(fill(numel(shape), c.style, rng(c.seed)), shape);
      const ref = maxPool2dRef(arr(x), c.kernel, { stride: c.stride, padding: c.padding, dilation: c.dilation, ceil_mode: c.ceil });
      const withIdx = c.positional
        ? new nn.MaxPool2d<true>(c.kernel, c.stride, c.padding, c.dilation, true, c.ceil)
        : new nn.MaxPool2d<true>(c.kernel, { stride: c.stride, padding: c.padding, dilation: c.dilation, return_indices: true, ceil_mode: c.ceil });
      const [out, indices] = withIdx.forward(x);
      expectShape(out, ref.out.shape, "MaxPool2d");
      expectShape(indices, ref.out.shape, "MaxPool2d indices");
      expect(indices.dtype).toBe("int64");
      expectSame(out.data(), ref.out.data, "MaxPool2d output");
      const idx = indices.data<BigInt64Array>();
      for (let i = 0; i < idx.length; i++) {
        if (Number(idx[i]) !== ref.indices[i]) throw new Error(`MaxPool2d index ${i} is ${idx[i]}, expected ${ref.indices[i]}`);
      }
      const plain = new nn.MaxPool2d(c.kernel, c.stride, c.padding, c.dilation, false, c.ceil).forward(x);
      expectSame(plain.data(), out.data(), "MaxPool2d without indices vs with");
      const functional = F.max_pool2d(x, c.kernel, c.stride, c.padding, c.dilation, c.ceil) as Tensor;
      expectSame(functional.data(), out.data(), "F.max_pool2d");
    });
  });

  // PyTorch's kernel starts each window at maxindex = ih0 * W + iw0, maxval = -inf and replaces
  // only on `val > maxval || isnan(val)`, so a window of -inf keeps its own start as the index
  // (a regression test: the 4-wide path once gave all four lanes lane 0's start).
  test("max_pool2d index of an all -inf window is the window's first element", () => {
    tidy(() => {
      const x = tensor([[[-Infinity, -Infinity, -Infinity, -Infinity, -Infinity]]]);
      const [, indices] = F.max_pool2d(x, 1, { return_indices: true }) as [Tensor, Tensor];
      expect(Array.from(indices.data<BigInt64Array>(), Number)).toEqual([0, 1, 2, 3, 4]);
    });
  });

  test("AvgPool2d (ceil_mode, count_include_pad, divisor_override) = reference", () => {
    check("avg_pool2d", NUM_RUNS.avg_pool2d, 0x5eed04, avgPoolArb, (c) => {
      const shape = poolShape(c);
      const x = tensor(fill(numel(shape), c.style, rng(c.seed)), shape);
      const opts = { stride: c.stride, padding: c.padding, ceil_mode: c.ceil, count_include_pad: c.includePad, divisor_override: c.divisor };
      const ref = avgPool2dRef(arr(x), c.kernel, opts);
      const out = new nn.AvgPool2d(c.kernel, opts).forward(x);
      expectShape(out, ref.shape, "AvgPool2d");
      expectRef(out.data(), ref, "AvgPool2d");
      const functional = F.avg_pool2d(x, c.kernel, c.stride, c.padding, c.ceil, c.includePad, c.divisor);
      expectSame(functional.data(), out.data(), "F.avg_pool2d");
    });
  });

  test("AdaptiveAvgPool2d / AdaptiveMaxPool2d (with indices) = reference", () => {
    check("adaptive_pool2d", NUM_RUNS.adaptive_pool2d, 0x5eed05, adaptiveArb, (c) => {
      const shape = poolShape(c);
      const x = tensor(fill(numel(shape), c.style, rng(c.seed)), shape);
      if (c.max) {
        const ref = adaptiveMaxPool2dRef(arr(x), c.size);
        const [out, indices] = new nn.AdaptiveMaxPool2d<true>(c.size, true).forward(x);
        expectShape(out, ref.out.shape, "AdaptiveMaxPool2d");
        expectSame(out.data(), ref.out.data, "AdaptiveMaxPool2d");
        const idx = indices.data<BigInt64Array>();
        for (let i = 0; i < idx.length; i++) {
          if (Number(idx[i]) !== ref.indices[i]) throw new Error(`AdaptiveMaxPool2d index ${i} is ${idx[i]}, expected ${ref.indices[i]}`);
        }
        expectSame((F.adaptive_max_pool2d(x, c.size) as Tensor).data(), out.data(), "adaptive max without indices");
      } else {
        const ref = adaptiveAvgPool2dRef(arr(x), c.size);
        const out = new nn.AdaptiveAvgPool2d(c.size).forward(x);
        expectShape(out, ref.shape, "AdaptiveAvgPool2d");
        expectRef(out.data(), ref, "AdaptiveAvgPool2d");
      }
    });
  });

  test("BatchNorm2d: train steps (running stats, momentum incl. null), then eval; F.batch_norm; fused clamp", () => {
    check("batch_norm", NUM_RUNS.batch_norm, 0x5eed06, bnArb, (c) => {
      const next = rng(c.seed);
      const bn = new nn.BatchNorm2d(c.c, c.eps, c.momentum, c.affine, c.track);
      try {
        const state = c.loadState ? loadBnState(bn, c.c, next, c.style) : defaultBnState(bn, c.c);
        const shape = [c.n, c.c, c.h, c.w];
        bn.train();
        for (let step = 0; step < c.steps; step++) {
          const x = tensor(fill(numel(shape), c.style, next), shape);
          const y = bn.forward(x);
          const ref = batchNormRef(arr(x), state, { eps: c.eps, momentum: c.momentum, training: true, track_running_stats: c.track });
          expectRef(y.data(), ref, `train step ${step}`);
          expectRunningStats(bn, state, `after train step ${step}`);
        }
        bn.eval();
        const x = tensor(fill(numel(shape), c.style, next), shape);
        const y = bn.forward(x);
        const ref = batchNormRef(arr(x), state, { eps: c.eps, momentum: c.momentum, training: false, track_running_stats: c.track });
        expectRef(y.data(), ref, "eval");
        if (c.track) {
          const f = F.batch_norm(x, bn.running_mean, bn.running_var, bn.weight, bn.bias, false, 0.1, c.eps);
          expectSame(f.data(), y.data(), "F.batch_norm vs BatchNorm2d (eval)");
          // the fused clamp (Sequential fusion) equals relu6 of the unfused result, bit for bit
          const fused = batchNormWith(x, bn.running_mean, bn.running_var, bn.weight, bn.bias, false, 0.1, c.eps, "relu6", false);
          expectSame(fused.data(), clampValues(y.data(), 0, 6), "fused relu6 vs unfused");
        }
      } finally {
        bn.dispose();
      }
    });
  });

  test("Sequential conv -> bn -> relu/relu6 -> pool = the composed reference (reloaded weights too)", () => {
    check("sequential", NUM_RUNS.sequential, 0x5eed07, seqArb, (s) => {
      const c = s.conv;
      const conv = makeConv(c);
      const bn = new nn.BatchNorm2d(c.outC, 1e-5, s.momentum);
      const act = s.act === "relu" ? new nn.ReLU(s.inplace) : new nn.ReLU6(s.inplace);
      const modules: nn.Module[] = [conv, bn, act];
      const k = s.poolK;
      const inShape = convInputShape(c);
      const [pt, pb, pl, pr] = convPadding(c.padding, c.kernel, c.dilation);
      const oh = Math.floor((inShape[inShape.length - 2] + pt + pb - c.dilation[0] * (c.kernel[0] - 1) - 1) / c.stride[0]) + 1;
      const ow = Math.floor((inShape[inShape.length - 1] + pl + pr - c.dilation[1] * (c.kernel[1] - 1) - 1) / c.stride[1]) + 1;
      // pools only where the conv output is large enough for them
      let pool = s.pool;
      if ((pool === "max" || pool === "avg") && (oh < k || ow < k)) pool = "none";
      if (pool === "max") modules.push(new nn.MaxPool2d(k, 2, k >> 1));
      if (pool === "avg") modules.push(new nn.AvgPool2d(k, 2, k >> 1, true, false));
      if (pool === "adaptive_avg") modules.push(new nn.AdaptiveAvgPool2d([2, null]));
      if (pool === "adaptive_max") modules.push(new nn.AdaptiveMaxPool2d(2));
      const seq = new nn.Sequential(...modules);
      // BatchNorm2d needs a 4-D input; in training also more than one value per channel
      const batched = c.batch === null ? { ...c, batch: 1 } : c;
      if (s.bnTrain && (batched.batch ?? 1) * oh * ow <= 1) { seq.dispose(); return; }
      try {
        const next = rng(s.seed);
        const state = loadBnState(bn, c.outC, next, "normal");
        if (s.bnTrain) seq.train(); else seq.eval();
        for (let round = 0; round < s.rounds; round++) {
          const { x, weight, bias } = convData({ ...batched, seed: c.seed + round });
          conv.load_state_dict(bias ? { weight, bias } : { weight });
          const y = seq.forward(x);
          let ref = conv2dRef(arr(x), arr(weight), bias ? arr(bias) : null,
            { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups, padding_mode: c.mode });
          ref = batchNormRef(ref, state, { eps: 1e-5, momentum: s.momentum, training: s.bnTrain, track_running_stats: true });
          ref = s.act === "relu" ? reluRef(ref) : relu6Ref(ref);
          if (pool === "max") {
            const w = maxPoolWindows(ref.shape, k, { stride: 2, padding: k >> 1 });
            ref = withWindowErrors(maxPool2dRef(ref, k, { stride: 2, padding: k >> 1 }).out, ref, (o) => w[o], null);
          } else if (pool === "avg") {
            const { windows, divisors } = avgPoolWindows(ref.shape, k, { stride: 2, padding: k >> 1, ceil_mode: true, count_include_pad: false });
            ref = withWindowErrors(avgPool2dRef(ref, k, { stride: 2, padding: k >> 1, ceil_mode: true, count_include_pad: false }), ref, (o) => windows[o], divisors);
          } else if (pool === "adaptive_avg") {
            const w = adaptiveWindows(ref.shape, [2, null]);
            ref = withWindowErrors(adaptiveAvgPool2dRef(ref, [2, null]), ref, (o) => w[o], w.map((win) => win.length));
          } else if (pool === "adaptive_max") {
            const w = adaptiveWindows(ref.shape, 2);
            ref = withWindowErrors(adaptiveMaxPool2dRef(ref, 2).out, ref, (o) => w[o], null);
          }
          expectShape(y, ref.shape, `Sequential round ${round}`);
          expectRef(y.data(), ref, `Sequential round ${round} (${pool})`);
          expectRunningStats(bn, state, `Sequential round ${round}`);
        }
      } finally {
        seq.dispose();
      }
    });
  });

  test("Linear (+ bias, any leading dims) = reference", () => {
    const linearArb = fc.record({
      lead: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 2 }), inF: fc.integer({ min: 1, max: 40 }),
      outF: dim(9), bias: fc.boolean(), style: fc.constantFrom(...STYLES), seed: fc.integer(),
    });
    check("linear", NUM_RUNS.linear, 0x5eed08, linearArb, (c) => {
      const next = rng(c.seed);
      const lin = new nn.Linear(c.inF, c.outF, c.bias);
      try {
        const weight = tensor(fillWeights(c.outF * c.inF, c.style, next), [c.outF, c.inF]);
        const bias = c.bias ? tensor(fillWeights(c.outF, c.style, next), [c.outF]) : null;
        lin.load_state_dict(bias ? { weight, bias } : { weight });
        const shape = [...c.lead, c.inF];
        const x = tensor(fill(numel(shape), c.style, next), shape);
        const y = lin.forward(x);
        const ref = linearRef(arr(x), arr(weight), bias ? arr(bias) : null);
        expectShape(y, ref.shape, "Linear");
        expectRef(y.data(), ref, "Linear");
        expectSame(F.relu(y).data(), clampValues(y.data(), 0, Infinity), "F.relu of Linear");
        expectSame(F.relu6(y).data(), clampValues(y.data(), 0, 6), "F.relu6 of Linear");
      } finally {
        lin.dispose();
      }
    });
  });
});
