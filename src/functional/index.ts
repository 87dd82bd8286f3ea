export { conv2d } from "./conv.js";
export { max_pool2d, avg_pool2d, adaptive_avg_pool2d, adaptive_max_pool2d } from "./pool.js";
export { batch_norm } from "./norm.js";
export { relu, relu6 } from "./activation.js";
export { linear } from "./linear.js";
export { pad } from "./pad.js";

// issue #11's op families: each adds its lines directly under its own marker
// [elementwise]

// [activation]
export {
  relu_, sigmoid, tanh, silu, gelu, hardswish, hardsigmoid, leaky_relu, leaky_relu_, elu, elu_, hardtanh, hardtanh_,
  mish, softplus, prelu, softmax, log_softmax, dropout, dropout2d,
} from "./activation.js";

// [shape]
export { channel_shuffle } from "./strided.js";

// [reduce]
export { embedding } from "./embedding.js";
export { bilinear } from "./bilinear.js";

// [norm]
export { layer_norm, group_norm, instance_norm } from "./normalization.js";
export { normalize, local_response_norm } from "./normalize.js";

// [conv-transpose]
export { conv_transpose2d } from "./conv_transpose.js";
export { conv1d, conv_transpose1d } from "./conv1d.js";
export { max_pool1d, avg_pool1d, adaptive_avg_pool1d, adaptive_max_pool1d } from "./pool1d.js";

// [resample]
export { interpolate, upsample, upsample_nearest, upsample_bilinear } from "./resample.js";
export { pixel_shuffle, pixel_unshuffle } from "./pixel_shuffle.js";

