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
// registers V8 leaves to Wasm on x64. Measured (a standalone loop, K = 256, hot cache, Node 20):
// 42-45 GFLOP/s against 36.5 for a 4x8 tile (bound by its loop overhead: fewer flops per
// instruction) and 28.0 for 6x8 (which spills an accumulator every step); this machine's peak is
// 43-44 (npm run bench:peak).

import { scratch, SCRATCH_GEMM_TILE } from "../scratch";

// acc + w * a. The default build multiplies then adds (two roundings, bit-identical everywhere);
// the opt-in relaxed build (--enable relaxed-simd) lets the engine fuse them (FMA on x86 with AVX2).
// @ts-ignore: decorator
@inline export function madd(acc: v128, w: v128, a: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(w, a, acc);
  return f32x4.add(acc, f32x4.mul(w, a));
}

/**
 * One tile of the convolution GEMM: any mr <= 5 rows, nr <= 8 columns, no activation (the driver
 * clamps whole rows after the last K block). Whole tiles go straight to the kernel; partial ones run
 * it on a scratch tile (rows past mr have zero weights, columns past nr repeat pixel 0) and copy the
 * valid part.
 */
export function f32_gemm_5x8__simd128(
  kc: i32, init: usize, weights: usize, a: usize, aStride: usize, out: usize, outStride: usize, mr: i32, nr: i32,
): void {
  if (mr == 5 && nr == 8) {
    f32_gemm_5x8_full__simd128(kc, init, weights, a, aStride, out, outStride);
    return;
  }
  if (init == 0) copyTile(out, outStride, scratch(SCRATCH_GEMM_TILE), 32, mr, nr);
  f32_gemm_5x8_full__simd128(kc, init, weights, a, aStride, scratch(SCRATCH_GEMM_TILE), 32);
  copyTile(scratch(SCRATCH_GEMM_TILE), 32, out, outStride, mr, nr);
}


function copyTile(from: usize, fromStride: usize, to: usize, toStride: usize, mr: i32, nr: i32): void {
  for (let r = 0; r < mr; r++) memory.copy(to + <usize>r * toStride, from + <usize>r * fromStride, <usize>nr * 4);
}

/**
 * The micro-kernel: a whole 5x8 tile, from the bias (init != 0) or accumulating onto out, no clamp.
 * Also the Winograd position GEMMs' entry. V8 keeps its 14 vectors in registers only while the
 * code after the loop is plain stores: a clamp or tail branches there (even without calls) made it
 * hoist all loads to the top of the loop and spill two accumulators, 43 -> 22 GFLOP/s. So fused
 * ReLU/ReLU6 is the driver's pass over the output rows (conv.ts), not an epilogue here.
 */
export function f32_gemm_5x8_full__simd128(kc: i32, init: usize, weights: usize, a: usize, aStride: usize, out: usize, outStride: usize): void {
  let acc00: v128, acc01: v128, acc10: v128, acc11: v128, acc20: v128, acc21: v128, acc30: v128, acc31: v128, acc40: v128, acc41: v128;
  if (init != 0) {
    acc00 = v128.load32_splat(init, 0);
    acc10 = v128.load32_splat(init, 4);
    acc20 = v128.load32_splat(init, 8);
    acc30 = v128.load32_splat(init, 12);
    acc40 = v128.load32_splat(init, 16);
    acc01 = acc00; acc11 = acc10; acc21 = acc20; acc31 = acc30; acc41 = acc40;
  } else {
    acc00 = v128.load(out); acc01 = v128.load(out, 16);
    acc10 = v128.load(out + outStride); acc11 = v128.load(out + outStride, 16);
    acc20 = v128.load(out + 2 * outStride); acc21 = v128.load(out + 2 * outStride, 16);
    acc30 = v128.load(out + 3 * outStride); acc31 = v128.load(out + 3 * outStride, 16);
    acc40 = v128.load(out + 4 * outStride); acc41 = v128.load(out + 4 * outStride, 16);
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
  v128.store(out, acc00); v128.store(out, acc01, 16);
  v128.store(out + outStride, acc10); v128.store(out + outStride, acc11, 16);
  v128.store(out + 2 * outStride, acc20); v128.store(out + 2 * outStride, acc21, 16);
  v128.store(out + 3 * outStride, acc30); v128.store(out + 3 * outStride, acc31, 16);
  v128.store(out + 4 * outStride, acc40); v128.store(out + 4 * outStride, acc41, 16);
}
