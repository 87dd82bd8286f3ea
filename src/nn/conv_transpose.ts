// nn.ConvTranspose2d and nn.ConvTranspose1d, as torch.nn's
// (https://pytorch.org/docs/1.13/generated/torch.nn.ConvTranspose2d.html).

import type { Tensor } from "../tensor.js";
import { parseArgs, integer, pyRepr, pyType, required, type ArgSpec } from "../args.js";
import { convTranspose2dWith, outputPaddingFor, transposePair, TransposedConvPlan } from "../functional/conv_transpose.js";
import { convTranspose1dWith, single, View4d } from "../functional/conv1d.js";
import { Module, Parameter, adoptAsParameter } from "./module.js";
import { uniformTensor, defaultBound } from "./init.js";

const tuple = (v: readonly number[]): string => `(${v.join(", ")}${v.length === 1 ? "," : ""})`;

/** What _ConvTransposeNd.__init__ checks and creates, shared by the 1-D and 2-D modules. */
abstract class ConvTransposeNd extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly in_channels: number;
  readonly out_channels: number;
  readonly groups: number;
  readonly padding_mode = "zeros";
  abstract readonly kernel_size: number[];
  abstract readonly stride: number[];
  abstract readonly padding: number[];
  abstract readonly output_padding: number[];
  abstract readonly dilation: number[];

  protected constructor(a: Record<string, unknown>, kernel: number[], name: string) {
    super();
    this.in_channels = integer(a.in_channels, "in_channels", 0);
    this.out_channels = integer(a.out_channels, "out_channels", 0);
    if (a.padding_mode !== "zeros") throw new Error(`Only "zeros" padding mode is supported for ${name}`);
    if (typeof a.groups !== "number" || !Number.isInteger(a.groups)) throw new TypeError(`groups must be an int, but got ${pyRepr(a.groups)}`);
    if (a.groups <= 0) throw new Error("groups must be a positive integer");
    this.groups = a.groups;
    if (this.in_channels % this.groups !== 0) throw new Error("in_channels must be divisible by groups");
    if (this.out_channels % this.groups !== 0) throw new Error("out_channels must be divisible by groups");
    if (typeof a.bias !== "boolean") throw new TypeError(`bias must be a bool, but got ${pyRepr(a.bias)} of type ${pyType(a.bias)}`);
    // kaiming_uniform_(a=sqrt(5)) over the transposed weight [in, out/groups, ...]: fan_in = out/groups * taps
    const groupOut = this.out_channels / this.groups;
    const bound = defaultBound(groupOut * kernel.reduce((x, y) => x * y, 1));
    this.weight = adoptAsParameter(uniformTensor([this.in_channels, groupOut, ...kernel], bound));
    this.bias = a.bias ? adoptAsParameter(uniformTensor([this.out_channels], bound)) : null;
  }

  override extra_repr(): string {
    let s = `${this.in_channels}, ${this.out_channels}, kernel_size=${tuple(this.kernel_size)}, stride=${tuple(this.stride)}`;
    if (this.padding.some((p) => p !== 0)) s += `, padding=${tuple(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${tuple(this.dilation)}`;
    if (this.output_padding.some((p) => p !== 0)) s += `, output_padding=${tuple(this.output_padding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ", bias=False";
    return s;
  }
}

const CONV_TRANSPOSE_SPEC: ArgSpec = [
  ["in_channels", required], ["out_channels", required], ["kernel_size", required], ["stride", 1], ["padding", 0],
  ["output_padding", 0], ["groups", 1], ["bias", true], ["dilation", 1], ["padding_mode", "zeros"],
];

/**
 * 2-D transposed convolution ("deconvolution") over [N, C, H, W] or [C, H, W] input; weight
 * [in_channels, out_channels/groups, kH, kW].
 *
 * H_out = (H - 1)*stride - 2*padding + dilation*(kernel_size - 1) + output_padding + 1   (same for W)
 *
 * forward(input, output_size?) picks the output padding that gives `output_size` ([H, W], or with
 * the leading dims), as PyTorch's.
 *
 * ```ts
 * const up = new nn.ConvTranspose2d(64, 32, 2, { stride: 2 });
 * up.forward(randn([1, 64, 56, 56])).shape; // [1, 32, 112, 112]
 * ```
 */
export class ConvTranspose2d extends ConvTransposeNd {
  readonly kernel_size: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly output_padding: [number, number];
  readonly dilation: [number, number];
  #plan = new TransposedConvPlan();

  constructor(in_channels: number, out_channels: number, kernel_size: number | [number, number], ...rest: unknown[]);
  constructor(...args: unknown[]) {
    const a = parseArgs("ConvTranspose2d.__init__", CONV_TRANSPOSE_SPEC, args);
    const kernel = transposePair(a.kernel_size, "kernel_size");
    super(a, kernel, "ConvTranspose2d");
    this.kernel_size = kernel;
    this.stride = transposePair(a.stride, "stride");
    this.padding = transposePair(a.padding, "padding");
    this.output_padding = transposePair(a.output_padding, "output_padding");
    this.dilation = transposePair(a.dilation, "dilation");
  }

  override forward(input: Tensor, output_size: number[] | null = null): Tensor {
    const outputPadding = outputPaddingFor(input, output_size, this.output_padding, this.stride, this.padding, this.kernel_size, this.dilation);
    return convTranspose2dWith(input, this.weight, this.bias, {
      stride: this.stride, padding: this.padding, outputPadding: outputPadding as [number, number], dilation: this.dilation,
      groups: this.groups, plan: this.#plan,
    });
  }

  override _invalidateCaches(): void {
    this.#plan.dispose();
  }
}

/**
 * 1-D transposed convolution over [N, C, L] or [C, L] input (the 2-D one with a 1 x k kernel);
 * weight [in_channels, out_channels/groups, k].
 * L_out = (L - 1)*stride - 2*padding + dilation*(kernel_size - 1) + output_padding + 1.
 */
export class ConvTranspose1d extends ConvTransposeNd {
  readonly kernel_size: [number];
  readonly stride: [number];
  readonly padding: [number];
  readonly output_padding: [number];
  readonly dilation: [number];
  #plan = new TransposedConvPlan();
  #weightView = new View4d();

  constructor(in_channels: number, out_channels: number, kernel_size: number | [number], ...rest: unknown[]);
  constructor(...args: unknown[]) {
    const a = parseArgs("ConvTranspose1d.__init__", CONV_TRANSPOSE_SPEC, args);
    const kernel = single(a.kernel_size, "kernel_size", "conv_transpose1d");
    super(a, [kernel], "ConvTranspose1d");
    this.kernel_size = [kernel];
    this.stride = [single(a.stride, "stride", "conv_transpose1d")];
    this.padding = [single(a.padding, "padding", "conv_transpose1d")];
    this.output_padding = [single(a.output_padding, "output_padding", "conv_transpose1d")];
    this.dilation = [single(a.dilation, "dilation", "conv_transpose1d")];
  }

  override forward(input: Tensor, output_size: number[] | null = null): Tensor {
    const [outputPadding] = outputPaddingFor(input, output_size, this.output_padding, this.stride, this.padding, this.kernel_size, this.dilation);
    return convTranspose1dWith(input, this.weight, this.bias, this.stride[0], this.padding[0], outputPadding, this.groups, this.dilation[0], this.#plan, this.#weightView);
  }

  override _invalidateCaches(): void {
    this.#plan.dispose();
    this.#weightView.dispose();
  }
}
