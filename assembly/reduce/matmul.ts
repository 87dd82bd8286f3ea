// Matrix products on the convolutions' 5x8 GEMM micro-kernel (conv/gemm.ts).
//
// out[M, N] = A[M, K] B[K, N], per batch. A is packed once per batch (conv/pack.ts: blocks of 5 rows,
// [5 zero biases][K][5]), B a slab of KC rows x NC columns at a time into 8-column panels
// ([panel][kc][8], zero past N), so the kernel reads both contiguously: a 5 x kc block of A stays in
// L1 while it sweeps the slab's panels (in L2). K above KC accumulates onto the output tile.

import { f32_conv2d_pack, f32_conv2d_packed_size, GEMM_MR, GEMM_NR } from "../conv/pack";
import { f32_gemm_5x8__simd128 } from "../conv/gemm";
import { f32_linear } from "../conv/linear";

const KC: i32 = 256;
const NC: i32 = 128;

/** Workspace bytes f32_matmul needs: packed A and one B slab. */
export function f32_matmul_workspace(M: i32, K: i32): i32 {
  return (f32_conv2d_packed_size(M, 1, K) + KC * NC) * 4;
}

/**
 * out + b*M*N*4 = (a + b*aBatchBytes) @ (bm + b*bBatchBytes) for b < batch; a [M, K] and bm [K, N]
 * row-major, out contiguous. aBatchBytes == 0 (a broadcast over the batch) packs A once.
 */
export function f32_matmul(
  a: usize, bm: usize, out: usize, M: i32, K: i32, N: i32, batch: i32, aBatchBytes: usize, bBatchBytes: usize, workspace: usize,
): void {
  const packed = workspace;
  const slab = workspace + <usize>f32_conv2d_packed_size(M, 1, K) * 4;
  const blockBytes = <usize>(K + 1) * GEMM_MR * 4;
  const mBlocks = (M + GEMM_MR - 1) / GEMM_MR;
  const rowBytes = <usize>N * 4;
  for (let bi = 0; bi < batch; bi++) {
    if (bi == 0 || aBatchBytes != 0) f32_conv2d_pack(a + <usize>bi * aBatchBytes, 0, M, 1, K, packed);
    const b = bm + <usize>bi * bBatchBytes;
    const o = out + <usize>bi * M * rowBytes;
    for (let j0 = 0; j0 < N; j0 += NC) {
      const nc = min(NC, N - j0);
      const panels = (nc + GEMM_NR - 1) / GEMM_NR;
      let k0 = 0;
      do {
        // K == 0 runs once with kc = 0: the kernel writes the zero "bias"
        const kc = min(KC, K - k0);
        packSlab(b + (<usize>k0 * N + j0) * 4, rowBytes, kc, nc, slab);
        const panelBytes = <usize>kc * GEMM_NR * 4;
        for (let mb = 0; mb < mBlocks; mb++) {
          const block = packed + <usize>mb * blockBytes;
          const init = k0 == 0 ? block : 0;
          const weights = block + GEMM_MR * 4 + <usize>k0 * GEMM_MR * 4;
          const mr = min(GEMM_MR, M - mb * GEMM_MR);
          const outTile = o + <usize>mb * GEMM_MR * rowBytes + <usize>j0 * 4;
          for (let p = 0; p < panels; p++) {
            const nr = min(GEMM_NR, nc - p * GEMM_NR);
            f32_gemm_5x8__simd128(kc, init, weights, slab + <usize>p * panelBytes, GEMM_NR * 4, outTile + <usize>p * GEMM_NR * 4, rowBytes, mr, nr);
          }
        }
        k0 += kc;
      } while (k0 < K);
    }
  }
}

/** kc rows (rowBytes apart) x nc columns at src -> [ceil(nc/8)][kc][8] at dst, zero past nc. */
function packSlab(src: usize, rowBytes: usize, kc: i32, nc: i32, dst: usize): void {
  const full = nc >> 3;
  for (let p = 0; p < full; p++) {
    let s = src + <usize>p * 32;
    for (let k = 0; k < kc; k++) {
      v128.store(dst, v128.load(s));
      v128.store(dst, v128.load(s, 16), 16);
      s += rowBytes;
      dst += 32;
    }
  }
  const rest = nc & 7;
  if (rest != 0) {
    let s = src + <usize>full * 32;
    for (let k = 0; k < kc; k++) {
      v128.store(dst, f32x4.splat(0));
      v128.store(dst, f32x4.splat(0), 16);
      memory.copy(dst, s, <usize>rest * 4);
      s += rowBytes;
      dst += 32;
    }
  }
}

/**
 * F.bilinear: out[n, o] = bias[o] + sum_i sum_j x1[n, i] w[o, i, j] x2[n, j], one row at a time:
 * t = w x2[n] (w as [out * in1, in2]) into the workspace (out * in1 floats), then
 * out[n] = t x1[n] + bias (t as [out, in1]). Both steps are the SIMD dot products of f32_linear.
 */
export function f32_bilinear(
  x1: usize, x2: usize, weight: usize, bias: usize, out: usize, rows: i32, in1: i32, in2: i32, outFeatures: i32, workspace: usize,
): void {
  for (let n = 0; n < rows; n++) {
    f32_linear(x2 + <usize>n * in2 * 4, weight, 0, workspace, 1, in2, outFeatures * in1);
    f32_linear(x1 + <usize>n * in1 * 4, workspace, bias, out + <usize>n * outFeatures * 4, 1, in1, outFeatures);
  }
}
