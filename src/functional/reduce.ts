// Reductions, as torch.sum/mean/amax/amin/max/min/argmax/argmin/topk: argument checks, output
// shapes and the kernel plan. The kernels (assembly/reduce/reduce.ts) reduce the middle axis of
// [outer, R, inner]; here the reduced dims are merged into such axes. Threads (issue #15) split a
// pass by outputs: rows of outer, and blocks of REDUCE_COLUMNS columns; a reduction is never split.

import { Tensor, empty, normalizeDim, numel } from "../tensor.js";
import { heapF32, heapI64, heapU8 } from "../runtime.js";
import { parallel, threadsFor } from "../threads/parallel.js";
import { parseArgs, pyType, required, type ArgSpec } from "../args.js";
import { checkTensor } from "./shape.js";

/** f32_reduce / f32_arg_reduce's columns per unit (assembly/reduce/reduce.ts). */
const REDUCE_COLUMNS = 1024;

const OP_SUM = 0;
const OP_MAX = 1;
const OP_MIN = 2;

/** The dims a `dim` argument names, normalised, sorted, each once; null = every dim. */
function reducedDims(dim: unknown, rank: number, op: string): number[] | null {
  if (dim === null || dim === undefined) return null;
  const list = typeof dim === "number" ? [dim] : Array.isArray(dim) ? dim : null;
  if (list === null) throw new TypeError(`${op}(): argument 'dim' must be int or tuple of ints, not ${pyType(dim)}`);
  const seen = new Set<number>();
  for (const d of list) {
    if (typeof d !== "number" || !Number.isInteger(d)) {
      throw new TypeError(`${op}(): argument 'dim' must be int or tuple of ints, but found element of type ${pyType(d)}`);
    }
    const n = normalizeDim(d, rank);
    if (seen.has(n)) throw new Error(`dim ${n} appears multiple times in the list of dims`);
    seen.add(n);
  }
  // PyTorch 1.13: an empty list reduces every dim
  if (seen.size === 0) return null;
  return [...seen].sort((a, b) => a - b);
}

function checkBool(value: unknown, op: string, name: string): boolean {
  if (typeof value !== "boolean") throw new TypeError(`${op}(): argument '${name}' must be bool, not ${pyType(value)}`);
  return value;
}

function checkDtype(value: unknown, input: Tensor, op: string): void {
  if (value !== null && value !== input.dtype) {
    throw new TypeError(`${op}(): dtype ${String(value)} is not supported (wasmnn keeps the input's dtype, ${input.dtype})`);
  }
}

/** The output shape: reduced dims dropped, or kept as 1 with keepdim. */
function reducedShape(shape: readonly number[], dims: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  shape.forEach((size, d) => {
    if (!dims.includes(d)) out.push(size);
    else if (keepdim) out.push(1);
  });
  return out;
}

/** [outer, R, inner] of reducing dim `d` of `shape`. */
function axes(shape: readonly number[], d: number): [number, number, number] {
  return [numel(shape.slice(0, d)), shape[d] ?? 1, numel(shape.slice(d + 1))];
}

/**
 * Runs op over `dims` of input into `output` (input's dtype, numel = the kept dims' product).
 * Size-1 dims are dropped, neighbouring dims of the same kind merged; each run of reduced dims is
 * one kernel pass, the last run first. A mean divides once, in the last pass, by the whole count.
 * int64 tensors take a host loop (exact, wrapping as int64 does).
 */
function reduceInto(input: Tensor, dims: readonly number[] | null, op: number, mean: boolean, output: Tensor): void {
  if (output.numel() === 0) return;
  const rank = input.dim();
  const isReduced = (d: number): boolean => dims === null || dims.includes(d);
  // merged runs of [size, reduced]
  const runs: [number, boolean][] = [];
  let count = 1;
  for (let d = 0; d < rank; d++) {
    const size = input.shape[d];
    if (isReduced(d)) count *= size;
    if (size === 1) continue;
    const last = runs[runs.length - 1];
    if (last !== undefined && last[1] === isReduced(d)) last[0] *= size;
    else runs.push([size, isReduced(d)]);
  }
  // [outer, R, inner] per pass
  const passes: [number, number, number][] = [];
  for (let r = runs.length - 1; r >= 0; r--) {
    if (!runs[r][1]) continue;
    passes.push([numel(runs.slice(0, r).map(([size]) => size)), runs[r][0], numel(runs.slice(r + 1).map(([size]) => size))]);
    runs[r][0] = 1;
  }
  if (input.dtype === "int64") {
    let values = input.data<BigInt64Array>();
    for (const pass of passes) values = int64Pass(values, op, ...pass);
    heapI64().set(values, output.ptr / 8);
    return;
  }
  if (passes.length === 0) {
    // only size-1 dims reduced: a copy (a mean divides by 1)
    heapU8().copyWithin(output.ptr, input.ptr, input.ptr + input.numel() * 4);
    return;
  }
  let source = input;
  passes.forEach(([outer, reduced, inner], i) => {
    const last = i === passes.length - 1;
    const target = last ? output : empty([outer * inner]);
    const units = outer * Math.ceil(inner / REDUCE_COLUMNS);
    const [src, dst] = [source.ptr, target.ptr];
    parallel("f32_reduce", units, threadsFor(outer * reduced * inner, units), (start, end) =>
      [op, src, dst, outer, reduced, inner, mean && last ? count : 1, start, end]);
    if (source !== input) source.dispose();
    source = target;
  });
}

