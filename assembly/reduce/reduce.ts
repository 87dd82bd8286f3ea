// Reductions over the middle axis of [outer, R, inner] -> [outer, inner] (the host merges the
// reduced dims into R and the dims around them into outer and inner).
//
// inner == 1 (a row: sum(-1), mean([2, 3]) of NCHW, a full reduction) runs along the row, 16 floats
// a step in four SIMD accumulators; inner > 1 (sum(1) of NCHW) runs down columns, a strip of 16
// contiguous floats a row, so each cache line is read once.
//
// Sums are pairwise: blocks of at most 256 floats a row (16 per lane) or 64 rows a strip are summed
// straight, then the blocks are added as a binary tree, so the rounding error grows as
// O(log n) + 16 steps instead of O(n) (PyTorch's cascade sum is the same idea).
//
// Max/min use f32x4.max/min, which propagate NaN, as PyTorch's amax does; arg variants keep the
// first index of the extreme value (or of the first NaN), as PyTorch's max(dim)/argmax.

import { scratch, SCRATCH_STRIPS } from "../scratch";

const SUM = 0;
const MAX = 1;
const MIN = 2;

// scratch for the strip sums' tree: one 16-float row per level (2^32 rows need far fewer than 40)

/** Columns per unit of a reduction down columns (a multiple of 16; src/functional/reduce.ts mirrors it). */
const REDUCE_COLUMNS = 1024;

/**
 * output[o, j] = op over r of input[o, r, j] (op: 0 sum, 1 max, 2 min); a sum is divided by
 * `divisor` (1 for sum, R for mean). R == 0 writes sum's 0 / divisor; max/min need R >= 1.
 * Units (threads): (o, block of REDUCE_COLUMNS columns), [unitStart, unitEnd) here; every output's
 * reduction is whole inside its unit, and blocks start on multiples of 16 columns, so each column
 * takes the path (16-, 4- or 1-column strip) it takes in one call over the row.
 */
export function f32_reduce(op: i32, input: usize, output: usize, outer: i32, reduced: i32, inner: i32, divisor: f32,
  unitStart: i32, unitEnd: i32): void {
  const planeBytes = <usize>reduced * inner * 4;
  const blocks = (inner + REDUCE_COLUMNS - 1) / REDUCE_COLUMNS;
  for (let unit = unitStart; unit < unitEnd; unit++) {
    const o = unit / blocks;
    const j0 = (unit - o * blocks) * REDUCE_COLUMNS;
    const src = input + <usize>o * planeBytes + <usize>j0 * 4;
    const dst = output + (<usize>o * inner + j0) * 4;
    const width = min(REDUCE_COLUMNS, inner - j0);
    if (inner == 1) {
      store<f32>(dst, op == SUM ? sumRow(src, reduced) / divisor : extremeRow(src, reduced, op == MIN));
    } else if (op == SUM) {
      sumColumns(src, dst, reduced, inner, width, divisor);
    } else {
      extremeColumns(src, dst, reduced, inner, width, op == MIN);
    }
  }
}

// -- sums -------------------------------------------------------------------------------------------

