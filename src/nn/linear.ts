// nn.Linear, as torch.nn.Linear: y = x W^T + b over the last dimension.

import type { Tensor } from "../tensor.js";
import { parseArgs, integer, required, type ArgSpec } from "../args.js";
import { linear } from "../functional/linear.js";
import { bool } from "../functional/pool.js";
import { Module, Parameter, adoptAsParameter } from "./module.js";
import { uniformTensor, defaultBound } from "./init.js";

const SPEC: ArgSpec = [["in_features", required], ["out_features", required], ["bias", true]];

/**
 * Fully connected layer: input [*, in_features] -> [*, out_features]; weight [out, in] and bias
 * initialised U(±1/sqrt(in_features)), as PyTorch.
 */
export class Linear extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly in_features: number;
  readonly out_features: number;

  constructor(in_features: number, out_features: number, ...rest: unknown[]);
  constructor(...args: unknown[]) {
    super();
    const a = parseArgs("Linear.__init__", SPEC, args);
    this.in_features = integer(a.in_features, "in_features", 0);
    this.out_features = integer(a.out_features, "out_features", 0);
    const hasBias = bool(a.bias, "bias");   // checked before anything is allocated
    const bound = defaultBound(this.in_features);
    this.weight = adoptAsParameter(uniformTensor([this.out_features, this.in_features], bound));
    this.bias = hasBias ? adoptAsParameter(uniformTensor([this.out_features], bound)) : null;
  }

  override forward(input: Tensor): Tensor {
    return linear(input, this.weight, this.bias);
  }

  override extra_repr(): string {
    return `in_features=${this.in_features}, out_features=${this.out_features}, bias=${this.bias ? "True" : "False"}`;
  }
}
