// Activations as torch.nn.functional's (and torch.* / Tensor methods where PyTorch has them), over
// the vectorised kernels of assembly/elementwise/activation.ts. Formulas are PyTorch 1.13's CPU
// ones (see the kernel file); NaN stays NaN.

import { Tensor, empty, normalizeDim, numel } from "../tensor.js";
import { wasm, heapF32 } from "../runtime.js";
import { parallel, parallelFloats, threadBytes, threadsFor } from "../threads/parallel.js";
import { Workspace } from "../allocator.js";
import { uniform01 } from "../random.js";
import { parseArgs, pyFloat, pyRepr, pyType, required, type ArgSpec } from "../args.js";
import { bool } from "./pool.js";
import { checkFloat, checkTensor } from "./shape.js";

/** Kernel codes of f32_activation (assembly/elementwise/activation.ts). */
export const Kind = {
  clamp: 0, sigmoid: 1, tanh: 2, exp: 3, silu: 4, gelu: 5, gelu_tanh: 6, hardswish: 7, hardsigmoid: 8,
  leaky_relu: 9, elu: 10, mish: 11, softplus: 12,
} as const;

/** An elementwise activation as the kernel takes it: a kind and its two parameters (fused into convolutions). */
export interface Epilogue { kind: number; a: number; b: number }

/** Runs activation `kind` over `input` into a new tensor, or into `input` itself (in place). */
export function activate(inputArg: unknown, epilogue: Epilogue, inplace: boolean, op: string): Tensor {
  const input = checkTensor(inputArg, op, "input");
  checkFloat(input, op, "input");
  const output = inplace ? input : empty(input.shape);
  activateRange(input.ptr, output.ptr, input.numel(), epilogue);
  if (inplace) input._bump();
  return output;
}

/** f32_activation over `count` floats, split across threads in 1024-float-aligned ranges. */
export function activateRange(inputPtr: number, outputPtr: number, count: number, { kind, a, b }: Epilogue): void {
  parallelFloats("f32_activation", count, kind === Kind.clamp ? 1 : 16, (offset, length) => [inputPtr + offset, outputPtr + offset, length, kind, a, b]);
}

export function clampWith(inputArg: unknown, inplace: boolean, lo: number, hi: number, op: string): Tensor {
  return activate(inputArg, { kind: Kind.clamp, a: lo, b: hi }, inplace, op);
}

/** A Python float argument (ints and floats are numbers; bools are ints in Python). */
export function float(value: unknown, name: string, op: string): number {
  if (typeof value === "boolean") return Number(value);
  if (typeof value !== "number") throw new TypeError(`${op}(): argument '${name}' must be Number, not ${pyType(value)}`);
  return value;
}

const INPUT_INPLACE: ArgSpec = [["input", required], ["inplace", false]];
const INPUT: ArgSpec = [["input", required]];

/** The functions with (input, inplace=False) and no parameter. */
function simple(name: string, kind: number): (...args: unknown[]) => Tensor {
  return (...args: unknown[]) => {
    const a = parseArgs(name, INPUT_INPLACE, args);
    return activate(a.input, { kind, a: 0, b: 0 }, bool(a.inplace, "inplace"), name);
  };
}

/** torch.nn.functional.relu(input, inplace=False): max(0, x) */
export function relu(...args: unknown[]): Tensor {
  const a = parseArgs("relu", INPUT_INPLACE, args);
  return clampWith(a.input, bool(a.inplace, "inplace"), 0, Infinity, "relu");
}

/** torch.nn.functional.relu6(input, inplace=False): min(max(0, x), 6) */
export function relu6(...args: unknown[]): Tensor {
  const a = parseArgs("relu6", INPUT_INPLACE, args);
  return clampWith(a.input, bool(a.inplace, "inplace"), 0, 6, "relu6");
}

