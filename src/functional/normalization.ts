// F.layer_norm, F.group_norm, F.instance_norm and their torch.* forms, as PyTorch 1.13 computes
// them: statistics per row/group/instance in assembly/norm/moments.ts (corrected two-pass), the
// normalisation fused behind them (assembly/norm/layernorm.ts, groupnorm.ts). Threads (issue #15)
// split rows / groups / instances, each one's statistics whole inside one task.
// Argument checks and messages follow aten/src/ATen/native/layer_norm.cpp, group_norm.cpp,
// Normalization.cpp (instance_norm) and torch/nn/functional.py.

import { Tensor, empty, numel } from "../tensor.js";
import { heapF32, heapF64 } from "../runtime.js";
import { parallel, threadsFor } from "../threads/parallel.js";
import { Workspace } from "../allocator.js";
import { parseArgs, pyType, type ArgSpec } from "../args.js";
import { bool } from "./pool.js";
import { checkFloat, checkTensor, fmtShape } from "./shape.js";
import { batchNormWith } from "./norm.js";

const scratch = new Workspace("normalization scratch");

function optionalTensor(value: unknown, op: string, name: string): Tensor | null {
  if (value === null || value === undefined) return null;
  const t = checkTensor(value, op, name);
  checkFloat(t, op, name);
  return t;
}

function floatArg(value: unknown, op: string, name: string, position: number): number {
  if (typeof value !== "number") {
    throw new TypeError(`${op}(): argument '${name}' (position ${position}) must be float, not ${pyType(value)}`);
  }
  return value;
}

function intList(value: unknown, op: string, name: string, position: number): number[] {
  const ok = Array.isArray(value) && value.every((v) => typeof v === "number" && Number.isInteger(v));
  if (!ok) throw new TypeError(`${op}(): argument '${name}' (position ${position}) must be tuple of ints, not ${pyType(value)}`);
  return value as number[];
}

// ---------------------------------------------------------------------------------------------
// layer_norm

/**
 * The normalisation behind F.layer_norm, torch.layer_norm and nn.LayerNorm: each run of the last
 * len(normalized_shape) dims is normalised by its mean and biased variance, then
 * `* weight + bias` elementwise over normalized_shape.
 */
export function layerNormWith(inputArg: unknown, shapeArg: unknown, weightArg: unknown, biasArg: unknown, epsArg: unknown, op = "layer_norm"): Tensor {
  const input = checkTensor(inputArg, op, "input");
  checkFloat(input, op, "input");
  const normalized = intList(shapeArg, op, "normalized_shape", 2);
  const weight = optionalTensor(weightArg, op, "weight");
  const bias = optionalTensor(biasArg, op, "bias");
  const eps = floatArg(epsArg, op, "eps", 5);
  // aten/src/ATen/native/layer_norm.h _check_layer_norm_inputs, in its order
  if (normalized.length < 1) {
    throw new Error(`Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, but got normalized_shape = ${fmtShape(normalized)}`);
  }
  const sameShape = (t: Tensor): boolean => t.dim() === normalized.length && t.shape.every((d, i) => d === normalized[i]);
  if (weight && !sameShape(weight)) {
    throw new Error(`Expected weight to be of same shape as normalized_shape, but got weight of shape ${fmtShape(weight.shape)} and normalized_shape = ${fmtShape(normalized)}`);
  }
  if (bias && !sameShape(bias)) {
    throw new Error(`Expected bias to be of same shape as normalized_shape, but got bias of shape ${fmtShape(bias.shape)} and normalized_shape = ${fmtShape(normalized)}`);
  }
  const rank = input.dim();
  const trailing = input.shape.slice(rank - normalized.length);
  if (rank < normalized.length || trailing.some((d, i) => d !== normalized[i])) {
    throw new Error(`Given normalized_shape=${fmtShape(normalized)}, expected input with shape [*, ${normalized.join(", ")}], but got input of size${fmtShape(input.shape)}`);
  }
  const output = empty(input.shape);
  const cols = numel(normalized);
  if (input.numel() === 0) return output;
  const rows = input.numel() / cols;
  // the kernel takes both affine vectors or neither: a missing one becomes ones / zeros, which
  // is PyTorch's own arithmetic for it ((x * rstd + shift) * 1 + beta, ... * gamma + 0)
  let gammaPtr = weight?.ptr ?? 0;
  let betaPtr = bias?.ptr ?? 0;
  if ((weight === null) !== (bias === null)) {
    const base = scratch.get(cols * 4);
    heapF32().fill(weight === null ? 1 : 0, base / 4, base / 4 + cols);
    if (weight === null) gammaPtr = base;
    else betaPtr = base;
  }
  // threads: rows by pointers (each row's statistics stay whole in one task)
  parallel("f32_layer_norm", rows, threadsFor(3 * rows * cols, rows), (start, end) =>
    [input.ptr + start * cols * 4, output.ptr + start * cols * 4, end - start, cols, gammaPtr, betaPtr, eps]);
  return output;
}

