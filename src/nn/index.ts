export { Module, Parameter, type LoadResult } from "./module.js";
export { Conv2d } from "./conv.js";
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d } from "./pooling.js";
export { BatchNorm2d } from "./batchnorm.js";
export { ReLU, ReLU6, Identity, Flatten } from "./activation.js";
export { Linear } from "./linear.js";
export { Sequential } from "./container.js";
export * as utils from "./utils.js";

// issue #11's op families: each adds its lines directly under its own marker
// [elementwise]

// [activation]

// [shape]
export { Unflatten, ChannelShuffle } from "./shape.js";

// [reduce]

// [norm]

// [conv-transpose]
export { ConvTranspose2d, ConvTranspose1d } from "./conv_transpose.js";
export { Conv1d } from "./conv1d.js";
export { MaxPool1d, AvgPool1d, AdaptiveAvgPool1d, AdaptiveMaxPool1d } from "./pooling1d.js";

// [resample]