/** Sum of n floats at p, pairwise over blocks of 256. */
function sumRow(p: usize, n: i32): f32 {
  const whole = n & ~15;
  let total: f32 = 0;
  if (whole > 0) {
    const v = sumRowBlocks(p, whole);
    total = (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
  }
  for (let i = whole; i < n; i++) total += load<f32>(p + <usize>i * 4);
  return total;
}

/** Lane sums of n floats (a multiple of 16) at p: straight up to 256 floats, halves above. */
function sumRowBlocks(p: usize, n: i32): v128 {
  if (n > 256) {
    const half = (n >> 1) & ~15;
    return f32x4.add(sumRowBlocks(p, half), sumRowBlocks(p + <usize>half * 4, n - half));
  }
  let acc0 = f32x4.splat(0), acc1 = f32x4.splat(0), acc2 = f32x4.splat(0), acc3 = f32x4.splat(0);
  const end = p + <usize>n * 4;
  for (; p < end; p += 64) {
    acc0 = f32x4.add(acc0, v128.load(p,  0));
    acc1 = f32x4.add(acc1, v128.load(p, 16));
    acc2 = f32x4.add(acc2, v128.load(p, 32));
    acc3 = f32x4.add(acc3, v128.load(p, 48));
  }
  return f32x4.add(f32x4.add(acc0, acc1), f32x4.add(acc2, acc3));
}

/** dst[j] = sum over r of src[r * inner + j] / divisor, j < width: strips of 16, then 4, then 1 column. */
function sumColumns(src: usize, dst: usize, rows: i32, inner: i32, width: i32, divisor: f32): void {
  const stride = <usize>inner * 4;
  const scale = f32x4.splat(divisor);
  let j = 0;
  for (; j + 16 <= width; j += 16) {
    const out = dst + <usize>j * 4;
    sumStrip16(src + <usize>j * 4, rows, stride, out, 0);
    v128.store(out, f32x4.div(v128.load(out), scale));
    v128.store(out, f32x4.div(v128.load(out, 16), scale), 16);
    v128.store(out, f32x4.div(v128.load(out, 32), scale), 32);
    v128.store(out, f32x4.div(v128.load(out, 48), scale), 48);
  }
  for (; j + 4 <= width; j += 4) {
    v128.store(dst + <usize>j * 4, f32x4.div(sumStrip4(src + <usize>j * 4, rows, stride), scale));
  }
  for (; j < width; j++) {
    store<f32>(dst + <usize>j * 4, sumStrip1(src + <usize>j * 4, rows, stride) / divisor);
  }
}

/** 16 column sums of `rows` rows `stride` bytes apart into out: straight up to 64 rows, halves above. */
function sumStrip16(p: usize, rows: i32, stride: usize, out: usize, level: i32): void {
  if (rows > 64) {
    const half = rows >> 1;
    const tmp = scratch(SCRATCH_STRIPS) + <usize>level * 64;
    sumStrip16(p, half, stride, out, level + 1);
    sumStrip16(p + <usize>half * stride, rows - half, stride, tmp, level + 1);
    v128.store(out, f32x4.add(v128.load(out), v128.load(tmp)));
    v128.store(out, f32x4.add(v128.load(out, 16), v128.load(tmp, 16)), 16);
    v128.store(out, f32x4.add(v128.load(out, 32), v128.load(tmp, 32)), 32);
    v128.store(out, f32x4.add(v128.load(out, 48), v128.load(tmp, 48)), 48);
    return;
  }
  let acc0 = f32x4.splat(0), acc1 = f32x4.splat(0), acc2 = f32x4.splat(0), acc3 = f32x4.splat(0);
  for (let r = 0; r < rows; r++) {
    acc0 = f32x4.add(acc0, v128.load(p,  0));
    acc1 = f32x4.add(acc1, v128.load(p, 16));
    acc2 = f32x4.add(acc2, v128.load(p, 32));
    acc3 = f32x4.add(acc3, v128.load(p, 48));
    p += stride;
  }
  v128.store(out, acc0);
  v128.store(out, acc1, 16);
  v128.store(out, acc2, 32);
  v128.store(out, acc3, 48);
}

function sumStrip4(p: usize, rows: i32, stride: usize): v128 {
  if (rows > 64) {
    const half = rows >> 1;
    return f32x4.add(sumStrip4(p, half, stride), sumStrip4(p + <usize>half * stride, rows - half, stride));
  }
  let acc = f32x4.splat(0);
  for (let r = 0; r < rows; r++) {
    acc = f32x4.add(acc, v128.load(p));
    p += stride;
  }
  return acc;
}

function sumStrip1(p: usize, rows: i32, stride: usize): f32 {
  if (rows > 64) {
    const half = rows >> 1;
    return sumStrip1(p, half, stride) + sumStrip1(p + <usize>half * stride, rows - half, stride);
  }
  let acc: f32 = 0;
  for (let r = 0; r < rows; r++) {
    acc += load<f32>(p);
    p += stride;
  }
  return acc;
}

// -- max / min ----------------------------------------------------------------------------------------
// A min is a max of negated values (flipping the sign bit keeps NaN a NaN), so one loop serves both
// with one xor per vector instead of computing both and selecting.

// @ts-ignore: decorator
@inline function signMask(isMin: bool): v128 {
  return i32x4.splat(isMin ? 0x80000000 : 0);
}
// @ts-ignore: decorator
@inline function ext(a: f32, b: f32, isMin: bool): f32 {
  return isMin ? min<f32>(a, b) : max<f32>(a, b);
}

/** Max (min) of n >= 1 floats at p; NaN if any is NaN. */
function extremeRow(p: usize, n: i32, isMin: bool): f32 {
  let result = load<f32>(p);
  let i = 0;
  if (n >= 16) {
    const sign = signMask(isMin);
    let acc0 = v128.xor(v128.load(p, 0), sign), acc1 = v128.xor(v128.load(p, 16), sign);
    let acc2 = v128.xor(v128.load(p, 32), sign), acc3 = v128.xor(v128.load(p, 48), sign);
    for (i = 16; i + 16 <= n; i += 16) {
      const q = p + <usize>i * 4;
      acc0 = f32x4.max(acc0, v128.xor(v128.load(q,  0), sign));
      acc1 = f32x4.max(acc1, v128.xor(v128.load(q, 16), sign));
      acc2 = f32x4.max(acc2, v128.xor(v128.load(q, 32), sign));
      acc3 = f32x4.max(acc3, v128.xor(v128.load(q, 48), sign));
    }
    const v = v128.xor(f32x4.max(f32x4.max(acc0, acc1), f32x4.max(acc2, acc3)), sign);
    result = ext(ext(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1), isMin),
      ext(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3), isMin), isMin);
  }
  for (; i < n; i++) result = ext(result, load<f32>(p + <usize>i * 4), isMin);
  return result;
}

