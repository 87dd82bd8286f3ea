// Broadcasting binary arithmetic (torch.add/sub/mul/div, maximum/minimum for tensor clamp).
// The host collapses the broadcast into at most three levels, [outer][rows][n], so every inner
// run is contiguous ⊕ contiguous or contiguous ⊕ splat (one value per row): no per-element index
// arithmetic. Runs are specialised per (op, mode) so the hot loops carry no branches.

import { scratch, SCRATCH_SLOT } from "../scratch";

// op codes (src/functional/elementwise.ts mirrors them)
const ADD: i32 = 0;
const SUB: i32 = 1;
const MUL: i32 = 2;
const DIV: i32 = 3;
/** a + alpha * b rounded once, as PyTorch's fmadd(b, alpha, a) (see addAlpha) */
const ADD_ALPHA: i32 = 4;
const DIV_TRUNC: i32 = 5;
const DIV_FLOOR: i32 = 6;
/** NaN-propagating max/min (torch.maximum/minimum, clamp with tensor bounds) */
const MAXIMUM: i32 = 7;
const MINIMUM: i32 = 8;

// inner-run modes
const VV: i32 = 0; // a[i] op b[i]
const VS: i32 = 1; // a[i] op s
const SV: i32 = 2; // s op b[i]

/**
 * a + alpha * b with one rounding, like PyTorch's AVX2 `fmadd(b, alpha, a)`: in f64 the product of
 * two floats is exact and the sum rounds once to f64, then to f32 (a double rounding that differs
 * from a true fma only when the f64 sum lands exactly on a float tie: ~2^-29 of random inputs).
 */
// @ts-ignore: decorator
@inline function addAlpha(a: f32, b: f32, alpha: f64): f32 {
  return <f32>(<f64>a + alpha * <f64>b);
}

/** c10::div_floor_floating (PyTorch 1.13, c10/util/generic_math.h): Python's a // b on floats. */
function divFloor(a: f32, b: f32): f32 {
  if (b == 0) return a / b;
  const mod = Mathf.mod(a, b);
  let div = (a - mod) / b;
  if (mod != 0 && (b < 0) != (mod < 0)) div -= 1;
  if (div == 0) return copysign<f32>(0, a / b);
  let floordiv = Mathf.floor(div);
  if (div - floordiv > 0.5) floordiv += 1;
  return floordiv;
}

// @ts-ignore: decorator
@inline function scalarOp(op: i32, a: f32, b: f32, alpha: f64): f32 {
  if (op == ADD) return a + b;
  if (op == SUB) return a - b;
  if (op == MUL) return a * b;
  if (op == DIV) return a / b;
  if (op == ADD_ALPHA) return addAlpha(a, b, alpha);
  if (op == DIV_TRUNC) return Mathf.trunc(a / b);
  if (op == DIV_FLOOR) return divFloor(a, b);
  if (op == MAXIMUM) return max<f32>(a, b);
  return min<f32>(a, b);
}

// @ts-ignore: decorator
@inline function vectorOp(op: i32, a: v128, b: v128, alpha: v128): v128 {
  if (op == ADD) return f32x4.add(a, b);
  if (op == SUB) return f32x4.sub(a, b);
  if (op == MUL) return f32x4.mul(a, b);
  if (op == DIV) return f32x4.div(a, b);
  if (op == ADD_ALPHA) {
    // [a0 a1 a2 a3] + alpha * [b0 b1 b2 b3] in two f64x2 halves
    const low = f64x2.add(f64x2.promote_low_f32x4(a), f64x2.mul(f64x2.promote_low_f32x4(b), alpha));
    const high = f64x2.add(
      f64x2.promote_low_f32x4(v128.shuffle<f32>(a, a, 2, 3, 0, 1)),
      f64x2.mul(f64x2.promote_low_f32x4(v128.shuffle<f32>(b, b, 2, 3, 0, 1)), alpha));
    return v128.shuffle<f32>(f32x4.demote_f64x2_zero(low), f32x4.demote_f64x2_zero(high), 0, 1, 4, 5);
  }
  if (op == DIV_TRUNC) return f32x4.trunc(f32x4.div(a, b));
  if (op == DIV_FLOOR) {
    let r = f32x4.splat(divFloor(f32x4.extract_lane(a, 0), f32x4.extract_lane(b, 0)));
    r = f32x4.replace_lane(r, 1, divFloor(f32x4.extract_lane(a, 1), f32x4.extract_lane(b, 1)));
    r = f32x4.replace_lane(r, 2, divFloor(f32x4.extract_lane(a, 2), f32x4.extract_lane(b, 2)));
    return f32x4.replace_lane(r, 3, divFloor(f32x4.extract_lane(a, 3), f32x4.extract_lane(b, 3)));
  }
  if (op == MAXIMUM) return f32x4.max(a, b);
  return f32x4.min(a, b);
}

/**
 * One run of n outputs for any (op, mode), one vector a step. In SV mode `a` points at one value,
 * in VS mode `b` does (loaded once). The op is a runtime value here: a few predictable compares
 * per 4 elements, which the rare ops (alpha, rounding modes, maximum/minimum) can afford; keeping
 * them out of the specialised loops saves ~5 KB of Wasm.
 */
function runAny(op: i32, mode: i32, a: usize, b: usize, out: usize, n: i32, alpha: f64): void {
  const valpha = f64x2.splat(alpha);
  const sa = v128.load32_splat(a), sb = v128.load32_splat(b);
  const aStep: usize = mode == SV ? 0 : 16, bStep: usize = mode == VS ? 0 : 16;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const va = mode == SV ? sa : v128.load(a);
    const vb = mode == VS ? sb : v128.load(b);
    v128.store(out, vectorOp(op, va, vb, valpha));
    a += aStep;
    b += bStep;
    out += 16;
  }
  for (; i < n; i++) {
    store<f32>(out, scalarOp(op, load<f32>(a), load<f32>(b), alpha));
    a += aStep >> 2;
    b += bStep >> 2;
    out += 4;
  }
}

