// wasmnn's Wasm interface: plain functions over pointers and sizes, no imports.
export { alloc, allocHigh, free, maxAlloc } from "./alloc";
export { set_thread_scratch, thread_scratch_bytes } from "./scratch";
export { f32_pad2d, f32_embed_rows, f32_phase_split, f32_phase_merge } from "./conv/pad";
export { f32_conv2d_packed_size, f32_conv2d_pack } from "./conv/pack";
export { f32_conv2d_igemm, f32_conv2d_igemm_workspace, f32_conv2d_ref } from "./conv/conv";
export { f32_scale_rows } from "./conv/fold";
export { f32_dwconv2d, f32_dwconv2d_workspace } from "./conv/dwconv";
export { f32_add } from "./elementwise/elementwise";
export { f32_maxpool2d, f32_maxpool2d_rows, f32_avgpool2d, f32_adaptive_avgpool2d, f32_adaptive_maxpool2d } from "./pool/pool";
export { f32_channel_stats, f32_channel_affine } from "./norm/batchnorm";
export { f32_clamp } from "./elementwise/activation";
export { f32_linear, f32_linear_gemm, f32_linear_gemm_workspace, f32_linear_gemm_pack } from "./conv/linear";
export { f32_winograd_f2x3_packed_size, f32_winograd_f2x3_workspace } from "./conv/winograd";
export { f32_winograd_f4x3_packed_size, f32_winograd_f4x3_workspace } from "./conv/winograd4";
export { f32_dwconv2d_c4, f32_dwconv2d_c4_workspace } from "./conv/dwconv4";
export { f32_winograd_s2k7_packed_size, f32_winograd_s2k7_workspace } from "./conv/winograd_s2";
export { f32_winograd_f2x3_pack, f32_winograd_f4x3_pack, f32_winograd_s2k7_pack } from "./conv/winograd_pack";
export { f32_conv2d_winograd_f2x3, f32_conv2d_winograd_f4x3, f32_conv2d_winograd_s2k7 } from "./conv/winograd_conv";
export { f32_winograd_plan, f32_winograd_stage, f32_winograd_tiles, f32_winograd_outblocks, f32_winograd_pack_blocks, f32_winograd_pool_bands } from "./conv/winograd_conv";

// Issue #11's op families: each adds its export lines directly under its own marker.
// [elementwise]
export { f32_binary, f32_binary_scalar } from "./elementwise/binary";
export { f32_unary } from "./elementwise/unary";

// [activation]
export { f32_activation, f32_prelu, f32_softmax, f32_softmax_workspace } from "./elementwise/activation";

// [shape]
export { xx_copy_rows } from "./shape/copy";
export { xx_gather, xx_gather_desc } from "./shape/gather";

// [reduce]
export { f32_reduce, f32_arg_reduce } from "./reduce/reduce";
export { f32_matmul, f32_matmul_workspace, f32_bilinear } from "./reduce/matmul";
export { f32_embedding } from "./reduce/gather";

// [norm]
export { f32_layer_norm } from "./norm/layernorm";
export { f32_group_norm } from "./norm/groupnorm";
export { f32_local_response_norm } from "./norm/lrn";
export { f32_normalize } from "./norm/normalize";

// [conv-transpose]
export { f32_phase_merge_w2, f32_phase_fill } from "./conv/conv_transpose";

// [resample]
export { f32_resize_separable, f32_resize_nearest, f32_resize_aa_pass, f32_resize_bilinear_cl } from "./resample/resize";
export { x32_pixel_shuffle } from "./resample/pixel_shuffle";

