// Browser entry (package.json "browser" and "default" conditions): init() fetches the .wasm next to
// the package with `new URL(..., import.meta.url)`, the pattern Vite, webpack and Rollup rewrite.
import { initWith, type InitOptions } from "./runtime.js";

export * from "./core.js";
export type { InitOptions } from "./runtime.js";

/** Loads the kernels once (idempotent). `init({ module })` or `init(module)` takes a Module, bytes, URL or Response. */
export function init(options?: InitOptions): Promise<void> {
  return initWith(options, {
    defaultSource: async (build) => fetch(build === "relaxed-simd" ? new URL("../build/wasmnn-relaxed.wasm", import.meta.url) : new URL("../build/wasmnn.wasm", import.meta.url)),
  });
}
