// Helpers of torchvision's segmentation models (torchvision/models/segmentation/_utils.py and
// IntermediateLayerGetter from torchvision/models/_utils.py, v0.14).
import { nn, F, type Tensor } from "../../../core.js";

/**
 * torchvision's IntermediateLayerGetter(model, return_layers): the direct children of `model` up to
 * the last one named in `return_layers`, run in order; forward returns `{ [new_name]: output }` for
 * each named child, in the order the children run (a plain object, as torchvision's OrderedDict).
 * Like torchvision, it assumes the children are registered in the order forward uses them and
 * reaches only direct children (`layer4`, not `layer4.0`).
 *
 *   const body = new IntermediateLayerGetter(models.resnet18(), { layer1: "feat1", layer3: "feat2" });
 *   body.forward(x);                                 // { feat1: [N, 64, H/4, W/4], feat2: [N, 256, H/16, W/16] }
 */
export class IntermediateLayerGetter extends nn.ModuleDict {
  declare return_layers: Record<string, string>;

  constructor(model: nn.Module, return_layers: Record<string, string>) {
    const children = model.named_children();
    const names = new Set(children.map(([name]) => name));
    if (!Object.keys(return_layers).every((name) => names.has(name))) throw new RangeError("return_layers are not present in model");
    const remaining = new Set(Object.keys(return_layers).map(String));
    const layers: [string, nn.Module][] = [];
    for (const [name, module] of children) {
      layers.push([name, module]);
      remaining.delete(name);
      if (remaining.size === 0) break;
    }
    super(layers);
    this.return_layers = return_layers;
  }

  override forward(x: Tensor): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [name, module] of this.items()) {
      x = module.forward(x);
      if (name in this.return_layers) out[this.return_layers[name]] = x;
    }
    return out;
  }
}

/**
 * Frees the parameters of `model`'s children other than `kept` (the classifier a backbone no longer
 * needs, say). In torchvision the garbage collector drops them; wasm memory is freed explicitly.
 */
export function _disposeUnused(model: nn.Module, kept: Iterable<nn.Module>): void {
  const keep = new Set(kept);
  for (const child of model.children()) if (!keep.has(child)) child.dispose();
}

/**
 * torchvision's _SimpleSegmentationModel(backbone, classifier, aux_classifier=None): the backbone's
 * "out" features through the classifier (and "aux" through aux_classifier), each resized back to the
 * input size (bilinear, align_corners=False). [N, 3, H, W] -> { out: [N, K, H, W], aux?: [N, K, H, W] }.
 */
export class _SimpleSegmentationModel extends nn.Module {
  backbone: nn.Module;
  classifier: nn.Module;
  aux_classifier: nn.Module | null;

  constructor(backbone: nn.Module, classifier: nn.Module, aux_classifier: nn.Module | null = null) {
    super();
    this.backbone = backbone;
    this.classifier = classifier;
    this.aux_classifier = aux_classifier;
  }

  override forward(x: Tensor): Record<string, Tensor> {
    const input_shape = x.shape.slice(-2);
    // contract: features is a dict of tensors
    const features = this.backbone.forward(x) as Record<string, Tensor>;
    const result: Record<string, Tensor> = {};
    x = this.classifier.forward(features.out);
    result.out = F.interpolate(x, { size: input_shape, mode: "bilinear", align_corners: false });
    if (this.aux_classifier !== null) {
      x = this.aux_classifier.forward(features.aux);
      result.aux = F.interpolate(x, { size: input_shape, mode: "bilinear", align_corners: false });
    }
    return result;
  }
}
