// torchvision.models.googlenet (v0.14): GoogLeNet / Inception v1 (https://arxiv.org/abs/1409.4842),
// with torchvision's classes and names so its state_dict keys load unchanged:
// `conv1.conv.weight`, `inception3a.branch2.1.bn.running_mean`, `aux1.fc2.bias`, `fc.weight`, ...
//
//   const model = models.googlenet({ aux_logits: false }).eval();
//   const logits = model.forward(image);              // [N, 3, H, W] -> [N, num_classes]
//
// models/index.ts re-exports this file by name: BasicConv2d and InceptionAux stay here, as inception.ts
// has different classes of the same names (torchvision.models exports neither).
import { nn, F, cat, flatten, narrow, type Tensor } from "../../core.js";
import { makeLayer, type LayerFactory } from "../ops.js";
import { builderOptions } from "./_utils.js";

/** Conv2d's keyword arguments as BasicConv2d passes them on: kernel_size, and stride, padding, ... */
export type ConvOptions = { kernel_size: number | [number, number] } & Record<string, unknown>;

/** Conv2d (no bias) -> BatchNorm2d(eps=0.001) -> ReLU. */
export class BasicConv2d extends nn.Module {
  conv: nn.Conv2d;
  bn: nn.BatchNorm2d;

  constructor(in_channels: number, out_channels: number, kwargs: ConvOptions) {
    super();
    const { kernel_size, ...rest } = kwargs;
    this.conv = new nn.Conv2d(in_channels, out_channels, kernel_size, { bias: false, ...rest });
    this.bn = new nn.BatchNorm2d(out_channels, { eps: 0.001 });
  }

  override forward(x: Tensor): Tensor {
    x = this.conv.forward(x);
    x = this.bn.forward(x);
    return F.relu(x, { inplace: true });
  }
}

/** Four parallel branches (1x1; 1x1 -> 3x3; 1x1 -> 3x3; 3x3 max pool -> 1x1) concatenated along channels. */
export class Inception extends nn.Module {
  branch1: nn.Module;
  branch2: nn.Sequential;
  branch3: nn.Sequential;
  branch4: nn.Sequential;

  constructor(in_channels: number, ch1x1: number, ch3x3red: number, ch3x3: number, ch5x5red: number, ch5x5: number, pool_proj: number,
    conv_block: LayerFactory | null = null) {
    super();
    const block = conv_block ?? BasicConv2d;
    this.branch1 = makeLayer(block, in_channels, ch1x1, { kernel_size: 1 });
    this.branch2 = new nn.Sequential(
      makeLayer(block, in_channels, ch3x3red, { kernel_size: 1 }), makeLayer(block, ch3x3red, ch3x3, { kernel_size: 3, padding: 1 }),
    );
    // torchvision's "5x5" branch has used a 3x3 convolution since its first port (pytorch/vision#906)
    this.branch3 = new nn.Sequential(
      makeLayer(block, in_channels, ch5x5red, { kernel_size: 1 }), makeLayer(block, ch5x5red, ch5x5, { kernel_size: 3, padding: 1 }),
    );
    this.branch4 = new nn.Sequential(
      new nn.MaxPool2d(3, { stride: 1, padding: 1, ceil_mode: true }), makeLayer(block, in_channels, pool_proj, { kernel_size: 1 }),
    );
  }

  _forward(x: Tensor): Tensor[] {
    const branch1 = this.branch1.forward(x);
    const branch2 = this.branch2.forward(x);
    const branch3 = this.branch3.forward(x);
    const branch4 = this.branch4.forward(x);
    return [branch1, branch2, branch3, branch4];
  }

  override forward(x: Tensor): Tensor {
    return cat(this._forward(x), 1); // [N, ch1x1 + ch3x3 + ch5x5 + pool_proj, H, W]
  }
}

/** The auxiliary classifier on inception4a / inception4d (used in training only). */
export class InceptionAux extends nn.Module {
  conv: nn.Module;
  fc1: nn.Linear;
  fc2: nn.Linear;
  dropout: nn.Dropout;

  constructor(in_channels: number, num_classes: number, conv_block: LayerFactory | null = null, dropout = 0.7) {
    super();
    this.conv = makeLayer(conv_block ?? BasicConv2d, in_channels, 128, { kernel_size: 1 });
    this.fc1 = new nn.Linear(2048, 1024);
    this.fc2 = new nn.Linear(1024, num_classes);
    this.dropout = new nn.Dropout({ p: dropout });
  }

