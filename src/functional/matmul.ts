// torch.matmul: PyTorch 1.13's dispatch (dot, mv, mm, folded and batched products) and its shape
// errors, on the GEMM of assembly/reduce/matmul.ts (f32_linear's dot products for matrix-vector).

import { Tensor, empty, numel } from "../tensor.js";
import { heapF32, wasm } from "../runtime.js";
import { allocate, release } from "../allocator.js";
import { parseArgs, required } from "../args.js";
import { checkTensor } from "./shape.js";
import { linearDots } from "./linear.js";
import { parallel, threadBytes, threadsFor } from "../threads/parallel.js";

const DTYPE_NAME = { float32: "Float", int64: "Long" } as const;

/**
 * torch.matmul(input, other), as PyTorch 1.13 dispatches it:
 * - 1-D . 1-D: dot -> 0-d; 2-D x 1-D: mv -> [M]; 1-D x 2-D: [K] as [1, K] -> [N]; 2-D x 2-D: mm;
 * - >= 3-D x 1-D/2-D: the batch folded into the rows (one GEMM); 1-D/2-D x >= 3-D: one GEMM per
 *   batch matrix of `other`, input packed once;
 * - both >= 3-D: batch dims broadcast, a GEMM per batch matrix.
 * Shape errors are PyTorch's, which name the operation it dispatched to (mv's "size mismatch",
 * mm's "mat1 and mat2 shapes cannot be multiplied", bmm's "Expected size ...").
 */
export function matmul(...args: unknown[]): Tensor {
  const a = parseArgs("matmul", [["input", required], ["other", required]], args);
  const A = checkTensor(a.input, "matmul", "input");
  const B = checkTensor(a.other, "matmul", "other");
  if (A.dtype !== B.dtype) throw new TypeError(`expected scalar type ${DTYPE_NAME[A.dtype]} but found ${DTYPE_NAME[B.dtype]}`);
  if (A.dtype !== "float32") throw new TypeError("matmul(): wasmnn multiplies float32 tensors only, but got int64");
  const da = A.dim(), db = B.dim();
  if (da === 0 || db === 0) throw new Error(`both arguments to matmul need to be at least 1D, but they are ${da}D and ${db}D`);
  const sa = A.shape, sb = B.shape;
  if (da === 1 && db === 1) {
    if (sa[0] !== sb[0]) {
      throw new Error(`inconsistent tensor size, expected tensor [${sa[0]}] and src [${sb[0]}] to have the same number of elements, but got ${sa[0]} and ${sb[0]} elements respectively`);
    }
    return matrixVector(A, B, 1, sa[0], []);
  }
  if (db === 1 && da >= 2) {
    // mv, with the batch of a >= 3-D input folded into its rows
    const K = sa[da - 1];
    const rows = numel(sa.slice(0, -1));
    if (K !== sb[0]) throw new Error(`size mismatch, got ${rows}, ${rows}x${K},${sb[0]}`);
    return matrixVector(A, B, rows, K, sa.slice(0, -1));
  }
  if (da === 1 && db === 2) {
    // [K] x [K, N]: [K] as [1, K]
    const [K2, N] = sb;
    if (sa[0] !== K2) throw new Error(`mat1 and mat2 shapes cannot be multiplied (1x${sa[0]} and ${K2}x${N})`);
    return gemm(A, B, 1, sa[0], N, [N]);
  }
  if (db === 2) {
    // mm, with the batch of a >= 3-D input folded into its rows
    const K = sa[da - 1];
    const rows = numel(sa.slice(0, -1));
    const [K2, N] = sb;
    if (K !== K2) throw new Error(`mat1 and mat2 shapes cannot be multiplied (${rows}x${K} and ${K2}x${N})`);
    return gemm(A, B, rows, K, N, [...sa.slice(0, -1), N]);
  }
  if (da <= 2) {
    // PyTorch computes (other^T input^T)^T with other^T folded: its errors say so
    const batch = sb.slice(0, -2);
    const [K2, N] = sb.slice(-2);
    const P = numel(batch);
    if (da === 1) {
      if (sa[0] !== K2) throw new Error(`size mismatch, got ${P * N}, ${P * N}x${K2},${sa[0]}`);
      return gemm(A, B, 1, K2, N, [...batch, N], P, 0, K2 * N);
    }
    const [M, K] = sa;
    if (K !== K2) throw new Error(`mat1 and mat2 shapes cannot be multiplied (${P * N}x${K2} and ${K}x${M})`);
    return gemm(A, B, M, K, N, [...batch, M, N], P, 0, K2 * N);
  }
  return batched(A, B);
}

/** out[rows] = A[rows, K] . v[K] (f32_linear: v as the single input row, A as the weight). */
function matrixVector(A: Tensor, v: Tensor, rows: number, K: number, shape: number[]): Tensor {
  const out = empty(shape);
  if (out.numel() > 0) linearDots(v.ptr, A.ptr, 0, out.ptr, 1, K, rows);
  return out;
}

/**
 * out (shape) = batch x (A [M, K] @ B [K, N]), the batch matrices aBatch and bBatch elements apart
 * (0: the same matrix for every batch).
 */
