// torchvision.models (v0.14) as wasmnn/vision's `models`: every CNN builder, with torchvision's
// names, keyword options (one options object) and state_dict keys. Each family's file adds its
// line under its marker.
export { IMAGENET_CATEGORIES } from "./_meta.js";
export * as segmentation from "./segmentation/index.js";

// [resnet]
export * from "./resnet.js";

// [alexnet]

// [vgg]

// [squeezenet]

// [densenet]

// [googlenet]

// [inception]

// [mobilenetv2]

// [mnasnet]

// [shufflenetv2]

// [efficientnet]

// [mobilenetv3]
export * from "./mobilenetv3.js";

// [regnet]
export * from "./regnet.js";

// [convnext]
export * from "./convnext.js";
