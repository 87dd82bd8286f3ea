// Node entry: init() reads build/wasmnn.wasm beside the package.
import { initFrom, type WasmSource } from "./runtime.js";

export * from "./core.js";

const wasmUrl = new URL("../build/wasmnn.wasm", import.meta.url);

/** Loads the kernels once (idempotent). `init({ module })` or `init(module)` takes any WasmSource. */
export function init(options?: WasmSource | { module?: WasmSource }): Promise<void> {
  const source = options !== null && typeof options === "object" && "module" in options && !(options instanceof URL)
    ? (options as { module?: WasmSource }).module
    : (options as WasmSource | undefined);
  return initFrom(source, {
    defaultSource: async () => wasmUrl,
    readFile: async (location) => (await import("node:fs/promises")).readFile(location),
  });
}
