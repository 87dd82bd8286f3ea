// The cross-runtime conformance cases, in Node through the package's "node" entry; the hashes are
// written for tests/run.mjs, which compares them with Chromium's, Deno's and workerd's.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { expect, test } from "vitest";
// the built "node" entry itself (vitest aliases "wasmnn" to the source)
// @ts-ignore: dist/ is JavaScript (its types are dist/types/)
import * as wasmnn from "../dist/node.js";
// @ts-ignore: plain JavaScript shared with the other runtimes
import { runConformance, CASES } from "./conformance/suite.js";

test("conformance cases run in Node through the package entry and match PyTorch on the seed block", async () => {
  const bytes = readFileSync(new URL("./fixtures/seed_block.safetensors", import.meta.url));
  const result = await runConformance(wasmnn, bytes);
  expect(result.failures).toEqual([]);
  expect(Object.keys(result.hashes)).toHaveLength(Object.keys(CASES).length + 1);
  expect(result.seedMaxError).toBeLessThan(1e-4);
  const dir = new URL("../.test-output/", import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL("hashes-node.json", dir), JSON.stringify(result.hashes, null, 1));
});
