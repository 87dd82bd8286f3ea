// tests/browser/threads.html?mode=worker: the conformance cases with a pool of 3 inside a module Worker.
import * as wasmnn from "/dist/browser.js";
import { runConformance } from "/tests/conformance/suite.js";

try {
  const bytes = new Uint8Array(await (await fetch("/tests/fixtures/seed_block.safetensors")).arrayBuffer());
  const result = await runConformance(wasmnn, bytes, { threads: 3 });
  result.workerCrossOriginIsolated = self.crossOriginIsolated;
  self.postMessage(result);
} catch (error) {
  self.postMessage({ failures: [String(error && error.stack || error)], hashes: {} });
}
