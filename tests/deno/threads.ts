// Deno with a pool of 3 (module Web Workers; crossOriginIsolated is undefined here and must not
// gate threads): the conformance cases' hashes for tests/run.mjs's bit-identity check.
// Run by tests/runtimes/deno.mjs as its own process (a process loads one build).
import * as wasmnn from "../../dist/deno.js";
import { runConformance } from "../conformance/suite.js";

declare const Deno: {
  readFile(path: URL): Promise<Uint8Array>;
  writeTextFile(path: URL, text: string): Promise<void>;
  mkdir(path: URL, options: { recursive: boolean }): Promise<void>;
  exit(code: number): never;
};

const bytes = await Deno.readFile(new URL("../fixtures/seed_block.safetensors", import.meta.url));
const result = await runConformance(wasmnn, bytes, { threads: 3 });
const dir = new URL("../../.test-output/", import.meta.url);
await Deno.mkdir(dir, { recursive: true });
await Deno.writeTextFile(new URL("hashes-deno-threads.json", dir), JSON.stringify(result.hashes, null, 1));
console.log(JSON.stringify({ backend: result.backend, failures: result.failures, crossOriginIsolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated ?? null }));
// the pool's workers would keep Deno alive: stop them (Deno has no unref for Workers)
wasmnn.shutdown_threads();
