import { wasm } from "./runtime.js";
import { allocatorStats, resetPeak, type Breakdown } from "./allocator.js";
import { liveTensorCount } from "./tensor.js";

export type { Breakdown as MemoryBreakdown };

export interface MemoryInfo {
  /** The Wasm memory's size: it never shrinks, so this is also its peak. */
  wasmBytes: number;
  /** Bytes the host holds in the allocator now (tensors, packed weights, workspaces). */
  liveBytes: number;
  /** Live tensor handles. */
  liveTensors: number;
  /** What holds `liveBytes`: weights (parameters, buffers), packed (kernel-ready copies of weights), workspaces, activations (every other tensor). */
  breakdown: Breakdown;
  /** The largest `liveBytes` since init (or the last `memory({ resetPeak: true })`). */
  peakBytes: number;
  /** What held the memory at that peak. */
  peakBreakdown: Breakdown;
}

/**
 * Memory in use, for leak checks (as tf.memory()) and for seeing what to cut: the Wasm memory's
 * size, the bytes the host holds and what holds them, now and at the peak. `{ resetPeak: true }`
 * starts a new peak after reading this one.
 */
export function memory(options?: { resetPeak?: boolean }): MemoryInfo {
  const stats = allocatorStats();
  const info: MemoryInfo = {
    wasmBytes: wasm().memory.buffer.byteLength,
    liveBytes: stats.liveBytes,
    liveTensors: liveTensorCount(),
    breakdown: stats.held,
    peakBytes: stats.peakBytes,
    peakBreakdown: stats.peakHeld,
  };
  if (options?.resetPeak === true) resetPeak();
  return info;
}