/** dst[j] = max (min) over r of src[r * inner + j], j < width, rows >= 1. */
function extremeColumns(src: usize, dst: usize, rows: i32, inner: i32, width: i32, isMin: bool): void {
  const stride = <usize>inner * 4;
  const sign = signMask(isMin);
  let j = 0;
  for (; j + 16 <= width; j += 16) {
    let p = src + <usize>j * 4;
    let acc0 = v128.xor(v128.load(p, 0), sign), acc1 = v128.xor(v128.load(p, 16), sign);
    let acc2 = v128.xor(v128.load(p, 32), sign), acc3 = v128.xor(v128.load(p, 48), sign);
    for (let r = 1; r < rows; r++) {
      p += stride;
      acc0 = f32x4.max(acc0, v128.xor(v128.load(p,  0), sign));
      acc1 = f32x4.max(acc1, v128.xor(v128.load(p, 16), sign));
      acc2 = f32x4.max(acc2, v128.xor(v128.load(p, 32), sign));
      acc3 = f32x4.max(acc3, v128.xor(v128.load(p, 48), sign));
    }
    const out = dst + <usize>j * 4;
    v128.store(out, v128.xor(acc0, sign));
    v128.store(out, v128.xor(acc1, sign), 16);
    v128.store(out, v128.xor(acc2, sign), 32);
    v128.store(out, v128.xor(acc3, sign), 48);
  }
  for (; j + 4 <= width; j += 4) {
    let p = src + <usize>j * 4;
    let acc = v128.xor(v128.load(p), sign);
    for (let r = 1; r < rows; r++) {
      p += stride;
      acc = f32x4.max(acc, v128.xor(v128.load(p), sign));
    }
    v128.store(dst + <usize>j * 4, v128.xor(acc, sign));
  }
  for (; j < width; j++) {
    let p = src + <usize>j * 4;
    let acc = load<f32>(p);
    for (let r = 1; r < rows; r++) {
      p += stride;
      acc = ext(acc, load<f32>(p), isMin);
    }
    store<f32>(dst + <usize>j * 4, acc);
  }
}

// -- argmax / argmin --------------------------------------------------------------------------------

/**
 * Lanes where x beats best: x > best, or x is NaN and best is not. (Min runs on sign-flipped
 * values: x < best is -x > -best.)
 */
// @ts-ignore: decorator
@inline function beats(x: v128, best: v128): v128 {
  return v128.or(f32x4.gt(x, best), v128.andnot(f32x4.ne(x, x), f32x4.ne(best, best)));
}
// @ts-ignore: decorator
@inline function beatsScalar(x: f32, best: f32, isMin: bool): bool {
  return (isMin ? x < best : x > best) || (x != x && best == best);
}

/**
 * values[o, j] (if values != 0) and indices[o, j] (int64) = the extreme of input[o, :, j] and the
 * first r where it occurs (the first NaN, if any). R >= 1. Units (threads) as f32_reduce's.
 */
