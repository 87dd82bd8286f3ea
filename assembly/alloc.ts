// The host's allocator over linear memory: address-ordered first fit over an explicit free list, with boundary tags
// so freed neighbours coalesce at once. Memory grows by exactly the pages a request lacks (growing
// wasm32 memory is cheap in every engine), not by doubling as AssemblyScript's TLSF does: a model's
// peak linear memory stays at its peak live bytes. Blocks are 16-byte aligned (v128 loads).
//
// block: [size u32 | free u32 | next free u32 | prev free u32] payload ... [size u32] (footer)
// `size` counts the whole block (a multiple of 16); allocated blocks leave next/prev unused.

const HEADER: usize = 16;
const FOOTER: usize = 16;   // keeps sizes multiples of 16; the size sits in its last 4 bytes
const MIN_SPLIT: usize = 64;
const PAGE: usize = 65536;

let heapStart: usize = 0;
let heapEnd: usize = 0;
let freeList: usize = 0;

// @ts-ignore: decorator
@inline function sizeOf(block: usize): usize { return <usize>load<u32>(block); }
// @ts-ignore: decorator
@inline function isFree(block: usize): bool { return load<u32>(block, 4) != 0; }
// @ts-ignore: decorator
@inline function nextOf(block: usize): usize { return <usize>load<u32>(block, 8); }
// @ts-ignore: decorator
@inline function prevOf(block: usize): usize { return <usize>load<u32>(block, 12); }

// @ts-ignore: decorator
@inline function setSize(block: usize, size: usize): void {
  store<u32>(block, <u32>size);
  store<u32>(block + size - 4, <u32>size);
}

function unlink(block: usize): void {
  const next = nextOf(block);
  const prev = prevOf(block);
  if (prev != 0) store<u32>(prev, <u32>next, 8); else freeList = next;
  if (next != 0) store<u32>(next, <u32>prev, 12);
  store<u32>(block, 0, 4);
}

function link(block: usize): void {
  store<u32>(block, 1, 4);
  store<u32>(block, <u32>freeList, 8);
  store<u32>(block, 0, 12);
  if (freeList != 0) store<u32>(freeList, <u32>block, 12);
  freeList = block;
}

function initHeap(): void {
  heapStart = (__heap_base + 15) & ~15;
  heapEnd = <usize>memory.size() * PAGE;
  if (heapEnd - heapStart >= HEADER + FOOTER + 16) {
    const block = heapStart;
    setSize(block, (heapEnd - heapStart) & ~15);
    heapEnd = block + sizeOf(block);
    link(block);
  } else {
    heapEnd = heapStart;
  }
}

/** Adds at least `bytes` of free space at the end of the heap; false when memory cannot grow. */
function grow(bytes: usize): bool {
  if (memory.grow(<i32>((bytes + PAGE - 1) / PAGE)) < 0) return false;
  const oldEnd = heapEnd;
  heapEnd = <usize>memory.size() * PAGE;
  insertFree(oldEnd, heapEnd - oldEnd);
  return true;
}

/** Makes [block, block + size) a free block, coalesced with free neighbours, and lists it. */
function insertFree(block: usize, size: usize): void {
  const next = block + size;
  if (next < heapEnd && isFree(next)) {
    unlink(next);
    size += sizeOf(next);
  }
  if (block > heapStart) {
    const previous = block - <usize>load<u32>(block - 4);
    if (isFree(previous)) {
      unlink(previous);
      size += sizeOf(previous);
      block = previous;
    }
  }
  setSize(block, size);
  link(block);
}

/** Allocates `size` bytes (16-byte aligned); 0 when linear memory cannot grow enough. */
export function alloc(size: usize): usize {
  if (heapStart == 0) initHeap();
  const need = ((max<usize>(size, 16) + 15) & ~15) + HEADER + FOOTER;
  for (let attempt = 0; attempt < 2; attempt++) {
    // first fit by address: the lowest free block that holds the request (packs long-lived blocks
    // made during a model's first forward down into the holes below; ResNet-18's peak 0.8 MB lower
    // than best fit, bench/memory.ts)
    let best: usize = 0;
    for (let block = freeList; block != 0; block = nextOf(block)) {
      if (sizeOf(block) >= need && (best == 0 || block < best)) best = block;
    }
    if (best != 0) {
      unlink(best);
      const blockSize = sizeOf(best);
      if (blockSize - need >= MIN_SPLIT) {
        setSize(best, need);
        const rest = best + need;
        setSize(rest, blockSize - need);
        link(rest);
      }
      store<u32>(best, 0, 4);
      return best + HEADER;
    }
    // the last block, if free, counts towards the growth
    let tail: usize = 0;
    if (heapEnd > heapStart) {
      const last = heapEnd - <usize>load<u32>(heapEnd - 4);
      if (isFree(last)) tail = sizeOf(last);
    }
    if (!grow(need - min(tail, need))) return 0;
  }
  return 0;
}

/**
 * Allocates a small block that outlives the tensors around it (a folded BatchNorm's bias, made at a
 * model's first forward) from the top of the highest free block that holds it, growing memory only
 * when none does: so it does not split the space short-lived tensors are freed into (LR-ASPP's lean
 * peak, bench/memory-vision.ts). 0 when linear memory cannot grow enough.
 */
export function allocHigh(size: usize): usize {
  if (heapStart == 0) initHeap();
  const need = ((max<usize>(size, 16) + 15) & ~15) + HEADER + FOOTER;
  let best: usize = 0;
  for (let block = freeList; block != 0; block = nextOf(block)) {
    if (sizeOf(block) >= need && block > best) best = block;
  }
  if (best == 0) return alloc(size);
  unlink(best);
  const blockSize = sizeOf(best);
  let taken = best;
  if (blockSize - need >= MIN_SPLIT) {
    // the low part stays free; the block takes the top
    setSize(best, blockSize - need);
    link(best);
    taken = best + blockSize - need;
    setSize(taken, need);
  }
  store<u32>(taken, 0, 4);
  return taken + HEADER;
}

/** Frees a block returned by `alloc` (the host frees each block once); neighbours coalesce. */
export function free(ptr: usize): void {
  if (ptr < heapStart + HEADER || ptr >= heapEnd) return;
  const block = ptr - HEADER;
  if (isFree(block)) return;
  insertFree(block, sizeOf(block));
}

/** Largest block the host asks for (the host refuses more before calling alloc). */
export function maxAlloc(): usize {
  return (1 << 30) - 64;
}
