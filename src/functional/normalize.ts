// F.normalize and F.local_response_norm, as torch/nn/functional.py 1.13 computes them
// (kernels: assembly/norm/normalize.ts, assembly/norm/lrn.ts).

import { Tensor, empty, normalizeDim, numel } from "../tensor.js";
import { parallel, threadBytes, threadsFor } from "../threads/parallel.js";
import { Workspace } from "../allocator.js";
import { parseArgs, pyType, type ArgSpec } from "../args.js";
import { checkFloat, checkTensor } from "./shape.js";

const scratch = new Workspace("normalize scratch");
/** f32_normalize's columns per unit (assembly/norm/normalize.ts). */
const NORMALIZE_COLUMNS = 1024;

const NORMALIZE_SPEC: ArgSpec = [["input", undefined], ["p", 2.0], ["dim", 1], ["eps", 1e-12], ["out", null]];

/**
 * torch.nn.functional.normalize(input, p=2.0, dim=1, eps=1e-12, out=None)
 * (https://pytorch.org/docs/1.13/generated/torch.nn.functional.normalize.html):
 * `input / max(||input||_p along dim, eps)`. The norm accumulates in float as PyTorch's CPU
 * kernel does (p = 0 counts non-zeros, +-inf take max/min |x|). `out` is not supported.
 */
export function normalize(...args: unknown[]): Tensor {
  const a = parseArgs("normalize", NORMALIZE_SPEC, args);
  const input = checkTensor(a.input, "normalize", "input");
  checkFloat(input, "normalize", "input");
  for (const name of ["p", "eps"] as const) {
    if (typeof a[name] !== "number") throw new TypeError(`normalize(): argument '${name}' must be float, not ${pyType(a[name])}`);
  }
  if (typeof a.dim !== "number" || !Number.isInteger(a.dim)) throw new TypeError(`normalize(): argument 'dim' must be int, not ${pyType(a.dim)}`);
  if (a.out !== null) throw new TypeError("normalize(): out= is not supported by wasmnn (use the returned tensor)");
  const p = a.p as number;
  const dim = normalizeDim(a.dim as number, input.dim());
  const output = empty(input.shape);
  if (input.numel() === 0) return output;
  // [outer, reduce, inner] around dim (a 0-d tensor is one element along its only "dim")
  const shape = input.dim() === 0 ? [1] : input.shape;
  const outer = numel(shape.slice(0, dim));
  const reduce = shape[dim];
  const inner = numel(shape.slice(dim + 1));
  const kind = p === 0 ? 0 : p === 1 ? 1 : p === 2 ? 2 : p === Infinity ? 3 : p === -Infinity ? 4 : 5;
  // threads: units (o, block of NORMALIZE_COLUMNS columns), each with its own norms workspace
  const blocks = Math.ceil(inner / NORMALIZE_COLUMNS);
  const threads = threadsFor(2 * input.numel(), outer * blocks);
  const bytes = threadBytes(Math.min(inner, NORMALIZE_COLUMNS) * 4, threads);
  const norms = scratch.get(bytes * threads);
  parallel("f32_normalize", outer * blocks, threads, (start, end) =>
    [input.ptr, output.ptr, outer, reduce, inner, kind, p, a.eps as number, norms, start, end], { perThread: { arg: 8, bytes } });
  return output;
}

const LRN_SPEC: ArgSpec = [["input", undefined], ["size", undefined], ["alpha", 1e-4], ["beta", 0.75], ["k", 1.0]];

/**
 * torch.nn.functional.local_response_norm(input, size, alpha=0.0001, beta=0.75, k=1.0)
 * (https://pytorch.org/docs/1.13/generated/torch.nn.functional.local_response_norm.html):
 * `b_c = a_c / (k + alpha / size * sum_{c'} a_{c'}^2) ** beta` over the channels
 * c - size/2 .. c + (size-1)/2 of [N, C, *], in PyTorch's float arithmetic (see the kernel).
 */
export function local_response_norm(...args: unknown[]): Tensor {
  const a = parseArgs("local_response_norm", LRN_SPEC, args);
  const input = checkTensor(a.input, "local_response_norm", "input");
  checkFloat(input, "local_response_norm", "input");
  if (typeof a.size !== "number" || !Number.isInteger(a.size)) {
    throw new TypeError(`local_response_norm(): argument 'size' must be int, not ${pyType(a.size)}`);
  }
  for (const name of ["alpha", "beta", "k"] as const) {
    if (typeof a[name] !== "number") throw new TypeError(`local_response_norm(): argument '${name}' must be float, not ${pyType(a[name])}`);
  }
  const rank = input.dim();
  if (rank < 3) throw new Error(`Expected 3D or higher dimensionality                          input (got ${rank} dimensions)`);
  // as PyTorch, an empty input comes back as itself
  if (input.numel() === 0) return input;
  const size = a.size;
  if (size <= 0) {
    // avg_pool2d (3-D input) or avg_pool3d's check on the (size, 1[, 1]) window
    throw new Error(rank === 3
      ? `kernel size should be greater than zero, but got kH: ${size} kW: 1`
      : `kernel size should be greater than zero, but got kT: ${size} kH: 1 kW: 1`);
  }
  // PyTorch would pad by size / 2 channels and run out of memory long before this
  if (size > 2 ** 30) throw new RangeError(`local_response_norm(): size ${size} is too large`);
  const [batch, channels] = input.shape;
  const spatial = numel(input.shape.slice(2));
  const output = empty(input.shape);
  // threads: output planes (n, c); each reads its window of neighbouring input planes
  const planes = batch * channels;
  parallel("f32_local_response_norm", planes, threadsFor(planes * spatial * Math.min(size, channels), planes), (start, end) =>
    [input.ptr, output.ptr, channels, spatial, size, a.alpha as number, a.beta as number, a.k as number, start, end]);
  return output;
}
