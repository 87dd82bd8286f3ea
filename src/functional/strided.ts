// permute, transpose, t, expand, expand_as, narrow and channel_shuffle. PyTorch returns strided
// views for the first five; wasmnn keeps every tensor contiguous, so it describes the same view
// (sizes and strides over the input) and copies it into a new contiguous tensor with one strided
// gather (assembly/shape/gather.ts). The result therefore does not share storage with the input:
// writing into it does not write into the input — except where the view's layout equals the
// input's (an identity permute, a full narrow, an expand to the same shape), where it is a view
// on the same storage, as in PyTorch.

import { Tensor, normalizeDim, numel, empty } from "../tensor.js";
import { heapI32, wasm } from "../runtime.js";
import { parseArgs, required } from "../args.js";
import { checkTensor, fmtShape } from "./shape.js";
import { copyRows, intArg, intList, shareView, sizeArgs } from "./views.js";

/** Row-major element strides of a contiguous shape. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = step;
    step *= shape[d];
  }
  return strides;
}

/**
 * A contiguous copy of the view of `input` with these sizes and element strides, starting
 * `offset` elements in. Adjacent dims that are contiguous with each other are merged and size-1
 * dims dropped first, so the kernel sees the fewest dims (at most 28: each kept dim has size >= 2
 * and a wasm32 tensor has < 2^28 elements).
 */
export function gatherView(input: Tensor, shape: readonly number[], strides: readonly number[], offset = 0): Tensor {
  const elem = input.dtype === "int64" ? 8 : 4;
  const sizes: number[] = [];
  const byteStrides: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const stride = strides[d] * elem;
    const last = sizes.length - 1;
    if (last >= 0 && byteStrides[last] === stride * shape[d]) {
      sizes[last] *= shape[d];
      byteStrides[last] = stride;
    } else {
      sizes.push(shape[d]);
      byteStrides.push(stride);
    }
  }
  const total = numel(shape);
  const identity = sizes.length === 0 || (sizes.length === 1 && byteStrides[0] === elem);
  if (identity && offset === 0 && total === input.numel()) return shareView(input, shape);
  const out = empty(shape, input.dtype);
  if (total === 0) return out;
  const src = input.ptr + offset * elem;
  if (identity) {
    copyRows(src, total * elem, out.ptr, total * elem, 1, total * elem);
    return out;
  }
  if (sizes.length === 2 && byteStrides[1] === elem) {
    // rows of contiguous runs (narrow, split, chunk along an inner dim): xx_gather's RUN mode, as
    // xx_copy_rows, which threads split (xx_gather's descriptor is thread 0's)
    copyRows(src, byteStrides[0], out.ptr, sizes[1] * elem, sizes[0], sizes[1] * elem);
    return out;
  }
  const kernels = wasm();
  const desc = kernels.xx_gather_desc() / 4;
  const heap = heapI32();
  for (let d = 0; d < sizes.length; d++) {
    heap[desc + d] = sizes[d];
    heap[desc + 32 + d] = byteStrides[d];
  }
  kernels.xx_gather(src, out.ptr, sizes.length, elem);
  return out;
}

function permuteWith(input: Tensor, dims: readonly number[]): Tensor {
  const rank = input.dim();
  if (dims.length !== rank) {
    throw new Error(`permute(): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${rank} is not equal to len(dims) = ${dims.length}`);
  }
  const seen = new Array<boolean>(rank).fill(false);
  const wrapped = dims.map((d) => normalizeDim(d, rank));
  for (const d of wrapped) {
    if (seen[d]) throw new Error("permute(): duplicate dims are not allowed.");
    seen[d] = true;
  }
  const strides = contiguousStrides(input.shape);
  return gatherView(input, wrapped.map((d) => input.shape[d]), wrapped.map((d) => strides[d]));
}

