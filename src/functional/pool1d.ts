// F.max_pool1d, F.avg_pool1d, F.adaptive_avg_pool1d, F.adaptive_max_pool1d: PyTorch 1.13's 1-D checks
// and messages, then the 2-D pools on [N, C, 1, L] views (as ATen itself runs most of them).

import { Tensor, empty } from "../tensor.js";
import { parseArgs, pyType, type ArgSpec } from "../args.js";
import { maxPool2dWith, avgPool2dWith, adaptive_avg_pool2d, adaptive_max_pool2d, bool, poolOutputSize, MAX_POOL_SPEC } from "./pool.js";
import { checkFloat, checkTensor, fmtShape } from "./shape.js";
import { unsqueezeLength } from "./conv1d.js";

/** An int or a list of ints, as a list (length checked by the caller with its own message). */
function ints(value: unknown, op: string, name: string): number[] {
  const values = typeof value === "number" ? [value] : Array.isArray(value) ? value : null;
  if (values === null || values.some((v) => typeof v !== "number" || !Number.isInteger(v))) {
    throw new TypeError(`${op}(): argument '${name}' must be tuple of ints, not ${pyType(value)}`);
  }
  return values as number[];
}

/** ATen's check_dim_size-style rank check of the 1-D pools that go through the 2-D ones. */
function checkRank(input: Tensor, op: string): void {
  if (input.dim() !== 2 && input.dim() !== 3) {
    throw new Error(`Expected 2 to 3 dimensions, but got ${input.dim()}-dimensional tensor for argument #1 'self' (while checking arguments for ${op})`);
  }
}

/** [.., 1, L] result of a 2-D pool -> [.., L], freeing the 4-D handle. */
function squeeze(t: Tensor): Tensor {
  const out = t.reshape([...t.shape.slice(0, -2), t.shape[t.dim() - 1]]);
  t.dispose();
  return out;
}

/** Runs a 2-D pool on the [.., 1, L] view of `input`; results (one tensor or [output, indices]) come back 1-D. */
function on2d<T extends Tensor | [Tensor, Tensor]>(input: Tensor, pool: (view: Tensor) => T): T {
  const view = unsqueezeLength(input);
  try {
    const result = pool(view);
    return (Array.isArray(result) ? result.map(squeeze) : squeeze(result as Tensor)) as T;
  } finally {
    view.dispose();
  }
}

/**
 * torch.nn.functional.max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1,
 * ceil_mode=False, return_indices=False); input [N, C, L] or [C, L]. With return_indices,
 * [output, indices (int64 positions along L)].
 */
export function max_pool1d(...args: unknown[]): Tensor | [Tensor, Tensor] {
  const a = parseArgs("max_pool1d", MAX_POOL_SPEC, args);
  return maxPool1dWith(a.input, a.kernel_size, a.stride, a.padding, a.dilation, a.ceil_mode, a.return_indices);
}

export function maxPool1dWith(
  inputArg: unknown, kernelArg: unknown, strideArg: unknown, paddingArg: unknown, dilationArg: unknown,
  ceilArg: unknown, indicesArg: unknown,
): Tensor | [Tensor, Tensor] {
  const op = "max_pool1d";
  const input = checkTensor(inputArg, op, "input");
  checkFloat(input, op, "input");
  const ceilMode = bool(ceilArg, "ceil_mode");
  const withIndices = bool(indicesArg, "return_indices");
  const kernel = ints(kernelArg, op, "kernel_size");
  const stride = strideArg === null ? [] : ints(strideArg, op, "stride");
  const padding = ints(paddingArg, op, "padding");
  const dilation = ints(dilationArg, op, "dilation");
  if (withIndices) {
    // PyTorch runs max_pool2d_with_indices on the unsqueezed input, with its 2-D messages
    checkRank(input, op);
    const single = (v: number[], name: string): number => {
      if (v.length !== 1) throw new Error(`${op}() argument '${name}' should contain one int (got ${v.length})`);
      return v[0];
    };
    const k = single(kernel, "kernel_size");
    const s = stride.length === 0 ? k : single(stride, "stride");
    const p = single(padding, "padding");
    const d = single(dilation, "dilation");
    return on2d(input, (view) => maxPool2dWith(view, [1, k], [1, s], [0, p], [1, d], ceilMode, true) as [Tensor, Tensor]);
  }
  // aten/src/ATen/native/MaxPooling.cpp (check_max_pool1d)
  const s = input.shape;
  if ((s.length !== 2 && s.length !== 3) || s.slice(-2).some((v) => v === 0)) {
    throw new Error(`${op}: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, but got:${fmtShape(s)}`);
  }
  if (kernel.length !== 1) throw new Error(`${op}() kernel_size must be an int, list of ints or tuple of ints of size 1 but got size ${kernel.length}`);
  if (stride.length > 1) throw new Error(`${op}() stride must be None, an int, list of ints, or tuple of ints of size 1 but got size ${stride.length}`);
  if (padding.length !== 1) throw new Error(`${op}() padding must be an int, list of ints, or tuple of ints of size 1 but got size ${padding.length}`);
  if (dilation.length !== 1) throw new Error(`${op}() dilation must be an int, list of ints or tuple of ints of size 1 but got size ${dilation.length}`);
  const k = kernel[0];
  const st = stride.length === 0 ? k : stride[0];
  const [p, d] = [padding[0], dilation[0]];
  if (k <= 0) throw new Error(`${op}() kernel_size must be greater than zero, but got ${k}`);
  if (st <= 0) throw new Error(`${op}() stride must be greater than zero, but got ${st}`);
  if (p < 0) throw new Error(`${op}() padding must be non-negative, but got ${p}`);
  if (p > Math.floor(k / 2)) throw new Error(`${op}() padding should be at most half of kernel size, but got padding=${p} and kernel_size=${k}`);
  if (d <= 0) throw new Error(`${op}() dilation must be greater than zero, but got ${d}`);
  const outLength = poolOutputSize(s[s.length - 1], k, p, st, d, ceilMode);
  if (outLength < 0) throw new Error(`${op}() Invalid computed output size: ${outLength}`);
  // a window longer than the input gives an empty output here (the 2-D pool would refuse it)
  if (outLength === 0) return empty([...s.slice(0, -1), 0]);
  return on2d(input, (view) => maxPool2dWith(view, [1, k], [1, st], [0, p], [1, d], ceilMode, false) as Tensor);
}

