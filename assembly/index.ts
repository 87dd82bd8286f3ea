// wasmnn's Wasm interface: plain functions over pointers and sizes, no imports.
export { alloc, free, maxAlloc } from "./alloc";
export { f32_pad2d } from "./pad";
export { f32_conv2d_packed_size, f32_conv2d_pack } from "./pack";
export { f32_conv2d_igemm, f32_conv2d_igemm_workspace, f32_conv2d_ref } from "./conv";
export { f32_dwconv2d, f32_dwconv2d_workspace } from "./dwconv";
export { f32_add } from "./elementwise";
