// torchvision.models.efficientnet (v0.14): EfficientNet B0-B7 (https://arxiv.org/abs/1905.11946) and
// EfficientNetV2 S/M/L (https://arxiv.org/abs/2104.00298), in the shape of torchvision's Python, so
// its state_dict keys load unchanged: `features.1.0.block.1.fc1.weight`, `classifier.1.bias`, ...
//
//   const model = models.efficientnet_b0().eval();
//   model.load_state_dict(safetensors.load(bytes));
//   const logits = model.forward(image);              // [N, 3, H, W] -> [N, num_classes]
import { nn, flatten, type Tensor } from "../../core.js";
import { Conv2dNormActivation, SqueezeExcitation, StochasticDepth, makeLayer, type LayerFactory } from "../ops.js";
import { builderOptions, _make_divisible } from "./_utils.js";

/** A stage's block class: `new block(cnf, stochastic_depth_prob, norm_layer)`. */
export type EfficientNetBlock = new (cnf: any, stochastic_depth_prob: number, norm_layer: LayerFactory) => nn.Module;

/** One stage of the network: its blocks' expansion, kernel, first stride, channels and count (torchvision's dataclass). */
export class _MBConvConfig {
  constructor(
    public expand_ratio: number,
    public kernel: number,
    public stride: number,
    public input_channels: number,
    public out_channels: number,
    public num_layers: number,
    public block: EfficientNetBlock,
  ) {}

  static adjust_channels(channels: number, width_mult: number, min_value: number | null = null): number {
    return _make_divisible(channels * width_mult, 8, min_value);
  }

  /** copy.copy(cnf): a shallow copy of the same class. */
  copy(): this {
    return Object.assign(Object.create(Object.getPrototypeOf(this)), this);
  }
}

/** An MBConv stage, its channels scaled by width_mult and its depth by depth_mult (EfficientNet B0-B7). */
export class MBConvConfig extends _MBConvConfig {
  constructor(expand_ratio: number, kernel: number, stride: number, input_channels: number, out_channels: number, num_layers: number,
    width_mult = 1.0, depth_mult = 1.0, block: EfficientNetBlock | null = null) {
    super(
      expand_ratio, kernel, stride,
      _MBConvConfig.adjust_channels(input_channels, width_mult),
      _MBConvConfig.adjust_channels(out_channels, width_mult),
      MBConvConfig.adjust_depth(num_layers, depth_mult),
      block ?? MBConv,
    );
  }

  static adjust_depth(num_layers: number, depth_mult: number): number {
    return Math.ceil(num_layers * depth_mult);
  }
}

/** A FusedMBConv stage (EfficientNetV2's early stages), unscaled. */
export class FusedMBConvConfig extends _MBConvConfig {
  constructor(expand_ratio: number, kernel: number, stride: number, input_channels: number, out_channels: number, num_layers: number,
    block: EfficientNetBlock | null = null) {
    super(expand_ratio, kernel, stride, input_channels, out_channels, num_layers, block ?? FusedMBConv);
  }
}

/**
 * Mobile inverted bottleneck with squeeze-and-excitation: 1x1 expansion (when expand_ratio widens),
 * depthwise kxk, SE, linear 1x1 projection, all SiLU; the input is added back (after stochastic
 * depth) when the shape is kept. [N, C_in, H, W] -> [N, C_out, H / stride, W / stride].
 */
export class MBConv extends nn.Module {
  readonly use_res_connect: boolean;
  block: nn.Sequential;
  stochastic_depth: StochasticDepth;
  readonly out_channels: number;

