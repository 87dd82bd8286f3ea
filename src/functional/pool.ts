// F.max_pool2d, F.avg_pool2d, F.adaptive_avg_pool2d, F.adaptive_max_pool2d: PyTorch 1.13's checks
// and output sizes (aten/src/ATen/native/Pool.h), then one kernel call over all N*C planes, split
// across threads by planes (issue #15: each plane's windows are independent; a task gets a slice of
// the planes by pointers, and runs exactly the arithmetic the whole call would).

import { Tensor, empty } from "../tensor.js";
import { parallel, threadsFor } from "../threads/parallel.js";
import { parseArgs, pair, pyRepr, pyType, type ArgSpec } from "../args.js";
import { checkFloat, checkTensor, fmtShape } from "./shape.js";
import type { MaxPoolSpec } from "./conv.js";

/** pooling_output_shape: floor (or ceil) division, and in ceil mode no window may start in the right padding. */
export function poolOutputSize(size: number, kernel: number, pad: number, stride: number, dilation: number, ceilMode: boolean): number {
  let out = Math.floor((size + 2 * pad - dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0)) / stride) + 1;
  if (ceilMode && (out - 1) * stride >= size + pad) out--;
  return out;
}

interface Pool2dGeometry {
  planes: number; height: number; width: number; outHeight: number; outWidth: number; outShape: number[];
}

/** The pair forms of pooling arguments, with PyTorch's messages (aten/src/ATen/native/DilatedMaxPool2d.cpp). */
function poolPair(op: string, name: string, value: unknown): [number, number] {
  const size = typeof value === "number" ? 1 : Array.isArray(value) ? value.length : -1;
  if (size !== 1 && size !== 2) {
    throw new Error(name === "kernel_size" ? `${op}: kernel_size must either be a single int, or a tuple of two ints`
      : name === "stride" ? `${op}: stride must either be omitted, a single int, or a tuple of two ints`
      : `${op}: ${name} must be either a single int, or a tuple of two ints`);
  }
  return pair(value, name, op);
}

/** pool2d_shape_check with PyTorch's messages. */
export function poolGeometry(
  op: string, s: readonly number[], kernel: [number, number], stride: [number, number], padding: [number, number],
  dilation: [number, number], ceilMode: boolean,
): Pool2dGeometry {
  const [kH, kW] = kernel;
  if (s.length !== 3 && s.length !== 4) {
    // avg_pool2d reads input.size(-3) first; max_pool2d checks the rank
    if (op === "avg_pool2d" && s.length < 3) throw new RangeError(`Dimension out of range (expected to be in range of [${-s.length}, ${s.length - 1}], but got -3)`);
    throw new Error("non-empty 3D or 4D (batch mode) tensor expected for input");
  }
  if (stride[0] === 0 || stride[1] === 0) throw new Error("stride should not be zero");
  for (const [i, p] of padding.entries()) {
    if (p < 0) throw new Error(`pad must be non-negative, but got pad: ${p}`);
    if (p > Math.floor(kernel[i] / 2)) throw new Error(`pad should be at most half of kernel size, but got pad=${p} and kernel_size=${kernel[i]}`);
  }
  if (kW <= 0 || kH <= 0) throw new Error(`kernel size should be greater than zero, but got kH: ${kH} kW: ${kW}`);
  if (stride[0] < 0 || stride[1] < 0) throw new Error(`stride should be greater than zero, but got dH: ${stride[0]} dW: ${stride[1]}`);
  if (dilation[0] <= 0 || dilation[1] <= 0) {
    throw new Error(`dilation should be greater than zero, but got dilationH: ${dilation[0]} dilationW: ${dilation[1]}`);
  }
  const validDims = (s.length === 3 && s[0] !== 0 && s[1] !== 0 && s[2] !== 0) ||
    (s.length === 4 && s[1] !== 0 && s[2] !== 0 && s[3] !== 0);
  if (!validDims) {
    throw new Error(`Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:${fmtShape(s)}`);
  }
  const [height, width] = s.slice(-2);
  const channels = s[s.length - 3];
  const outHeight = poolOutputSize(height, kH, padding[0], stride[0], dilation[0], ceilMode);
  const outWidth = poolOutputSize(width, kW, padding[1], stride[1], dilation[1], ceilMode);
  if (outWidth < 1 || outHeight < 1) {
    throw new Error(`Given input size: (${channels}x${height}x${width}). Calculated output size: (${channels}x${outHeight}x${outWidth}). Output size is too small`);
  }
  return {
    planes: s.reduce((a, b) => a * b, 1) / (height * width), height, width, outHeight, outWidth,
    outShape: [...s.slice(0, -2), outHeight, outWidth],
  };
}

