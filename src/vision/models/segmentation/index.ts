// torchvision.models.segmentation (v0.14): FCN, DeepLabV3 and LR-ASPP; each returns { out } (and aux with aux_loss).
export { IntermediateLayerGetter, _SimpleSegmentationModel } from "./_utils.js";

// [fcn]
export { FCN, FCNHead, fcn_resnet50, fcn_resnet101, type SegmentationOptions } from "./fcn.js";

// [deeplabv3]
export { DeepLabV3, DeepLabHead, ASPP, ASPPConv, ASPPPooling, deeplabv3_resnet50, deeplabv3_resnet101, deeplabv3_mobilenet_v3_large } from "./deeplabv3.js";

// [lraspp]
export { LRASPP, LRASPPHead, lraspp_mobilenet_v3_large, type LRASPPOptions } from "./lraspp.js";
