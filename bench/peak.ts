// `npm run bench:peak`: this machine's Wasm SIMD f32 throughput ceiling, from register-only
// f32x4 mul+add loops (generated here as AssemblyScript and compiled with asc). Prints GFLOP/s per variant;
// the best is "peak" for the "% of peak" column of `npm run bench`.
import { readFile, writeFile, mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

const ACCUMULATORS = [8, 10, 12, 14];

/**
 * chainN, in AssemblyScript: N independent accumulators, acc = acc * m + c: one f32x4.mul and one
 * f32x4.add per accumulator and step. The mul->add chain is ~6 cycles deep, so N >= 12 is needed to
 * keep a 2-FMUL + 2-FADD core (Zen 3) busy; 14 accumulators + 2 constants exceed the ~15 xmm
 * registers V8 leaves to Wasm and spill. The body is unrolled twice: V8 rematerialises the two v128
 * constants inside the loop (movq + vpunpcklqdq), and one copy per two steps costs less. `iters`
 * counts steps (even); flops per step: N * 4 lanes * 2.
 */
function chainSource(n: number): string {
  const acc = Array.from({ length: n }, (_, i) => `a${i}`);
  const step = acc.map((a) => `${a} = f32x4.add(f32x4.mul(${a}, m), c);`).join(" ");
  return `export function chain${n}(iters: i32, seed: f32): f32 {
  const m = f32x4.splat(0.999);
  const c = f32x4.splat(0.001);
  ${acc.map((a, i) => `let ${a} = f32x4.splat(seed + ${i});`).join(" ")}
  for (let i = 0; i < iters; i += 2) {
    ${step}
    ${step}
  }
  return f32x4.extract_lane(${acc.slice(1).reduce((sum, a) => `f32x4.add(${sum}, ${a})`, acc[0])}, 0);
}
`;
}

/**
 * Writes the chainN loops to bench/build/peak.as.ts and compiles them to bench/build/peak.wasm with
 * asc in a child process (so the bench process never compiles binaryen's large Wasm, which under
 * --no-liftoff would take seconds and under the default tiering competes for the background
 * compiler); returns the bytes.
 */
export async function compilePeak(): Promise<Uint8Array<ArrayBuffer>> {
  await mkdir(here("./build"), { recursive: true });
  const source = here("./build/peak.as.ts");
  await writeFile(source, ACCUMULATORS.map(chainSource).join("\n"));
  const out = here("./build/peak.wasm");
  const asc = join(dirname(createRequire(import.meta.url).resolve("assemblyscript/package.json")), "bin", "asc.js");
  const args = [asc, source, "--config", here("./peak.asconfig.json"), "--enable", "simd", "-O3", "--use", "abort=", "-o", out, "--textFile", here("./build/peak.wat")];
  await new Promise<void>((resolve, reject) => {
    const p = spawn(process.execPath, args, { stdio: ["ignore", "inherit", "pipe"] });
    let err = "";
    p.stderr.on("data", (d) => (err += d));
    p.on("error", reject);
    p.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`asc exited ${code}: ${err}`))));
  });
  return new Uint8Array(await readFile(out)) as Uint8Array<ArrayBuffer>;
}

export interface PeakResult {
  /** best GFLOP/s over variants and repeats */
  gflops: number;
  variants: Record<string, number>;
}

/** Runs each chainN variant for ~`ms` milliseconds a few times; returns the best GFLOP/s. */
export async function measurePeak(options: { repeats?: number; ms?: number } = {}): Promise<PeakResult> {
  const repeats = options.repeats ?? 5;
  const targetMs = options.ms ?? 150;
  const instance = (await WebAssembly.instantiate(await compilePeak(), {})).instance;
  const variants: Record<string, number> = {};
  for (const n of ACCUMULATORS) {
    const fn = instance.exports[`chain${n}`] as (iters: number, seed: number) => number;
    // warm up (tier-up to TurboFan) and size the run
    let iters = 100_000;
    for (;;) {
      const t = performance.now();
      fn(iters, 1);
      const dt = performance.now() - t;
      if (dt > targetMs / 4) { iters = 2 * Math.max(1, Math.round((iters * targetMs) / dt / 2)); break; } // even: the body does two steps
      iters *= 4;
    }
    let best = 0;
    for (let r = 0; r < repeats; r++) {
      const t = performance.now();
      const sink = fn(iters, 1 + r);
      const dt = performance.now() - t;
      if (!Number.isFinite(sink)) throw new Error("peak loop diverged");
      best = Math.max(best, (iters * n * 4 * 2) / dt / 1e6);
    }
    variants[`${n} accumulators`] = best;
  }
  return { gflops: Math.max(...Object.values(variants)), variants };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { gflops, variants } = await measurePeak();
  for (const [name, g] of Object.entries(variants)) console.log(`f32x4 mul+add, ${name.padEnd(16)} ${g.toFixed(1)} GFLOP/s`);
  console.log(`Wasm SIMD peak (1 thread): ${gflops.toFixed(1)} GFLOP/s`);
}
