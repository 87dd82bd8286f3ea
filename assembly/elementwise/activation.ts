// Elementwise activations over n contiguous floats, one pass, 4 lanes at a time; the last n % 4
// floats go through the same vector code (a partial load), so every element's bits are the same
// wherever it sits (the convolution epilogue runs these on row chunks: fused == unfused exactly).
// Each formula is PyTorch 1.13's vectorised CPU one (aten/src/ATen/native/cpu/Activation.cpp,
// UnaryOpsKernel.cpp), operation for operation where the bits depend on it.

import { vexp, vexpNormalNeg, vexpm1, vtanh, vlog, vlog1pFrom, verf } from "./math";
import { scratch, SCRATCH_ACT_TAIL, SCRATCH_ROW_SCALARS } from "../scratch";

// One shared (not inlined) copy of each, for the rarer activations and softmax: a call per 4 floats
// there, against ~0.5 KB of code per inlined copy (the hot SiLU/Sigmoid/GELU/Hardswish inline theirs).
function expv(x: v128): v128 { return vexp(x); }
function expm1v(x: v128): v128 { return vexpm1(x); }
function tanhv(x: v128): v128 { return vtanh(x); }
function logv(x: v128): v128 { return vlog(x); }
function log1pv(y: v128): v128 {
  const u = f32x4.add(y, f32x4.splat(1.0));
  return vlog1pFrom(y, u, logv(u));
}

// Kinds (src/functional/activation.ts has the same table); a and b are the kind's parameters.
// @ts-ignore: decorator
@inline const CLAMP = 0;        // min(max(x, a), b), NaN kept: relu, relu6, hardtanh
// @ts-ignore: decorator
@inline const SIGMOID = 1;      // e = exp(-|x|): x >= 0 ? 1 / (1 + e) : e / (1 + e)
// @ts-ignore: decorator
@inline const TANH = 2;
// @ts-ignore: decorator
@inline const EXP = 3;
// @ts-ignore: decorator
@inline const SILU = 4;         // x / (1 + exp(-x))
// @ts-ignore: decorator
@inline const GELU = 5;         // x * 0.5 * (1 + erf(x * sqrt(1/2)))
// @ts-ignore: decorator
@inline const GELU_TANH = 6;    // 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))
// @ts-ignore: decorator
@inline const HARDSWISH = 7;    // x * min(max(x + 3, 0), 6) / 6
// @ts-ignore: decorator
@inline const HARDSIGMOID = 8;  // min(max(x + 3, 0), 6) / 6
// @ts-ignore: decorator
@inline const LEAKY_RELU = 9;   // x > 0 ? x : x * a
// @ts-ignore: decorator
@inline const ELU = 10;         // x > 0 ? x : expm1(x) * a
// @ts-ignore: decorator
@inline const MISH = 11;        // x * tanh(log1p(exp(x)))
// @ts-ignore: decorator
@inline const SOFTPLUS = 12;    // x * a > b ? x : log1p(exp(x * a)) / a
// log alone (softmax's log of the sum; accuracy tests)
// @ts-ignore: decorator
@inline const LOG = 13;

/** One vector of kind `kind` (a compile-time constant at every call: the switch folds away). */
// @ts-ignore: decorator
@inline function activate(kind: i32, x: v128, a: v128, b: v128): v128 {
  const one = f32x4.splat(1.0);
  switch (kind) {
    case CLAMP: return f32x4.pmin(f32x4.pmax(x, a), b);
    // the hot ones (the fused Conv -> BN -> SiLU/Hardswish/GELU/Sigmoid) inline their math;
    // the rarer ones call one shared copy of it per vector (the size budget)
    case SIGMOID: {
      // PyTorch's 1 / (1 + exp(-x)) for x >= 0; below 0 the same value as e / (1 + e), which keeps
      // its precision where PyTorch's underflows to 0 (x < -88.7: subnormal results)
      const e = vexp(f32x4.neg(f32x4.abs(x)));
      const numerator = v128.bitselect(e, one, f32x4.lt(x, f32x4.splat(0.0)));
      return f32x4.div(numerator, f32x4.add(one, e));
    }
    case TANH: return tanhv(x);
    case EXP: return expv(x);
    case SILU: return f32x4.div(x, f32x4.add(one, vexpNormalNeg(x)));
    case GELU: {
      // a = sqrt(1/2) (the host passes it); b != 0 returns erf(x a) itself (accuracy tests)
      const e = verf(f32x4.mul(x, a));
      return v128.bitselect(e, f32x4.mul(f32x4.mul(x, f32x4.splat(0.5)), f32x4.add(one, e)), f32x4.ne(b, f32x4.splat(0.0)));
    }
    case GELU_TANH: {
      const cube = f32x4.mul(f32x4.mul(x, x), x);
      const inner = f32x4.mul(f32x4.splat(0.79788456080286535588), f32x4.add(x, f32x4.mul(f32x4.splat(0.044715), cube)));
      return f32x4.mul(f32x4.mul(f32x4.splat(0.5), x), f32x4.add(one, tanhv(inner)));
    }
    case HARDSWISH: {
      const six = f32x4.splat(6.0);
      const gate = f32x4.pmin(f32x4.pmax(f32x4.add(x, f32x4.splat(3.0)), f32x4.splat(0.0)), six);
      return f32x4.div(f32x4.mul(x, gate), six);
    }
    case HARDSIGMOID: {
      const six = f32x4.splat(6.0);
      return f32x4.div(f32x4.pmin(f32x4.pmax(f32x4.add(x, f32x4.splat(3.0)), f32x4.splat(0.0)), six), six);
    }
    case LEAKY_RELU:
      return v128.bitselect(x, f32x4.mul(x, a), f32x4.gt(x, f32x4.splat(0.0)));
    case ELU:
      return v128.bitselect(x, f32x4.mul(expm1v(x), a), f32x4.gt(x, f32x4.splat(0.0)));
    case MISH:
      return f32x4.mul(x, tanhv(log1pv(expv(x))));
    case SOFTPLUS: {
      const scaled = f32x4.mul(x, a);
      return v128.bitselect(x, f32x4.div(log1pv(expv(scaled)), a), f32x4.gt(scaled, b));
    }
    case LOG: return logv(x);
    default: return x;
  }
}

