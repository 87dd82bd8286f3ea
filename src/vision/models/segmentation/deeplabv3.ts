// torchvision.models.segmentation.deeplabv3 (v0.14): DeepLabV3 ("Rethinking Atrous Convolution for
// Semantic Image Segmentation", https://arxiv.org/abs/1706.05587) on a dilated ResNet or
// MobileNetV3-Large, with torchvision's state_dict keys (`classifier.0.convs.1.0.weight`, ...).
//
//   const model = models.segmentation.deeplabv3_resnet50().eval();
//   const { out } = model.forward(image);            // [N, 3, H, W] -> { out: [N, 21, H, W] }
import { nn, F, cat, type Tensor } from "../../../core.js";
import { builderOptions } from "../_utils.js";
import { resnet50, resnet101, type ResNet } from "../resnet.js";
import { mobilenet_v3_large, type MobileNetV3 } from "../mobilenetv3.js";
import { IntermediateLayerGetter, _SimpleSegmentationModel, _disposeUnused } from "./_utils.js";
import { FCNHead, SEGMENTATION_DEFAULTS, type SegmentationOptions } from "./fcn.js";

/** torchvision.models.segmentation.DeepLabV3(backbone, classifier, aux_classifier=None). */
export class DeepLabV3 extends _SimpleSegmentationModel {}

/** DeepLabV3's head: ASPP (rates 12, 24, 36), 3x3 conv, BatchNorm, ReLU, 1x1 conv to num_classes. */
export class DeepLabHead extends nn.Sequential {
  constructor(in_channels: number, num_classes: number) {
    super(
      new ASPP(in_channels, [12, 24, 36]),
      new nn.Conv2d(256, 256, 3, { padding: 1, bias: false }),
      new nn.BatchNorm2d(256),
      new nn.ReLU(),
      new nn.Conv2d(256, num_classes, 1),
    );
  }
}

/** An atrous branch of ASPP: 3x3 conv with the given dilation (as padding too), BatchNorm, ReLU. */
export class ASPPConv extends nn.Sequential {
  constructor(in_channels: number, out_channels: number, dilation: number) {
    super(
      new nn.Conv2d(in_channels, out_channels, 3, { padding: dilation, dilation, bias: false }),
      new nn.BatchNorm2d(out_channels),
      new nn.ReLU(),
    );
  }
}

/** ASPP's image-level branch: global average, 1x1 conv, BatchNorm, ReLU, resized back to the input's H x W. */
export class ASPPPooling extends nn.Sequential {
  constructor(in_channels: number, out_channels: number) {
    super(
      new nn.AdaptiveAvgPool2d(1),
      new nn.Conv2d(in_channels, out_channels, 1, { bias: false }),
      new nn.BatchNorm2d(out_channels),
      new nn.ReLU(),
    );
  }

  override forward(x: Tensor): Tensor {
    const size = x.shape.slice(-2);
    x = super.forward(x);      // the children in order, as torchvision's `for mod in self`
    return F.interpolate(x, { size, mode: "bilinear", align_corners: false });
  }
}

/** Atrous Spatial Pyramid Pooling: a 1x1 branch, one ASPPConv per rate and ASPPPooling, concatenated and projected to out_channels. */
export class ASPP extends nn.Module {
  convs: nn.ModuleList;
  project: nn.Sequential;

  constructor(in_channels: number, atrous_rates: number[], out_channels = 256) {
    super();
    const modules: nn.Module[] = [
      new nn.Sequential(new nn.Conv2d(in_channels, out_channels, 1, { bias: false }), new nn.BatchNorm2d(out_channels), new nn.ReLU()),
    ];
    for (const rate of atrous_rates) modules.push(new ASPPConv(in_channels, out_channels, rate));
    modules.push(new ASPPPooling(in_channels, out_channels));
    this.convs = new nn.ModuleList(modules);
    this.project = new nn.Sequential(
      new nn.Conv2d(this.convs.length * out_channels, out_channels, 1, { bias: false }),
      new nn.BatchNorm2d(out_channels),
      new nn.ReLU(),
      new nn.Dropout(0.5),
    );
  }