  constructor(cnf: MBConvConfig, stochastic_depth_prob: number, norm_layer: LayerFactory,
    se_layer: LayerFactory = SqueezeExcitation) {
    super();
    if (!(cnf.stride >= 1 && cnf.stride <= 2)) throw new RangeError("illegal stride value");
    this.use_res_connect = cnf.stride === 1 && cnf.input_channels === cnf.out_channels;

    const layers: nn.Module[] = [];
    const activation_layer = nn.SiLU;

    // expand
    const expanded_channels = _MBConvConfig.adjust_channels(cnf.input_channels, cnf.expand_ratio);
    if (expanded_channels !== cnf.input_channels) {
      layers.push(new Conv2dNormActivation(cnf.input_channels, expanded_channels, { kernel_size: 1, norm_layer, activation_layer }));
    }
    // depthwise
    layers.push(new Conv2dNormActivation(expanded_channels, expanded_channels, {
      kernel_size: cnf.kernel, stride: cnf.stride, groups: expanded_channels, norm_layer, activation_layer,
    }));
    // squeeze and excitation
    const squeeze_channels = Math.max(1, Math.floor(cnf.input_channels / 4));
    layers.push(makeLayer(se_layer, expanded_channels, squeeze_channels, { activation: () => new nn.SiLU({ inplace: true }) }));
    // project
    layers.push(new Conv2dNormActivation(expanded_channels, cnf.out_channels, { kernel_size: 1, norm_layer, activation_layer: null }));

    this.block = new nn.Sequential(...layers);
    this.stochastic_depth = new StochasticDepth(stochastic_depth_prob, "row");
    this.out_channels = cnf.out_channels;
  }

  override forward(input: Tensor): Tensor {
    let result = this.block.forward(input);
    if (this.use_res_connect) {
      result = this.stochastic_depth.forward(result);
      result.add_(input);
    }
    return result;
  }
}

/**
 * EfficientNetV2's fused block: the expansion and depthwise convs merged into one kxk conv, then a
 * linear 1x1 projection (or a single kxk conv when expand_ratio is 1); residual as MBConv's.
 */
export class FusedMBConv extends nn.Module {
  readonly use_res_connect: boolean;
  block: nn.Sequential;
  stochastic_depth: StochasticDepth;
  readonly out_channels: number;

  constructor(cnf: FusedMBConvConfig, stochastic_depth_prob: number, norm_layer: LayerFactory) {
    super();
    if (!(cnf.stride >= 1 && cnf.stride <= 2)) throw new RangeError("illegal stride value");
    this.use_res_connect = cnf.stride === 1 && cnf.input_channels === cnf.out_channels;

    const layers: nn.Module[] = [];
    const activation_layer = nn.SiLU;

    const expanded_channels = _MBConvConfig.adjust_channels(cnf.input_channels, cnf.expand_ratio);
    if (expanded_channels !== cnf.input_channels) {
      // fused expand, then project
      layers.push(new Conv2dNormActivation(cnf.input_channels, expanded_channels, {
        kernel_size: cnf.kernel, stride: cnf.stride, norm_layer, activation_layer,
      }));
      layers.push(new Conv2dNormActivation(expanded_channels, cnf.out_channels, { kernel_size: 1, norm_layer, activation_layer: null }));
    } else {
      layers.push(new Conv2dNormActivation(cnf.input_channels, cnf.out_channels, {
        kernel_size: cnf.kernel, stride: cnf.stride, norm_layer, activation_layer,
      }));
    }

    this.block = new nn.Sequential(...layers);
    this.stochastic_depth = new StochasticDepth(stochastic_depth_prob, "row");
    this.out_channels = cnf.out_channels;
  }

  override forward(input: Tensor): Tensor {
    let result = this.block.forward(input);
    if (this.use_res_connect) {
      result = this.stochastic_depth.forward(result);
      result.add_(input);
    }
    return result;
  }
}

export interface EfficientNetOptions {
  stochastic_depth_prob: number;
  num_classes: number;
  norm_layer: LayerFactory | null;
  last_channel: number | null;
}

const EFFICIENTNET_DEFAULTS: EfficientNetOptions = { stochastic_depth_prob: 0.2, num_classes: 1000, norm_layer: null, last_channel: null };

/**
 * torchvision.models.EfficientNet(inverted_residual_setting, dropout, stochastic_depth_prob=0.2,
 * num_classes=1000, norm_layer=None, last_channel=None): V1 and V2. [N, 3, H, W] -> [N, num_classes].
 * (torchvision 0.14's deprecated `block` keyword is not taken: set MBConvConfig's block instead.)
 */
export class EfficientNet extends nn.Module {
  features: nn.Sequential;
  avgpool = new nn.AdaptiveAvgPool2d(1);
  classifier: nn.Sequential;

