// `npm run bench [-- --quick] [-- --filter <substring>] [-- --no-cold-start] [-- --vision] [-- --threads N]`
//   --quick          fewer rounds (smoke test); --filter: workloads whose name contains it
//                    (case-insensitive); --no-cold-start: skip the fresh-process cold start.
//   --threads N      every engine at N threads (wasmnn's pool, ort's numThreads, tfjs's
//                    setThreadsCount, which tfjs may refuse: the report says what it ran); wasmnn
//                    also runs each row at 1 thread in the same rounds (set_num_threads), for its
//                    own speed-up. Writes bench/RESULTS-threads-N.md.
//   A full, unfiltered run writes bench/RESULTS.md; others write bench/build/RESULTS.partial.md.
//
// wasmnn vs onnxruntime-web (wasm EP, 1 thread) vs tfjs-backend-wasm (1 thread) on the same
// inputs and weights, in one Node process. Per workload: build all three (weights copied from
// wasmnn's modules), check the outputs agree, warm up, then interleave rounds (each round runs
// every engine once, in an order rotated per round); report medians, GFLOP/s (2·MACs / time), the
// fraction of this machine's Wasm SIMD peak (bench/peak.ts), and wasmnn's speed-up over the best
// peer as the median of per-round ratios (the machine swings between speed regimes; ratios taken
// within a round cancel that). Writes the same tables to bench/RESULTS.md.
import "./v8-flags.js"; // first: before any Wasm compiles
import os from "node:os";
import { writeFile, readFile, mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { SUITE, type Workload } from "./suite.js";
import { init, buildWasmnn, type WasmnnCase } from "./engines/wasmnn.js";
import { backend, set_num_threads } from "../src/index.js";
import { buildOrt, ortVersion } from "./engines/ort.js";
import { buildTfjs, tfjsInfo, tfjsVersions } from "./engines/tfjs.js";
import { measurePeak } from "./peak.js";
import { runColdStart, phaseText, type ColdStartResult } from "./cold-start.js";
import { measureResnetMemory, type MemoryReport } from "./memory.js";
import { OP_SUITE, copyRunner, type OpWorkload } from "./ops.js";
import { measureCores, coresText } from "./cores.js";
import { timedTurn, turnCost, TURN_TEXT } from "./settle.js";

const args = process.argv.slice(2);
// --vision: whole torchvision models against onnxruntime-web instead (bench/vision.ts)
if (args.includes("--vision")) {
  await import("./vision.js");
  process.exit(0);
}
const quick = args.includes("--quick");
// --relaxed: wasmnn runs its opt-in relaxed-SIMD build (needs --experimental-wasm-relaxed-simd on Node 20; v8-flags.ts adds it)
const relaxed = args.includes("--relaxed");
const filterAt = args.indexOf("--filter");
const filter = filterAt >= 0 ? args[filterAt + 1] : undefined;
if (filterAt >= 0 && !filter) throw new Error("--filter needs a substring, e.g. --filter depthwise");
const threadsAt = args.indexOf("--threads");
const threads = threadsAt >= 0 ? Number(args[threadsAt + 1]) : 1;
if (!Number.isInteger(threads) || threads < 1) throw new Error(`--threads needs a positive integer, e.g. --threads 2, but got ${args[threadsAt + 1]}`);
process.env.BENCH_THREADS = String(threads);   // the peers' engines read it (bench/engines/ort.ts, tfjs.ts)
const coldStart = !args.includes("--no-cold-start") && threads === 1;

/** rounds: at least `minRounds`, more for fast workloads until ~budgetMs of measuring */
const cfg = quick
  ? { warmup: 2, minRounds: 5, maxRounds: 20, budgetMs: 400, peakRepeats: 2, coldRuns: 2 }
  : { warmup: 5, minRounds: 21, maxRounds: 300, budgetMs: 6000, peakRepeats: 5, coldRuns: 9 };

// wasmnn1: wasmnn at one thread of its pool, in the same rounds (only with --threads N > 1)
const ENGINES = ["wasmnn", "ort", "tfjs", "wasmnn1"] as const;
type Engine = (typeof ENGINES)[number];
const ENGINE_LABEL: Record<Engine, string> = { wasmnn: "wasmnn", ort: "onnxruntime-web", tfjs: "tfjs-wasm", wasmnn1: "wasmnn, 1 thread" };

interface Runner { run(): void | Promise<void> }

interface Row {
  name: string;
  macs: number;
  ms: Partial<Record<Engine, number>>;
  ratio: number | null;
  /** median over rounds of wasmnn's 1-thread time / its N-thread time (--threads N > 1) */
  scaling: number | null;
  rounds: number;
  check: { maxAbs: number; diff: Partial<Record<Engine, number>> };
  errors: Partial<Record<Engine, string>>;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** An engine's turn in the interleaved rounds (bench/settle.ts: with threads, gap, untimed run, timed run). */
const timeAfterGap = (r: Runner): Promise<number> => timedTurn(() => r.run(), threads > 1);

const maxAbsDiff = (a: Float32Array, b: Float32Array): number => {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};
const errText = (e: unknown): string => (e instanceof Error ? e.message : typeof e === "object" && e && "message" in e ? String((e as { message: unknown }).message) : String(e)).split("\n")[0].slice(0, 200);

async function benchWorkload(w: Workload, index: number): Promise<Row> {
  const wn: WasmnnCase = buildWasmnn(w, 1000 + index);
  const runners: Partial<Record<Engine, Runner & { dispose(): void | Promise<void> }>> = { wasmnn: wn, ...oneThread(wn) };
  const errors: Row["errors"] = {};
  const ref = wn.output();
  const check: Row["check"] = { maxAbs: ref.reduce((m, v) => Math.max(m, Math.abs(v)), 0), diff: {} };
  try {
    const o = await buildOrt(wn.weights, w.input, wn.inputData);
    check.diff.ort = maxAbsDiff(ref, await o.output());
    runners.ort = o;
  } catch (e) { errors.ort = errText(e); }
  try {
    const t = await buildTfjs(wn.weights, w.input, wn.inputData, wn.outShape);
    check.diff.tfjs = maxAbsDiff(ref, t.output());
    runners.tfjs = t;
  } catch (e) { errors.tfjs = errText(e); }

  const { ms, ratio, scaling, rounds } = await interleave(runners);
  return { name: w.name, macs: wn.macs, ms, ratio, scaling, rounds, check, errors };
}

/** With --threads N > 1: the same wasmnn runner at one thread (set_num_threads around its call). */
function oneThread(r: Runner): { wasmnn1?: Runner & { dispose(): void } } {
  if (threads === 1) return {};
  return {
    wasmnn1: {
      run: () => {
        set_num_threads(1);
        try { return r.run(); } finally { set_num_threads(threads); }
      },
      dispose: () => {},
    },
  };
}

/**
 * Warm-up, then rounds in which every engine runs once (order rotated per round); disposes the
 * runners. Returns the median times and the median over rounds of (fastest peer / wasmnn).
 */
async function interleave(runners: Partial<Record<Engine, Runner & { dispose(): void | Promise<void> }>>): Promise<{ ms: Row["ms"]; ratio: number | null; scaling: number | null; rounds: number }> {
  const active = ENGINES.filter((e) => runners[e] && (!process.env.BENCH_ONLY || process.env.BENCH_ONLY.split(",").includes(e)));
  // warm-up, interleaved; the last round sizes the measurement
  let roundMs = 0;
  for (let i = 0; i < cfg.warmup; i++) {
    roundMs = 0;
    for (const e of active) roundMs += turnCost(await timeAfterGap(runners[e]!), threads > 1);
  }
  const rounds = Math.max(cfg.minRounds, Math.min(cfg.maxRounds, Math.ceil(cfg.budgetMs / Math.max(roundMs, 1e-3))));
  const times: Record<Engine, number[]> = { wasmnn: [], ort: [], tfjs: [], wasmnn1: [] };
  const ratios: number[] = [];
  const scalings: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const now: Partial<Record<Engine, number>> = {};
    for (let j = 0; j < active.length; j++) {
      const e = active[(r + j) % active.length];
      now[e] = await timeAfterGap(runners[e]!);
      times[e].push(now[e]!);
    }
    const peers = active.filter((e) => e !== "wasmnn" && e !== "wasmnn1").map((e) => now[e]!);
    if (peers.length) ratios.push(Math.min(...peers) / now.wasmnn!);
    if (now.wasmnn1 !== undefined) scalings.push(now.wasmnn1 / now.wasmnn!);
  }
  for (const e of active) await runners[e]!.dispose();
  const ms: Row["ms"] = {};
  for (const e of active) ms[e] = median(times[e]);
  return { ms, ratio: ratios.length ? median(ratios) : null, scaling: scalings.length ? median(scalings) : null, rounds };
}

interface OpRow extends Row {
  bytes: number;
  /** wasmnn's copy of the output's bytes in its own memory (the floor of a memory-bound op), median ms */
  copyMs: number;
  copyBytes: number;
}

/** One of issue #11's op workloads: same input in all three engines, agreement check, interleaved rounds. */
async function benchOp(w: OpWorkload, index: number): Promise<OpRow> {
  const built = w.wasmnn(2000 + index);
  const runners: Partial<Record<Engine, Runner & { dispose(): void | Promise<void> }>> = { wasmnn: built.runner, ...oneThread(built.runner) };
  const errors: Row["errors"] = {};
  const ref = await built.runner.output();
  const check: Row["check"] = { maxAbs: ref.reduce((m, v) => Math.max(m, Math.abs(v)), 0), diff: {} };
  for (const [engine, build] of [["ort", w.ort], ["tfjs", w.tfjs]] as const) {
    try {
      const r = await build(built.input);
      check.diff[engine] = maxAbsDiff(ref, await r.output());
      runners[engine] = r;
    } catch (e) { errors[engine] = errText(e); }
  }
  const { ms, ratio, scaling, rounds } = await interleave(runners);
  // the floor: the output's bytes copied once in wasmnn's memory (read + write, like the op's output)
  const copy = copyRunner(ref.length * 4);
  const copyTimes: number[] = [];
  for (let i = 0; i < cfg.warmup + rounds; i++) { const t = await timedTurn(() => copy.run(), false); if (i >= cfg.warmup) copyTimes.push(t); }
  copy.dispose();
  return { name: w.name, macs: w.macs, bytes: w.bytes, ms, ratio, scaling, rounds, check, errors, copyMs: median(copyTimes), copyBytes: 2 * ref.length * 4 };
}

function opTable(rows: OpRow[]): string {
  const gbs = (bytes: number, ms: number | undefined) => (ms === undefined ? "n/a" : (bytes / ms / 1e6).toFixed(1));
  const lines = [
    "| op | wasmnn ms | ort ms | tfjs ms | wasmnn GB/s | copy of the output: ms | copy GB/s | wasmnn GFLOP/s | wasmnn vs best peer |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const r of rows) {
    lines.push(`| ${[
      r.name, fmtMs(r.ms.wasmnn), fmtMs(r.ms.ort), fmtMs(r.ms.tfjs), gbs(r.bytes, r.ms.wasmnn), fmtMs(r.copyMs), gbs(r.copyBytes, r.copyMs),
      r.macs ? fmtG(gflops(r.macs, r.ms.wasmnn)) : "—", r.ratio === null ? "n/a" : `${r.ratio.toFixed(2)}×`,
    ].join(" | ")} |`);
  }
  return lines.join("\n");
}

// ---- formatting ------------------------------------------------------------------------------
const fmtMs = (v: number | undefined) => (v === undefined ? "n/a" : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const gflops = (macs: number, ms: number | undefined) => (ms === undefined ? undefined : (2 * macs) / ms / 1e6);
const fmtG = (v: number | undefined) => (v === undefined ? "n/a" : v.toFixed(1));
const pct = (v: number | undefined, peak: number) => (v === undefined ? "n/a" : `${((100 * v) / peak).toFixed(0)} %`);
const fmtE = (v: number | undefined) => (v === undefined ? "n/a" : v === 0 ? "0" : v.toExponential(1));

function speedTable(rows: Row[], peak: number): string {
  const head = [
    "workload", "MMACs", "wasmnn ms", "ort ms", "tfjs ms", "wasmnn GFLOP/s", "ort GFLOP/s", "tfjs GFLOP/s",
    "wasmnn % of peak", "best peer % of peak", "wasmnn vs best peer",
    ...(threads > 1 ? ["wasmnn 1-thread ms", `wasmnn ${threads} threads vs 1`] : []),
  ];
  const lines = [`| ${head.join(" | ")} |`, `|${head.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`];
  for (const r of rows) {
    const g = Object.fromEntries(ENGINES.map((e) => [e, gflops(r.macs, r.ms[e])])) as Record<Engine, number | undefined>;
    const peerG = [g.ort, g.tfjs].filter((v): v is number => v !== undefined);
    const best = peerG.length ? Math.max(...peerG) : undefined;
    lines.push(`| ${[
      r.name, (r.macs / 1e6).toFixed(1), fmtMs(r.ms.wasmnn), fmtMs(r.ms.ort), fmtMs(r.ms.tfjs),
      fmtG(g.wasmnn), fmtG(g.ort), fmtG(g.tfjs), pct(g.wasmnn, peak), pct(best, peak),
      r.ratio === null ? "n/a" : `${r.ratio.toFixed(2)}×`,
      ...(threads > 1 ? [fmtMs(r.ms.wasmnn1), r.scaling === null ? "n/a" : `**${r.scaling.toFixed(2)}×**`] : []),
    ].join(" | ")} |`);
  }
  return lines.join("\n");
}

function checkTable(rows: Row[]): string {
  const lines = [
    "| workload | rounds | max \\|wasmnn out\\| | max abs diff ort | max abs diff tfjs | agree |",
    "|---|---:|---:|---:|---:|---|",
  ];
  for (const r of rows) {
    const diffs = [r.check.diff.ort, r.check.diff.tfjs].filter((v): v is number => v !== undefined);
    const tol = 1e-4 * Math.max(1, r.check.maxAbs);
    const ok = diffs.every((d) => d <= tol);
    const errs = Object.entries(r.errors).map(([e, m]) => `${e}: ${m}`).join("; ");
    lines.push(`| ${r.name} | ${r.rounds} | ${r.check.maxAbs.toPrecision(3)} | ${fmtE(r.check.diff.ort)} | ${fmtE(r.check.diff.tfjs)} | ${ok ? "yes" : "**NO**"}${errs ? ` (${errs})` : ""} |`);
  }
  return lines.join("\n");
}

function coldTable(c: ColdStartResult): string {
  const lines = [
    "| engine | import → first seed-block result (median) | min | max | phases, ms (medians) | whole process, spawn → exit (median) | runs |",
    "|---|---:|---:|---:|---|---:|---:|",
  ];
  for (const [e, r] of Object.entries(c)) {
    if ("error" in r) lines.push(`| ${ENGINE_LABEL[e as Engine] ?? e} | failed: ${r.error} | | | | | |`);
    else lines.push(`| ${ENGINE_LABEL[e as Engine] ?? e} | **${r.median.toFixed(0)} ms** | ${r.min.toFixed(0)} ms | ${r.max.toFixed(0)} ms | ${phaseText(r.phases, r.median)} | ${r.processMedian.toFixed(0)} ms | ${r.runs} |`);
  }
  return lines.join("\n");
}

function memoryText(m: MemoryReport): string {
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  return [
    `| ResNet-18 224×224 (wasmnn, fresh process) | |`,
    `|---|---:|`,
    `| Wasm memory after init | ${mb(m.afterInit)} |`,
    `| live bytes after building the model (weights + buffers) | ${mb(m.builtLive)} |`,
    `| Wasm memory after the first forward | ${mb(m.firstForwardWasm)} |`,
    `| **peak linear memory** (Wasm memory after ${m.forwards} forwards; it never shrinks) | **${mb(m.peakWasm)}** |`,
    `| live bytes after the forwards (weights + cached packed weights + workspace) | ${mb(m.liveAfter)} |`,
    `| issue 6's bound: weights + packed weights + workspace (= the live bytes above) + three largest activations (${mb(m.top3ActivationBytes)}) | ${mb(m.liveAfter + m.top3ActivationBytes)} |`,
    `| peak within the bound | ${m.peakWasm <= m.liveAfter + m.top3ActivationBytes ? "yes" : "no"} |`,
  ].join("\n");
}

// ---- main ------------------------------------------------------------------------------------
async function main(): Promise<void> {
  const started = performance.now();
  const matches = (name: string) => !filter || name.toLowerCase().includes(filter.toLowerCase());
  const workloads = SUITE.filter((w) => matches(w.name));
  const opWorkloads = OP_SUITE.filter((w) => matches(w.name));
  if (!workloads.length && !opWorkloads.length) throw new Error(`--filter ${filter}: no workload matches; names: ${[...SUITE, ...OP_SUITE].map((w) => w.name).join(", ")}`);

  await init({ relaxed, threads });
  if (backend().threads !== threads) throw new Error(`--threads ${threads}: wasmnn runs ${backend().threads} (${backend().reason})`);
  if (relaxed && backend().build !== "relaxed-simd") throw new Error("--relaxed: this engine did not accept the relaxed-SIMD build");
  const pkg = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  const cpu = os.cpus();
  const tv = tfjsVersions();
  const machine = {
    cpu: `${cpu[0]?.model ?? "?"} (${cpu.length} cores)`,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    versions: `wasmnn ${pkg.version}, onnxruntime-web ${ortVersion()}, @tensorflow/tfjs-core ${tv.core}, @tensorflow/tfjs-backend-wasm ${tv.wasm}`,
  };
  console.log(`machine: ${machine.cpu}; ${machine.os}; Node ${machine.node}`);
  console.log(`engines: ${machine.versions}`);
  console.log(`mode: ${quick ? "--quick" : "full"}${filter ? `, --filter ${filter}` : ""}${relaxed ? ", wasmnn relaxed-SIMD build" : ""}, ${threads} thread${threads > 1 ? "s" : ""}\n`);

  // the peak is a ceiling: measured at the start and again at the end, the better of the two counts
  const peakStart = await measurePeak({ repeats: cfg.peakRepeats });
  console.log(`Wasm SIMD peak (register-only f32x4 mul+add, 1 thread): ${peakStart.gflops.toFixed(1)} GFLOP/s (${Object.entries(peakStart.variants).map(([k, v]) => `${k}: ${v.toFixed(1)}`).join(", ")})\n`);

  // threads: what the vCPUs allow right now (one is often slowed by other tenants), before and after
  const coresStart = threads > 1 ? await measureCores() : null;
  if (coresStart) console.log(`vCPUs (bench/cores.ts): ${coresText(coresStart)}\n`);

  const rows: Row[] = [];
  for (const w of workloads) {
    const row = await benchWorkload(w, SUITE.indexOf(w));
    rows.push(row);
    const g = (e: Engine) => fmtG(gflops(row.macs, row.ms[e]));
    console.log(`${row.name.padEnd(38)} wasmnn ${fmtMs(row.ms.wasmnn).padStart(6)} ms  ort ${fmtMs(row.ms.ort).padStart(6)} ms  tfjs ${fmtMs(row.ms.tfjs).padStart(6)} ms` +
      `  | GFLOP/s ${g("wasmnn")}/${g("ort")}/${g("tfjs")}  | ×${row.ratio?.toFixed(2) ?? "n/a"}${threads > 1 ? `  | 1 thread ${fmtMs(row.ms.wasmnn1)} ms, ×${row.scaling?.toFixed(2)} with ${threads}` : ""}  | diff ort ${fmtE(row.check.diff.ort)} tfjs ${fmtE(row.check.diff.tfjs)} (max|y| ${row.check.maxAbs.toPrecision(3)})` +
      `${Object.keys(row.errors).length ? `  errors: ${JSON.stringify(row.errors)}` : ""}`);
  }
  const opRows: OpRow[] = [];
  for (const w of opWorkloads) {
    const row = await benchOp(w, OP_SUITE.indexOf(w));
    opRows.push(row);
    console.log(`${row.name.padEnd(38)} wasmnn ${fmtMs(row.ms.wasmnn).padStart(6)} ms  ort ${fmtMs(row.ms.ort).padStart(6)} ms  tfjs ${fmtMs(row.ms.tfjs).padStart(6)} ms` +
      `  | copy ${fmtMs(row.copyMs)} ms  | ×${row.ratio?.toFixed(2) ?? "n/a"}  | diff ort ${fmtE(row.check.diff.ort)} tfjs ${fmtE(row.check.diff.tfjs)} (max|y| ${row.check.maxAbs.toPrecision(3)})` +
      `${Object.keys(row.errors).length ? `  errors: ${JSON.stringify(row.errors)}` : ""}`);
  }
  const tfInfo = await tfjsInfo();

  let cold: ColdStartResult | null = null;
  let mem: MemoryReport | null = null;
  if (coldStart && (!filter || "seed stem block".includes(filter.toLowerCase()) || filter.toLowerCase().includes("cold"))) {
    console.log(`\ncold start (${cfg.coldRuns} fresh Node processes per engine) ...`);
    cold = await runColdStart({ runs: cfg.coldRuns });
  }
  if (!filter || "resnet-18 224×224".includes(filter.toLowerCase())) mem = await measureResnetMemory();

  const coresEnd = threads > 1 ? await measureCores() : null;
  if (coresEnd) console.log(`\nvCPUs again: ${coresText(coresEnd)}`);
  const peakEnd = await measurePeak({ repeats: cfg.peakRepeats });
  const peak = peakEnd.gflops > peakStart.gflops ? peakEnd : peakStart;
  console.log(`\nWasm SIMD peak again: ${peakEnd.gflops.toFixed(1)} GFLOP/s; using ${peak.gflops.toFixed(1)} GFLOP/s`);
  const speed = speedTable(rows, peak.gflops);
  const checks = checkTable([...rows, ...opRows]);
  const ops = opRows.length ? opTable(opRows) : "";
  if (ops) console.log(`\n${ops}`);
  console.log(`\n${speed}\n\nAgreement (weights copied from wasmnn's modules; tolerance 1e-4 · max(1, max|out|)):\n\n${checks}`);
  if (cold) console.log(`\nCold start:\n\n${coldTable(cold)}`);
  if (mem) console.log(`\nMemory:\n\n${memoryText(mem)}`);
  const minutes = (performance.now() - started) / 60000;
  console.log(`\nbench took ${minutes.toFixed(1)} min`);

  const md = [
    "# wasmnn benchmark",
    "",
    `Generated by \`npm run bench${args.length ? ` -- ${args.join(" ")}` : ""}\` on ${new Date().toISOString().slice(0, 10)} (${minutes.toFixed(1)} min).`,
    "",
    `- Machine: ${machine.cpu}, ${machine.os}`,
    `- Node ${machine.node}`,
    `- Engines: ${machine.versions}`,
    `- onnxruntime-web: wasm execution provider, \`env.wasm.numThreads = ${threads}\`, graphOptimizationLevel "all" (fuses Conv+BN+ReLU); ONNX graphs built in TypeScript (bench/onnx.ts); the timed call is \`session.run\` (it copies the input into and the output out of its heap).`,
    `- tfjs-backend-wasm: \`setThreadsCount(${threads})\` before \`setBackend("wasm")\` (${tfInfo}); NHWC input prepared beforehand; BatchNorm folded into the conv (as tfjs-converter does), \`tf.fused.conv2d\` / \`tf.fused.depthwiseConv2d\` with bias + ReLU; grouped conv as split + per-group conv + concat; reflect as \`mirrorPad\` + conv.`,
    `- wasmnn: \`module.eval()\`, timed \`module.forward(x)\` + \`dispose()\` of the output; \`init({ threads: ${threads} })\` (${JSON.stringify(backend())})${threads > 1 ? `. "wasmnn 1-thread ms": the same module with \`set_num_threads(1)\`, in the same rounds; "${threads} threads vs 1" = median over rounds of its 1-thread time / its ${threads}-thread time` : ""}.`,
    `- Method: batch 1, float32, ${cfg.warmup} interleaved warm-up rounds, then ≥ ${cfg.minRounds} rounds (up to ${cfg.maxRounds}, ~${cfg.budgetMs / 1000} s per workload); each round runs every engine once, order rotated per round. ms = median. GFLOP/s = 2·MACs / median time (MACs of convolutions and fc only). "wasmnn vs best peer" = median over rounds of (fastest peer's time in that round / wasmnn's time): > 1 means wasmnn is faster.`,
    `- Wasm SIMD peak (bench/peak.ts, register-only f32x4 mul+add, 1 thread; best of a measurement before and after the workloads): **${peak.gflops.toFixed(1)} GFLOP/s** (${Object.entries(peak.variants).map(([k, v]) => `${k}: ${v.toFixed(1)}`).join(", ")}). "% of peak" = GFLOP/s / peak; a kernel that does fewer multiplies than the direct convolution (Winograd) can exceed 100 %.`,
    ...(threads > 1 ? [`- ${TURN_TEXT} The turn counts in the ~${cfg.budgetMs / 1000} s budget, so threaded rows have fewer rounds.`] : []),
    ...(coresStart && coresEnd ? [`- vCPUs (bench/cores.ts: conv 3×3 64 ch @56 on one thread pinned to each vCPU with \`taskset\`, alone, then all at once; the ceiling is what a perfectly split kernel could gain over one thread on the fastest vCPU): before the workloads ${coresText(coresStart)}; after ${coresText(coresEnd)}.`] : []),
    process.execArgv.includes("--no-liftoff")
      ? "- V8: the bench process runs with `--no-liftoff` (every engine's Wasm compiled by TurboFan before its first run; see bench/v8-flags.ts)."
      : "- V8: default tiering (BENCH_DEFAULT_TIERING=1): Liftoff first, TurboFan when hot — engines may run baseline code for part of a workload.",
    "",
    "## Speed",
    "",
    speed,
    "",
    ...(ops ? ["## Ops (issue #11)", "",
      "One op each (bench/ops.ts), batch 1, same input and weights in every engine, interleaved like the rows above. GB/s = the bytes the op must read and write once (inputs, weights, output) / median time. \"copy of the output\" = wasmnn's memory copy of the output's bytes (read + write), the floor a memory-bound op can approach. Peers run what their converters emit where they lack the op: tfjs SiLU = x·sigmoid(x), Hardswish = x·relu6(x+3)/6, GroupNorm = moments + arithmetic; onnxruntime-web GroupNorm = Reshape + InstanceNormalization + affine (torch.onnx's export below opset 18).",
      "", ops, ""] : []),
    "## Agreement",
    "",
    "Same input and weights in all three engines (copied from wasmnn's modules; BatchNorm statistics randomised; ResNet-18's fc bias zeroed so the check sees the network's signal). Tolerance 1e-4 · max(1, max|out|).",
    "",
    checks,
    "",
    ...(cold ? ["## Cold start", "", "A fresh `node` process per run (bench/cold-child.mjs), engines interleaved: time from before the engine's `import()` to the first result of the seed block (conv 7×7 s2 → BN → ReLU → maxpool on 3×304×228), read back into JS. Inputs and weights are read from disk before the clock starts. wasmnn is loaded as the package ships it (src/index.ts bundled by esbuild as scripts/build.mjs does, into bench/build/pkg/dist/node.js, with the .wasm at ../build/), not through tsx.", "", coldTable(cold), ""] : []),
    ...(mem ? ["## Memory", "", memoryText(mem), ""] : []),
  ].join("\n");
  // only a full, unfiltered run replaces bench/RESULTS.md; smoke runs go to bench/build/
  // only full, unfiltered runs replace bench/RESULTS.md (or RESULTS-relaxed.md); smoke runs go to bench/build/
  const out = quick || filter ? new URL("./build/RESULTS.partial.md", import.meta.url)
    : new URL(threads > 1 ? `./RESULTS-threads-${threads}.md` : relaxed ? "./RESULTS-relaxed.md" : "./RESULTS.md", import.meta.url);
  await mkdir(new URL("./build/", import.meta.url), { recursive: true });
  await writeFile(out, md);
  console.log(`wrote ${fileURLToPath(out)}`);
}

await main();
