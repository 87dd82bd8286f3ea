// torchvision.models.inception (v0.14): Inception v3 (https://arxiv.org/abs/1512.00567), with
// torchvision's classes and names so its state_dict keys load unchanged:
// `Conv2d_1a_3x3.conv.weight`, `Mixed_6b.branch7x7_2.bn.running_var`, `AuxLogits.fc.bias`, ...
//
//   const model = models.inception_v3({ aux_logits: false }).eval();
//   const logits = model.forward(image);              // [N, 3, 299, 299] -> [N, num_classes]
//
// models/index.ts re-exports this file by name: InceptionAux stays here, as googlenet.ts has a
// different class of the same name (torchvision.models exports neither). BasicConv2d is GoogLeNet's:
// torchvision's two copies are identical (Conv2d without bias -> BatchNorm2d(eps=0.001) -> ReLU).
import { nn, F, cat, flatten, narrow, type Tensor } from "../../core.js";
import { makeLayer, type LayerFactory } from "../ops.js";
import { builderOptions } from "./_utils.js";
import { BasicConv2d, type ConvOptions } from "./googlenet.js";

/** torchvision's init reads a `stddev` attribute that InceptionAux sets on two of its children. */
type WithStddev = { stddev?: number };

/** 1x1 | 1x1 -> 5x5 | 1x1 -> 3x3 -> 3x3 | avg pool -> 1x1, concatenated: [N, C, H, W] -> [N, 224 + pool_features, H, W]. */
export class InceptionA extends nn.Module {
  branch1x1: nn.Module;
  branch5x5_1: nn.Module;
  branch5x5_2: nn.Module;
  branch3x3dbl_1: nn.Module;
  branch3x3dbl_2: nn.Module;
  branch3x3dbl_3: nn.Module;
  branch_pool: nn.Module;

  constructor(in_channels: number, pool_features: number, conv_block: LayerFactory | null = null) {
    super();
    const block = conv_block ?? BasicConv2d;
    this.branch1x1 = makeLayer(block, in_channels, 64, { kernel_size: 1 });
    this.branch5x5_1 = makeLayer(block, in_channels, 48, { kernel_size: 1 });
    this.branch5x5_2 = makeLayer(block, 48, 64, { kernel_size: 5, padding: 2 });
    this.branch3x3dbl_1 = makeLayer(block, in_channels, 64, { kernel_size: 1 });
    this.branch3x3dbl_2 = makeLayer(block, 64, 96, { kernel_size: 3, padding: 1 });
    this.branch3x3dbl_3 = makeLayer(block, 96, 96, { kernel_size: 3, padding: 1 });
    this.branch_pool = makeLayer(block, in_channels, pool_features, { kernel_size: 1 });
  }

  _forward(x: Tensor): Tensor[] {
    const branch1x1 = this.branch1x1.forward(x);
    const branch5x5 = this.branch5x5_2.forward(this.branch5x5_1.forward(x));
    const branch3x3dbl = this.branch3x3dbl_3.forward(this.branch3x3dbl_2.forward(this.branch3x3dbl_1.forward(x)));
    const branch_pool = this.branch_pool.forward(F.avg_pool2d(x, { kernel_size: 3, stride: 1, padding: 1 }));
    return [branch1x1, branch5x5, branch3x3dbl, branch_pool];
  }

  override forward(x: Tensor): Tensor {
    return cat(this._forward(x), 1);
  }
}

/** Grid reduction: 3x3/2 | 1x1 -> 3x3 -> 3x3/2 | max pool 3x3/2, concatenated: [N, C, H, W] -> [N, 480 + C, H', W']. */
export class InceptionB extends nn.Module {
  branch3x3: nn.Module;
  branch3x3dbl_1: nn.Module;
  branch3x3dbl_2: nn.Module;
  branch3x3dbl_3: nn.Module;

  constructor(in_channels: number, conv_block: LayerFactory | null = null) {
    super();
    const block = conv_block ?? BasicConv2d;
    this.branch3x3 = makeLayer(block, in_channels, 384, { kernel_size: 3, stride: 2 });
    this.branch3x3dbl_1 = makeLayer(block, in_channels, 64, { kernel_size: 1 });
    this.branch3x3dbl_2 = makeLayer(block, 64, 96, { kernel_size: 3, padding: 1 });
    this.branch3x3dbl_3 = makeLayer(block, 96, 96, { kernel_size: 3, stride: 2 });
  }

