// nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d, as torch.nn's
// (https://pytorch.org/docs/1.13/nn.html#pooling-layers). Output size per dimension:
// H_out = floor((H + 2*padding - dilation*(kernel_size-1) - 1) / stride + 1), ceil with ceil_mode.

import type { Tensor } from "../tensor.js";
import { parseArgs, pyRepr, required, type ArgSpec } from "../args.js";
import { maxPool2dWith, avgPool2dWith, adaptive_avg_pool2d, adaptive_max_pool2d, bool } from "../functional/pool.js";
import { Module } from "./module.js";

type Size = number | number[];
/** forward's result: the output, or [output, indices] with return_indices */
export type PoolResult<WithIndices extends boolean> = WithIndices extends true ? [Tensor, Tensor] : Tensor;
const py = (v: unknown): string => (typeof v === "boolean" ? (v ? "True" : "False") : pyRepr(v));

/** What every max pool takes and prints, as PyTorch's _MaxPoolNd; subclasses add the forward. */
export abstract class MaxPoolNd extends Module {
  readonly kernel_size: Size;
  readonly stride: Size;
  readonly padding: Size;
  readonly dilation: Size;
  readonly return_indices: boolean;
  readonly ceil_mode: boolean;
  static readonly #spec: ArgSpec = [["kernel_size", required], ["stride", null], ["padding", 0], ["dilation", 1], ["return_indices", false], ["ceil_mode", false]];

  constructor(...args: unknown[]) {
    super();
    const a = parseArgs(`${new.target.name}.__init__`, MaxPoolNd.#spec, args);
    this.kernel_size = a.kernel_size as Size;
    this.stride = (a.stride ?? a.kernel_size) as Size;   // PyTorch: stride or kernel_size
    this.padding = a.padding as Size;
    this.dilation = a.dilation as Size;
    this.return_indices = bool(a.return_indices, "return_indices");
    this.ceil_mode = bool(a.ceil_mode, "ceil_mode");
  }

  override extra_repr(): string {
    return `kernel_size=${py(this.kernel_size)}, stride=${py(this.stride)}, padding=${py(this.padding)}, dilation=${py(this.dilation)}, ceil_mode=${py(this.ceil_mode)}`;
  }
}

/**
 * 2-D max pooling. `new nn.MaxPool2d(3, 2, 1).forward(x)` on [1, 64, 152, 114] gives [1, 64, 76, 57].
 * With return_indices, forward returns [output, indices] (int64 flat offsets per plane); in
 * TypeScript say so with `new nn.MaxPool2d<true>(2, { return_indices: true })`.
 */
export class MaxPool2d<WithIndices extends boolean = false> extends MaxPoolNd {
  constructor(kernel_size: Size, ...rest: unknown[]);
  constructor(...args: unknown[]) {
    super(...args);
  }

  override forward(input: Tensor): PoolResult<WithIndices> {
    return maxPool2dWith(input, this.kernel_size, this.stride, this.padding, this.dilation, this.ceil_mode, this.return_indices) as PoolResult<WithIndices>;
  }
}

/** 2-D average pooling, with PyTorch's count_include_pad and divisor_override. */
export class AvgPool2d extends Module {
  readonly kernel_size: Size;
  readonly stride: Size;
  readonly padding: Size;
  readonly ceil_mode: boolean;
  readonly count_include_pad: boolean;
  readonly divisor_override: number | null;
  static readonly #spec: ArgSpec = [["kernel_size", required], ["stride", null], ["padding", 0], ["ceil_mode", false], ["count_include_pad", true], ["divisor_override", null]];

  constructor(kernel_size: Size, ...rest: unknown[]);
  constructor(...args: unknown[]) {
    super();
    const a = parseArgs("AvgPool2d.__init__", AvgPool2d.#spec, args);
    this.kernel_size = a.kernel_size as Size;
    this.stride = (a.stride ?? a.kernel_size) as Size;
    this.padding = a.padding as Size;
    this.ceil_mode = bool(a.ceil_mode, "ceil_mode");
    this.count_include_pad = bool(a.count_include_pad, "count_include_pad");
    this.divisor_override = a.divisor_override as number | null;
  }

  override forward(input: Tensor): Tensor {
    return avgPool2dWith(input, this.kernel_size, this.stride, this.padding, this.ceil_mode, this.count_include_pad, this.divisor_override);
  }

  override extra_repr(): string {
    return `kernel_size=${py(this.kernel_size)}, stride=${py(this.stride)}, padding=${py(this.padding)}`;
  }
}

type AdaptiveSize = number | (number | null)[];

/** Average pooling to a fixed output size: windows [floor(i*H/out), ceil((i+1)*H/out)). */
export class AdaptiveAvgPool2d extends Module {
  readonly output_size: AdaptiveSize;
  constructor(output_size: AdaptiveSize, ...rest: unknown[]);
  constructor(...args: unknown[]) {
    super();
    this.output_size = parseArgs("AdaptiveAvgPool2d.__init__", [["output_size", required]], args).output_size as AdaptiveSize;
  }
  override forward(input: Tensor): Tensor {
    return adaptive_avg_pool2d(input, this.output_size);
  }
  override extra_repr(): string {
    return `output_size=${py(this.output_size)}`;
  }
}

/** Max pooling to a fixed output size; with return_indices, forward returns [output, indices]. */
export class AdaptiveMaxPool2d<WithIndices extends boolean = false> extends Module {
  readonly output_size: AdaptiveSize;
  readonly return_indices: boolean;
  constructor(output_size: AdaptiveSize, ...rest: unknown[]);
  constructor(...args: unknown[]) {
    super();
    const a = parseArgs("AdaptiveMaxPool2d.__init__", [["output_size", required], ["return_indices", false]], args);
    this.output_size = a.output_size as AdaptiveSize;
    this.return_indices = bool(a.return_indices, "return_indices");
  }
  override forward(input: Tensor): PoolResult<WithIndices> {
    return adaptive_max_pool2d(input, this.output_size, this.return_indices) as PoolResult<WithIndices>;
  }
  override extra_repr(): string {
    return `output_size=${py(this.output_size)}`;
  }
}
