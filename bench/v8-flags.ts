// Imported first by bench/index.ts: makes sure the process runs with --no-liftoff, i.e. every
// Wasm function is compiled by TurboFan before the module is instantiated, instead of V8's
// default Liftoff-first, tier-up-when-hot. With the default, a hot kernel runs as Liftoff code
// (2.5–10× slower for SIMD) until its background TurboFan job lands; on this 2-core machine under
// load one engine ran 2.5–3.5× slow for a whole workload in some processes.
// --no-wasm-dynamic-tiering is no cure: it tiers *everything* up in the background, so big modules
// (onnxruntime-web's is 14 MB) keep running Liftoff code for seconds. --no-liftoff costs ~5 s of
// compilation at start and gives every engine its steady-state code from the first run.
//
// The flag must be on the command line (`npm run bench` passes it): V8 flags set later with
// v8.setFlagsFromString leave compilation in an inconsistent state (the peak loop then ran as
// Liftoff code, 10× slow). So when it is missing (e.g. `npx tsx bench/index.ts`), re-run this
// process with it. Cold start (bench/cold-child.mjs) runs in separate processes with V8's defaults.
// BENCH_DEFAULT_TIERING=1 keeps V8's default tiering (to compare).
import { spawn } from "node:child_process";

export const FLAG = "--no-liftoff";

// `--relaxed` (wasmnn's relaxed-SIMD build) needs Node 20's --experimental-wasm-relaxed-simd, also on the command line
const RELAXED_FLAG = "--experimental-wasm-relaxed-simd";
const wantRelaxed = process.argv.includes("--relaxed") && !process.execArgv.includes(RELAXED_FLAG);

if ((!process.execArgv.includes(FLAG) && !process.env.BENCH_DEFAULT_TIERING) || wantRelaxed) {
  const flags = [...process.execArgv, ...(process.execArgv.includes(FLAG) || process.env.BENCH_DEFAULT_TIERING ? [] : [FLAG]), ...(wantRelaxed ? [RELAXED_FLAG] : [])];
  const child = spawn(process.execPath, [...flags, ...process.argv.slice(1)], { stdio: "inherit" });
  const code = await new Promise<number>((resolve) => child.on("close", (c, signal) => resolve(c ?? (signal ? 1 : 0))));
  process.exit(code);
}
