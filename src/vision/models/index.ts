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
// (by name: googlenet.ts and inception.ts each have an InceptionAux, different classes; inception.ts uses googlenet.ts's BasicConv2d)
export { GoogLeNet, Inception, googlenet, type GoogLeNetOutputs, type GoogLeNetOptions } from "./googlenet.js";

// [inception]
export {
  Inception3, InceptionA, InceptionB, InceptionC, InceptionD, InceptionE, inception_v3, type InceptionOutputs, type Inception3Options,
} from "./inception.js";

// [mobilenetv2]
export * from "./mobilenetv2.js";

// [mnasnet]
export * from "./mnasnet.js";

// [shufflenetv2]
export * from "./shufflenetv2.js";

// [efficientnet]
export * from "./efficientnet.js";

// [mobilenetv3]
export * from "./mobilenetv3.js";

// [regnet]
export * from "./regnet.js";

// [convnext]
export * from "./convnext.js";
