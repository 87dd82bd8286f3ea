// torchvision.models.regnet (v0.14): RegNetX and RegNetY ("Designing Network Design Spaces",
// https://arxiv.org/abs/2003.13678), in the shape of torchvision's Python, so its state_dict keys
// (`trunk_output.block1.block1-0.f.a.0.weight`, `fc.bias`, ...) load unchanged.
//
//   const model = models.regnet_y_400mf().eval();
//   const logits = model.forward(image);              // [N, 3, H, W] -> [N, num_classes]
import { nn, flatten, type Tensor } from "../../core.js";
import { Conv2dNormActivation, SqueezeExcitation, makeLayer, type LayerFactory } from "../ops.js";
import { builderOptions, _make_divisible } from "./_utils.js";
import { pyRound } from "../../args.js";

/** torch.round on a float32 value: ties to even, the result a float32. */
const roundHalfEven = (x: number): number => Math.fround(pyRound(x));

/** Simple stem for ImageNet: 3x3 stride-2 conv, norm, activation. */
export class SimpleStemIN extends Conv2dNormActivation {
  constructor(width_in: number, width_out: number, norm_layer: LayerFactory, activation_layer: LayerFactory) {
    super(width_in, width_out, { kernel_size: 3, stride: 2, norm_layer, activation_layer });
  }
}

/** Bottleneck transformation: 1x1 (a), grouped 3x3 (b) [+ squeeze-excitation (se)], 1x1 (c). */
export class BottleneckTransform extends nn.Sequential {
  constructor(width_in: number, width_out: number, stride: number, norm_layer: LayerFactory, activation_layer: LayerFactory,
    group_width: number, bottleneck_multiplier: number, se_ratio: number | null) {
    const layers: Record<string, nn.Module> = {};
    const w_b = pyRound(width_out * bottleneck_multiplier);
    const g = Math.floor(w_b / group_width);
    layers.a = new Conv2dNormActivation(width_in, w_b, { kernel_size: 1, stride: 1, norm_layer, activation_layer });
    layers.b = new Conv2dNormActivation(w_b, w_b, { kernel_size: 3, stride, groups: g, norm_layer, activation_layer });
    if (se_ratio) {
      // the squeeze width follows the block's input width, as in pycls
      const width_se_out = pyRound(se_ratio * width_in);
      layers.se = new SqueezeExcitation(w_b, width_se_out, { activation: activation_layer });
    }
    layers.c = new Conv2dNormActivation(w_b, width_out, { kernel_size: 1, stride: 1, norm_layer, activation_layer: null });
    super(layers);
  }
}

/** Residual bottleneck block: activation(x + f(x)), x projected by a strided 1x1 conv when the shape changes. */
export class ResBottleneckBlock extends nn.Module {
  proj: nn.Module | null = null;
  f: BottleneckTransform;
  activation: nn.Module;

  constructor(width_in: number, width_out: number, stride: number, norm_layer: LayerFactory, activation_layer: LayerFactory,
    group_width = 1, bottleneck_multiplier = 1.0, se_ratio: number | null = null) {
    super();
    // use the projection shortcut when the shape changes
    const should_proj = width_in !== width_out || stride !== 1;
    if (should_proj) {
      this.proj = new Conv2dNormActivation(width_in, width_out, { kernel_size: 1, stride, norm_layer, activation_layer: null });
    }
    this.f = new BottleneckTransform(width_in, width_out, stride, norm_layer, activation_layer, group_width, bottleneck_multiplier, se_ratio);
    this.activation = makeLayer(activation_layer, { inplace: true });
  }

  override forward(x: Tensor): Tensor {
    const shortcut = this.proj !== null ? this.proj.forward(x) : x;
    return this.activation.forward(shortcut.add(this.f.forward(x)));
  }
}

type BlockConstructor = new (width_in: number, width_out: number, stride: number, norm_layer: LayerFactory, activation_layer: LayerFactory,
  group_width: number, bottleneck_multiplier: number, se_ratio: number | null) => nn.Module;