/**
 * Tensor.permute(*dims): dims reordered (`x.permute(0, 2, 3, 1)` is NCHW -> NHWC).
 * A contiguous copy (PyTorch returns a strided view; writing into the result does not write into
 * the input here). Float32 2-D transposes such as NCHW <-> NHWC go through 4x4 SIMD tiles.
 */
export function permuteImpl(self: Tensor, ...args: unknown[]): Tensor {
  const input = checkTensor(self, "permute", "self");
  return permuteWith(input, sizeArgs("permute", "dims", args));
}

/** torch.permute(input, dims): see Tensor.permute (a contiguous copy in wasmnn). */
export function permute(...args: unknown[]): Tensor {
  const a = parseArgs("permute", [["input", required], ["dims", required]], args);
  return permuteWith(checkTensor(a.input, "permute", "input"), intList(a.dims, "permute", "dims"));
}

/**
 * torch.transpose(input, dim0, dim1): dims dim0 and dim1 swapped. A contiguous copy (PyTorch
 * returns a strided view; writing into the result does not write into the input here).
 */
export function transpose(...args: unknown[]): Tensor {
  const a = parseArgs("transpose", [["input", required], ["dim0", required], ["dim1", required]], args);
  const input = checkTensor(a.input, "transpose", "input");
  const rank = input.dim();
  const dim0 = normalizeDim(intArg(a.dim0, "transpose", "dim0", 2), rank);
  const dim1 = normalizeDim(intArg(a.dim1, "transpose", "dim1", 3), rank);
  const dims = Array.from({ length: rank }, (_, i) => (i === dim0 ? dim1 : i === dim1 ? dim0 : i));
  return permuteWith(input, dims);
}

/** torch.t(input): transpose(0, 1) of a 2-D tensor; 0-d and 1-D inputs come back as views. A copy for 2-D, as transpose. */
export function t(...args: unknown[]): Tensor {
  const a = parseArgs("t", [["input", required]], args);
  const input = checkTensor(a.input, "t", "input");
  if (input.dim() > 2) throw new Error(`t() expects a tensor with <= 2 dimensions, but self is ${input.dim()}D`);
  return input.dim() < 2 ? shareView(input, input.shape) : permuteWith(input, [1, 0]);
}

function expandWith(input: Tensor, sizes: readonly number[]): Tensor {
  const rank = input.dim();
  if (sizes.length < rank) {
    throw new Error(`expand(${input.dtype === "int64" ? "torch.LongTensor" : "torch.FloatTensor"}{${fmtShape(input.shape)}}, size=${fmtShape(sizes)}): the number of sizes provided (${sizes.length}) must be greater or equal to the number of dimensions in the tensor (${rank})`);
  }
  // inferExpandGeometry (aten/src/ATen/ExpandUtils.cpp): walk from the last dim; new leading dims and
  // size-1 dims get stride 0
  const inputStrides = contiguousStrides(input.shape);
  const shape = new Array<number>(sizes.length);
  const strides = new Array<number>(sizes.length);
  for (let i = sizes.length - 1; i >= 0; i--) {
    const dim = rank - (sizes.length - i);
    let size = dim >= 0 ? input.shape[dim] : 1;
    let stride = dim >= 0 ? inputStrides[dim] : 0;
    let target = sizes[i];
    if (target === -1) {
      if (dim < 0) throw new Error(`The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension ${i}`);
      target = size;
    }
    if (size !== target) {
      if (size !== 1) {
        throw new Error(`The expanded size of the tensor (${target}) must match the existing size (${size}) at non-singleton dimension ${i}.  Target sizes: ${fmtShape(sizes)}.  Tensor sizes: ${fmtShape(input.shape)}`);
      }
      if (target < 0) throw new Error(`expand(): the expanded size of the tensor (${target}) must be non-negative (-1 keeps a size)`);
      size = target;
      stride = 0;
    }
    shape[i] = size;
    strides[i] = stride;
  }
  return gatherView(input, shape, strides);
}

