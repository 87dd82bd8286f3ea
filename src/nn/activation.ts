// The activation modules of torch.nn (ReLU ... Softmax), nn.Identity and nn.Flatten, as torch.nn's.

import { type Tensor } from "../tensor.js";
import { constantTensor } from "./init.js";
import { parseArgs, pyFloat, pyRepr, pyType, integer, type ArgSpec } from "../args.js";
import {
  clampWith, activate, float, geluEpilogue, prelu, softmax, log_softmax, Kind, type Epilogue,
} from "../functional/activation.js";
import { bool } from "../functional/pool.js";
import { Module, Parameter, adoptAsParameter } from "./module.js";

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

/** A Python number in a repr: integers as ints (PyTorch's int-typed defaults), others as floats. */
function pyNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : pyFloat(value);
}
const inplaceRepr = (inplace: boolean, first: boolean): string => (inplace ? (first ? "inplace=True" : ", inplace=True") : "");

/**
 * An elementwise activation that Sequential may fuse into a preceding convolution (eval mode):
 * `_epilogue()` is what the kernel runs, `inplace` whether forward writes into its input.
 */
export abstract class ElementwiseActivation extends Module {
  readonly inplace: boolean = false;
  /** @internal the kernel's kind and parameters (throws PyTorch's error for bad arguments) */
  abstract _epilogue(): Epilogue;
  /** the name PyTorch's functional form has, for messages */
  protected abstract readonly op: string;
  override forward(input: Tensor): Tensor {
    return activate(input, this._epilogue(), this.inplace, this.op);
  }
}

/** Modules of the form Name(inplace=False). */
abstract class InplaceActivation extends ElementwiseActivation {
  override readonly inplace: boolean;
  constructor(name: string, args: unknown[]) {
    super();
    this.inplace = bool(parseArgs(`${name}.__init__`, INPLACE, args).inplace, "inplace");
  }
  override extra_repr(): string {
    return inplaceRepr(this.inplace, true);
  }
}

/** 1 / (1 + exp(-x)), elementwise (torch.nn.Sigmoid). */
export class Sigmoid extends ElementwiseActivation {
  protected readonly op = "sigmoid";
  constructor(...args: unknown[]) {
    super();
    parseArgs("Sigmoid.__init__", [], args);
  }
  _epilogue(): Epilogue { return { kind: Kind.sigmoid, a: 0, b: 0 }; }
}

/** tanh(x), elementwise (torch.nn.Tanh). */
export class Tanh extends ElementwiseActivation {
  protected readonly op = "tanh";
  constructor(...args: unknown[]) {
    super();
    parseArgs("Tanh.__init__", [], args);
  }
  _epilogue(): Epilogue { return { kind: Kind.tanh, a: 0, b: 0 }; }
}

/** x * sigmoid(x), computed as PyTorch's x / (1 + exp(-x)) (torch.nn.SiLU(inplace=False)). */
export class SiLU extends InplaceActivation {
  protected readonly op = "silu";
  constructor(...args: unknown[]) { super("SiLU", args); }
  _epilogue(): Epilogue { return { kind: Kind.silu, a: 0, b: 0 }; }
}

/** x * relu6(x + 3) / 6 (torch.nn.Hardswish(inplace=False)). */
export class Hardswish extends InplaceActivation {
  protected readonly op = "hardswish";
  constructor(...args: unknown[]) { super("Hardswish", args); }
  _epilogue(): Epilogue { return { kind: Kind.hardswish, a: 0, b: 0 }; }
  // PyTorch's Hardswish and Hardsigmoid have no extra_repr (inplace is not shown)
  override extra_repr(): string { return ""; }
}

/** relu6(x + 3) / 6 (torch.nn.Hardsigmoid(inplace=False)). */
export class Hardsigmoid extends InplaceActivation {
  protected readonly op = "hardsigmoid";
  constructor(...args: unknown[]) { super("Hardsigmoid", args); }
  _epilogue(): Epilogue { return { kind: Kind.hardsigmoid, a: 0, b: 0 }; }
  override extra_repr(): string { return ""; }
}