/** AnyNet stage: `depth` blocks with the same output shape, named `block{stage_index}-{i}`. */
export class AnyStage extends nn.Sequential {
  constructor(width_in: number, width_out: number, stride: number, depth: number, block_constructor: BlockConstructor,
    norm_layer: LayerFactory, activation_layer: LayerFactory, group_width: number, bottleneck_multiplier: number,
    se_ratio: number | null = null, stage_index = 0) {
    super();
    for (let i = 0; i < depth; i++) {
      this[`block${stage_index}-${i}`] = new block_constructor(
        i === 0 ? width_in : width_out, width_out, i === 0 ? stride : 1, norm_layer, activation_layer, group_width, bottleneck_multiplier, se_ratio,
      );
    }
  }
}

/** Per-stage settings of a RegNet: depth, width, group width, bottleneck multiplier and stride per stage. */
export class BlockParams {
  constructor(
    readonly depths: number[],
    readonly widths: number[],
    readonly group_widths: number[],
    readonly bottleneck_multipliers: number[],
    readonly strides: number[],
    readonly se_ratio: number | null = null,
  ) {}

  /**
   * The per-stage settings from RegNet's design-space parameters: block widths grow linearly
   * (w_0 + w_a * i), are quantized in log space (w_0 * w_m^round(log_{w_m}(w_i / w_0))) to multiples
   * of 8, and consecutive blocks of equal width form a stage. torchvision computes this with torch
   * float32 tensors; the arithmetic here rounds to float32 at the same steps, so the widths agree.
   */
  static from_init_params(depth: number, w_0: number, w_a: number, w_m: number, group_width: number,
    bottleneck_multiplier = 1.0, se_ratio: number | null = null): BlockParams {
    const QUANT = 8;
    const STRIDE = 2;
    if (w_a < 0 || w_0 <= 0 || w_m <= 1 || w_0 % 8 !== 0) throw new RangeError("Invalid RegNet settings");
    const f32 = Math.fround;
    const w_a32 = f32(w_a);
    const w_032 = f32(w_0);
    const w_m32 = f32(w_m);
    const log_w_m = f32(Math.log(w_m));
    // Compute the block widths. Each stage has one unique block width
    const block_widths: number[] = [];
    for (let i = 0; i < depth; i++) {
      const widths_cont = f32(f32(i * w_a32) + w_032);                                   // torch.arange(depth) * w_a + w_0
      const block_capacity = roundHalfEven(f32(f32(Math.log(f32(widths_cont / w_032))) / log_w_m));
      const width = roundHalfEven(f32(f32(w_032 * f32(Math.pow(w_m32, block_capacity))) / QUANT)) * QUANT;
      block_widths.push(Math.trunc(width));                                               // .int()
    }
    const num_stages = new Set(block_widths).size;

    // Stages end where the width changes (the same test as torchvision's split_helper)
    const splits: boolean[] = [];
    for (let i = 0; i <= depth; i++) splits.push((block_widths[i] ?? 0) !== (i > 0 ? block_widths[i - 1] : 0));
    const stage_widths = block_widths.filter((_, i) => splits[i]);
    const split_points = splits.flatMap((t, d) => (t ? [d] : []));
    const stage_depths = split_points.slice(1).map((d, i) => d - split_points[i]);   // torch.diff

    const strides = new Array<number>(num_stages).fill(STRIDE);
    const bottleneck_multipliers = new Array<number>(num_stages).fill(bottleneck_multiplier);
    const group_widths = new Array<number>(num_stages).fill(group_width);
    // Adjust the compatibility of stage widths and group widths
    const [adjusted_widths, adjusted_groups] = BlockParams._adjust_widths_groups_compatibilty(stage_widths, bottleneck_multipliers, group_widths);
    return new BlockParams(stage_depths, adjusted_widths, adjusted_groups, bottleneck_multipliers, strides, se_ratio);
  }

