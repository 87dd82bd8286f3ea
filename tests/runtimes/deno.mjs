// Runs tests/deno/*.test.ts with the npm-installed Deno; returns { passed, failed, skipped }.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

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
  return { name: "deno", passed: Number(summary[2]) + (exampleOk ? 1 : 0), failed: Number(summary[3]) + (exampleOk ? 0 : 1), skipped: 0 };
}
