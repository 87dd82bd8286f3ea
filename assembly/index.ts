// wasmnn's Wasm interface: plain functions over pointers and sizes, no imports.
export { alloc, free, maxAlloc } from "./alloc";
export { f32_pad2d, f32_phase_split, f32_phase_merge } from "./pad";
export { f32_conv2d_packed_size, f32_conv2d_pack } from "./pack";
export { f32_conv2d_igemm, f32_conv2d_igemm_workspace, f32_conv2d_ref } from "./conv";
export { f32_dwconv2d, f32_dwconv2d_workspace } from "./dwconv";
export { f32_add } from "./elementwise";
export { f32_maxpool2d, f32_avgpool2d, f32_adaptive_avgpool2d, f32_adaptive_maxpool2d } from "./pool";
export { f32_channel_stats, f32_channel_affine } from "./batchnorm";
export { f32_clamp } from "./activation";
export { f32_linear } from "./linear";
export { f32_winograd_f2x3_packed_size, f32_winograd_f2x3_pack, f32_winograd_f2x3_workspace } from "./winograd";
export { f32_winograd_f4x3_packed_size, f32_winograd_f4x3_pack, f32_winograd_f4x3_workspace } from "./winograd4";
export { f32_dwconv2d_c4, f32_dwconv2d_c4_workspace } from "./dwconv4";
export { f32_winograd_s2k7_packed_size, f32_winograd_s2k7_pack, f32_winograd_s2k7_workspace } from "./winograd_s2";
export { f32_conv2d_winograd_f2x3, f32_conv2d_winograd_f4x3, f32_conv2d_winograd_s2k7 } from "./winograd_conv";
