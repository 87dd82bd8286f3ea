// torchvision.models.mobilenetv2 (v0.14): MobileNetV2 (https://arxiv.org/abs/1801.04381), in the
// shape of torchvision's Python, so its state_dict keys load unchanged: `features.1.conv.0.0.weight`,
// `classifier.1.bias`, ...
//
//   const model = models.mobilenet_v2({ width_mult: 0.5, num_classes: 10 }).eval();
//   model.load_state_dict(safetensors.load(bytes));
//   const logits = model.forward(image);              // [N, 3, H, W] -> [N, num_classes]
import { nn, F, flatten, type Tensor } from "../../core.js";
import { Conv2dNormActivation, makeLayer, type LayerFactory } from "../ops.js";
import { builderOptions, _make_divisible } from "./_utils.js";
import { pyRound } from "../../args.js";

/**
 * MobileNetV2's block: a 1x1 expansion (skipped when expand_ratio is 1), a 3x3 depthwise conv with
 * ReLU6, and a linear 1x1 projection; the input is added back when stride is 1 and the channel
 * count is kept. [N, inp, H, W] -> [N, oup, H / stride, W / stride].
 */
export class InvertedResidual extends nn.Module {
  readonly stride: number;
  readonly use_res_connect: boolean;
  conv: nn.Sequential;
  readonly out_channels: number;
  readonly _is_cn: boolean;

  constructor(inp: number, oup: number, stride: number, expand_ratio: number, norm_layer: LayerFactory | null = null) {
    super();
    this.stride = stride;
    if (stride !== 1 && stride !== 2) throw new RangeError(`stride should be 1 or 2 insted of ${stride}`);
    const norm = norm_layer ?? nn.BatchNorm2d;
    const hidden_dim = pyRound(inp * expand_ratio);
    this.use_res_connect = this.stride === 1 && inp === oup;

    const layers: nn.Module[] = [];
    if (expand_ratio !== 1) {
      layers.push(new Conv2dNormActivation(inp, hidden_dim, { kernel_size: 1, norm_layer: norm, activation_layer: nn.ReLU6 }));
    }
    layers.push(
      new Conv2dNormActivation(hidden_dim, hidden_dim, { stride, groups: hidden_dim, norm_layer: norm, activation_layer: nn.ReLU6 }),
      new nn.Conv2d(hidden_dim, oup, 1, 1, 0, { bias: false }),
      makeLayer(norm, oup),
    );
    this.conv = new nn.Sequential(...layers);
    this.out_channels = oup;
    this._is_cn = stride > 1;
  }

  override forward(x: Tensor): Tensor {
    if (this.use_res_connect) return this.conv.forward(x).add_(x);
    return this.conv.forward(x);
  }
}

/** A block class as MobileNetV2 takes one: `new block(inp, oup, stride, expand_ratio, norm_layer)`. */
export type MobileNetV2Block = new (inp: number, oup: number, stride: number, expand_ratio: number, norm_layer: LayerFactory | null) => nn.Module;

export interface MobileNetV2Options {
  num_classes: number;
  width_mult: number;
  /** Rows of [t (expansion), c (output channels), n (repeats), s (first stride)]. */
  inverted_residual_setting: number[][] | null;
  round_nearest: number;
  block: MobileNetV2Block | null;
  norm_layer: LayerFactory | null;
  dropout: number;
}

const MOBILENET_V2_DEFAULTS: MobileNetV2Options = {
  num_classes: 1000, width_mult: 1.0, inverted_residual_setting: null, round_nearest: 8, block: null, norm_layer: null, dropout: 0.2,
};

/** torchvision.models.MobileNetV2(num_classes=1000, width_mult=1.0, ...): [N, 3, H, W] -> [N, num_classes]. */
export class MobileNetV2 extends nn.Module {
  readonly last_channel: number;
  features: nn.Sequential;
  classifier: nn.Sequential;

  constructor(options: Partial<MobileNetV2Options> = {}) {
    super();
    const o = builderOptions("MobileNetV2", options, MOBILENET_V2_DEFAULTS);
    const block = o.block ?? InvertedResidual;
    const norm_layer = o.norm_layer ?? nn.BatchNorm2d;
    let input_channel = 32;
    const last_channel = 1280;
    const setting = o.inverted_residual_setting ?? [
      [1, 16, 1, 1],
      [6, 24, 2, 2],
      [6, 32, 3, 2],
      [6, 64, 4, 2],
      [6, 96, 3, 1],
      [6, 160, 3, 2],
      [6, 320, 1, 1],
    ];
    if (setting.length === 0 || setting[0].length !== 4) {
      throw new RangeError(`inverted_residual_setting should be non-empty or a 4-element list, got ${JSON.stringify(setting)}`);
    }

    input_channel = _make_divisible(input_channel * o.width_mult, o.round_nearest);
    this.last_channel = _make_divisible(last_channel * Math.max(1.0, o.width_mult), o.round_nearest);
    const features: nn.Module[] = [
      new Conv2dNormActivation(3, input_channel, { stride: 2, norm_layer, activation_layer: nn.ReLU6 }),
    ];
    for (const [t, c, n, s] of setting) {
      const output_channel = _make_divisible(c * o.width_mult, o.round_nearest);
      for (let i = 0; i < n; i++) {
        const stride = i === 0 ? s : 1;
        features.push(new block(input_channel, output_channel, stride, t, norm_layer));
        input_channel = output_channel;
      }
    }
    features.push(new Conv2dNormActivation(input_channel, this.last_channel, { kernel_size: 1, norm_layer, activation_layer: nn.ReLU6 }));
    this.features = new nn.Sequential(...features);
    this.classifier = new nn.Sequential(new nn.Dropout({ p: o.dropout }), new nn.Linear(this.last_channel, o.num_classes));

    // torchvision's init: kaiming_normal_(fan_out) for convs, ones/zeros for norms, N(0, 0.01) for the classifier
    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d) {
        nn.init.kaiming_normal_(m.weight, { mode: "fan_out" });
        if (m.bias) nn.init.zeros_(m.bias);
      } else if ((m instanceof nn.BatchNorm2d || m instanceof nn.GroupNorm) && m.weight && m.bias) {
        nn.init.ones_(m.weight);
        nn.init.zeros_(m.bias);
      } else if (m instanceof nn.Linear) {
        nn.init.normal_(m.weight, 0, 0.01);
        if (m.bias) nn.init.zeros_(m.bias);
      }
    }
  }

  _forward_impl(x: Tensor): Tensor {
    x = this.features.forward(x);
    x = F.adaptive_avg_pool2d(x, [1, 1]);
    x = flatten(x, 1);
    return this.classifier.forward(x);
  }

  override forward(x: Tensor): Tensor {
    return this._forward_impl(x);
  }
}

/**
 * MobileNetV2 (https://arxiv.org/abs/1801.04381). Options as torchvision's mobilenet_v2(weights=None, ...):
 * num_classes=1000, width_mult=1.0, inverted_residual_setting=null, round_nearest=8, block=null,
 * norm_layer=null, dropout=0.2.
 */
export const mobilenet_v2 = (options?: Partial<MobileNetV2Options>) => new MobileNetV2(builderOptions("mobilenet_v2", options, MOBILENET_V2_DEFAULTS));