  constructor(inverted_residual_setting: _MBConvConfig[], dropout: number, options: Partial<EfficientNetOptions> = {}) {
    super();
    const o = builderOptions("EfficientNet", options, EFFICIENTNET_DEFAULTS);
    if (!inverted_residual_setting || inverted_residual_setting.length === 0) {
      throw new RangeError("The inverted_residual_setting should not be empty");
    } else if (!(Array.isArray(inverted_residual_setting) && inverted_residual_setting.every((s) => s instanceof _MBConvConfig))) {
      throw new TypeError("The inverted_residual_setting should be List[MBConvConfig]");
    }
    const norm_layer = o.norm_layer ?? nn.BatchNorm2d;

    const layers: nn.Module[] = [];

    // building the first layer
    const firstconv_output_channels = inverted_residual_setting[0].input_channels;
    layers.push(new Conv2dNormActivation(3, firstconv_output_channels, { kernel_size: 3, stride: 2, norm_layer, activation_layer: nn.SiLU }));

    // building the inverted residual blocks; stochastic depth grows linearly with the block index
    const total_stage_blocks = inverted_residual_setting.reduce((sum, cnf) => sum + cnf.num_layers, 0);
    let stage_block_id = 0;
    for (const cnf of inverted_residual_setting) {
      const stage: nn.Module[] = [];
      for (let i = 0; i < cnf.num_layers; i++) {
        const block_cnf = cnf.copy();
        // overwrite the input channels and stride after the stage's first block
        if (stage.length > 0) {
          block_cnf.input_channels = block_cnf.out_channels;
          block_cnf.stride = 1;
        }
        const sd_prob = (o.stochastic_depth_prob * stage_block_id) / total_stage_blocks;
        stage.push(new block_cnf.block(block_cnf, sd_prob, norm_layer));
        stage_block_id++;
      }
      layers.push(new nn.Sequential(...stage));
    }

    // building the last layer
    const lastconv_input_channels = inverted_residual_setting[inverted_residual_setting.length - 1].out_channels;
    const lastconv_output_channels = o.last_channel ?? 4 * lastconv_input_channels;
    layers.push(new Conv2dNormActivation(lastconv_input_channels, lastconv_output_channels, {
      kernel_size: 1, norm_layer, activation_layer: nn.SiLU,
    }));

    this.features = new nn.Sequential(...layers);
    this.classifier = new nn.Sequential(new nn.Dropout({ p: dropout, inplace: true }), new nn.Linear(lastconv_output_channels, o.num_classes));

    // torchvision's init: kaiming_normal_(fan_out) for convs, ones/zeros for norms, U(±1/sqrt(out)) for the classifier
    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d) {
        nn.init.kaiming_normal_(m.weight, { mode: "fan_out" });
        if (m.bias) nn.init.zeros_(m.bias);
      } else if ((m instanceof nn.BatchNorm2d || m instanceof nn.GroupNorm) && m.weight && m.bias) {
        nn.init.ones_(m.weight);
        nn.init.zeros_(m.bias);
      } else if (m instanceof nn.Linear) {
        const init_range = 1.0 / Math.sqrt(m.out_features);
        nn.init.uniform_(m.weight, -init_range, init_range);
        if (m.bias) nn.init.zeros_(m.bias);
      }
    }
  }

  _forward_impl(x: Tensor): Tensor {
    x = this.features.forward(x);
    x = this.avgpool.forward(x);
    x = flatten(x, 1);
    return this.classifier.forward(x);
  }

  override forward(x: Tensor): Tensor {
    return this._forward_impl(x);
  }
}

/** The builders' keywords: EfficientNet's, less what each builder sets itself (dropout, last_channel, some norm_layer). */
export type EfficientNetBuilderOptions = Pick<EfficientNetOptions, "stochastic_depth_prob" | "num_classes" | "norm_layer">;

const BUILDER_DEFAULTS: EfficientNetBuilderOptions = { stochastic_depth_prob: 0.2, num_classes: 1000, norm_layer: null };