/** One [outer, R, inner] -> [outer, inner] pass over int64 values (R >= 1 for max/min). */
function int64Pass(source: BigInt64Array, op: number, outer: number, reduced: number, inner: number): BigInt64Array {
  const out = new BigInt64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * reduced * inner + j;
      let acc = op === OP_SUM ? 0n : source[base];
      for (let r = op === OP_SUM ? 0 : 1; r < reduced; r++) {
        const x = source[base + r * inner];
        acc = op === OP_SUM ? acc + x : op === OP_MAX ? (x > acc ? x : acc) : (x < acc ? x : acc);
      }
      out[o * inner + j] = BigInt.asIntN(64, acc);
    }
  }
  return out;
}

const SUM_SPEC: ArgSpec = [["input", required], ["dim", null], ["keepdim", false], ["dtype", null]];

function sumOrMean(op: "sum" | "mean", args: unknown[]): Tensor {
  const a = parseArgs(op, SUM_SPEC, args);
  const input = checkTensor(a.input, op, "input");
  if (op === "mean" && input.dtype !== "float32") {
    throw new Error("mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Long");
  }
  checkDtype(a.dtype, input, op);
  const dims = reducedDims(a.dim, input.dim(), op);
  const keepdim = checkBool(a.keepdim, op, "keepdim");
  const all = dims ?? input.shape.map((_, d) => d);
  const output = empty(reducedShape(input.shape, all, keepdim), input.dtype);
  reduceInto(input, dims, OP_SUM, op === "mean", output);
  return output;
}

/** torch.sum(input, dim=None, keepdim=False, *, dtype=None): pairwise float32 sums. */
export function sum(...args: unknown[]): Tensor {
  return sumOrMean("sum", args);
}

/** torch.mean(input, dim=None, keepdim=False, *, dtype=None): the pairwise sum divided by the count. */
export function mean(...args: unknown[]): Tensor {
  return sumOrMean("mean", args);
}

const AMAX_SPEC: ArgSpec = [["input", required], ["dim", []], ["keepdim", false]];

function extreme(op: "amax" | "amin", args: unknown[]): Tensor {
  const a = parseArgs(op, AMAX_SPEC, args);
  const input = checkTensor(a.input, op, "input");
  const dims = reducedDims(a.dim, input.dim(), op);
  const keepdim = checkBool(a.keepdim, op, "keepdim");
  const all = dims ?? input.shape.map((_, d) => d);
  if (input.numel() === 0) {
    if (dims === null) {
      throw new Error(`${op}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`);
    }
    for (const d of all) {
      if (input.shape[d] === 0) throw new RangeError(`${op}(): Expected reduction dim ${d} to have non-zero size.`);
    }
  }
  const output = empty(reducedShape(input.shape, all, keepdim), input.dtype);
  reduceInto(input, dims, op === "amax" ? OP_MAX : OP_MIN, false, output);
  return output;
}

/** torch.amax(input, dim=(), keepdim=False): NaN propagates. */
export function amax(...args: unknown[]): Tensor {
  return extreme("amax", args);
}

/** torch.amin(input, dim=(), keepdim=False): NaN propagates. */
export function amin(...args: unknown[]): Tensor {
  return extreme("amin", args);
}

