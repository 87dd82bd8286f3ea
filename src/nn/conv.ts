// nn.Conv2d, as torch.nn.Conv2d (https://pytorch.org/docs/1.13/generated/torch.nn.Conv2d.html).

import { Tensor } from "../tensor.js";
import { parseArgs, pair, integer, pyRepr, pyType, required, type ArgSpec } from "../args.js";
import {
  conv2dWith, parsePadding, checkConvSizes, PackedConvWeights, PADDING_MODES,
  type Padding2d, type PaddingMode, type ConvActivation, type MaxPoolSpec,
} from "../functional/conv.js";
import { Module, Parameter, adoptAsParameter } from "./module.js";
import { uniformTensor, defaultBound } from "./init.js";

const CONV2D_SPEC: ArgSpec = [
  ["in_channels", required], ["out_channels", required], ["kernel_size", required],
  ["stride", 1], ["padding", 0], ["dilation", 1], ["groups", 1], ["bias", true], ["padding_mode", "zeros"],
];

const tuple = (v: readonly number[]): string => `(${v.join(", ")})`;

/**
 * 2-D convolution over [N, C, H, W] or [C, H, W] input.
 *
 * H_out = floor((H + 2*padding - dilation*(kernel_size-1) - 1) / stride + 1)   (same for W)
 *
 * ```ts
 * const conv = new nn.Conv2d(3, 64, 7, { stride: 2, padding: 3, bias: false });
 * conv.forward(randn([1, 3, 304, 228])).shape; // [1, 64, 152, 114]
 * ```
 */
export class Conv2d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly in_channels: number;
  readonly out_channels: number;
  readonly kernel_size: [number, number];
  readonly stride: [number, number];
  readonly padding: Padding2d;
  readonly dilation: [number, number];
  readonly groups: number;
  readonly padding_mode: PaddingMode;
  #packed = new PackedConvWeights();

  constructor(in_channels: number, out_channels: number, kernel_size: number | [number, number], ...rest: unknown[]);
  constructor(...args: unknown[]) {
    super();
    const a = parseArgs("Conv2d.__init__", CONV2D_SPEC, args);
    this.in_channels = integer(a.in_channels, "in_channels", 0);
    this.out_channels = integer(a.out_channels, "out_channels", 0);
    this.kernel_size = pair(a.kernel_size, "kernel_size", "conv2d");
    this.stride = pair(a.stride, "stride", "conv2d");
    this.padding = parsePadding(a.padding, "Conv2d");
    this.dilation = pair(a.dilation, "dilation", "conv2d");
    if (typeof a.groups !== "number" || !Number.isInteger(a.groups)) throw new TypeError(`groups must be an int, but got ${pyRepr(a.groups)}`);
    if (a.groups <= 0) throw new Error("groups must be a positive integer");
    this.groups = a.groups;
    if (this.in_channels % this.groups !== 0) throw new Error("in_channels must be divisible by groups");
    if (this.out_channels % this.groups !== 0) throw new Error("out_channels must be divisible by groups");
    if (this.padding === "same" && (this.stride[0] !== 1 || this.stride[1] !== 1)) {
      throw new Error("padding='same' is not supported for strided convolutions");
    }
    if (typeof a.padding_mode !== "string" || !(PADDING_MODES as readonly string[]).includes(a.padding_mode)) {
      throw new Error(`padding_mode must be one of ${PADDING_MODES.join(", ")}, but got ${pyRepr(a.padding_mode)}`);
    }
    this.padding_mode = a.padding_mode as PaddingMode;
    // PyTorch checks these only in forward; the same messages, sooner
    checkConvSizes(this.kernel_size, this.stride, this.dilation);
    if (this.padding_mode === "zeros" && typeof this.padding !== "string" && (this.padding[0] < 0 || this.padding[1] < 0)) {
      throw new Error("negative padding is not supported");
    }
    if (typeof a.bias !== "boolean") throw new TypeError(`bias must be a bool, but got ${pyRepr(a.bias)} of type ${pyType(a.bias)}`);

    const groupIn = this.in_channels / this.groups;
    const bound = defaultBound(groupIn * this.kernel_size[0] * this.kernel_size[1]);
    this.weight = adoptAsParameter(uniformTensor([this.out_channels, groupIn, ...this.kernel_size], bound));
    this.bias = a.bias ? adoptAsParameter(uniformTensor([this.out_channels], bound)) : null;
  }

  override forward(input: Tensor): Tensor {
    return this._forwardWith(input, "none");
  }

  /** @internal forward with a fused activation and max pool (Sequential fusion) */
  _forwardWith(input: Tensor, activation: ConvActivation, pool?: MaxPoolSpec, dead?: Tensor): Tensor {
    return conv2dWith(input, this.weight, this.bias, {
      stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups,
      paddingMode: this.padding_mode, activation, packed: this.#packed, pool, dead,
    });
  }

  override _invalidateCaches(): void {
    this.#packed.dispose();
  }

  override extra_repr(): string {
    let s = `${this.in_channels}, ${this.out_channels}, kernel_size=${tuple(this.kernel_size)}, stride=${tuple(this.stride)}`;
    if (typeof this.padding === "string") s += `, padding=${this.padding}`;
    else if (this.padding[0] !== 0 || this.padding[1] !== 0) s += `, padding=${tuple(this.padding)}`;
    if (this.dilation[0] !== 1 || this.dilation[1] !== 1) s += `, dilation=${tuple(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ", bias=False";
    if (this.padding_mode !== "zeros") s += `, padding_mode=${this.padding_mode}`;
    return s;
  }
}
