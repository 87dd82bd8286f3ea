// Runs tests/workerd/worker.js in Cloudflare's workerd (Miniflare) and checks its answers.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";

export async function runWorkerd(root) {
  const checks = [];
  const check = (name, ok, detail = "") => {
    checks.push(ok);
    console.log(`  ${ok ? "✓" : "✗"} workerd: ${name}${detail ? ` (${detail})` : ""}`);
  };
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
  const passed = checks.filter(Boolean).length;
  return { name: "workerd", passed, failed: checks.length - passed, skipped: 0 };
}