/** torch.relu_(input) / F.relu_: relu in place. */
export function relu_(...args: unknown[]): Tensor {
  const a = parseArgs("relu_", INPUT, args);
  return clampWith(a.input, true, 0, Infinity, "relu_");
}

/** torch.sigmoid(input) = 1 / (1 + exp(-x)), computed as e / (1 + e) below 0 (no underflow to 0 before it must). */
export function sigmoid(...args: unknown[]): Tensor {
  return activate(parseArgs("sigmoid", INPUT, args).input, { kind: Kind.sigmoid, a: 0, b: 0 }, false, "sigmoid");
}
export function sigmoid_(...args: unknown[]): Tensor {
  return activate(parseArgs("sigmoid_", INPUT, args).input, { kind: Kind.sigmoid, a: 0, b: 0 }, true, "sigmoid_");
}

/** torch.tanh(input) */
export function tanh(...args: unknown[]): Tensor {
  return activate(parseArgs("tanh", INPUT, args).input, { kind: Kind.tanh, a: 0, b: 0 }, false, "tanh");
}
export function tanh_(...args: unknown[]): Tensor {
  return activate(parseArgs("tanh_", INPUT, args).input, { kind: Kind.tanh, a: 0, b: 0 }, true, "tanh_");
}

/** torch.exp(input): e^x (inf above 88.72, subnormal results below -87.3, 0 below -103.97). */
export function exp(...args: unknown[]): Tensor {
  return activate(parseArgs("exp", INPUT, args).input, { kind: Kind.exp, a: 0, b: 0 }, false, "exp");
}
export function exp_(...args: unknown[]): Tensor {
  return activate(parseArgs("exp_", INPUT, args).input, { kind: Kind.exp, a: 0, b: 0 }, true, "exp_");
}

/** torch.nn.functional.silu(input, inplace=False) = x / (1 + exp(-x)) */
export const silu = simple("silu", Kind.silu);
/** torch.nn.functional.hardswish(input, inplace=False) = x * relu6(x + 3) / 6 */
export const hardswish = simple("hardswish", Kind.hardswish);
/** torch.nn.functional.hardsigmoid(input, inplace=False) = relu6(x + 3) / 6 */
export const hardsigmoid = simple("hardsigmoid", Kind.hardsigmoid);
/** torch.nn.functional.mish(input, inplace=False) = x * tanh(log1p(exp(x))) */
export const mish = simple("mish", Kind.mish);

/** GELU's kernel for `approximate` ('none': the erf form, 'tanh': the tanh form); PyTorch's error otherwise. */
export function geluEpilogue(approximate: unknown): Epilogue {
  if (approximate !== "none" && approximate !== "tanh") {
    if (typeof approximate !== "string") throw new TypeError(`gelu(): argument 'approximate' must be str, not ${pyType(approximate)}`);
    throw new Error("approximate argument must be either none or tanh.");
  }
  // the erf form takes sqrt(1/2) as its parameter a (b = 0: GELU itself, not erf alone)
  return approximate === "tanh" ? { kind: Kind.gelu_tanh, a: 0, b: 0 } : { kind: Kind.gelu, a: Math.SQRT1_2, b: 0 };
}

/** torch.nn.functional.gelu(input, approximate='none'): x * 0.5 * (1 + erf(x / sqrt 2)), or the tanh form. */
export function gelu(...args: unknown[]): Tensor {
  // approximate is keyword-only: gelu(Tensor self, *, str approximate='none')
  const a = parseArgs("gelu", [["input", required], ["*", null], ["approximate", "none"]], args);
  checkTensor(a.input, "gelu", "input");
  return activate(a.input, geluEpilogue(a.approximate), false, "gelu");
}

