// Views that share storage (view, reshape, flatten, unflatten, squeeze, unsqueeze, contiguous) and
// clone. Every wasmnn tensor is contiguous, so these only compute a shape: the result is a new
// handle on the same Storage, as PyTorch's views are (a write through one shows in the other).
// Shape inference and messages follow ATen (aten/src/ATen/InferSize.h, TensorShape.cpp, 1.13).

import { Tensor, normalizeDim, numel, empty } from "../tensor.js";
import { parallel, threadsFor } from "../threads/parallel.js";
import { parseArgs, pyType, required } from "../args.js";
import { checkHandle, checkTensor, fmtShape } from "./shape.js";

/** Python's `f(*sizes)` forms: `f(2, 3)`, `f([2, 3])`, or the keyword in an options object. */
export type SizeArgs = number[] | [readonly number[]] | [Record<string, readonly number[]>];

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** An int argument, with the Python argument parser's TypeError for anything else. */
export function intArg(value: unknown, op: string, name: string, position: number): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TypeError(`${op}(): argument '${name}' (position ${position}) must be int, not ${pyType(value)}`);
  }
  return value;
}

/** A tuple-of-ints argument (sizes, dims), checked element by element. */
export function intList(value: unknown, op: string, name: string): number[] {
  if (!Array.isArray(value)) throw new TypeError(`${op}(): argument '${name}' must be tuple of ints, but got ${pyType(value)}`);
  value.forEach((v, i) => {
    if (typeof v !== "number" || !Number.isInteger(v)) {
      throw new TypeError(`${op}(): argument '${name}' must be tuple of ints, but found element of type ${pyType(v)} at pos ${i + 1}`);
    }
  });
  return [...value] as number[];
}

/**
 * The forms Python's `f(*sizes)` methods accept: view(2, 3), view([2, 3]) (a tuple) and
 * view({ size: [2, 3] }) (the keyword), for view/reshape/permute/expand.
 */
export function sizeArgs(op: string, keyword: string, args: readonly unknown[]): number[] {
  let positional = args;
  let given: unknown;
  const last = args[args.length - 1];
  if (args.length > 0 && isPlainObject(last)) {
    positional = args.slice(0, -1);
    for (const [key, value] of Object.entries(last)) {
      if (key !== keyword) throw new TypeError(`${op}() got an unexpected keyword argument '${key}'`);
      given = value;
    }
    if (given !== undefined && positional.length > 0) throw new TypeError(`${op}() got multiple values for argument '${keyword}'`);
  }
  if (given === undefined) {
    if (positional.length === 0) throw new TypeError(`${op}() missing 1 required positional arguments: "${keyword}"`);
    given = positional.length === 1 && Array.isArray(positional[0]) ? positional[0] : positional;
  }
  return intList(given, op, keyword);
}

/**
 * at::infer_size: resolves one -1 against `total` elements, with ATen's three messages (only one
 * -1; a negative size; the element count does not fit, or a -1 beside a 0 is ambiguous).
 */
export function inferSize(shape: readonly number[], total: number): number[] {
  let inferred = -1;
  let known = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (d === -1) {
      if (inferred >= 0) throw new Error("only one dimension can be inferred");
      inferred = i;
    } else if (d >= 0) {
      known *= d;
    } else {
      throw new Error(`invalid shape dimension ${d}`);
    }
  }
  if (total === known || (inferred >= 0 && known > 0 && total % known === 0)) {
    if (inferred < 0) return [...shape];
    if (known === 0) {
      throw new Error(`cannot reshape tensor of 0 elements into shape ${fmtShape(shape)} because the unspecified dimension size -1 can be any value and is ambiguous`);
    }
    const out = [...shape];
    out[inferred] = total / known;
    return out;
  }
  throw new Error(`shape '${fmtShape(shape)}' is invalid for input of size ${total}`);
}

/** A new handle on `input`'s storage with another shape of the same element count. */
export function shareView(input: Tensor, shape: readonly number[]): Tensor {
  return new Tensor(input._shareStorage(), shape, input.dtype);
}

/** Tensor.view(*shape): a view with a new shape (one size may be -1). Shares storage. */
export function viewImpl(self: Tensor, ...args: unknown[]): Tensor {
  const input = checkHandle(self, "view", "self");
  const shape = sizeArgs("view", "size", args);
  return shareView(input, inferSize(shape, input.numel()));
}

/** Tensor.view_as(other): view(other.size()). */
export function viewAsImpl(self: Tensor, ...args: unknown[]): Tensor {
  const a = parseArgs("view_as", [["other", required]], args);
  return viewImpl(self, [...checkHandle(a.other, "view_as", "other").shape]);
}

/** Tensor.reshape(*shape): as view (all wasmnn tensors are contiguous, so reshape never copies). */
export function reshapeImpl(self: Tensor, ...args: unknown[]): Tensor {
  const input = checkHandle(self, "reshape", "self");
  return shareView(input, inferSize(sizeArgs("reshape", "shape", args), input.numel()));
}

/** torch.reshape(input, shape). */
export function reshape(...args: unknown[]): Tensor {
  const a = parseArgs("reshape", [["input", required], ["shape", required]], args);
  const input = checkHandle(a.input, "reshape", "input");
  return shareView(input, inferSize(intList(a.shape, "reshape", "shape"), input.numel()));
}

/**
 * torch.flatten(input, start_dim=0, end_dim=-1): dims start_dim..end_dim merged into one; a 0-d
 * input becomes [1]. Shares storage.
 */