const LAYER_NORM_SPEC: ArgSpec = [["input", undefined], ["normalized_shape", undefined], ["weight", null], ["bias", null], ["eps", 1e-5]];

/**
 * torch.nn.functional.layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05)
 * (https://pytorch.org/docs/1.13/generated/torch.nn.functional.layer_norm.html). As PyTorch's,
 * normalized_shape is a list: `F.layer_norm(x, [768])` (nn.LayerNorm also takes an int).
 */
export function layer_norm(...args: unknown[]): Tensor {
  const a = parseArgs("layer_norm", LAYER_NORM_SPEC, args);
  return layerNormWith(a.input, a.normalized_shape, a.weight, a.bias, a.eps);
}

/** torch.layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05, cudnn_enable=True) */
export function torchLayerNorm(...args: unknown[]): Tensor {
  const a = parseArgs("layer_norm", [...LAYER_NORM_SPEC, ["cudnn_enable", true]], args);
  bool(a.cudnn_enable, "cudnn_enable");
  return layerNormWith(a.input, a.normalized_shape, a.weight, a.bias, a.eps);
}

// ---------------------------------------------------------------------------------------------
// group_norm

/** f32_group_norm over the batch * groups groups, split across threads by groups. */
function groupNormRange(input: number, output: number, batch: number, groups: number, channelsPerGroup: number, spatial: number,
  gamma: number, beta: number, eps: number, stats: number): void {
  const count = batch * groups;
  parallel("f32_group_norm", count, threadsFor(3 * count * channelsPerGroup * spatial, count), (start, end) =>
    [input, output, batch, groups, channelsPerGroup, spatial, gamma, beta, eps, stats, start, end]);
}

/** torch.group_norm's checks and computation (aten/src/ATen/native/group_norm.cpp). */
export function groupNormWith(inputArg: unknown, groupsArg: unknown, weightArg: unknown, biasArg: unknown, epsArg: unknown): Tensor {
  const op = "group_norm";
  const input = checkTensor(inputArg, op, "input");
  checkFloat(input, op, "input");
  if (typeof groupsArg !== "number" || !Number.isInteger(groupsArg)) {
    throw new TypeError(`group_norm(): argument 'num_groups' (position 2) must be int, not ${pyType(groupsArg)}`);
  }
  const groups = groupsArg;
  const weight = optionalTensor(weightArg, op, "weight");
  const bias = optionalTensor(biasArg, op, "bias");
  const eps = floatArg(epsArg, op, "eps", 5);
  if (input.dim() < 2) {
    throw new RangeError(`Dimension out of range (expected to be in range of [${-Math.max(input.dim(), 1)}, ${Math.max(input.dim(), 1) - 1}], but got 1)`);
  }
  const [batch, channels] = input.shape;
  if (groups <= 0) throw new Error(`Expected num groups to be greater than 0, got ${groups}`);
  if (channels % groups !== 0) {
    throw new Error(`Expected number of channels in input to be divisible by num_groups, but got input of shape ${fmtShape(input.shape)} and num_groups=${groups}`);
  }
  for (const [t, name] of [[weight, "weight"], [bias, "bias"]] as const) {
    if (t && (t.dim() !== 1 || t.numel() !== channels)) {
      throw new Error(`Expected ${name} to be a vector of size equal to the number of channels in input, but got ${name} of shape ${fmtShape(t.shape)} and input of shape ${fmtShape(input.shape)}`);
    }
  }
  const output = empty(input.shape);
  if (input.numel() === 0) return output;
  const spatial = input.numel() / (batch * channels);
  groupNormRange(input.ptr, output.ptr, batch, groups, channels / groups, spatial, weight?.ptr ?? 0, bias?.ptr ?? 0, eps, 0);
  return output;
}

const GROUP_NORM_SPEC: ArgSpec = [["input", undefined], ["num_groups", undefined], ["weight", null], ["bias", null], ["eps", 1e-5]];

