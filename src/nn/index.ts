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
export {
  Sigmoid, Tanh, SiLU, GELU, Hardswish, Hardsigmoid, LeakyReLU, ELU, Hardtanh, Mish, Softplus, PReLU, Softmax, LogSoftmax,
} from "./activation.js";
export { Dropout, Dropout2d } from "./dropout.js";

// [shape]

// [reduce]

// [norm]

// [conv-transpose]

// [resample]

