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

// [reduce]

// [norm]

// [conv-transpose]

// [resample]

