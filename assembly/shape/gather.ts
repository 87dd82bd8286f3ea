// The strided gather behind permute, transpose, expand, narrow and channel_shuffle: copies a view
// of src (sizes and byte strides, any rank) into contiguous dst. The host collapses the view first
// (drops size-1 dims, merges adjacent dims that are contiguous with each other), so a permute of
// NCHW arrives as [N, HW, C] and channel shuffle as [N, C/g, g, HW]. The innermost dims choose
// how each output row is made:
//   RUN        innermost stride == element size: one contiguous run (v128 copy or memory.copy)
//   SPLAT      innermost stride 0 (expand along the last dim): one value splatted over the row
//   TRANSPOSE  float32 [.., A, B] whose A is contiguous in src: 4x4 tiles through v128 shuffles
//              (NCHW <-> NHWC, 2-D transposes)
//   STRIDED    anything else: one strided load per element
// Rows are walked by an explicit loop over the next dim and an odometer over the rest: no
// division or per-element index arithmetic.

import { copyRun } from "./copy";
import { scratch, SCRATCH_GATHER_DESC } from "../scratch";

const MAX_RANK: i32 = 32;
/** [sizes: i32 x MAX_RANK | byte strides: i32 x MAX_RANK | odometer counters: i32 x MAX_RANK] */

/** Where the host writes the view's sizes (i32) and byte strides (i32) before calling xx_gather. */
export function xx_gather_desc(): usize {
  return scratch(SCRATCH_GATHER_DESC);
}

const RUN = 0;
const SPLAT = 1;
const TRANSPOSE = 2;
const STRIDED = 3;

/**
 * dst[i] = the i-th element (row-major) of the view of src with desc's sizes and strides.
 * Preconditions (host): 1 <= rank <= 32, every size >= 1, elemBytes 4 or 8, dst does not overlap src.
 */
export function xx_gather(src: usize, dst: usize, rank: i32, elemBytes: i32): void {
  const desc = scratch(SCRATCH_GATHER_DESC);
  const sizes = desc;
  const strides = desc + <usize>MAX_RANK * 4;
  const counters = desc + <usize>MAX_RANK * 8;
  const elem = <usize>elemBytes;
  const inner = load<i32>(sizes + <usize>(rank - 1) * 4);
  const innerStride = <usize>load<i32>(strides + <usize>(rank - 1) * 4);
  let mode = STRIDED;
  let rowDims = 1;
  let rows = 1;   // A of the TRANSPOSE mode
  if (innerStride == elem) mode = RUN;
  else if (innerStride == 0) mode = SPLAT;
  else if (elemBytes == 4 && rank >= 2 && load<i32>(strides + <usize>(rank - 2) * 4) == 4) {
    mode = TRANSPOSE;
    rowDims = 2;
    rows = load<i32>(sizes + <usize>(rank - 2) * 4);
  }
  const rowBytes = <usize>inner * <usize>rows * elem;
  // dims [0, odometerRank) advance by odometer, dim odometerRank by the middle loop
  const outerRank = rank - rowDims;
  let middle = 1;
  let middleStride: usize = 0;
  if (outerRank >= 1) {
    middle = load<i32>(sizes + <usize>(outerRank - 1) * 4);
    middleStride = <usize>load<i32>(strides + <usize>(outerRank - 1) * 4);
  }
  const odometerRank = max(outerRank - 1, 0);
  let outerCount = 1;
  for (let d = 0; d < odometerRank; d++) {
    store<i32>(counters + <usize>d * 4, 0);
    outerCount *= load<i32>(sizes + <usize>d * 4);
  }
  let offset: usize = 0;
  for (let o = 0; o < outerCount; o++) {
    let s = src + offset;
    for (let m = 0; m < middle; m++) {
      if (mode == RUN) copyRun(dst, s, rowBytes);
      else if (mode == SPLAT) splatRow(dst, s, rowBytes, elemBytes);
      else if (mode == TRANSPOSE) transposeBlock(dst, s, rows, inner, innerStride);
      else stridedRow(dst, s, inner, innerStride, elemBytes);
      s += middleStride;
      dst += rowBytes;
    }
    for (let d = odometerRank - 1; d >= 0; d--) {
      const c = load<i32>(counters + <usize>d * 4) + 1;
      const stride = <usize>load<i32>(strides + <usize>d * 4);
      if (c < load<i32>(sizes + <usize>d * 4)) {
        store<i32>(counters + <usize>d * 4, c);
        offset += stride;
        break;
      }
      store<i32>(counters + <usize>d * 4, 0);
      offset -= stride * <usize>(c - 1);
    }
  }
}