  /** [width, stride, depth, group_width, bottleneck_multiplier] per stage. */
  _get_expanded_params(): [number, number, number, number, number][] {
    return this.widths.map((w, i) => [w, this.strides[i], this.depths[i], this.group_widths[i], this.bottleneck_multipliers[i]]);
  }

  /** Adjusts the widths so that the bottleneck width is a multiple of the (possibly reduced) group width. */
  static _adjust_widths_groups_compatibilty(stage_widths: number[], bottleneck_ratios: number[], group_widths: number[]): [number[], number[]] {
    // Compute all widths for the current settings
    const widths = stage_widths.map((w, i) => Math.trunc(w * bottleneck_ratios[i]));
    const group_widths_min = group_widths.map((g, i) => Math.min(g, widths[i]));
    // Compute the adjusted widths so that stage and group widths fit
    const ws_bot = widths.map((w_bot, i) => _make_divisible(w_bot, group_widths_min[i]));
    return [ws_bot.map((w_bot, i) => Math.trunc(w_bot / bottleneck_ratios[i])), group_widths_min];
  }
}

export interface RegNetOptions {
  num_classes: number;
  stem_width: number;
  stem_type: (new (width_in: number, width_out: number, norm_layer: LayerFactory, activation_layer: LayerFactory) => nn.Module) | null;
  block_type: BlockConstructor | null;
  norm_layer: LayerFactory | null;
  activation: LayerFactory | null;
}

const REGNET_DEFAULTS: RegNetOptions = { num_classes: 1000, stem_width: 32, stem_type: null, block_type: null, norm_layer: null, activation: null };

/** torchvision.models.RegNet(block_params, num_classes=1000, stem_width=32, stem_type=None, block_type=None, norm_layer=None, activation=None). */
export class RegNet extends nn.Module {
  stem: nn.Module;
  trunk_output: nn.Sequential;
  avgpool: nn.AdaptiveAvgPool2d;
  fc: nn.Linear;

  constructor(block_params: BlockParams, options: Partial<RegNetOptions> = {}) {
    super();
    const o = builderOptions("RegNet", options, REGNET_DEFAULTS);
    const stem_type = o.stem_type ?? SimpleStemIN;
    const norm_layer = o.norm_layer ?? nn.BatchNorm2d;
    const block_type = o.block_type ?? ResBottleneckBlock;
    const activation = o.activation ?? nn.ReLU;

    // Ad hoc stem
    this.stem = new stem_type(3, o.stem_width, norm_layer, activation);
    let current_width = o.stem_width;
    const blocks: Record<string, nn.Module> = {};
    block_params._get_expanded_params().forEach(([width_out, stride, depth, group_width, bottleneck_multiplier], i) => {
      blocks[`block${i + 1}`] = new AnyStage(current_width, width_out, stride, depth, block_type, norm_layer, activation,
        group_width, bottleneck_multiplier, block_params.se_ratio, i + 1);
      current_width = width_out;
    });
    this.trunk_output = new nn.Sequential(blocks);
    this.avgpool = new nn.AdaptiveAvgPool2d([1, 1]);
    this.fc = new nn.Linear(current_width, o.num_classes);

    // Performs ResNet-style weight initialization
    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d) {
        // Note that there is no bias due to BN
        const [kh, kw] = m.kernel_size as [number, number];
        const fan_out = kh * kw * m.out_channels;
        nn.init.normal_(m.weight, 0.0, Math.sqrt(2.0 / fan_out));
      } else if (m instanceof nn.BatchNorm2d && m.weight && m.bias) {
        nn.init.ones_(m.weight);
        nn.init.zeros_(m.bias);
      } else if (m instanceof nn.Linear) {
        nn.init.normal_(m.weight, 0.0, 0.01);
        if (m.bias) nn.init.zeros_(m.bias);
      }
    }
  }

  override forward(x: Tensor): Tensor {
    x = this.stem.forward(x);
    x = this.trunk_output.forward(x);
    x = this.avgpool.forward(x);
    x = flatten(x, 1);
    return this.fc.forward(x);
  }
}