  _forward(x: Tensor): Tensor[] {
    const branch3x3 = this.branch3x3.forward(x);
    const branch3x3dbl = this.branch3x3dbl_3.forward(this.branch3x3dbl_2.forward(this.branch3x3dbl_1.forward(x)));
    const branch_pool = F.max_pool2d(x, { kernel_size: 3, stride: 2 });
    return [branch3x3, branch3x3dbl, branch_pool];
  }

  override forward(x: Tensor): Tensor {
    return cat(this._forward(x), 1);
  }
}

/** Factorised 7x7 convolutions (1x7 and 7x1): [N, C, H, W] -> [N, 768, H, W]. */
export class InceptionC extends nn.Module {
  branch1x1: nn.Module;
  branch7x7_1: nn.Module;
  branch7x7_2: nn.Module;
  branch7x7_3: nn.Module;
  branch7x7dbl_1: nn.Module;
  branch7x7dbl_2: nn.Module;
  branch7x7dbl_3: nn.Module;
  branch7x7dbl_4: nn.Module;
  branch7x7dbl_5: nn.Module;
  branch_pool: nn.Module;

  constructor(in_channels: number, channels_7x7: number, conv_block: LayerFactory | null = null) {
    super();
    const block = conv_block ?? BasicConv2d;
    this.branch1x1 = makeLayer(block, in_channels, 192, { kernel_size: 1 });
    const c7 = channels_7x7;
    this.branch7x7_1 = makeLayer(block, in_channels, c7, { kernel_size: 1 });
    this.branch7x7_2 = makeLayer(block, c7, c7, { kernel_size: [1, 7], padding: [0, 3] });
    this.branch7x7_3 = makeLayer(block, c7, 192, { kernel_size: [7, 1], padding: [3, 0] });
    this.branch7x7dbl_1 = makeLayer(block, in_channels, c7, { kernel_size: 1 });
    this.branch7x7dbl_2 = makeLayer(block, c7, c7, { kernel_size: [7, 1], padding: [3, 0] });
    this.branch7x7dbl_3 = makeLayer(block, c7, c7, { kernel_size: [1, 7], padding: [0, 3] });
    this.branch7x7dbl_4 = makeLayer(block, c7, c7, { kernel_size: [7, 1], padding: [3, 0] });
    this.branch7x7dbl_5 = makeLayer(block, c7, 192, { kernel_size: [1, 7], padding: [0, 3] });
    this.branch_pool = makeLayer(block, in_channels, 192, { kernel_size: 1 });
  }

  _forward(x: Tensor): Tensor[] {
    const branch1x1 = this.branch1x1.forward(x);
    let branch7x7 = this.branch7x7_1.forward(x);
    branch7x7 = this.branch7x7_2.forward(branch7x7);
    branch7x7 = this.branch7x7_3.forward(branch7x7);
    let branch7x7dbl = this.branch7x7dbl_1.forward(x);
    branch7x7dbl = this.branch7x7dbl_2.forward(branch7x7dbl);
    branch7x7dbl = this.branch7x7dbl_3.forward(branch7x7dbl);
    branch7x7dbl = this.branch7x7dbl_4.forward(branch7x7dbl);
    branch7x7dbl = this.branch7x7dbl_5.forward(branch7x7dbl);
    const branch_pool = this.branch_pool.forward(F.avg_pool2d(x, { kernel_size: 3, stride: 1, padding: 1 }));
    return [branch1x1, branch7x7, branch7x7dbl, branch_pool];
  }

  override forward(x: Tensor): Tensor {
    return cat(this._forward(x), 1);
  }
}

/** Grid reduction: 1x1 -> 3x3/2 | 1x1 -> 1x7 -> 7x1 -> 3x3/2 | max pool 3x3/2: [N, C, H, W] -> [N, 512 + C, H', W']. */
export class InceptionD extends nn.Module {
  branch3x3_1: nn.Module;
  branch3x3_2: nn.Module;
  branch7x7x3_1: nn.Module;
  branch7x7x3_2: nn.Module;
  branch7x7x3_3: nn.Module;
  branch7x7x3_4: nn.Module;

  constructor(in_channels: number, conv_block: LayerFactory | null = null) {
    super();
    const block = conv_block ?? BasicConv2d;
    this.branch3x3_1 = makeLayer(block, in_channels, 192, { kernel_size: 1 });
    this.branch3x3_2 = makeLayer(block, 192, 320, { kernel_size: 3, stride: 2 });
    this.branch7x7x3_1 = makeLayer(block, in_channels, 192, { kernel_size: 1 });
    this.branch7x7x3_2 = makeLayer(block, 192, 192, { kernel_size: [1, 7], padding: [0, 3] });
    this.branch7x7x3_3 = makeLayer(block, 192, 192, { kernel_size: [7, 1], padding: [3, 0] });
    this.branch7x7x3_4 = makeLayer(block, 192, 192, { kernel_size: 3, stride: 2 });
  }