  override forward(x: Tensor): Tensor {
    const _res: Tensor[] = [];
    for (const conv of this.convs) _res.push(conv.forward(x));
    const res = cat(_res, 1);
    return this.project.forward(res);
  }
}

/** The backbone's layer4 (and layer3 with aux) as "out" (and "aux"); ResNet's avgpool and fc are freed. */
export function _deeplabv3_resnet(backbone: ResNet, num_classes: number, aux: boolean | null): DeepLabV3 {
  const return_layers: Record<string, string> = { layer4: "out" };
  if (aux) return_layers.layer3 = "aux";
  const body = new IntermediateLayerGetter(backbone, return_layers);
  _disposeUnused(backbone, body.values());
  const aux_classifier = aux ? new FCNHead(1024, num_classes) : null;
  const classifier = new DeepLabHead(2048, num_classes);
  return new DeepLabV3(body, classifier, aux_classifier);
}

/** The positions of MobileNetV3's stage outputs in `features`: the stem, each strided block (`_is_cn`), the last conv. */
export function _stage_indices(features: nn.Sequential): number[] {
  const blocks = features.children();
  const strided = blocks.flatMap((b, i) => ((b as { _is_cn?: boolean })._is_cn ? [i] : []));
  return [0, ...strided, blocks.length - 1];
}

/** MobileNetV3's C5 (output stride 16, dilated) as "out" and C2 (stride 8) as "aux"; its classifier is freed. */
export function _deeplabv3_mobilenetv3(mobilenet: MobileNetV3, num_classes: number, aux: boolean | null): DeepLabV3 {
  const backbone = mobilenet.features;
  const stage_indices = _stage_indices(backbone);
  const out_pos = stage_indices[stage_indices.length - 1]; // use C5 which has output_stride = 16
  const out_inplanes = (backbone.at(out_pos) as unknown as { out_channels: number }).out_channels;
  const aux_pos = stage_indices[stage_indices.length - 4]; // use C2 here which has output_stride = 8
  const aux_inplanes = (backbone.at(aux_pos) as unknown as { out_channels: number }).out_channels;
  const return_layers: Record<string, string> = { [String(out_pos)]: "out" };
  if (aux) return_layers[String(aux_pos)] = "aux";
  const body = new IntermediateLayerGetter(backbone, return_layers);
  _disposeUnused(backbone, body.values());
  _disposeUnused(mobilenet, [backbone]);
  const aux_classifier = aux ? new FCNHead(aux_inplanes, num_classes) : null;
  const classifier = new DeepLabHead(out_inplanes, num_classes);
  return new DeepLabV3(body, classifier, aux_classifier);
}

function _deeplabv3(name: string, resnet: typeof resnet50, options: Partial<SegmentationOptions> | undefined): DeepLabV3 {
  const o = builderOptions(name, options, SEGMENTATION_DEFAULTS);
  const backbone = resnet({ replace_stride_with_dilation: [false, true, true] });
  return _deeplabv3_resnet(backbone, o.num_classes ?? 21, o.aux_loss);
}

/** DeepLabV3 with a ResNet-50 backbone (strides of layer3/layer4 replaced by dilation). Options: num_classes (21), aux_loss. */
export const deeplabv3_resnet50 = (options?: Partial<SegmentationOptions>) => _deeplabv3("deeplabv3_resnet50", resnet50, options);
/** DeepLabV3 with a ResNet-101 backbone. Options as deeplabv3_resnet50. */
export const deeplabv3_resnet101 = (options?: Partial<SegmentationOptions>) => _deeplabv3("deeplabv3_resnet101", resnet101, options);
/** DeepLabV3 with a dilated MobileNetV3-Large backbone. Options: num_classes (21), aux_loss. */
export function deeplabv3_mobilenet_v3_large(options?: Partial<SegmentationOptions>): DeepLabV3 {
  const o = builderOptions("deeplabv3_mobilenet_v3_large", options, SEGMENTATION_DEFAULTS);
  const backbone = mobilenet_v3_large({ dilated: true });
  return _deeplabv3_mobilenetv3(backbone, o.num_classes ?? 21, o.aux_loss);
}
