// nn.MaxPool1d, nn.AvgPool1d, nn.AdaptiveAvgPool1d, nn.AdaptiveMaxPool1d, as torch.nn's
// (https://pytorch.org/docs/1.13/nn.html#pooling-layers), over [N, C, L] or [C, L] input.
// L_out = floor((L + 2*padding - dilation*(kernel_size-1) - 1) / stride + 1), ceil with ceil_mode.

import type { Tensor } from "../tensor.js";
import { parseArgs, pyRepr, required, type ArgSpec } from "../args.js";
import { bool } from "../functional/pool.js";
import { maxPool1dWith, avgPool1dWith, adaptive_avg_pool1d, adaptive_max_pool1d } from "../functional/pool1d.js";
import { Module } from "./module.js";
import { MaxPoolNd, type PoolResult } from "./pooling.js";

type Size = number | number[];
const py = (v: unknown): string => (typeof v === "boolean" ? (v ? "True" : "False") : pyRepr(v));
/** torch.nn.modules.utils._single: an int becomes a 1-tuple, a list stays as given */
const single = (v: unknown): unknown => (typeof v === "number" ? [v] : v);

/**
 * 1-D max pooling. `new nn.MaxPool1d(3, 2).forward(x)` on [1, 16, 101] gives [1, 16, 50]. With
 * return_indices, forward returns [output, indices] (int64 positions along L).
 */
export class MaxPool1d<WithIndices extends boolean = false> extends MaxPoolNd {
  constructor(kernel_size: Size, ...rest: unknown[]);
  constructor(...args: unknown[]) {
    super(...args);
  }

  override forward(input: Tensor): PoolResult<WithIndices> {
    return maxPool1dWith(input, this.kernel_size, this.stride, this.padding, this.dilation, this.ceil_mode, this.return_indices) as PoolResult<WithIndices>;
  }
}

/** 1-D average pooling, with PyTorch's count_include_pad. */
export class AvgPool1d extends Module {
  readonly kernel_size: Size;
  readonly stride: Size;
  readonly padding: Size;
  readonly ceil_mode: boolean;
  readonly count_include_pad: boolean;
  static readonly #spec: ArgSpec = [["kernel_size", required], ["stride", null], ["padding", 0], ["ceil_mode", false], ["count_include_pad", true]];

  constructor(kernel_size: Size, ...rest: unknown[]);
  constructor(...args: unknown[]) {
    super();
    const a = parseArgs("AvgPool1d.__init__", AvgPool1d.#spec, args);
    // AvgPool1d stores _single(...) of each size, so its repr shows 1-tuples
    this.kernel_size = single(a.kernel_size) as Size;
    this.stride = single(a.stride ?? a.kernel_size) as Size;
    this.padding = single(a.padding) as Size;
    this.ceil_mode = bool(a.ceil_mode, "ceil_mode");
    this.count_include_pad = bool(a.count_include_pad, "count_include_pad");
  }

  override forward(input: Tensor): Tensor {
    return avgPool1dWith(input, this.kernel_size, this.stride, this.padding, this.ceil_mode, this.count_include_pad);
  }

  override extra_repr(): string {
    return `kernel_size=${py(this.kernel_size)}, stride=${py(this.stride)}, padding=${py(this.padding)}`;
  }
}

/** Average pooling to a fixed output length: windows [floor(i*L/out), ceil((i+1)*L/out)). */
export class AdaptiveAvgPool1d extends Module {
  readonly output_size: Size;
  constructor(output_size: Size, ...rest: unknown[]);
  constructor(...args: unknown[]) {
    super();
    this.output_size = parseArgs("AdaptiveAvgPool1d.__init__", [["output_size", required]], args).output_size as Size;
  }
  override forward(input: Tensor): Tensor {
    return adaptive_avg_pool1d(input, this.output_size);
  }
  override extra_repr(): string {
    return `output_size=${py(this.output_size)}`;
  }
}

/** Max pooling to a fixed output length; with return_indices, forward returns [output, indices]. */
export class AdaptiveMaxPool1d<WithIndices extends boolean = false> extends Module {
  readonly output_size: Size;
  readonly return_indices: boolean;
  constructor(output_size: Size, ...rest: unknown[]);
  constructor(...args: unknown[]) {
    super();
    const a = parseArgs("AdaptiveMaxPool1d.__init__", [["output_size", required], ["return_indices", false]], args);
    this.output_size = a.output_size as Size;
    this.return_indices = bool(a.return_indices, "return_indices");
  }
  override forward(input: Tensor): PoolResult<WithIndices> {
    return adaptive_max_pool1d(input, this.output_size, this.return_indices) as PoolResult<WithIndices>;
  }
  override extra_repr(): string {
    return `output_size=${py(this.output_size)}`;
  }
}
