// F.embedding: rows of a weight table looked up by int64 indices, with max_norm's in-place renorm.

import { Tensor, empty } from "../tensor.js";
import { heapF32, heapI64, wasm } from "../runtime.js";
import { parseArgs, pyType, required, type ArgSpec } from "../args.js";
import { checkTensor, fmtShape } from "./shape.js";

const SPEC: ArgSpec = [
  ["input", required], ["weight", required], ["padding_idx", null], ["max_norm", null], ["norm_type", 2.0],
  ["scale_grad_by_freq", false], ["sparse", false],
];

const TORCH_TYPE = { float32: "torch.FloatTensor", int64: "torch.LongTensor" } as const;

/**
 * torch.nn.functional.embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
 * scale_grad_by_freq=False, sparse=False): out[..., :] = weight[input[...], :], shape
 * [*input.shape, embedding_dim]. padding_idx only affects gradients (checked, then unused here);
 * max_norm rescales, in place in `weight`, each looked-up row whose norm_type-norm exceeds it to
 * max_norm / (norm + 1e-7), as PyTorch's embedding_renorm_. scale_grad_by_freq and sparse concern
 * gradients only.
 */
export function embedding(...args: unknown[]): Tensor {
  const a = parseArgs("embedding", SPEC, args);
  const input = checkTensor(a.input, "embedding", "input");
  const weight = checkTensor(a.weight, "embedding", "weight");
  const rows = weight.dim() > 0 ? weight.shape[0] : 0;
  if (a.padding_idx !== null) {
    const p = a.padding_idx;
    if (typeof p !== "number" || !Number.isInteger(p)) throw new TypeError(`embedding(): argument 'padding_idx' must be int, not ${pyType(p)}`);
    if (p >= rows || p < -rows) throw new Error("Padding_idx must be within num_embeddings");
  }
  for (const name of ["scale_grad_by_freq", "sparse"] as const) {
    if (typeof a[name] !== "boolean") throw new TypeError(`embedding(): argument '${name}' must be bool, not ${pyType(a[name])}`);
  }
  if (a.max_norm !== null) {
    if (typeof a.max_norm !== "number") throw new TypeError(`embedding(): argument 'max_norm' must be float, not ${pyType(a.max_norm)}`);
    if (typeof a.norm_type !== "number") throw new TypeError(`embedding(): argument 'norm_type' must be float, not ${pyType(a.norm_type)}`);
    checkIndices(input, "embedding_renorm_");
    renorm(weight, input, a.max_norm, a.norm_type);
  }
  if (weight.dim() !== 2) throw new Error("'weight' must be 2-D");
  checkIndices(input, "embedding");
  if (weight.dtype !== "float32") throw new TypeError(`embedding(): expected a float32 weight, but got ${weight.dtype}`);
  const dim = weight.shape[1];
  const out = empty([...input.shape, dim]);
  const bad = wasm().f32_embedding(weight.ptr, rows, dim, input.ptr, input.numel(), out.ptr);
  if (bad >= 0) {
    out.dispose();
    throw new RangeError("index out of range in self");
  }
  return out;
}

function checkIndices(input: Tensor, op: string): void {
  if (input.dtype !== "int64") {
    throw new TypeError(`Expected tensor for argument #${op === "embedding" ? 1 : 2} 'indices' to have one of the following scalar types: Long, Int; but got ${TORCH_TYPE[input.dtype]} instead (while checking arguments for ${op})`);
  }
}

/** embedding_renorm_: each distinct looked-up row with norm > maxNorm scaled by maxNorm / (norm + 1e-7). */
function renorm(weight: Tensor, input: Tensor, maxNorm: number, normType: number): void {
  if (weight.dtype !== "float32" || weight.dim() !== 2) throw new Error("'weight' must be 2-D");
  const [rows, dim] = weight.shape;
  const ids = heapI64().subarray(input.ptr / 8, input.ptr / 8 + input.numel());
  const unique = [...new Set(Array.from(ids, Number))].sort((x, y) => x - y);
  for (const id of unique) {
    if (id < -rows || id >= rows) throw new RangeError(`select(): index ${id} out of range for tensor of size ${fmtShape(weight.shape)} at dimension 0`);
  }
  const heap = heapF32();
  for (const id of unique) {
    const start = weight.ptr / 4 + (id < 0 ? id + rows : id) * dim;
    const row = heap.subarray(start, start + dim);
    const norm = pNorm(row, normType);
    if (norm > maxNorm) {
      const scale = Math.fround(maxNorm / (norm + 1e-7));
      for (let i = 0; i < dim; i++) row[i] = Math.fround(row[i] * scale);
    }
  }
  weight._bump();
}

/** torch.norm(row, p): (sum |x|^p)^(1/p); inf: max |x|; 0: the count of non-zeros. */
function pNorm(row: Float32Array, p: number): number {
  if (p === Infinity) return row.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  if (p === -Infinity) return row.reduce((m, x) => Math.min(m, Math.abs(x)), Infinity);
  if (p === 0) return row.reduce((n, x) => n + (x !== 0 ? 1 : 0), 0);
  let total = 0;
  // p = 2 and 1 without Math.pow, whose last bit engines may round differently
  if (p === 2) {
    for (const x of row) total += x * x;
    return Math.sqrt(total);
  }
  if (p === 1) {
    for (const x of row) total += Math.abs(x);
    return total;
  }
  for (const x of row) total += Math.abs(x) ** p;
  return total ** (1 / p);
}
