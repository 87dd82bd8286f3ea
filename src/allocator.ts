// Host-side accounting over the Wasm allocator (assembly/alloc.ts): every block the host holds goes through here, so
// `memory()` can report live bytes and oversize requests are refused before they reach it.

import { memoryMode, wasm } from "./runtime.js";

/**
 * What a block holds, for `memory()`'s breakdown: a module's parameters and buffers ("weights"),
 * kernel-ready copies of them (packed GEMM weights, Winograd-transformed weights, folded
 * Conv+BatchNorm weights: "packed"), scratch shared between calls ("workspaces"), and every other
 * tensor — inputs, outputs, intermediates, loaded state dicts ("activations").
 */
export type BlockKind = "weights" | "packed" | "workspaces" | "activations";
export type Breakdown = Record<BlockKind, number>;

let liveBytes = 0;
let liveBlocks = 0;
// per block: its size and kind (blocks are few enough: thousands, not millions)
const blocks = new Map<number, { bytes: number; kind: BlockKind }>();
const held: Breakdown = { weights: 0, packed: 0, workspaces: 0, activations: 0 };
let peakBytes = 0;
let peakHeld: Breakdown = { ...held };

/** Largest single block (~1 GiB): tensors beyond it are refused up front, well inside wasm32 4 GiB. */
export const MAX_BLOCK_BYTES = (1 << 30) - 64;

/** Allocates `bytes` (16-byte aligned) in linear memory; `what` names the request in errors. */
export function allocate(bytes: number, what: string, kind: BlockKind = "activations"): number {
  if (!Number.isFinite(bytes) || bytes < 0) throw new RangeError(`${what}: invalid size of ${bytes} bytes`);
  if (bytes > MAX_BLOCK_BYTES) {
    throw new RangeError(`${what} needs ${formatBytes(bytes)}, more than the ${formatBytes(MAX_BLOCK_BYTES)} a single wasm32 block can hold`);
  }
  // assembly/alloc.ts answers 0 when linear memory cannot grow (engine or 4 GiB limit); nothing changed then
  // an address past 2 GiB comes back from wasm as a negative i32: read it unsigned
  // Lean mode: the blocks made during a forward that outlive it — workspaces and folded biases (small
  // packed blocks) — go to the top of the free space, out of the way of the tensors freed around them
  // (LR-ASPP lean 32.5 -> 27.6 MiB, ResNet-18 60.1 -> 58.2). In fast mode the packed copies also grow
  // through the first forward, and first fit keeps every model lower (ResNet-18 99.6 against 100.9
  // MiB, LR-ASPP 42.6 against 44.9). bench/memory-vision.ts.
  const k = wasm();
  const high = memoryMode() === "lean" && (kind === "workspaces" || (kind === "packed" && bytes <= 65536));
  const ptr = (high ? k.allocHigh(Math.max(bytes, 16)) : k.alloc(Math.max(bytes, 16))) >>> 0;
  if (ptr === 0) {
    throw new RangeError(`${what}: out of memory allocating ${formatBytes(bytes)} (linear memory is ${formatBytes(wasm().memory.buffer.byteLength)})`);
  }
  liveBytes += bytes;
  liveBlocks++;
  blocks.set(ptr, { bytes, kind });
  held[kind] += bytes;
  if (liveBytes > peakBytes) {
    peakBytes = liveBytes;
    peakHeld = { ...held };
  }
  return ptr;
}

export function release(ptr: number, bytes: number): void {
  wasm().free(ptr);
  liveBytes -= bytes;
  liveBlocks--;
  const block = blocks.get(ptr);
  if (block !== undefined) {
    held[block.kind] -= block.bytes;
    blocks.delete(ptr);
  }
}

/** Files the block at `ptr` under another kind (a tensor that became a module's parameter or buffer). */
export function setKind(ptr: number, kind: BlockKind): void {
  const block = blocks.get(ptr);
  if (block === undefined || block.kind === kind) return;
  held[block.kind] -= block.bytes;
  held[kind] += block.bytes;
  block.kind = kind;
  if (liveBytes === peakBytes) peakHeld = { ...held };   // at the peak now: it is held as this kind
}

export function allocatorStats(): { liveBytes: number; liveBlocks: number; held: Breakdown; peakBytes: number; peakHeld: Breakdown } {
  return { liveBytes, liveBlocks, held: { ...held }, peakBytes, peakHeld: { ...peakHeld } };
}

/** Starts a new peak from what is live now. */
export function resetPeak(): void {
  peakBytes = liveBytes;
  peakHeld = { ...held };
}

export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  return `${bytes} bytes`;
}

const workspaces = new Set<Workspace>();

/**
 * A scratch block that only grows; kernels share it between calls (never across a call). Every
 * workspace is listed, so `releaseWorkspaces()` (run by a module's dispose()) returns them all.
 */
export class Workspace {
  #ptr = 0;
  #bytes = 0;
  constructor(private readonly what: string) {
    workspaces.add(this);
  }
  get(bytes: number): number {
    if (bytes > this.#bytes) {
      this.dispose();
      this.#ptr = allocate(bytes, this.what, "workspaces");
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

/** Frees every workspace (they grow back on demand): called between calls, never inside a kernel's. */
export function releaseWorkspaces(): void {
  for (const workspace of workspaces) workspace.dispose();
}
