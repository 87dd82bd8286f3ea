// F.pad for the last one or two dimensions: constant (negative pads crop), reflect, replicate, circular.

import { Tensor, empty } from "../tensor.js";
import { heapF32 } from "../runtime.js";
import { parallel, threadsFor } from "../threads/parallel.js";
import { parseArgs, pyRepr } from "../args.js";
import { tidy } from "../scope.js";
import { checkFloat, checkTensor, fmtShape } from "./shape.js";

const MODES: Record<string, number> = { constant: 0, reflect: 1, replicate: 2, circular: 3 };

/** torch.nn.functional.pad(input, pad, mode='constant', value=None); pad = [left, right, top, bottom]. */
export function pad(...args: unknown[]): Tensor {
  const a = parseArgs("pad", [["input", undefined], ["pad", undefined], ["mode", "constant"], ["value", null]], args);
  const input = checkTensor(a.input, "pad", "input");
  checkFloat(input, "pad", "input");
  const pads = a.pad;
  if (!Array.isArray(pads) || pads.some((p) => typeof p !== "number" || !Number.isInteger(p))) {
    throw new TypeError(`pad(): argument 'pad' must be tuple of ints, but got ${pyRepr(pads)}`);
  }
  if (pads.length % 2 !== 0) throw new Error("Padding length must be divisible by 2");
  if (pads.length / 2 > input.dim()) throw new Error("Padding length too large");
  const mode = a.mode;
  if (typeof mode !== "string" || !(mode in MODES)) {
    throw new Error(`Unrecognised padding mode ${String(mode)}`);
  }
  const value = a.value ?? 0;
  if (typeof value !== "number") throw new TypeError(`pad(): argument 'value' must be float, not ${pyRepr(value)}`);
  if (mode !== "constant" && value !== 0) {
    throw new Error(`Padding mode "${mode}" doesn't take in value argument`);
  }
  if (pads.length > 4 && mode === "constant") return constantPadNd(input, pads as number[], value);
  if (pads.length > 6) throw new Error(`wasmnn pads the last 3 dimensions at most in ${mode} mode, but got a padding of length ${pads.length}`);
  if (mode !== "constant") checkPadLimits(mode, input, pads as number[]);
  if (pads.length === 6) {
    // a volume: pad each [H, W] plane, then map whole planes along the depth dim (the modes are separable)
    return tidy(() => padDepth(padPlanes(input, pads.slice(0, 4), mode, value), pads[4], pads[5], mode));
  }
  return padPlanes(input, pads as number[], mode, value);
}

/** Pads the last 1 (pads = [left, right]) or 2 dims with the Wasm kernel; the caller checked the mode's limits. */
function padPlanes(input: Tensor, pads: number[], mode: string, value: number): Tensor {
  const [left, right, top = 0, bottom = 0] = pads;
  const rank = input.dim();
  const width = input.shape[rank - 1];
  const height = pads.length === 4 ? input.shape[rank - 2] : 1;
  const outWidth = width + left + right;
  const outHeight = height + top + bottom;
  if (outWidth < 0 || outHeight < 0) {
    throw new Error(`The input size ${pads.length === 4 ? height : width}, plus negative padding ${pads.length === 4 && outHeight < 0 ? `${top} and ${bottom}` : `${left} and ${right}`} resulted in a negative output size, which is invalid. Check dimension ${outHeight < 0 ? rank - 2 : rank - 1} of your input.`);
  }
  const outShape = [...input.shape];
  outShape[rank - 1] = outWidth;
  if (pads.length === 4) outShape[rank - 2] = outHeight;
  const output = empty(outShape);
  if (output.numel() === 0) return output;
  // (the leading dims' product: an empty padded dim still gives its planes, filled with `value`)
  const planes = input.shape.slice(0, rank - pads.length / 2).reduce((p, d) => p * d, 1);
  pad2dPlanes(input.ptr, output.ptr, planes, height, width, top, bottom, left, right, MODES[mode], value);
  return output;
}

// The plane kernels of assembly/conv/pad.ts, split across threads by planes (pointer slices).

/** f32_pad2d: [planes, height, width] -> [planes, height + top + bottom, width + left + right] (modeCode: 0 constant .. 3 circular). */
export function pad2dPlanes(input: number, output: number, planes: number, height: number, width: number,
  top: number, bottom: number, left: number, right: number, modeCode: number, value: number): void {
  const [inPlane, outPlane] = [height * width, (height + top + bottom) * (width + left + right)];
  parallel("f32_pad2d", planes, threadsFor(planes * outPlane, planes), (start, end) =>
    [input + start * inPlane * 4, output + start * outPlane * 4, end - start, height, width, top, bottom, left, right, modeCode, value]);
}

/** f32_phase_split: phase (a, b) with steps (stepH, stepW) of [planes, height, width] into [planes, outHeight, outWidth]. */
export function phaseSplitPlanes(input: number, planes: number, height: number, width: number, stepH: number, stepW: number,
  a: number, b: number, output: number, outHeight: number, outWidth: number): void {
  const [inPlane, outPlane] = [height * width, outHeight * outWidth];
  parallel("f32_phase_split", planes, threadsFor(planes * outPlane, planes), (start, end) =>
    [input + start * inPlane * 4, end - start, height, width, stepH, stepW, a, b, output + start * outPlane * 4, outHeight, outWidth]);
}

