// Cloudflare Workers entry (package.json "workerd"/"worker" conditions). Workers refuse to compile
// Wasm at run time, so the .wasm is imported as a precompiled WebAssembly.Module (wrangler and
// Miniflare bundle it as CompiledWasm); init() only instantiates it.
import wasmModule from "../build/wasmnn.wasm";
import { initWith, type InitOptions } from "./runtime.js";

export * from "./core.js";
export type { InitOptions } from "./runtime.js";

/**
 * Loads the kernels once (idempotent); call it at the top level of the worker or in fetch().
 * `{ relaxed: true }` keeps the default build here: only it is bundled as a module.
 */
export function init(options?: InitOptions): Promise<void> {
  return initWith(options, { defaultSource: async (build) => (build === "simd128" ? wasmModule : Promise.reject(new Error("no relaxed build in workerd"))) });
}
