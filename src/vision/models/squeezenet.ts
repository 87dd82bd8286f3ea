// torchvision.models.squeezenet (v0.14): SqueezeNet 1.0 and 1.1 (https://arxiv.org/abs/1602.07360),
// with torchvision's attribute names so its state_dict keys load unchanged:
// `features.3.squeeze.weight`, `classifier.1.bias`, ...
//
//   const model = models.squeezenet1_1().eval();
//   const logits = model.forward(image);              // [N, 3, H, W] -> [N, num_classes]
import { nn, cat, flatten, type Tensor } from "../../core.js";
import { builderOptions } from "./_utils.js";

/** A Fire module: a 1x1 squeeze, then 1x1 and 3x3 expands concatenated along channels. */
export class Fire extends nn.Module {
  readonly inplanes: number;
  squeeze: nn.Conv2d;
  squeeze_activation = new nn.ReLU(true);
  expand1x1: nn.Conv2d;
  expand1x1_activation = new nn.ReLU(true);
  expand3x3: nn.Conv2d;
  expand3x3_activation = new nn.ReLU(true);

  constructor(inplanes: number, squeeze_planes: number, expand1x1_planes: number, expand3x3_planes: number) {
    super();
    this.inplanes = inplanes;
    this.squeeze = new nn.Conv2d(inplanes, squeeze_planes, 1);
    this.expand1x1 = new nn.Conv2d(squeeze_planes, expand1x1_planes, 1);
    this.expand3x3 = new nn.Conv2d(squeeze_planes, expand3x3_planes, 3, { padding: 1 });
  }

  override forward(x: Tensor): Tensor {
    x = this.squeeze_activation.forward(this.squeeze.forward(x));
    // [N, e1, H, W] ++ [N, e3, H, W] -> [N, e1 + e3, H, W]
    return cat([
      this.expand1x1_activation.forward(this.expand1x1.forward(x)),
      this.expand3x3_activation.forward(this.expand3x3.forward(x)),
    ], 1);
  }
}

export interface SqueezeNetOptions {
  num_classes: number;
  dropout: number;
}

const SQUEEZENET_DEFAULTS: SqueezeNetOptions = { num_classes: 1000, dropout: 0.5 };

/** torchvision.models.SqueezeNet(version="1_0", num_classes=1000, dropout=0.5): [N, 3, H, W] -> [N, num_classes]. */
export class SqueezeNet extends nn.Module {
  readonly num_classes: number;
  features: nn.Sequential;
  classifier: nn.Sequential;

  constructor(version: "1_0" | "1_1" = "1_0", options: Partial<SqueezeNetOptions> = {}) {
    super();
    const { num_classes, dropout } = builderOptions("SqueezeNet", options, SQUEEZENET_DEFAULTS);
    this.num_classes = num_classes;
    if (version === "1_0") {
      this.features = new nn.Sequential(
        new nn.Conv2d(3, 96, 7, { stride: 2 }),
        new nn.ReLU(true),
        new nn.MaxPool2d(3, 2, { ceil_mode: true }),
        new Fire(96, 16, 64, 64),
        new Fire(128, 16, 64, 64),
        new Fire(128, 32, 128, 128),
        new nn.MaxPool2d(3, 2, { ceil_mode: true }),
        new Fire(256, 32, 128, 128),
        new Fire(256, 48, 192, 192),
        new Fire(384, 48, 192, 192),
        new Fire(384, 64, 256, 256),
        new nn.MaxPool2d(3, 2, { ceil_mode: true }),
        new Fire(512, 64, 256, 256),
      );
    } else if (version === "1_1") {
      this.features = new nn.Sequential(
        new nn.Conv2d(3, 64, 3, { stride: 2 }),
        new nn.ReLU(true),
        new nn.MaxPool2d(3, 2, { ceil_mode: true }),
        new Fire(64, 16, 64, 64),
        new Fire(128, 16, 64, 64),
        new nn.MaxPool2d(3, 2, { ceil_mode: true }),
        new Fire(128, 32, 128, 128),
        new Fire(256, 32, 128, 128),
        new nn.MaxPool2d(3, 2, { ceil_mode: true }),
        new Fire(256, 48, 192, 192),
        new Fire(384, 48, 192, 192),
        new Fire(384, 64, 256, 256),
        new Fire(512, 64, 256, 256),
      );
    } else {
      throw new RangeError(`Unsupported SqueezeNet version ${version}: 1_0 or 1_1 expected`);
    }
    // the final convolution is initialised differently from the rest
    const final_conv = new nn.Conv2d(512, this.num_classes, 1);
    this.classifier = new nn.Sequential(new nn.Dropout({ p: dropout }), final_conv, new nn.ReLU(true), new nn.AdaptiveAvgPool2d([1, 1]));

    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d) {
        if (m === final_conv) nn.init.normal_(m.weight, 0.0, 0.01);
        else nn.init.kaiming_uniform_(m.weight);
        if (m.bias !== null) nn.init.constant_(m.bias, 0);
      }
    }
  }

  override forward(x: Tensor): Tensor {
    x = this.features.forward(x);
    x = this.classifier.forward(x);
    return flatten(x, 1);
  }
}

function _squeezenet(name: string, version: "1_0" | "1_1", options: Partial<SqueezeNetOptions> | undefined): SqueezeNet {
  return new SqueezeNet(version, builderOptions(name, options, SQUEEZENET_DEFAULTS));
}

/** SqueezeNet 1.0 (https://arxiv.org/abs/1602.07360). Options: num_classes=1000, dropout=0.5. */
export const squeezenet1_0 = (options?: Partial<SqueezeNetOptions>) => _squeezenet("squeezenet1_0", "1_0", options);
/** SqueezeNet 1.1: 2.4x less computation than 1.0, as accurate (https://github.com/forresti/SqueezeNet/tree/master/SqueezeNet_v1.1). */
export const squeezenet1_1 = (options?: Partial<SqueezeNetOptions>) => _squeezenet("squeezenet1_1", "1_1", options);