  _forward(x: Tensor): Tensor[] {
    const branch3x3 = this.branch3x3_2.forward(this.branch3x3_1.forward(x));
    let branch7x7x3 = this.branch7x7x3_1.forward(x);
    branch7x7x3 = this.branch7x7x3_2.forward(branch7x7x3);
    branch7x7x3 = this.branch7x7x3_3.forward(branch7x7x3);
    branch7x7x3 = this.branch7x7x3_4.forward(branch7x7x3);
    const branch_pool = F.max_pool2d(x, { kernel_size: 3, stride: 2 });
    return [branch3x3, branch7x7x3, branch_pool];
  }

  override forward(x: Tensor): Tensor {
    return cat(this._forward(x), 1);
  }
}

/** Expanded filter bank (parallel 1x3 and 3x1 outputs): [N, C, H, W] -> [N, 2048, H, W]. */
export class InceptionE extends nn.Module {
  branch1x1: nn.Module;
  branch3x3_1: nn.Module;
  branch3x3_2a: nn.Module;
  branch3x3_2b: nn.Module;
  branch3x3dbl_1: nn.Module;
  branch3x3dbl_2: nn.Module;
  branch3x3dbl_3a: nn.Module;
  branch3x3dbl_3b: nn.Module;
  branch_pool: nn.Module;

  constructor(in_channels: number, conv_block: LayerFactory | null = null) {
    super();
    const block = conv_block ?? BasicConv2d;
    this.branch1x1 = makeLayer(block, in_channels, 320, { kernel_size: 1 });
    this.branch3x3_1 = makeLayer(block, in_channels, 384, { kernel_size: 1 });
    this.branch3x3_2a = makeLayer(block, 384, 384, { kernel_size: [1, 3], padding: [0, 1] });
    this.branch3x3_2b = makeLayer(block, 384, 384, { kernel_size: [3, 1], padding: [1, 0] });
    this.branch3x3dbl_1 = makeLayer(block, in_channels, 448, { kernel_size: 1 });
    this.branch3x3dbl_2 = makeLayer(block, 448, 384, { kernel_size: 3, padding: 1 });
    this.branch3x3dbl_3a = makeLayer(block, 384, 384, { kernel_size: [1, 3], padding: [0, 1] });
    this.branch3x3dbl_3b = makeLayer(block, 384, 384, { kernel_size: [3, 1], padding: [1, 0] });
    this.branch_pool = makeLayer(block, in_channels, 192, { kernel_size: 1 });
  }

  _forward(x: Tensor): Tensor[] {
    const branch1x1 = this.branch1x1.forward(x);
    const branch3x3_1 = this.branch3x3_1.forward(x);
    const branch3x3 = cat([this.branch3x3_2a.forward(branch3x3_1), this.branch3x3_2b.forward(branch3x3_1)], 1);
    const branch3x3dbl_2 = this.branch3x3dbl_2.forward(this.branch3x3dbl_1.forward(x));
    const branch3x3dbl = cat([this.branch3x3dbl_3a.forward(branch3x3dbl_2), this.branch3x3dbl_3b.forward(branch3x3dbl_2)], 1);
    const branch_pool = this.branch_pool.forward(F.avg_pool2d(x, { kernel_size: 3, stride: 1, padding: 1 }));
    return [branch1x1, branch3x3, branch3x3dbl, branch_pool];
  }

  override forward(x: Tensor): Tensor {
    return cat(this._forward(x), 1);
  }
}

/** The auxiliary classifier on Mixed_6e (training only; needs a 17x17 grid, i.e. a 299x299 input). */
export class InceptionAux extends nn.Module {
  conv0: nn.Module;
  conv1: nn.Module & WithStddev;
  fc: nn.Linear & WithStddev;

  constructor(in_channels: number, num_classes: number, conv_block: LayerFactory | null = null) {
    super();
    const block = conv_block ?? BasicConv2d;
    this.conv0 = makeLayer(block, in_channels, 128, { kernel_size: 1 });
    this.conv1 = makeLayer(block, 128, 768, { kernel_size: 5 });
    this.conv1.stddev = 0.01;
    this.fc = new nn.Linear(768, num_classes);
    this.fc.stddev = 0.001;
  }

