// The reduce family against PyTorch 1.13 (tests/fixtures/ops/reduce.py): reductions, matmul,
// Embedding, Bilinear and Linear with leading dims; then what a replay cannot express.
import { describe, expect, test } from "vitest";
import fc from "fast-check";
import {
  init, tensor, tidy, memory, randn, Tensor, nn, F,
  sum, mean, amax, amin, max, min, argmax, argmin, topk, matmul,
} from "../src/index.js";
import { replay, loadOps, type ReplayCase } from "./replay.js";
import { thrownMessage, type Tolerance } from "./helpers.js";

await init();

const U = 2 ** -24;   // float32's unit roundoff
const { tensors } = loadOps("reduce");

const ref = (v: unknown): Tensor | null =>
  v !== null && typeof v === "object" && !Array.isArray(v) && "tensor" in (v as object) ? tensors[(v as { tensor: string }).tensor] : null;

/** Largest finite |x| of a fixture tensor (1 if it has none). */
function maxAbs(v: unknown): number {
  const t = ref(v);
  if (t === null || t.dtype !== "float32") return 1;
  let m = 0;
  for (const x of t.data()) if (Number.isFinite(x)) m = Math.max(m, Math.abs(x));
  return m || 1;
}

/** Elements per output of a sum/mean case: the product of the reduced dims. */
function reductionLength(c: ReplayCase): number {
  const shape = ref(c.args[0])!.shape;
  const dim = c.args[1] ?? c.kwargs.dim ?? null;
  const dims = dim === null || (Array.isArray(dim) && dim.length === 0) ? shape.map((_, d) => d)
    : (Array.isArray(dim) ? dim as number[] : [dim as number]).map((d) => (d < 0 ? d + Math.max(shape.length, 1) : d));
  return dims.reduce((n, d) => n * (shape[d] ?? 1), 1);
}

/**
 * Tolerances, each from what the operation accumulates:
 * - sum: both PyTorch (cascade sum) and wasmnn (pairwise blocks of 256) grow the rounding error as
 *   O(log n) in the worst case and ~sqrt(n) typically: 8 u sqrt(n) max|x| absolute, 4 u relative;
 * - mean: that sum's error divided by n, plus the division's rounding;
 * - amax/amin/max/min/argmax/argmin/topk: selections, exact (atol 0, rtol 0: the sign of a zero
 *   among equal zeros is not compared, as PyTorch's own vectorised and scalar paths disagree on it;
 *   indices are compared bit-exact);
 * - matmul, linear: a length-K dot product per element; the partial sums of K terms of size
 *   max|a| max|b| grow as sqrt(K) and each of K roundings is u of that: 2 u K max|a| max|b| covers
 *   both implementations' sequential/blocked orders;
 * - bilinear: the same over in1 * in2 terms x1_i w_oij x2_j;
 * - embedding: a copy (exact); with max_norm, PyTorch's float32 norm against wasmnn's float64 one
 *   makes the scale differ by ~1 ulp: 4 u relative.
 */
const EXACT: Tolerance = { atol: 0, rtol: 0 };
const sumTol = (c: ReplayCase): Tolerance => {
  const n = reductionLength(c);
  return { atol: 8 * U * Math.sqrt(n) * maxAbs(c.args[0]), rtol: 4 * U };
};
const meanTol = (c: ReplayCase): Tolerance => {
  const n = Math.max(reductionLength(c), 1);
  return { atol: (8 * U * Math.sqrt(n) * maxAbs(c.args[0])) / n, rtol: 4 * U };
};
const dotTol = (k: number, ...factors: unknown[]): Tolerance =>
  ({ atol: 2 * U * Math.max(k, 1) * factors.reduce<number>((p, f) => p * maxAbs(f), 1), rtol: 4 * U });
const matmulTol = (c: ReplayCase): Tolerance => {
  const a = ref(c.args[0])!;
  return dotTol(a.shape[a.dim() - 1], c.args[0], c.args[1]);
};
const linearTol = (c: ReplayCase): Tolerance => {
  if (c.call !== undefined) return dotTol(ref(c.args[1])!.shape[1], c.args[0], c.args[1]);
  const state = c.state as Record<string, unknown>;
  return { atol: dotTol(ref(state.weight)!.shape[1], c.inputs![0], state.weight).atol + 4 * U * maxAbs(state.bias), rtol: 4 * U };
};
const bilinearTol = (c: ReplayCase): Tolerance => {
  const [x1, x2, w, b] = c.call !== undefined ? [c.args[0], c.args[1], c.args[2], c.args[3] ?? c.kwargs.bias]
    : [c.inputs![0], c.inputs![1], (c.state as Record<string, unknown>).weight, (c.state as Record<string, unknown>).bias];
  const weight = ref(w)!;
  const terms = weight.shape[1] * weight.shape[2];
  return { atol: dotTol(terms, x1, w, x2).atol + 4 * U * maxAbs(b), rtol: 4 * U };
};
const embeddingTol = (c: ReplayCase): Tolerance | null => {
  const maxNorm = c.call !== undefined ? (c.args[3] ?? c.kwargs.max_norm) : (c.args[3] ?? c.kwargs.max_norm);
  return maxNorm === undefined || maxNorm === null ? null : { atol: 0, rtol: 4 * U };
};

replay("reduce", {
  tolerance: {
    "torch.sum": sumTol, "Tensor.sum": sumTol, "torch.mean": meanTol, "Tensor.mean": meanTol,
    "torch.amax": EXACT, "Tensor.amax": EXACT, "torch.amin": EXACT, "Tensor.amin": EXACT,
    "torch.max": EXACT, "Tensor.max": EXACT, "torch.min": EXACT, "Tensor.min": EXACT,
    "torch.argmax": EXACT, "Tensor.argmax": EXACT, "torch.argmin": EXACT, "Tensor.argmin": EXACT,
    "torch.topk": EXACT, "Tensor.topk": EXACT,
    "torch.matmul": matmulTol, "Tensor.matmul": matmulTol,
    "F.embedding": embeddingTol, "nn.Embedding": embeddingTol,
    "F.bilinear": bilinearTol, "nn.Bilinear": bilinearTol,
    "F.linear": linearTol, "nn.Linear": linearTol,
  },
  messages: {},
});
