// torchvision.models.densenet (v0.14): DenseNet-BC (https://arxiv.org/abs/1608.06993) 121/161/169/201,
// with torchvision's classes and names so its state_dict keys load unchanged:
// `features.denseblock1.denselayer1.norm1.weight`, `features.transition1.conv.weight`, `features.norm5.bias`, ...
// (torchvision's own checkpoints predate the `norm1` spelling: its _load_state_dict renames their
// `norm.1` keys; the state_dict that torchvision's models give today loads as is.)
//
//   const model = models.densenet121().eval();
//   const logits = model.forward(image);              // [N, 3, H, W] -> [N, num_classes]
import { nn, F, cat, flatten, type Tensor } from "../../core.js";
import { builderOptions } from "./_utils.js";

/** BN-ReLU-Conv1x1 (to bn_size * growth_rate) then BN-ReLU-Conv3x3 (to growth_rate) over the concatenated inputs. */
export class _DenseLayer extends nn.Module {
  norm1: nn.BatchNorm2d;
  relu1: nn.ReLU;
  conv1: nn.Conv2d;
  norm2: nn.BatchNorm2d;
  relu2: nn.ReLU;
  conv2: nn.Conv2d;
  readonly drop_rate: number;
  readonly memory_efficient: boolean;

  constructor(num_input_features: number, growth_rate: number, bn_size: number, drop_rate: number, memory_efficient = false) {
    super();
    this.norm1 = new nn.BatchNorm2d(num_input_features);
    this.relu1 = new nn.ReLU(true);
    this.conv1 = new nn.Conv2d(num_input_features, bn_size * growth_rate, 1, { stride: 1, bias: false });
    this.norm2 = new nn.BatchNorm2d(bn_size * growth_rate);
    this.relu2 = new nn.ReLU(true);
    this.conv2 = new nn.Conv2d(bn_size * growth_rate, growth_rate, 3, { stride: 1, padding: 1, bias: false });
    this.drop_rate = drop_rate;
    // checkpointing trades compute for memory in backward passes; wasmnn has none, so it changes nothing
    this.memory_efficient = memory_efficient;
  }

  bn_function(inputs: Tensor[]): Tensor {
    const concated_features = cat(inputs, 1); // [N, sum(C_i), H, W]
    return this.conv1.forward(this.relu1.forward(this.norm1.forward(concated_features)));
  }

  /** Takes the block's features so far (a list, or one tensor) and returns growth_rate new channels. */
  override forward(input: Tensor | Tensor[]): Tensor {
    const prev_features = Array.isArray(input) ? input : [input];
    const bottleneck_output = this.bn_function(prev_features);
    let new_features = this.conv2.forward(this.relu2.forward(this.norm2.forward(bottleneck_output)));
    if (this.drop_rate > 0) new_features = F.dropout(new_features, { p: this.drop_rate, training: this.training });
    return new_features;
  }
}

/** num_layers dense layers (`denselayer1`, ...), each fed the concatenation of the block's input and all earlier outputs. */
export class _DenseBlock extends nn.ModuleDict<_DenseLayer> {
  constructor(num_layers: number, num_input_features: number, bn_size: number, growth_rate: number, drop_rate: number, memory_efficient = false) {
    super();
    for (let i = 0; i < num_layers; i++) {
      const layer = new _DenseLayer(num_input_features + i * growth_rate, growth_rate, bn_size, drop_rate, memory_efficient);
      this.update({ [`denselayer${i + 1}`]: layer });
    }
  }

  override forward(init_features: Tensor): Tensor {
    const features = [init_features];
    for (const [, layer] of this.items()) features.push(layer.forward(features));
    return cat(features, 1); // [N, C + num_layers * growth_rate, H, W]
  }
}

/** BN-ReLU-Conv1x1-AvgPool2x2 between dense blocks: halves the channels (in DenseNet-BC) and the resolution. */
export class _Transition extends nn.Sequential {
  norm: nn.BatchNorm2d;
  relu: nn.ReLU;
  conv: nn.Conv2d;
  pool: nn.AvgPool2d;

  constructor(num_input_features: number, num_output_features: number) {
    super();
    this.norm = new nn.BatchNorm2d(num_input_features);
    this.relu = new nn.ReLU(true);
    this.conv = new nn.Conv2d(num_input_features, num_output_features, 1, { stride: 1, bias: false });
    this.pool = new nn.AvgPool2d(2, 2);
  }
}