// 4 floats of scratch for the last n % 4 elements: they run through the same vector code as the rest
// softmax's per-row scalars (max, log of the sum, 1 / sum) as operands of combine()

/** output[i] = kind(input[i]) for i < count, count a multiple of 4; output may alias input. */
// @ts-ignore: decorator
@inline function map(kind: i32, input: usize, output: usize, count: i32, a: f32, b: f32): void {
  const va = f32x4.splat(a);
  const vb = f32x4.splat(b);
  const last = input + (<usize>count << 2);
  const delta = output - input;
  let p = input;
  if (kind == CLAMP || kind == SILU) {
    // 4 vectors per iteration: CLAMP is cheap enough that the loop overhead shows; SILU keeps four
    // independent exp chains and divisions in flight (measured 0.77x the time of one per iteration)
    const last16 = input + (<usize>(count & ~15) << 2);
    for (; p < last16; p += 64) {
      v128.store(p + delta, activate(kind, v128.load(p), va, vb));
      v128.store(p + delta, activate(kind, v128.load(p, 16), va, vb), 16);
      v128.store(p + delta, activate(kind, v128.load(p, 32), va, vb), 32);
      v128.store(p + delta, activate(kind, v128.load(p, 48), va, vb), 48);
    }
  }
  for (; p < last; p += 16) v128.store(p + delta, activate(kind, v128.load(p), va, vb));
}

/** Each kind's vector loop, once (f32_activation runs it on the body and again on the tail). */
function mapKind(kind: i32, input: usize, output: usize, count: i32, a: f32, b: f32): void {
  switch (kind) {
    case CLAMP: map(CLAMP, input, output, count, a, b); break;
    case SIGMOID: map(SIGMOID, input, output, count, a, b); break;
    case TANH: map(TANH, input, output, count, a, b); break;
    case EXP: map(EXP, input, output, count, a, b); break;
    case SILU: map(SILU, input, output, count, a, b); break;
    case GELU: map(GELU, input, output, count, a, b); break;
    case GELU_TANH: map(GELU_TANH, input, output, count, a, b); break;
    case HARDSWISH: map(HARDSWISH, input, output, count, a, b); break;
    case HARDSIGMOID: map(HARDSIGMOID, input, output, count, a, b); break;
    case LEAKY_RELU: map(LEAKY_RELU, input, output, count, a, b); break;
    case ELU: map(ELU, input, output, count, a, b); break;
    case MISH: map(MISH, input, output, count, a, b); break;
    case SOFTPLUS: map(SOFTPLUS, input, output, count, a, b); break;
    case LOG: map(LOG, input, output, count, a, b); break;
    default: break;
  }
}

/**
 * output[i] = activation `kind` of input[i] with parameters a, b (see the table above); output may
 * alias input (in-place forms, the convolution epilogue). The last n % 4 floats go through a
 * scratch vector, so every element's bits are the same wherever it sits.
 */
