// nn.Unflatten and nn.ChannelShuffle, as torch.nn's (nn.Flatten lives in activation.ts).

import type { Tensor } from "../tensor.js";
import { parseArgs, pyType, required } from "../args.js";
import { unflatten } from "../functional/views.js";
import { channel_shuffle } from "../functional/strided.js";
import { Module } from "./module.js";

/**
 * Unflattens dim `dim` into `unflattened_size` (torch.nn.Unflatten; a view sharing the input's
 * storage). `new nn.Unflatten(1, [16, 4, 4])` maps [N, 256] to [N, 16, 4, 4]. Named-tensor forms
 * (a str dim) are not supported.
 */
export class Unflatten extends Module {
  readonly dim: number;
  readonly unflattened_size: readonly number[];
  constructor(...args: unknown[]) {
    super();
    const a = parseArgs("Unflatten.__init__", [["dim", required], ["unflattened_size", required]], args);
    if (typeof a.dim !== "number") {
      throw new TypeError(typeof a.dim === "string" ? "Unflatten: named tensors (a str dim) are not supported by wasmnn" : "invalid argument type for dim parameter");
    }
    const size = a.unflattened_size;
    if (!Array.isArray(size)) throw new TypeError(`unflattened_size must be a tuple of ints, but found type ${pyType(size)}`);
    size.forEach((elem, i) => {
      if (typeof elem !== "number" || !Number.isInteger(elem)) {
        throw new TypeError(`unflattened_size must be tuple of ints, but found element of type ${pyType(elem)} at pos ${i}`);
      }
    });
    this.dim = a.dim;
    this.unflattened_size = Object.freeze([...size]);
  }
  override forward(input: Tensor): Tensor {
    return unflatten(input, this.dim, [...this.unflattened_size]);
  }
  override extra_repr(): string {
    const size = this.unflattened_size;
    return `dim=${this.dim}, unflattened_size=(${size.join(", ")}${size.length === 1 ? "," : ""})`;
  }
}

/**
 * Divides the channels of [N, C, *] into `groups` and interleaves them (torch.nn.ChannelShuffle,
 * ShuffleNet): output channel j*groups + i is input channel i*(C/groups) + j. A new tensor.
 */
export class ChannelShuffle extends Module {
  readonly groups: number;
  constructor(...args: unknown[]) {
    super();
    this.groups = parseArgs("ChannelShuffle.__init__", [["groups", required]], args).groups as number;
  }
  override forward(input: Tensor): Tensor {
    return channel_shuffle(input, this.groups);
  }
  override extra_repr(): string {
    return `groups=${this.groups}`;
  }
}
