// Elementwise activations over n contiguous floats, one pass, 4 lanes at a time; the last n % 4
// floats go through the same vector code (a partial load), so every element's bits are the same
// wherever it sits (the convolution epilogue runs these on row chunks: fused == unfused exactly).
// Each formula is PyTorch 1.13's vectorised CPU one (aten/src/ATen/native/cpu/Activation.cpp,
// UnaryOpsKernel.cpp), operation for operation where the bits depend on it.

import { vexp, vexpm1, vtanh, vlog, vlog1p, verf } from "./math";

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
// the building blocks themselves, for accuracy tests
// @ts-ignore: decorator
@inline const ERF = 13;
// @ts-ignore: decorator
@inline const EXPM1 = 14;       // x <= 20
// @ts-ignore: decorator
@inline const LOG = 15;
// @ts-ignore: decorator
@inline const LOG1P = 16;       // x >= 0

/** One vector of kind `kind` (a compile-time constant at every call: the switch folds away). */
// @ts-ignore: decorator
@inline function activate(kind: i32, x: v128, a: v128, b: v128): v128 {
  const one = f32x4.splat(1.0);
  switch (kind) {
    case CLAMP: return f32x4.pmin(f32x4.pmax(x, a), b);
    case SIGMOID: {
      // PyTorch's 1 / (1 + exp(-x)) for x >= 0; below 0 the same value as e / (1 + e), which keeps
      // its precision where PyTorch's underflows to 0 (x < -88.7: subnormal results)
      const e = vexp(f32x4.neg(f32x4.abs(x)));
      const numerator = v128.bitselect(e, one, f32x4.lt(x, f32x4.splat(0.0)));
      return f32x4.div(numerator, f32x4.add(one, e));
    }
    case TANH: return vtanh(x);
    case EXP: return vexp(x);
    case SILU: return f32x4.div(x, f32x4.add(one, vexp(f32x4.neg(x))));
    case GELU: {
      const e = verf(f32x4.mul(x, f32x4.splat(0.70710678118654752440)));
      return f32x4.mul(f32x4.mul(x, f32x4.splat(0.5)), f32x4.add(one, e));
    }
    case GELU_TANH: {
      const cube = f32x4.mul(f32x4.mul(x, x), x);
      const inner = f32x4.mul(f32x4.splat(0.79788456080286535588), f32x4.add(x, f32x4.mul(f32x4.splat(0.044715), cube)));
      return f32x4.mul(f32x4.mul(f32x4.splat(0.5), x), f32x4.add(one, vtanh(inner)));
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
      return v128.bitselect(x, f32x4.mul(vexpm1(x), a), f32x4.gt(x, f32x4.splat(0.0)));
    case MISH:
      return f32x4.mul(x, vtanh(vlog1p(vexp(x))));
    case SOFTPLUS: {
      const scaled = f32x4.mul(x, a);
      return v128.bitselect(x, f32x4.div(vlog1p(vexp(scaled)), a), f32x4.gt(scaled, b));
    }
    case ERF: return verf(x);
    case EXPM1: return vexpm1(x);
    case LOG: return vlog(x);
    case LOG1P: return vlog1p(x);
    default: return x;
  }
}

/** Up to 3 floats at p as the first lanes of a vector (the others 0). */
// @ts-ignore: decorator
@inline function loadPartial(p: usize, count: i32): v128 {
  let v = f32x4.splat(0.0);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (count > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (count > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

// @ts-ignore: decorator
@inline function storePartial(p: usize, v: v128, count: i32): void {
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (count > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (count > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

/** output[i] = kind(input[i]) for i < n; output may alias input. */
// @ts-ignore: decorator
@inline function map(kind: i32, input: usize, output: usize, n: i32, a: f32, b: f32): void {
  const va = f32x4.splat(a);
  const vb = f32x4.splat(b);
  const end = input + (<usize>n << 2);
  const last = input + (<usize>(n & ~3) << 2);
  const delta = output - input;
  let p = input;
  if (kind == CLAMP) {
    // cheap enough that the loop overhead shows: 4 vectors per iteration
    const last16 = input + (<usize>(n & ~15) << 2);
    for (; p < last16; p += 64) {
      v128.store(p + delta, activate(kind, v128.load(p), va, vb));
      v128.store(p + delta, activate(kind, v128.load(p, 16), va, vb), 16);
      v128.store(p + delta, activate(kind, v128.load(p, 32), va, vb), 32);
      v128.store(p + delta, activate(kind, v128.load(p, 48), va, vb), 48);
    }
  }
  for (; p < last; p += 16) v128.store(p + delta, activate(kind, v128.load(p), va, vb));
  if (p < end) {
    const count = <i32>((end - p) >> 2);
    storePartial(p + delta, activate(kind, loadPartial(p, count), va, vb), count);
  }
}

/**
 * output[i] = activation `kind` of input[i] with parameters a, b (see the table above); output may
 * alias input (in-place forms, the convolution epilogue).
 */
export function f32_activation(input: usize, output: usize, n: i32, kind: i32, a: f32, b: f32): void {
  switch (kind) {
    case CLAMP: map(CLAMP, input, output, n, a, b); break;
    case SIGMOID: map(SIGMOID, input, output, n, a, b); break;
    case TANH: map(TANH, input, output, n, a, b); break;
    case EXP: map(EXP, input, output, n, a, b); break;
    case SILU: map(SILU, input, output, n, a, b); break;
    case GELU: map(GELU, input, output, n, a, b); break;
    case GELU_TANH: map(GELU_TANH, input, output, n, a, b); break;
    case HARDSWISH: map(HARDSWISH, input, output, n, a, b); break;
    case HARDSIGMOID: map(HARDSIGMOID, input, output, n, a, b); break;
    case LEAKY_RELU: map(LEAKY_RELU, input, output, n, a, b); break;
    case ELU: map(ELU, input, output, n, a, b); break;
    case MISH: map(MISH, input, output, n, a, b); break;
    case SOFTPLUS: map(SOFTPLUS, input, output, n, a, b); break;
    case ERF: map(ERF, input, output, n, a, b); break;
    case EXPM1: map(EXPM1, input, output, n, a, b); break;
    case LOG: map(LOG, input, output, n, a, b); break;
    case LOG1P: map(LOG1P, input, output, n, a, b); break;
    default: break;
  }
}

/** output[i] = min(max(input[i], lo), hi) with NaN kept; output may alias input (ReLU, ReLU6). */
export function f32_clamp(input: usize, output: usize, n: i32, lo: f32, hi: f32): void {
  map(CLAMP, input, output, n, lo, hi);
}

/**
 * PReLU over [outer, channels, inner]: x > 0 ? x : w[c] * x, w[c] from `weight` (channels floats;
 * one weight for all: channels = 1, inner = all).
 */
export function f32_prelu(input: usize, weight: usize, output: usize, outer: i32, channels: i32, inner: i32): void {
  let offset: usize = 0;
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const w = load<f32>(weight + (<usize>c << 2));
      map(LEAKY_RELU, input + offset, output + offset, inner, w, 0);
      offset += <usize>inner << 2;
    }
  }
}

/** Log of a positive sum (>= 1, inf or NaN), through the vector log so it is one code path. */
// @ts-ignore: decorator
@inline function logScalar(x: f32): f32 {
  return f32x4.extract_lane(vlog(f32x4.splat(x)), 0);
}

/**
 * softmax (log = 0) or log_softmax (log = 1) over the middle dimension of [outer, size, inner], as
 * PyTorch: m = max (NaN if any is NaN), s = sum exp(x - m); softmax exp(x - m) * (1 / s),
 * log_softmax (x - m) - log(s). `workspace` holds 2 * inner floats when inner > 1.
 */
export function f32_softmax(input: usize, output: usize, outer: i32, size: i32, inner: i32, log: i32, workspace: usize): void {
  if (size == 0 || inner == 0) return;
  const rowBytes = <usize>inner << 2;
  const sliceBytes = <usize>size * rowBytes;
  if (inner == 1) {
    for (let o = 0; o < outer; o++) softmaxRow(input + <usize>o * sliceBytes, output + <usize>o * sliceBytes, size, log);
    return;
  }
  // inner > 1: the reduction runs down `size` rows of `inner` floats, 4 columns per vector
  const maxima = workspace;
  const sums = workspace + rowBytes;
  for (let o = 0; o < outer; o++) {
    const src = input + <usize>o * sliceBytes;
    const dst = output + <usize>o * sliceBytes;
    memory.copy(maxima, src, rowBytes);
    for (let d = 1; d < size; d++) rowsMax(maxima, src + <usize>d * rowBytes, inner);
    memory.fill(sums, 0, rowBytes);
    for (let d = 0; d < size; d++) rowsExpSum(src + <usize>d * rowBytes, maxima, dst + <usize>d * rowBytes, sums, inner, log);
    // sums -> 1 / s (softmax) or log(s) (log_softmax)
    let i = 0;
    for (; i + 4 <= inner; i += 4) {
      const s = v128.load(sums + (<usize>i << 2));
      v128.store(sums + (<usize>i << 2), log ? vlog(s) : f32x4.div(f32x4.splat(1.0), s));
    }
    if (i < inner) {
      const s = loadPartial(sums + (<usize>i << 2), inner - i);
      storePartial(sums + (<usize>i << 2), log ? vlog(s) : f32x4.div(f32x4.splat(1.0), s), inner - i);
    }
    for (let d = 0; d < size; d++) {
      const row = dst + <usize>d * rowBytes;
      if (log) rowsCombine(row, sums, inner, 1);
      else rowsCombine(row, sums, inner, 0);
    }
  }
}

/** maxima[i] = max(maxima[i], row[i]) (NaN propagates, as PyTorch's max). */
function rowsMax(maxima: usize, row: usize, inner: i32): void {
  let i = 0;
  for (; i + 4 <= inner; i += 4) {
    const p = <usize>i << 2;
    v128.store(maxima + p, f32x4.max(v128.load(maxima + p), v128.load(row + p)));
  }
  for (; i < inner; i++) {
    const p = <usize>i << 2;
    store<f32>(maxima + p, max(load<f32>(maxima + p), load<f32>(row + p)));   // f32.max propagates NaN
  }
}

/** out = x - m (log) or exp(x - m); sums += exp(x - m). */
function rowsExpSum(row: usize, maxima: usize, out: usize, sums: usize, inner: i32, log: i32): void {
  let i = 0;
  for (; i + 4 <= inner; i += 4) {
    const p = <usize>i << 2;
    const shifted = f32x4.sub(v128.load(row + p), v128.load(maxima + p));
    const e = vexp(shifted);
    v128.store(sums + p, f32x4.add(v128.load(sums + p), e));
    v128.store(out + p, log ? shifted : e);
  }
  if (i < inner) {
    const p = <usize>i << 2;
    const count = inner - i;
    const shifted = f32x4.sub(loadPartial(row + p, count), loadPartial(maxima + p, count));
    const e = vexp(shifted);
    storePartial(sums + p, f32x4.add(loadPartial(sums + p, count), e), count);
    storePartial(out + p, log ? shifted : e, count);
  }
}

/** row = row - factor (log) or row * factor. */
// @ts-ignore: decorator
@inline function rowsCombine(row: usize, factor: usize, inner: i32, log: i32): void {
  let i = 0;
  for (; i + 4 <= inner; i += 4) {
    const p = <usize>i << 2;
    const v = v128.load(row + p), f = v128.load(factor + p);
    v128.store(row + p, log ? f32x4.sub(v, f) : f32x4.mul(v, f));
  }
  for (; i < inner; i++) {
    const p = <usize>i << 2;
    const v = load<f32>(row + p), f = load<f32>(factor + p);
    store<f32>(row + p, log ? v - f : v * f);
  }
}

/** One contiguous row (inner = 1): max, exp and sum, then scale or subtract. */
function softmaxRow(src: usize, dst: usize, size: i32, log: i32): void {
  // max, NaN-propagating
  let vmax = f32x4.splat(-Infinity);
  let i = 0;
  for (; i + 4 <= size; i += 4) vmax = f32x4.max(vmax, v128.load(src + (<usize>i << 2)));
  // (f32.max propagates NaN as f32x4.max does)
  let m = max(max(f32x4.extract_lane(vmax, 0), f32x4.extract_lane(vmax, 1)), max(f32x4.extract_lane(vmax, 2), f32x4.extract_lane(vmax, 3)));
  for (; i < size; i++) m = max(m, load<f32>(src + (<usize>i << 2)));
  const vm = f32x4.splat(m);
  // exp(x - m) into dst (softmax) and its sum
  let vsum = f32x4.splat(0.0);
  i = 0;
  for (; i + 4 <= size; i += 4) {
    const p = <usize>i << 2;
    const shifted = f32x4.sub(v128.load(src + p), vm);
    const e = vexp(shifted);
    vsum = f32x4.add(vsum, e);
    v128.store(dst + p, log ? shifted : e);
  }
  if (i < size) {
    const count = size - i;
    const p = <usize>i << 2;
    const shifted = f32x4.sub(loadPartial(src + p, count), vm);
    // the partial lanes beyond count are exp(0 - m): masked out of the sum
    const lanes = i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(count));
    const e = v128.and(vexp(shifted), lanes);
    vsum = f32x4.add(vsum, e);
    storePartial(dst + p, log ? shifted : e, count);
  }
  const sum = (f32x4.extract_lane(vsum, 0) + f32x4.extract_lane(vsum, 1)) + (f32x4.extract_lane(vsum, 2) + f32x4.extract_lane(vsum, 3));
  if (log) {
    const vl = f32x4.splat(logScalar(sum));
    i = 0;
    for (; i + 4 <= size; i += 4) {
      const p = <usize>i << 2;
      v128.store(dst + p, f32x4.sub(v128.load(dst + p), vl));
    }
    for (; i < size; i++) { const p = <usize>i << 2; store<f32>(dst + p, load<f32>(dst + p) - f32x4.extract_lane(vl, 0)); }
  } else {
    const vr = f32x4.splat(<f32>1.0 / sum);
    i = 0;
    for (; i + 4 <= size; i += 4) {
      const p = <usize>i << 2;
      v128.store(dst + p, f32x4.mul(v128.load(dst + p), vr));
    }
    for (; i < size; i++) { const p = <usize>i << 2; store<f32>(dst + p, load<f32>(dst + p) * f32x4.extract_lane(vr, 0)); }
  }
}
