// torchvision.models (v0.14) as wasmnn/vision's `models`: every CNN builder, with torchvision's
// names, keyword options (one options object) and state_dict keys. Each family's file adds its
// line under its marker.
export { IMAGENET_CATEGORIES } from "./_meta.js";
export * as segmentation from "./segmentation/index.js";

// [resnet]
export * from "./resnet.js";

// [alexnet]
export * from "./alexnet.js";

// [vgg]
export * from "./vgg.js";

// [squeezenet]
export * from "./squeezenet.js";

// [densenet]
export * from "./densenet.js";

// [googlenet]
// (torchvision's __all__: BasicConv2d and InceptionAux are also inception_v3's names, for different classes)
export { GoogLeNet, googlenet, type GoogLeNetOutputs, type GoogLeNetOptions } from "./googlenet.js";

// [inception]

// [mobilenetv2]

// [mnasnet]

// [shufflenetv2]

// [efficientnet]

// [mobilenetv3]

// [regnet]

// [convnext]