/** torch.nn.functional.leaky_relu(input, negative_slope=0.01, inplace=False): x > 0 ? x : x * slope */
export function leaky_relu(...args: unknown[]): Tensor {
  const a = parseArgs("leaky_relu", [["input", required], ["negative_slope", 0.01], ["inplace", false]], args);
  const slope = float(a.negative_slope, "negative_slope", "leaky_relu");
  return activate(a.input, { kind: Kind.leaky_relu, a: slope, b: 0 }, bool(a.inplace, "inplace"), "leaky_relu");
}
export function leaky_relu_(...args: unknown[]): Tensor {
  const a = parseArgs("leaky_relu_", [["input", required], ["negative_slope", 0.01]], args);
  return activate(a.input, { kind: Kind.leaky_relu, a: float(a.negative_slope, "negative_slope", "leaky_relu_"), b: 0 }, true, "leaky_relu_");
}

/** torch.nn.functional.elu(input, alpha=1.0, inplace=False): x > 0 ? x : alpha * expm1(x) */
export function elu(...args: unknown[]): Tensor {
  const a = parseArgs("elu", [["input", required], ["alpha", 1.0], ["inplace", false]], args);
  return activate(a.input, { kind: Kind.elu, a: float(a.alpha, "alpha", "elu"), b: 0 }, bool(a.inplace, "inplace"), "elu");
}
export function elu_(...args: unknown[]): Tensor {
  const a = parseArgs("elu_", [["input", required], ["alpha", 1.0]], args);
  return activate(a.input, { kind: Kind.elu, a: float(a.alpha, "alpha", "elu_"), b: 0 }, true, "elu_");
}

/** torch.nn.functional.hardtanh(input, min_val=-1., max_val=1., inplace=False): clamp(x, min_val, max_val) */
export function hardtanh(...args: unknown[]): Tensor {
  const a = parseArgs("hardtanh", [["input", required], ["min_val", -1.0], ["max_val", 1.0], ["inplace", false]], args);
  return clampWith(a.input, bool(a.inplace, "inplace"), float(a.min_val, "min_val", "hardtanh"), float(a.max_val, "max_val", "hardtanh"), "hardtanh");
}
export function hardtanh_(...args: unknown[]): Tensor {
  const a = parseArgs("hardtanh_", [["input", required], ["min_val", -1.0], ["max_val", 1.0]], args);
  return clampWith(a.input, true, float(a.min_val, "min_val", "hardtanh_"), float(a.max_val, "max_val", "hardtanh_"), "hardtanh_");
}

/** torch.nn.functional.softplus(input, beta=1, threshold=20): x * beta > threshold ? x : log1p(exp(x * beta)) / beta */
export function softplus(...args: unknown[]): Tensor {
  const a = parseArgs("softplus", [["input", required], ["beta", 1], ["threshold", 20]], args);
  const beta = float(a.beta, "beta", "softplus");
  const threshold = float(a.threshold, "threshold", "softplus");
  return activate(a.input, { kind: Kind.softplus, a: beta, b: threshold }, false, "softplus");
}

/**
 * torch.nn.functional.prelu(input, weight): x > 0 ? x : weight[c] * x, with c the index along dim 1
 * (weight has one element, or input.size(1) of them; inputs of rank < 2 have one channel).
 */
export function prelu(...args: unknown[]): Tensor {
  const a = parseArgs("prelu", [["input", required], ["weight", required]], args);
  const input = checkTensor(a.input, "prelu", "input");
  const weight = checkTensor(a.weight, "prelu", "weight");
  checkFloat(input, "prelu", "input");
  checkFloat(weight, "prelu", "weight");
  if (weight.dim() > 1) throw new Error(`prelu: Expected \`weight\` to be a scalar or 1D tensor, but got ndim = ${weight.dim()}`);
  const channels = input.dim() >= 2 ? input.shape[1] : 1;
  const count = weight.numel();
  if (count !== 1 && count !== channels) {
    throw new Error(`Mismatch of parameter numbers and input channel size. Found parameter numbers = ${count} and channel size = ${channels}.`);
  }
  const output = empty(input.shape);
  const total = input.numel();
  if (count === 1) {
    // one weight: flat 1024-float-aligned ranges as one plane each (threads)
    parallelFloats("f32_prelu", total, 2, (offset, length) => [input.ptr + offset, weight.ptr, output.ptr + offset, 1, length, 0, 1]);
    return output;
  }
  // a weight per channel: planes (n, c)
  const perChannel = numel(input.shape.slice(2));
  const planes = input.shape[0] * channels;
  parallel("f32_prelu", planes, threadsFor(total * 2, planes), (start, end) =>
    [input.ptr, weight.ptr, output.ptr, channels, perChannel, start, end]);
  return output;
}

