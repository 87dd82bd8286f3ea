// torchvision.models.mobilenetv3 (v0.14): MobileNetV3 Large and Small ("Searching for MobileNetV3",
// https://arxiv.org/abs/1905.02244), in the shape of torchvision's Python, so its state_dict keys
// (`features.4.block.2.fc1.weight`, `classifier.3.bias`, ...) load unchanged.
//
//   const model = models.mobilenet_v3_large().eval();
//   const logits = model.forward(image);              // [N, 3, H, W] -> [N, num_classes]
import { nn, flatten, type Tensor } from "../../core.js";
import { Conv2dNormActivation, SqueezeExcitation, makeLayer, type LayerFactory } from "../ops.js";
import { builderOptions, _make_divisible } from "./_utils.js";

/** One bottleneck row of the MobileNetV3 tables (torchvision's InvertedResidualConfig); channels scaled by width_mult. */
export class InvertedResidualConfig {
  readonly input_channels: number;
  readonly kernel: number;
  readonly expanded_channels: number;
  readonly out_channels: number;
  readonly use_se: boolean;
  readonly use_hs: boolean;
  readonly stride: number;
  readonly dilation: number;

  constructor(input_channels: number, kernel: number, expanded_channels: number, out_channels: number, use_se: boolean,
    activation: "RE" | "HS", stride: number, dilation: number, width_mult: number) {
    this.input_channels = InvertedResidualConfig.adjust_channels(input_channels, width_mult);
    this.kernel = kernel;
    this.expanded_channels = InvertedResidualConfig.adjust_channels(expanded_channels, width_mult);
    this.out_channels = InvertedResidualConfig.adjust_channels(out_channels, width_mult);
    this.use_se = use_se;
    this.use_hs = activation === "HS";
    this.stride = stride;
    this.dilation = dilation;
  }

  static adjust_channels(channels: number, width_mult: number): number {
    return _make_divisible(channels * width_mult, 8);
  }
}

/** torchvision's default se_layer: SqueezeExcitation gated by Hardsigmoid. */
const hardSqueezeExcitation = (input_channels: number, squeeze_channels: number) =>
  new SqueezeExcitation(input_channels, squeeze_channels, { scale_activation: nn.Hardsigmoid });

/**
 * MobileNetV3's block: 1x1 expansion (when the width changes), depthwise kxk, optional
 * squeeze-excitation, 1x1 linear projection; a residual add when stride is 1 and the width is kept.
 * Module-local under torchvision's class name (its repr prints it); MobileNetV2 has its own
 * InvertedResidual, so this one is exported as MobileNetV3InvertedResidual.
 */
class InvertedResidual extends nn.Module {
  readonly use_res_connect: boolean;
  block: nn.Sequential;
  readonly out_channels: number;
  readonly _is_cn: boolean;

  constructor(cnf: InvertedResidualConfig, norm_layer: LayerFactory, se_layer: LayerFactory = hardSqueezeExcitation) {
    super();
    if (!(cnf.stride >= 1 && cnf.stride <= 2)) throw new RangeError("illegal stride value");
    this.use_res_connect = cnf.stride === 1 && cnf.input_channels === cnf.out_channels;

    const layers: nn.Module[] = [];
    const activation_layer = cnf.use_hs ? nn.Hardswish : nn.ReLU;
    // expand
    if (cnf.expanded_channels !== cnf.input_channels) {
      layers.push(new Conv2dNormActivation(cnf.input_channels, cnf.expanded_channels, { kernel_size: 1, norm_layer, activation_layer }));
    }
    // depthwise (dilation replaces the stride in the dilated variant)
    const stride = cnf.dilation > 1 ? 1 : cnf.stride;
    layers.push(new Conv2dNormActivation(cnf.expanded_channels, cnf.expanded_channels, {
      kernel_size: cnf.kernel, stride, dilation: cnf.dilation, groups: cnf.expanded_channels, norm_layer, activation_layer,
    }));
    if (cnf.use_se) {
      const squeeze_channels = _make_divisible(Math.floor(cnf.expanded_channels / 4), 8);
      layers.push(makeLayer(se_layer, cnf.expanded_channels, squeeze_channels));
    }
    // project
    layers.push(new Conv2dNormActivation(cnf.expanded_channels, cnf.out_channels, { kernel_size: 1, norm_layer, activation_layer: null }));

    this.block = new nn.Sequential(...layers);
    this.out_channels = cnf.out_channels;
    this._is_cn = cnf.stride > 1;
  }

