// `npm run bench:vision [-- --quick] [-- --filter <case>[,<case>...]] [-- --threads N]` (also `npm run bench -- --vision`)
//
// --threads N: both engines at N threads (wasmnn's pool, ort's numThreads); wasmnn also runs at
// 1 thread (set_num_threads) in the same rounds, for its own speed-up. Writes RESULTS-vision-threads-N.md.
//
// Whole torchvision models, batch 1, one thread: wasmnn/vision against onnxruntime-web running
// torch.onnx.export of the same model with the same weights (bench/export_onnx.py, opset 13; run it
// first — it needs /usr/bin/python3 with torch — the files go to bench/build/onnx/). Interleaved in
// one process: each round runs both engines once, in alternating order; we report medians, the
// median of per-round ratios (onnxruntime-web time / wasmnn time), GFLOP/s (2 · MACs / time, the
// MACs of every Conv2d and Linear counted by the export script) and wasmnn's Wasm memory after the
// forward (a fresh process per model). Writes bench/RESULTS-vision.md (a full run) or bench/build/RESULTS-vision.partial.md.
import "./v8-flags.js"; // first: before any Wasm compiles
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { mkdir, writeFile } from "node:fs/promises";
import * as ort from "onnxruntime-web";
import { measureCores, coresText } from "./cores.js";
import { timedTurn, turnCost, TURN_TEXT } from "./settle.js";
import { init, backend, memory, set_num_threads, tensor, tidy, type Tensor } from "../src/index.js";
import { configureOrt, ortSessionOptions, ortVersion } from "./engines/ort.js";
import { generated, loadFixtureModel } from "../tests/vision/weights.js";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const filterAt = args.indexOf("--filter");
const filter = filterAt >= 0 ? args[filterAt + 1] : undefined;
const threadsAt = args.indexOf("--threads");
const threads = threadsAt >= 0 ? Number(args[threadsAt + 1]) : 1;
if (!Number.isInteger(threads) || threads < 1) throw new Error(`--threads needs a positive integer, but got ${args[threadsAt + 1]}`);
process.env.BENCH_THREADS = String(threads);   // configureOrt reads it
const cfg = quick ? { warmup: 2, minRounds: 5, maxRounds: 15, budgetMs: 1500 } : { warmup: 4, minRounds: 15, maxRounds: 100, budgetMs: 8000 };

const CASES = ["resnet18", "resnet50", "mobilenet_v2", "mobilenet_v3_large", "efficientnet_b0", "shufflenet_v2_x0_5",
  "densenet121", "convnext_tiny", "regnet_y_400mf", "squeezenet1_1", "lraspp_mobilenet_v3_large"];
const onnxDir = new URL("./build/onnx/", import.meta.url).pathname;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

interface Result {
  name: string; macs: number; size: number; wasmnn: number; ort: number; ratio: number; rounds: number; diff: number; scale: number; wasmMiB: number;
  /** with --threads N > 1: wasmnn at 1 thread (median ms) and the median over rounds of 1-thread / N-thread time */
  one: number | null; scaling: number | null;
}


async function benchCase(name: string): Promise<Result> {
  const meta = JSON.parse(readFileSync(`${onnxDir}${name}.json`, "utf8")) as { macs: number; input: number[]; outputs: string[] };
  const model = loadFixtureModel(name);

  const shape = meta.input;
  const inputData = generated("bench-input", shape.reduce((a, b) => a * b, 1), 0, 1.5);
  const x = tensor(inputData, shape);
  const first = (y: Tensor | Record<string, Tensor>): Tensor => ("shape" in y ? y as Tensor : (y as Record<string, Tensor>).out);
  const runWasmnn = () => tidy(() => { first(model.forward(x) as Tensor | Record<string, Tensor>); });
  const runOne = () => {
    set_num_threads(1);
    try { runWasmnn(); } finally { set_num_threads(threads); }
  };
  const reference = tidy(() => first(model.forward(x) as Tensor | Record<string, Tensor>).data() as Float32Array);

  configureOrt();
  const session = await ort.InferenceSession.create(readFileSync(`${onnxDir}${name}.onnx`), ortSessionOptions());
  const feeds = { input: new ort.Tensor("float32", inputData, shape) };
  const runOrt = async () => {
    const r = await session.run(feeds);
    for (const t of Object.values(r)) t.dispose();
  };
  const ortOut = (await session.run(feeds))[meta.outputs[0]].data as Float32Array;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < reference.length; i++) {
    diff = Math.max(diff, Math.abs(reference[i] - ortOut[i]));
    scale = Math.max(scale, Math.abs(reference[i]));
  }

  // each engine's turn (bench/settle.ts: with threads, gap, untimed run, timed run)
  const time = (run: () => unknown) => timedTurn(run, threads > 1);
  const turn = (timed: number) => turnCost(timed, threads > 1);
  let roundMs = 0;
  for (let i = 0; i < cfg.warmup; i++) roundMs = turn(await time(runWasmnn)) + turn(await time(runOrt)) + (threads > 1 ? turn(await time(runOne)) : 0);
  const rounds = Math.max(cfg.minRounds, Math.min(cfg.maxRounds, Math.ceil(cfg.budgetMs / roundMs)));
  const times = { wasmnn: [] as number[], ort: [] as number[], one: [] as number[] };
  const ratios: number[] = [];
  const scalings: number[] = [];
  // each round runs every engine once, the order rotated per round
  const engines: [keyof typeof times, () => unknown][] = [["wasmnn", runWasmnn], ["ort", runOrt], ...(threads > 1 ? [["one", runOne] as [keyof typeof times, () => unknown]] : [])];
  for (let r = 0; r < rounds; r++) {
    const now: Partial<Record<keyof typeof times, number>> = {};
    for (let j = 0; j < engines.length; j++) {
      const [key, run] = engines[(r + j) % engines.length];
      now[key] = await time(run);
      times[key].push(now[key]!);
    }
    ratios.push(now.ort! / now.wasmnn!);
    if (now.one !== undefined) scalings.push(now.one / now.wasmnn!);
  }
  await session.release();
  x.dispose();
  model.dispose();
  return {
    name, macs: meta.macs, size: shape[2], wasmnn: median(times.wasmnn), ort: median(times.ort), ratio: median(ratios), rounds, diff, scale, wasmMiB: peakMiB(name),
    one: threads > 1 ? median(times.one) : null, scaling: threads > 1 ? median(scalings) : null,
  };
}

