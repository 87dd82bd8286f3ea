// Arithmetic with PyTorch's broadcasting: torch.add/sub (alpha), mul, div (rounding_mode), neg,
// abs, sqrt, rsqrt, clamp/clip, their Tensor methods and in-place forms. All float32.
//
// A broadcast is collapsed before it reaches the kernel (assembly/elementwise/binary.ts): output
// dims of size 1 are dropped and neighbours that both operands step through alike are merged, so
// the SE gate [N,C,1,1] * [N,C,H,W] becomes [N*C rows] x [H*W run, gate splat], convnext's layer
// scale [C,1,1] * [N,C,H,W] becomes [N][C rows][H*W run] and a bias row [C] + [M,C] becomes
// [M rows][C run] — each one kernel call whose inner loop is contiguous ⊕ contiguous or
// contiguous ⊕ one value.
//
// Threads (issue #15): a binary call splits along its runs (and runs into 16-aligned pieces when
// there are few of them: a same-shape add is one run), unary and scalar calls into 1024-aligned
// ranges; every element takes the same vector/scalar path as in one whole call.

import { Tensor, empty, tensor } from "../tensor.js";
import { heapF32 } from "../runtime.js";
import { parallel, parallelFloats, threadsFor } from "../threads/parallel.js";
import { isOptionsObject, pyRepr, pyType } from "../args.js";
import { fmtShape } from "./shape.js";

// op codes of f32_binary (assembly/elementwise/binary.ts)
const ADD = 0, SUB = 1, MUL = 2, DIV = 3, ADD_ALPHA = 4, DIV_TRUNC = 5, DIV_FLOOR = 6, MAXIMUM = 7, MINIMUM = 8;
const COMMUTATIVE = new Set([ADD, MUL, MAXIMUM, MINIMUM]);
// run modes: contiguous ⊕ contiguous, contiguous ⊕ one value, one value ⊕ contiguous
const VV = 0, VS = 1, SV = 2;
// op codes of f32_unary (assembly/elementwise/unary.ts)
const NEG = 0, ABS = 1, SQRT = 2, RSQRT = 3, CLAMP = 4;

const FLT_MAX = 3.4028234663852886e38;

type Operand = Tensor | number;

// -- arguments, parsed as PyTorch's python_arg_parser words its errors -----------------------------

/**
 * Python-call resolution for `fn(positional..., *, keywords...)`. `self` is true for Tensor methods
 * (args[0] is the receiver, not counted in PyTorch's messages).
 */
function parse(fn: string, args: readonly unknown[], positional: readonly string[], keywords: readonly string[], self: boolean): Record<string, unknown> {
  let given = args;
  let options: Record<string, unknown> = {};
  if (args.length > 0 && isOptionsObject(args[args.length - 1])) {
    given = args.slice(0, -1);
    options = args[args.length - 1] as Record<string, unknown>;
  }
  let count = given.length;
  while (count > 0 && given[count - 1] === undefined) count--;
  if (count > positional.length) {
    const [takes, got] = self ? [positional.length - 1, count - 1] : [positional.length, count];
    if (self && takes === 0) throw new TypeError(`Tensor.${fn}() takes no arguments (${got} given)`);
    throw new TypeError(`${fn}() takes ${takes} positional argument${takes === 1 ? "" : "s"} but ${got} were given`);
  }
  const out: Record<string, unknown> = {};
  positional.forEach((name, i) => { if (i < count && given[i] !== undefined) out[name] = given[i]; });
  for (const [key, value] of Object.entries(options)) {
    if (!positional.includes(key) && !keywords.includes(key)) throw new TypeError(`${fn}() got an unexpected keyword argument '${key}'`);
    if (value === undefined) continue;
    if (key in out) throw new TypeError(`${fn}() got multiple values for argument '${key}'`);
    out[key] = value;
  }
  return out;
}

