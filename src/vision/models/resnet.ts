// torchvision.models.resnet (v0.14): ResNet, ResNeXt and Wide ResNet, written in the shape of
// torchvision's Python (the same classes, helpers and attribute names), so torchvision's
// state_dict keys load unchanged: `layer1.0.conv1.weight`, `fc.bias`, ...
//
//   const model = models.resnet50({ num_classes: 1000 }).eval();
//   model.load_state_dict(safetensors.load(bytes));
//   const logits = model.forward(image);              // [N, 3, H, W] -> [N, num_classes]
import { nn, flatten, type Tensor } from "../../core.js";
import { makeLayer, type LayerFactory } from "../ops.js";
import { builderOptions, releaseChains, runChain } from "./_utils.js";

/** 3x3 convolution with padding (torchvision's conv3x3). */
export function conv3x3(in_planes: number, out_planes: number, stride = 1, groups = 1, dilation = 1): nn.Conv2d {
  return new nn.Conv2d(in_planes, out_planes, 3, { stride, padding: dilation, groups, bias: false, dilation });
}

/** 1x1 convolution (torchvision's conv1x1). */
export function conv1x1(in_planes: number, out_planes: number, stride = 1): nn.Conv2d {
  return new nn.Conv2d(in_planes, out_planes, 1, { stride, bias: false });
}

type Block = typeof BasicBlock | typeof Bottleneck;

/** Two 3x3 convolutions and a residual connection (ResNet-18/34). */
export class BasicBlock extends nn.Module {
  static readonly expansion = 1;
  conv1: nn.Conv2d;
  bn1: nn.Module;
  relu = new nn.ReLU(true);
  conv2: nn.Conv2d;
  bn2: nn.Module;
  downsample: nn.Module | null;
  readonly stride: number;

  constructor(inplanes: number, planes: number, stride = 1, downsample: nn.Module | null = null, groups = 1,
    base_width = 64, dilation = 1, norm_layer: LayerFactory | null = null) {
    super();
    const norm = norm_layer ?? nn.BatchNorm2d;
    if (groups !== 1 || base_width !== 64) throw new RangeError("BasicBlock only supports groups=1 and base_width=64");
    if (dilation > 1) throw new RangeError("Dilation > 1 not supported in BasicBlock");
    this.conv1 = conv3x3(inplanes, planes, stride);
    this.bn1 = makeLayer(norm, planes);
    this.conv2 = conv3x3(planes, planes);
    this.bn2 = makeLayer(norm, planes);
    this.downsample = downsample;
    this.stride = stride;
  }

  override forward(x: Tensor): Tensor {
    // relu(bn1(conv1(x))), then bn2(conv2(out)), each run fused (runChain: one kernel call in eval mode)
    let out = runChain(this, "1", [this.conv1, this.bn1, this.relu], x);
    out = runChain(this, "2", [this.conv2, this.bn2], out);
    const identity = this.downsample !== null ? this.downsample.forward(x) : x;
    return this.relu.forward(out.add_(identity));
  }

  override _invalidateCaches(): void {
    releaseChains(this);
  }
}

/** 1x1 -> 3x3 (stride, groups) -> 1x1 with a residual connection (ResNet-50 and deeper, ResNeXt). */
export class Bottleneck extends nn.Module {
  static readonly expansion = 4;
  conv1: nn.Conv2d;
  bn1: nn.Module;
  conv2: nn.Conv2d;
  bn2: nn.Module;
  conv3: nn.Conv2d;
  bn3: nn.Module;
  relu = new nn.ReLU(true);
  downsample: nn.Module | null;
  readonly stride: number;

  constructor(inplanes: number, planes: number, stride = 1, downsample: nn.Module | null = null, groups = 1,
    base_width = 64, dilation = 1, norm_layer: LayerFactory | null = null) {
    super();
    const norm = norm_layer ?? nn.BatchNorm2d;
    const width = Math.trunc(planes * (base_width / 64)) * groups;
    this.conv1 = conv1x1(inplanes, width);
    this.bn1 = makeLayer(norm, width);
    this.conv2 = conv3x3(width, width, stride, groups, dilation);
    this.bn2 = makeLayer(norm, width);
    this.conv3 = conv1x1(width, planes * Bottleneck.expansion);
    this.bn3 = makeLayer(norm, planes * Bottleneck.expansion);
    this.downsample = downsample;
    this.stride = stride;
  }

