// torchvision.models.segmentation.lraspp (v0.14): Lite R-ASPP ("Searching for MobileNetV3",
// https://arxiv.org/abs/1905.02244) on a dilated MobileNetV3-Large, with torchvision's state_dict
// keys (`backbone.16.0.weight`, `classifier.cbr.0.weight`, `classifier.high_classifier.bias`, ...).
//
//   const model = models.segmentation.lraspp_mobilenet_v3_large().eval();
//   const { out } = model.forward(image);            // [N, 3, H, W] -> { out: [N, 21, H, W] }
import { nn, F, type Tensor } from "../../../core.js";
import { builderOptions } from "../_utils.js";
import { mobilenet_v3_large, type MobileNetV3 } from "../mobilenetv3.js";
import { IntermediateLayerGetter, _disposeUnused } from "./_utils.js";
import { _stage_indices } from "./deeplabv3.js";

/**
 * torchvision.models.segmentation.LRASPP(backbone, low_channels, high_channels, num_classes,
 * inter_channels=128): the backbone returns { low, high } features; the head's output is resized to
 * the input (bilinear, align_corners=False). [N, 3, H, W] -> { out: [N, num_classes, H, W] }.
 */
export class LRASPP extends nn.Module {
  backbone: nn.Module;
  classifier: LRASPPHead;

  constructor(backbone: nn.Module, low_channels: number, high_channels: number, num_classes: number, inter_channels = 128) {
    super();
    this.backbone = backbone;
    this.classifier = new LRASPPHead(low_channels, high_channels, num_classes, inter_channels);
  }

  override forward(input: Tensor): Record<string, Tensor> {
    const features = this.backbone.forward(input) as Record<string, Tensor>;
    let out = this.classifier.forward(features);
    // the features are not needed any more: freed before the full-size output is made (which then
    // finds their space: LR-ASPP's peak memory, bench/memory-vision.ts)
    for (const t of Object.values(features)) t.dispose();
    out = F.interpolate(out, { size: input.shape.slice(-2), mode: "bilinear", align_corners: false });
    return { out };
  }
}

/** LR-ASPP's head: the high features gated by their global context (cbr * scale), upsampled to the low features' size; both classified and summed. */
export class LRASPPHead extends nn.Module {
  cbr: nn.Sequential;
  scale: nn.Sequential;
  low_classifier: nn.Conv2d;
  high_classifier: nn.Conv2d;

  constructor(low_channels: number, high_channels: number, num_classes: number, inter_channels: number) {
    super();
    this.cbr = new nn.Sequential(
      new nn.Conv2d(high_channels, inter_channels, 1, { bias: false }),
      new nn.BatchNorm2d(inter_channels),
      new nn.ReLU(true),
    );
    this.scale = new nn.Sequential(
      new nn.AdaptiveAvgPool2d(1),
      new nn.Conv2d(high_channels, inter_channels, 1, { bias: false }),
      new nn.Sigmoid(),
    );
    this.low_classifier = new nn.Conv2d(low_channels, num_classes, 1);
    this.high_classifier = new nn.Conv2d(inter_channels, num_classes, 1);
  }

  override forward(input: Record<string, Tensor>): Tensor {
    const low = input.low;
    const high = input.high;
    let x = this.cbr.forward(high);
    const s = this.scale.forward(high);
    x = x.mul(s);
    x = F.interpolate(x, { size: low.shape.slice(-2), mode: "bilinear", align_corners: false });
    return this.low_classifier.forward(low).add_(this.high_classifier.forward(x));
  }
}

/** MobileNetV3's C2 (output stride 8) as "low" and C5 (stride 16, dilated) as "high"; its classifier is freed. */
export function _lraspp_mobilenetv3(mobilenet: MobileNetV3, num_classes: number): LRASPP {
  const backbone = mobilenet.features;
  const stage_indices = _stage_indices(backbone);
  const low_pos = stage_indices[stage_indices.length - 4]; // use C2 here which has output_stride = 8
  const high_pos = stage_indices[stage_indices.length - 1]; // use C5 which has output_stride = 16
  const low_channels = (backbone.at(low_pos) as unknown as { out_channels: number }).out_channels;
  const high_channels = (backbone.at(high_pos) as unknown as { out_channels: number }).out_channels;
  const body = new IntermediateLayerGetter(backbone, { [String(low_pos)]: "low", [String(high_pos)]: "high" });
  _disposeUnused(backbone, body.values());
  _disposeUnused(mobilenet, [backbone]);
  return new LRASPP(body, low_channels, high_channels, num_classes);
}

export interface LRASPPOptions {
  num_classes: number | null;
  aux_loss: boolean | null;
}

/** Lite R-ASPP with a dilated MobileNetV3-Large backbone. Options: num_classes (21); aux_loss=true throws (the model has none). */
export function lraspp_mobilenet_v3_large(options?: Partial<LRASPPOptions>): LRASPP {
  const o = builderOptions("lraspp_mobilenet_v3_large", options, { num_classes: null, aux_loss: null });
  if (o.aux_loss) throw new Error("This model does not use auxiliary loss");
  const backbone = mobilenet_v3_large({ dilated: true });
  return _lraspp_mobilenetv3(backbone, o.num_classes ?? 21);
}