function missing(fn: string, name: string): TypeError {
  return new TypeError(`${fn}() missing 1 required positional arguments: "${name}"`);
}

/** A Tensor or a Python number (bool counts, as in Python); else PyTorch's TypeError. */
function operand(value: unknown, fn: string, name: string, position: number): Operand {
  if (value instanceof Tensor) {
    value.ptr;   // throws if disposed, before anything is allocated
    return value;
  }
  if (typeof value === "number") return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  throw new TypeError(`${fn}(): argument '${name}' (position ${position}) must be Tensor, not ${pyType(value)}`);
}

/** A Scalar argument converted to float32 as c10's checked conversion does. */
function scalar(value: unknown, fn: string, name: string): number {
  if (typeof value === "boolean") value = value ? 1 : 0;
  if (typeof value !== "number") throw new TypeError(`${fn}(): argument '${name}' must be Number, not ${pyType(value)}`);
  if (Number.isFinite(value) && Math.abs(value) > FLT_MAX) throw new RangeError("value cannot be converted to type float without overflow");
  return Math.fround(value);
}

function float32Only(fn: string, t: Tensor): Error {
  return new TypeError(`${fn}(): wasmnn computes in float32, but got an ${t.dtype} tensor`);
}

// -- shapes ----------------------------------------------------------------------------------------

/** at::infer_size over the operands in order, with PyTorch's message. */
export function broadcastShapes(...shapes: (readonly number[])[]): number[] {
  let out: number[] = [];
  for (const shape of shapes) {
    const rank = Math.max(out.length, shape.length);
    const next = new Array<number>(rank);
    for (let i = rank - 1; i >= 0; i--) {
      const a = out[i - (rank - out.length)] ?? 1;
      const b = shape[i - (rank - shape.length)] ?? 1;
      if (a !== b && a !== 1 && b !== 1) {
        throw new Error(`The size of tensor a (${a}) must match the size of tensor b (${b}) at non-singleton dimension ${i}`);
      }
      next[i] = a === 1 ? b : a;
    }
    out = next;
  }
  return out;
}

/** One collapsed dim: its size and each operand's stride in elements (0 where broadcast). */
type Dim = [size: number, aStride: number, bStride: number];

/**
 * The broadcast of contiguous `a` and `b` to `out`, collapsed: size-1 dims dropped, neighbours
 * merged where both operands step through them as one (stride_outer = stride_inner * size_inner).
 * The last dim's strides are then 1 (contiguous) or 0 (one value).
 */
export function collapse(out: readonly number[], a: readonly number[], b: readonly number[]): Dim[] {
  const dims: Dim[] = [];
  let aStride = 1, bStride = 1;
  for (let d = out.length - 1; d >= 0; d--) {
    const aSize = a[d - (out.length - a.length)] ?? 1;
    const bSize = b[d - (out.length - b.length)] ?? 1;
    if (out[d] !== 1) dims.push([out[d], aSize === 1 ? 0 : aStride, bSize === 1 ? 0 : bStride]);
    aStride *= aSize;
    bStride *= bSize;
  }
  dims.reverse();
  const merged: Dim[] = [];
  for (const dim of dims) {
    const last = merged[merged.length - 1];
    if (last !== undefined && last[1] === dim[1] * dim[0] && last[2] === dim[2] * dim[0]) {
      merged[merged.length - 1] = [last[0] * dim[0], dim[1], dim[2]];
    } else {
      merged.push(dim);
    }
  }
  if (merged.length === 0) merged.push([1, 1, 1]);
  return merged;
}

// -- kernels ---------------------------------------------------------------------------------------

