#!/usr/bin/env node
// `npm test`: runs every suite and ends with one summary line, "N passed, N failed[, N skipped]".
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const totals = { passed: 0, failed: 0, skipped: 0 };
const suites = [];

function vitest() {
  const out = join(mkdtempSync(join(tmpdir(), "wasmnn-")), "vitest.json");
  const result = spawnSync("npx", ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile=${out}`, ...process.argv.slice(2)], { stdio: "inherit" });
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

suites.push(vitest());

for (const s of suites) {
  totals.passed += s.passed;
  totals.failed += s.failed;
  totals.skipped += s.skipped;
  console.log(`suite ${s.name}: ${s.passed} passed, ${s.failed} failed${s.skipped ? `, ${s.skipped} skipped` : ""}${s.note ? ` (${s.note})` : ""}`);
}
console.log(`${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ""}`);
process.exit(totals.failed > 0 ? 1 : 0);