  override forward(x: Tensor): Tensor {
    // relu(bn1(conv1(x))), relu(bn2(conv2(out))), bn3(conv3(out)), each run fused (runChain)
    let out = runChain(this, "1", [this.conv1, this.bn1, this.relu], x);
    out = runChain(this, "2", [this.conv2, this.bn2, this.relu], out);
    out = runChain(this, "3", [this.conv3, this.bn3], out);
    const identity = this.downsample !== null ? this.downsample.forward(x) : x;
    return this.relu.forward(out.add_(identity));
  }

  override _invalidateCaches(): void {
    releaseChains(this);
  }
}

export interface ResNetOptions {
  num_classes: number;
  zero_init_residual: boolean;
  groups: number;
  width_per_group: number;
  replace_stride_with_dilation: [boolean, boolean, boolean] | null;
  norm_layer: LayerFactory | null;
}

const RESNET_DEFAULTS: ResNetOptions = {
  num_classes: 1000, zero_init_residual: false, groups: 1, width_per_group: 64, replace_stride_with_dilation: null, norm_layer: null,
};

/** torchvision.models.ResNet(block, layers, num_classes=1000, ...): [N, 3, H, W] -> [N, num_classes]. */
export class ResNet extends nn.Module {
  #norm_layer: LayerFactory;
  #inplanes = 64;
  #dilation = 1;
  readonly groups: number;
  readonly base_width: number;
  conv1: nn.Conv2d;
  bn1: nn.Module;
  relu = new nn.ReLU(true);
  maxpool = new nn.MaxPool2d(3, 2, 1);
  layer1: nn.Sequential;
  layer2: nn.Sequential;
  layer3: nn.Sequential;
  layer4: nn.Sequential;
  avgpool = new nn.AdaptiveAvgPool2d([1, 1]);
  fc: nn.Linear;

  constructor(block: Block, layers: number[], options: Partial<ResNetOptions> = {}) {
    super();
    const o = builderOptions("ResNet", options, RESNET_DEFAULTS);
    this.#norm_layer = o.norm_layer ?? nn.BatchNorm2d;
    const dilate = o.replace_stride_with_dilation ?? [false, false, false];
    if (dilate.length !== 3) {
      throw new RangeError(`replace_stride_with_dilation should be None or a 3-element tuple, got ${JSON.stringify(dilate)}`);
    }
    this.groups = o.groups;
    this.base_width = o.width_per_group;
    this.conv1 = new nn.Conv2d(3, this.#inplanes, 7, { stride: 2, padding: 3, bias: false });
    this.bn1 = makeLayer(this.#norm_layer, this.#inplanes);
    this.layer1 = this._make_layer(block, 64, layers[0]);
    this.layer2 = this._make_layer(block, 128, layers[1], 2, dilate[0]);
    this.layer3 = this._make_layer(block, 256, layers[2], 2, dilate[1]);
    this.layer4 = this._make_layer(block, 512, layers[3], 2, dilate[2]);
    this.fc = new nn.Linear(512 * block.expansion, o.num_classes);

    // torchvision's init: kaiming_normal_(fan_out, relu) for convs, ones/zeros for norms
    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d) nn.init.kaiming_normal_(m.weight, { mode: "fan_out", nonlinearity: "relu" });
      else if ((m instanceof nn.BatchNorm2d || m instanceof nn.GroupNorm) && m.weight && m.bias) {
        nn.init.constant_(m.weight, 1);
        nn.init.constant_(m.bias, 0);
      }
    }
    if (o.zero_init_residual) {
      for (const m of this.modules()) {
        const last = m instanceof Bottleneck ? m.bn3 : m instanceof BasicBlock ? m.bn2 : null;
        const weight = (last as { weight?: Tensor | null } | null)?.weight;
        if (weight) nn.init.constant_(weight, 0);
      }
    }
  }

