#!/usr/bin/env node
// `npm run page`: bundles page/src/*.ts into page/dist/ with esbuild (rebuilding on change), then
// serves the repository root on 127.0.0.1 with COOP/COEP headers and prints the page's URL.
// The page imports "wasmnn" and "wasmnn/vision", kept external and resolved by the page's import map to
// the package's entries, /dist/browser.js and /dist/vision.js (`npm run build`; `npm ci` runs it).
//   PORT=8080 npm run page     a fixed port (default 8000, or a free one if that is taken)
import { context, build } from "esbuild";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath, pathToFileURL } from "node:url";
import { serve } from "../tests/runtimes/server.mjs";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** esbuild options for the page; `root` is the repository (ending in /). */
export function pageBuildOptions(root = ROOT) {
  return {
    absWorkingDir: root,
    entryPoints: ["page/src/main.ts"],
    outdir: "page/dist",
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    external: ["wasmnn", "wasmnn/vision"], // the import map's job: → /dist/browser.js, /dist/vision.js
    sourcemap: true,
    logLevel: "warning",
  };
}

/** Builds page/dist/main.js once. */
export async function buildPage(root = ROOT) {
  await build(pageBuildOptions(root));
}

async function portIsFree(port) {
  return new Promise((resolve) => {
    const probe = createServer().once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

async function main() {
  if (!existsSync(`${ROOT}dist/browser.js`) || !existsSync(`${ROOT}dist/vision.js`)) {
    console.log("dist/browser.js or dist/vision.js is missing: running npm run build first");
    execFileSync(process.execPath, [`${ROOT}scripts/build.mjs`], { cwd: ROOT, stdio: "inherit" });
  }
  if (!existsSync(`${ROOT}build/wasmnn.wasm`)) {
    console.error("build/wasmnn.wasm is missing: run `npm run asbuild` (npm ci does) first");
    process.exit(1);
  }
  const ctx = await context(pageBuildOptions(ROOT));
  await ctx.rebuild();
  await ctx.watch();
  const wanted = Number(process.env.PORT ?? 8000);
  const server = await serve(ROOT, (await portIsFree(wanted)) ? wanted : 0);
  console.log(`wasmnn page: http://127.0.0.1:${server.address().port}/page/`);
  console.log("(page/src is rebuilt on change; Ctrl-C stops)");
  const stop = () => {
    server.close();
    void ctx.dispose().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
