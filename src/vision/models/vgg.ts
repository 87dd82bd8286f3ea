// torchvision.models.vgg (v0.14): VGG 11/13/16/19, with and without BatchNorm, built from
// torchvision's cfgs by make_layers, so its state_dict keys load unchanged: `features.0.weight`,
// `classifier.6.bias`, ...
//
//   const model = models.vgg16_bn().eval();
//   const logits = model.forward(image);              // [N, 3, H, W] -> [N, num_classes]
import { nn, flatten, type Tensor } from "../../core.js";
import { builderOptions } from "./_utils.js";

export interface VGGOptions {
  num_classes: number;
  init_weights: boolean;
  dropout: number;
}

const VGG_DEFAULTS: VGGOptions = { num_classes: 1000, init_weights: true, dropout: 0.5 };

/** torchvision.models.VGG(features, num_classes=1000, init_weights=True, dropout=0.5): [N, 3, H, W] -> [N, num_classes]. */
export class VGG extends nn.Module {
  features: nn.Module;
  avgpool = new nn.AdaptiveAvgPool2d([7, 7]);
  classifier: nn.Sequential;

  constructor(features: nn.Module, options: Partial<VGGOptions> = {}) {
    super();
    const { num_classes, init_weights, dropout } = builderOptions("VGG", options, VGG_DEFAULTS);
    this.features = features;
    this.classifier = new nn.Sequential(
      new nn.Linear(512 * 7 * 7, 4096),
      new nn.ReLU(true),
      new nn.Dropout({ p: dropout }),
      new nn.Linear(4096, 4096),
      new nn.ReLU(true),
      new nn.Dropout({ p: dropout }),
      new nn.Linear(4096, num_classes),
    );
    if (init_weights) {
      for (const m of this.modules()) {
        if (m instanceof nn.Conv2d) {
          nn.init.kaiming_normal_(m.weight, { mode: "fan_out", nonlinearity: "relu" });
          if (m.bias !== null) nn.init.constant_(m.bias, 0);
        } else if (m instanceof nn.BatchNorm2d && m.weight && m.bias) {
          nn.init.constant_(m.weight, 1);
          nn.init.constant_(m.bias, 0);
        } else if (m instanceof nn.Linear) {
          nn.init.normal_(m.weight, 0, 0.01);
          if (m.bias !== null) nn.init.constant_(m.bias, 0);
        }
      }
    }
  }

  override forward(x: Tensor): Tensor {
    x = this.features.forward(x);
    x = this.avgpool.forward(x);
    x = flatten(x, 1);
    return this.classifier.forward(x);
  }
}

/** A VGG configuration: output channels of each 3x3 convolution, "M" for a 2x2 max pool. */
export type VGGConfig = (number | "M")[];

/** torchvision's make_layers(cfg, batch_norm=False): the `features` Sequential of a configuration. */
export function make_layers(cfg: VGGConfig, batch_norm = false): nn.Sequential {
  const layers: nn.Module[] = [];
  let in_channels = 3;
  for (const v of cfg) {
    if (v === "M") {
      layers.push(new nn.MaxPool2d(2, 2));
    } else {
      const conv2d = new nn.Conv2d(in_channels, v, 3, { padding: 1 });
      if (batch_norm) layers.push(conv2d, new nn.BatchNorm2d(v), new nn.ReLU(true));
      else layers.push(conv2d, new nn.ReLU(true));
      in_channels = v;
    }
  }
  return new nn.Sequential(...layers);
}

/** torchvision's cfgs: A = VGG-11, B = VGG-13, D = VGG-16, E = VGG-19. */
export const cfgs: Record<"A" | "B" | "D" | "E", VGGConfig> = {
  A: [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
  B: [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
  D: [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
  E: [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
};

function _vgg(name: string, cfg: keyof typeof cfgs, batch_norm: boolean, options: Partial<VGGOptions> | undefined): VGG {
  const o = builderOptions(name, options, VGG_DEFAULTS); // (checked before any weights are allocated)
  return new VGG(make_layers(cfgs[cfg], batch_norm), o);
}

/** VGG-11 (https://arxiv.org/abs/1409.1556). Options: num_classes=1000, init_weights=True, dropout=0.5. */
export const vgg11 = (options?: Partial<VGGOptions>) => _vgg("vgg11", "A", false, options);
/** VGG-11 with BatchNorm after each convolution. */
export const vgg11_bn = (options?: Partial<VGGOptions>) => _vgg("vgg11_bn", "A", true, options);
/** VGG-13. */
export const vgg13 = (options?: Partial<VGGOptions>) => _vgg("vgg13", "B", false, options);
/** VGG-13 with BatchNorm. */
export const vgg13_bn = (options?: Partial<VGGOptions>) => _vgg("vgg13_bn", "B", true, options);
/** VGG-16. */
export const vgg16 = (options?: Partial<VGGOptions>) => _vgg("vgg16", "D", false, options);
/** VGG-16 with BatchNorm. */
export const vgg16_bn = (options?: Partial<VGGOptions>) => _vgg("vgg16_bn", "D", true, options);
/** VGG-19. */
export const vgg19 = (options?: Partial<VGGOptions>) => _vgg("vgg19", "E", false, options);
/** VGG-19 with BatchNorm. */
export const vgg19_bn = (options?: Partial<VGGOptions>) => _vgg("vgg19_bn", "E", true, options);