/**
 * torch.nn.functional.group_norm(input, num_groups, weight=None, bias=None, eps=1e-05)
 * (https://pytorch.org/docs/1.13/generated/torch.nn.functional.group_norm.html): [N, C, *] in
 * num_groups groups of C / num_groups channels, each normalised by its own mean and biased
 * variance, then per channel `* weight[c] + bias[c]`.
 */
export function group_norm(...args: unknown[]): Tensor {
  const a = parseArgs("group_norm", GROUP_NORM_SPEC, args);
  const input = checkTensor(a.input, "group_norm", "input");
  const groups = a.num_groups;
  if (typeof groups === "number" && Number.isInteger(groups) && input.dim() >= 2) {
    // torch/nn/functional.py: _verify_batch_size([N * C // G, G] + spatial), before the C++ checks
    if (groups === 0) throw new Error("integer division or modulo by zero");
    const size = [Math.floor(input.shape[0] * input.shape[1] / groups), groups, ...input.shape.slice(2)];
    if (size[0] * numel(size.slice(2)) === 1) {
      throw new Error(`Expected more than 1 value per channel when training, got input size ${fmtShape(size)}`);
    }
  } else if (input.dim() < 2) {
    throw new RangeError(`Dimension out of range (expected to be in range of [${-Math.max(input.dim(), 1)}, ${Math.max(input.dim(), 1) - 1}], but got 1)`);
  }
  return groupNormWith(input, groups, a.weight, a.bias, a.eps);
}

/** torch.group_norm(input, num_groups, weight=None, bias=None, eps=1e-05, cudnn_enabled=True) */
export function torchGroupNorm(...args: unknown[]): Tensor {
  const a = parseArgs("group_norm", [...GROUP_NORM_SPEC, ["cudnn_enabled", true]], args);
  bool(a.cudnn_enabled, "cudnn_enabled");
  return groupNormWith(a.input, a.num_groups, a.weight, a.bias, a.eps);
}

// ---------------------------------------------------------------------------------------------
// instance_norm

/**
 * torch.instance_norm's computation (aten/src/ATen/native/Normalization.cpp): batch_norm over
 * [1, N*C, *] with weight, bias and running stats repeated N times; the N updated copies of the
 * running stats are then averaged back into running_mean / running_var.
 */
export function instanceNormWith(
  inputArg: unknown, meanArg: unknown, varArg: unknown, weightArg: unknown, biasArg: unknown,
  useInputStatsArg: unknown, momentumArg: unknown, epsArg: unknown,
): Tensor {
  const op = "instance_norm";
  const input = checkTensor(inputArg, op, "input");
  checkFloat(input, op, "input");
  const runningMean = optionalTensor(meanArg, op, "running_mean");
  const runningVar = optionalTensor(varArg, op, "running_var");
  const weight = optionalTensor(weightArg, op, "weight");
  const bias = optionalTensor(biasArg, op, "bias");
  const useInputStats = bool(useInputStatsArg, "use_input_stats");
  const momentum = floatArg(momentumArg, op, "momentum", 7);
  const eps = floatArg(epsArg, op, "eps", 8);
  if (!useInputStats && (runningMean === null || runningVar === null)) {
    throw new Error("Expected running_mean and running_var to be defined when use_input_stats is false");
  }
  if (input.dim() < 2) {
    throw new RangeError(`Dimension out of range (expected to be in range of [${-Math.max(input.dim(), 1)}, ${Math.max(input.dim(), 1) - 1}], but got 1)`);
  }
  const [batch, channels] = input.shape;
  // batch_norm's check on the repeated tensors, in its order and words
  for (const [t, name] of [[runningMean, "running_mean"], [runningVar, "running_var"], [weight, "weight"], [bias, "bias"]] as const) {
    if (t !== null && t.numel() * batch !== batch * channels) {
      throw new Error(`${name} should contain ${batch * channels} elements not ${t.numel() * batch}`);
    }
  }
  const spatial = numel(input.shape.slice(2));
  if (!useInputStats) {
    // every instance uses its channel's running statistics: eval-mode batch_norm on [N, C, *]
    return batchNormWith(input, runningMean, runningVar, weight, bias, false, momentum, eps, "none", false);
  }
  const output = empty(input.shape);
  const instances = batch * channels;
  // empty instances leave the running statistics untouched, as PyTorch's batch_norm
  if (input.numel() === 0) return output;
  const track = runningMean !== null || runningVar !== null;
  const statsPtr = track ? scratch.get(instances * 16) : 0;
  groupNormRange(input.ptr, output.ptr, batch, channels, 1, spatial, weight?.ptr ?? 0, bias?.ptr ?? 0, eps, statsPtr);
  if (track) {
    const stats = heapF64().slice(statsPtr / 8, statsPtr / 8 + 2 * instances);
    // batch_norm's update of each repeated copy, unbiased variance, then the mean over N (float)
    const unbias = spatial / (spatial - 1);
    for (const [t, offset, factor] of [[runningMean, 0, 1], [runningVar, 1, unbias]] as const) {
      if (t === null) continue;
      const view = heapF32().subarray(t.ptr / 4, t.ptr / 4 + channels);
      const updated = new Float32Array(channels);
      for (let n = 0; n < batch; n++) {
        for (let c = 0; c < channels; c++) {
          const stat = stats[2 * (n * channels + c) + offset] * factor;
          updated[c] += Math.fround(momentum * stat + (1 - momentum) * view[c]);
        }
      }
      for (let c = 0; c < channels; c++) view[c] = updated[c] / batch;
      t._bump();
    }
  }
  return output;
}