await init({ threads });
if (backend().threads !== threads) throw new Error(`--threads ${threads}: wasmnn runs ${backend().threads} (${backend().reason})`);

// `--memory-of <case>` (a child process per model): Wasm memory after building the model, loading
// its state_dict and one forward at the bench's size; memory never shrinks, so a fresh process per
// model is the honest peak
const memoryOf = args.indexOf("--memory-of");
if (memoryOf >= 0) {
  const name = args[memoryOf + 1];
  const meta = JSON.parse(readFileSync(`${onnxDir}${name}.json`, "utf8")) as { input: number[] };
  const model = loadFixtureModel(name);
  const input = tensor(generated("bench-input", meta.input.reduce((a, b) => a * b, 1), 0, 1.5), meta.input);
  tidy(() => { model.forward(input); });
  console.log(JSON.stringify({ wasmBytes: memory().wasmBytes }));
  process.exit(0);
}

function peakMiB(name: string): number {
  const out = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--memory-of", name], { encoding: "utf8" });
  return JSON.parse(out.trim().split("\n").at(-1)!).wasmBytes / 2 ** 20;
}

const cases = CASES.filter((c) => !filter || filter.split(",").some((f) => c.includes(f)));
const missing = cases.filter((c) => !existsSync(`${onnxDir}${c}.onnx`));
if (missing.length) throw new Error(`missing ONNX exports for ${missing.join(", ")}: run /usr/bin/python3 bench/export_onnx.py first`);

const lines = [
  `# wasmnn/vision vs onnxruntime-web ${ortVersion()} (wasm EP, ${threads} thread${threads > 1 ? "s" : ""}), batch 1`,
  "",
  `${new Date().toISOString().slice(0, 10)}, Node ${process.version}, \`npm run bench:vision${args.length ? ` -- ${args.join(" ")}` : ""}\`; medians of interleaved rounds; ratio = median over rounds of onnxruntime-web / wasmnn${threads > 1 ? `; both at ${threads} threads; "1 thread" = wasmnn with set_num_threads(1) in the same rounds, "${threads} vs 1" = median over rounds of its 1-thread / ${threads}-thread time` : ""}.`,
  "",
  `| model | input | GMAC | wasmnn ms | onnxruntime-web ms | ratio | wasmnn GFLOP/s | rounds | max abs diff (of max) | peak wasm memory MiB |${threads > 1 ? ` wasmnn 1 thread ms | ${threads} vs 1 |` : ""}`,
  `|---|---|---:|---:|---:|---:|---:|---:|---|---:|${threads > 1 ? "---:|---:|" : ""}`,
];
// threads: what the vCPUs allow (bench/cores.ts), before the models and after
const coresStart = threads > 1 ? await measureCores() : null;
if (coresStart) console.log(`vCPUs: ${coresText(coresStart)}`);
for (const name of cases) {
  const r = await benchCase(name);
  const line = `| ${r.name} | ${r.size}² | ${(r.macs / 1e9).toFixed(2)} | ${r.wasmnn.toFixed(1)} | ${r.ort.toFixed(1)} | ${r.ratio.toFixed(2)}× | ${(2 * r.macs / 1e6 / r.wasmnn).toFixed(1)} | ${r.rounds} | ${r.diff.toExponential(1)} (${r.scale.toPrecision(3)}) | ${r.wasmMiB.toFixed(0)} |${r.one !== null ? ` ${r.one.toFixed(1)} | **${r.scaling!.toFixed(2)}×** |` : ""}`;
  console.log(line);
  lines.push(line);
}
const coresEnd = threads > 1 ? await measureCores() : null;
if (coresStart && coresEnd) {
  lines.push("", `vCPUs (bench/cores.ts: conv 3×3 64 ch @56 on one thread pinned to each vCPU, alone, then all at once): before ${coresText(coresStart)}; after ${coresText(coresEnd)}.`);
  console.log(lines.at(-1));
}
if (threads > 1) lines.push("", TURN_TEXT);
const full = !filter && !quick;
const out = full ? new URL(threads > 1 ? `./RESULTS-vision-threads-${threads}.md` : "./RESULTS-vision.md", import.meta.url) : new URL("./build/RESULTS-vision.partial.md", import.meta.url);
await mkdir(new URL("./build/", import.meta.url), { recursive: true });
await writeFile(out, lines.join("\n") + "\n");
console.log(`wrote ${out.pathname}`);
