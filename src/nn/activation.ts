// nn.ReLU, nn.ReLU6, nn.Identity, nn.Flatten, as torch.nn's.

import type { Tensor } from "../tensor.js";
import { parseArgs, type ArgSpec } from "../args.js";
import { clampWith } from "../functional/activation.js";
import { bool } from "../functional/pool.js";
import { Module } from "./module.js";

const INPLACE: ArgSpec = [["inplace", false]];

/** max(0, x), elementwise; ReLU(true) writes into its input and returns it. NaN stays NaN. */
export class ReLU extends Module {
  readonly inplace: boolean;
  constructor(...args: unknown[]) {
    super();
    this.inplace = bool(parseArgs("ReLU.__init__", INPLACE, args).inplace, "inplace");
  }
  override forward(input: Tensor): Tensor {
    return clampWith(input, this.inplace, 0, Infinity, "relu");
  }
  override extra_repr(): string {
    return this.inplace ? "inplace=True" : "";
  }
}

/** min(max(0, x), 6), elementwise. */
export class ReLU6 extends Module {
  readonly inplace: boolean;
  constructor(...args: unknown[]) {
    super();
    this.inplace = bool(parseArgs("ReLU6.__init__", INPLACE, args).inplace, "inplace");
  }
  override forward(input: Tensor): Tensor {
    return clampWith(input, this.inplace, 0, 6, "relu6");
  }
  override extra_repr(): string {
    return this.inplace ? "inplace=True" : "";
  }
}

/** Returns its input (any arguments are accepted and ignored, as PyTorch's). */
export class Identity extends Module {
  constructor(..._args: unknown[]) {
    super();
  }
  override forward(input: Tensor): Tensor {
    return input;
  }
}

/** Flattens dims start_dim..end_dim (a view, as torch.flatten). */
export class Flatten extends Module {
  readonly start_dim: number;
  readonly end_dim: number;
  constructor(...args: unknown[]) {
    super();
    const a = parseArgs("Flatten.__init__", [["start_dim", 1], ["end_dim", -1]], args);
    this.start_dim = a.start_dim as number;
    this.end_dim = a.end_dim as number;
  }
  override forward(input: Tensor): Tensor {
    return input.flatten(this.start_dim, this.end_dim);
  }
  override extra_repr(): string {
    return `start_dim=${this.start_dim}, end_dim=${this.end_dim}`;
  }
}
