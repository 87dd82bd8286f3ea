// F.conv1d and F.conv_transpose1d: PyTorch 1.13's 1-D checks and messages, then the 2-D paths on
// [N, C, 1, L] views with 1 x k kernels (no kernels of their own: the views share storage).

import { Tensor } from "../tensor.js";
import { keep } from "../scope.js";
import { parseArgs, pyRepr, pyType, type ArgSpec } from "../args.js";
import { conv2dWith, PackedConvWeights, type PaddingMode } from "./conv.js";
import { convTranspose2dWith, checkGroups, TransposedConvPlan } from "./conv_transpose.js";
import { checkTensor, fmtShape, checkConvOperands } from "./shape.js";

export type Padding1d = number | "same" | "valid";

/**
 * An int or a 1-element list (torch.nn.modules.utils._single, and ATen's expand_param_if_needed
 * for one spatial dimension), with PyTorch's messages.
 */
export function single(value: unknown, name: string, op: string): number {
  const values = typeof value === "number" ? [value] : Array.isArray(value) ? value : null;
  if (values === null) throw new TypeError(`${op}(): argument '${name}' must be tuple of ints, but got ${pyType(value)}`);
  values.forEach((v, i) => {
    if (typeof v !== "number" || !Number.isInteger(v)) {
      throw new TypeError(`${op}(): argument '${name}' must be tuple of ints, but found element of type ${pyType(v)} at pos ${i + 1}`);
    }
  });
  if (values.length !== 1) {
    throw new Error(`expected ${name} to be a single integer value or a list of 1 values to match the convolution dimensions, but got ${name}=[${values.join(", ")}]`);
  }
  return values[0];
}

/** conv1d's padding: an int (or 1-list), 'same' or 'valid'; the functional and the module word a bad string differently. */
export function parsePadding1d(value: unknown, module: boolean): Padding1d {
  if (typeof value === "string") {
    if (value !== "same" && value !== "valid") {
      throw new Error(module ? `Invalid padding string ${pyRepr(value)}, should be one of {'same', 'valid'}` : `Invalid padding string: ${pyRepr(value)}`);
    }
    return value;
  }
  return single(value, "padding", "conv1d");
}

/** A kept [.., 1, L] view of a tensor, made once per source tensor (so packed-weight caches see one tensor). */
export class View4d {
  #source: Tensor | null = null;
  #view: Tensor | null = null;

  get(source: Tensor): Tensor {
    if (this.#source !== source || this.#view === null) {
      this.dispose();
      this.#view = keep(unsqueezeLength(source));
      this.#source = source;
    }
    return this.#view;
  }

  dispose(): void {
    this.#view?.dispose();
    this.#view = null;
    this.#source = null;
  }
}

/** [..., L] -> [..., 1, L], sharing storage. */
export function unsqueezeLength(t: Tensor): Tensor {
  return t.reshape([...t.shape.slice(0, -1), 1, t.shape[t.dim() - 1]]);
}

/** [..., 1, L] result -> [..., L], freeing the 4-D handle (the storage stays with the result). */
function squeezeLength(t: Tensor): Tensor {
  const out = t.reshape([...t.shape.slice(0, -2), t.shape[t.dim() - 1]]);
  t.dispose();
  return out;
}

const CONV1D_SPEC: ArgSpec = [
  ["input", undefined], ["weight", undefined], ["bias", null],
  ["stride", 1], ["padding", 0], ["dilation", 1], ["groups", 1],
];

/**
 * torch.nn.functional.conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1).
 * input [N, C, L] or [C, L]; weight [OC, C/groups, K]; L_out = floor((L + 2p - d(K-1) - 1)/s + 1).
 */
export function conv1d(...args: unknown[]): Tensor {
  const a = parseArgs("conv1d", CONV1D_SPEC, args);
  return conv1dWith(a.input, a.weight, a.bias, {
    stride: single(a.stride, "stride", "conv1d"),
    padding: parsePadding1d(a.padding, false),
    dilation: single(a.dilation, "dilation", "conv1d"),
    groups: checkGroups(a.groups, "conv1d"),
    paddingMode: "zeros",
  });
}

export interface Conv1dParams {
  stride: number;
  padding: Padding1d;
  dilation: number;
  groups: number;
  paddingMode: PaddingMode;
  /** a module's packed weights and the kept 4-D view of its weight */
  packed?: PackedConvWeights;
  weightView?: View4d;
}