  override forward(x: Tensor): Tensor {
    x = F.avg_pool2d(x, { kernel_size: 5, stride: 3 }); // [N, 768, 17, 17] -> [N, 768, 5, 5]
    x = this.conv0.forward(x); // [N, 128, 5, 5]
    x = this.conv1.forward(x); // [N, 768, 1, 1]
    x = F.adaptive_avg_pool2d(x, [1, 1]);
    x = flatten(x, 1); // [N, 768]
    return this.fc.forward(x); // [N, num_classes]
  }
}

/** torchvision's InceptionOutputs namedtuple, returned by a training-mode forward with aux_logits. */
export interface InceptionOutputs {
  logits: Tensor;
  aux_logits: Tensor | null;
}

export interface Inception3Options {
  num_classes: number;
  aux_logits: boolean;
  transform_input: boolean;
  /** [conv_block, InceptionA, B, C, D, E, InceptionAux] replacements; null: the classes of this file. */
  inception_blocks: LayerFactory[] | null;
  /** null: true (torchvision warns that this default will change). */
  init_weights: boolean | null;
  dropout: number;
}

const INCEPTION3_DEFAULTS: Inception3Options = {
  num_classes: 1000, aux_logits: true, transform_input: false, inception_blocks: null, init_weights: null, dropout: 0.5,
};

/**
 * torchvision.models.Inception3(num_classes=1000, aux_logits=True, transform_input=False,
 * inception_blocks=None, init_weights=None, dropout=0.5): [N, 3, H, W] -> [N, num_classes] in eval
 * mode (H, W >= 75); in training mode with aux_logits, an InceptionOutputs object.
 */
export class Inception3 extends nn.Module {
  aux_logits: boolean;
  transform_input: boolean;
  Conv2d_1a_3x3: nn.Module;
  Conv2d_2a_3x3: nn.Module;
  Conv2d_2b_3x3: nn.Module;
  maxpool1: nn.MaxPool2d;
  Conv2d_3b_1x1: nn.Module;
  Conv2d_4a_3x3: nn.Module;
  maxpool2: nn.MaxPool2d;
  Mixed_5b: nn.Module;
  Mixed_5c: nn.Module;
  Mixed_5d: nn.Module;
  Mixed_6a: nn.Module;
  Mixed_6b: nn.Module;
  Mixed_6c: nn.Module;
  Mixed_6d: nn.Module;
  Mixed_6e: nn.Module;
  AuxLogits: nn.Module | null;
  Mixed_7a: nn.Module;
  Mixed_7b: nn.Module;
  Mixed_7c: nn.Module;
  avgpool: nn.AdaptiveAvgPool2d;
  dropout: nn.Dropout;
  fc: nn.Linear;

