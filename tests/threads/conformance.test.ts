// The cross-runtime conformance cases with a pool of 3 threads, in Node through the package's
// "node" entry: tests/run.mjs compares these hashes with the single-thread ones (bit-identity).
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { afterAll, expect, test } from "vitest";
// @ts-ignore: dist/ is JavaScript (its types are dist/types/)
import * as wasmnn from "../../dist/node.js";
// @ts-ignore: plain JavaScript shared with the other runtimes
import { runConformance, CASES } from "../conformance/suite.js";

afterAll(() => wasmnn.shutdown_threads());

test("conformance cases with 3 threads: the thread build, a pool of 3, PyTorch's seed block", async () => {
  const bytes = readFileSync(new URL("../fixtures/seed_block.safetensors", import.meta.url));
  const result = await runConformance(wasmnn, bytes, { threads: 3 });
  expect(result.failures).toEqual([]);
  expect(result.backend).toMatchObject({ shared: true, threads: 3, poolThreads: 3, reason: null });
  expect(Object.keys(result.hashes)).toHaveLength(Object.keys(CASES).length + 1);
  expect(result.seedMaxError).toBeLessThan(1e-4);
  const dir = new URL("../../.test-output/", import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL("hashes-node-threads.json", dir), JSON.stringify(result.hashes, null, 1));
});
