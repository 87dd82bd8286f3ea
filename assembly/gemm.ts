// f32 GEMM micro-kernel, 4 output channels x 8 pixels, Wasm SIMD128.
//
// out[r][j] = bias[r] + sum_k w[k][r] * a[k][j]      r < 4 (mr valid), j < 8 (nr valid)
//
// Packed weights hold one block of 4 output channels: [4 bias][K][4 weights] (see pack.ts); a call
// covers kc rows of it from `weights`. The accumulators start from the 4 floats at `init` (the bias),
// or, when init is 0, from what `out` already holds (the next block of K, for caches' sake).
// `a` is a K x 8 panel whose rows are `aStride` bytes apart: a packed im2col panel (32 bytes) or,
// for 1x1 stride-1 convolutions, the input planes themselves (H*W*4 bytes).
// Weights are broadcast with load32_splat; 8 accumulators + 2 inputs + 1 weight stay in xmm
// registers (V8 on x64 leaves ~15 to Wasm; larger tiles spill, see DESIGN "Kernel strategy").

// acc + w * a. The default build multiplies then adds (two roundings, bit-identical everywhere);
// the opt-in relaxed build (--enable relaxed-simd) lets the engine fuse them (FMA on x86 with AVX2).
// @ts-ignore: decorator
@inline export function madd(acc: v128, w: v128, a: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(w, a, acc);
  return f32x4.add(acc, f32x4.mul(w, a));
}

// scratch for tail stores (nr < 8): one row of 8 floats
const tailScratch = memory.data(32, 16);

export function f32_gemm_4x8__simd128(
  kc: i32, init: usize, weights: usize, a: usize, aStride: usize,
  out: usize, outStride: usize, mr: i32, nr: i32, actMin: f32, actMax: f32,
): void {
  gemm4x8(kc, init, weights, a, aStride, out, outStride, mr, nr, actMin, actMax, true);
}

/**
 * A whole 4x8 tile (mr 4, nr 8) with no clamp: the Winograd position GEMMs, whose K is often small
 * (12 for the stem), where the epilogue's 16 min/max and the tail checks are a measurable share.
 */
export function f32_gemm_4x8_full__simd128(kc: i32, init: usize, weights: usize, a: usize, aStride: usize, out: usize, outStride: usize): void {
  gemm4x8(kc, init, weights, a, aStride, out, outStride, 4, 8, 0, 0, false);
}

// @ts-ignore: decorator
@inline function gemm4x8(
  kc: i32, init: usize, weights: usize, a: usize, aStride: usize,
  out: usize, outStride: usize, mr: i32, nr: i32, actMin: f32, actMax: f32, clamp: bool,
): void {
  let acc00: v128, acc01: v128, acc10: v128, acc11: v128, acc20: v128, acc21: v128, acc30: v128, acc31: v128;
  if (init != 0) {
    acc00 = v128.load32_splat(init, 0);
    acc10 = v128.load32_splat(init, 4);
    acc20 = v128.load32_splat(init, 8);
    acc30 = v128.load32_splat(init, 12);
    acc01 = acc00; acc11 = acc10; acc21 = acc20; acc31 = acc30;
  } else {
    acc00 = loadRow(out, nr, 0);                            acc01 = loadRow(out, nr, 16);
    acc10 = mr > 1 ? loadRow(out + outStride, nr, 0) : acc00;  acc11 = mr > 1 ? loadRow(out + outStride, nr, 16) : acc01;
    acc20 = mr > 2 ? loadRow(out + 2 * outStride, nr, 0) : acc00; acc21 = mr > 2 ? loadRow(out + 2 * outStride, nr, 16) : acc01;
    acc30 = mr > 3 ? loadRow(out + 3 * outStride, nr, 0) : acc00; acc31 = mr > 3 ? loadRow(out + 3 * outStride, nr, 16) : acc01;
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
    a += aStride;
    w += 16;
  }
  // epilogue: clamp to [vmin, vmax] (ReLU / ReLU6, or +-inf = none). pmax/pmin keep NaN as PyTorch.
  // (the bounds are made here, not before the loop, where they would hold two of V8's registers)
  if (clamp) {
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
  }
  if (nr == 8) {
    v128.store(out, acc00, 0);
    v128.store(out, acc01, 16);
    if (mr > 1) { out += outStride; v128.store(out, acc10, 0); v128.store(out, acc11, 16); }
    if (mr > 2) { out += outStride; v128.store(out, acc20, 0); v128.store(out, acc21, 16); }
    if (mr > 3) { out += outStride; v128.store(out, acc30, 0); v128.store(out, acc31, 16); }
    return;
  }
  storeRowTail(out, acc00, acc01, nr);
  if (mr > 1) storeRowTail(out + outStride, acc10, acc11, nr);
  if (mr > 2) storeRowTail(out + 2 * outStride, acc20, acc21, nr);
  if (mr > 3) storeRowTail(out + 3 * outStride, acc30, acc31, nr);
}

// half (offset 0 or 16) of an output row of nr valid floats, zeros past them
// @ts-ignore: decorator
@inline function loadRow(out: usize, nr: i32, offset: usize): v128 {
  if (nr == 8) return v128.load(out + offset);
  memory.fill(tailScratch, 0, 32);
  memory.copy(tailScratch, out, <usize>nr * 4);
  return v128.load(tailScratch + offset);
}

// @ts-ignore: decorator
@inline function storeRowTail(out: usize, lo: v128, hi: v128, nr: i32): void {
  v128.store(tailScratch, lo, 0);
  v128.store(tailScratch, hi, 16);
  memory.copy(out, tailScratch, <usize>nr * 4);
}