export interface DenseNetOptions {
  growth_rate: number;
  block_config: [number, number, number, number];
  num_init_features: number;
  bn_size: number;
  drop_rate: number;
  num_classes: number;
  memory_efficient: boolean;
}

const DENSENET_DEFAULTS: DenseNetOptions = {
  growth_rate: 32, block_config: [6, 12, 24, 16], num_init_features: 64, bn_size: 4, drop_rate: 0, num_classes: 1000, memory_efficient: false,
};

/**
 * torchvision.models.DenseNet(growth_rate=32, block_config=(6, 12, 24, 16), num_init_features=64,
 * bn_size=4, drop_rate=0, num_classes=1000, memory_efficient=False): [N, 3, H, W] -> [N, num_classes].
 */
export class DenseNet extends nn.Module {
  features: nn.Sequential;
  classifier: nn.Linear;

  constructor(options: Partial<DenseNetOptions> = {}) {
    super();
    const o = builderOptions("DenseNet", options, DENSENET_DEFAULTS);
    this.features = new nn.Sequential({
      conv0: new nn.Conv2d(3, o.num_init_features, 7, { stride: 2, padding: 3, bias: false }),
      norm0: new nn.BatchNorm2d(o.num_init_features),
      relu0: new nn.ReLU(true),
      pool0: new nn.MaxPool2d(3, 2, 1),
    });
    // each dense block adds num_layers * growth_rate channels; each transition halves them
    let num_features = o.num_init_features;
    o.block_config.forEach((num_layers, i) => {
      const block = new _DenseBlock(num_layers, num_features, o.bn_size, o.growth_rate, o.drop_rate, o.memory_efficient);
      this.features[`denseblock${i + 1}`] = block;
      num_features = num_features + num_layers * o.growth_rate;
      if (i !== o.block_config.length - 1) {
        this.features[`transition${i + 1}`] = new _Transition(num_features, Math.floor(num_features / 2));
        num_features = Math.floor(num_features / 2);
      }
    });
    this.features.norm5 = new nn.BatchNorm2d(num_features);
    this.classifier = new nn.Linear(num_features, o.num_classes);

    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d) nn.init.kaiming_normal_(m.weight);
      else if (m instanceof nn.BatchNorm2d && m.weight && m.bias) {
        nn.init.constant_(m.weight, 1);
        nn.init.constant_(m.bias, 0);
      } else if (m instanceof nn.Linear && m.bias !== null) nn.init.constant_(m.bias, 0);
    }
  }

  override forward(x: Tensor): Tensor {
    const features = this.features.forward(x);
    let out = F.relu(features, { inplace: true });
    out = F.adaptive_avg_pool2d(out, [1, 1]);
    out = flatten(out, 1);
    return this.classifier.forward(out);
  }
}

type DenseNetBuilderOptions = Omit<DenseNetOptions, "growth_rate" | "block_config" | "num_init_features">;

function _densenet(name: string, growth_rate: number, block_config: [number, number, number, number], num_init_features: number,
  options: Partial<DenseNetBuilderOptions> | undefined): DenseNet {
  const { growth_rate: _g, block_config: _b, num_init_features: _n, ...defaults } = DENSENET_DEFAULTS;
  return new DenseNet({ growth_rate, block_config, num_init_features, ...builderOptions<DenseNetBuilderOptions>(name, options, defaults) });
}

/** DenseNet-121 (https://arxiv.org/abs/1608.06993). Options: bn_size=4, drop_rate=0, num_classes=1000, memory_efficient=False. */
export const densenet121 = (options?: Partial<DenseNetBuilderOptions>) => _densenet("densenet121", 32, [6, 12, 24, 16], 64, options);
/** DenseNet-161: growth rate 48, 96 initial features. */
export const densenet161 = (options?: Partial<DenseNetBuilderOptions>) => _densenet("densenet161", 48, [6, 12, 36, 24], 96, options);
/** DenseNet-169. */
export const densenet169 = (options?: Partial<DenseNetBuilderOptions>) => _densenet("densenet169", 32, [6, 12, 32, 32], 64, options);
/** DenseNet-201. */
export const densenet201 = (options?: Partial<DenseNetBuilderOptions>) => _densenet("densenet201", 32, [6, 12, 48, 32], 64, options);
