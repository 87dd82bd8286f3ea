// nn.BatchNorm2d, as torch.nn.BatchNorm2d (https://pytorch.org/docs/1.13/generated/torch.nn.BatchNorm2d.html):
// y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias, per channel of [N, C, H, W].

import { Tensor } from "../tensor.js";
import { constantTensor } from "./init.js";
import { heapI64 } from "../runtime.js";
import { parseArgs, pyFloat, pyRepr, integer, required, type ArgSpec } from "../args.js";
import { batchNormWith } from "../functional/norm.js";
import { bool } from "../functional/pool.js";
import { fmtShape } from "../functional/shape.js";
import type { Activation } from "../functional/conv.js";
import { Module, Parameter, adoptAsParameter } from "./module.js";

/**
 * torch.nn.modules.batchnorm._NormBase: the arguments, parameters and buffers BatchNorm and
 * InstanceNorm share; `spec` carries each one's defaults (affine/track_running_stats).
 */
export abstract class NormBase extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  readonly num_features: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly track_running_stats: boolean;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;

  constructor(name: string, spec: ArgSpec, args: unknown[]) {
    super();
    const a = parseArgs(`${name}.__init__`, spec, args);
    this.num_features = integer(a.num_features, "num_features", 0);
    if (typeof a.eps !== "number") throw new TypeError(`eps must be a float, but got ${pyRepr(a.eps)}`);
    if (a.momentum !== null && typeof a.momentum !== "number") throw new TypeError(`momentum must be a float or None, but got ${pyRepr(a.momentum)}`);
    this.eps = a.eps;
    this.momentum = a.momentum as number | null;
    this.affine = bool(a.affine, "affine");
    this.track_running_stats = bool(a.track_running_stats, "track_running_stats");
    const c = this.num_features;
    // deferred (init.ts): allocated when first read, or when a state_dict is loaded over them
    this.weight = this.affine ? adoptAsParameter(constantTensor([c], 1)) : null;
    this.bias = this.affine ? adoptAsParameter(constantTensor([c], 0)) : null;
    // the buffers exist (as None) even when not tracking, as in PyTorch
    this.register_buffer("running_mean", this.track_running_stats ? constantTensor([c], 0) : null);
    this.register_buffer("running_var", this.track_running_stats ? constantTensor([c], 1) : null);
    this.register_buffer("num_batches_tracked", this.track_running_stats ? constantTensor([], 0, "int64") : null);
  }

  // PyTorch's _load_from_state_dict: a checkpoint without num_batches_tracked (from before
  // version 2, or a plain dict) loads, and the counter restarts at 0
  override _optionalStateKeys(): string[] {
    return this.num_batches_tracked ? ["num_batches_tracked"] : [];
  }
  override _fillMissingState(name: string): void {
    if (name === "num_batches_tracked" && this.num_batches_tracked) {
      const at = this.num_batches_tracked.ptr / 8;   // before the heap view (tensor.ts Storage)
      heapI64()[at] = 0n;
      this.num_batches_tracked._bump();
    }
  }

  override extra_repr(): string {
    return `${this.num_features}, eps=${pyFloat(this.eps)}, momentum=${this.momentum === null ? "None" : pyFloat(this.momentum)}, affine=${this.affine ? "True" : "False"}, track_running_stats=${this.track_running_stats ? "True" : "False"}`;
  }
}

const SPEC: ArgSpec = [["num_features", required], ["eps", 1e-5], ["momentum", 0.1], ["affine", true], ["track_running_stats", true]];

/** torch.nn.modules.batchnorm._BatchNorm: the shared body of BatchNorm1d/2d (they differ in the input ranks they take). */
abstract class BatchNorm extends NormBase {
  /** PyTorch's _check_input_dim */
  protected abstract checkInputDim(input: Tensor): void;

  constructor(args: unknown[]) {
    super(new.target.name, SPEC, args);
  }

  override forward(input: Tensor): Tensor {
    return this._forwardWith(input, "none", false);
  }

  /** @internal forward with a fused clamp, optionally in place (used by Sequential fusion) */
  _forwardWith(input: Tensor, activation: Activation, inPlace: boolean): Tensor {
    if (input instanceof Tensor) this.checkInputDim(input);
    let factor = this.momentum ?? 0;
    if (this.training && this.track_running_stats && this.num_batches_tracked !== null) {
      checkTrainable(input, this.num_features);
      const count = this.num_batches_tracked.data<BigInt64Array>()[0] + 1n;
      if (this.momentum === null) factor = 1 / Number(count);
      const out = this.#normalize(input, factor, activation, inPlace);
      // counted only once the forward has succeeded
      const at = this.num_batches_tracked.ptr / 8;   // before the heap view (tensor.ts Storage)
      heapI64()[at] = count;
      this.num_batches_tracked._bump();
      return out;
    }
    return this.#normalize(input, factor, activation, inPlace);
  }

  #normalize(input: Tensor, factor: number, activation: Activation, inPlace: boolean): Tensor {
    const useBatchStats = this.training || (this.running_mean === null && this.running_var === null);
    const track = !this.training || this.track_running_stats;
    return batchNormWith(input, track ? this.running_mean : null, track ? this.running_var : null,
      this.weight, this.bias, useBatchStats, factor, this.eps, activation, inPlace);
  }
}

/**
 * Batch normalisation over a 4-D input ([N, C, H, W]). Eval mode uses the running statistics;
 * train mode the batch's (biased variance), updating running_mean/running_var (unbiased) with
 * `momentum`, or as a cumulative average when momentum is null.
 *
 * ```ts
 * const bn = new nn.BatchNorm2d(64).eval();
 * bn.forward(x); // same shape as x
 * ```
 */
export class BatchNorm2d extends BatchNorm {
  constructor(num_features: number, ...rest: unknown[]);
  constructor(...args: unknown[]) {
    super(args);
  }
  protected checkInputDim(input: Tensor): void {
    if (input.dim() !== 4) throw new Error(`expected 4D input (got ${input.dim()}D input)`);
  }
}

/**
 * Batch normalisation over [N, C] or [N, C, L] (https://pytorch.org/docs/1.13/generated/torch.nn.BatchNorm1d.html),
 * as BatchNorm2d: per channel, over the batch (and L).
 *
 * ```ts
 * const bn = new nn.BatchNorm1d(128).eval();   // after a Linear: [N, 128]
 * bn.forward(x);
 * ```
 */
export class BatchNorm1d extends BatchNorm {
  constructor(num_features: number, ...rest: unknown[]);
  constructor(...args: unknown[]) {
    super(args);
  }
  protected checkInputDim(input: Tensor): void {
    if (input.dim() !== 2 && input.dim() !== 3) throw new Error(`expected 2D or 3D input (got ${input.dim()}D input)`);
  }
}

function checkTrainable(input: Tensor, channels: number): void {
  // F.batch_norm's _verify_batch_size: one value per channel cannot be normalised
  if (input.shape[1] === channels && input.shape[0] * input.shape.slice(2).reduce((p, d) => p * d, 1) <= 1) {
    throw new Error(`Expected more than 1 value per channel when training, got input size torch.Size(${fmtShape(input.shape)})`);
  }
}
