// torchvision.models.shufflenetv2 (v0.14): ShuffleNet V2 (https://arxiv.org/abs/1807.11164), in the
// shape of torchvision's Python, so its state_dict keys load unchanged: `stage2.0.branch1.0.weight`,
// `conv5.1.running_var`, `fc.weight`, ...
//
//   const model = models.shufflenet_v2_x1_0().eval();
//   model.load_state_dict(safetensors.load(bytes));
//   const logits = model.forward(image);              // [N, 3, H, W] -> [N, num_classes]
import { nn, stack, channel_shuffle as torch_channel_shuffle, type Tensor } from "../../core.js";
import { builderOptions } from "./_utils.js";

/**
 * torchvision's channel_shuffle(x, groups): [N, C, H, W] viewed as [N, groups, C / groups, H, W],
 * the two group axes swapped, flattened back. torch.channel_shuffle computes exactly this (one
 * strided copy instead of view -> transpose -> contiguous -> view).
 */
export function channel_shuffle(x: Tensor, groups: number): Tensor {
  return torch_channel_shuffle(x, groups);
}

/**
 * ShuffleNetV2's unit. With stride 1 the input's channels are split in two, one half passes
 * through and the other through branch2 (1x1, depthwise 3x3, 1x1); with stride > 1 both branches
 * see the whole input and downsample. The halves are concatenated and their channels shuffled.
 * [N, inp, H, W] -> [N, oup, H / stride, W / stride].
 *
 * Exported from `models` as `ShuffleNetInvertedResidual` (MobileNetV2 has an InvertedResidual too);
 * the class keeps torchvision's name, so the repr reads `InvertedResidual(...)`.
 */
class InvertedResidual extends nn.Module {
  readonly stride: number;
  branch1: nn.Sequential;
  branch2: nn.Sequential;

  constructor(inp: number, oup: number, stride: number) {
    super();
    if (!(stride >= 1 && stride <= 3)) throw new RangeError("illegal stride value");
    this.stride = stride;
    const branch_features = Math.floor(oup / 2);
    if (this.stride === 1 && inp !== branch_features << 1) {
      throw new RangeError(
        `Invalid combination of stride ${stride}, inp ${inp} and oup ${oup} values. If stride == 1 then inp should be equal to oup // 2 << 1.`,
      );
    }
    if (this.stride > 1) {
      this.branch1 = new nn.Sequential(
        InvertedResidual.depthwise_conv(inp, inp, 3, this.stride, 1),
        new nn.BatchNorm2d(inp),
        new nn.Conv2d(inp, branch_features, 1, { stride: 1, padding: 0, bias: false }),
        new nn.BatchNorm2d(branch_features),
        new nn.ReLU(true),
      );
    } else {
      this.branch1 = new nn.Sequential();
    }
    this.branch2 = new nn.Sequential(
      new nn.Conv2d(this.stride > 1 ? inp : branch_features, branch_features, 1, { stride: 1, padding: 0, bias: false }),
      new nn.BatchNorm2d(branch_features),
      new nn.ReLU(true),
      InvertedResidual.depthwise_conv(branch_features, branch_features, 3, this.stride, 1),
      new nn.BatchNorm2d(branch_features),
      new nn.Conv2d(branch_features, branch_features, 1, { stride: 1, padding: 0, bias: false }),
      new nn.BatchNorm2d(branch_features),
      new nn.ReLU(true),
    );
  }

  static depthwise_conv(i: number, o: number, kernel_size: number, stride = 1, padding = 0, bias = false): nn.Conv2d {
    return new nn.Conv2d(i, o, kernel_size, stride, padding, { bias, groups: i });
  }

  override forward(x: Tensor): Tensor {
    let a: Tensor;
    let b: Tensor;
    if (this.stride === 1) {
      const [x1, x2] = x.chunk(2, { dim: 1 });
      [a, b] = [x1, this.branch2.forward(x2)];
    } else {
      [a, b] = [this.branch1.forward(x), this.branch2.forward(x)];
    }
    // torchvision: channel_shuffle(torch.cat((a, b), dim=1), 2), whose channels are a0, b0, a1, b1, ...:
    // that is stack((a, b), dim=2) viewed as [N, 2C, H, W], one copy instead of two
    const [n, c, h, w] = a.shape;
    return stack([a, b], 2).view(n, 2 * c, h, w);
  }
}

export { InvertedResidual as ShuffleNetInvertedResidual };

/** A unit class as ShuffleNetV2 takes one: `new inverted_residual(inp, oup, stride)`. */
export type ShuffleNetV2Block = new (inp: number, oup: number, stride: number) => nn.Module;