/** PyTorch's implicit softmax dim (torch.nn.functional._get_softmax_dim; it warns, the result is this). */
function softmaxDim(dim: unknown, rank: number, op: string): number {
  if (dim === null || dim === undefined) return rank === 0 || rank === 1 || rank === 3 ? 0 : 1;
  if (typeof dim !== "number" || !Number.isInteger(dim)) {
    throw new TypeError(`${op}(): argument 'dim' must be int, not ${pyType(dim)}`);
  }
  return normalizeDim(dim, rank);
}

const softmaxWorkspace = new Workspace("softmax workspace");
/** f32_softmax's columns per block over a non-last dimension (assembly/elementwise/activation.ts). */
const SOFTMAX_COLUMNS = 1024;

function softmaxWith(inputArg: unknown, dimArg: unknown, dtype: unknown, log: boolean, op: string): Tensor {
  const input = checkTensor(inputArg, op, "input");
  checkFloat(input, op, "input");
  if (dtype !== null && dtype !== undefined && dtype !== "float32") {
    throw new TypeError(`${op}(): dtype must be 'float32' or None (wasmnn computes in float32), but got ${pyRepr(dtype)}`);
  }
  const dim = softmaxDim(dimArg, input.dim(), op);
  const shape = input.shape;
  const outer = numel(shape.slice(0, dim));
  const size = shape.length === 0 ? 1 : shape[dim];
  const inner = numel(shape.slice(dim + 1));
  const output = empty(shape);
  if (output.numel() === 0) return output;
  // threads: rows (inner == 1) or (row, block of SOFTMAX_COLUMNS columns), each with its own workspace
  const units = inner === 1 ? outer : outer * Math.ceil(inner / SOFTMAX_COLUMNS);
  const threads = threadsFor(output.numel() * 8, units);
  const need = wasm().f32_softmax_workspace(inner);
  const bytes = need > 0 ? threadBytes(need, threads) : 0;
  const workspace = bytes > 0 ? softmaxWorkspace.get(bytes * threads) : 0;
  parallel("f32_softmax", units, threads, (start, end) =>
    [input.ptr, output.ptr, outer, size, inner, log ? 1 : 0, workspace, start, end], bytes > 0 ? { perThread: { arg: 6, bytes } } : {});
  return output;
}

/** torch.nn.functional.softmax(input, dim=None, _stacklevel=3, dtype=None); dim None picks PyTorch's implicit dim. */
export function softmax(...args: unknown[]): Tensor {
  const a = parseArgs("softmax", [["input", required], ["dim", null], ["_stacklevel", 3], ["dtype", null]], args);
  return softmaxWith(a.input, a.dim, a.dtype, false, "softmax");
}

/** torch.nn.functional.log_softmax(input, dim=None, _stacklevel=3, dtype=None): (x - max) - log(sum exp(x - max)) */
export function log_softmax(...args: unknown[]): Tensor {
  const a = parseArgs("log_softmax", [["input", required], ["dim", null], ["_stacklevel", 3], ["dtype", null]], args);
  return softmaxWith(a.input, a.dim, a.dtype, true, "log_softmax");
}

