// Small per-thread scratch (issue #15): the kernels' few static temporaries (a partial tile, a
// vector's tail, a row of transform results...) live at `scratch(OFFSET)`. Thread 0's block is a
// static one; each pool worker's instance (module globals are per instance, memory is shared)
// points `base` at a block of its own, so concurrent kernels never share a temporary.

export const SCRATCH_GEMM_TILE: usize = 0;        // 5 rows x 8 floats (gemm.ts)
export const SCRATCH_DW_TAIL: usize = 160;        // one v128 (dwconv.ts)
export const SCRATCH_WINO_ROW: usize = 176;       // 64 bytes (winograd_conv.ts)
export const SCRATCH_S2_ROWS: usize = 240;        // 8 x 4 v128 (winograd_pack.ts)
export const SCRATCH_DW4_TAPS: usize = 752;       // 49 v128 (dwconv4.ts)
export const SCRATCH_STRIPS: usize = 1536;        // 40 x 64 bytes (reduce.ts)
export const SCRATCH_SLOT: usize = 4096;          // one v128 (binary.ts)
export const SCRATCH_ACT_TAIL: usize = 4112;      // one v128 (activation.ts)
export const SCRATCH_ROW_SCALARS: usize = 4128;   // one v128 (activation.ts)
export const SCRATCH_GATHER_DESC: usize = 4144;   // 32 x 12 bytes (gather.ts)
export const SCRATCH_BYTES: usize = 4528;

let base: usize = memory.data(<i32>SCRATCH_BYTES, 16);

/** Points this instance's scratch at `ptr` (SCRATCH_BYTES, 16-byte aligned): a pool worker's own block. */
export function set_thread_scratch(ptr: usize): void {
  base = ptr;
}

/** Bytes a worker's scratch block needs. */
export function thread_scratch_bytes(): usize {
  return SCRATCH_BYTES;
}

// @ts-ignore: decorator
@inline export function scratch(offset: usize): usize {
  return base + offset;
}
