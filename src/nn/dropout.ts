// nn.Dropout and nn.Dropout2d, as torch.nn's: identity in eval mode, random in training (manual_seed).

import type { Tensor } from "../tensor.js";
import { parseArgs, pyFloat, type ArgSpec } from "../args.js";
import { dropout, dropout2d, dropoutProbability } from "../functional/activation.js";
import { bool } from "../functional/pool.js";
import { Module } from "./module.js";

const SPEC: ArgSpec = [["p", 0.5], ["inplace", false]];

abstract class DropoutBase extends Module {
  readonly p: number;
  readonly inplace: boolean;
  constructor(name: string, args: unknown[]) {
    super();
    const a = parseArgs(`${name}.__init__`, SPEC, args);
    this.p = dropoutProbability(a.p, name);
    this.inplace = bool(a.inplace, "inplace");
  }
  override extra_repr(): string {
    return `p=${pyFloat(this.p)}, inplace=${this.inplace ? "True" : "False"}`;
  }
}

/**
 * Zeroes each element with probability p in training mode and scales the others by 1 / (1 - p)
 * (torch.nn.Dropout(p=0.5, inplace=False)); in eval mode returns its input.
 */
export class Dropout extends DropoutBase {
  constructor(...args: unknown[]) { super("Dropout", args); }
  override forward(input: Tensor): Tensor {
    return dropout(input, this.p, this.training, this.inplace);
  }
}

/** Zeroes whole channels ([N, C, H, W] or [N, C, L]) with probability p in training (torch.nn.Dropout2d). */
export class Dropout2d extends DropoutBase {
  constructor(...args: unknown[]) { super("Dropout2d", args); }
  override forward(input: Tensor): Tensor {
    return dropout2d(input, this.p, this.training, this.inplace);
  }
}
