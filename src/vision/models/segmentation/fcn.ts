// torchvision.models.segmentation.fcn (v0.14): FCN ("Fully Convolutional Networks for Semantic
// Segmentation", https://arxiv.org/abs/1411.4038) on a dilated ResNet, with torchvision's
// state_dict keys (`backbone.layer4.2.conv3.weight`, `classifier.4.bias`, `aux_classifier.0.weight`).
//
//   const model = models.segmentation.fcn_resnet50({ num_classes: 21 }).eval();
//   const { out } = model.forward(image);            // [N, 3, H, W] -> { out: [N, 21, H, W] }
import { nn } from "../../../core.js";
import { builderOptions } from "../_utils.js";
import { resnet50, resnet101, type ResNet } from "../resnet.js";
import { IntermediateLayerGetter, _SimpleSegmentationModel, _disposeUnused } from "./_utils.js";

/** torchvision.models.segmentation.FCN(backbone, classifier, aux_classifier=None). */
export class FCN extends _SimpleSegmentationModel {}

/** FCN's head: 3x3 conv to in_channels/4, BatchNorm, ReLU, Dropout(0.1), 1x1 conv to `channels`. */
export class FCNHead extends nn.Sequential {
  constructor(in_channels: number, channels: number) {
    const inter_channels = Math.floor(in_channels / 4);
    super(
      new nn.Conv2d(in_channels, inter_channels, 3, { padding: 1, bias: false }),
      new nn.BatchNorm2d(inter_channels),
      new nn.ReLU(),
      new nn.Dropout(0.1),
      new nn.Conv2d(inter_channels, channels, 1),
    );
  }
}

/** The options of torchvision's segmentation builders (weights_backbone: only null/undefined, wasmnn downloads nothing). */
export interface SegmentationOptions {
  num_classes: number | null;
  aux_loss: boolean | null;
}

export const SEGMENTATION_DEFAULTS: SegmentationOptions = { num_classes: null, aux_loss: null };

/** The backbone's layer4 (and layer3 with aux) as "out" (and "aux"); ResNet's avgpool and fc are freed. */
export function _fcn_resnet(backbone: ResNet, num_classes: number, aux: boolean | null): FCN {
  const return_layers: Record<string, string> = { layer4: "out" };
  if (aux) return_layers.layer3 = "aux";
  const body = new IntermediateLayerGetter(backbone, return_layers);
  _disposeUnused(backbone, body.values());
  const aux_classifier = aux ? new FCNHead(1024, num_classes) : null;
  const classifier = new FCNHead(2048, num_classes);
  return new FCN(body, classifier, aux_classifier);
}

function _fcn(name: string, resnet: typeof resnet50, options: Partial<SegmentationOptions> | undefined): FCN {
  const o = builderOptions(name, options, SEGMENTATION_DEFAULTS);
  const backbone = resnet({ replace_stride_with_dilation: [false, true, true] });
  return _fcn_resnet(backbone, o.num_classes ?? 21, o.aux_loss);
}

/** FCN with a ResNet-50 backbone (strides of layer3/layer4 replaced by dilation). Options: num_classes (21), aux_loss. */
export const fcn_resnet50 = (options?: Partial<SegmentationOptions>) => _fcn("fcn_resnet50", resnet50, options);
/** FCN with a ResNet-101 backbone. Options as fcn_resnet50. */
export const fcn_resnet101 = (options?: Partial<SegmentationOptions>) => _fcn("fcn_resnet101", resnet101, options);