  override forward(x: Tensor): Tensor {
    x = F.adaptive_avg_pool2d(x, [4, 4]); // [N, C, 4, 4]
    x = this.conv.forward(x); // [N, 128, 4, 4]
    x = flatten(x, 1); // [N, 2048]
    x = F.relu(this.fc1.forward(x), { inplace: true });
    x = this.dropout.forward(x);
    return this.fc2.forward(x); // [N, num_classes]
  }
}

/**
 * torchvision's GoogLeNetOutputs namedtuple, returned by a training-mode forward with aux_logits.
 * (As in torchvision, aux_logits2 holds aux1's output and aux_logits1 aux2's: its forward swaps them.)
 */
export interface GoogLeNetOutputs {
  logits: Tensor;
  aux_logits2: Tensor | null;
  aux_logits1: Tensor | null;
}

export interface GoogLeNetOptions {
  num_classes: number;
  aux_logits: boolean;
  transform_input: boolean;
  /** null: true (torchvision warns that this default will change). */
  init_weights: boolean | null;
  /** [conv_block, inception_block, inception_aux_block]; null: [BasicConv2d, Inception, InceptionAux]. */
  blocks: [LayerFactory, LayerFactory, LayerFactory] | null;
  dropout: number;
  dropout_aux: number;
}

const GOOGLENET_DEFAULTS: GoogLeNetOptions = {
  num_classes: 1000, aux_logits: true, transform_input: false, init_weights: null, blocks: null, dropout: 0.2, dropout_aux: 0.7,
};

/**
 * torchvision.models.GoogLeNet(num_classes=1000, aux_logits=True, transform_input=False,
 * init_weights=None, blocks=None, dropout=0.2, dropout_aux=0.7): [N, 3, H, W] -> [N, num_classes]
 * in eval mode; in training mode with aux_logits, a GoogLeNetOutputs object.
 */
export class GoogLeNet extends nn.Module {
  aux_logits: boolean;
  transform_input: boolean;
  conv1: nn.Module;
  maxpool1: nn.MaxPool2d;
  conv2: nn.Module;
  conv3: nn.Module;
  maxpool2: nn.MaxPool2d;
  inception3a: nn.Module;
  inception3b: nn.Module;
  maxpool3: nn.MaxPool2d;
  inception4a: nn.Module;
  inception4b: nn.Module;
  inception4c: nn.Module;
  inception4d: nn.Module;
  inception4e: nn.Module;
  maxpool4: nn.MaxPool2d;
  inception5a: nn.Module;
  inception5b: nn.Module;
  aux1: nn.Module | null;
  aux2: nn.Module | null;
  avgpool: nn.AdaptiveAvgPool2d;
  dropout: nn.Dropout;
  fc: nn.Linear;

  constructor(options: Partial<GoogLeNetOptions> = {}) {
    super();
    const o = builderOptions("GoogLeNet", options, GOOGLENET_DEFAULTS);
    const blocks = o.blocks ?? [BasicConv2d, Inception, InceptionAux];
    // (torchvision warns here that the default init will change; the default stays true)
    const init_weights = o.init_weights ?? true;
    if (blocks.length !== 3) throw new RangeError(`blocks length should be 3 instead of ${blocks.length}`);
    const [conv_block, inception_block, inception_aux_block] = blocks;
    const conv = (cin: number, cout: number, kwargs: ConvOptions) => makeLayer(conv_block, cin, cout, kwargs);
    const inception = (...channels: number[]) => makeLayer(inception_block, ...channels);

    this.aux_logits = o.aux_logits;
    this.transform_input = o.transform_input;
    this.conv1 = conv(3, 64, { kernel_size: 7, stride: 2, padding: 3 });
    this.maxpool1 = new nn.MaxPool2d(3, { stride: 2, ceil_mode: true });
    this.conv2 = conv(64, 64, { kernel_size: 1 });
    this.conv3 = conv(64, 192, { kernel_size: 3, padding: 1 });
    this.maxpool2 = new nn.MaxPool2d(3, { stride: 2, ceil_mode: true });
    this.inception3a = inception(192, 64, 96, 128, 16, 32, 32);
    this.inception3b = inception(256, 128, 128, 192, 32, 96, 64);
    this.maxpool3 = new nn.MaxPool2d(3, { stride: 2, ceil_mode: true });
    this.inception4a = inception(480, 192, 96, 208, 16, 48, 64);
    this.inception4b = inception(512, 160, 112, 224, 24, 64, 64);
    this.inception4c = inception(512, 128, 128, 256, 24, 64, 64);
    this.inception4d = inception(512, 112, 144, 288, 32, 64, 64);
    this.inception4e = inception(528, 256, 160, 320, 32, 128, 128);
    this.maxpool4 = new nn.MaxPool2d(2, { stride: 2, ceil_mode: true });
    this.inception5a = inception(832, 256, 160, 320, 32, 128, 128);
    this.inception5b = inception(832, 384, 192, 384, 48, 128, 128);
    if (o.aux_logits) {
      this.aux1 = makeLayer(inception_aux_block, 512, o.num_classes, null, o.dropout_aux);
      this.aux2 = makeLayer(inception_aux_block, 528, o.num_classes, null, o.dropout_aux);
    } else {
      this.aux1 = null;
      this.aux2 = null;
    }
    this.avgpool = new nn.AdaptiveAvgPool2d([1, 1]);
    this.dropout = new nn.Dropout({ p: o.dropout });
    this.fc = new nn.Linear(1024, o.num_classes);

    if (init_weights) {
      for (const m of this.modules()) {
        if (m instanceof nn.Conv2d || m instanceof nn.Linear) nn.init.trunc_normal_(m.weight, 0.0, 0.01, -2, 2);
        else if (m instanceof nn.BatchNorm2d && m.weight && m.bias) {
          nn.init.constant_(m.weight, 1);
          nn.init.constant_(m.bias, 0);
        }
      }
    }
  }