  constructor(options: Partial<Inception3Options> = {}) {
    super();
    const o = builderOptions("Inception3", options, INCEPTION3_DEFAULTS);
    const inception_blocks = o.inception_blocks ?? [BasicConv2d, InceptionA, InceptionB, InceptionC, InceptionD, InceptionE, InceptionAux];
    // (torchvision warns here that the default init will change; the default stays true)
    const init_weights = o.init_weights ?? true;
    if (inception_blocks.length !== 7) throw new RangeError(`lenght of inception_blocks should be 7 instead of ${inception_blocks.length}`);
    const [conv_block, inception_a, inception_b, inception_c, inception_d, inception_e, inception_aux] = inception_blocks;
    const conv = (cin: number, cout: number, kwargs: ConvOptions) => makeLayer(conv_block, cin, cout, kwargs);

    this.aux_logits = o.aux_logits;
    this.transform_input = o.transform_input;
    this.Conv2d_1a_3x3 = conv(3, 32, { kernel_size: 3, stride: 2 });
    this.Conv2d_2a_3x3 = conv(32, 32, { kernel_size: 3 });
    this.Conv2d_2b_3x3 = conv(32, 64, { kernel_size: 3, padding: 1 });
    this.maxpool1 = new nn.MaxPool2d(3, 2);
    this.Conv2d_3b_1x1 = conv(64, 80, { kernel_size: 1 });
    this.Conv2d_4a_3x3 = conv(80, 192, { kernel_size: 3 });
    this.maxpool2 = new nn.MaxPool2d(3, 2);
    this.Mixed_5b = makeLayer(inception_a, 192, 32); // pool_features
    this.Mixed_5c = makeLayer(inception_a, 256, 64);
    this.Mixed_5d = makeLayer(inception_a, 288, 64);
    this.Mixed_6a = makeLayer(inception_b, 288);
    this.Mixed_6b = makeLayer(inception_c, 768, 128); // channels_7x7
    this.Mixed_6c = makeLayer(inception_c, 768, 160);
    this.Mixed_6d = makeLayer(inception_c, 768, 160);
    this.Mixed_6e = makeLayer(inception_c, 768, 192);
    this.AuxLogits = o.aux_logits ? makeLayer(inception_aux, 768, o.num_classes) : null;
    this.Mixed_7a = makeLayer(inception_d, 768);
    this.Mixed_7b = makeLayer(inception_e, 1280);
    this.Mixed_7c = makeLayer(inception_e, 2048);
    this.avgpool = new nn.AdaptiveAvgPool2d([1, 1]);
    this.dropout = new nn.Dropout({ p: o.dropout });
    this.fc = new nn.Linear(2048, o.num_classes);

    if (init_weights) {
      for (const m of this.modules()) {
        if (m instanceof nn.Conv2d || m instanceof nn.Linear) {
          // (as torchvision: only AuxLogits.fc has a stddev of its own; the 0.01 set on AuxLogits.conv1
          // sits on the BasicConv2d, not on its Conv2d, so that conv gets 0.1 like the others)
          const stddev = (m as WithStddev).stddev ?? 0.1;
          nn.init.trunc_normal_(m.weight, 0.0, stddev, -2, 2);
        } else if (m instanceof nn.BatchNorm2d && m.weight && m.bias) {
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

  /** [logits, aux] (aux only in training mode with aux_logits, else null). Shapes for a 299x299 input. */
  _forward(x: Tensor): [Tensor, Tensor | null] {
    x = this.Conv2d_1a_3x3.forward(x); // [N, 32, 149, 149]
    x = this.Conv2d_2a_3x3.forward(x); // [N, 32, 147, 147]
    x = this.Conv2d_2b_3x3.forward(x); // [N, 64, 147, 147]
    x = this.maxpool1.forward(x); // [N, 64, 73, 73]
    x = this.Conv2d_3b_1x1.forward(x); // [N, 80, 73, 73]
    x = this.Conv2d_4a_3x3.forward(x); // [N, 192, 71, 71]
    x = this.maxpool2.forward(x); // [N, 192, 35, 35]
    x = this.Mixed_5b.forward(x); // [N, 256, 35, 35]
    x = this.Mixed_5c.forward(x); // [N, 288, 35, 35]
    x = this.Mixed_5d.forward(x); // [N, 288, 35, 35]
    x = this.Mixed_6a.forward(x); // [N, 768, 17, 17]
    x = this.Mixed_6b.forward(x);
    x = this.Mixed_6c.forward(x);
    x = this.Mixed_6d.forward(x);
    x = this.Mixed_6e.forward(x); // [N, 768, 17, 17]
    const aux = this.AuxLogits !== null && this.training ? this.AuxLogits.forward(x) as Tensor : null;
    x = this.Mixed_7a.forward(x); // [N, 1280, 8, 8]
    x = this.Mixed_7b.forward(x); // [N, 2048, 8, 8]
    x = this.Mixed_7c.forward(x); // [N, 2048, 8, 8]
    x = this.avgpool.forward(x); // [N, 2048, 1, 1]
    x = this.dropout.forward(x);
    x = flatten(x, 1); // [N, 2048]
    x = this.fc.forward(x); // [N, num_classes]
    return [x, aux];
  }

  eager_outputs(x: Tensor, aux: Tensor | null): InceptionOutputs | Tensor {
    if (this.training && this.aux_logits) return { logits: x, aux_logits: aux };
    return x;
  }

  override forward(x: Tensor): InceptionOutputs | Tensor {
    x = this._transform_input(x);
    const [logits, aux] = this._forward(x);
    return this.eager_outputs(logits, aux);
  }
}

/**
 * Inception v3 (https://arxiv.org/abs/1512.00567). Options as torchvision's builder with
 * weights=None: num_classes=1000, aux_logits=True, transform_input=False, inception_blocks=None,
 * init_weights=None (= true), dropout=0.5. Expects 299x299 inputs (at least 75x75 in eval mode).
 */
export const inception_v3 = (options?: Partial<Inception3Options>) => new Inception3(builderOptions("inception_v3", options, INCEPTION3_DEFAULTS));
