// f32 GEMM micro-kernel, 5 output channels x 8 pixels, Wasm SIMD128.
//
// out[r][j] = bias[r] + sum_k w[k][r] * a[k][j]      r < 5 (mr valid), j < 8 (nr valid)
//
// Packed weights hold one block of 5 output channels: [5 bias][K][5 weights] (see pack.ts); a call
// covers kc rows of it from `weights`. The accumulators start from the 5 floats at `init` (the bias),
// or, when init is 0, from what `out` already holds (the next block of K, for caches' sake).
// `a` is a K x 8 panel whose rows are `aStride` bytes apart: a packed im2col panel (32 bytes) or,
// for 1x1 stride-1 convolutions, the input planes themselves (H*W*4 bytes).
//
// Registers: 10 accumulators + 2 inputs + 1 broadcast weight + 1 product = 14 of the ~15 xmm
// registers V8 leaves to Wasm on x64, and no call anywhere in the function (tails are lane loads
// and stores, not memory.copy): a call would make V8 keep the accumulators on the stack. Measured
// (a standalone loop, K = 256, hot cache, Node 20): 42.6 GFLOP/s against 36.5 for a 4x8 tile and 28.0
// for 6x8 (which spills one accumulator per step) — the loop issues ~2 fewer instructions per flop
// than 4x8's, whose loop overhead bound it.

// acc + w * a. The default build multiplies then adds (two roundings, bit-identical everywhere);
// the opt-in relaxed build (--enable relaxed-simd) lets the engine fuse them (FMA on x86 with AVX2).
// @ts-ignore: decorator
@inline export function madd(acc: v128, w: v128, a: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(w, a, acc);
  return f32x4.add(acc, f32x4.mul(w, a));
}

export function f32_gemm_5x8__simd128(
  kc: i32, init: usize, weights: usize, a: usize, aStride: usize,
  out: usize, outStride: usize, mr: i32, nr: i32, actMin: f32, actMax: f32,
): void {
  gemm5x8(kc, init, weights, a, aStride, out, outStride, mr, nr, actMin, actMax, true);
}

/**
 * A whole 5x8 tile (mr 5, nr 8) with no clamp: the Winograd position GEMMs, whose K is often small
 * (12 for the stem), where the epilogue's min/max and the tail checks are a measurable share.
 */
export function f32_gemm_5x8_full__simd128(kc: i32, init: usize, weights: usize, a: usize, aStride: usize, out: usize, outStride: usize): void {
  gemm5x8(kc, init, weights, a, aStride, out, outStride, 5, 8, 0, 0, false);
}