/** out = a op b over broadcast tensors (out contiguous with the broadcast shape; may be a itself). */
function runBinary(op: number, a: Tensor, b: Tensor, out: Tensor, alpha: number): void {
  if (out.numel() === 0) return;
  const dims = collapse(out.shape, a.shape, b.shape);
  let [aPtr, bPtr] = [a.ptr, b.ptr];
  const [n, aInner, bInner] = dims[dims.length - 1];
  let mode = aInner === 1 ? (bInner === 1 ? VV : VS) : SV;
  if (mode === SV && COMMUTATIVE.has(op)) {
    // one value ⊕ run: swap into a run ⊕ one value
    for (const dim of dims) [dim[1], dim[2]] = [dim[2], dim[1]];
    [aPtr, bPtr] = [bPtr, aPtr];
    mode = VS;
  }
  const [rows, aRow, bRow] = dims.length >= 2 ? dims[dims.length - 2] : [1, 0, 0];
  const [outer, aOuter, bOuter] = dims.length >= 3 ? dims[dims.length - 3] : [1, 0, 0];
  const rest = dims.slice(0, -3);   // dims beyond three: an odometer here, one kernel call per slab
  const slab = n * rows * outer;
  const index = rest.map(() => 0);
  // units: runs of n, cut into pieces of `chunk` (a multiple of 16, >= 1024) when there are fewer
  // runs than ~12 per thread
  const runs = outer * rows;
  const threads = threadsFor(slab * (op <= DIV ? 1 : 4), runs * Math.ceil(n / 1024));
  const chunk = threads === 1 || runs >= 12 * threads ? n
    : Math.min(n, Math.max(1024, Math.ceil(n * runs / (12 * threads) / 16) * 16));
  const units = runs * Math.ceil(n / chunk);
  for (let done = 0, slabs = rest.reduce((p, [size]) => p * size, 1); done < slabs; done++) {
    let aOffset = 0, bOffset = 0;
    rest.forEach(([, as, bs], d) => { aOffset += index[d] * as; bOffset += index[d] * bs; });
    const [a0, b0, out0] = [aPtr + 4 * aOffset, bPtr + 4 * bOffset, out.ptr + 4 * done * slab];
    parallel("f32_binary", units, Math.min(threads, units), (start, end) =>
      [op, mode, a0, b0, out0, alpha, outer, aOuter, bOuter, rows, aRow, bRow, n, chunk, start, end]);
    for (let d = rest.length - 1; d >= 0 && ++index[d] === rest[d][0]; d--) index[d] = 0;
  }
}

/** An int64 operand as a float32 copy (PyTorch's promotion when the other operand is float32). */
function asFloat32(t: Tensor): Tensor {
  return t.dtype === "float32" ? t : tensor(Float32Array.from(t.data<BigInt64Array>(), Number), t.shape);
}

/**
 * `input op other` (`other op input` when only input is a number), into `self` when in place.
 * `alpha` scales other (add/sub); `op` is ADD, SUB, MUL, DIV, DIV_TRUNC or DIV_FLOOR.
 */
function arithmetic(fn: string, op: number, input: Operand, other: Operand, alpha: number, inplace: boolean): Tensor {
  if (op === ADD && alpha !== 1) op = ADD_ALPHA;
  if (op === SUB && alpha !== 1) [op, alpha] = [ADD_ALPHA, -alpha];
  if (typeof input === "number" && typeof other === "number") {
    throw new TypeError(`${fn}(): expected at least one Tensor operand, but got two numbers`);
  }
  if (typeof input === "number" || typeof other === "number") {
    const t = (typeof input === "number" ? other : input) as Tensor;
    let s = Math.fround((typeof input === "number" ? input : other) as number);
    // a number with an int64 tensor makes int64 or float32 by whether it is a Python int or float,
    // which a JavaScript number cannot tell: refuse rather than guess
    if (t.dtype !== "float32") throw float32Only(fn, t);
    const out = inplace ? t : empty(t.shape);
    const reversed = typeof input === "number" && !COMMUTATIVE.has(op);
    // x - s is x + (-s) bit for bit (IEEE subtraction is addition of the negation): the unrolled add
    if (op === SUB && !reversed) [op, s] = [ADD, -s];
    if (out.numel() > 0) {
      parallelFloats("f32_binary_scalar", t.numel(), op <= DIV ? 1 : 4, (offset, length) =>
        [op, t.ptr + offset, s, out.ptr + offset, length, alpha, reversed ? 1 : 0]);
    }
    if (inplace) out._bump();
    return out;
  }
  const shape = broadcastShapes(input.shape, other.shape);
  if (inplace) {
    if (input.dtype !== "float32") throw new Error(`result type Float can't be cast to the desired output type Long`);
    if (shape.length !== input.shape.length || shape.some((d, i) => d !== input.shape[i])) {
      throw new Error(`output with shape ${fmtShape(input.shape)} doesn't match the broadcast shape ${fmtShape(shape)}`);
    }
  }
  if (input.dtype !== "float32" && other.dtype !== "float32") throw float32Only(fn, input);
  const a = asFloat32(input), b = asFloat32(other);
  try {
    const out = inplace ? input : empty(shape);
    runBinary(op, a, b, out, alpha);
    if (inplace) out._bump();
    return out;
  } finally {
    if (a !== input) a.dispose();
    if (b !== other) b.dispose();
  }
}

