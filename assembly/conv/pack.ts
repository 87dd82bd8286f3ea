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
  const rowBytes = <usize>reduction * 4;
  let dst = packed;
  for (let g = 0; g < groups; g++) {
    for (let b = 0; b < blocks; b++) {
      const first = b * GEMM_MR;
      const valid = min(GEMM_MR, groupOut - first);
      const rows = weight + <usize>(g * groupOut + first) * rowBytes;
      for (let r = 0; r < GEMM_MR; r++) {
        store<f32>(dst, r < valid && bias != 0 ? load<f32>(bias + <usize>(g * groupOut + first + r) * 4) : 0);
        dst += 4;
      }
      let k = 0;
      if (valid == GEMM_MR) {
        // 4 columns of the 5 rows at a time: [5][4] -> [4][5], 5 loads, 13 shuffles, 5 stores
        for (; k + 4 <= reduction; k += 4) {
          const p = rows + <usize>k * 4;
          const r0 = v128.load(p), r1 = v128.load(p + rowBytes), r2 = v128.load(p + 2 * rowBytes);
          const r3 = v128.load(p + 3 * rowBytes), r4 = v128.load(p + 4 * rowBytes);
          const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);   // r0k0 r1k0 r0k1 r1k1
          const t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);   // r2k0 r3k0 r2k1 r3k1
          const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);   // r0k2 r1k2 r0k3 r1k3
          const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);   // r2k2 r3k2 r2k3 r3k3
          v128.store(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));                                            // r0k0 r1k0 r2k0 r3k0
          v128.store(dst, v128.shuffle<f32>(v128.shuffle<f32>(r4, t0, 0, 6, 7, 0), t1, 0, 1, 2, 6), 16);    // r4k0 r0k1 r1k1 r2k1
          v128.store(dst, v128.shuffle<f32>(v128.shuffle<f32>(t1, r4, 3, 5, 3, 5), t2, 0, 1, 4, 5), 32);    // r3k1 r4k1 r0k2 r1k2
          v128.store(dst, v128.shuffle<f32>(v128.shuffle<f32>(t3, r4, 0, 1, 6, 6), t2, 0, 1, 2, 6), 48);    // r2k2 r3k2 r4k2 r0k3
          v128.store(dst, v128.shuffle<f32>(v128.shuffle<f32>(t2, t3, 3, 6, 7, 7), r4, 0, 1, 2, 7), 64);    // r1k3 r2k3 r3k3 r4k3
          dst += 80;
        }
      }
      for (; k < reduction; k++) {
        for (let r = 0; r < GEMM_MR; r++) {
          store<f32>(dst, r < valid ? load<f32>(rows + <usize>r * rowBytes + <usize>k * 4) : 0);
          dst += 4;
        }
      }
    }
  }
}