export function f32_arg_reduce(isMin: bool, input: usize, values: usize, indices: usize, outer: i32, reduced: i32, inner: i32,
  unitStart: i32, unitEnd: i32): void {
  const planeBytes = <usize>reduced * inner * 4;
  const blocks = (inner + REDUCE_COLUMNS - 1) / REDUCE_COLUMNS;
  for (let unit = unitStart; unit < unitEnd; unit++) {
    const o = unit / blocks;
    const j0 = (unit - o * blocks) * REDUCE_COLUMNS;
    const src = input + <usize>o * planeBytes + <usize>j0 * 4;
    const valueOut: usize = values == 0 ? 0 : values + (<usize>o * inner + j0) * 4;
    const indexOut = indices + (<usize>o * inner + j0) * 8;
    if (inner == 1) argRow(src, reduced, isMin, valueOut, indexOut);
    else argColumns(src, reduced, inner, min(REDUCE_COLUMNS, inner - j0), isMin, valueOut, indexOut);
  }
}

function argRow(p: usize, n: i32, isMin: bool, valueOut: usize, indexOut: usize): void {
  let best = load<f32>(p);
  let bestIndex = 0;
  let i = 1;
  if (n >= 8) {
    // per lane: the best (sign-flipped for min) value so far and its first index
    const sign = signMask(isMin);
    let bestV = v128.xor(v128.load(p), sign);
    let indexV = i32x4(0, 1, 2, 3);
    let current = i32x4(4, 5, 6, 7);
    const four = i32x4.splat(4);
    for (i = 4; i + 4 <= n; i += 4) {
      const x = v128.xor(v128.load(p + <usize>i * 4), sign);
      const take = beats(x, bestV);
      bestV = v128.bitselect(x, bestV, take);
      indexV = v128.bitselect(current, indexV, take);
      current = i32x4.add(current, four);
    }
    bestV = v128.xor(bestV, sign);
    // each lane holds its first extreme: the row's is the lanes' extreme at the smallest index
    best = f32x4.extract_lane(bestV, 0);
    bestIndex = i32x4.extract_lane(indexV, 0);
    for (let lane = 1; lane < 4; lane++) {
      const v = laneF32(bestV, lane);
      const k = laneI32(indexV, lane);
      const isNan = v != v, bestNan = best != best;
      const wins = isNan ? (!bestNan || k < bestIndex)
        : !bestNan && ((isMin ? v < best : v > best) || (v == best && k < bestIndex));
      if (wins) { best = v; bestIndex = k; }
    }
  }
  for (; i < n; i++) {
    const x = load<f32>(p + <usize>i * 4);
    if (beatsScalar(x, best, isMin)) { best = x; bestIndex = i; }
  }
  if (valueOut != 0) store<f32>(valueOut, best);
  store<i64>(indexOut, <i64>bestIndex);
}

// @ts-ignore: decorator
@inline function laneF32(v: v128, lane: i32): f32 {
  return lane == 1 ? f32x4.extract_lane(v, 1) : lane == 2 ? f32x4.extract_lane(v, 2) : f32x4.extract_lane(v, 3);
}
// @ts-ignore: decorator
@inline function laneI32(v: v128, lane: i32): i32 {
  return lane == 1 ? i32x4.extract_lane(v, 1) : lane == 2 ? i32x4.extract_lane(v, 2) : i32x4.extract_lane(v, 3);
}

function argColumns(src: usize, rows: i32, inner: i32, width: i32, isMin: bool, valueOut: usize, indexOut: usize): void {
  const stride = <usize>inner * 4;
  const sign = signMask(isMin);
  let j = 0;
  for (; j + 4 <= width; j += 4) {
    let p = src + <usize>j * 4;
    let bestV = v128.xor(v128.load(p), sign);
    let indexV = i32x4.splat(0);
    for (let r = 1; r < rows; r++) {
      p += stride;
      const x = v128.xor(v128.load(p), sign);
      const take = beats(x, bestV);
      bestV = v128.bitselect(x, bestV, take);
      indexV = v128.bitselect(i32x4.splat(r), indexV, take);
    }
    if (valueOut != 0) v128.store(valueOut + <usize>j * 4, v128.xor(bestV, sign));
    v128.store(indexOut + <usize>j * 8, i64x2.extend_low_i32x4_s(indexV));
    v128.store(indexOut + <usize>j * 8, i64x2.extend_high_i32x4_s(indexV), 16);
  }
  for (; j < width; j++) {
    let p = src + <usize>j * 4;
    let best = load<f32>(p);
    let bestIndex = 0;
    for (let r = 1; r < rows; r++) {
      p += stride;
      const x = load<f32>(p);
      if (beatsScalar(x, best, isMin)) { best = x; bestIndex = r; }
    }
    if (valueOut != 0) store<f32>(valueOut + <usize>j * 4, best);
    store<i64>(indexOut + <usize>j * 8, <i64>bestIndex);
  }
}