// -- add, sub, mul, div ----------------------------------------------------------------------------

type BinaryName = "add" | "sub" | "mul" | "div";
const BINARY_OPS: Record<BinaryName, number> = { add: ADD, sub: SUB, mul: MUL, div: DIV };

function roundingOp(value: unknown): number {
  if (value === null || value === undefined) return DIV;
  if (value === "trunc") return DIV_TRUNC;
  if (value === "floor") return DIV_FLOOR;
  if (typeof value !== "string") throw new TypeError(`div() received an invalid combination of arguments - got rounding_mode=${pyType(value)}, but expected one of: (Tensor other, *, str rounding_mode) or (Number other, *, str rounding_mode)`);
  throw new Error(`div expected rounding_mode to be one of None, 'trunc', or 'floor' but found ${pyRepr(value)}`);
}

/** The shared front of add/sub/mul/div as functions (self = false) and methods (self = true). */
export function binary(fn: BinaryName, args: readonly unknown[], self: boolean, inplace = false): Tensor {
  const keywords = fn === "add" || fn === "sub" ? ["alpha"] : fn === "div" ? ["rounding_mode"] : [];
  const name = inplace ? `${fn}_` : fn;
  const a = parse(name, args, ["input", "other"], keywords, self);
  if (a.input === undefined) throw missing(name, "input");
  if (a.other === undefined) throw missing(name, "other");
  const input = operand(a.input, name, "input", 1);
  const other = operand(a.other, name, "other", 2);
  let alpha = 1;
  if (a.alpha !== undefined) {
    if (typeof a.alpha === "boolean") throw new Error("Boolean alpha only supported for Boolean results.");
    alpha = scalar(a.alpha, name, "alpha");
  }
  const op = fn === "div" ? roundingOp(a.rounding_mode) : BINARY_OPS[fn];
  return arithmetic(name, op, input, other, alpha, inplace);
}

/** torch.add(input, other, *, alpha=1): input + alpha * other, broadcast; either may be a number. */
export function add(...args: unknown[]): Tensor { return binary("add", args, false); }
/** torch.sub(input, other, *, alpha=1): input - alpha * other, broadcast. */
export function sub(...args: unknown[]): Tensor { return binary("sub", args, false); }
/** torch.mul(input, other): input * other, broadcast. */
export function mul(...args: unknown[]): Tensor { return binary("mul", args, false); }
/** torch.div(input, other, *, rounding_mode=None | 'trunc' | 'floor'), broadcast. */
export function div(...args: unknown[]): Tensor { return binary("div", args, false); }

// -- neg, abs, sqrt, rsqrt -------------------------------------------------------------------------

