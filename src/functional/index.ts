export { conv2d } from "./conv.js";
export { max_pool2d, avg_pool2d, adaptive_avg_pool2d, adaptive_max_pool2d } from "./pool.js";
export { batch_norm } from "./norm.js";
export { relu, relu6 } from "./activation.js";
export { linear } from "./linear.js";
export { pad } from "./pad.js";

// issue #11's op families: each adds its lines directly under its own marker
// [elementwise]

// [activation]

// [shape]
export { channel_shuffle } from "./strided.js";

// [reduce]

// [norm]

// [conv-transpose]
export { conv_transpose2d } from "./conv_transpose.js";
export { conv1d, conv_transpose1d } from "./conv1d.js";
export { max_pool1d, avg_pool1d, adaptive_avg_pool1d, adaptive_max_pool1d } from "./pool1d.js";

// [resample]

