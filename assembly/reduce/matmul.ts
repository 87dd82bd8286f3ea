// Matrix products on the convolutions' 5x8 GEMM micro-kernel (conv/gemm.ts).
//
// out[M, N] = A[M, K] B[K, N], per batch. A is packed once per batch (conv/pack.ts: blocks of 5 rows,
// [5 zero biases][K][5]), B a slab of KC rows x NC columns at a time into 8-column panels
// ([panel][kc][8], zero past N), so the kernel reads both contiguously: a 5 x kc block of A stays in
// L1 while it sweeps the slab's panels (in L2). K above KC accumulates onto the output tile.

import { f32_conv2d_pack, f32_conv2d_packed_size, GEMM_MR, GEMM_NR } from "../conv/pack";
import { f32_gemm_5x8__simd128 } from "../conv/gemm";
import { linearAll } from "../conv/linear";

const KC: i32 = 256;
const NC: i32 = 128;

/** Workspace bytes f32_matmul needs: `rows` rows of A packed (M, or a split's rows per unit) and one B slab. */
export function f32_matmul_workspace(rows: i32, K: i32): i32 {
  return (f32_conv2d_packed_size(rows, 1, K) + KC * NC) * 4;
}

/**
 * out + b*M*N*4 = (a + b*aBatchBytes) @ (bm + b*bBatchBytes) for b < batch; a [M, K] and bm [K, N]
 * row-major, out contiguous. aBatchBytes == 0 (a broadcast over the batch) packs A once per call.
 * Units [unitStart, unitEnd) of the grid (issue #15's split): per batch matrix, units of
 * `mBlocksPerUnit` blocks of 5 rows of A (0: all), each split into slabs of NC columns, unit
 * u = (b * mUnits + mu) * slabs + slab. Every output's arithmetic (K in slabs of KC, in order) is the
 * same whichever call computes it. A call packs each row unit of A it covers into its workspace
 * (f32_matmul_workspace(min(M, 5 * mBlocksPerUnit), K) bytes).
 */
export function f32_matmul(
  a: usize, bm: usize, out: usize, M: i32, K: i32, N: i32, batch: i32, aBatchBytes: usize, bBatchBytes: usize, workspace: usize,
  unitStart: i32, unitEnd: i32, mBlocksPerUnit: i32,
): void {
  const mBlocks = (M + GEMM_MR - 1) / GEMM_MR;
  const mStep = mBlocksPerUnit > 0 ? min(mBlocksPerUnit, mBlocks) : mBlocks;
  const slabs = (N + NC - 1) / NC;
  if (mStep == 0 || slabs == 0) return;
  const mUnits = (mBlocks + mStep - 1) / mStep;
  const packed = workspace;
  const slab = workspace + <usize>f32_conv2d_packed_size(min(M, mStep * GEMM_MR), 1, K) * 4;
  const blockBytes = <usize>(K + 1) * GEMM_MR * 4;
  const rowBytes = <usize>N * 4;
  const perBatch = mUnits * slabs;
  const end = min<i64>(<i64>unitEnd, <i64>batch * perBatch);
  let packedKey: i64 = -1;
  let u = <i64>max(unitStart, 0);
  while (u < end) {
    const bi = <i32>(u / perBatch);
    const r = <i32>(u - <i64>bi * perBatch);
    const mu = r / slabs;
    const s0 = r - mu * slabs;
    const s1 = <i32>min<i64>(<i64>slabs, <i64>s0 + (end - u));
    u += <i64>(s1 - s0);
    const mb0 = mu * mStep;
    const mb1 = min(mBlocks, mb0 + mStep);
    // this unit's rows of A, packed unless they already are (a broadcast A: once)
    const key = <i64>(aBatchBytes != 0 ? bi : 0) * mUnits + mu;
    if (key != packedKey) {
      f32_conv2d_pack(a + <usize>bi * aBatchBytes + <usize>mb0 * GEMM_MR * K * 4, 0, min(M, mb1 * GEMM_MR) - mb0 * GEMM_MR, 1, K, packed);
      packedKey = key;
    }
    const b = bm + <usize>bi * bBatchBytes;
    const o = out + <usize>bi * M * rowBytes;
    for (let s = s0; s < s1; s++) {
      const j0 = s * NC;
      const nc = min(NC, N - j0);
      const panels = (nc + GEMM_NR - 1) / GEMM_NR;
      let k0 = 0;
      do {
        // K == 0 runs once with kc = 0: the kernel writes the zero "bias"
        const kc = min(KC, K - k0);
        packSlab(b + (<usize>k0 * N + j0) * 4, rowBytes, kc, nc, slab);
        const panelBytes = <usize>kc * GEMM_NR * 4;
        for (let mb = mb0; mb < mb1; mb++) {
          const block = packed + <usize>(mb - mb0) * blockBytes;
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
 * F.bilinear: out[n, o] = bias[o] + sum_i sum_j x1[n, i] w[o, i, j] x2[n, j], rows [rowStart,
 * rowEnd) one at a time: t = w x2[n] (w as [out * in1, in2]) into the workspace (out * in1 floats),
 * then out[n] = t x1[n] + bias (t as [out, in1]). Both steps are the SIMD dot products of f32_linear.
 */
export function f32_bilinear(
  x1: usize, x2: usize, weight: usize, bias: usize, out: usize, rows: i32, in1: i32, in2: i32, outFeatures: i32, workspace: usize,
  rowStart: i32, rowEnd: i32,
): void {
  for (let n = max(rowStart, 0); n < min(rowEnd, rows); n++) {
    linearAll(x2 + <usize>n * in2 * 4, weight, 0, workspace, 1, in2, outFeatures * in1);
    linearAll(x1 + <usize>n * in1 * 4, workspace, bias, out + <usize>n * outFeatures * 4, 1, in1, outFeatures);
  }
}
