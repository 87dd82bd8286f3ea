// Host-side accounting over the Wasm allocator (assembly/alloc.ts): every block the host holds goes through here, so
// `memory()` can report live bytes and oversize requests are refused before they reach it.

import { wasm } from "./runtime.js";

let liveBytes = 0;
let liveBlocks = 0;

/** Largest single block (~1 GiB): tensors beyond it are refused up front, well inside wasm32 4 GiB. */
export const MAX_BLOCK_BYTES = (1 << 30) - 64;

/** Allocates `bytes` (16-byte aligned) in linear memory; `what` names the request in errors. */
export function allocate(bytes: number, what: string): number {
  if (!Number.isFinite(bytes) || bytes < 0) throw new RangeError(`${what}: invalid size of ${bytes} bytes`);
  if (bytes > MAX_BLOCK_BYTES) {
    throw new RangeError(`${what} needs ${formatBytes(bytes)}, more than the ${formatBytes(MAX_BLOCK_BYTES)} a single wasm32 block can hold`);
  }
  // assembly/alloc.ts answers 0 when linear memory cannot grow (engine or 4 GiB limit); nothing changed then
  // an address past 2 GiB comes back from wasm as a negative i32: read it unsigned
  const ptr = wasm().alloc(Math.max(bytes, 16)) >>> 0;
  if (ptr === 0) {
    throw new RangeError(`${what}: out of memory allocating ${formatBytes(bytes)} (linear memory is ${formatBytes(wasm().memory.buffer.byteLength)})`);
  }
  liveBytes += bytes;
  liveBlocks++;
  return ptr;
}

export function release(ptr: number, bytes: number): void {
  wasm().free(ptr);
  liveBytes -= bytes;
  liveBlocks--;
}

export function allocatorStats(): { liveBytes: number; liveBlocks: number } {
  return { liveBytes, liveBlocks };
}

export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  return `${bytes} bytes`;
}

/** A scratch block that only grows; kernels share it between calls (never across a call). */
export class Workspace {
  #ptr = 0;
  #bytes = 0;
  constructor(private readonly what: string) {}
  get(bytes: number): number {
    if (bytes > this.#bytes) {
      this.dispose();
      this.#ptr = allocate(bytes, this.what);
      this.#bytes = bytes;
    }
    return this.#ptr;
  }
  dispose(): void {
    if (this.#bytes > 0) release(this.#ptr, this.#bytes);
    this.#ptr = 0;
    this.#bytes = 0;
  }
}
