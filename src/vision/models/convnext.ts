// torchvision.models.convnext (v0.14): ConvNeXt ("A ConvNet for the 2020s",
// https://arxiv.org/abs/2201.03545), in the shape of torchvision's Python, so its state_dict keys
// (`features.1.0.layer_scale`, `features.1.0.block.3.weight`, `classifier.0.weight`, ...) load unchanged.
//
//   const model = models.convnext_tiny().eval();
//   const logits = model.forward(image);              // [N, 3, H, W] -> [N, num_classes]
import { nn, F, ones, permute, type Tensor } from "../../core.js";
import { Conv2dNormActivation, Permute, StochasticDepth, makeLayer, type LayerFactory } from "../ops.js";
import { builderOptions } from "./_utils.js";

/** LayerNorm over the channels of [N, C, H, W]: to NHWC, F.layer_norm over C, back to NCHW (as torchvision's). */
export class LayerNorm2d extends nn.LayerNorm {
  override forward(x: Tensor): Tensor {
    x = permute(x, [0, 2, 3, 1]);
    x = F.layer_norm(x, [...this.normalized_shape], this.weight, this.bias, this.eps);
    return permute(x, [0, 3, 1, 2]);
  }
}

/**
 * ConvNeXt block: depthwise 7x7, LayerNorm, Linear to 4*dim, GELU, Linear back (channels last),
 * scaled per channel by `layer_scale`, dropped per sample by stochastic depth in training, plus the input.
 */
export class CNBlock extends nn.Module {
  block: nn.Sequential;
  layer_scale: nn.Parameter;
  stochastic_depth: StochasticDepth;

  constructor(dim: number, layer_scale: number, stochastic_depth_prob: number, norm_layer: LayerFactory | null = null) {
    super();
    const norm = norm_layer ?? ((c: number) => new nn.LayerNorm(c, { eps: 1e-6 }));
    this.block = new nn.Sequential(
      new nn.Conv2d(dim, dim, 7, { padding: 3, groups: dim, bias: true }),
      new Permute([0, 2, 3, 1]),
      makeLayer(norm, dim),
      new nn.Linear(dim, 4 * dim, true),
      new nn.GELU(),
      new nn.Linear(4 * dim, dim, true),
      new Permute([0, 3, 1, 2]),
    );
    const unit = ones([dim, 1, 1]);
    const scaled = unit.mul(layer_scale);          // torch.ones(dim, 1, 1) * layer_scale
    this.layer_scale = new nn.Parameter(scaled);
    unit.dispose();
    scaled.dispose();
    this.stochastic_depth = new StochasticDepth(stochastic_depth_prob, "row");
  }

  override forward(input: Tensor): Tensor {
    // torchvision: layer_scale * block(input); the block's output is this call's own, so scaled in place (x * s == s * x)
    let result = this.block.forward(input).mul_(this.layer_scale);
    result = this.stochastic_depth.forward(result);
    return result.add_(input);
  }
}

/** One ConvNeXt stage: `num_layers` blocks of `input_channels`, then a downsampling to `out_channels` (null: last stage). */
export class CNBlockConfig {
  constructor(readonly input_channels: number, readonly out_channels: number | null, readonly num_layers: number) {}

  toString(): string {
    return `CNBlockConfig(input_channels=${this.input_channels}, out_channels=${this.out_channels ?? "None"}, num_layers=${this.num_layers})`;
  }
}

export interface ConvNeXtOptions {
  stochastic_depth_prob: number;
  layer_scale: number;
  num_classes: number;
  block: LayerFactory | null;
  norm_layer: LayerFactory | null;
}

const CONVNEXT_DEFAULTS: ConvNeXtOptions = { stochastic_depth_prob: 0.0, layer_scale: 1e-6, num_classes: 1000, block: null, norm_layer: null };

/** torchvision.models.ConvNeXt(block_setting, stochastic_depth_prob=0.0, layer_scale=1e-6, num_classes=1000, block=None, norm_layer=None). */
export class ConvNeXt extends nn.Module {
  features: nn.Sequential;
  avgpool: nn.AdaptiveAvgPool2d;
  classifier: nn.Sequential;