  /** With transform_input: re-normalises an ImageNet-normalised image to the [-1, 1] scaling the original weights expect. */
  _transform_input(x: Tensor): Tensor {
    if (this.transform_input) {
      const x_ch0 = narrow(x, 1, 0, 1).mul(0.229 / 0.5).add((0.485 - 0.5) / 0.5);
      const x_ch1 = narrow(x, 1, 1, 1).mul(0.224 / 0.5).add((0.456 - 0.5) / 0.5);
      const x_ch2 = narrow(x, 1, 2, 1).mul(0.225 / 0.5).add((0.406 - 0.5) / 0.5);
      x = cat([x_ch0, x_ch1, x_ch2], 1);
    }
    return x;
  }

  /** [logits, aux2, aux1] (the auxiliary outputs only in training mode, else null). */
  _forward(x: Tensor): [Tensor, Tensor | null, Tensor | null] {
    x = this.maxpool1.forward(this.conv1.forward(x)); // [N, 64, H/4, W/4]
    x = this.conv3.forward(this.conv2.forward(x)); // [N, 192, H/4, W/4]
    x = this.maxpool2.forward(x); // [N, 192, H/8, W/8]
    x = this.inception3b.forward(this.inception3a.forward(x)); // [N, 480, H/8, W/8]
    x = this.maxpool3.forward(x); // [N, 480, H/16, W/16]
    x = this.inception4a.forward(x); // [N, 512, H/16, W/16]
    const aux1 = this.aux1 !== null && this.training ? this.aux1.forward(x) as Tensor : null;
    x = this.inception4d.forward(this.inception4c.forward(this.inception4b.forward(x))); // [N, 528, H/16, W/16]
    const aux2 = this.aux2 !== null && this.training ? this.aux2.forward(x) as Tensor : null;
    x = this.inception4e.forward(x); // [N, 832, H/16, W/16]
    x = this.maxpool4.forward(x); // [N, 832, H/32, W/32]
    x = this.inception5b.forward(this.inception5a.forward(x)); // [N, 1024, H/32, W/32]
    x = flatten(this.avgpool.forward(x), 1); // [N, 1024]
    x = this.dropout.forward(x);
    x = this.fc.forward(x); // [N, num_classes]
    return [x, aux2, aux1];
  }

  eager_outputs(x: Tensor, aux2: Tensor | null, aux1: Tensor | null): GoogLeNetOutputs | Tensor {
    if (this.training && this.aux_logits) return { logits: x, aux_logits2: aux2, aux_logits1: aux1 };
    return x;
  }

  override forward(x: Tensor): GoogLeNetOutputs | Tensor {
    x = this._transform_input(x);
    // (torchvision's names: _forward returns (x, aux2, aux1), unpacked as (x, aux1, aux2))
    const [logits, aux1, aux2] = this._forward(x);
    return this.eager_outputs(logits, aux2, aux1);
  }
}

/**
 * GoogLeNet (Inception v1, https://arxiv.org/abs/1409.4842). Options as torchvision's builder with
 * weights=None: num_classes=1000, aux_logits=True, transform_input=False, init_weights=None (= true),
 * blocks=None, dropout=0.2, dropout_aux=0.7.
 */
export const googlenet = (options?: Partial<GoogLeNetOptions>) => new GoogLeNet(builderOptions("googlenet", options, GOOGLENET_DEFAULTS));
