// cat (concat, concatenate), stack, split and chunk. Each input or piece is an [outer, inner] block
// of contiguous rows (outer = the product of the dims before `dim`), moved by one
// xx_copy_rows call: a memory.copy or v128 run per row, no per-element index arithmetic (split
// across threads by rows or byte ranges: views.ts copyRows).
// split and chunk return contiguous copies (PyTorch returns views: writing into a piece does not
// write into the input here), in an array where PyTorch returns a tuple.

import { Tensor, normalizeDim, numel, empty } from "../tensor.js";
import { heapF32, heapI64 } from "../runtime.js";
import { parseArgs, pyType, required } from "../args.js";
import { checkTensor, fmtShape } from "./shape.js";
import { copyRows, intArg, shareView } from "./views.js";
import { narrowCopy } from "./strided.js";

/** The tensors of a `tensors` argument (a list or tuple), as the Python argument parser checks them. */
function tensorList(value: unknown, op: string): Tensor[] {
  if (!Array.isArray(value)) {
    throw new TypeError(`${op}(): argument 'tensors' (position 1) must be tuple of Tensors, not ${value instanceof Tensor ? "Tensor" : pyType(value)}`);
  }
  value.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new TypeError(`expected Tensor as element ${i} in argument 0, but got ${pyType(t)}`);
    t.ptr; // throws if disposed, before anything is allocated
  });
  return value as Tensor[];
}

/** A float32 copy of an int64 tensor (cat's type promotion: int64 with float32 gives float32). */
function toFloat(input: Tensor): Tensor {
  const out = empty(input.shape, "float32");
  const n = input.numel();
  const from = heapI64().subarray(input.ptr / 8, input.ptr / 8 + n);
  heapF32().set(Float32Array.from(from, Number), out.ptr / 4);
  return out;
}

/** cat's legacy rule: 1-D tensors of size 0 are skipped (they may sit beside tensors of any rank). */
const skipped = (t: Tensor): boolean => t.dim() === 1 && t.shape[0] === 0;

/** Concatenates `tensors` along `dim` (checked as aten's cat meta function, 1.13). */
function catWith(tensors: readonly Tensor[], dimArg: number, op: string): Tensor {
  tensors.forEach((t, i) => {
    if (t.dim() === 0) throw new Error(`zero-dimensional tensor (at position ${i}) cannot be concatenated`);
  });
  const valid = tensors.findIndex((t) => !skipped(t));
  const dim = valid >= 0 ? normalizeDim(dimArg, tensors[valid].dim()) : dimArg;
  if (tensors.length === 0) throw new Error(`${op}(): expected a non-empty list of Tensors`);
  const dtype = tensors.some((t) => t.dtype === "float32") ? "float32" : "int64";
  if (valid < 0) return empty([0], dtype);
  const first = tensors[valid].shape;
  let sizeAtDim = 0;
  tensors.forEach((t, i) => {
    if (skipped(t)) return;
    if (t.dim() !== first.length) throw new Error(`Tensors must have same number of dimensions: got ${first.length} and ${t.dim()}`);
    for (let d = 0; d < first.length; d++) {
      if (d !== dim && t.shape[d] !== first[d]) {
        throw new Error(`Sizes of tensors must match except in dimension ${dim}. Expected size ${first[d]} but got size ${t.shape[d]} for tensor number ${i} in the list.`);
      }
    }
    sizeAtDim += t.shape[dim];
  });
  const shape = [...first];
  shape[dim] = sizeAtDim;
  const out = empty(shape, dtype);
  const elem = dtype === "int64" ? 8 : 4;
  const outer = numel(first.slice(0, dim));
  const outRow = numel(shape.slice(dim)) * elem;
  let column = 0;
  for (const t of tensors) {
    if (skipped(t) || t.numel() === 0) continue;
    const source = t.dtype === dtype ? t : toFloat(t);
    const row = numel(t.shape.slice(dim)) * elem;
    copyRows(source.ptr, row, out.ptr + column, outRow, outer, row);
    if (source !== t) source.dispose();
    column += row;
  }
  return out;
}

/** torch.cat and its aliases: (tensors, dim=0), parsed under the name the user called. */
function catNamed(name: string): (...args: unknown[]) => Tensor {
  return (...args) => {
    const a = parseArgs(name, [["tensors", required], ["dim", 0]], args);
    return catWith(tensorList(a.tensors, name), intArg(a.dim, name, "dim", 2), "torch.cat");
  };
}

/**
 * torch.cat(tensors, dim=0): the tensors joined along `dim`; all other sizes must match. int64
 * inputs beside float32 ones are promoted to float32, as PyTorch's type promotion does.
 */
export const cat = catNamed("cat");
/** torch.concat(tensors, dim=0): an alias of torch.cat. */
export const concat = catNamed("concat");
/** torch.concatenate(tensors, dim=0): an alias of torch.cat. */
export const concatenate = catNamed("concatenate");