  _make_layer(block: Block, planes: number, blocks: number, stride = 1, dilate = false): nn.Sequential {
    const norm_layer = this.#norm_layer;
    let downsample: nn.Module | null = null;
    const previous_dilation = this.#dilation;
    if (dilate) {
      this.#dilation *= stride;
      stride = 1;
    }
    if (stride !== 1 || this.#inplanes !== planes * block.expansion) {
      downsample = new nn.Sequential(conv1x1(this.#inplanes, planes * block.expansion, stride), makeLayer(norm_layer, planes * block.expansion));
    }
    const layers: nn.Module[] = [
      new block(this.#inplanes, planes, stride, downsample, this.groups, this.base_width, previous_dilation, norm_layer),
    ];
    this.#inplanes = planes * block.expansion;
    for (let i = 1; i < blocks; i++) {
      layers.push(new block(this.#inplanes, planes, 1, null, this.groups, this.base_width, this.#dilation, norm_layer));
    }
    return new nn.Sequential(...layers);
  }

  _forward_impl(x: Tensor): Tensor {
    // maxpool(relu(bn1(conv1(x)))), fused (runChain): in eval mode the stem convolves and pools band
    // by band, so its 112x112 output never exists whole
    x = runChain(this, "stem", [this.conv1, this.bn1, this.relu, this.maxpool], x);
    x = this.layer4.forward(this.layer3.forward(this.layer2.forward(this.layer1.forward(x))));
    x = flatten(this.avgpool.forward(x), 1);
    return this.fc.forward(x);
  }

  override forward(x: Tensor): Tensor {
    return this._forward_impl(x);
  }

  override _invalidateCaches(): void {
    releaseChains(this);
  }
}

function _resnet(name: string, block: Block, layers: number[], options: Partial<ResNetOptions> | undefined, fixed: Partial<ResNetOptions> = {}): ResNet {
  return new ResNet(block, layers, { ...builderOptions(name, options, RESNET_DEFAULTS, Object.keys(fixed)), ...fixed });
}

/** ResNet-18 (https://arxiv.org/abs/1512.03385). */
export const resnet18 = (options?: Partial<ResNetOptions>) => _resnet("resnet18", BasicBlock, [2, 2, 2, 2], options);
/** ResNet-34. */
export const resnet34 = (options?: Partial<ResNetOptions>) => _resnet("resnet34", BasicBlock, [3, 4, 6, 3], options);
/** ResNet-50. */
export const resnet50 = (options?: Partial<ResNetOptions>) => _resnet("resnet50", Bottleneck, [3, 4, 6, 3], options);
/** ResNet-101. */
export const resnet101 = (options?: Partial<ResNetOptions>) => _resnet("resnet101", Bottleneck, [3, 4, 23, 3], options);
/** ResNet-152. */
export const resnet152 = (options?: Partial<ResNetOptions>) => _resnet("resnet152", Bottleneck, [3, 8, 36, 3], options);
/** ResNeXt-50 32x4d (https://arxiv.org/abs/1611.05431). */
export const resnext50_32x4d = (options?: Partial<ResNetOptions>) =>
  _resnet("resnext50_32x4d", Bottleneck, [3, 4, 6, 3], options, { groups: 32, width_per_group: 4 });
/** ResNeXt-101 32x8d. */
export const resnext101_32x8d = (options?: Partial<ResNetOptions>) =>
  _resnet("resnext101_32x8d", Bottleneck, [3, 4, 23, 3], options, { groups: 32, width_per_group: 8 });
/** ResNeXt-101 64x4d. */
export const resnext101_64x4d = (options?: Partial<ResNetOptions>) =>
  _resnet("resnext101_64x4d", Bottleneck, [3, 4, 23, 3], options, { groups: 64, width_per_group: 4 });
/** Wide ResNet-50-2 (https://arxiv.org/abs/1605.07146): bottlenecks twice as wide. */
export const wide_resnet50_2 = (options?: Partial<ResNetOptions>) =>
  _resnet("wide_resnet50_2", Bottleneck, [3, 4, 6, 3], options, { width_per_group: 128 });
/** Wide ResNet-101-2. */
export const wide_resnet101_2 = (options?: Partial<ResNetOptions>) =>
  _resnet("wide_resnet101_2", Bottleneck, [3, 4, 23, 3], options, { width_per_group: 128 });