/** F.max_pool1d/2d's parameters (the same names and defaults in both) */
export const MAX_POOL_SPEC: ArgSpec = [
  ["input", undefined], ["kernel_size", undefined], ["stride", null], ["padding", 0], ["dilation", 1],
  ["ceil_mode", false], ["return_indices", false],
];

/** torch.nn.functional.max_pool2d; with return_indices, [output, indices (int64)]. */
export function max_pool2d(...args: unknown[]): Tensor | [Tensor, Tensor] {
  const a = parseArgs("max_pool2d", MAX_POOL_SPEC, args);
  return maxPool2dWith(a.input, a.kernel_size, a.stride, a.padding, a.dilation, a.ceil_mode, a.return_indices);
}

/** max_pool2d's size arguments as pairs (stride omitted or [] = kernel_size), with PyTorch's messages. */
export function maxPoolArgs(kernelSize: unknown, strideArg: unknown, paddingArg: unknown, dilationArg: unknown, ceilMode: unknown): MaxPoolSpec {
  const kernel = poolPair("max_pool2d", "kernel_size", kernelSize);
  const stride = strideArg === null || (Array.isArray(strideArg) && strideArg.length === 0) ? kernel : poolPair("max_pool2d", "stride", strideArg);
  return {
    kernel, stride, padding: poolPair("max_pool2d", "padding", paddingArg), dilation: poolPair("max_pool2d", "dilation", dilationArg),
    ceilMode: bool(ceilMode, "ceil_mode"),
  };
}

export function maxPool2dWith(
  inputArg: unknown, kernelSize: unknown, strideArg: unknown, paddingArg: unknown, dilationArg: unknown,
  ceilMode: unknown, returnIndices: unknown,
): Tensor | [Tensor, Tensor] {
  const input = checkTensor(inputArg, "max_pool2d", "input");
  checkFloat(input, "max_pool2d", "input");
  const { kernel, stride, padding, dilation, ceilMode: ceil } = maxPoolArgs(kernelSize, strideArg, paddingArg, dilationArg, ceilMode);
  const g = poolGeometry("max_pool2d", input.shape, kernel, stride, padding, dilation, ceil);
  const output = empty(g.outShape);
  const indices = bool(returnIndices, "return_indices") ? empty(g.outShape, "int64") : null;
  if (output.numel() > 0) {
    maxPoolPlanes(input.ptr, g.planes, g.height, g.width, kernel, stride, padding, dilation, output.ptr, g.outHeight, g.outWidth, indices?.ptr ?? 0);
  }
  return indices ? [output, indices] : output;
}

const AVG_POOL_SPEC: ArgSpec = [
  ["input", undefined], ["kernel_size", undefined], ["stride", null], ["padding", 0],
  ["ceil_mode", false], ["count_include_pad", true], ["divisor_override", null],
];

/** torch.nn.functional.avg_pool2d */
export function avg_pool2d(...args: unknown[]): Tensor {
  const a = parseArgs("avg_pool2d", AVG_POOL_SPEC, args);
  return avgPool2dWith(a.input, a.kernel_size, a.stride, a.padding, a.ceil_mode, a.count_include_pad, a.divisor_override);
}

