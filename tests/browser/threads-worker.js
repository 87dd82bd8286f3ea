// tests/browser/index.html?threads=N&mode=worker: the conformance cases with a pool of N inside a module Worker.
import * as wasmnn from "/dist/browser.js";
import { runConformance } from "/tests/conformance/suite.js";

try {
  const bytes = new Uint8Array(await (await fetch("/tests/fixtures/seed_block.safetensors")).arrayBuffer());
  const result = await runConformance(wasmnn, bytes, { threads: Number(new URL(import.meta.url).searchParams.get("threads")) });
  result.workerCrossOriginIsolated = self.crossOriginIsolated;
  self.postMessage(result);
} catch (error) {
  self.postMessage({ failures: [String(error && error.stack || error)], hashes: {} });
}