/** x * tanh(softplus(x)) (torch.nn.Mish(inplace=False)). */
export class Mish extends InplaceActivation {
  protected readonly op = "mish";
  constructor(...args: unknown[]) { super("Mish", args); }
  _epilogue(): Epilogue { return { kind: Kind.mish, a: 0, b: 0 }; }
}

/**
 * x * Phi(x) (torch.nn.GELU(approximate='none')): 'none' the erf form x * 0.5 * (1 + erf(x / sqrt 2)),
 * 'tanh' 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). Another string fails in forward, as PyTorch.
 */
export class GELU extends ElementwiseActivation {
  protected readonly op = "gelu";
  readonly approximate: string;
  constructor(...args: unknown[]) {
    super();
    const approximate = parseArgs("GELU.__init__", [["approximate", "none"]], args).approximate;
    if (typeof approximate !== "string") throw new TypeError(`GELU.__init__(): approximate must be a str, but got ${pyType(approximate)}`);
    this.approximate = approximate;
  }
  _epilogue(): Epilogue { return geluEpilogue(this.approximate); }
  override extra_repr(): string { return `approximate=${pyRepr(this.approximate)}`; }
}

/** x > 0 ? x : negative_slope * x (torch.nn.LeakyReLU(negative_slope=0.01, inplace=False)). */
export class LeakyReLU extends ElementwiseActivation {
  protected readonly op = "leaky_relu";
  readonly negative_slope: number;
  override readonly inplace: boolean;
  constructor(...args: unknown[]) {
    super();
    const a = parseArgs("LeakyReLU.__init__", [["negative_slope", 0.01], ["inplace", false]], args);
    this.negative_slope = float(a.negative_slope, "negative_slope", "LeakyReLU");
    this.inplace = bool(a.inplace, "inplace");
  }
  _epilogue(): Epilogue { return { kind: Kind.leaky_relu, a: this.negative_slope, b: 0 }; }
  override extra_repr(): string { return `negative_slope=${pyFloat(this.negative_slope)}${inplaceRepr(this.inplace, false)}`; }
}

/** x > 0 ? x : alpha * (exp(x) - 1) (torch.nn.ELU(alpha=1.0, inplace=False)). */
export class ELU extends ElementwiseActivation {
  protected readonly op = "elu";
  readonly alpha: number;
  override readonly inplace: boolean;
  constructor(...args: unknown[]) {
    super();
    const a = parseArgs("ELU.__init__", [["alpha", 1.0], ["inplace", false]], args);
    this.alpha = float(a.alpha, "alpha", "ELU");
    this.inplace = bool(a.inplace, "inplace");
  }
  _epilogue(): Epilogue { return { kind: Kind.elu, a: this.alpha, b: 0 }; }
  override extra_repr(): string { return `alpha=${pyFloat(this.alpha)}${inplaceRepr(this.inplace, false)}`; }
}

/**
 * clamp(x, min_val, max_val) (torch.nn.Hardtanh(min_val=-1.0, max_val=1.0, inplace=False,
 * min_value=None, max_value=None); the deprecated min_value/max_value override min_val/max_val).
 */
export class Hardtanh extends ElementwiseActivation {
  protected readonly op = "hardtanh";
  readonly min_val: number;
  readonly max_val: number;
  override readonly inplace: boolean;
  constructor(...args: unknown[]) {
    super();
    const a = parseArgs("Hardtanh.__init__", [["min_val", -1.0], ["max_val", 1.0], ["inplace", false], ["min_value", null], ["max_value", null]], args);
    this.min_val = float(a.min_value ?? a.min_val, "min_val", "Hardtanh");
    this.max_val = float(a.max_value ?? a.max_val, "max_val", "Hardtanh");
    this.inplace = bool(a.inplace, "inplace");
    // PyTorch: assert self.max_val > self.min_val (an AssertionError without message)
    if (!(this.max_val > this.min_val)) throw new Error(`Hardtanh: max_val (${pyFloat(this.max_val)}) must be greater than min_val (${pyFloat(this.min_val)})`);
  }
  _epilogue(): Epilogue { return { kind: Kind.clamp, a: this.min_val, b: this.max_val }; }
  override extra_repr(): string {
    return `min_val=${pyFloat(this.min_val)}, max_val=${pyFloat(this.max_val)}${inplaceRepr(this.inplace, false)}`;
  }
}

