// `npm run bench:memory`: Wasm memory of the whole user pipeline per model, each in a fresh Node
// process (memory never shrinks, so a process per measurement is the honest figure), as issue #13
// measures it: read the state_dict's bytes -> safetensors.load -> build the model ->
// load_state_dict -> drop the loaded dict -> forward one image (224x224; LR-ASPP 320x320).
// The weights are the vision fixtures' generated ones, written once to bench/build/weights/.
// Prints, per model: f32 weight MiB, Wasm MiB after safetensors.load, after the build, after the
// load, after the forward (the peak: memory never shrinks), and that peak as a multiple of the weights.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { init, memory, safetensors, tensor, tidy, type Tensor } from "../src/index.js";
import { builderOf, generated, readFixture, readRecorded, stateDict } from "../tests/vision/weights.js";

const MODELS: [name: string, size: number][] = [
  ["resnet18", 224], ["mobilenet_v2", 224], ["mobilenet_v3_large", 224], ["efficientnet_b0", 224], ["lraspp_mobilenet_v3_large", 320],
];
const weightsDir = new URL("./build/weights/", import.meta.url).pathname;
const MiB = 2 ** 20;

interface Row { name: string; weights: number; afterLoadFile: number; afterBuild: number; afterLoadState: number; afterForward: number }

/** In the child: the pipeline, measured at each step. */
async function pipeline(name: string, size: number): Promise<Row> {
  await init();
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
  tidy(() => { model.forward(input); });
  const weights = Object.values(model.state_dict()).reduce((sum, t) => sum + (t.dtype === "float32" ? t.numel() * 4 : 0), 0);
  return { name, weights, afterLoadFile, afterBuild, afterLoadState, afterForward: memory().wasmBytes };
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
  const [name, size] = [args[childAt + 1], Number(args[childAt + 2])];
  console.log(JSON.stringify(await pipeline(name, size)));
} else {
  const lines = [
    "| model | f32 weights | after safetensors.load | after build | after load_state_dict | after forward (peak) | × weights |",
    "|---|---:|---:|---:|---:|---:|---:|",
  ];
  for (const [name, size] of MODELS) {
    await writeWeights(name);
    const out = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--child", name, String(size)], { encoding: "utf8" });
    const r = JSON.parse(out.trim().split("\n").at(-1)!) as Row;
    const line = `| ${name} | ${(r.weights / MiB).toFixed(1)} MiB | ${(r.afterLoadFile / MiB).toFixed(1)} | ${(r.afterBuild / MiB).toFixed(1)} | ${(r.afterLoadState / MiB).toFixed(1)} | ${(r.afterForward / MiB).toFixed(1)} MiB | ${(r.afterForward / r.weights).toFixed(2)} |`;
    console.log(line);
    lines.push(line);
  }
  mkdirSync(new URL("./build/", import.meta.url), { recursive: true });
  writeFileSync(new URL("./build/RESULTS-memory.md", import.meta.url), lines.join("\n") + "\n");
}
