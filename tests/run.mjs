#!/usr/bin/env node
// `npm test`: every suite — Node (vitest), Chromium, Deno, workerd — then the cross-runtime
// bit-identity check; ends with one summary line, "N passed, N failed[, N skipped]".
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runChromium } from "./runtimes/chromium.mjs";
import { runDeno } from "./runtimes/deno.mjs";
import { runWorkerd } from "./runtimes/workerd.mjs";
import { runPage } from "./runtimes/page.mjs";

const root = new URL("../", import.meta.url).pathname;
const RUNTIMES = ["node", "chromium", "deno", "workerd"];
// [threads] the same cases with a pool (and where threads cannot run: one thread, the same bits)
const THREADED = ["node-threads", "chromium-threads", "chromium-worker-threads", "chromium-not-isolated", "deno-threads", "workerd-threads"];
rmSync(join(root, ".test-output"), { recursive: true, force: true });

function vitest() {
  const out = join(mkdtempSync(join(tmpdir(), "wasmnn-")), "vitest.json");
  const result = spawnSync("npx", ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile=${out}`, ...process.argv.slice(2)], { stdio: "inherit", cwd: root });
  let report;
  try {
    report = JSON.parse(readFileSync(out, "utf8"));
  } catch {
    return { name: "node (vitest)", passed: 0, failed: 1, skipped: 0, note: `vitest exited ${result.status} without a report` };
  }
  // a file that failed without a failing test (an import or setup error) counts as one failure
  const brokenFiles = report.testResults.filter((file) => file.status === "failed" && !file.assertionResults.some((t) => t.status === "failed")).length;
  return {
    name: "node (vitest)",
    passed: report.numPassedTests,
    failed: report.numFailedTests + brokenFiles + (result.status !== 0 && report.numFailedTests + brokenFiles === 0 ? 1 : 0),
    skipped: report.numPendingTests + report.numTodoTests,
  };
}

/** The same inputs must give the same bits everywhere: compare every runtime's output hashes with Node's. */
function bitIdentity() {
  const present = [...RUNTIMES, ...THREADED].filter((r) => existsSync(join(root, `.test-output/hashes-${r}.json`)));
  const hashes = Object.fromEntries(present.map((r) => [r, JSON.parse(readFileSync(join(root, `.test-output/hashes-${r}.json`), "utf8"))]));
  const reference = hashes.node;
  let failed = 0;
  if (!reference) {
    console.log("✗ bit-identity: Node's hashes are missing");
    return { name: "bit-identity", passed: 0, failed: 1, skipped: 0 };
  }
  for (const runtime of present.filter((r) => r !== "node")) {
    const differing = Object.keys(reference).filter((name) => hashes[runtime][name] !== reference[name]);
    if (differing.length > 0) {
      failed++;
      console.log(`✗ bit-identity: ${runtime} differs from node in ${differing.join(", ")}`);
    }
  }
  // the worker's per-request seed block output is the same computation as the conformance seed case
  const seedBin = join(root, ".test-output/seed-workerd.bin");
  if (existsSync(seedBin)) {
    const bytes = readFileSync(seedBin);
    let h = 0x811c9dc5;
    for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
    const seedHash = `1x64x76x57:${h.toString(16).padStart(8, "0")}`;
    if (seedHash !== reference["seed block (PyTorch weights)"]) {
      failed++;
      console.log(`✗ bit-identity: the worker's /seed bytes (${seedHash}) differ from node's seed block`);
    }
  }
  const missing = [...RUNTIMES, ...THREADED].filter((r) => !present.includes(r));
  if (failed === 0) {
    console.log(`✓ bit-identity: ${Object.keys(reference).length} conformance outputs are bit-identical in ${present.join(", ")}${missing.length ? ` (not run: ${missing.join(", ")})` : ""}`);
  }
  return { name: "bit-identity", passed: failed === 0 ? 1 : 0, failed };
}

const suites = [vitest()];
console.log("\n== Chromium ==");
suites.push(await runChromium(root));
console.log("\n== the explorer page (Chromium) ==");
suites.push(await runPage(root));
console.log("\n== Deno ==");
suites.push(runDeno(root));
console.log("\n== workerd (Miniflare) ==");
suites.push(await runWorkerd(root));
console.log("\n== across runtimes ==");
suites.push({ skipped: 0, ...bitIdentity() });

const totals = { passed: 0, failed: 0, skipped: 0 };
console.log("");
for (const s of suites) {
  totals.passed += s.passed;
  totals.failed += s.failed;
  totals.skipped += s.skipped;
  console.log(`suite ${s.name}: ${s.passed} passed, ${s.failed} failed${s.skipped ? `, ${s.skipped} skipped` : ""}${s.note ? ` (${s.note})` : ""}`);
}
console.log(`${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ""}`);
process.exit(totals.failed > 0 ? 1 : 0);
