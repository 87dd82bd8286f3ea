// The size budget: what a user ships (dist JS + build/wasmnn.wasm) stays ≤ 150 KB raw and ≤ 50 KB gzip.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { expect, test } from "vitest";

const root = new URL("../", import.meta.url);

test("dist JS + .wasm within 150 KB raw and 50 KB gzip", () => {
  const files = readdirSync(new URL("dist/", root)).filter((f) => f.endsWith(".js")).map((f) => `dist/${f}`);
  files.push("build/wasmnn.wasm");
  let raw = 0;
  let gzip = 0;
  for (const file of files) {
    const bytes = readFileSync(new URL(file, root));
    raw += statSync(new URL(file, root)).size;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  console.log(`size: ${files.length} files, ${(raw / 1024).toFixed(1)} KiB raw, ${(gzip / 1024).toFixed(1)} KiB gzip`);
  expect(raw).toBeLessThanOrEqual(150 * 1024);
  expect(gzip).toBeLessThanOrEqual(50 * 1024);
});
