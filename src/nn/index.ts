export { Module, Parameter, type LoadResult } from "./module.js";
export { Conv2d } from "./conv.js";
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d } from "./pooling.js";
export { BatchNorm2d } from "./batchnorm.js";
export { ReLU, ReLU6, Identity, Flatten } from "./activation.js";
export { Linear } from "./linear.js";
export { Sequential } from "./container.js";
export * as utils from "./utils.js";
export * as init from "./init_public.js";

// issue #11's op families: each adds its lines directly under its own marker
// [elementwise]

// [activation]
export {
  Sigmoid, Tanh, SiLU, GELU, Hardswish, Hardsigmoid, LeakyReLU, ELU, Hardtanh, Mish, Softplus, PReLU, Softmax, LogSoftmax,
} from "./activation.js";
export { Dropout, Dropout2d } from "./dropout.js";

// [shape]
export { Unflatten, ChannelShuffle } from "./shape.js";

// [reduce]
export { ModuleList, ModuleDict } from "./containers.js";
export { Embedding } from "./sparse.js";
export { Bilinear } from "./linear.js";

// [norm]
export { LayerNorm, GroupNorm, InstanceNorm1d, InstanceNorm2d, LocalResponseNorm } from "./normalization.js";
export { BatchNorm1d } from "./batchnorm.js";

// [conv-transpose]
export { ConvTranspose2d, ConvTranspose1d } from "./conv_transpose.js";
export { Conv1d } from "./conv1d.js";
export { MaxPool1d, AvgPool1d, AdaptiveAvgPool1d, AdaptiveMaxPool1d } from "./pooling1d.js";

// [resample]
export { Upsample, UpsamplingNearest2d, UpsamplingBilinear2d, PixelShuffle, PixelUnshuffle } from "./upsampling.js";

