// Node entry (package.json "node" condition): init() reads build/wasmnn.wasm beside the package.
import { initWith, type InitOptions } from "./runtime.js";

export * from "./core.js";
export type { InitOptions } from "./runtime.js";

/** Loads the kernels once (idempotent). `init({ module })` or `init(module)` takes a Module, bytes, URL, path or Response. */
export function init(options?: InitOptions): Promise<void> {
  return initWith(options, {
    defaultSource: async (build) => new URL(build === "relaxed-simd" ? "../build/wasmnn-relaxed.wasm" : "../build/wasmnn.wasm", import.meta.url),
    readFile: async (location) => (await import("node:fs/promises")).readFile(location),
  });
}
