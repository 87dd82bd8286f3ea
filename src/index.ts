// Node entry (package.json "node" condition): init() reads build/wasmnn.wasm beside the package.
import { readFileSync } from "node:fs";
import { initWith, type InitOptions, type ThreadSupport } from "./runtime.js";
import { loadWith, type LoadOptions, type LoadSource } from "./io/torch_load.js";

export * from "./core.js";
export type { InitOptions } from "./runtime.js";
export type { LoadOptions, LoadSource } from "./io/torch_load.js";

/** Loads the kernels once (idempotent). `init({ module })` or `init(module)` takes a Module, bytes, URL, path or Response. */
export function init(options?: InitOptions): Promise<void> {
  return initWith(options, {
    defaultSource: async (build, threaded) => new URL(`../build/wasmnn${threaded ? "-threads" : ""}${build === "relaxed-simd" ? "-relaxed" : ""}.wasm`, import.meta.url),
    readFile: async (location) => (await import("node:fs/promises")).readFile(location),
    threads: nodeThreads,
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
  return loadWith(source, options, readFileSync);
}

/** Node's pool threads: worker_threads over the shared memory, unref'd so the process exits with the pool alive. */
async function nodeThreads(): Promise<ThreadSupport> {
  const [{ Worker }, os] = await Promise.all([import("node:worker_threads"), import("node:os")]);
  return {
    cores: typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length,
    canBlock: true,
    spawn: (source) => {
      const worker = new Worker(source.node, { eval: true });
      return {
        postMessage: (message) => worker.postMessage(message),
        onMessage: (listener) => {
          worker.on("message", listener);
          worker.on("error", (error) => listener({ failed: String(error) }));
        },
        terminate: () => void worker.terminate(),
        // unref'd only once started: an unref'd worker's messages do not keep Node waiting for them
        started: () => worker.unref(),
      };
    },
  };
}
