// Default initialisation, as torch.nn.init (the distributions, from wasmnn's seedable generator).
//
// Deferred (issue #13): a layer's parameters are created as recipes (random.ts: the generator's
// state and the distribution), not values: the generator advances past the draws as if they were
// made, and the values are drawn, bit for bit the same, when something first reads the tensor. A
// state_dict loaded over them is copied in without ever drawing them. nn.init on a tensor nothing
// has read yet replaces its recipe (the last init wins, as the overwrite it is); on one in linear
// memory it writes the values now, as PyTorch.

import { Tensor, planned, type DType } from "../tensor.js";
import { fillWith, fillNormal, plan, type Fill } from "../random.js";
import { heapF32 } from "../runtime.js";

/** U(-bound, bound) of `shape`, deferred. */
export function uniformTensor(shape: number[], bound: number): Tensor {
  return planned(shape, { kind: "uniform", low: -bound, high: bound });
}

/** `value` everywhere (a norm layer's ones and zeros, PReLU's init), deferred. */
export function constantTensor(shape: readonly number[], value: number, dtype: DType = "float32"): Tensor {
  return planned(shape, { kind: "constant", value }, { dtype });
}

/** N(0, 1) of `shape` (randn's values), with elements [zero[0], zero[1]) then set to 0, deferred (Embedding's weight). */
export function standardNormalTensor(shape: readonly number[], zero?: readonly [number, number]): Tensor {
  return planned(shape, { kind: "standard_normal" }, { zero });
}

/**
 * kaiming_uniform_(w, a=sqrt(5)) as _ConvNd/Linear.reset_parameters: gain = sqrt(2 / (1 + a^2)),
 * bound = gain * sqrt(3 / fan_in) = 1 / sqrt(fan_in). The bias uses the same bound.
 */
export function defaultBound(fanIn: number): number {
  return fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
}

// -- torch.nn.init's public functions (in place, no autograd: they return the tensor) -------------

function checkFloat(t: Tensor, name: string): void {
  if (!(t instanceof Tensor) || t.dtype !== "float32") throw new TypeError(`nn.init.${name}: expected a float32 Tensor, got ${t instanceof Tensor ? t.dtype : typeof t}`);
}

/** Fills `t` with `fill`: a new recipe if nothing has read `t` yet, else the values now. */
function initWith(t: Tensor, fill: Fill, name: string): Tensor {
  checkFloat(t, name);
  if (t._isDeferred()) {
    // plan() advances the generator as drawing would; the values come when t is first read
    t._replan(plan(fill, t.numel()));
  } else {
    writeAll(t, (values) => fillWith(values, fill));
  }
  t._bump();
  return t;
}

/** Writes every value of `t` from `fill`, straight into linear memory (`fill` only draws: nothing allocates meanwhile). */
function writeAll(t: Tensor, fill: (values: Float32Array) => void): void {
  // before the heap view: a deferred tensor is allocated here, without drawing its old recipe
  const at = t._ptrForOverwrite() >>> 2;
  fill(heapF32().subarray(at, at + t.numel()));
}

/** torch.nn.init._calculate_fan_in_and_fan_out: fan_in = size(1) * receptive field, fan_out = size(0) * receptive field. */
export function _calculate_fan_in_and_fan_out(t: Tensor): [number, number] {
  if (t.dim() < 2) throw new RangeError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return [t.shape[1] * receptive, t.shape[0] * receptive];
}

/** torch.nn.init.calculate_gain(nonlinearity, param=None). */
export function calculate_gain(nonlinearity: string, param: number | null = null): number {
  switch (nonlinearity) {
    case "linear": case "conv1d": case "conv2d": case "conv3d": case "conv_transpose1d": case "conv_transpose2d": case "conv_transpose3d": case "sigmoid": return 1;
    case "tanh": return 5 / 3;
    case "relu": return Math.SQRT2;
    case "leaky_relu": return Math.sqrt(2 / (1 + (param ?? 0.01) ** 2));
    case "selu": return 3 / 4;
    default: throw new RangeError(`Unsupported nonlinearity ${nonlinearity}`);
  }
}

/** torch.nn.init.uniform_(tensor, a=0, b=1). */
export function uniform_(t: Tensor, a = 0, b = 1): Tensor {
  return initWith(t, { kind: "uniform", low: a, high: b }, "uniform_");
}

/** torch.nn.init.normal_(tensor, mean=0, std=1). */
export function normal_(t: Tensor, mean = 0, std = 1): Tensor {
  return initWith(t, { kind: "normal", mean, std }, "normal_");
}

/**
 * torch.nn.init.trunc_normal_(tensor, mean=0, std=1, a=-2, b=2): N(mean, std) redrawn until inside
 * [a, b]. Rejection sampling takes an unknown number of draws, so this one runs now, deferred
 * tensor or not (a deferred one is allocated, without drawing its old recipe).
 */
export function trunc_normal_(t: Tensor, mean = 0, std = 1, a = -2, b = 2): Tensor {
  checkFloat(t, "trunc_normal_");
  writeAll(t, (v) => {
    // N(mean, std) for all at once (Box-Muller's pairs both used), then each value outside [a, b]
    // redrawn until inside: the same rejection sampling, one value at a time only where needed
    fillNormal(v);
    const redraw = new Float32Array(2);
    for (let i = 0; i < v.length; i++) {
      let x = mean + std * v[i];
      while (x < a || x > b) { fillNormal(redraw); x = mean + std * redraw[0]; }
      v[i] = x;
    }
  });
  t._bump();
  return t;
}

/** torch.nn.init.constant_(tensor, val). */
export function constant_(t: Tensor, val: number): Tensor {
  return initWith(t, { kind: "constant", value: val }, "constant_");
}

/** torch.nn.init.zeros_(tensor). */
export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}

/** torch.nn.init.ones_(tensor). */
export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

type KaimingOptions = { a?: number; mode?: "fan_in" | "fan_out"; nonlinearity?: string };

function kaimingStd(t: Tensor, o: KaimingOptions): number {
  const mode = o.mode ?? "fan_in";
  if (mode !== "fan_in" && mode !== "fan_out") throw new RangeError(`Mode ${mode} not supported, please use one of ['fan_in', 'fan_out']`);
  const [fanIn, fanOut] = _calculate_fan_in_and_fan_out(t);
  const gain = calculate_gain(o.nonlinearity ?? "leaky_relu", o.a ?? 0);
  return gain / Math.sqrt(mode === "fan_in" ? fanIn : fanOut);
}

/** torch.nn.init.kaiming_uniform_(tensor, a=0, mode='fan_in', nonlinearity='leaky_relu'), options in one object. */
export function kaiming_uniform_(t: Tensor, options: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, options);
  return uniform_(t, -bound, bound);
}

/** torch.nn.init.kaiming_normal_(tensor, a=0, mode='fan_in', nonlinearity='leaky_relu'), options in one object. */
export function kaiming_normal_(t: Tensor, options: KaimingOptions = {}): Tensor {
  return normal_(t, 0, kaimingStd(t, options));
}

/** torch.nn.init.xavier_uniform_(tensor, gain=1). */
export function xavier_uniform_(t: Tensor, gain = 1): Tensor {
  const [fanIn, fanOut] = _calculate_fan_in_and_fan_out(t);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -bound, bound);
}