export interface ShuffleNetV2Options {
  num_classes: number;
  inverted_residual: ShuffleNetV2Block;
}

const SHUFFLENET_V2_DEFAULTS: ShuffleNetV2Options = { num_classes: 1000, inverted_residual: InvertedResidual };

/**
 * torchvision.models.ShuffleNetV2(stages_repeats, stages_out_channels, num_classes=1000,
 * inverted_residual=InvertedResidual): [N, 3, H, W] -> [N, num_classes].
 */
export class ShuffleNetV2 extends nn.Module {
  readonly _stage_out_channels: number[];
  conv1: nn.Sequential;
  maxpool: nn.MaxPool2d;
  stage2!: nn.Sequential;
  stage3!: nn.Sequential;
  stage4!: nn.Sequential;
  conv5: nn.Sequential;
  fc: nn.Linear;

  constructor(stages_repeats: number[], stages_out_channels: number[], options: Partial<ShuffleNetV2Options> = {}) {
    super();
    const o = builderOptions("ShuffleNetV2", options, SHUFFLENET_V2_DEFAULTS);
    if (stages_repeats.length !== 3) throw new RangeError("expected stages_repeats as list of 3 positive ints");
    if (stages_out_channels.length !== 5) throw new RangeError("expected stages_out_channels as list of 5 positive ints");
    this._stage_out_channels = stages_out_channels;

    let input_channels = 3;
    let output_channels = this._stage_out_channels[0];
    this.conv1 = new nn.Sequential(
      new nn.Conv2d(input_channels, output_channels, 3, 2, 1, { bias: false }),
      new nn.BatchNorm2d(output_channels),
      new nn.ReLU(true),
    );
    input_channels = output_channels;
    this.maxpool = new nn.MaxPool2d(3, 2, 1);

    const stage_names = ["stage2", "stage3", "stage4"] as const;
    stage_names.forEach((name, index) => {
      output_channels = this._stage_out_channels[index + 1];
      const seq: nn.Module[] = [new o.inverted_residual(input_channels, output_channels, 2)];
      for (let i = 0; i < stages_repeats[index] - 1; i++) seq.push(new o.inverted_residual(output_channels, output_channels, 1));
      this[name] = new nn.Sequential(...seq);
      input_channels = output_channels;
    });

    output_channels = this._stage_out_channels[this._stage_out_channels.length - 1];
    this.conv5 = new nn.Sequential(
      new nn.Conv2d(input_channels, output_channels, 1, 1, 0, { bias: false }),
      new nn.BatchNorm2d(output_channels),
      new nn.ReLU(true),
    );
    this.fc = new nn.Linear(output_channels, o.num_classes);
  }

  _forward_impl(x: Tensor): Tensor {
    x = this.maxpool.forward(this.conv1.forward(x));
    x = this.stage4.forward(this.stage3.forward(this.stage2.forward(x)));
    x = this.conv5.forward(x);
    x = x.mean([2, 3]); // global pool
    return this.fc.forward(x);
  }

  override forward(x: Tensor): Tensor {
    return this._forward_impl(x);
  }
}

function _shufflenetv2(name: string, stages_repeats: number[], stages_out_channels: number[], options?: Partial<ShuffleNetV2Options>): ShuffleNetV2 {
  return new ShuffleNetV2(stages_repeats, stages_out_channels, builderOptions(name, options, SHUFFLENET_V2_DEFAULTS));
}

/** ShuffleNetV2 with 0.5x output channels (https://arxiv.org/abs/1807.11164). Options: num_classes=1000, inverted_residual. */
export const shufflenet_v2_x0_5 = (options?: Partial<ShuffleNetV2Options>) =>
  _shufflenetv2("shufflenet_v2_x0_5", [4, 8, 4], [24, 48, 96, 192, 1024], options);
/** ShuffleNetV2 with 1.0x output channels. */
export const shufflenet_v2_x1_0 = (options?: Partial<ShuffleNetV2Options>) =>
  _shufflenetv2("shufflenet_v2_x1_0", [4, 8, 4], [24, 116, 232, 464, 1024], options);
/** ShuffleNetV2 with 1.5x output channels. */
export const shufflenet_v2_x1_5 = (options?: Partial<ShuffleNetV2Options>) =>
  _shufflenetv2("shufflenet_v2_x1_5", [4, 8, 4], [24, 176, 352, 704, 1024], options);
/** ShuffleNetV2 with 2.0x output channels. */
export const shufflenet_v2_x2_0 = (options?: Partial<ShuffleNetV2Options>) =>
  _shufflenetv2("shufflenet_v2_x2_0", [4, 8, 4], [24, 244, 488, 976, 2048], options);