export function conv1dWith(inputArg: unknown, weightArg: unknown, biasArg: unknown, params: Conv1dParams): Tensor {
  const { input, weight, bias } = checkConvOperands("conv1d", inputArg, weightArg, biasArg);
  if (input.dim() !== 2 && input.dim() !== 3) {
    throw new Error(`Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: ${fmtShape(input.shape)}`);
  }
  const batched = input.dim() === 3 ? [...input.shape] : [1, ...input.shape];
  if (weight.dim() !== 3) {
    throw new Error(`Expected ${weight.dim()}-dimensional input for ${weight.dim()}-dimensional weight ${fmtShape(weight.shape)}, but got 3-dimensional input of size ${fmtShape(batched)} instead`);
  }
  const { stride, padding, dilation, groups, paddingMode } = params;
  if (padding === "same" && stride !== 1) throw new Error("padding='same' is not supported for strided convolutions");
  if (paddingMode === "zeros" && typeof padding === "number" && padding < 0) throw new Error("negative padding is not supported");
  if (stride <= 0) throw new Error("non-positive stride is not supported");
  if (dilation <= 0) throw new Error("non-positive dilation is not supported");
  const [outChannels, groupIn, kernel] = weight.shape;
  const [, channels, length] = batched;
  if (kernel <= 0) throw new Error(`kernel size should be greater than zero, but got kernel_size: ${kernel}`);
  if (outChannels === 0) {
    throw new Error(`Given groups=${groups}, expected weight to be at least 1 at dimension 0, but got weight of size ${fmtShape(weight.shape)} instead`);
  }
  if (outChannels % groups !== 0) {
    throw new Error(`Given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size ${fmtShape(weight.shape)} instead`);
  }
  if (channels !== groupIn * groups) {
    throw new Error(`Given groups=${groups}, weight of size ${fmtShape(weight.shape)}, expected input${fmtShape(batched)} to have ${groupIn * groups} channels, but got ${channels} channels instead`);
  }
  if (bias !== null && (bias.dim() !== 1 || bias.shape[0] !== outChannels)) {
    throw new Error(`Given weight of size ${fmtShape(weight.shape)}, expected bias to be 1-dimensional with ${outChannels} elements, but got bias of size ${fmtShape(bias.shape)} instead`);
  }
  const total = dilation * (kernel - 1);
  const [left, right] = padding === "valid" ? [0, 0] : padding === "same" ? [total >> 1, total - (total >> 1)] : [padding, padding];
  if (paddingMode !== "zeros") {
    // F.pad's messages for a 1-D pad of the (2-D or 3-D) input, as Conv1d._conv_forward calls it
    if (length === 0 && paddingMode === "replicate") {
      throw new Error(`Expected 2D or 3D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for input, but got: ${fmtShape(input.shape)}`);
    }
    if (paddingMode === "reflect" && (left >= length || right >= length)) {
      throw new Error(`Argument #4: Padding size should be less than the corresponding input dimension, but got: padding (${left}, ${right}) at dimension ${input.dim() - 1} of input ${fmtShape(input.shape)}`);
    }
    if (paddingMode === "circular" && (left > length || right > length)) throw new Error("Padding value causes wrapping around more than once.");
  }
  if (length + left + right < total + 1) {
    throw new Error(`Calculated padded input size per channel: (${length + left + right}). Kernel size: (${total + 1}). Kernel size can't be greater than actual input size`);
  }
  const input4 = unsqueezeLength(input);
  const weight4 = params.weightView?.get(weight) ?? unsqueezeLength(weight);
  try {
    return squeezeLength(conv2dWith(input4, weight4, bias, {
      stride: [1, stride], padding: typeof padding === "string" ? padding : [0, padding], dilation: [1, dilation], groups,
      paddingMode, packed: params.packed,
    }));
  } finally {
    input4.dispose();
    if (params.weightView === undefined) weight4.dispose();
  }
}

const CONV_TRANSPOSE1D_SPEC: ArgSpec = [
  ["input", undefined], ["weight", undefined], ["bias", null],
  ["stride", 1], ["padding", 0], ["output_padding", 0], ["groups", 1], ["dilation", 1],
];

/**
 * torch.nn.functional.conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
 * groups=1, dilation=1): input [N, C, L] or [C, L], weight [C, OC/groups, K]; the 2-D one on 1 x L images.
 */
export function conv_transpose1d(...args: unknown[]): Tensor {
  const a = parseArgs("conv_transpose1d", CONV_TRANSPOSE1D_SPEC, args);
  const op = "conv_transpose1d";
  if (typeof a.padding === "string") throw new TypeError(`${op}(): argument 'padding' must be tuple of ints, not str`);
  return convTranspose1dWith(a.input, a.weight, a.bias, single(a.stride, "stride", op), single(a.padding, "padding", op),
    single(a.output_padding, "output_padding", op), checkGroups(a.groups, op), single(a.dilation, "dilation", op));
}

export function convTranspose1dWith(
  inputArg: unknown, weightArg: unknown, bias: unknown, stride: number, padding: number, outputPadding: number,
  groups: number, dilation: number, plan?: TransposedConvPlan, weightView?: View4d,
): Tensor {
  const input = checkTensor(inputArg, "conv_transpose1d", "input");
  const weight = checkTensor(weightArg, "conv_transpose1d", "weight");
  if (input.dim() !== 2 && input.dim() !== 3) {
    throw new Error(`Expected 2D (unbatched) or 3D (batched) input to conv_transpose1d, but got input of size: ${fmtShape(input.shape)}`);
  }
  if (weight.dim() !== 3) {
    throw new Error(`Expected 3-dimensional weight [in_channels, out_channels/groups, kW] for conv_transpose1d, but got weight of size ${fmtShape(weight.shape)}`);
  }
  const input4 = unsqueezeLength(input);
  const weight4 = weightView?.get(weight) ?? unsqueezeLength(weight);
  try {
    return squeezeLength(convTranspose2dWith(input4, weight4, bias, {
      stride: [1, stride], padding: [0, padding], outputPadding: [0, outputPadding], dilation: [1, dilation], groups, plan,
      shown: { input: input.dim() === 3 ? [...input.shape] : [1, ...input.shape], weight: weight.shape },
    }));
  } finally {
    input4.dispose();
    if (weightView === undefined) weight4.dispose();
  }
}
