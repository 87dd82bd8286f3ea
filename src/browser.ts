// Browser entry (package.json "browser" and "default" conditions): init() fetches the .wasm next to
// the package with `new URL(..., import.meta.url)`, the pattern Vite, webpack and Rollup rewrite.
import { initWith, type InitOptions } from "./runtime.js";
import { webThreads } from "./threads/web.js";
import { loadWith, type LoadOptions, type LoadSource } from "./io/torch_load.js";

export * from "./core.js";
export type { InitOptions } from "./runtime.js";
export type { LoadOptions, LoadSource } from "./io/torch_load.js";

/** Loads the kernels once (idempotent). `init({ module })` or `init(module)` takes a Module, bytes, URL or Response. */
export function init(options?: InitOptions): Promise<void> {
  return initWith(options, {
    // each URL spelled out whole: bundlers rewrite only literal new URL("...", import.meta.url)
    defaultSource: async (build, threaded) => fetch(threaded
      ? (build === "relaxed-simd" ? new URL("../build/wasmnn-threads-relaxed.wasm", import.meta.url) : new URL("../build/wasmnn-threads.wasm", import.meta.url))
      : (build === "relaxed-simd" ? new URL("../build/wasmnn-relaxed.wasm", import.meta.url) : new URL("../build/wasmnn.wasm", import.meta.url))),
    threads: webThreads,
  });
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