  override forward(input: Tensor): Tensor {
    const result = this.block.forward(input);
    return this.use_res_connect ? result.add_(input) : result;
  }
}

export { InvertedResidual as MobileNetV3InvertedResidual };

export interface MobileNetV3Options {
  num_classes: number;
  block: LayerFactory | null;
  norm_layer: LayerFactory | null;
  dropout: number;
}

const MOBILENET_V3_DEFAULTS: MobileNetV3Options = { num_classes: 1000, block: null, norm_layer: null, dropout: 0.2 };

/** torchvision.models.MobileNetV3(inverted_residual_setting, last_channel, num_classes=1000, block=None, norm_layer=None, dropout=0.2). */
export class MobileNetV3 extends nn.Module {
  features: nn.Sequential;
  avgpool = new nn.AdaptiveAvgPool2d(1);
  classifier: nn.Sequential;

  constructor(inverted_residual_setting: InvertedResidualConfig[], last_channel: number, options: Partial<MobileNetV3Options> = {}) {
    super();
    const o = builderOptions("MobileNetV3", options, MOBILENET_V3_DEFAULTS);
    if (!inverted_residual_setting || inverted_residual_setting.length === 0) {
      throw new RangeError("The inverted_residual_setting should not be empty");
    }
    if (!Array.isArray(inverted_residual_setting) || !inverted_residual_setting.every((s) => s instanceof InvertedResidualConfig)) {
      throw new TypeError("The inverted_residual_setting should be List[InvertedResidualConfig]");
    }
    const block = o.block ?? InvertedResidual;
    const norm_layer = o.norm_layer ?? ((c: number) => new nn.BatchNorm2d(c, { eps: 0.001, momentum: 0.01 }));

    const layers: nn.Module[] = [];
    // building first layer
    const firstconv_output_channels = inverted_residual_setting[0].input_channels;
    layers.push(new Conv2dNormActivation(3, firstconv_output_channels, { kernel_size: 3, stride: 2, norm_layer, activation_layer: nn.Hardswish }));
    // building inverted residual blocks
    for (const cnf of inverted_residual_setting) layers.push(makeLayer(block, cnf, norm_layer));
    // building last several layers
    const lastconv_input_channels = inverted_residual_setting[inverted_residual_setting.length - 1].out_channels;
    const lastconv_output_channels = 6 * lastconv_input_channels;
    layers.push(new Conv2dNormActivation(lastconv_input_channels, lastconv_output_channels, { kernel_size: 1, norm_layer, activation_layer: nn.Hardswish }));

    this.features = new nn.Sequential(...layers);
    this.classifier = new nn.Sequential(
      new nn.Linear(lastconv_output_channels, last_channel),
      new nn.Hardswish(true),
      new nn.Dropout(o.dropout, true),
      new nn.Linear(last_channel, o.num_classes),
    );

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
    x = flatten(this.avgpool.forward(x), 1);
    return this.classifier.forward(x);
  }

  override forward(x: Tensor): Tensor {
    return this._forward_impl(x);
  }
}

/**
 * torchvision's _mobilenet_v3_conf(arch, width_mult=1.0, reduced_tail=False, dilated=False): the
 * bottleneck table of `arch` and its last_channel. reduced_tail halves the channels of the last
 * stage; dilated replaces its stride by dilation 2 (the segmentation backbones).
 */