const AVG_POOL1D_SPEC: ArgSpec = [
  ["input", undefined], ["kernel_size", undefined], ["stride", null], ["padding", 0],
  ["ceil_mode", false], ["count_include_pad", true],
];

/** torch.nn.functional.avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True) */
export function avg_pool1d(...args: unknown[]): Tensor {
  const a = parseArgs("avg_pool1d", AVG_POOL1D_SPEC, args);
  return avgPool1dWith(a.input, a.kernel_size, a.stride, a.padding, a.ceil_mode, a.count_include_pad);
}

export function avgPool1dWith(
  inputArg: unknown, kernelArg: unknown, strideArg: unknown, paddingArg: unknown, ceilMode: unknown, countIncludePad: unknown,
): Tensor {
  const op = "avg_pool1d";
  const input = checkTensor(inputArg, op, "input");
  checkFloat(input, op, "input");
  checkRank(input, op);
  const single = (v: number[], name: string): number => {
    if (v.length !== 1) throw new Error(`${op}() argument '${name}' should contain one int (got ${v.length})`);
    return v[0];
  };
  const k = single(ints(kernelArg, op, "kernel_size"), "kernel_size");
  const stride = strideArg === null ? [] : ints(strideArg, op, "stride");
  const s = stride.length === 0 ? k : single(stride, "stride");
  const p = single(ints(paddingArg, op, "padding"), "padding");
  return on2d(input, (view) => avgPool2dWith(view, [1, k], [1, s], [0, p], ceilMode, countIncludePad, null));
}

/** The adaptive pools' output_size: one int (or a 1-list), with PyTorch's messages. */
function adaptiveSize(op: string, input: Tensor, outputSize: unknown): number {
  if (outputSize === null || outputSize === undefined) {
    throw new TypeError(`${op}(): argument 'output_size' (position 2) must be tuple of ints, not NoneType`);
  }
  const sizes = ints(outputSize, op, "output_size");
  checkRank(input, op);
  if (sizes.length !== 1) throw new Error(`${op}() argument 'output_size' should contain one int (got ${sizes.length})`);
  return sizes[0];
}

/** torch.nn.functional.adaptive_avg_pool1d(input, output_size) */
export function adaptive_avg_pool1d(...args: unknown[]): Tensor {
  const a = parseArgs("adaptive_avg_pool1d", [["input", undefined], ["output_size", undefined]], args);
  const input = checkTensor(a.input, "adaptive_avg_pool1d", "input");
  checkFloat(input, "adaptive_avg_pool1d", "input");
  const size = adaptiveSize("adaptive_avg_pool1d", input, a.output_size);
  if (size < 0) throw new Error(`adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but received {1, ${size}}`);
  return on2d(input, (view) => adaptive_avg_pool2d(view, [1, size]));
}

/** torch.nn.functional.adaptive_max_pool1d(input, output_size, return_indices=False) */
export function adaptive_max_pool1d(...args: unknown[]): Tensor | [Tensor, Tensor] {
  const a = parseArgs("adaptive_max_pool1d", [["input", undefined], ["output_size", undefined], ["return_indices", false]], args);
  const input = checkTensor(a.input, "adaptive_max_pool1d", "input");
  checkFloat(input, "adaptive_max_pool1d", "input");
  const size = adaptiveSize("adaptive_max_pool1d", input, a.output_size);
  const withIndices = bool(a.return_indices, "return_indices");
  if (size < 0) {
    const view = [...input.shape.slice(0, -1), 1, size];
    throw new Error(`Trying to create tensor with negative dimension ${size}: ${fmtShape(view)}`);
  }
  return on2d(input, (view) => adaptive_max_pool2d(view, [1, size], withIndices));
}
