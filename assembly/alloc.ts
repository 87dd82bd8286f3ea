// The host's allocator: AssemblyScript's TLSF (the `minimal` runtime) over linear memory.
// TLSF reuses freed blocks and coalesces neighbours, so a long inference loop that frees what it
// allocates keeps memory flat. Blocks are 16-byte aligned (AL_BITS = 4), which suits v128 loads.

/** Allocates `size` bytes (16-byte aligned). The host refuses sizes above `maxAlloc()`. */
export function alloc(size: usize): usize {
  return heap.alloc(size);
}

/** Frees a block returned by `alloc`. The host guarantees each block is freed once. */
export function free(ptr: usize): void {
  heap.free(ptr);
}

/** Largest block TLSF can hand out (BLOCK_MAXSIZE = 2^30 - block overhead). */
export function maxAlloc(): usize {
  return (1 << 30) - 64;
}