export function _mobilenet_v3_conf(arch: string, width_mult = 1.0, reduced_tail = false, dilated = false): [InvertedResidualConfig[], number] {
  const reduce_divider = reduced_tail ? 2 : 1;
  const dilation = dilated ? 2 : 1;
  const bneck_conf = (input: number, kernel: number, expanded: number, out: number, use_se: boolean, activation: "RE" | "HS", stride: number, dil: number) =>
    new InvertedResidualConfig(input, kernel, expanded, out, use_se, activation, stride, dil, width_mult);
  const adjust_channels = (channels: number) => InvertedResidualConfig.adjust_channels(channels, width_mult);
  const div = (channels: number) => Math.floor(channels / reduce_divider);

  let inverted_residual_setting: InvertedResidualConfig[];
  let last_channel: number;
  if (arch === "mobilenet_v3_large") {
    inverted_residual_setting = [
      bneck_conf(16, 3, 16, 16, false, "RE", 1, 1),
      bneck_conf(16, 3, 64, 24, false, "RE", 2, 1), // C1
      bneck_conf(24, 3, 72, 24, false, "RE", 1, 1),
      bneck_conf(24, 5, 72, 40, true, "RE", 2, 1), // C2
      bneck_conf(40, 5, 120, 40, true, "RE", 1, 1),
      bneck_conf(40, 5, 120, 40, true, "RE", 1, 1),
      bneck_conf(40, 3, 240, 80, false, "HS", 2, 1), // C3
      bneck_conf(80, 3, 200, 80, false, "HS", 1, 1),
      bneck_conf(80, 3, 184, 80, false, "HS", 1, 1),
      bneck_conf(80, 3, 184, 80, false, "HS", 1, 1),
      bneck_conf(80, 3, 480, 112, true, "HS", 1, 1),
      bneck_conf(112, 3, 672, 112, true, "HS", 1, 1),
      bneck_conf(112, 5, 672, div(160), true, "HS", 2, dilation), // C4
      bneck_conf(div(160), 5, div(960), div(160), true, "HS", 1, dilation),
      bneck_conf(div(160), 5, div(960), div(160), true, "HS", 1, dilation),
    ];
    last_channel = adjust_channels(div(1280)); // C5
  } else if (arch === "mobilenet_v3_small") {
    inverted_residual_setting = [
      bneck_conf(16, 3, 16, 16, true, "RE", 2, 1), // C1
      bneck_conf(16, 3, 72, 24, false, "RE", 2, 1), // C2
      bneck_conf(24, 3, 88, 24, false, "RE", 1, 1),
      bneck_conf(24, 5, 96, 40, true, "HS", 2, 1), // C3
      bneck_conf(40, 5, 240, 40, true, "HS", 1, 1),
      bneck_conf(40, 5, 240, 40, true, "HS", 1, 1),
      bneck_conf(40, 5, 120, 48, true, "HS", 1, 1),
      bneck_conf(48, 5, 144, 48, true, "HS", 1, 1),
      bneck_conf(48, 5, 288, div(96), true, "HS", 2, dilation), // C4
      bneck_conf(div(96), 5, div(576), div(96), true, "HS", 1, dilation),
      bneck_conf(div(96), 5, div(576), div(96), true, "HS", 1, dilation),
    ];
    last_channel = adjust_channels(div(1024)); // C5
  } else {
    throw new RangeError(`Unsupported model type ${arch}`);
  }
  return [inverted_residual_setting, last_channel];
}

export interface MobileNetV3BuilderOptions extends MobileNetV3Options {
  width_mult: number;
  reduced_tail: boolean;
  dilated: boolean;
}

const MOBILENET_V3_BUILDER_DEFAULTS: MobileNetV3BuilderOptions = {
  ...MOBILENET_V3_DEFAULTS, width_mult: 1.0, reduced_tail: false, dilated: false,
};

function _mobilenet_v3(arch: string, options: Partial<MobileNetV3BuilderOptions> | undefined): MobileNetV3 {
  // torchvision passes its own last_channel positionally (a last_channel keyword is Python's TypeError)
  const { width_mult, reduced_tail, dilated, ...rest } = builderOptions(arch, options, MOBILENET_V3_BUILDER_DEFAULTS, ["last_channel"]);
  const [inverted_residual_setting, last_channel] = _mobilenet_v3_conf(arch, width_mult, reduced_tail, dilated);
  return new MobileNetV3(inverted_residual_setting, last_channel, rest);
}

/** MobileNetV3 Large (https://arxiv.org/abs/1905.02244). Options: num_classes, dropout, width_mult, reduced_tail, dilated, norm_layer, block. */
export const mobilenet_v3_large = (options?: Partial<MobileNetV3BuilderOptions>) => _mobilenet_v3("mobilenet_v3_large", options);
/** MobileNetV3 Small. Options as mobilenet_v3_large. */
export const mobilenet_v3_small = (options?: Partial<MobileNetV3BuilderOptions>) => _mobilenet_v3("mobilenet_v3_small", options);
