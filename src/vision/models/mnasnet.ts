// torchvision.models.mnasnet (v0.14): MNASNet-B1 (https://arxiv.org/abs/1807.11626), in the shape of
// torchvision's Python, so its state_dict keys load unchanged: `layers.8.0.layers.0.weight`,
// `classifier.1.bias`, ...
//
//   const model = models.mnasnet1_0().eval();
//   model.load_state_dict(safetensors.load(bytes));
//   const logits = model.forward(image);              // [N, 3, H, W] -> [N, num_classes]
import { nn, type Tensor } from "../../core.js";
import { builderOptions } from "./_utils.js";

// Paper's TensorFlow BatchNorm decay 0.9997, as PyTorch's momentum
const _BN_MOMENTUM = 1 - 0.9997;

/**
 * MNASNet's block: 1x1 expansion, depthwise kxk (k = 3 or 5), linear 1x1 projection, with the
 * input added back when the shape is kept. [N, in_ch, H, W] -> [N, out_ch, H / stride, W / stride].
 */
export class _InvertedResidual extends nn.Module {
  readonly apply_residual: boolean;
  layers: nn.Sequential;

  constructor(in_ch: number, out_ch: number, kernel_size: number, stride: number, expansion_factor: number, bn_momentum = 0.1) {
    super();
    if (stride !== 1 && stride !== 2) throw new RangeError(`stride should be 1 or 2 instead of ${stride}`);
    if (kernel_size !== 3 && kernel_size !== 5) throw new RangeError(`kernel_size should be 3 or 5 instead of ${kernel_size}`);
    const mid_ch = in_ch * expansion_factor;
    this.apply_residual = in_ch === out_ch && stride === 1;
    this.layers = new nn.Sequential(
      new nn.Conv2d(in_ch, mid_ch, 1, { bias: false }),
      new nn.BatchNorm2d(mid_ch, { momentum: bn_momentum }),
      new nn.ReLU(true),
      new nn.Conv2d(mid_ch, mid_ch, kernel_size, { padding: Math.floor(kernel_size / 2), stride, groups: mid_ch, bias: false }),
      new nn.BatchNorm2d(mid_ch, { momentum: bn_momentum }),
      new nn.ReLU(true),
      new nn.Conv2d(mid_ch, out_ch, 1, { bias: false }),
      new nn.BatchNorm2d(out_ch, { momentum: bn_momentum }),
    );
  }

  override forward(input: Tensor): Tensor {
    if (this.apply_residual) return this.layers.forward(input).add_(input);
    return this.layers.forward(input);
  }
}

/** A stack of `repeats` inverted residuals; only the first changes channels and stride. */
export function _stack(in_ch: number, out_ch: number, kernel_size: number, stride: number, exp_factor: number, repeats: number,
  bn_momentum: number): nn.Sequential {
  if (repeats < 1) throw new RangeError(`repeats should be >= 1, instead got ${repeats}`);
  const first = new _InvertedResidual(in_ch, out_ch, kernel_size, stride, exp_factor, bn_momentum);
  const remaining: nn.Module[] = [];
  for (let i = 1; i < repeats; i++) remaining.push(new _InvertedResidual(out_ch, out_ch, kernel_size, 1, exp_factor, bn_momentum));
  return new nn.Sequential(first, ...remaining);
}

/**
 * Asymmetric rounding to a multiple of `divisor`: rounds up unless `val` is at most 10% above the
 * lower multiple ((83, 8) -> 80, but (84, 8) -> 88).
 */
export function _round_to_multiple_of(val: number, divisor: number, round_up_bias = 0.9): number {
  if (!(round_up_bias > 0.0 && round_up_bias < 1.0)) {
    throw new RangeError(`round_up_bias should be greater than 0.0 and smaller than 1.0 instead of ${round_up_bias}`);
  }
  const new_val = Math.max(divisor, Math.floor(Math.trunc(val + divisor / 2) / divisor) * divisor);
  return new_val >= round_up_bias * val ? new_val : new_val + divisor;
}

/** The stem and stage widths scaled by alpha, preferring to round up (as the reference MobileNet code). */
export function _get_depths(alpha: number): number[] {
  const depths = [32, 16, 24, 40, 80, 96, 192, 320];
  return depths.map((depth) => _round_to_multiple_of(depth * alpha, 8));
}

export interface MNASNetOptions {
  num_classes: number;
  dropout: number;
}

const MNASNET_DEFAULTS: MNASNetOptions = { num_classes: 1000, dropout: 0.2 };

/**
 * torchvision.models.MNASNet(alpha, num_classes=1000, dropout=0.2), the B1 variant:
 * [N, 3, H, W] -> [N, num_classes].
 *
 * Loading: torchvision's `_load_from_state_dict` reads the checkpoint's version metadata, refuses a
 * state_dict without it, and for version 1 with alpha != 1.0 rebuilds the stem in the old layout
 * (a fixed 32/16-channel stem). A safetensors file carries no such metadata, so this port has no
 * version check: `load_state_dict` takes the version 2 layout, the one torchvision writes today
 * (`MNASNet._version = 2`). Version 1 checkpoints of mnasnet0_5/0_75/1_3 do not load (their stem
 * shapes differ); mnasnet1_0's layouts are the same in both versions.
 */
