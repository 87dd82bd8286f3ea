// nn.Conv1d, as torch.nn.Conv1d (https://pytorch.org/docs/1.13/generated/torch.nn.Conv1d.html).

import type { Tensor } from "../tensor.js";
import { parseArgs, integer, pyRepr, pyType, required, type ArgSpec } from "../args.js";
import { PackedConvWeights, PADDING_MODES, type PaddingMode } from "../functional/conv.js";
import { conv1dWith, parsePadding1d, single, View4d, type Padding1d } from "../functional/conv1d.js";
import { Module, Parameter, adoptAsParameter } from "./module.js";
import { uniformTensor, defaultBound } from "./init.js";

const CONV1D_SPEC: ArgSpec = [
  ["in_channels", required], ["out_channels", required], ["kernel_size", required],
  ["stride", 1], ["padding", 0], ["dilation", 1], ["groups", 1], ["bias", true], ["padding_mode", "zeros"],
];

/**
 * 1-D convolution over [N, C, L] or [C, L] input (audio, sequences): the 2-D convolution's kernels
 * on 1 x L images, with every padding mode, 'same'/'valid', groups and dilation.
 *
 * L_out = floor((L + 2*padding - dilation*(kernel_size-1) - 1) / stride + 1)
 *
 * ```ts
 * const conv = new nn.Conv1d(1, 16, 9, { padding: "same" });
 * conv.forward(randn([1, 1, 16000])).shape; // [1, 16, 16000]
 * ```
 */
export class Conv1d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly in_channels: number;
  readonly out_channels: number;
  readonly kernel_size: [number];
  readonly stride: [number];
  readonly padding: [number] | "same" | "valid";
  readonly dilation: [number];
  readonly groups: number;
  readonly padding_mode: PaddingMode;
  #packed = new PackedConvWeights();
  #weightView = new View4d();

  constructor(in_channels: number, out_channels: number, kernel_size: number | [number], ...rest: unknown[]);
  constructor(...args: unknown[]) {
    super();
    const a = parseArgs("Conv1d.__init__", CONV1D_SPEC, args);
    this.in_channels = integer(a.in_channels, "in_channels", 0);
    this.out_channels = integer(a.out_channels, "out_channels", 0);
    this.kernel_size = [single(a.kernel_size, "kernel_size", "conv1d")];
    this.stride = [single(a.stride, "stride", "conv1d")];
    const padding = parsePadding1d(a.padding, true);
    this.padding = typeof padding === "string" ? padding : [padding];
    this.dilation = [single(a.dilation, "dilation", "conv1d")];
    if (typeof a.groups !== "number" || !Number.isInteger(a.groups)) throw new TypeError(`groups must be an int, but got ${pyRepr(a.groups)}`);
    if (a.groups <= 0) throw new Error("groups must be a positive integer");
    this.groups = a.groups;
    if (this.in_channels % this.groups !== 0) throw new Error("in_channels must be divisible by groups");
    if (this.out_channels % this.groups !== 0) throw new Error("out_channels must be divisible by groups");
    if (this.padding === "same" && this.stride[0] !== 1) throw new Error("padding='same' is not supported for strided convolutions");
    if (typeof a.padding_mode !== "string" || !(PADDING_MODES as readonly string[]).includes(a.padding_mode)) {
      // PyTorch's message prints the allowed values as a Python set, in the order CPython gives it (PYTHONHASHSEED=0, as the fixtures)
      throw new Error(`padding_mode must be one of {'replicate', 'reflect', 'zeros', 'circular'}, but got padding_mode=${pyRepr(a.padding_mode)}`);
    }
    this.padding_mode = a.padding_mode as PaddingMode;
    if (typeof a.bias !== "boolean") throw new TypeError(`bias must be a bool, but got ${pyRepr(a.bias)} of type ${pyType(a.bias)}`);
    const groupIn = this.in_channels / this.groups;
    const bound = defaultBound(groupIn * this.kernel_size[0]);
    this.weight = adoptAsParameter(uniformTensor([this.out_channels, groupIn, this.kernel_size[0]], bound));
    this.bias = a.bias ? adoptAsParameter(uniformTensor([this.out_channels], bound)) : null;
  }

  override forward(input: Tensor): Tensor {
    const padding: Padding1d = typeof this.padding === "string" ? this.padding : this.padding[0];
    return conv1dWith(input, this.weight, this.bias, {
      stride: this.stride[0], padding, dilation: this.dilation[0], groups: this.groups, paddingMode: this.padding_mode,
      packed: this.#packed, weightView: this.#weightView,
    });
  }

  override _invalidateCaches(): void {
    this.#packed.dispose();
    this.#weightView.dispose();
  }

  override extra_repr(): string {
    let s = `${this.in_channels}, ${this.out_channels}, kernel_size=(${this.kernel_size[0]},), stride=(${this.stride[0]},)`;
    if (typeof this.padding === "string") s += `, padding=${this.padding}`;
    else if (this.padding[0] !== 0) s += `, padding=(${this.padding[0]},)`;
    if (this.dilation[0] !== 1) s += `, dilation=(${this.dilation[0]},)`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ", bias=False";
    if (this.padding_mode !== "zeros") s += `, padding_mode=${this.padding_mode}`;
    return s;
  }
}
