// Runs tests/workerd/worker.js in Cloudflare's workerd (Miniflare) and checks its answers.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { makeChecks } from "./checks.mjs";
import { checkTop5, visionCheckpoint, VISION_IMAGE } from "./vision-example.mjs";

export async function runWorkerd(root) {
  const { check, result } = makeChecks("workerd");
  let Miniflare;
  try {
    ({ Miniflare } = await import("miniflare"));
  } catch (error) {
    return { name: "workerd", passed: 0, failed: 1, skipped: 0, note: `miniflare missing: ${error.message}` };
  }
  const mf = new Miniflare({
    modules: true,
    scriptPath: `${root}tests/workerd/worker.js`,
    modulesRoot: root,
    modulesRules: [
      { type: "ESModule", include: ["**/*.js"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
      { type: "Data", include: ["**/*.safetensors"] },
    ],
    compatibilityDate: "2026-04-01",
  });
  try {
    const conformance = await mf.dispatchFetch("http://localhost/conformance");
    const result = conformance.ok ? await conformance.json() : { failures: [await conformance.text()], hashes: {} };
    check("conformance cases run through the workerd entry", result.failures.length === 0, result.failures.join("; ").slice(0, 500));
    check("seed block matches PyTorch", result.seedMaxError !== null && result.seedMaxError <= 1e-4, `max abs error ${result.seedMaxError}`);
    mkdirSync(`${root}.test-output`, { recursive: true });
    writeFileSync(`${root}.test-output/hashes-workerd.json`, JSON.stringify(result.hashes, null, 1));

    // [threads] init({ threads: 4 }) in workerd: one thread, the reason, one warning, the same bits
    const threaded = await mf.dispatchFetch("http://localhost/conformance-threads");
    const got = threaded.ok ? await threaded.json() : { failures: [await threaded.text()], hashes: {} };
    check("threads: init({ threads: 4 }) runs one thread, says why (no Worker), same cases",
      got.failures.length === 0 && got.backend?.threads === 1 && /no Worker/.test(got.backend?.reason ?? "") &&
      got.warnings?.length === 1 && /init\(\{ threads: 4 \}\): running 1 thread/.test(got.warnings[0]),
      [JSON.stringify(got.backend), ...got.failures, ...(got.warnings ?? [])].join("; ").slice(0, 500));
    writeFileSync(`${root}.test-output/hashes-workerd-threads.json`, JSON.stringify(got.hashes, null, 1));

    // the seed block per request: bytes identical on every request, and memory stays flat
    const first = await mf.dispatchFetch("http://localhost/seed");
    const firstBytes = new Uint8Array(await first.arrayBuffer());
    check("GET /seed returns the [1, 64, 76, 57] output", first.ok && first.headers.get("x-shape") === "1,64,76,57", first.headers.get("x-shape") ?? String(first.status));
    let same = true;
    let wasmBytes = first.headers.get("x-wasm-bytes");
    for (let i = 0; i < 5; i++) {
      const again = await mf.dispatchFetch("http://localhost/seed");
      const bytes = new Uint8Array(await again.arrayBuffer());
      same &&= bytes.length === firstBytes.length && bytes.every((b, j) => b === firstBytes[j]);
      same &&= again.headers.get("x-wasm-bytes") === wasmBytes;
    }
    check("6 requests give identical bytes with flat linear memory", same, `${firstBytes.length} bytes, wasm memory ${wasmBytes}`);
    writeFileSync(`${root}.test-output/seed-workerd.bin`, firstBytes);
  } catch (error) {
    check("worker runs", false, error.stack ?? String(error));
  } finally {
    await mf.dispose();
  }
  await runWorkerExample(root, check, Miniflare);
  return result();
}

/**
 * examples/worker: `wrangler deploy --dry-run` bundles it; the bundle then runs in workerd with a
 * generated resnet18 checkpoint in its R2 binding (lean memory mode): 20 requests each give
 * torchvision's top-5 for the test image, and Wasm memory plus the weight bytes the worker holds stay
 * under 120 MB (a Worker isolate has 128 MB; Miniflare does not enforce it, so it is measured here).
 */
async function runWorkerExample(root, check, Miniflare) {
  const example = join(root, "examples/worker");
  const outdir = mkdtempSync(join(tmpdir(), "wasmnn-worker-"));
  // the example depends on "wasmnn": point its node_modules at this checkout
  mkdirSync(join(example, "node_modules"), { recursive: true });
  rmSync(join(example, "node_modules/wasmnn"), { force: true });
  symlinkSync(root, join(example, "node_modules/wasmnn"), "dir");
  let checkpoint;
  try {
    checkpoint = readFileSync(visionCheckpoint(root));   // [vision] the resnet18 fixture's weights
  } catch (error) {
    check("a resnet18 checkpoint for examples/worker", false, error.message);
    return;
  }
  const result = spawnSync(join(root, "node_modules/.bin/wrangler"), ["deploy", "--dry-run", "--outdir", outdir], {
    cwd: example, encoding: "utf8", timeout: 120_000,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1", NO_COLOR: "1" },
  });
  const files = result.status === 0 ? readdirSync(outdir) : [];
  const wasm = files.find((f) => f.endsWith(".wasm"));
  check("wrangler deploy --dry-run bundles examples/worker with the .wasm as a module (the weights come from R2)",
    result.status === 0 && wasm !== undefined && /MODEL/.test(result.stdout + result.stderr), (result.stderr ?? "").slice(0, 300));
  if (wasm === undefined) return;
  const bundleGzip = gzipSync(readFileSync(join(outdir, "index.js"))).length + gzipSync(readFileSync(join(outdir, wasm))).length;
  console.log(`    bundle: index.js ${statSync(join(outdir, "index.js")).size} B + ${wasm} ${statSync(join(outdir, wasm)).size} B, ${bundleGzip} B gzip`);
  const mf = new Miniflare({
    modules: true, scriptPath: join(outdir, "index.js"), modulesRoot: outdir,
    modulesRules: [{ type: "ESModule", include: ["**/*.js"] }, { type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2026-04-01",
    r2Buckets: ["MODEL"],
  });
  try {
    // R2's put takes an ArrayBuffer (Miniflare's proxy refuses a Node Buffer)
    await (await mf.getR2Bucket("MODEL")).put("model.safetensors", checkpoint.buffer.slice(checkpoint.byteOffset, checkpoint.byteOffset + checkpoint.byteLength));
    const image = readFileSync(join(root, VISION_IMAGE));
    let allTop5 = true;
    let detail = "";
    let peak = 0;
    const seen = [];
    for (let i = 0; i < 20; i++) {
      const response = await mf.dispatchFetch("http://localhost/", { method: "POST", body: image });
      const text = await response.text();
      const top5 = checkTop5(root, response.ok ? text : "");
      if (!top5.ok && allTop5) detail = `request ${i + 1}: ${response.ok ? top5.detail : `${response.status} ${text.slice(0, 200)}`}`;
      allTop5 &&= top5.ok;
      const wasmBytes = Number(response.headers.get("x-wasm-bytes"));
      const weightBytes = Number(response.headers.get("x-weight-bytes"));
      peak = Math.max(peak, wasmBytes + weightBytes);
      seen.push(`${(wasmBytes / 2 ** 20).toFixed(1)}${weightBytes > 0 ? `+${(weightBytes / 2 ** 20).toFixed(1)}` : ""}`);
    }
    check("the example worker (lean, weights from R2) classifies a PNG 20 times: torchvision's top-5", allTop5, detail || "20 of 20");
    console.log(`    worker memory per request, MiB (wasm + weight bytes held): ${seen.join(", ")}`);
    check("Wasm memory + weight bytes held stay under 120 MB over 20 requests", peak > 0 && peak < 120e6,
      `peak ${(peak / 1e6).toFixed(1)} MB (${(peak / 2 ** 20).toFixed(1)} MiB)`);
  } finally {
    await mf.dispose();
    rmSync(outdir, { recursive: true, force: true });
  }
}