/**
 * The hot runs (add and mul: residuals, SE gates, layer scales, bias rows), specialised per op and
 * mode and unrolled to 4 vectors: 8 loads (4 in VS), 4 ops and 4 stores per 16 outputs, no
 * branches; then single vectors and a scalar tail.
 */
// @ts-ignore: decorator
@inline function runHot(op: i32, mode: i32, a: usize, b: usize, out: usize, n: i32): void {
  const sb = v128.load32_splat(b);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const p = <usize>i * 4;
    const a0 = v128.load(a + p), b0 = mode == VS ? sb : v128.load(b + p);
    const a1 = v128.load(a + p, 16), b1 = mode == VS ? sb : v128.load(b + p, 16);
    const a2 = v128.load(a + p, 32), b2 = mode == VS ? sb : v128.load(b + p, 32);
    const a3 = v128.load(a + p, 48), b3 = mode == VS ? sb : v128.load(b + p, 48);
    v128.store(out + p, op == ADD ? f32x4.add(a0, b0) : f32x4.mul(a0, b0));
    v128.store(out + p, op == ADD ? f32x4.add(a1, b1) : f32x4.mul(a1, b1), 16);
    v128.store(out + p, op == ADD ? f32x4.add(a2, b2) : f32x4.mul(a2, b2), 32);
    v128.store(out + p, op == ADD ? f32x4.add(a3, b3) : f32x4.mul(a3, b3), 48);
  }
  // the remainder inline too: short rows (an SE gate over 7x7 planes) must not pay a call per row
  for (; i + 4 <= n; i += 4) {
    const p = <usize>i * 4;
    const va = v128.load(a + p), vb = mode == VS ? sb : v128.load(b + p);
    v128.store(out + p, op == ADD ? f32x4.add(va, vb) : f32x4.mul(va, vb));
  }
  for (; i < n; i++) {
    const p = <usize>i * 4;
    const x = load<f32>(a + p), y = mode == VS ? load<f32>(b) : load<f32>(b + p);
    store<f32>(out + p, op == ADD ? x + y : x * y);
  }
}

/** One run for a runtime (op, mode). */
function dispatch(op: i32, mode: i32, a: usize, b: usize, out: usize, n: i32, alpha: f64): void {
  // splat ⊕ contiguous: the host swaps commutative ops (add, mul, maximum, minimum) into VS
  if (op == ADD && mode == VV) runHot(ADD, VV, a, b, out, n);
  else if (op == ADD && mode == VS) runHot(ADD, VS, a, b, out, n);
  else if (op == MUL && mode == VV) runHot(MUL, VV, a, b, out, n);
  else if (op == MUL && mode == VS) runHot(MUL, VS, a, b, out, n);
  else runAny(op, mode, a, b, out, n, alpha);
}

/**
 * out[o][r][i] = a[o][r][i] op b[o][r][i] over a collapsed broadcast [outer][rows][n]. Strides are
 * in elements (0 where an operand is broadcast); `mode` says which operand, if any, is one value per
 * row. out is contiguous and may alias a or b when that operand is not broadcast (in-place ops).
 * Units (threads): each run r of o (o * rows + r) cut into ceil(n / chunk) pieces of `chunk`
 * elements (the last shorter), pieces fastest; units [unitStart, unitEnd) run here. With `chunk` a
 * multiple of 16 (or n) every element takes the same path (16-wide block, vector, scalar tail) as
 * in one call over the whole run.
 */
export function f32_binary(
  op: i32, mode: i32, a: usize, b: usize, out: usize, alpha: f64,
  outer: i32, aOuter: i32, bOuter: i32, rows: i32, aRow: i32, bRow: i32, n: i32,
  chunk: i32, unitStart: i32, unitEnd: i32,
): void {
  if (n <= 0 || unitStart >= unitEnd) return;
  const aOuterBytes = <usize>aOuter * 4, bOuterBytes = <usize>bOuter * 4;
  const aRowBytes = <usize>aRow * 4, bRowBytes = <usize>bRow * 4;
  const pieces = (n + chunk - 1) / chunk;
  const aStep: usize = mode == SV ? 0 : 4, bStep: usize = mode == VS ? 0 : 4;
  let run = unitStart / pieces;
  let piece = unitStart - run * pieces;
  let o = run / rows;
  let r = run - o * rows;
  for (let unit = unitStart; unit < unitEnd; unit++) {
    const start = piece * chunk;
    const pa = a + <usize>o * aOuterBytes + <usize>r * aRowBytes + <usize>start * aStep;
    const pb = b + <usize>o * bOuterBytes + <usize>r * bRowBytes + <usize>start * bStep;
    dispatch(op, mode, pa, pb, out + (<usize>run * n + start) * 4, min(chunk, n - start), alpha);
    if (++piece == pieces) {
      piece = 0;
      run++;
      if (++r == rows) {
        r = 0;
        o++;
      }
    }
  }
}

/** out[i] = a[i] op s (reversed: s op a[i]) over n contiguous floats; out may alias a. */
export function f32_binary_scalar(op: i32, a: usize, s: f32, out: usize, n: i32, alpha: f64, reversed: bool): void {
  // the scalar goes through a static slot so the splat runs read it like a one-value operand
  const slot = scratch(SCRATCH_SLOT);
  store<f32>(slot, s);
  if (reversed) dispatch(op, SV, slot, a, out, n, alpha);
  else dispatch(op, VS, a, slot, out, n, alpha);
}