export class MNASNet extends nn.Module {
  static readonly _version = 2;
  readonly alpha: number;
  readonly num_classes: number;
  layers: nn.Sequential;
  classifier: nn.Sequential;

  constructor(alpha: number, options: Partial<MNASNetOptions> = {}) {
    super();
    const o = builderOptions("MNASNet", options, MNASNET_DEFAULTS);
    if (!(alpha > 0.0)) throw new RangeError(`alpha should be greater than 0.0 instead of ${alpha}`);
    this.alpha = alpha;
    this.num_classes = o.num_classes;
    const depths = _get_depths(alpha);
    const layers: nn.Module[] = [
      // first layer: regular conv
      new nn.Conv2d(3, depths[0], 3, { padding: 1, stride: 2, bias: false }),
      new nn.BatchNorm2d(depths[0], { momentum: _BN_MOMENTUM }),
      new nn.ReLU(true),
      // depthwise separable, no skip connection
      new nn.Conv2d(depths[0], depths[0], 3, { padding: 1, stride: 1, groups: depths[0], bias: false }),
      new nn.BatchNorm2d(depths[0], { momentum: _BN_MOMENTUM }),
      new nn.ReLU(true),
      new nn.Conv2d(depths[0], depths[1], 1, { padding: 0, stride: 1, bias: false }),
      new nn.BatchNorm2d(depths[1], { momentum: _BN_MOMENTUM }),
      // MNASNet blocks: stacks of inverted residuals
      _stack(depths[1], depths[2], 3, 2, 3, 3, _BN_MOMENTUM),
      _stack(depths[2], depths[3], 5, 2, 3, 3, _BN_MOMENTUM),
      _stack(depths[3], depths[4], 5, 2, 6, 3, _BN_MOMENTUM),
      _stack(depths[4], depths[5], 3, 1, 6, 2, _BN_MOMENTUM),
      _stack(depths[5], depths[6], 5, 2, 6, 4, _BN_MOMENTUM),
      _stack(depths[6], depths[7], 3, 1, 6, 1, _BN_MOMENTUM),
      // final mapping to the classifier input
      new nn.Conv2d(depths[7], 1280, 1, { padding: 0, stride: 1, bias: false }),
      new nn.BatchNorm2d(1280, { momentum: _BN_MOMENTUM }),
      new nn.ReLU(true),
    ];
    this.layers = new nn.Sequential(...layers);
    this.classifier = new nn.Sequential(new nn.Dropout({ p: o.dropout, inplace: true }), new nn.Linear(1280, o.num_classes));

    // torchvision's init: kaiming_normal_(fan_out, relu) for convs, ones/zeros for norms,
    // kaiming_uniform_(fan_out, sigmoid) for the classifier
    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d) {
        nn.init.kaiming_normal_(m.weight, { mode: "fan_out", nonlinearity: "relu" });
        if (m.bias) nn.init.zeros_(m.bias);
      } else if (m instanceof nn.BatchNorm2d && m.weight && m.bias) {
        nn.init.ones_(m.weight);
        nn.init.zeros_(m.bias);
      } else if (m instanceof nn.Linear) {
        nn.init.kaiming_uniform_(m.weight, { mode: "fan_out", nonlinearity: "sigmoid" });
        if (m.bias) nn.init.zeros_(m.bias);
      }
    }
  }

  override forward(x: Tensor): Tensor {
    x = this.layers.forward(x);
    x = x.mean([2, 3]);
    return this.classifier.forward(x);
  }
}

function _mnasnet(name: string, alpha: number, options?: Partial<MNASNetOptions>): MNASNet {
  return new MNASNet(alpha, builderOptions(name, options, MNASNET_DEFAULTS));
}

/** MNASNet with depth multiplier 0.5 (https://arxiv.org/abs/1807.11626). Options: num_classes=1000, dropout=0.2. */
export const mnasnet0_5 = (options?: Partial<MNASNetOptions>) => _mnasnet("mnasnet0_5", 0.5, options);
/** MNASNet with depth multiplier 0.75. */
export const mnasnet0_75 = (options?: Partial<MNASNetOptions>) => _mnasnet("mnasnet0_75", 0.75, options);
/** MNASNet with depth multiplier 1.0. */
export const mnasnet1_0 = (options?: Partial<MNASNetOptions>) => _mnasnet("mnasnet1_0", 1.0, options);
/** MNASNet with depth multiplier 1.3. */
export const mnasnet1_3 = (options?: Partial<MNASNetOptions>) => _mnasnet("mnasnet1_3", 1.3, options);
