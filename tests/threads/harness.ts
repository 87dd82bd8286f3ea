// Thread bit-identity (issue #15): every case's output bits with the thread build at 1, 2, 3, 4 and
// 7 threads equal the single-thread build's. The reference runs in a child process (one process
// loads one build): tests/threads/reference.ts prints the cases' hashes with init({ threads: 1 }).
// Calls of any size are split here (setMinParallelWork(0)), so small shapes reach every task edge.
import { execFileSync } from "node:child_process";
import { init, nn, ones, randn, Tensor } from "../../src/index.js";

/** A case builds its inputs and module from a fixed seed and returns its outputs. */
export type Case = () => Tensor | Tensor[] | Promise<Tensor | Tensor[]>;
export type Cases = Record<string, Case>;

export const THREAD_COUNTS = [1, 2, 3, 4, 7];

/** FNV-1a of the outputs' float bits, with their shapes. */
export function hashOutputs(outputs: Tensor | Tensor[]): string {
  const list = Array.isArray(outputs) ? outputs : [outputs];
  return list.map((t) => {
    const bytes = new Uint8Array(new Float32Array(t.data() as Float32Array).buffer);
    let h = 0x811c9dc5;
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
    return `${t.shape.join("x")}:${h.toString(16).padStart(8, "0")}`;
  }).join(",");
}

export async function hashCases(cases: Cases): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, run] of Object.entries(cases)) out[name] = hashOutputs(await run());
  return out;
}

/** The single-thread build's hashes of the cases module at `casesPath` (a file path). */
export function referenceHashes(casesPath: string): Record<string, string> {
  const script = new URL("./reference.ts", import.meta.url).pathname;
  const stdout = execFileSync("npx", ["tsx", script, casesPath], { encoding: "utf8", maxBuffer: 64 << 20 });
  return JSON.parse(stdout.trim().split("\n").at(-1)!);
}

/** Runs `run` in lean memory mode (issue #13), then back to fast: lean cases beside fast ones. */
export async function inLean<T>(run: () => T): Promise<T> {
  await init({ memory: "lean" });
  try {
    return run();
  } finally {
    await init({ memory: "fast" });
  }
}

/** A BatchNorm with random statistics (from the current seed), so a Conv+BN fold changes the weights. */
export function randomBn(channels: number): nn.BatchNorm2d {
  const bn = new nn.BatchNorm2d(channels);
  bn.load_state_dict({
    weight: randn([channels]), bias: randn([channels]), running_mean: randn([channels]),
    running_var: randn([channels]).abs().add(ones([channels])),
  }, false);
  return bn;
}