/**
 * Tensor.expand(*sizes): size-1 dims (and new leading dims) repeated to `sizes`; -1 keeps a size.
 * A contiguous copy (PyTorch returns a view with stride 0, which costs no memory; here the result
 * holds every element, and writing into it does not write into the input).
 */
export function expandImpl(self: Tensor, ...args: unknown[]): Tensor {
  const input = checkTensor(self, "expand", "self");
  return expandWith(input, sizeArgs("expand", "size", args));
}

/** Tensor.expand_as(other): expand(other.size()); a contiguous copy, as expand. */
export function expandAsImpl(self: Tensor, ...args: unknown[]): Tensor {
  const a = parseArgs("expand_as", [["other", required]], args);
  const input = checkTensor(self, "expand_as", "self");
  return expandWith(input, checkTensor(a.other, "expand_as", "other").shape);
}

/** The elements [start, start + length) of `dim` as a contiguous copy (narrow, split, chunk). */
export function narrowCopy(input: Tensor, dim: number, start: number, length: number): Tensor {
  const shape = [...input.shape];
  shape[dim] = length;
  const strides = contiguousStrides(input.shape);
  return gatherView(input, shape, strides, start * strides[dim]);
}

/**
 * torch.narrow(input, dim, start, length): elements start..start+length-1 of `dim` (a negative
 * start counts from the end). A contiguous copy (PyTorch returns a view; writing into the result
 * does not write into the input here), unless it is the whole tensor.
 */
export function narrow(...args: unknown[]): Tensor {
  const a = parseArgs("narrow", [["input", required], ["dim", required], ["start", required], ["length", required]], args);
  const input = checkTensor(a.input, "narrow", "input");
  const dimArg = intArg(a.dim, "narrow", "dim", 2);
  let start = intArg(a.start, "narrow", "start", 3);
  const length = intArg(a.length, "narrow", "length", 4);
  if (input.dim() === 0) throw new Error("narrow() cannot be applied to a 0-dim tensor.");
  const dim = normalizeDim(dimArg, input.dim());
  const size = input.shape[dim];
  // aten narrow: start == size is a valid (empty) start, otherwise it wraps like a dim
  if (start !== size) start = normalizeDim(start, size);
  if (length < 0 || start > size - length) {
    throw new Error(`start (${start}) + length (${length}) exceeds dimension size (${size}).`);
  }
  return narrowCopy(input, dim, start, length);
}

/**
 * torch.nn.functional.channel_shuffle(input, groups): [N, C, *] viewed as [N, g, C/g, *],
 * transposed to [N, C/g, g, *] and flattened back (ShuffleNet): output channel j*g + i is input
 * channel i*(C/g) + j. One gather of contiguous H*W runs.
 */
export function channel_shuffle(...args: unknown[]): Tensor {
  const a = parseArgs("channel_shuffle", [["input", required], ["groups", required]], args);
  const input = checkTensor(a.input, "channel_shuffle", "input");
  const groups = intArg(a.groups, "channel_shuffle", "groups", 2);
  if (input.dim() <= 2) {
    throw new Error(`channel_shuffle expects input with > 2 dims, but got input with sizes ${fmtShape(input.shape)}`);
  }
  if (groups <= 0) throw new Error(`Number of groups to divide channels in must be positive. Value of groups:${groups}`);
  const [batch, channels] = input.shape;
  if (channels % groups !== 0) {
    throw new Error(`Number of channels must be divisible by groups. Got ${channels} channels and ${groups} groups.`);
  }
  const plane = numel(input.shape.slice(2));
  const perGroup = channels / groups;
  // the view [N, C/g, g, plane] over the input [N, g, C/g, plane]
  const out = gatherView(input, [batch, perGroup, groups, plane], [channels * plane, plane, perGroup * plane, 1]);
  const shaped = shareView(out, input.shape);
  out.dispose();
  return shaped;
}