/** torch.softmax(input, dim, dtype=None) and Tensor.softmax(dim): dim is required. */
export function torchSoftmax(...args: unknown[]): Tensor {
  const a = parseArgs("softmax", [["input", required], ["dim", required], ["dtype", null]], args);
  return softmaxWith(a.input, a.dim, a.dtype, false, "softmax");
}
export function torchLogSoftmax(...args: unknown[]): Tensor {
  const a = parseArgs("log_softmax", [["input", required], ["dim", required], ["dtype", null]], args);
  return softmaxWith(a.input, a.dim, a.dtype, true, "log_softmax");
}

/** Checks dropout's p, as PyTorch ("dropout probability has to be between 0 and 1, but got 1.5"). */
export function dropoutProbability(value: unknown, op: string): number {
  const p = float(value, "p", op);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${pyFloat(p)}`);
  return p;
}

/**
 * Zeroes each of `groups` blocks of `block` floats with probability p and scales the rest by
 * 1 / (1 - p) (float32, as PyTorch's noise.div_(1 - p)); x * 0 keeps PyTorch's -0 and NaN for inf.
 * Random draws come from manual_seed's generator, one per block.
 */
function dropoutWith(input: Tensor, p: number, inplace: boolean, block: number): Tensor {
  const output = inplace ? input : empty(input.shape);
  const n = input.numel();
  const scale = p === 1 ? 0 : Math.fround(1 / Math.fround(1 - p));
  const keep = 1 - p;
  const heap = heapF32();
  const src = input.ptr >>> 2;
  const dst = output.ptr >>> 2;
  for (let start = 0; start < n; start += block) {
    // bernoulli(1 - p): kept when u < 1 - p (never for p = 1)
    const factor = p < 1 && uniform01() < keep ? scale : 0;
    for (let i = start; i < start + block; i++) heap[dst + i] = heap[src + i] * factor;
  }
  if (inplace) input._bump();
  return output;
}

const DROPOUT_SPEC: ArgSpec = [["input", required], ["p", 0.5], ["training", true], ["inplace", false]];

/**
 * torch.nn.functional.dropout(input, p=0.5, training=True, inplace=False): in training, each element
 * is zeroed with probability p and the rest scaled by 1 / (1 - p); else (and for p = 0) the input
 * itself is returned, as PyTorch does.
 */
export function dropout(...args: unknown[]): Tensor {
  const a = parseArgs("dropout", DROPOUT_SPEC, args);
  const p = dropoutProbability(a.p, "dropout");
  const input = checkTensor(a.input, "dropout", "input");
  checkFloat(input, "dropout", "input");
  if (!bool(a.training, "training") || p === 0 || input.numel() === 0) return input;
  return dropoutWith(input, p, bool(a.inplace, "inplace"), 1);
}

/** torch.dropout(input, p, train) */
export function torchDropout(...args: unknown[]): Tensor {
  const a = parseArgs("dropout", [["input", required], ["p", required], ["train", required]], args);
  return dropout(a.input, a.p, a.train);
}

/**
 * torch.nn.functional.dropout2d(input, p=0.5, training=True, inplace=False): zeroes whole channels,
 * one draw per (sample, channel), as PyTorch's feature_dropout (a 3-D input is [N, C, L], as
 * PyTorch 1.13 interprets it; other ranks >= 2 are accepted with the same rule, as PyTorch does
 * with a warning).
 */
export function dropout2d(...args: unknown[]): Tensor {
  const a = parseArgs("dropout2d", DROPOUT_SPEC, args);
  const p = dropoutProbability(a.p, "dropout2d");
  const input = checkTensor(a.input, "dropout2d", "input");
  checkFloat(input, "dropout2d", "input");
  const training = bool(a.training, "training");
  const inplace = bool(a.inplace, "inplace");
  if (!training || p === 0 || input.numel() === 0) return input;
  // (p = 1 zeroes everything before PyTorch looks at the rank)
  if (p === 1) return dropoutWith(input, p, inplace, 1);
  if (input.dim() < 2) throw new Error("Feature dropout requires at least 2 dimensions in the input");
  return dropoutWith(input, p, inplace, numel(input.shape.slice(2)));
}
