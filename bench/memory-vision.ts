// `npm run bench:memory`: Wasm memory of the whole user pipeline per model, each in a fresh Node
// process (memory never shrinks, so a process per measurement is the honest figure), as issue #13
// measures it: read the state_dict's bytes -> safetensors.load -> build the model ->
// load_state_dict -> drop the loaded dict -> forward one image (224x224; LR-ASPP 320x320).
// The weights are the vision fixtures' generated ones, written once to bench/build/weights/.
// Each model runs in both memory modes (init({ memory: "fast" | "lean" })). Prints, per model and
// mode: f32 weight MiB, Wasm MiB after safetensors.load, after the build, after the load, after the
// forward (the peak: memory never shrinks) and that peak as a multiple of the weights; the steady
// state (bytes held between forwards: weights, packed copies, workspaces); and what held the
// allocator's peak (memory().peakBreakdown).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { init, memory, safetensors, tensor, tidy, type MemoryInfo, type Tensor } from "../src/index.js";
import { builderOf, generated, readFixture, readRecorded, stateDict } from "../tests/vision/weights.js";

const MODELS: [name: string, size: number][] = [
  ["resnet18", 224], ["mobilenet_v2", 224], ["mobilenet_v3_large", 224], ["efficientnet_b0", 224], ["lraspp_mobilenet_v3_large", 320],
];
const weightsDir = new URL("./build/weights/", import.meta.url).pathname;
const MiB = 2 ** 20;

type Mode = "fast" | "lean";
interface Row {
  name: string; mode: Mode; weights: number; afterLoadFile: number; afterBuild: number; afterLoadState: number; afterForward: number;
  steady: number; peak: MemoryInfo["peakBreakdown"]; ms: number;
}

/** In the child: the pipeline, measured at each step. */
async function pipeline(name: string, size: number, mode: Mode): Promise<Row> {
  await init({ memory: mode });
  const fixture = readFixture(name);
  const bytes = readFileSync(`${weightsDir}${name}.safetensors`);
  const loaded = safetensors.load(bytes);
  const afterLoadFile = memory().wasmBytes;
  const model = builderOf(fixture)(fixture.options).eval();
  const afterBuild = memory().wasmBytes;
  model.load_state_dict(loaded);
  for (const t of Object.values(loaded)) t.dispose();
  const afterLoadState = memory().wasmBytes;
  const input = tensor(generated("bench-input", 3 * size * size, 0, 1.5), [1, 3, size, size]);
  const started = performance.now();
  tidy(() => { model.forward(input); });
  const ms = performance.now() - started;
  const weights = Object.values(model.state_dict()).reduce((sum, t) => sum + (t.dtype === "float32" ? t.numel() * 4 : 0), 0);
  const after = memory();
  return {
    name, mode, weights, afterLoadFile, afterBuild, afterLoadState, afterForward: after.wasmBytes,
    steady: after.liveBytes - input.numel() * 4, peak: after.peakBreakdown, ms,
  };
}

/** The fixture's state_dict as a safetensors file (written once per model). */
async function writeWeights(name: string): Promise<void> {
  if (existsSync(`${weightsDir}${name}.safetensors`)) return;
  await init();
  mkdirSync(weightsDir, { recursive: true });
  const fixture = readFixture(name);
  const recorded = readRecorded(name);
  const sd: Record<string, Tensor> = stateDict(fixture, recorded);
  writeFileSync(`${weightsDir}${name}.safetensors`, safetensors.save(sd));
  for (const t of new Set([...Object.values(sd), ...Object.values(recorded)])) t.dispose();
}

const args = process.argv.slice(2);
const childAt = args.indexOf("--child");
if (childAt >= 0) {
  const [name, size, mode] = [args[childAt + 1], Number(args[childAt + 2]), args[childAt + 3] as Mode];
  console.log(JSON.stringify(await pipeline(name, size, mode)));
} else {
  const mib = (bytes: number): string => (bytes / MiB).toFixed(1);
  const lines = [
    "| model | mode | f32 weights | after safetensors.load | after build | after load_state_dict | after forward (peak) | × weights | steady | held at the allocator's peak: weights + packed + workspaces + activations |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
  ];
  for (const [name, size] of MODELS) {
    await writeWeights(name);
    for (const mode of ["fast", "lean"] as const) {
      const out = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--child", name, String(size), mode], { encoding: "utf8" });
      const r = JSON.parse(out.trim().split("\n").at(-1)!) as Row;
      const p = r.peak;
      const line = `| ${name} | ${mode} | ${mib(r.weights)} MiB | ${mib(r.afterLoadFile)} | ${mib(r.afterBuild)} | ${mib(r.afterLoadState)} | ` +
        `${mib(r.afterForward)} MiB | ${(r.afterForward / r.weights).toFixed(2)} | ${mib(r.steady)} | ` +
        `${mib(p.weights)} + ${mib(p.packed)} + ${mib(p.workspaces)} + ${mib(p.activations)} |`;
      console.log(line);
      lines.push(line);
    }
  }
  lines.push("", "MiB of Wasm memory in a fresh Node process per row (memory never shrinks: after the forward is the peak); steady = bytes the allocator holds between forwards; the last column is memory().peakBreakdown. `npm run bench:memory`.");
  mkdirSync(new URL("./build/", import.meta.url), { recursive: true });
  writeFileSync(new URL("./build/RESULTS-memory.md", import.meta.url), lines.join("\n") + "\n");
}