/** torchvision's _efficientnet_conf(arch, width_mult, depth_mult): the stage table and last_channel of each architecture. */
export function _efficientnet_conf(arch: string, options: { width_mult?: number; depth_mult?: number } = {}): [_MBConvConfig[], number | null] {
  if (arch.startsWith("efficientnet_b")) {
    const { width_mult, depth_mult } = options;
    if (width_mult === undefined || depth_mult === undefined) throw new TypeError(`_efficientnet_conf('${arch}') needs width_mult and depth_mult`);
    const bneck_conf = (e: number, k: number, s: number, i: number, o: number, n: number) =>
      new MBConvConfig(e, k, s, i, o, n, width_mult, depth_mult);
    return [[
      bneck_conf(1, 3, 1, 32, 16, 1),
      bneck_conf(6, 3, 2, 16, 24, 2),
      bneck_conf(6, 5, 2, 24, 40, 2),
      bneck_conf(6, 3, 2, 40, 80, 3),
      bneck_conf(6, 5, 1, 80, 112, 3),
      bneck_conf(6, 5, 2, 112, 192, 4),
      bneck_conf(6, 3, 1, 192, 320, 1),
    ], null];
  } else if (arch.startsWith("efficientnet_v2_s")) {
    return [[
      new FusedMBConvConfig(1, 3, 1, 24, 24, 2),
      new FusedMBConvConfig(4, 3, 2, 24, 48, 4),
      new FusedMBConvConfig(4, 3, 2, 48, 64, 4),
      new MBConvConfig(4, 3, 2, 64, 128, 6),
      new MBConvConfig(6, 3, 1, 128, 160, 9),
      new MBConvConfig(6, 3, 2, 160, 256, 15),
    ], 1280];
  } else if (arch.startsWith("efficientnet_v2_m")) {
    return [[
      new FusedMBConvConfig(1, 3, 1, 24, 24, 3),
      new FusedMBConvConfig(4, 3, 2, 24, 48, 5),
      new FusedMBConvConfig(4, 3, 2, 48, 80, 5),
      new MBConvConfig(4, 3, 2, 80, 160, 7),
      new MBConvConfig(6, 3, 1, 160, 176, 14),
      new MBConvConfig(6, 3, 2, 176, 304, 18),
      new MBConvConfig(6, 3, 1, 304, 512, 5),
    ], 1280];
  } else if (arch.startsWith("efficientnet_v2_l")) {
    return [[
      new FusedMBConvConfig(1, 3, 1, 32, 32, 4),
      new FusedMBConvConfig(4, 3, 2, 32, 64, 7),
      new FusedMBConvConfig(4, 3, 2, 64, 96, 7),
      new MBConvConfig(4, 3, 2, 96, 192, 10),
      new MBConvConfig(6, 3, 1, 192, 224, 19),
      new MBConvConfig(6, 3, 2, 224, 384, 25),
      new MBConvConfig(6, 3, 1, 384, 640, 7),
    ], 1280];
  }
  throw new RangeError(`Unsupported model type ${arch}`);
}

/**
 * torchvision's _efficientnet: EfficientNet(setting, dropout, last_channel=..., **kwargs). `fixed`
 * holds what the builder passes itself (torchvision raises "got multiple values" when a caller passes
 * dropout, last_channel or, for B5-B7 and V2, norm_layer; so do we).
 */
function _efficientnet(name: string, setting: [_MBConvConfig[], number | null], dropout: number,
  options: Partial<EfficientNetBuilderOptions> | undefined, fixed: Partial<EfficientNetBuilderOptions> = {}): EfficientNet {
  const o = builderOptions(name, options, BUILDER_DEFAULTS, ["dropout", "last_channel", ...Object.keys(fixed)]);
  const [inverted_residual_setting, last_channel] = setting;
  return new EfficientNet(inverted_residual_setting, dropout, { ...o, ...fixed, last_channel });
}

/** BatchNorm2d(eps=0.001, momentum=0.01), the TensorFlow reference's, for B5-B7. */
const bn_tf = (c: number) => new nn.BatchNorm2d(c, { eps: 0.001, momentum: 0.01 });
/** BatchNorm2d(eps=1e-3), for V2. */
const bn_v2 = (c: number) => new nn.BatchNorm2d(c, { eps: 1e-3 });

/**
 * EfficientNet-B0 (https://arxiv.org/abs/1905.11946): dropout 0.2. Options as torchvision's
 * efficientnet_b0(weights=None, ...): num_classes=1000, stochastic_depth_prob=0.2, norm_layer=null.
 */