export function avgPool2dWith(
  inputArg: unknown, kernelSize: unknown, strideArg: unknown, paddingArg: unknown,
  ceilMode: unknown, countIncludePad: unknown, divisorOverride: unknown,
): Tensor {
  const input = checkTensor(inputArg, "avg_pool2d", "input");
  checkFloat(input, "avg_pool2d", "input");
  const kernel = poolPair("avg_pool2d", "kernel_size", kernelSize);
  const stride = strideArg === null || (Array.isArray(strideArg) && strideArg.length === 0) ? kernel : poolPair("avg_pool2d", "stride", strideArg);
  const padding = poolPair("avg_pool2d", "padding", paddingArg);
  let divisor = 0;
  if (divisorOverride !== null) {
    if (typeof divisorOverride !== "number" || !Number.isInteger(divisorOverride)) {
      throw new TypeError(`avg_pool2d(): argument 'divisor_override' must be int, not ${pyType(divisorOverride)}`);
    }
    if (divisorOverride === 0) throw new Error("divisor must be not zero");
    divisor = divisorOverride;
  }
  const g = poolGeometry("avg_pool2d", input.shape, kernel, stride, padding, [1, 1], bool(ceilMode, "ceil_mode"));
  const output = empty(g.outShape);
  if (output.numel() > 0) {
    const includePad = bool(countIncludePad, "count_include_pad") ? 1 : 0;
    const [inPlane, outPlane] = [g.height * g.width, g.outHeight * g.outWidth];
    parallel("f32_avgpool2d", g.planes, threadsFor(g.planes * outPlane * kernel[0] * kernel[1], g.planes), (start, end) =>
      [input.ptr + start * inPlane * 4, end - start, g.height, g.width, kernel[0], kernel[1], stride[0], stride[1],
        padding[0], padding[1], includePad, divisor, output.ptr + start * outPlane * 4, g.outHeight, g.outWidth]);
  }
  return output;
}

/** Adaptive output size: an int, or a pair whose entries may be null (= the input's size). */
function adaptiveGeometry(op: string, input: Tensor, outputSize: unknown): Pool2dGeometry {
  const s = input.shape;
  if (s.length !== 3 && s.length !== 4) {
    throw new Error(`${op}(): Expected 3D or 4D tensor, but got${op === "adaptive_max_pool2d" ? ":" : ""} ${fmtShape(s)}`);
  }
  for (let d = s.length - 3 + 1; d < s.length; d++) {
    if (s[d] === 0) {
      throw new Error(`${op}(): Expected input to have non-zero size for non-batch dimensions, but input has sizes ${fmtShape(s)} with dimension ${d} being empty`);
    }
  }
  const [height, width] = s.slice(-2);
  const sizes = typeof outputSize === "number" ? [outputSize, outputSize] : Array.isArray(outputSize) ? outputSize : null;
  if (sizes === null) throw new TypeError(`${op}(): output_size must be an int or a pair of ints (or None), but got ${pyRepr(outputSize)}`);
  if (sizes.length !== 2) throw new Error(`${op}: output_size must be 2`);
  const [outHeight, outWidth] = sizes.map((v, i) => {
    if (v === null) return i === 0 ? height : width;
    if (typeof v !== "number" || !Number.isInteger(v)) throw new TypeError(`${op}(): output_size must contain ints or None, but got ${pyRepr(outputSize)}`);
    if (v < 0) throw new Error(`${op}(): output_size must be non-negative, but got ${pyRepr(outputSize)}`);
    return v;
  });
  return { planes: input.numel() / (height * width), height, width, outHeight, outWidth, outShape: [...s.slice(0, -2), outHeight, outWidth] };
}

