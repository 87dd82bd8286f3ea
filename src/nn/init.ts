// Default initialisation, as torch.nn.init (the distributions, from wasmnn's seedable generator).

import { Tensor, tensor, checkShape } from "../tensor.js";
import { fillUniform } from "../random.js";

/** U(-bound, bound) of `shape`. */
export function uniformTensor(shape: number[], bound: number): Tensor {
  const values = new Float32Array(checkShape(shape));
  fillUniform(values, -bound, bound);
  return tensor(values, shape);
}

/**
 * kaiming_uniform_(w, a=sqrt(5)) as _ConvNd/Linear.reset_parameters: gain = sqrt(2 / (1 + a^2)),
 * bound = gain * sqrt(3 / fan_in) = 1 / sqrt(fan_in). The bias uses the same bound.
 */
export function defaultBound(fanIn: number): number {
  return fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
}
