import { wasm } from "./runtime.js";
import { allocatorStats } from "./allocator.js";
import { liveTensorCount } from "./tensor.js";

/**
 * Memory in use, for leak checks (as tf.memory()): the Wasm memory's size, the bytes the host
 * holds in the allocator (tensors, packed weights, workspaces) and the number of live tensor handles.
 */
export function memory(): { wasmBytes: number; liveBytes: number; liveTensors: number } {
  return {
    wasmBytes: wasm().memory.buffer.byteLength,
    liveBytes: allocatorStats().liveBytes,
    liveTensors: liveTensorCount(),
  };
}