/** bytes / elemBytes copies of the element at src (expand along the innermost dim). */
function splatRow(dst: usize, src: usize, bytes: usize, elemBytes: i32): void {
  const v = elemBytes == 8 ? i64x2.splat(load<i64>(src)) : i32x4.splat(load<i32>(src));
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) v128.store(dst + i, v);
  // the tail: at most three 4-byte lanes, or one 8-byte element (its two halves are lanes 0, 1)
  if (i + 8 <= bytes) { v128.store64_lane(dst + i, v, 0); i += 8; }
  if (i < bytes) v128.store32_lane(dst + i, v, 0);
}

/** count elements at src, src + stride, ... into contiguous dst. */
function stridedRow(dst: usize, src: usize, count: i32, stride: usize, elemBytes: i32): void {
  if (elemBytes == 8) {
    for (let j = 0; j < count; j++) { store<u64>(dst, load<u64>(src)); dst += 8; src += stride; }
  } else {
    for (let j = 0; j < count; j++) { store<u32>(dst, load<u32>(src)); dst += 4; src += stride; }
  }
}

/**
 * float32 dst[a][b] = src[a * 4 + b * strideB] for a < rows, b < cols (a transpose whose source
 * rows are the output's columns). 4x4 tiles: four v128 loads, eight shuffles, four v128 stores;
 * the inner tile loop runs along the smaller side, so the side it jumps across stays in L1.
 */
function transposeBlock(dst: usize, src: usize, rows: i32, cols: i32, strideB: usize): void {
  const rows4 = rows & ~3;
  const cols4 = cols & ~3;
  const dstRow = <usize>cols * 4;
  const stride2 = strideB * 2;
  const stride3 = strideB * 3;
  const dstRow2 = dstRow * 2;
  const dstRow3 = dstRow * 3;
  if (cols <= rows) {
    for (let a = 0; a < rows4; a += 4) {
      let p = src + <usize>a * 4;
      let q = dst + <usize>a * dstRow;
      for (let b = 0; b < cols4; b += 4) {
        transposeTile(p, strideB, stride2, stride3, q, dstRow, dstRow2, dstRow3);
        p += strideB * 4;
        q += 16;
      }
    }
  } else {
    for (let b = 0; b < cols4; b += 4) {
      let p = src + <usize>b * strideB;
      let q = dst + <usize>b * 4;
      for (let a = 0; a < rows4; a += 4) {
        transposeTile(p, strideB, stride2, stride3, q, dstRow, dstRow2, dstRow3);
        p += 16;
        q += dstRow * 4;
      }
    }
  }
  // the L-shaped remainder: columns [cols4, cols) of the tiled rows, then rows [rows4, rows)
  for (let a = 0; a < rows; a++) {
    for (let b = a < rows4 ? cols4 : 0; b < cols; b++) {
      store<f32>(dst + <usize>a * dstRow + <usize>b * 4, load<f32>(src + <usize>a * 4 + <usize>b * strideB));
    }
  }
}

/** One 4x4 tile: source rows p + k * strideB (k = 0..3) become output columns at q. */
// @ts-ignore: decorator
@inline function transposeTile(
  p: usize, stride1: usize, stride2: usize, stride3: usize, q: usize, dstRow1: usize, dstRow2: usize, dstRow3: usize,
): void {
  const x0 = v128.load(p);
  const x1 = v128.load(p + stride1);
  const x2 = v128.load(p + stride2);
  const x3 = v128.load(p + stride3);
  const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
  const t2 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
  v128.store(q, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
  v128.store(q + dstRow1, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
  v128.store(q + dstRow2, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
  v128.store(q + dstRow3, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
}
