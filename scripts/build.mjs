#!/usr/bin/env node
// `npm run build`: dist/ = one ESM bundle per runtime entry (esbuild) + .d.ts types (tsc).
// Each bundle is the shared core plus a few lines of loading; the .wasm stays in build/ and is
// referenced as ../build/wasmnn.wasm (fetched, read, or imported as a module in workerd).
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = new URL("../", import.meta.url).pathname;

/** esbuild's options for the package's bundles (bench/cold-start.ts bundles the node entry the same way). */
export const BUNDLE_OPTIONS = {
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  // keepNames: module reprs print class names, as PyTorch's
  minify: true,
  keepNames: true,
  external: ["*.wasm", "node:*"],
  logLevel: "warning",
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  rmSync(`${root}dist`, { recursive: true, force: true });
  await build({
    ...BUNDLE_OPTIONS,
    absWorkingDir: root,
    // wasmnn/vision is a fifth entry: it imports the same core chunk, so it shares the instance
    // that the user's "wasmnn" import (any runtime entry) initialises; the core never imports it
    entryPoints: { node: "src/index.ts", browser: "src/browser.ts", deno: "src/deno.ts", workerd: "src/workerd.ts", vision: "src/vision/index.ts" },
    outdir: "dist",
    splitting: true,          // the four entries share one core chunk
    chunkNames: "core-[hash]",
  });
  execFileSync(`${root}node_modules/.bin/tsc`, ["-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
}
