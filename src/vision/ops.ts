// torchvision.ops' building blocks that the models share (torchvision/ops/misc.py and
// stochastic_depth.py, v0.14): Conv2dNormActivation, SqueezeExcitation, StochasticDepth, Permute.
// Written on wasmnn's public API, as a user would write them.
import { nn, tensor, Tensor, permute } from "../core.js";
import { parseArgs, required, pyFloat, type ArgSpec } from "../args.js";
import { uniform01 } from "../random.js";

/** A layer factory as torchvision takes one: a Module class (`nn.BatchNorm2d`) or a function (`(c) => new nn.GroupNorm(8, c)`). */
export type LayerFactory = (new (...args: any[]) => nn.Module) | ((...args: any[]) => nn.Module);

/** Calls a factory the way Python calls `norm_layer(out_channels)`: classes with `new`, functions plainly. */
export function makeLayer(factory: LayerFactory, ...args: unknown[]): nn.Module {
  const isClass = typeof factory === "function" && factory.prototype instanceof nn.Module;
  return isClass ? new (factory as new (...a: unknown[]) => nn.Module)(...args) : (factory as (...a: unknown[]) => nn.Module)(...args);
}

const CONV_NORM_ACTIVATION: ArgSpec = [
  ["in_channels", required], ["out_channels", required], ["kernel_size", 3], ["stride", 1], ["padding", null], ["groups", 1],
  ["norm_layer", nn.BatchNorm2d], ["activation_layer", nn.ReLU], ["dilation", 1], ["inplace", true], ["bias", null],
];

/**
 * torchvision.ops.Conv2dNormActivation(in_channels, out_channels, kernel_size=3, stride=1,
 * padding=None, groups=1, norm_layer=BatchNorm2d, activation_layer=ReLU, dilation=1, inplace=True,
 * bias=None): a Sequential of Conv2d, the norm layer and the activation (either may be `null`).
 * `padding: null` pads `(kernel_size - 1) / 2 * dilation` ("same" for odd kernels); `bias: null`
 * gives the conv a bias only without a norm layer. Being a Sequential, it runs as one fused
 * convolution in eval mode.
 *
 *   new ops.Conv2dNormActivation(3, 32, 3, { stride: 2, activation_layer: nn.ReLU6 })
 */
export class Conv2dNormActivation extends nn.Sequential {
  readonly out_channels: number;
  constructor(...args: unknown[]) {
    const a = parseArgs("Conv2dNormActivation.__init__", CONV_NORM_ACTIVATION, args);
    const kernel = a.kernel_size as number | [number, number];
    const dilation = a.dilation as number | [number, number];
    let padding = a.padding;
    if (padding === null) {
      const k = typeof kernel === "number" ? [kernel, kernel] : kernel;
      const d = typeof dilation === "number" ? [dilation, dilation] : dilation;
      padding = typeof kernel === "number" && typeof dilation === "number"
        ? Math.floor((kernel - 1) / 2) * dilation
        : [0, 1].map((i) => Math.floor((k[i] - 1) / 2) * d[i]);
    }
    const norm = a.norm_layer as LayerFactory | null;
    const activation = a.activation_layer as LayerFactory | null;
    const bias = a.bias === null ? norm === null : (a.bias as boolean);
    const layers: nn.Module[] = [
      new nn.Conv2d(a.in_channels as number, a.out_channels as number, kernel, a.stride, padding, { dilation, groups: a.groups, bias }),
    ];
    if (norm !== null) layers.push(makeLayer(norm, a.out_channels));
    if (activation !== null) layers.push(a.inplace === null ? makeLayer(activation) : makeLayer(activation, { inplace: a.inplace }));
    super(...layers);
    this.out_channels = a.out_channels as number;
  }
}

const SQUEEZE_EXCITATION: ArgSpec = [
  ["input_channels", required], ["squeeze_channels", required], ["activation", nn.ReLU], ["scale_activation", nn.Sigmoid],
];

/**
 * torchvision.ops.SqueezeExcitation(input_channels, squeeze_channels, activation=ReLU,
 * scale_activation=Sigmoid): x * scale_activation(fc2(activation(fc1(avgpool(x))))), with fc1/fc2
 * 1×1 convolutions (eq. 3 of https://arxiv.org/abs/1709.01507). [N, C, H, W] -> [N, C, H, W].
 */
export class SqueezeExcitation extends nn.Module {
  avgpool = new nn.AdaptiveAvgPool2d(1);
  fc1: nn.Conv2d;
  fc2: nn.Conv2d;
  activation: nn.Module;
  scale_activation: nn.Module;
  constructor(...args: unknown[]) {
    super();
    const a = parseArgs("SqueezeExcitation.__init__", SQUEEZE_EXCITATION, args);
    this.fc1 = new nn.Conv2d(a.input_channels as number, a.squeeze_channels as number, 1);
    this.fc2 = new nn.Conv2d(a.squeeze_channels as number, a.input_channels as number, 1);
    this.activation = makeLayer(a.activation as LayerFactory);
    this.scale_activation = makeLayer(a.scale_activation as LayerFactory);
  }
  /** The per-channel gate, [N, C, 1, 1]. */
  _scale(input: Tensor): Tensor {
    let scale = this.avgpool.forward(input);
    scale = this.activation.forward(this.fc1.forward(scale));
    return this.scale_activation.forward(this.fc2.forward(scale));
  }
  override forward(input: Tensor): Tensor {
    return input.mul(this._scale(input));
  }
}

/**
 * torchvision.ops.stochastic_depth(input, p, mode, training=True): in training, zeroes the whole
 * input ("batch") or each sample ("row") with probability p and scales survivors by 1 / (1 - p)
 * (https://arxiv.org/abs/1603.09382); in eval mode (or p = 0) returns the input itself.
 */
export function stochastic_depth(input: Tensor, p: number, mode: string, training = true): Tensor {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`drop probability has to be between 0 and 1, but got ${pyFloat(p)}`);
  if (mode !== "batch" && mode !== "row") throw new RangeError(`mode has to be either 'batch' or 'row', but got ${mode}`);
  if (!training || p === 0) return input;
  const survival = 1 - p;
  const size = mode === "row" ? [input.shape[0], ...input.shape.slice(1).map(() => 1)] : input.shape.map(() => 1);
  const noise = new Float32Array(size.reduce((a, b) => a * b, 1));
  const scale = survival > 0 ? Math.fround(1 / survival) : 1;
  for (let i = 0; i < noise.length; i++) noise[i] = uniform01() < survival ? scale : 0;
  return input.mul(tensor(noise, size));
}

/** torchvision.ops.StochasticDepth(p, mode): stochastic_depth as a module (identity in eval mode). */
export class StochasticDepth extends nn.Module {
  constructor(readonly p: number, readonly mode: string) {
    super();
  }
  override forward(input: Tensor): Tensor {
    return stochastic_depth(input, this.p, this.mode, this.training);
  }
  override toString(): string {
    return `StochasticDepth(p=${pyFloat(this.p)}, mode=${this.mode})`;
  }
}

/** torchvision.ops.Permute(dims): `input.permute(dims)` as a module (ConvNeXt's NCHW <-> NHWC). */
export class Permute extends nn.Module {
  constructor(readonly dims: number[]) {
    super();
  }
  override forward(input: Tensor): Tensor {
    return permute(input, this.dims);
  }
}
