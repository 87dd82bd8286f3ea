// Deno entry (package.json "deno" condition): init() reads the .wasm next to the package.
import { initWith, type InitOptions } from "./runtime.js";
import { webThreads } from "./threads/web.js";
import { loadWith, type LoadOptions, type LoadSource } from "./io/torch_load.js";

export * from "./core.js";
export type { InitOptions } from "./runtime.js";
export type { LoadOptions, LoadSource } from "./io/torch_load.js";

declare const Deno: { readFile(path: URL | string): Promise<Uint8Array<ArrayBuffer>>; readFileSync(path: URL | string): Uint8Array };

/** Loads the kernels once (idempotent). `init({ module })` or `init(module)` takes a Module, bytes, URL, path or Response. */
export function init(options?: InitOptions): Promise<void> {
  return initWith(options, {
    defaultSource: async (build, threaded) => new URL(`../build/wasmnn${threaded ? "-threads" : ""}${build === "relaxed-simd" ? "-relaxed" : ""}.wasm`, import.meta.url),
    readFile: (location) => Deno.readFile(location),
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
 * keep them unchanged while the tensors are alive. `source` may be a file path or file: URL.
 */
export function load(source: LoadSource, options?: LoadOptions): any {
  return loadWith(source, options, (path) => Deno.readFileSync(path));
}
