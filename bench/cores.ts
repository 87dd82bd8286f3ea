// `node --no-liftoff --import tsx bench/cores.ts`: how fast each vCPU of this machine runs one
// kernel, alone and with the other vCPUs busy, so a multi-thread speed-up can be read against what
// the cores themselves allow. Each vCPU runs bench/cores-child.ts pinned with `taskset` (Linux): first
// one at a time, then all at once. On a shared cloud host one vCPU is often slowed by other tenants
// (seen here: 1.9 vs 3.2 ms); a job of N threads then waits for the slow one.
//
// The ceiling of N threads over 1 = (sum over vCPUs of 1 / its ms, all at once) / (1 / the fastest ms
// alone): the speed-up a perfectly split kernel with no overhead would reach, against one thread on
// the fastest vCPU.
import { spawnSync } from "node:child_process";
import { runJsonChild } from "./child-json.js";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";

export interface CoresReport {
  alone: number[];
  together: number[];
  ceiling: number;
}

const CHILD = fileURLToPath(new URL("./cores-child.ts", import.meta.url));

async function pinned(cpu: number, ms: number): Promise<number> {
  const { json } = await runJsonChild<{ ms: number }>("taskset", ["-c", String(cpu), process.execPath, "--no-liftoff", "--import", "tsx", CHILD, String(ms)])
    .catch((error: Error) => { throw new Error(`cores: cpu ${cpu}: ${error.message}`); });
  return json.ms;
}

/** null where `taskset` is missing (not Linux) or the machine has one vCPU. */
export async function measureCores(ms = 1500): Promise<CoresReport | null> {
  const cpus = availableParallelism();
  if (cpus < 2 || spawnSync("taskset", ["-c", "0", "true"]).status !== 0) return null;
  const ids = [...Array(cpus).keys()];
  const alone: number[] = [];
  for (const cpu of ids) alone.push(await pinned(cpu, ms));
  const together = await Promise.all(ids.map((cpu) => pinned(cpu, ms)));
  const ceiling = together.reduce((sum, t) => sum + 1 / t, 0) * Math.min(...alone);
  return { alone, together, ceiling };
}

export function coresText(r: CoresReport): string {
  const list = (a: number[]) => a.map((t, i) => `cpu${i} ${t.toFixed(2)}`).join(", ");
  return `alone ${list(r.alone)} ms; all at once ${list(r.together)} ms; ceiling of ${r.alone.length} threads over 1 on the fastest: ${r.ceiling.toFixed(2)}×`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await measureCores();
  console.log(r === null ? "cores: needs taskset (Linux) and 2+ vCPUs" : `conv 3×3 64 ch @56, 1 thread pinned to each vCPU: ${coresText(r)}`);
}
