// nn.LayerNorm, nn.GroupNorm, nn.InstanceNorm1d/2d and nn.LocalResponseNorm, as torch.nn's
// (torch/nn/modules/normalization.py, instancenorm.py), thin over src/functional/.

import { Tensor } from "../tensor.js";
import { constantTensor } from "./init.js";
import { parseArgs, pyFloat, pyRepr, integer, required, type ArgSpec } from "../args.js";
import { layerNormWith, group_norm, instance_norm } from "../functional/normalization.js";
import { local_response_norm } from "../functional/normalize.js";
import { bool } from "../functional/pool.js";
import { Module, Parameter, adoptAsParameter } from "./module.js";
import { NormBase } from "./batchnorm.js";

const pyBool = (value: boolean): string => (value ? "True" : "False");

function floatOption(value: unknown, name: string): number {
  if (typeof value !== "number") throw new TypeError(`${name} must be a float, but got ${pyRepr(value)}`);
  return value;
}

/**
 * Layer normalisation over the trailing `normalized_shape` dims
 * (https://pytorch.org/docs/1.13/generated/torch.nn.LayerNorm.html):
 * `y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias`, biased variance, weight and bias of
 * shape normalized_shape (elementwise_affine). Output shape = input shape.
 *
 * ```ts
 * const ln = new nn.LayerNorm(96, { eps: 1e-6 });   // convnext: channels-last [N, H, W, 96]
 * ln.forward(x.permute(0, 2, 3, 1));
 * ```
 */
export class LayerNorm extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  readonly normalized_shape: readonly number[];
  readonly eps: number;
  readonly elementwise_affine: boolean;

  constructor(normalized_shape: number | readonly number[], ...rest: unknown[]);
  constructor(...args: unknown[]) {
    super();
    const a = parseArgs("LayerNorm.__init__", [["normalized_shape", required], ["eps", 1e-5], ["elementwise_affine", true]], args);
    const shape = typeof a.normalized_shape === "number" ? [a.normalized_shape] : a.normalized_shape;
    if (!Array.isArray(shape)) throw new TypeError(`normalized_shape must be an int or a tuple of ints, but got ${pyRepr(a.normalized_shape)}`);
    shape.forEach((d) => integer(d, "normalized_shape", 0));
    this.normalized_shape = Object.freeze([...shape] as number[]);
    this.eps = floatOption(a.eps, "eps");
    this.elementwise_affine = bool(a.elementwise_affine, "elementwise_affine");
    this.weight = this.elementwise_affine ? adoptAsParameter(constantTensor([...this.normalized_shape], 1)) : null;
    this.bias = this.elementwise_affine ? adoptAsParameter(constantTensor([...this.normalized_shape], 0)) : null;
  }

  override forward(input: Tensor): Tensor {
    return layerNormWith(input, [...this.normalized_shape], this.weight, this.bias, this.eps);
  }

  override extra_repr(): string {
    return `${pyRepr([...this.normalized_shape])}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwise_affine)}`;
  }
}

/**
 * Group normalisation (https://pytorch.org/docs/1.13/generated/torch.nn.GroupNorm.html): the
 * channels of [N, C, *] in num_groups groups, each group normalised by its own mean and biased
 * variance, then per channel `* weight[c] + bias[c]` (affine). Output shape = input shape.
 *
 * ```ts
 * const gn = new nn.GroupNorm(32, 256);   // diffusion U-Nets, detectors
 * gn.forward(x);                          // x: [N, 256, H, W]
 * ```
 */
export class GroupNorm extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  readonly num_groups: number;
  readonly num_channels: number;
  readonly eps: number;
  readonly affine: boolean;

  constructor(num_groups: number, num_channels: number, ...rest: unknown[]);
  constructor(...args: unknown[]) {
    super();
    const a = parseArgs("GroupNorm.__init__", [["num_groups", required], ["num_channels", required], ["eps", 1e-5], ["affine", true]], args);
    const groups = integer(a.num_groups, "num_groups", -Infinity);
    const channels = integer(a.num_channels, "num_channels", 0);
    // torch/nn/modules/normalization.py: `if num_channels % num_groups != 0` (Python's modulo)
    if (groups === 0) throw new Error("integer modulo by zero");
    if (((channels % groups) + groups) % groups !== 0) throw new Error("num_channels must be divisible by num_groups");
    this.num_groups = groups;
    this.num_channels = channels;
    this.eps = floatOption(a.eps, "eps");
    this.affine = bool(a.affine, "affine");
    this.weight = this.affine ? adoptAsParameter(constantTensor([channels], 1)) : null;
    this.bias = this.affine ? adoptAsParameter(constantTensor([channels], 0)) : null;
  }

  override forward(input: Tensor): Tensor {
    return group_norm(input, this.num_groups, this.weight, this.bias, this.eps);
  }

  override extra_repr(): string {
    return `${this.num_groups}, ${this.num_channels}, eps=${pyFloat(this.eps)}, affine=${pyBool(this.affine)}`;
  }
}