// @ts-ignore: decorator
@inline function gemm5x8(
  kc: i32, init: usize, weights: usize, a: usize, aStride: usize,
  out: usize, outStride: usize, mr: i32, nr: i32, actMin: f32, actMax: f32, clamp: bool,
): void {
  let acc00: v128, acc01: v128, acc10: v128, acc11: v128, acc20: v128, acc21: v128, acc30: v128, acc31: v128, acc40: v128, acc41: v128;
  if (init != 0) {
    acc00 = v128.load32_splat(init, 0);
    acc10 = v128.load32_splat(init, 4);
    acc20 = v128.load32_splat(init, 8);
    acc30 = v128.load32_splat(init, 12);
    acc40 = v128.load32_splat(init, 16);
    acc01 = acc00; acc11 = acc10; acc21 = acc20; acc31 = acc30; acc41 = acc40;
  } else {
    // rows past mr read row 0 (their results are never stored)
    const r1 = mr > 1 ? out + outStride : out;
    const r2 = mr > 2 ? out + 2 * outStride : out;
    const r3 = mr > 3 ? out + 3 * outStride : out;
    const r4 = mr > 4 ? out + 4 * outStride : out;
    acc00 = loadHalf(out, nr, 0); acc01 = loadHalf(out, nr, 4);
    acc10 = loadHalf(r1, nr, 0); acc11 = loadHalf(r1, nr, 4);
    acc20 = loadHalf(r2, nr, 0); acc21 = loadHalf(r2, nr, 4);
    acc30 = loadHalf(r3, nr, 0); acc31 = loadHalf(r3, nr, 4);
    acc40 = loadHalf(r4, nr, 0); acc41 = loadHalf(r4, nr, 4);
  }
  let w = weights;
  for (let k = 0; k < kc; k++) {
    const a0 = v128.load(a, 0);
    const a1 = v128.load(a, 16);
    let wk = v128.load32_splat(w, 0);
    acc00 = madd(acc00, wk, a0);
    acc01 = madd(acc01, wk, a1);
    wk = v128.load32_splat(w, 4);
    acc10 = madd(acc10, wk, a0);
    acc11 = madd(acc11, wk, a1);
    wk = v128.load32_splat(w, 8);
    acc20 = madd(acc20, wk, a0);
    acc21 = madd(acc21, wk, a1);
    wk = v128.load32_splat(w, 12);
    acc30 = madd(acc30, wk, a0);
    acc31 = madd(acc31, wk, a1);
    wk = v128.load32_splat(w, 16);
    acc40 = madd(acc40, wk, a0);
    acc41 = madd(acc41, wk, a1);
    a += aStride;
    w += 20;
  }
  if (clamp) {
    // clamp to [vmin, vmax] (ReLU / ReLU6, or +-inf = none). pmax/pmin keep NaN as PyTorch.
    // (the bounds are made here, not before the loop, where they would hold two of V8's registers)
    const vmin = f32x4.splat(actMin);
    const vmax = f32x4.splat(actMax);
    acc00 = f32x4.pmin(f32x4.pmax(acc00, vmin), vmax);
    acc01 = f32x4.pmin(f32x4.pmax(acc01, vmin), vmax);
    acc10 = f32x4.pmin(f32x4.pmax(acc10, vmin), vmax);
    acc11 = f32x4.pmin(f32x4.pmax(acc11, vmin), vmax);
    acc20 = f32x4.pmin(f32x4.pmax(acc20, vmin), vmax);
    acc21 = f32x4.pmin(f32x4.pmax(acc21, vmin), vmax);
    acc30 = f32x4.pmin(f32x4.pmax(acc30, vmin), vmax);
    acc31 = f32x4.pmin(f32x4.pmax(acc31, vmin), vmax);
    acc40 = f32x4.pmin(f32x4.pmax(acc40, vmin), vmax);
    acc41 = f32x4.pmin(f32x4.pmax(acc41, vmin), vmax);
  }
  storeRow(out, acc00, acc01, nr);
  if (mr > 1) storeRow(out + outStride, acc10, acc11, nr);
  if (mr > 2) storeRow(out + 2 * outStride, acc20, acc21, nr);
  if (mr > 3) storeRow(out + 3 * outStride, acc30, acc31, nr);
  if (mr > 4) storeRow(out + 4 * outStride, acc40, acc41, nr);
}

// floats first .. first + 3 of an output row of nr valid floats (zeros past them), without a call
// @ts-ignore: decorator
@inline function loadHalf(row: usize, nr: i32, first: i32): v128 {
  if (nr >= first + 4) return v128.load(row + <usize>first * 4);
  let v = f32x4.splat(0);
  if (nr > first) v = f32x4.replace_lane(v, 0, load<f32>(row + <usize>first * 4));
  if (nr > first + 1) v = f32x4.replace_lane(v, 1, load<f32>(row + <usize>first * 4, 4));
  if (nr > first + 2) v = f32x4.replace_lane(v, 2, load<f32>(row + <usize>first * 4, 8));
  return v;
}

// the first nr (<= 8) floats of lo:hi to row, lane by lane past full vectors
// @ts-ignore: decorator
@inline function storeRow(row: usize, lo: v128, hi: v128, nr: i32): void {
  if (nr == 8) {
    v128.store(row, lo);
    v128.store(row, hi, 16);
    return;
  }
  let v = lo;
  let p = row;
  let left = nr;
  if (left >= 4) {
    v128.store(row, lo);
    v = hi;
    p += 16;
    left -= 4;
  }
  if (left > 0) store<f32>(p, f32x4.extract_lane(v, 0));
  if (left > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (left > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
  if (left > 3) store<f32>(p, f32x4.extract_lane(v, 3), 12);
}
