// The runtime-independent public surface; each entry (src/index.ts for Node, ...) adds `init`.
export { Tensor, tensor, zeros, ones, randn, type DType, type NestedArray } from "./tensor.js";
export { manual_seed } from "./random.js";
export { tidy, keep } from "./scope.js";
export { memory } from "./memory.js";
export { backend } from "./runtime.js";
export type { WasmSource, WasmBuild } from "./runtime.js";
export * as nn from "./nn/index.js";
export * as F from "./functional/index.js";
export * as safetensors from "./safetensors.js";

// torch.* functions of issue #11's op families (top-level, as torch's): each adds its lines under its marker
// [elementwise]

// [activation]
export { sigmoid, sigmoid_, tanh, tanh_, relu, relu_, exp, exp_, prelu, torchSoftmax as softmax, torchLogSoftmax as log_softmax, torchDropout as dropout } from "./functional/activation.js";

// [shape]

// [reduce]

// [norm]

// [conv-transpose]

// [resample]