const INSTANCE_SPEC: ArgSpec = [["num_features", required], ["eps", 1e-5], ["momentum", 0.1], ["affine", false], ["track_running_stats", false]];

/** torch.nn.modules.instancenorm._InstanceNorm: the shared body of InstanceNorm1d/2d. */
abstract class InstanceNorm extends NormBase {
  /** the rank of an unbatched input ([C, L] for 1d, [C, H, W] for 2d) */
  protected abstract readonly noBatchDim: number;

  // num_batches_tracked is never advanced by InstanceNorm's forward (PyTorch 1.13)
  constructor(args: unknown[]) {
    super(new.target.name, INSTANCE_SPEC, args);
  }

  override forward(input: Tensor): Tensor {
    if (input instanceof Tensor && input.dim() !== this.noBatchDim && input.dim() !== this.noBatchDim + 1) {
      throw new Error(`expected ${this.noBatchDim}D or ${this.noBatchDim + 1}D input (got ${input.dim()}D input)`);
    }
    const unbatched = input instanceof Tensor && input.dim() === this.noBatchDim;
    const batched = unbatched ? input.reshape([1, ...input.shape]) : input;
    const out = instance_norm(batched, this.running_mean, this.running_var, this.weight, this.bias,
      this.training || !this.track_running_stats, this.momentum, this.eps);
    return unbatched ? out.reshape(input.shape) : out;
  }
}

/**
 * Instance normalisation of [N, C, H, W] or unbatched [C, H, W]
 * (https://pytorch.org/docs/1.13/generated/torch.nn.InstanceNorm2d.html): each (n, c) plane by
 * its own mean and biased variance; with track_running_stats, train mode updates
 * running_mean/running_var (unbiased, `momentum`) and eval mode uses them.
 *
 * ```ts
 * const norm = new nn.InstanceNorm2d(64, { affine: true });   // style transfer
 * norm.forward(x);                                            // same shape as x
 * ```
 */
export class InstanceNorm2d extends InstanceNorm {
  protected readonly noBatchDim = 3;
  constructor(num_features: number, ...rest: unknown[]);
  constructor(...args: unknown[]) {
    super(args);
  }
}

/** Instance normalisation of [N, C, L] or unbatched [C, L], as InstanceNorm2d. */
export class InstanceNorm1d extends InstanceNorm {
  protected readonly noBatchDim = 2;
  constructor(num_features: number, ...rest: unknown[]);
  constructor(...args: unknown[]) {
    super(args);
  }
}

/** Python's str() of a number the user gave: ints as ints (k=2), floats as Python floats. */
const pyNumber = (value: number): string =>
  (typeof value !== "number" ? pyRepr(value) : Number.isInteger(value) ? String(value) : pyFloat(value));

/**
 * Local response normalisation across channels
 * (https://pytorch.org/docs/1.13/generated/torch.nn.LocalResponseNorm.html):
 * `b_c = a_c / (k + alpha / size * sum a_{c'}^2) ** beta`, c' over the `size` channels around c.
 *
 * ```ts
 * const lrn = new nn.LocalResponseNorm(5, 1e-4, 0.75, 2);   // AlexNet
 * lrn.forward(x);                                           // x: [N, C, H, W]
 * ```
 */
export class LocalResponseNorm extends Module {
  readonly size: number;
  readonly alpha: number;
  readonly beta: number;
  readonly k: number;
  readonly #given: Record<string, boolean>;

  constructor(size: number, ...rest: unknown[]);
  constructor(...args: unknown[]) {
    super();
    const a = parseArgs("LocalResponseNorm.__init__", [["size", required], ["alpha", undefined], ["beta", undefined], ["k", undefined]], args);
    this.#given = { alpha: a.alpha !== undefined, beta: a.beta !== undefined, k: a.k !== undefined };
    this.size = a.size as number;
    // null (None) is kept, so forward refuses it as PyTorch does, instead of taking the default
    this.alpha = (a.alpha === undefined ? 1e-4 : a.alpha) as number;
    this.beta = (a.beta === undefined ? 0.75 : a.beta) as number;
    this.k = (a.k === undefined ? 1.0 : a.k) as number;
  }

  override forward(input: Tensor): Tensor {
    return local_response_norm(input, this.size, this.alpha, this.beta, this.k);
  }

  // PyTorch prints the values as given ('{size}, alpha={alpha}, beta={beta}, k={k}'): a default
  // is a Python float (k=1.0); a given integer prints as one (k=2), as JavaScript can't tell 2 from 2.0
  override extra_repr(): string {
    const show = (name: "alpha" | "beta" | "k"): string => (this.#given[name] ? pyNumber(this[name]) : pyFloat(this[name]));
    return `${this.size}, alpha=${show("alpha")}, beta=${show("beta")}, k=${show("k")}`;
  }
}