const INSTANCE_NORM_SPEC: ArgSpec = [
  ["input", undefined], ["running_mean", null], ["running_var", null], ["weight", null], ["bias", null],
  ["use_input_stats", true], ["momentum", 0.1], ["eps", 1e-5],
];

/**
 * torch.nn.functional.instance_norm(input, running_mean=None, running_var=None, weight=None,
 * bias=None, use_input_stats=True, momentum=0.1, eps=1e-05)
 * (https://pytorch.org/docs/1.13/generated/torch.nn.functional.instance_norm.html): each (n, c)
 * plane of [N, C, *] normalised by its own statistics (use_input_stats) or by the running ones.
 */
export function instance_norm(...args: unknown[]): Tensor {
  const a = parseArgs("instance_norm", INSTANCE_NORM_SPEC, args);
  const input = checkTensor(a.input, "instance_norm", "input");
  if (a.use_input_stats === true && numel(input.shape.slice(2)) === 1) {
    // torch/nn/functional.py _verify_spatial_size
    throw new Error(`Expected more than 1 spatial element when training, got input size torch.Size(${fmtShape(input.shape)})`);
  }
  return instanceNormWith(input, a.running_mean, a.running_var, a.weight, a.bias, a.use_input_stats, a.momentum, a.eps);
}

/**
 * torch.instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum,
 * eps, cudnn_enabled): every argument required, as torch's.
 */
export function torchInstanceNorm(...args: unknown[]): Tensor {
  const a = parseArgs("instance_norm", [
    ["input", undefined], ["weight", undefined], ["bias", undefined], ["running_mean", undefined], ["running_var", undefined],
    ["use_input_stats", undefined], ["momentum", undefined], ["eps", undefined], ["cudnn_enabled", undefined],
  ], args);
  missing("instance_norm", a, ["input", "weight", "bias", "running_mean", "running_var", "use_input_stats", "momentum", "eps", "cudnn_enabled"]);
  bool(a.cudnn_enabled, "cudnn_enabled");
  return instanceNormWith(a.input, a.running_mean, a.running_var, a.weight, a.bias, a.use_input_stats, a.momentum, a.eps);
}

/**
 * torch.batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps,
 * cudnn_enabled): F.batch_norm's computation in torch's argument order, every argument required.
 */
export function torchBatchNorm(...args: unknown[]): Tensor {
  const a = parseArgs("batch_norm", [
    ["input", undefined], ["weight", undefined], ["bias", undefined], ["running_mean", undefined], ["running_var", undefined],
    ["training", undefined], ["momentum", undefined], ["eps", undefined], ["cudnn_enabled", undefined],
  ], args);
  missing("batch_norm", a, ["input", "weight", "bias", "running_mean", "running_var", "training", "momentum", "eps", "cudnn_enabled"]);
  bool(a.cudnn_enabled, "cudnn_enabled");
  return batchNormWith(a.input, a.running_mean, a.running_var, a.weight, a.bias, bool(a.training, "training"), a.momentum, a.eps, "none", false);
}

/** torch's native functions list every missing required argument: `f() missing 2 required positional argument: "a", "b"`. */
function missing(op: string, a: Record<string, unknown>, names: string[]): void {
  const absent = names.filter((name) => a[name] === undefined);
  if (absent.length > 0) {
    throw new TypeError(`${op}() missing ${absent.length} required positional argument: ${absent.map((n) => `"${n}"`).join(", ")}`);
  }
}
