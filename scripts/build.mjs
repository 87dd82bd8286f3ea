#!/usr/bin/env node
// `npm run build`: dist/ = one ESM bundle per runtime entry (esbuild) + .d.ts types (tsc).
// Each bundle is the shared core plus a few lines of loading; the .wasm stays in build/ and is
// referenced as ../build/wasmnn.wasm (fetched, read, or imported as a module in workerd).
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";

const root = new URL("../", import.meta.url).pathname;
rmSync(`${root}dist`, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { node: "src/index.ts", browser: "src/browser.ts", deno: "src/deno.ts", workerd: "src/workerd.ts" },
  outdir: "dist",
  bundle: true,
  splitting: true,          // the four entries share one core chunk
  chunkNames: "core-[hash]",
  format: "esm",
  platform: "neutral",
  target: "es2022",
  // keepNames: module reprs print class names, as PyTorch's
  minify: true,
  keepNames: true,
  external: ["*.wasm", "node:*"],
  logLevel: "warning",
});
execFileSync(`${root}node_modules/.bin/tsc`, ["-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
