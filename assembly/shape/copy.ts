// Contiguous-run copies for the shape ops (cat, stack, split, chunk, narrow, clone): rows of bytes
// moved between strided row sets, with no per-element index arithmetic. Element type does not
// matter (float32 and int64 alike): everything is bytes, always a multiple of 4.

/** Runs at least this long go through memory.copy (the engine's memmove); shorter ones are copied
 * inline with v128 loads/stores, which avoids memory.copy's call overhead on short rows. */
const LONG_RUN: usize = 256;

/** Copies `bytes` (a multiple of 4) from src to dst; the ranges do not overlap. */
// @ts-ignore: decorator
@inline export function copyRun(dst: usize, src: usize, bytes: usize): void {
  if (bytes >= LONG_RUN) {
    memory.copy(dst, src, bytes);
    return;
  }
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) v128.store(dst + i, v128.load(src + i));
  for (; i < bytes; i += 4) store<u32>(dst + i, load<u32>(src + i));
}

/**
 * rows x rowBytes: row r of src (at src + r * srcStride) to dst + r * dstStride.
 * cat/stack: each input's [outer, inner] block into its column range of the output's rows;
 * split/chunk/narrow: the reverse. Rows that are contiguous on both sides become one copy.
 */
export function xx_copy_rows(src: usize, srcStride: usize, dst: usize, dstStride: usize, rows: i32, rowBytes: usize): void {
  if (rows <= 0 || rowBytes == 0) return;
  if (srcStride == rowBytes && dstStride == rowBytes) {
    memory.copy(dst, src, <usize>rows * rowBytes);
    return;
  }
  for (let r = 0; r < rows; r++) {
    copyRun(dst, src, rowBytes);
    src += srcStride;
    dst += dstStride;
  }
}