function gemm(A: Tensor, B: Tensor, M: number, K: number, N: number, shape: number[], batch = 1, aBatch = M * K, bBatch = K * N): Tensor {
  const out = empty(shape);
  if (out.numel() === 0) return out;
  if (K === 0) {
    heapF32().fill(0, out.ptr / 4, out.ptr / 4 + out.numel());
    return out;
  }
  gemmCalls([[A.ptr, B.ptr, out.ptr]], M, K, N, batch, aBatch, bBatch);
  return out;
}

/**
 * f32_matmul for each [a, b, out] pointer triple, split across threads (issue #15) by its units:
 * batch matrices x slabs of 128 columns, and blocks of 5 rows of A when those are too few for every
 * thread (each task packs the rows of A it needs, then B's slabs in its range).
 */
function gemmCalls(calls: [number, number, number][], M: number, K: number, N: number, batch: number, aBatch: number, bBatch: number): void {
  const k = wasm();
  const mBlocks = Math.ceil(M / 5);
  const slabs = Math.ceil(N / 128);
  const threads = threadsFor(calls.length * batch * M * K * N, batch * mBlocks * slabs);
  // rows of A per unit: all, or about enough units for 3 tasks a thread (at least 2 blocks)
  const mUnits = threads === 1 ? 1 : Math.min(Math.ceil(mBlocks / 2), Math.max(1, Math.ceil(3 * threads / (batch * slabs))));
  const mBlocksPerUnit = mUnits === 1 ? 0 : Math.ceil(mBlocks / mUnits);
  const units = batch * (mBlocksPerUnit === 0 ? 1 : Math.ceil(mBlocks / mBlocksPerUnit)) * slabs;
  const bytes = threadBytes(k.f32_matmul_workspace(mBlocksPerUnit === 0 ? M : Math.min(M, 5 * mBlocksPerUnit), K), threads);
  const workspace = allocate(bytes * threads, "matmul workspace", "workspaces");
  try {
    for (const [a, b, out] of calls) {
      parallel("f32_matmul", units, threads, (start, end) => [a, b, out, M, K, N, batch, aBatch * 4, bBatch * 4, workspace, start, end, mBlocksPerUnit],
        { perThread: { arg: 9, bytes } });
    }
  } finally {
    release(workspace, bytes * threads);
  }
}

/** Both >= 3-D: batch dims broadcast (PyTorch's words on mismatch), then bmm's K check. */
function batched(A: Tensor, B: Tensor): Tensor {
  const batchA = A.shape.slice(0, -2), batchB = B.shape.slice(0, -2);
  const [M, K] = A.shape.slice(-2);
  const [K2, N] = B.shape.slice(-2);
  const rank = Math.max(batchA.length, batchB.length);
  const batch: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = batchA[i - rank + batchA.length] ?? 1;
    const y = batchB[i - rank + batchB.length] ?? 1;
    if (x !== y && x !== 1 && y !== 1) {
      throw new Error(`The size of tensor a (${x}) must match the size of tensor b (${y}) at non-singleton dimension ${i}`);
    }
    batch.push(x === 1 ? y : x);
  }
  const P = numel(batch);
  if (K !== K2) throw new Error(`Expected size for first two dimensions of batch2 tensor to be: [${P}, ${K}] but got: [${P}, ${K2}].`);
  const out = empty([...batch, M, N]);
  if (out.numel() === 0) return out;
  if (K === 0) {
    heapF32().fill(0, out.ptr / 4, out.ptr / 4 + out.numel());
    return out;
  }
  // strides, in matrices, of each operand's batch dims within the broadcast batch (0: broadcast)
  const strides = (own: readonly number[]): number[] => {
    const padded = [...Array<number>(rank - own.length).fill(1), ...own];
    const out: number[] = [];
    let step = 1;
    for (let i = rank - 1; i >= 0; i--) {
      out[i] = padded[i] === 1 ? 0 : step;
      step *= padded[i];
    }
    return out;
  };
  const strideA = strides(batchA), strideB = strides(batchB);
  if (strideB.every((s) => s === 0) && numel(batchA) === P) {
    // one matrix of B for the whole batch: fold A's batch into its rows
    gemmCalls([[A.ptr, B.ptr, out.ptr]], P * M, K, N, 1, 0, 0);
    return out;
  }
  // the innermost batch dim runs inside the kernel; the others here
  const last = rank - 1;
  const inner = batch[last];
  const calls: [number, number, number][] = [];
  const outerCount = P / inner;
  for (let o = 0; o < outerCount; o++) {
    let rest = o, aIndex = 0, bIndex = 0;
    for (let i = last - 1; i >= 0; i--) {
      const index = rest % batch[i];
      rest = Math.floor(rest / batch[i]);
      aIndex += index * strideA[i];
      bIndex += index * strideB[i];
    }
    calls.push([A.ptr + aIndex * M * K * 4, B.ptr + bIndex * K * N * 4, out.ptr + o * inner * M * N * 4]);
  }
  gemmCalls(calls, M, K, N, inner, strideA[last] * M * K, strideB[last] * K * N);
  return out;
}
