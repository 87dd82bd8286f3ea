// Cloudflare Workers entry (package.json "workerd"/"worker" conditions). Workers refuse to compile
// Wasm at run time, so the .wasm is imported as a precompiled WebAssembly.Module (wrangler and
// Miniflare bundle it as CompiledWasm); init() only instantiates it.
import wasmModule from "../build/wasmnn.wasm";
import { initWith, type InitOptions } from "./runtime.js";
import { loadWith, type LoadOptions, type LoadSource } from "./io/torch_load.js";

export * from "./core.js";
export type { InitOptions } from "./runtime.js";
export type { LoadOptions, LoadSource } from "./io/torch_load.js";

/**
 * Loads the kernels once (idempotent); call it at the top level of the worker or in fetch().
 * `{ relaxed: true }` keeps the default build here: only it is bundled as a module.
 */
export function init(options?: InitOptions): Promise<void> {
  return initWith(options, { defaultSource: async (build) => (build === "simd128" ? wasmModule : Promise.reject(new Error("no relaxed build in workerd"))) });
}

/**
 * torch.load(f, weights_only=True): a `.pt`/`.pth` file (zip or legacy format) as JavaScript values:
 * dicts are plain objects in insertion order (Maps where a key is not a string; integer-like string
 * keys enumerate first, as in any JS object), lists and tuples arrays, ints numbers (bigints past
 * 2^53), None null, tensors Tensors (floating point as float32, integers and bool as int64). Only
 * tensors and containers load: any other Python object (a pickled nn.Module, os.system) is refused.
 * float32 and int64 tensors read their data from `source`'s bytes when used (as safetensors.load):
 * keep them unchanged while the tensors are alive. Pass the bytes (a file path needs Node or Deno).
 */
export function load(source: LoadSource, options?: LoadOptions): any {
  return loadWith(source, options);
}
