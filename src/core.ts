// The runtime-independent public surface; each entry (src/index.ts for Node, ...) adds `init`.
export { Tensor, tensor, zeros, ones, randn, type DType, type NestedArray } from "./tensor.js";
export { manual_seed } from "./random.js";
export { tidy, keep } from "./scope.js";
export { memory, type MemoryInfo, type MemoryBreakdown } from "./memory.js";
export { backend, set_num_threads, get_num_threads, shutdown_threads, type Backend } from "./runtime.js";
export type { WasmSource, WasmBuild } from "./runtime.js";
export * as nn from "./nn/index.js";
export * as F from "./functional/index.js";
export * as safetensors from "./io/safetensors.js";

// torch.* functions of issue #11's op families (top-level, as torch's): each adds its lines under its marker
// [elementwise]
export { add, sub, mul, div, neg, abs, sqrt, rsqrt, clamp, clip, neg_, abs_, sqrt_, rsqrt_, clamp_, clip_ } from "./functional/elementwise.js";

// [activation]
export { sigmoid, sigmoid_, tanh, tanh_, relu, relu_, exp, exp_, prelu, torchSoftmax as softmax, torchLogSoftmax as log_softmax, torchDropout as dropout } from "./functional/activation.js";

// [shape]
export { reshape, flatten, unflatten, squeeze, unsqueeze, clone } from "./functional/views.js";
export { permute, transpose, t, narrow, channel_shuffle } from "./functional/strided.js";
export { cat, concat, concatenate, stack, split, chunk } from "./functional/join.js";

// [reduce]
export { sum, mean, amax, amin, max, min, argmax, argmin, topk } from "./functional/reduce.js";
export { matmul } from "./functional/matmul.js";

// [norm]
export {
  torchLayerNorm as layer_norm, torchGroupNorm as group_norm, torchInstanceNorm as instance_norm, torchBatchNorm as batch_norm,
} from "./functional/normalization.js";

// [conv-transpose]
export { conv2d } from "./functional/conv.js";
export { conv_transpose2d } from "./functional/conv_transpose.js";
export { conv1d, conv_transpose1d } from "./functional/conv1d.js";
// (torch.adaptive_max_pool1d returns (values, indices) always, unlike F.adaptive_max_pool1d: not exported)
export { max_pool1d, avg_pool1d, adaptive_avg_pool1d } from "./functional/pool1d.js";

// [resample]
export { pixel_shuffle, pixel_unshuffle } from "./functional/pixel_shuffle.js";

