// Deno entry (package.json "deno" condition): init() reads the .wasm next to the package.
import { initWith, type InitOptions } from "./runtime.js";

export * from "./core.js";
export type { InitOptions } from "./runtime.js";

declare const Deno: { readFile(path: URL | string): Promise<Uint8Array<ArrayBuffer>> };

/** Loads the kernels once (idempotent). `init({ module })` or `init(module)` takes a Module, bytes, URL, path or Response. */
export function init(options?: InitOptions): Promise<void> {
  return initWith(options, {
    defaultSource: async (build) => new URL(build === "relaxed-simd" ? "../build/wasmnn-relaxed.wasm" : "../build/wasmnn.wasm", import.meta.url),
    readFile: (location) => Deno.readFile(location),
  });
}