export function f32_activation(input: usize, output: usize, n: i32, kind: i32, a: f32, b: f32): void {
  const body = n & ~3;
  mapKind(kind, input, output, body, a, b);
  const rest = <usize>(n & 3) << 2;
  if (rest != 0) {
    const offset = <usize>body << 2;
    memory.copy(scratch(SCRATCH_ACT_TAIL), input + offset, rest);
    mapKind(kind, scratch(SCRATCH_ACT_TAIL), scratch(SCRATCH_ACT_TAIL), 4, a, b);
    memory.copy(output + offset, scratch(SCRATCH_ACT_TAIL), rest);
  }
}

/** output[i] = min(max(input[i], lo), hi) with NaN kept; output may alias input (ReLU, ReLU6). */
export function f32_clamp(input: usize, output: usize, n: i32, lo: f32, hi: f32): void {
  f32_activation(input, output, n, CLAMP, lo, hi);
}

/**
 * PReLU over [outer, channels, inner]: x > 0 ? x : w[c] * x, w[c] from `weight` (channels floats;
 * one weight for all: channels = 1, inner = all).
 */
export function f32_prelu(input: usize, weight: usize, output: usize, channels: i32, inner: i32, planeStart: i32, planeEnd: i32): void {
  // planes o * channels + c in [planeStart, planeEnd) (threads); f32_activation's bits do not
  // depend on where an element sits, so the host may also cut one plane into pointer slices
  for (let p = planeStart; p < planeEnd; p++) {
    const offset = <usize>p * inner << 2;
    f32_activation(input + offset, output + offset, inner, LEAKY_RELU, load<f32>(weight + (<usize>(p % channels) << 2)), 0);
  }
}

/**
 * softmax (log = 0) or log_softmax (log = 1) over the middle dimension of [outer, size, inner], as
 * PyTorch: m = max (NaN if any is NaN), s = sum exp(x - m); softmax exp(x - m) * (1 / s),
 * log_softmax (x - m) - log(s). exp and log are f32_activation's. `workspace` holds
 * f32_softmax_workspace(inner) bytes.
 */
export function f32_softmax(input: usize, output: usize, outer: i32, size: i32, inner: i32, log: i32, workspace: usize,
  unitStart: i32, unitEnd: i32): void {
  // units (threads): rows o (inner == 1), else (o, block of SOFTMAX_COLUMNS columns), blocks
  // fastest; [unitStart, unitEnd) run here, each column's reductions whole inside its unit
  if (size == 0 || inner == 0) return;
  const rowBytes = <usize>inner << 2;
  const sliceBytes = <usize>size * rowBytes;
  if (inner == 1) {
    for (let o = unitStart; o < unitEnd; o++) {
      const src = input + <usize>o * sliceBytes;
      const dst = output + <usize>o * sliceBytes;
      // max (f32.max and f32x4.max propagate NaN)
      let vmax = f32x4.splat(-Infinity);
      let i = 0;
      for (; i + 4 <= size; i += 4) vmax = f32x4.max(vmax, v128.load(src + (<usize>i << 2)));
      let m = max(max(f32x4.extract_lane(vmax, 0), f32x4.extract_lane(vmax, 1)), max(f32x4.extract_lane(vmax, 2), f32x4.extract_lane(vmax, 3)));
      for (; i < size; i++) m = max(m, load<f32>(src + (<usize>i << 2)));
      store<f32>(scratch(SCRATCH_ROW_SCALARS), m);
      // dst = exp(x - m) and its sum
      combine(SUB, src, scratch(SCRATCH_ROW_SCALARS), 0, dst, size);
      f32_activation(dst, dst, size, EXP, 0, 0);
      let vsum = f32x4.splat(0.0);
      i = 0;
      for (; i + 4 <= size; i += 4) vsum = f32x4.add(vsum, v128.load(dst + (<usize>i << 2)));
      let sum = (f32x4.extract_lane(vsum, 0) + f32x4.extract_lane(vsum, 1)) + (f32x4.extract_lane(vsum, 2) + f32x4.extract_lane(vsum, 3));
      for (; i < size; i++) sum += load<f32>(dst + (<usize>i << 2));
      if (log) {
        // (x - m) - log(s), x - m recomputed (the same bits as before exp)
        store<f32>(scratch(SCRATCH_ROW_SCALARS), sum, 4);
        f32_activation(scratch(SCRATCH_ROW_SCALARS) + 4, scratch(SCRATCH_ROW_SCALARS) + 4, 1, LOG, 0, 0);
        combine(SUB, src, scratch(SCRATCH_ROW_SCALARS), 0, dst, size);
        combine(SUB, dst, scratch(SCRATCH_ROW_SCALARS) + 4, 0, dst, size);
      } else {
        store<f32>(scratch(SCRATCH_ROW_SCALARS), <f32>1.0 / sum, 8);
        combine(MUL, dst, scratch(SCRATCH_ROW_SCALARS) + 8, 0, dst, size);
      }
    }
    return;
  }
  // inner > 1: reductions down `size` rows, 4 columns per vector, SOFTMAX_COLUMNS columns at a time
  // so a chunk's rows stay in cache across the passes (a segmentation head: 21 x 520 x 520); the
  // workspace: maxima, then sums, min(inner, SOFTMAX_COLUMNS) floats each
  const maxima = workspace;
  const sums = workspace + (<usize>min(inner, SOFTMAX_COLUMNS) << 2);
  const blocks = (inner + SOFTMAX_COLUMNS - 1) / SOFTMAX_COLUMNS;
  for (let unit = unitStart; unit < unitEnd; unit++) {
    const o = unit / blocks;
    const c0 = (unit - o * blocks) * SOFTMAX_COLUMNS;
    const width = min(SOFTMAX_COLUMNS, inner - c0);
    const widthBytes = <usize>width << 2;
    const src = input + <usize>o * sliceBytes + (<usize>c0 << 2);
    const dst = output + <usize>o * sliceBytes + (<usize>c0 << 2);
    memory.copy(maxima, src, widthBytes);
    for (let d = 1; d < size; d++) combine(MAX, maxima, src + <usize>d * rowBytes, 1, maxima, width);
    for (let d = 0; d < size; d++) {
      const row = dst + <usize>d * rowBytes;
      combine(SUB, src + <usize>d * rowBytes, maxima, 1, row, width);
      f32_activation(row, row, width, EXP, 0, 0);
    }
    memory.copy(sums, dst, widthBytes);
    for (let d = 1; d < size; d++) combine(ADD, sums, dst + <usize>d * rowBytes, 1, sums, width);
    if (log) {
      f32_activation(sums, sums, width, LOG, 0, 0);
      for (let d = 0; d < size; d++) {
        const row = dst + <usize>d * rowBytes;
        combine(SUB, src + <usize>d * rowBytes, maxima, 1, row, width);
        combine(SUB, row, sums, 1, row, width);
      }
    } else {
      for (let i = 0; i < width; i++) store<f32>(sums + (<usize>i << 2), <f32>1.0 / load<f32>(sums + (<usize>i << 2)));
      for (let d = 0; d < size; d++) combine(MUL, dst + <usize>d * rowBytes, sums, 1, dst + <usize>d * rowBytes, width);
    }
  }
}