export function flatten(...args: unknown[]): Tensor {
  const a = parseArgs("flatten", [["input", required], ["start_dim", 0], ["end_dim", -1]], args);
  const input = checkHandle(a.input, "flatten", "input");
  const rank = input.dim();
  const start = normalizeDim(intArg(a.start_dim, "flatten", "start_dim", 2), rank);
  const end = normalizeDim(intArg(a.end_dim, "flatten", "end_dim", 3), rank);
  if (start > end) throw new Error("flatten() has invalid args: start_dim cannot come after end_dim");
  if (rank === 0) return shareView(input, [1]);
  const s = input.shape;
  return shareView(input, [...s.slice(0, start), numel(s.slice(start, end + 1)), ...s.slice(end + 1)]);
}

/**
 * torch.unflatten(input, dim, sizes): dim split into `sizes` (one may be -1). Shares storage.
 * Messages as ATen's unflatten, which rewords infer_size's "is invalid for input of size".
 */
export function unflatten(...args: unknown[]): Tensor {
  const a = parseArgs("unflatten", [["input", required], ["dim", required], ["sizes", required]], args);
  const input = checkHandle(a.input, "unflatten", "input");
  if (typeof a.dim === "string") throw new TypeError("unflatten(): named tensors are not supported by wasmnn (dim must be an int)");
  const dim = normalizeDim(intArg(a.dim, "unflatten", "dim", 2), input.dim());
  const sizes = intList(a.sizes, "unflatten", "sizes");
  if (sizes.length === 0) throw new Error("unflatten: sizes must be non-empty");
  const size = input.dim() === 0 ? 1 : input.shape[dim];
  let resolved: number[];
  try {
    resolved = inferSize(sizes, size);
  } catch (error) {
    const message = (error as Error).message;
    if (message.includes("is invalid for input of size")) {
      throw new Error(`unflatten: Provided sizes ${fmtShape(sizes)} don't multiply up to the size of dim ${dim} (${size}) in the input tensor`);
    }
    if (message === "only one dimension can be inferred") throw new Error(`unflatten got an unexpected error:\n${message}`);
    throw error;
  }
  const s = input.shape;
  return shareView(input, [...s.slice(0, dim), ...resolved, ...s.slice(dim + 1)]);
}

/** torch.squeeze(input, dim=None): drops size-1 dims (all, or only `dim` if it has size 1). Shares storage. */
export function squeeze(...args: unknown[]): Tensor {
  const a = parseArgs("squeeze", [["input", required], ["dim", null]], args);
  const input = checkHandle(a.input, "squeeze", "input");
  if (a.dim === null) return shareView(input, input.shape.filter((d) => d !== 1));
  const dim = normalizeDim(intArg(a.dim, "squeeze", "dim", 2), input.dim());
  if (input.dim() === 0 || input.shape[dim] !== 1) return shareView(input, input.shape);
  return shareView(input, input.shape.filter((_, i) => i !== dim));
}

/** torch.unsqueeze(input, dim): a size-1 dim inserted at `dim` (in [-dim()-1, dim()]). Shares storage. */
export function unsqueeze(...args: unknown[]): Tensor {
  const a = parseArgs("unsqueeze", [["input", required], ["dim", required]], args);
  const input = checkHandle(a.input, "unsqueeze", "input");
  const dim = normalizeDim(intArg(a.dim, "unsqueeze", "dim", 2), input.dim() + 1);
  return shareView(input, [...input.shape.slice(0, dim), 1, ...input.shape.slice(dim)]);
}

/** Tensor.contiguous(): every wasmnn tensor is contiguous, so this returns the tensor itself (as PyTorch does then). */
export function contiguousImpl(self: Tensor, ...args: unknown[]): Tensor {
  parseArgs("contiguous", [], args);
  return checkHandle(self, "contiguous", "self");
}

/** Tensor.is_contiguous(): always true in wasmnn (permute/transpose/expand/narrow return contiguous copies). */
export function isContiguousImpl(self: Tensor, ...args: unknown[]): boolean {
  parseArgs("is_contiguous", [], args);
  checkHandle(self, "is_contiguous", "self");
  return true;
}

/** torch.clone(input): a copy with its own storage. */
export function clone(...args: unknown[]): Tensor {
  const a = parseArgs("clone", [["input", required]], args);
  const input = checkTensor(a.input, "clone", "input");
  const out = empty(input.shape, input.dtype);
  const bytes = input.numel() * (input.dtype === "int64" ? 8 : 4);
  copyRows(input.ptr, bytes, out.ptr, bytes, 1, bytes);
  return out;
}

/** Bytes per unit when a copy is one contiguous run (threads split it into byte ranges). */
const COPY_BLOCK = 16384;

/**
 * xx_copy_rows (row r of `rows` from src + r * srcStride to dst + r * dstStride, rowBytes each),
 * split across threads: by rows, or by 16 KB byte ranges when the rows make one contiguous run.
 */
export function copyRows(src: number, srcStride: number, dst: number, dstStride: number, rows: number, rowBytes: number): void {
  if (rows <= 0 || rowBytes === 0) return;
  if (rows === 1 || (srcStride === rowBytes && dstStride === rowBytes)) {
    const total = rows * rowBytes;
    const blocks = Math.ceil(total / COPY_BLOCK);
    parallel("xx_copy_rows", blocks, threadsFor(total / 4, blocks), (start, end) => {
      const [from, to] = [start * COPY_BLOCK, Math.min(total, end * COPY_BLOCK)];
      return [src + from, to - from, dst + from, to - from, 1, to - from];
    });
    return;
  }
  parallel("xx_copy_rows", rows, threadsFor(rows * rowBytes / 4, rows), (start, end) =>
    [src + start * srcStride, srcStride, dst + start * dstStride, dstStride, end - start, rowBytes]);
}