type UnaryName = "neg" | "abs" | "sqrt" | "rsqrt";
const UNARY_OPS: Record<UnaryName, number> = { neg: NEG, abs: ABS, sqrt: SQRT, rsqrt: RSQRT };

export function unary(fn: UnaryName, args: readonly unknown[], self: boolean, inplace = false): Tensor {
  const name = inplace ? `${fn}_` : fn;
  const a = parse(name, args, ["input"], [], self);
  if (a.input === undefined) throw missing(name, "input");
  if (!(a.input instanceof Tensor)) throw new TypeError(`${name}(): argument 'input' (position 1) must be Tensor, not ${pyType(a.input)}`);
  const input = a.input;
  input.ptr;
  if (input.dtype !== "float32") {
    // sqrt and rsqrt of an integer tensor are float32 in PyTorch; neg and abs stay integer
    if (inplace || fn === "neg" || fn === "abs") {
      throw inplace && (fn === "sqrt" || fn === "rsqrt") ? new Error("result type Float can't be cast to the desired output type Long") : float32Only(name, input);
    }
    const converted = asFloat32(input);
    try {
      return unaryInto(UNARY_OPS[fn], converted, empty(input.shape), -Infinity, Infinity);
    } finally {
      converted.dispose();
    }
  }
  return unaryInto(UNARY_OPS[fn], input, inplace ? input : empty(input.shape), -Infinity, Infinity);
}

function unaryInto(op: number, input: Tensor, out: Tensor, lo: number, hi: number): Tensor {
  if (input.numel() > 0) {
    parallelFloats("f32_unary", input.numel(), op === SQRT || op === RSQRT ? 4 : 1, (offset, length) =>
      [op, input.ptr + offset, out.ptr + offset, length, lo, hi]);
  }
  if (out === input) out._bump();
  return out;
}

/** torch.neg(input) */
export function neg(...args: unknown[]): Tensor { return unary("neg", args, false); }
/** torch.abs(input) */
export function abs(...args: unknown[]): Tensor { return unary("abs", args, false); }
/** torch.sqrt(input): NaN below zero, sqrt(-0) = -0. */
export function sqrt(...args: unknown[]): Tensor { return unary("sqrt", args, false); }
/** torch.rsqrt(input) = 1 / sqrt(input), rounded twice as PyTorch's CPU kernel: rsqrt(±0) = ±inf. */
export function rsqrt(...args: unknown[]): Tensor { return unary("rsqrt", args, false); }
/** torch.neg_(input), in place. */
export function neg_(...args: unknown[]): Tensor { return unary("neg", args, false, true); }
/** torch.abs_(input), in place. */
export function abs_(...args: unknown[]): Tensor { return unary("abs", args, false, true); }
/** torch.sqrt_(input), in place. */
export function sqrt_(...args: unknown[]): Tensor { return unary("sqrt", args, false, true); }
/** torch.rsqrt_(input), in place. */
export function rsqrt_(...args: unknown[]): Tensor { return unary("rsqrt", args, false, true); }

// -- clamp / clip ----------------------------------------------------------------------------------

type Bound = Tensor | number | null | undefined;
/** Tensor.clamp's parameters: (min, max), either as numbers or as tensors, positional or in options. */
export type ClampArgs = [min?: Bound, max?: Bound, options?: { min?: Bound; max?: Bound }] | [options: { min?: Bound; max?: Bound }];

function describeArg(value: unknown): string {
  return value instanceof Tensor ? "Tensor" : value === null ? "NoneType" : pyType(value);
}

/**
 * torch.clamp(input, min=None, max=None): min(max(input, min), max). Number bounds follow
 * PyTorch's scalar kernel (a NaN bound alone is ignored; with both given, a NaN one makes all
 * NaN); tensor bounds broadcast and propagate NaN (torch.maximum/minimum), as PyTorch 1.13.
 */