/** Columns per chunk of softmax over a non-last dimension; the workspace holds 2 x this many floats. */
// @ts-ignore: decorator
@inline const SOFTMAX_COLUMNS = 1024;

/** Workspace bytes f32_softmax needs for `inner` columns. */
export function f32_softmax_workspace(inner: i32): i32 {
  return inner > 1 ? 2 * min(inner, SOFTMAX_COLUMNS) * 4 : 0;
}

// @ts-ignore: decorator
@inline const SUB = 0;
// @ts-ignore: decorator
@inline const MUL = 1;
// @ts-ignore: decorator
@inline const MAX = 2;
// @ts-ignore: decorator
@inline const ADD = 3;

/**
 * out[i] = a[i] op b[i] (bStep 1) or a[i] op b[0] (bStep 0), n floats; max propagates NaN. The
 * scalar tail does the vector lanes' operation, so bits do not depend on position. One loop per
 * (op, bStep), so the loops hold no branch.
 */
function combine(op: i32, a: usize, b: usize, bStep: i32, out: usize, n: i32): void {
  if (bStep) {
    switch (op) {
      case SUB: combineLoop(SUB, a, b, 1, out, n); break;
      case MUL: combineLoop(MUL, a, b, 1, out, n); break;
      case MAX: combineLoop(MAX, a, b, 1, out, n); break;
      default: combineLoop(ADD, a, b, 1, out, n); break;
    }
  } else if (op == SUB) {
    combineLoop(SUB, a, b, 0, out, n);
  } else {
    combineLoop(MUL, a, b, 0, out, n);
  }
}

// @ts-ignore: decorator
@inline function combineLoop(op: i32, a: usize, b: usize, bStep: i32, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = <usize>i << 2;
    const x = v128.load(a + p);
    const y = bStep ? v128.load(b + p) : v128.load32_splat(b);
    v128.store(out + p, op == SUB ? f32x4.sub(x, y) : op == MUL ? f32x4.mul(x, y) : op == MAX ? f32x4.max(x, y) : f32x4.add(x, y));
  }
  for (; i < n; i++) {
    const p = <usize>i << 2;
    const x = load<f32>(a + p);
    const y = load<f32>(b + (bStep ? p : 0));
    store<f32>(out + p, op == SUB ? x - y : op == MUL ? x * y : op == MAX ? max(x, y) : x + y);
  }
}
