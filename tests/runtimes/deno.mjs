// Runs tests/deno/*.test.ts with the npm-installed Deno; returns { passed, failed, skipped }.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { checkTop5, visionCheckpoint, VISION_IMAGE } from "./vision-example.mjs";

export function runDeno(root) {
  const deno = `${root}node_modules/.bin/deno`;
  if (!existsSync(deno)) return { name: "deno", passed: 0, failed: 1, skipped: 0, note: "node_modules/.bin/deno missing (npm ci installs it)" };
  const result = spawnSync(deno, ["test", "--no-check", "--no-config", "--allow-read", "--allow-write", "tests/deno/"], {
    cwd: root, encoding: "utf8", env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" }, timeout: 180_000,
  });
  const output = `${result.stdout}${result.stderr}`;
  process.stdout.write(output);
  const summary = /(ok|FAILED) \| (\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed/.exec(output);
  if (!summary) return { name: "deno", passed: 0, failed: 1, skipped: 0, note: `no summary (exit ${result.status})` };
  // examples/deno.ts, with "wasmnn" mapped to this checkout's deno entry
  const example = spawnSync(deno, ["run", "--no-config", "--import-map", "tests/deno/import_map.json", "--allow-read", "examples/deno.ts"], {
    cwd: root, encoding: "utf8", env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" }, timeout: 60_000,
  });
  const exampleOk = example.status === 0 && example.stdout.includes("-> [1, 64, 152, 114]");
  console.log(`  ${exampleOk ? "✓" : "✗"} deno: examples/deno.ts runs (${(example.stdout || example.stderr).trim().slice(0, 300)})`);
  // [vision] examples/deno-classify.ts: torchvision's top-5 for the test image with resnet18
  let classify;
  try {
    classify = spawnSync(deno, ["run", "--no-config", "--import-map", "tests/deno/import_map.json", "--allow-read",
      "examples/deno-classify.ts", VISION_IMAGE, visionCheckpoint(root)], {
      cwd: root, encoding: "utf8", env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" }, timeout: 120_000,
    });
  } catch (error) {
    classify = { status: null, stdout: "", stderr: error.message };
  }
  const top5 = checkTop5(root, classify.status === 0 ? classify.stdout : "");
  console.log(`  ${top5.ok ? "✓" : "✗"} deno: examples/deno-classify.ts prints torchvision's top-5 (${top5.ok ? top5.detail : (classify.stderr || top5.detail).trim().slice(0, 300)})`);
  // [threads] a pool of 3 module Workers (its own process: a process loads one build); the hashes go to the bit-identity check
  const threads = spawnSync(deno, ["run", "--no-check", "--no-config", "--allow-read", "--allow-write", "tests/deno/threads.ts"], {
    cwd: root, encoding: "utf8", env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" }, timeout: 120_000,
  });
  let threadsResult = null;
  try {
    threadsResult = JSON.parse(threads.stdout.trim().split("\n").pop());
  } catch {
    // reported below
  }
  const threadsOk = threads.status === 0 && threadsResult !== null && threadsResult.failures.length === 0 &&
    threadsResult.backend.shared === true && threadsResult.backend.threads === 3 && threadsResult.backend.poolThreads === 3;
  console.log(`  ${threadsOk ? "✓" : "✗"} deno: conformance cases with a pool of 3 Workers (${threadsOk ? `backend ${JSON.stringify(threadsResult.backend)}` : (threads.stderr || threads.stdout).trim().slice(0, 400)})`);
  const examples = (exampleOk ? 1 : 0) + (top5.ok ? 1 : 0) + (threadsOk ? 1 : 0);
  return { name: "deno", passed: Number(summary[2]) + examples, failed: Number(summary[3]) + 3 - examples, skipped: 0 };
}