/** values and int64 indices of the extreme along dim (keepdim: that dim kept as 1). */
function argReduce(input: Tensor, dim: number, keepdim: boolean, isMin: boolean, withValues: boolean): [Tensor | null, Tensor] {
  const shape = reducedShape(input.shape, [dim], keepdim);
  const values = withValues ? empty(shape, input.dtype) : null;
  const indices = empty(shape, "int64");
  if (indices.numel() === 0) return [values, indices];
  // a 0-d input is [1, 1, 1]
  const [outer, reduced, inner] = axes(input.shape, dim);
  if (input.dtype === "float32") {
    const units = outer * Math.ceil(inner / REDUCE_COLUMNS);
    parallel("f32_arg_reduce", units, threadsFor(2 * outer * reduced * inner, units), (start, end) =>
      [isMin ? 1 : 0, input.ptr, values?.ptr ?? 0, indices.ptr, outer, reduced, inner, start, end]);
    return [values, indices];
  }
  // int64: a host loop, the first extreme's index
  const source = input.data<BigInt64Array>();
  const best = new BigInt64Array(outer * inner);
  const where = new BigInt64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * reduced * inner + j;
      let value = source[base], index = 0;
      for (let r = 1; r < reduced; r++) {
        const x = source[base + r * inner];
        if (isMin ? x < value : x > value) { value = x; index = r; }
      }
      best[o * inner + j] = value;
      where[o * inner + j] = BigInt(index);
    }
  }
  if (values !== null) heapI64().set(best, values.ptr / 8);
  heapI64().set(where, indices.ptr / 8);
  return [values, indices];
}

const MAX_SPEC: ArgSpec = [["input", required], ["dim", undefined], ["keepdim", undefined]];

function maxOrMin(op: "max" | "min", args: unknown[]): Tensor | [Tensor, Tensor] {
  // max(input) | max(input, dim, keepdim=False) | max(input, other) (not provided)
  const a = parseArgs(op, MAX_SPEC, args);
  const input = checkTensor(a.input, op, "input");
  if (a.dim instanceof Tensor) {
    throw new TypeError(`${op}(input, other), the elementwise ${op}imum, is not provided by wasmnn (only the reduction forms)`);
  }
  if (a.dim === undefined) {
    if (a.keepdim !== undefined) throw new TypeError(`${op}() missing required argument 'dim' (keepdim given without dim)`);
    if (input.numel() === 0) {
      throw new Error(`${op}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`);
    }
    const output = empty([], input.dtype);
    reduceInto(input, null, op === "max" ? OP_MAX : OP_MIN, false, output);
    return output;
  }
  if (a.dim === null) throw new Error("Please look up dimensions by name, got: name = None.");
  if (typeof a.dim !== "number" || !Number.isInteger(a.dim)) {
    throw new TypeError(`${op}(): argument 'dim' must be int, not ${pyType(a.dim)}`);
  }
  const dim = normalizeDim(a.dim, input.dim());
  const keepdim = checkBool(a.keepdim ?? false, op, "keepdim");
  if (input.dim() > 0 && input.shape[dim] === 0) {
    throw new RangeError(`${op}(): Expected reduction dim ${dim} to have non-zero size.`);
  }
  const [values, indices] = argReduce(input, dim, keepdim, op === "min", true);
  return [values!, indices];
}

/**
 * torch.max: `max(input)` -> a 0-d tensor (NaN if any is NaN); `max(input, dim, keepdim=False)`
 * -> [values, indices] (int64; the first occurrence of the maximum, or of the first NaN).
 */
export function max(input: Tensor): Tensor;
export function max(input: Tensor, dim: number | DimOptions, ...rest: unknown[]): [Tensor, Tensor];
export function max(...args: unknown[]): Tensor | [Tensor, Tensor];
export function max(...args: unknown[]): Tensor | [Tensor, Tensor] {
  return maxOrMin("max", args);
}

/** torch.min, as max. */
export function min(input: Tensor): Tensor;
export function min(input: Tensor, dim: number | DimOptions, ...rest: unknown[]): [Tensor, Tensor];
export function min(...args: unknown[]): Tensor | [Tensor, Tensor];
export function min(...args: unknown[]): Tensor | [Tensor, Tensor] {
  return maxOrMin("min", args);
}

/** max/min's keyword form: max(x, { dim: 1, keepdim: true }). */
export interface DimOptions { dim: number; keepdim?: boolean }

const ARGMAX_SPEC: ArgSpec = [["input", required], ["dim", null], ["keepdim", false]];