  constructor(block_setting: CNBlockConfig[], options: Partial<ConvNeXtOptions> = {}) {
    super();
    const o = builderOptions("ConvNeXt", options, CONVNEXT_DEFAULTS);
    if (!block_setting || block_setting.length === 0) throw new RangeError("The block_setting should not be empty");
    if (!Array.isArray(block_setting) || !block_setting.every((s) => s instanceof CNBlockConfig)) {
      throw new TypeError("The block_setting should be List[CNBlockConfig]");
    }
    const block = o.block ?? CNBlock;
    const norm_layer = o.norm_layer ?? ((c: number) => new LayerNorm2d(c, { eps: 1e-6 }));

    const layers: nn.Module[] = [];
    // Stem
    const firstconv_output_channels = block_setting[0].input_channels;
    layers.push(new Conv2dNormActivation(3, firstconv_output_channels, {
      kernel_size: 4, stride: 4, padding: 0, norm_layer, activation_layer: null, bias: true,
    }));

    const total_stage_blocks = block_setting.reduce((sum, cnf) => sum + cnf.num_layers, 0);
    let stage_block_id = 0;
    for (const cnf of block_setting) {
      // Bottlenecks
      const stage: nn.Module[] = [];
      for (let i = 0; i < cnf.num_layers; i++) {
        // adjust stochastic depth probability based on the depth of the stage block
        const sd_prob = (o.stochastic_depth_prob * stage_block_id) / (total_stage_blocks - 1.0);
        stage.push(makeLayer(block, cnf.input_channels, o.layer_scale, sd_prob));
        stage_block_id += 1;
      }
      layers.push(new nn.Sequential(...stage));
      if (cnf.out_channels !== null) {
        // Downsampling
        layers.push(new nn.Sequential(
          makeLayer(norm_layer, cnf.input_channels),
          new nn.Conv2d(cnf.input_channels, cnf.out_channels, 2, { stride: 2 }),
        ));
      }
    }
    this.features = new nn.Sequential(...layers);
    this.avgpool = new nn.AdaptiveAvgPool2d(1);

    const lastblock = block_setting[block_setting.length - 1];
    const lastconv_output_channels = lastblock.out_channels ?? lastblock.input_channels;
    this.classifier = new nn.Sequential(
      makeLayer(norm_layer, lastconv_output_channels), new nn.Flatten(1), new nn.Linear(lastconv_output_channels, o.num_classes),
    );

    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d || m instanceof nn.Linear) {
        nn.init.trunc_normal_(m.weight, 0, 0.02);
        if (m.bias) nn.init.zeros_(m.bias);
      }
    }
  }

  _forward_impl(x: Tensor): Tensor {
    x = this.features.forward(x);
    x = this.avgpool.forward(x);
    return this.classifier.forward(x);
  }

  override forward(x: Tensor): Tensor {
    return this._forward_impl(x);
  }
}

function _convnext(name: string, block_setting: CNBlockConfig[], stochastic_depth_prob: number, options: Partial<ConvNeXtOptions> | undefined): ConvNeXt {
  return new ConvNeXt(block_setting, builderOptions(name, options, { ...CONVNEXT_DEFAULTS, stochastic_depth_prob }));
}

type ConvNeXtBuilder = (options?: Partial<ConvNeXtOptions>) => ConvNeXt;

/** ConvNeXt Tiny (https://arxiv.org/abs/2201.03545). Options: num_classes, stochastic_depth_prob (0.1), layer_scale, block, norm_layer. */
export const convnext_tiny: ConvNeXtBuilder = (options) => _convnext("convnext_tiny", [
  new CNBlockConfig(96, 192, 3), new CNBlockConfig(192, 384, 3), new CNBlockConfig(384, 768, 9), new CNBlockConfig(768, null, 3),
], 0.1, options);
/** ConvNeXt Small (stochastic_depth_prob 0.4). */
export const convnext_small: ConvNeXtBuilder = (options) => _convnext("convnext_small", [
  new CNBlockConfig(96, 192, 3), new CNBlockConfig(192, 384, 3), new CNBlockConfig(384, 768, 27), new CNBlockConfig(768, null, 3),
], 0.4, options);
/** ConvNeXt Base (stochastic_depth_prob 0.5). */
export const convnext_base: ConvNeXtBuilder = (options) => _convnext("convnext_base", [
  new CNBlockConfig(128, 256, 3), new CNBlockConfig(256, 512, 3), new CNBlockConfig(512, 1024, 27), new CNBlockConfig(1024, null, 3),
], 0.5, options);
/** ConvNeXt Large (stochastic_depth_prob 0.5). */
export const convnext_large: ConvNeXtBuilder = (options) => _convnext("convnext_large", [
  new CNBlockConfig(192, 384, 3), new CNBlockConfig(384, 768, 3), new CNBlockConfig(768, 1536, 27), new CNBlockConfig(1536, null, 3),
], 0.5, options);
