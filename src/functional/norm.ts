// F.batch_norm: eval mode is a per-channel affine map; train mode first measures each channel's
// mean and biased variance (f64, as PyTorch's CPU kernel) and updates the running statistics.
// Threads (issue #15): the statistics split by channels (each channel's reduction over the batch
// stays whole in one task), the affine map by planes (n, c).

import { Tensor, empty } from "../tensor.js";
import { heapF32, heapF64 } from "../runtime.js";
import { parallel, threadsFor } from "../threads/parallel.js";
import { Workspace } from "../allocator.js";
import { parseArgs, pyRepr, type ArgSpec } from "../args.js";
import { bool } from "./pool.js";
import { checkFloat, checkTensor, fmtShape } from "./shape.js";
import type { Activation } from "./conv.js";

const BATCH_NORM_SPEC: ArgSpec = [
  ["input", undefined], ["running_mean", undefined], ["running_var", undefined], ["weight", null], ["bias", null],
  ["training", false], ["momentum", 0.1], ["eps", 1e-5],
];

/** torch.nn.functional.batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-05) */
export function batch_norm(...args: unknown[]): Tensor {
  const a = parseArgs("batch_norm", BATCH_NORM_SPEC, args);
  return batchNormWith(a.input, a.running_mean, a.running_var, a.weight, a.bias, bool(a.training, "training"), a.momentum, a.eps, "none", false);
}

const scratch = new Workspace("batch_norm scratch");
const ACT: Record<Activation, [number, number]> = { none: [-Infinity, Infinity], relu: [0, Infinity], relu6: [0, 6] };

/**
 * The normalisation behind F.batch_norm and nn.BatchNorm2d. `inPlace` writes into the input
 * (used when fusing); `activation` clamps the result in the same pass.
 */
export function batchNormWith(
  inputArg: unknown, meanArg: unknown, varArg: unknown, weightArg: unknown, biasArg: unknown,
  training: boolean, momentum: unknown, eps: unknown, activation: Activation, inPlace: boolean,
): Tensor {
  const input = checkTensor(inputArg, "batch_norm", "input");
  checkFloat(input, "batch_norm", "input");
  const optional = (value: unknown, name: string): Tensor | null => {
    if (value === null || value === undefined) return null;
    const t = checkTensor(value, "batch_norm", name);
    checkFloat(t, "batch_norm", name);
    return t;
  };
  const runningMean = optional(meanArg, "running_mean");
  const runningVar = optional(varArg, "running_var");
  const weight = optional(weightArg, "weight");
  const bias = optional(biasArg, "bias");
  if (typeof eps !== "number") throw new TypeError(`batch_norm(): argument 'eps' must be float, not ${pyRepr(eps)}`);
  if (typeof momentum !== "number") throw new TypeError(`batch_norm(): argument 'momentum' must be float, not ${pyRepr(momentum)}`);
  if (input.dim() < 2) throw new Error(`batch_norm(): expected input with at least 2 dimensions (N, C, ...), but got input of size ${fmtShape(input.shape)}`);
  const [batch, channels] = input.shape;
  const spatial = input.shape.slice(2).reduce((p, d) => p * d, 1);
  for (const [t, name] of [[runningMean, "running_mean"], [runningVar, "running_var"], [weight, "weight"], [bias, "bias"]] as const) {
    if (t !== null && t.numel() !== channels) throw new Error(`${name} should contain ${channels} elements not ${t.numel()}`);
  }
  if (!training && runningMean === null) throw new Error("running_mean must be defined in evaluation mode");
  if (!training && runningVar === null) throw new Error("running_var must be defined in evaluation mode");
  if (training && batch * spatial <= 1) {
    throw new Error(`Expected more than 1 value per channel when training, got input size torch.Size(${fmtShape(input.shape)})`);
  }
  const output = inPlace ? input : empty(input.shape);
  if (input.numel() === 0) return output;

  // scratch: scale[C] f32, shift[C] f32, then mean[C] and variance[C] f64
  const base = scratch.get(channels * 24 + 16);
  const scalePtr = base;
  const shiftPtr = base + channels * 4;
  const statsPtr = (base + channels * 8 + 7) & ~7;
  let mean: ArrayLike<number>;
  let variance: ArrayLike<number>;
  if (training) {
    parallel("f32_channel_stats", channels, threadsFor(2 * batch * channels * spatial, channels), (start, end) =>
      [input.ptr, batch, channels, spatial, statsPtr, statsPtr + channels * 8, start, end]);
    const stats = heapF64().slice(statsPtr / 8, statsPtr / 8 + 2 * channels);
    mean = stats.subarray(0, channels);
    variance = stats.subarray(channels);
    if (runningMean !== null && runningVar !== null) {
      // running stats take the unbiased variance, as PyTorch
      const n = batch * spatial;
      const rm = heapF32().subarray(runningMean.ptr / 4, runningMean.ptr / 4 + channels);
      const rv = heapF32().subarray(runningVar.ptr / 4, runningVar.ptr / 4 + channels);
      for (let c = 0; c < channels; c++) {
        rm[c] = momentum * mean[c] + (1 - momentum) * rm[c];
        rv[c] = momentum * variance[c] * n / (n - 1) + (1 - momentum) * rv[c];
      }
      runningMean._bump();
      runningVar._bump();
    }
  } else {
    mean = runningMean!.data();
    variance = runningVar!.data();
  }
  // y = (x - mean) / sqrt(var + eps) * w + b  ==  x * scale + shift
  const heap = heapF32();
  const w = weight?.data();
  const b = bias?.data();
  for (let c = 0; c < channels; c++) {
    const invstd = 1 / Math.sqrt(variance[c] + eps);
    const scale = invstd * (w ? w[c] : 1);
    heap[scalePtr / 4 + c] = scale;
    heap[shiftPtr / 4 + c] = (b ? b[c] : 0) - mean[c] * scale;
  }
  const [lo, hi] = ACT[activation];
  const planes = batch * channels;
  parallel("f32_channel_affine", planes, threadsFor(planes * spatial, planes), (start, end) =>
    [input.ptr, output.ptr, channels, spatial, scalePtr, shiftPtr, lo, hi, start, end]);
  if (inPlace) output._bump();
  return output;
}