/** torch.stack(tensors, dim=0): equal-shaped tensors joined along a new dim `dim`. */
export function stack(...args: unknown[]): Tensor {
  const a = parseArgs("stack", [["tensors", required], ["dim", 0]], args);
  const tensors = tensorList(a.tensors, "stack");
  const dimArg = intArg(a.dim, "stack", "dim", 2);
  if (tensors.length === 0) throw new Error("stack expects a non-empty TensorList");
  const dim = normalizeDim(dimArg, tensors[0].dim() + 1);
  const entry = tensors[0].shape;
  tensors.forEach((t, i) => {
    if (t.dim() !== entry.length || t.shape.some((d, k) => d !== entry[k])) {
      throw new Error(`stack expects each tensor to be equal size, but got ${fmtShape(entry)} at entry 0 and ${fmtShape(t.shape)} at entry ${i}`);
    }
  });
  const unsqueezed = [...entry.slice(0, dim), 1, ...entry.slice(dim)];
  const views = tensors.map((t) => shareView(t, unsqueezed));
  try {
    return catWith(views, dim, "torch.cat");
  } finally {
    for (const v of views) v.dispose();
  }
}

/** Pieces of `sizes` along `dim`, each a contiguous copy. */
function splitWith(input: Tensor, sizes: readonly number[], dim: number): Tensor[] {
  const pieces: Tensor[] = [];
  let start = 0;
  try {
    for (const length of sizes) {
      pieces.push(narrowCopy(input, dim, start, length));
      start += length;
    }
  } catch (error) {
    for (const p of pieces) p.dispose();
    throw error;
  }
  return pieces;
}

function splitSizes(input: Tensor, sizeOrSections: unknown, dimArg: unknown, op: string): [number[], number] {
  if (input.dim() === 0) throw new Error("split expects at least a 1-dimensional tensor");
  const rawDim = intArg(dimArg, op, "dim", 3);
  const dim = normalizeDim(rawDim, input.dim());
  const dimSize = input.shape[dim];
  if (typeof sizeOrSections === "number") {
    const size = intArg(sizeOrSections, op, "split_size", 2);
    if (size < 0) throw new Error(`split expects split_size be non-negative, but got split_size=${size}`);
    if (size === 0 && dimSize !== 0) {
      throw new Error(`split_size can only be 0 if dimension size is 0, but got dimension size of ${dimSize}`);
    }
    const count = size === 0 ? 1 : Math.max(Math.ceil(dimSize / size), 1);
    const sizes = new Array<number>(count).fill(size);
    sizes[count - 1] = size - (size * count - dimSize);
    return [sizes, dim];
  }
  if (!Array.isArray(sizeOrSections) || sizeOrSections.some((s) => typeof s !== "number" || !Number.isInteger(s))) {
    throw new TypeError(`${op}(): argument 'split_size' must be int or tuple of ints, but got ${pyType(sizeOrSections)}`);
  }
  const sizes = sizeOrSections as number[];
  if (sizes.some((s) => s < 0)) {
    throw new Error(`split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=${fmtShape(sizes)}`);
  }
  const sum = sizes.reduce((x, y) => x + y, 0);
  if (sum !== dimSize) {
    throw new Error(`split_with_sizes expects split_sizes to sum exactly to ${dimSize} (input tensor's size at dimension ${rawDim}), but got split_sizes=${fmtShape(sizes)}`);
  }
  return [sizes, dim];
}

/**
 * torch.split(tensor, split_size_or_sections, dim=0): pieces of split_size along `dim` (the last
 * one smaller), or of the listed sizes. An array of contiguous copies (PyTorch returns a tuple of views).
 */
export function split(...args: unknown[]): Tensor[] {
  const a = parseArgs("split", [["tensor", required], ["split_size_or_sections", required], ["dim", 0]], args);
  const input = checkTensor(a.tensor, "split", "tensor");
  const [sizes, dim] = splitSizes(input, a.split_size_or_sections, a.dim, "split");
  return splitWith(input, sizes, dim);
}

/** Tensor.split(split_size, dim=0): as torch.split (the keyword is split_size here, as PyTorch's method). */
export function splitImpl(self: Tensor, ...args: unknown[]): Tensor[] {
  const a = parseArgs("split", [["split_size", required], ["dim", 0]], args);
  const input = checkTensor(self, "split", "self");
  const [sizes, dim] = splitSizes(input, a.split_size, a.dim, "split");
  return splitWith(input, sizes, dim);
}

/**
 * torch.chunk(input, chunks, dim=0): ceil(size / chunks)-sized pieces along `dim` (possibly fewer
 * than `chunks`). An array of contiguous copies (PyTorch returns a tuple of views).
 */
export function chunk(...args: unknown[]): Tensor[] {
  const a = parseArgs("chunk", [["input", required], ["chunks", required], ["dim", 0]], args);
  const input = checkTensor(a.input, "chunk", "input");
  const chunks = intArg(a.chunks, "chunk", "chunks", 2);
  const dimArg = intArg(a.dim, "chunk", "dim", 3);
  if (input.dim() === 0) throw new Error("chunk expects at least a 1-dimensional tensor");
  if (chunks <= 0) throw new Error(`chunk expects \`chunks\` to be greater than 0, got: ${chunks}`);
  const dim = normalizeDim(dimArg, input.dim());
  const dimSize = input.shape[dim];
  const size = Math.ceil(dimSize / chunks);
  // aten: a 0-size dim still gives `chunks` (empty) pieces
  if (size === 0 && dimSize === 0) return splitWith(input, new Array<number>(chunks).fill(0), dim);
  const [sizes] = splitSizes(input, size, dim, "chunk");
  return splitWith(input, sizes, dim);
}
