// torchvision.models.alexnet (v0.14): AlexNet as torchvision builds it (the "one weird trick"
// variant, https://arxiv.org/abs/1404.5997), with torchvision's attribute names so its state_dict
// keys load unchanged: `features.0.weight`, `classifier.6.bias`, ...
//
//   const model = models.alexnet().eval();
//   const logits = model.forward(image);              // [N, 3, H, W] -> [N, num_classes]
import { nn, flatten, type Tensor } from "../../core.js";
import { builderOptions } from "./_utils.js";

export interface AlexNetOptions {
  num_classes: number;
  dropout: number;
}

const ALEXNET_DEFAULTS: AlexNetOptions = { num_classes: 1000, dropout: 0.5 };

/** torchvision.models.AlexNet(num_classes=1000, dropout=0.5): [N, 3, H, W] -> [N, num_classes]. */
export class AlexNet extends nn.Module {
  features: nn.Sequential;
  avgpool: nn.AdaptiveAvgPool2d;
  classifier: nn.Sequential;

  constructor(options: Partial<AlexNetOptions> = {}) {
    super();
    const { num_classes, dropout } = builderOptions("AlexNet", options, ALEXNET_DEFAULTS);
    this.features = new nn.Sequential(
      new nn.Conv2d(3, 64, 11, { stride: 4, padding: 2 }),
      new nn.ReLU(true),
      new nn.MaxPool2d(3, 2),
      new nn.Conv2d(64, 192, 5, { padding: 2 }),
      new nn.ReLU(true),
      new nn.MaxPool2d(3, 2),
      new nn.Conv2d(192, 384, 3, { padding: 1 }),
      new nn.ReLU(true),
      new nn.Conv2d(384, 256, 3, { padding: 1 }),
      new nn.ReLU(true),
      new nn.Conv2d(256, 256, 3, { padding: 1 }),
      new nn.ReLU(true),
      new nn.MaxPool2d(3, 2),
    );
    this.avgpool = new nn.AdaptiveAvgPool2d([6, 6]);
    this.classifier = new nn.Sequential(
      new nn.Dropout({ p: dropout }),
      new nn.Linear(256 * 6 * 6, 4096),
      new nn.ReLU(true),
      new nn.Dropout({ p: dropout }),
      new nn.Linear(4096, 4096),
      new nn.ReLU(true),
      new nn.Linear(4096, num_classes),
    );
  }

  override forward(x: Tensor): Tensor {
    x = this.features.forward(x);
    x = this.avgpool.forward(x);
    x = flatten(x, 1);
    return this.classifier.forward(x);
  }
}

/** AlexNet (https://arxiv.org/abs/1404.5997), torchvision's layout. Options: num_classes=1000, dropout=0.5. */
export const alexnet = (options?: Partial<AlexNetOptions>) => new AlexNet(builderOptions("alexnet", options, ALEXNET_DEFAULTS));
