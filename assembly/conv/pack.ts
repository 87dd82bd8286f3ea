// Weight packing for the 5x8 GEMM micro-kernel.
//
// weight [OC, C/groups, KH, KW] (K = C/groups*KH*KW), bias [OC] or none
//   -> per group g, per block b of 5 output channels: [5 bias][K][5 weights]
// Output channels past the group's end are zero, so the kernel never branches on them.

export const GEMM_MR: i32 = 5;
export const GEMM_NR: i32 = 8;

/** Floats in the packed buffer for these sizes. */
export function f32_conv2d_packed_size(outChannels: i32, groups: i32, reduction: i32): i32 {
  const blocks = (outChannels / groups + GEMM_MR - 1) / GEMM_MR;
  return groups * blocks * GEMM_MR * (reduction + 1);
}

export function f32_conv2d_pack(
  weight: usize, bias: usize, outChannels: i32, groups: i32, reduction: i32, packed: usize,
): void {
  const groupOut = outChannels / groups;
  const blocks = (groupOut + GEMM_MR - 1) / GEMM_MR;
  let dst = packed;
  for (let g = 0; g < groups; g++) {
    for (let b = 0; b < blocks; b++) {
      const first = b * GEMM_MR;
      for (let r = 0; r < GEMM_MR; r++) {
        const valid = first + r < groupOut;
        const oc = g * groupOut + first + r;
        store<f32>(dst, valid && bias != 0 ? load<f32>(bias + <usize>oc * 4) : 0);
        dst += 4;
      }
      for (let k = 0; k < reduction; k++) {
        for (let r = 0; r < GEMM_MR; r++) {
          const oc = g * groupOut + first + r;
          store<f32>(dst, first + r < groupOut ? load<f32>(weight + (<usize>oc * reduction + k) * 4) : 0);
          dst += 4;
        }
      }
    }
  }
}