/** f32_phase_merge: [planes, phaseH, phaseW] into rows a + i stepH, columns b + j stepW of [planes, height, width]. */
export function phaseMergePlanes(input: number, planes: number, phaseH: number, phaseW: number, stepH: number, stepW: number,
  a: number, b: number, output: number, height: number, width: number): void {
  const [inPlane, outPlane] = [phaseH * phaseW, height * width];
  parallel("f32_phase_merge", planes, threadsFor(planes * inPlane, planes), (start, end) =>
    [input + start * inPlane * 4, end - start, phaseH, phaseW, stepH, stepW, a, b, output + start * outPlane * 4, height, width]);
}

/** Pads dim -3 of a padded [.., D, H, W] by copying mapped planes (reflect, replicate, circular). */
function padDepth(input: Tensor, front: number, back: number, mode: string): Tensor {
  const rank = input.dim();
  const depth = input.shape[rank - 3];
  const plane = input.shape[rank - 2] * input.shape[rank - 1];
  const outDepth = depth + front + back;
  const outer = input.numel() / (depth * plane);
  const outShape = [...input.shape];
  outShape[rank - 3] = outDepth;
  const output = empty(outShape);
  const heap = heapF32();
  const map = (i: number): number => {
    if (i >= 0 && i < depth) return i;
    if (mode === "reflect") return i < 0 ? -i : 2 * (depth - 1) - i;
    if (mode === "replicate") return i < 0 ? 0 : depth - 1;
    return ((i % depth) + depth) % depth;
  };
  for (let o = 0; o < outer; o++) {
    for (let d = 0; d < outDepth; d++) {
      const src = input.ptr / 4 + (o * depth + map(d - front)) * plane;
      heap.copyWithin(output.ptr / 4 + (o * outDepth + d) * plane, src, src + plane);
    }
  }
  return output;
}

/** Constant padding of any number of trailing dims: fill, then copy the overlap row by row. */
function constantPadNd(input: Tensor, pads: number[], value: number): Tensor {
  const rank = input.dim();
  const before = new Array<number>(rank).fill(0);
  const after = new Array<number>(rank).fill(0);
  for (let d = 0; d < pads.length / 2; d++) {
    before[rank - 1 - d] = pads[2 * d];
    after[rank - 1 - d] = pads[2 * d + 1];
  }
  const outShape = input.shape.map((size, i) => size + before[i] + after[i]);
  const bad = outShape.findIndex((size) => size < 0);
  if (bad >= 0) {
    throw new Error(`The input size ${input.shape[bad]}, plus negative padding ${before[bad]} and ${after[bad]} resulted in a negative output size, which is invalid. Check dimension ${bad} of your input.`);
  }
  const output = empty(outShape);
  const heap = heapF32();
  heap.fill(value, output.ptr / 4, output.ptr / 4 + output.numel());
  // the input range [lo, hi) of each dim that lands inside the output
  const lo = input.shape.map((_, i) => Math.max(0, -before[i]));
  const hi = input.shape.map((size, i) => Math.min(size, outShape[i] - before[i]));
  if (output.numel() === 0 || lo.some((l, i) => l >= hi[i])) return output;
  const inStride = input.shape.map((_, i) => input.shape.slice(i + 1).reduce((p, s) => p * s, 1));
  const outStride = outShape.map((_, i) => outShape.slice(i + 1).reduce((p, s) => p * s, 1));
  const copy = (dim: number, inOffset: number, outOffset: number): void => {
    if (dim === rank - 1) {
      const src = input.ptr / 4 + inOffset + lo[dim];
      heap.copyWithin(output.ptr / 4 + outOffset + lo[dim] + before[dim], src, src + hi[dim] - lo[dim]);
      return;
    }
    for (let i = lo[dim]; i < hi[dim]; i++) copy(dim + 1, inOffset + i * inStride[dim], outOffset + (i + before[dim]) * outStride[dim]);
  };
  copy(0, 0, 0);
  return output;
}

/**
 * PyTorch 1.13's rules for reflect/replicate/circular padding of the last pads.length/2 dims
 * (pads = [left, right, top, bottom]), with its messages. Conv2d's padding modes use them too.
 */
export function checkPadLimits(mode: string, input: Tensor, pads: readonly number[]): void {
  const rank = input.dim();
  const dims = pads.length / 2;
  if (rank !== dims + 1 && rank !== dims + 2) {
    throw new Error("Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now");
  }
  const planeEmpty = input.shape.slice(rank - dims).some((d) => d === 0);
  if (planeEmpty && mode === "replicate") {
    throw new Error(`Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for input, but got: ${fmtShape(input.shape)}`);
  }
  if (planeEmpty && mode === "reflect") {
    throw new Error(`3D or 4D (batch mode) tensor expected for input, but got: [ torch.FloatTensor{${input.shape.join(",")}} ]`);
  }
  for (let d = 0; d < dims; d++) {
    const size = input.shape[rank - 1 - d];
    const [before, after] = [pads[2 * d], pads[2 * d + 1]];
    if (mode === "reflect" && (before >= size || after >= size)) {
      throw new Error(`Argument #${4 + 2 * d}: Padding size should be less than the corresponding input dimension, but got: padding (${before}, ${after}) at dimension ${rank - 1 - d} of input ${rank}`);
    }
    if (mode === "circular" && (before > size || after > size)) {
      throw new Error("Padding value causes wrapping around more than once.");
    }
  }
}