export function clampOp(fn: "clamp" | "clip", args: readonly unknown[], self: boolean, inplace = false): Tensor {
  const name = inplace ? `${fn}_` : fn;
  const a = parse(name, args, ["input", "min", "max"], [], self);
  const lo = a.min ?? null, hi = a.max ?? null;
  const tensors = lo instanceof Tensor || hi instanceof Tensor;
  const bad = (v: unknown): boolean => v !== null && !(tensors ? v instanceof Tensor : typeof v === "number" || typeof v === "boolean");
  if (!(a.input instanceof Tensor) || bad(lo) || bad(hi)) {
    const got = [a.input, lo, hi].slice(self ? 1 : 0).map(describeArg).join(", ");
    throw new TypeError(`${fn}() received an invalid combination of arguments - got (${got}), but expected one of:\n` +
      ` * (${self ? "" : "Tensor input, "}Tensor min, Tensor max${self ? "" : ", *, Tensor out"})\n` +
      ` * (${self ? "" : "Tensor input, "}Number min, Number max${self ? "" : ", *, Tensor out"})\n`);
  }
  const input = a.input;
  input.ptr;
  if (lo === null && hi === null) throw new Error("torch.clamp: At least one of 'min' or 'max' must not be None");
  if (!tensors) {
    const min = lo === null ? -Infinity : scalar(lo, name, "min");
    const max = hi === null ? Infinity : scalar(hi, name, "max");
    if (input.dtype !== "float32") throw inplace ? new Error("result type Float can't be cast to the desired output type long int") : float32Only(name, input);
    const out = inplace ? input : empty(input.shape);
    if (lo !== null && hi !== null && (Number.isNaN(min) || Number.isNaN(max))) {
      // PyTorch 1.13 (TORCH_IMPL_FUNC(clamp_out)): both bounds given and one NaN fills NaN
      heapF32().fill(NaN, out.ptr / 4, out.ptr / 4 + out.numel());
      if (inplace) out._bump();
      return out;
    }
    return unaryInto(CLAMP, input, out, min, max);
  }
  const [minT, maxT] = [lo as Tensor | null, hi as Tensor | null];
  const bounds = [minT, maxT].filter((t): t is Tensor => t !== null);
  for (const t of bounds) t.ptr;
  const shape = broadcastShapes(input.shape, ...bounds.map((t) => t.shape));
  if (inplace && (shape.length !== input.shape.length || shape.some((d, i) => d !== input.shape[i]))) {
    throw new Error(`output with shape ${fmtShape(input.shape)} doesn't match the broadcast shape ${fmtShape(shape)}`);
  }
  for (const t of [input, ...bounds]) if (t.dtype !== "float32") throw float32Only(name, t);
  const out = inplace ? input : empty(shape);
  if (minT !== null && maxT !== null) {
    // maximum(input, min) first, into out when it already has the final shape, else a temporary
    const first = broadcastShapes(input.shape, minT.shape);
    const sameShape = first.length === shape.length && first.every((d, i) => d === shape[i]);
    const partial = sameShape ? out : empty(first);
    try {
      runBinary(MAXIMUM, input, minT, partial, 1);
      runBinary(MINIMUM, partial, maxT, out, 1);
    } finally {
      if (partial !== out) partial.dispose();
    }
  } else {
    runBinary(minT !== null ? MAXIMUM : MINIMUM, input, bounds[0], out, 1);
  }
  if (inplace) out._bump();
  return out;
}

/** torch.clamp(input, min=None, max=None) with number or tensor bounds. */
export function clamp(...args: unknown[]): Tensor { return clampOp("clamp", args, false); }
/** torch.clip, an alias of torch.clamp. */
export function clip(...args: unknown[]): Tensor { return clampOp("clip", args, false); }
/** torch.clamp_(input, min=None, max=None), in place. */
export function clamp_(...args: unknown[]): Tensor { return clampOp("clamp", args, false, true); }
/** torch.clip_, in place. */
export function clip_(...args: unknown[]): Tensor { return clampOp("clip", args, false, true); }