/** log1p(exp(beta x)) / beta, or x where beta x > threshold (torch.nn.Softplus(beta=1, threshold=20)). */
export class Softplus extends ElementwiseActivation {
  protected readonly op = "softplus";
  readonly beta: number;
  readonly threshold: number;
  constructor(...args: unknown[]) {
    super();
    const a = parseArgs("Softplus.__init__", [["beta", 1], ["threshold", 20]], args);
    this.beta = float(a.beta, "beta", "Softplus");
    this.threshold = float(a.threshold, "threshold", "Softplus");
  }
  _epilogue(): Epilogue { return { kind: Kind.softplus, a: this.beta, b: this.threshold }; }
  // (PyTorch prints what it was given: 2 or 2.0; a JavaScript number is printed as an int when it is one)
  override extra_repr(): string { return `beta=${pyNumber(this.beta)}, threshold=${pyNumber(this.threshold)}`; }
}

/**
 * x > 0 ? x : weight * x with a learnable weight, one per channel (dim 1) or one for all
 * (torch.nn.PReLU(num_parameters=1, init=0.25)).
 */
export class PReLU extends Module {
  readonly num_parameters: number;
  weight: Parameter;
  constructor(...args: unknown[]) {
    super();
    const a = parseArgs("PReLU.__init__", [["num_parameters", 1], ["init", 0.25]], args);
    this.num_parameters = integer(a.num_parameters, "num_parameters", 0);
    const init = float(a.init, "init", "PReLU");
    this.weight = adoptAsParameter(constantTensor([this.num_parameters], init))   // deferred (init.ts);
  }
  override forward(input: Tensor): Tensor {
    return prelu(input, this.weight);
  }
  override extra_repr(): string { return `num_parameters=${this.num_parameters}`; }
}

/** softmax over `dim` (torch.nn.Softmax(dim=None); None picks PyTorch's implicit dim). */
export class Softmax extends Module {
  readonly dim: number | null;
  constructor(...args: unknown[]) {
    super();
    this.dim = optionalDim(parseArgs("Softmax.__init__", [["dim", null]], args).dim, "Softmax");
  }
  override forward(input: Tensor): Tensor {
    return softmax(input, this.dim);
  }
  override extra_repr(): string { return `dim=${pyRepr(this.dim)}`; }
}

/** log_softmax over `dim` (torch.nn.LogSoftmax(dim=None)). */
export class LogSoftmax extends Module {
  readonly dim: number | null;
  constructor(...args: unknown[]) {
    super();
    this.dim = optionalDim(parseArgs("LogSoftmax.__init__", [["dim", null]], args).dim, "LogSoftmax");
  }
  override forward(input: Tensor): Tensor {
    return log_softmax(input, this.dim);
  }
  override extra_repr(): string { return `dim=${pyRepr(this.dim)}`; }
}

/** The activation modules Sequential fuses into a preceding convolution (the classes themselves). */
export const FUSABLE_ACTIVATIONS: ReadonlySet<unknown> = new Set([
  Sigmoid, Tanh, SiLU, GELU, Hardswish, Hardsigmoid, LeakyReLU, ELU, Hardtanh, Mish, Softplus,
]);

function optionalDim(dim: unknown, name: string): number | null {
  if (dim === null) return null;
  if (typeof dim !== "number" || !Number.isInteger(dim)) throw new TypeError(`${name}.__init__(): dim must be an int or None, but got ${pyType(dim)}`);
  return dim;
}

