// nn.Linear, as torch.nn.Linear: y = x W^T + b over the last dimension.

import type { Tensor } from "../tensor.js";
import { parseArgs, integer, required, type ArgSpec } from "../args.js";
import { linear } from "../functional/linear.js";
import { bilinear } from "../functional/bilinear.js";
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

const BILINEAR_SPEC: ArgSpec = [
  ["in1_features", required], ["in2_features", required], ["out_features", required], ["bias", true],
  ["device", null], ["dtype", null],
];

/**
 * y = x1^T A x2 + b (https://pytorch.org/docs/1.13/generated/torch.nn.Bilinear.html): input1
 * [*, in1], input2 [*, in2] -> [*, out]; weight [out, in1, in2] and bias [out] initialised
 * U(±1/sqrt(in1_features)), as PyTorch's reset_parameters.
 */
export class Bilinear extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly in1_features: number;
  readonly in2_features: number;
  readonly out_features: number;

  constructor(in1_features: number, in2_features: number, out_features: number, ...rest: unknown[]);
  constructor(...args: unknown[]) {
    super();
    const a = parseArgs("Bilinear.__init__", BILINEAR_SPEC, args);
    this.in1_features = integer(a.in1_features, "in1_features", 0);
    this.in2_features = integer(a.in2_features, "in2_features", 0);
    this.out_features = integer(a.out_features, "out_features", 0);
    const hasBias = bool(a.bias, "bias");
    if (a.device !== null) throw new TypeError(`Bilinear: device ${String(a.device)} is not supported (wasmnn runs on the CPU's Wasm)`);
    if (a.dtype !== null && a.dtype !== "float32") throw new TypeError(`Bilinear: dtype ${String(a.dtype)} is not supported (float32 only)`);
    const bound = defaultBound(this.in1_features);
    this.weight = adoptAsParameter(uniformTensor([this.out_features, this.in1_features, this.in2_features], bound));
    this.bias = hasBias ? adoptAsParameter(uniformTensor([this.out_features], bound)) : null;
  }

  override forward(input1: Tensor, input2: Tensor): Tensor {
    return bilinear(input1, input2, this.weight, this.bias);
  }

  override extra_repr(): string {
    return `in1_features=${this.in1_features}, in2_features=${this.in2_features}, out_features=${this.out_features}, bias=${this.bias ? "True" : "False"}`;
  }
}