function argExtreme(op: "argmax" | "argmin", args: unknown[]): Tensor {
  const a = parseArgs(op, ARGMAX_SPEC, args);
  const input = checkTensor(a.input, op, "input");
  const keepdim = checkBool(a.keepdim, op, "keepdim");
  if (a.dim === null) {
    // the index into the flattened input; keepdim keeps every dim as 1
    if (input.numel() === 0) throw new RangeError(`${op}(): Expected reduction dim to be specified for input.numel() == 0.`);
    const flat = input.reshape([input.numel()]);
    try {
      const [, indices] = argReduce(flat, 0, false, op === "argmin", false);
      return keepdim ? reshapeInto(indices, input.shape.map(() => 1)) : indices;
    } finally {
      flat.dispose();
    }
  }
  if (typeof a.dim !== "number" || !Number.isInteger(a.dim)) {
    throw new TypeError(`${op}(): argument 'dim' must be int, not ${pyType(a.dim)}`);
  }
  const dim = normalizeDim(a.dim, input.dim());
  if (input.dim() > 0 && input.shape[dim] === 0) {
    throw new RangeError(`${op}(): Expected reduction dim ${dim} to have non-zero size.`);
  }
  return argReduce(input, dim, keepdim, op === "argmin", false)[1];
}

/** A view of `t` with `shape`, replacing t's handle. */
function reshapeInto(t: Tensor, shape: number[]): Tensor {
  const view = t.reshape(shape);
  t.dispose();
  return view;
}

/** torch.argmax(input, dim=None, keepdim=False): int64; dim None indexes the flattened input. */
export function argmax(...args: unknown[]): Tensor {
  return argExtreme("argmax", args);
}

/** torch.argmin(input, dim=None, keepdim=False). */
export function argmin(...args: unknown[]): Tensor {
  return argExtreme("argmin", args);
}

const TOPK_SPEC: ArgSpec = [["input", required], ["k", required], ["dim", -1], ["largest", true], ["sorted", true]];

/**
 * torch.topk(input, k, dim=-1, largest=True, sorted=True) -> [values, indices]. NaN counts as
 * larger than every number, as PyTorch's. Always sorted (sorted=False leaves the order
 * unspecified in PyTorch, so sorted order is one valid answer); equal values keep index order.
 * A host-side selection per slice (a classifier's top-5 is small work).
 */
export function topk(...args: unknown[]): [Tensor, Tensor] {
  const a = parseArgs("topk", TOPK_SPEC, args);
  const input = checkTensor(a.input, "topk", "input");
  if (typeof a.k !== "number" || !Number.isInteger(a.k)) throw new TypeError(`topk(): argument 'k' must be int, not ${pyType(a.k)}`);
  if (typeof a.dim !== "number" || !Number.isInteger(a.dim)) throw new TypeError(`topk(): argument 'dim' must be int, not ${pyType(a.dim)}`);
  const largest = checkBool(a.largest, "topk", "largest");
  checkBool(a.sorted, "topk", "sorted");
  const k = a.k;
  const dim = normalizeDim(a.dim, input.dim());
  const size = input.dim() === 0 ? 1 : input.shape[dim];
  if (k < 0 || k > size) throw new RangeError("selected index k out of range");
  const shape = input.dim() === 0 ? [] : input.shape.map((s, d) => (d === dim ? k : s));
  const values = empty(shape, input.dtype);
  const indices = empty(shape, "int64");
  if (values.numel() === 0) return [values, indices];
  const [outer, reduced, inner] = axes(input.shape, dim);
  const source: ArrayLike<number | bigint> = input.data<Float32Array | BigInt64Array>();
  const outValues: (number | bigint)[] = [];
  const outIndices = new BigInt64Array(values.numel());
  const slice: (number | bigint)[] = new Array(reduced);
  // NaN counts as the largest; equal values keep index order
  const sign = largest ? -1 : 1;
  const before = (i: number, j: number): number => {
    const x = slice[i], y = slice[j];
    const xNaN = x !== x, yNaN = y !== y;
    if (xNaN || yNaN) return xNaN && yNaN ? i - j : xNaN ? sign : -sign;
    return x < y ? -sign : x > y ? sign : i - j;
  };
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * reduced * inner + j;
      for (let r = 0; r < reduced; r++) slice[r] = source[base + r * inner];
      const chosen = Array.from({ length: reduced }, (_, r) => r).sort(before).slice(0, k);
      const outBase = o * k * inner + j;
      chosen.forEach((r, i) => {
        outValues[outBase + i * inner] = slice[r];
        outIndices[outBase + i * inner] = BigInt(r);
      });
    }
  }
  if (input.dtype === "int64") heapI64().set(outValues as bigint[], values.ptr / 8);
  else heapF32().set(outValues as number[], values.ptr / 4);
  heapI64().set(outIndices, indices.ptr / 8);
  return [values, indices];
}