/** torch.nn.functional.adaptive_avg_pool2d */
export function adaptive_avg_pool2d(...args: unknown[]): Tensor {
  const a = parseArgs("adaptive_avg_pool2d", [["input", undefined], ["output_size", undefined]], args);
  const input = checkTensor(a.input, "adaptive_avg_pool2d", "input");
  checkFloat(input, "adaptive_avg_pool2d", "input");
  const g = adaptiveGeometry("adaptive_avg_pool2d", input, a.output_size);
  const output = empty(g.outShape);
  adaptiveAvgPoolPlanes(input.ptr, g.planes, g.height, g.width, output.ptr, g.outHeight, g.outWidth);
  return output;
}

/** torch.nn.functional.adaptive_max_pool2d; with return_indices, [output, indices (int64)]. */
export function adaptive_max_pool2d(...args: unknown[]): Tensor | [Tensor, Tensor] {
  const a = parseArgs("adaptive_max_pool2d", [["input", undefined], ["output_size", undefined], ["return_indices", false]], args);
  const input = checkTensor(a.input, "adaptive_max_pool2d", "input");
  checkFloat(input, "adaptive_max_pool2d", "input");
  const g = adaptiveGeometry("adaptive_max_pool2d", input, a.output_size);
  const output = empty(g.outShape);
  const indices = bool(a.return_indices, "return_indices") ? empty(g.outShape, "int64") : null;
  if (output.numel() > 0) {
    const [inPlane, outPlane] = [g.height * g.width, g.outHeight * g.outWidth];
    const indicesPtr = indices?.ptr ?? 0;
    parallel("f32_adaptive_maxpool2d", g.planes, threadsFor(g.planes * Math.max(inPlane, outPlane), g.planes), (start, end) =>
      [input.ptr + start * inPlane * 4, end - start, g.height, g.width, output.ptr + start * outPlane * 4, g.outHeight, g.outWidth,
        indicesPtr === 0 ? 0 : indicesPtr + start * outPlane * 8]);
  }
  return indices ? [output, indices] : output;
}

/**
 * f32_maxpool2d over `planes` planes [height, width] -> [outHeight, outWidth] (indices: 0 or int64
 * output), split across threads by planes.
 */
export function maxPoolPlanes(input: number, planes: number, height: number, width: number, kernel: readonly number[],
  stride: readonly number[], padding: readonly number[], dilation: readonly number[], output: number, outHeight: number, outWidth: number,
  indices: number): void {
  const [inPlane, outPlane] = [height * width, outHeight * outWidth];
  parallel("f32_maxpool2d", planes, threadsFor(planes * outPlane * kernel[0] * kernel[1], planes), (start, end) =>
    [input + start * inPlane * 4, end - start, height, width, kernel[0], kernel[1], stride[0], stride[1],
      padding[0], padding[1], dilation[0], dilation[1], output + start * outPlane * 4, outHeight, outWidth,
      indices === 0 ? 0 : indices + start * outPlane * 8]);
}

/**
 * f32_adaptive_avgpool2d over `planes` planes (also interpolate's mode='area'), split across threads
 * by planes. Work: each input value is read about once (windows overlap by at most one row/column
 * per output), each output a division.
 */
export function adaptiveAvgPoolPlanes(input: number, planes: number, height: number, width: number, output: number,
  outHeight: number, outWidth: number): void {
  const [inPlane, outPlane] = [height * width, outHeight * outWidth];
  if (planes * outPlane === 0) return;
  parallel("f32_adaptive_avgpool2d", planes, threadsFor(planes * Math.max(inPlane, outPlane), planes), (start, end) =>
    [input + start * inPlane * 4, end - start, height, width, output + start * outPlane * 4, outHeight, outWidth]);
}

export function bool(value: unknown, name: string): boolean {
  if (typeof value !== "boolean") throw new TypeError(`${name} must be a bool, but got ${pyRepr(value)} of type ${pyType(value)}`);
  return value;
}