export const efficientnet_b0 = (options?: Partial<EfficientNetBuilderOptions>) =>
  _efficientnet("efficientnet_b0", _efficientnet_conf("efficientnet_b0", { width_mult: 1.0, depth_mult: 1.0 }), 0.2, options);
/** EfficientNet-B1: width 1.0, depth 1.1, dropout 0.2. */
export const efficientnet_b1 = (options?: Partial<EfficientNetBuilderOptions>) =>
  _efficientnet("efficientnet_b1", _efficientnet_conf("efficientnet_b1", { width_mult: 1.0, depth_mult: 1.1 }), 0.2, options);
/** EfficientNet-B2: width 1.1, depth 1.2, dropout 0.3. */
export const efficientnet_b2 = (options?: Partial<EfficientNetBuilderOptions>) =>
  _efficientnet("efficientnet_b2", _efficientnet_conf("efficientnet_b2", { width_mult: 1.1, depth_mult: 1.2 }), 0.3, options);
/** EfficientNet-B3: width 1.2, depth 1.4, dropout 0.3. */
export const efficientnet_b3 = (options?: Partial<EfficientNetBuilderOptions>) =>
  _efficientnet("efficientnet_b3", _efficientnet_conf("efficientnet_b3", { width_mult: 1.2, depth_mult: 1.4 }), 0.3, options);
/** EfficientNet-B4: width 1.4, depth 1.8, dropout 0.4. */
export const efficientnet_b4 = (options?: Partial<EfficientNetBuilderOptions>) =>
  _efficientnet("efficientnet_b4", _efficientnet_conf("efficientnet_b4", { width_mult: 1.4, depth_mult: 1.8 }), 0.4, options);
/** EfficientNet-B5: width 1.6, depth 2.2, dropout 0.4, BatchNorm2d(eps=0.001, momentum=0.01) (norm_layer not an option). */
export const efficientnet_b5 = (options?: Partial<EfficientNetBuilderOptions>) =>
  _efficientnet("efficientnet_b5", _efficientnet_conf("efficientnet_b5", { width_mult: 1.6, depth_mult: 2.2 }), 0.4, options, { norm_layer: bn_tf });
/** EfficientNet-B6: width 1.8, depth 2.6, dropout 0.5, BatchNorm2d(eps=0.001, momentum=0.01). */
export const efficientnet_b6 = (options?: Partial<EfficientNetBuilderOptions>) =>
  _efficientnet("efficientnet_b6", _efficientnet_conf("efficientnet_b6", { width_mult: 1.8, depth_mult: 2.6 }), 0.5, options, { norm_layer: bn_tf });
/** EfficientNet-B7: width 2.0, depth 3.1, dropout 0.5, BatchNorm2d(eps=0.001, momentum=0.01). */
export const efficientnet_b7 = (options?: Partial<EfficientNetBuilderOptions>) =>
  _efficientnet("efficientnet_b7", _efficientnet_conf("efficientnet_b7", { width_mult: 2.0, depth_mult: 3.1 }), 0.5, options, { norm_layer: bn_tf });
/**
 * EfficientNetV2-S (https://arxiv.org/abs/2104.00298): dropout 0.2, BatchNorm2d(eps=1e-3). Options:
 * num_classes=1000, stochastic_depth_prob=0.2.
 */
export const efficientnet_v2_s = (options?: Partial<EfficientNetBuilderOptions>) =>
  _efficientnet("efficientnet_v2_s", _efficientnet_conf("efficientnet_v2_s"), 0.2, options, { norm_layer: bn_v2 });
/** EfficientNetV2-M: dropout 0.3, BatchNorm2d(eps=1e-3). */
export const efficientnet_v2_m = (options?: Partial<EfficientNetBuilderOptions>) =>
  _efficientnet("efficientnet_v2_m", _efficientnet_conf("efficientnet_v2_m"), 0.3, options, { norm_layer: bn_v2 });
/** EfficientNetV2-L: dropout 0.4, BatchNorm2d(eps=1e-3). */
export const efficientnet_v2_l = (options?: Partial<EfficientNetBuilderOptions>) =>
  _efficientnet("efficientnet_v2_l", _efficientnet_conf("efficientnet_v2_l"), 0.4, options, { norm_layer: bn_v2 });