function _regnet(name: string, block_params: BlockParams, options: Partial<RegNetOptions> | undefined): RegNet {
  return new RegNet(block_params, builderOptions(name, options, REGNET_DEFAULTS));
}

type RegNetBuilder = (options?: Partial<RegNetOptions>) => RegNet;
const Y = (depth: number, w_0: number, w_a: number, w_m: number, group_width: number) =>
  BlockParams.from_init_params(depth, w_0, w_a, w_m, group_width, 1.0, 0.25);
const X = (depth: number, w_0: number, w_a: number, w_m: number, group_width: number) =>
  BlockParams.from_init_params(depth, w_0, w_a, w_m, group_width);

/** RegNetY-400MF (https://arxiv.org/abs/2003.13678). Options: num_classes, stem_width, stem_type, block_type, norm_layer, activation. */
export const regnet_y_400mf: RegNetBuilder = (options) => _regnet("regnet_y_400mf", Y(16, 48, 27.89, 2.09, 8), options);
/** RegNetY-800MF. */
export const regnet_y_800mf: RegNetBuilder = (options) => _regnet("regnet_y_800mf", Y(14, 56, 38.84, 2.4, 16), options);
/** RegNetY-1.6GF. */
export const regnet_y_1_6gf: RegNetBuilder = (options) => _regnet("regnet_y_1_6gf", Y(27, 48, 20.71, 2.65, 24), options);
/** RegNetY-3.2GF. */
export const regnet_y_3_2gf: RegNetBuilder = (options) => _regnet("regnet_y_3_2gf", Y(21, 80, 42.63, 2.66, 24), options);
/** RegNetY-8GF. */
export const regnet_y_8gf: RegNetBuilder = (options) => _regnet("regnet_y_8gf", Y(17, 192, 76.82, 2.19, 56), options);
/** RegNetY-16GF. */
export const regnet_y_16gf: RegNetBuilder = (options) => _regnet("regnet_y_16gf", Y(18, 200, 106.23, 2.48, 112), options);
/** RegNetY-32GF. */
export const regnet_y_32gf: RegNetBuilder = (options) => _regnet("regnet_y_32gf", Y(20, 232, 115.89, 2.53, 232), options);
/** RegNetY-128GF (644M parameters: 2.6 GB of float32 weights). */
export const regnet_y_128gf: RegNetBuilder = (options) => _regnet("regnet_y_128gf", Y(27, 456, 160.83, 2.52, 264), options);
/** RegNetX-400MF. */
export const regnet_x_400mf: RegNetBuilder = (options) => _regnet("regnet_x_400mf", X(22, 24, 24.48, 2.54, 16), options);
/** RegNetX-800MF. */
export const regnet_x_800mf: RegNetBuilder = (options) => _regnet("regnet_x_800mf", X(16, 56, 35.73, 2.28, 16), options);
/** RegNetX-1.6GF. */
export const regnet_x_1_6gf: RegNetBuilder = (options) => _regnet("regnet_x_1_6gf", X(18, 80, 34.01, 2.25, 24), options);
/** RegNetX-3.2GF. */
export const regnet_x_3_2gf: RegNetBuilder = (options) => _regnet("regnet_x_3_2gf", X(25, 88, 26.31, 2.25, 48), options);
/** RegNetX-8GF. */
export const regnet_x_8gf: RegNetBuilder = (options) => _regnet("regnet_x_8gf", X(23, 80, 49.56, 2.88, 120), options);
/** RegNetX-16GF. */
export const regnet_x_16gf: RegNetBuilder = (options) => _regnet("regnet_x_16gf", X(22, 216, 55.59, 2.1, 128), options);
/** RegNetX-32GF. */
export const regnet_x_32gf: RegNetBuilder = (options) => _regnet("regnet_x_32gf", X(23, 320, 69.86, 2.0, 168), options);
