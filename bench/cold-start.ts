// Cold start (issue 6, item 4): import → first result of the seed block, per engine, each run in
// a fresh Node process (bench/cold-child.mjs), engines interleaved, median of `runs`.
//   npx tsx bench/cold-start.ts [--runs N]
// wasmnn runs as the package ships it (an esbuild bundle beside ../build/wasmnn.wasm, see
// bundleWasmnn), so tsx's on-the-fly compilation is not counted.
import { runJsonChild } from "./child-json.js";
import { mkdir, writeFile, copyFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type BuildOptions } from "esbuild";
// @ts-ignore: a plain .mjs script without types
import { BUNDLE_OPTIONS as bundleOptions } from "../scripts/build.mjs";
import { OnnxGraph } from "./onnx.js";
import { rng } from "./rng.js";

/** the package's own esbuild options (scripts/build.mjs), so the bundle timed is the shipped one */
const BUNDLE_OPTIONS = bundleOptions as BuildOptions;

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const ROOT = here("../");
const BUILD = here("./build/");
const DATA = join(BUILD, "cold");
const ENGINES = ["wasmnn", "ort", "tfjs"] as const;

export type ColdStartResult = Record<string, {
  median: number; min: number; max: number; processMedian: number; runs: number; sums: number[];
  /** median ms from the start to the end of each phase (import, init, build; the rest is the first run) */
  phases: Record<string, number>;
} | { error: string }>;

/**
 * src/index.ts bundled as the package ships it (scripts/build.mjs: esbuild, ESM, minified) into
 * bench/build/pkg/dist/node.js, with build/wasmnn.wasm copied to bench/build/pkg/build/ — fresh
 * from the current sources, whether or not dist/ has been rebuilt.
 */
async function bundleWasmnn(): Promise<void> {
  await build({ ...BUNDLE_OPTIONS, absWorkingDir: ROOT, entryPoints: { node: "src/index.ts" }, outdir: join(BUILD, "pkg", "dist") });
  await mkdir(join(BUILD, "pkg", "build"), { recursive: true });
  await copyFile(join(ROOT, "build", "wasmnn.wasm"), join(BUILD, "pkg", "build", "wasmnn.wasm"));
}


/** The seed block's input and weights for every engine, in each one's layout. */
async function writeData(): Promise<void> {
  await mkdir(DATA, { recursive: true });
  const r = rng(42);
  const u = (n: number, lo: number, hi: number) => Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
  const [C, H, W, O, K] = [3, 304, 228, 64, 7];
  const input = u(C * H * W, -1, 1);
  const bound = 1 / Math.sqrt(C * K * K);
  const w = u(O * C * K * K, -bound, bound);
  const gamma = u(O, 0.5, 1.5), beta = u(O, -0.2, 0.2), mean = u(O, -0.2, 0.2), variance = u(O, 0.5, 1.5);
  const eps = 1e-5;
  const bn = new Float32Array(4 * O);
  [gamma, beta, mean, variance].forEach((v, i) => bn.set(v, i * O));

  const nhwc = new Float32Array(input.length);
  for (let c = 0; c < C; c++) for (let i = 0; i < H * W; i++) nhwc[i * C + c] = input[c * H * W + i];
  // tfjs: BN folded into the filter ([kh, kw, in, out]) and a bias, as tfjs-converter emits
  const filter = new Float32Array(K * K * C * O);
  const bias = new Float32Array(O);
  for (let o = 0; o < O; o++) {
    const s = gamma[o] / Math.sqrt(variance[o] + eps);
    bias[o] = beta[o] - mean[o] * s;
    for (let c = 0; c < C; c++) for (let t = 0; t < K * K; t++) filter[(t * C + c) * O + o] = w[(o * C + c) * K * K + t] * s;
  }
  const g = new OnnxGraph({ name: "x", dims: [1, C, H, W] });
  let x = g.node("Conv", ["x", g.weight("conv.weight", [O, C, K, K], w)], { kernel_shape: [K, K], strides: [2, 2], pads: [3, 3, 3, 3] });
  x = g.node("BatchNormalization", [x, g.weight("bn.weight", [O], gamma), g.weight("bn.bias", [O], beta), g.weight("bn.mean", [O], mean), g.weight("bn.var", [O], variance)], { epsilon: { float: eps } });
  x = g.node("MaxPool", [g.node("Relu", [x])], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });

  const save = (name: string, a: Float32Array | Uint8Array) => writeFile(join(DATA, name), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  await Promise.all([
    save("input.f32", input), save("input_nhwc.f32", nhwc), save("conv_w.f32", w), save("bn.f32", bn),
    save("tfjs_filter.f32", filter), save("tfjs_bias.f32", bias), save("seed.onnx", g.toBytes(x)),
  ]);
}

async function once(engine: string): Promise<{ ms: number; processMs: number; sum: number; marks: Record<string, number> }> {
  const { json: r, processMs } = await runJsonChild<{ ms: number; sum: number; marks: Record<string, number> }>(
    process.execPath, [here("./cold-child.mjs"), engine, DATA], { cwd: ROOT });
  return { ms: r.ms, processMs, sum: r.sum, marks: r.marks };
}

/** "import 12 · init 20 · build 3 · first run 35" from cumulative marks */
export function phaseText(phases: Record<string, number>, total: number): string {
  let prev = 0;
  const parts = Object.entries(phases).map(([k, v]) => { const d = v - prev; prev = v; return `${k} ${d.toFixed(0)}`; });
  parts.push(`first run ${(total - prev).toFixed(0)}`);
  return parts.join(" · ");
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export async function runColdStart(options: { runs?: number } = {}): Promise<ColdStartResult> {
  const runs = options.runs ?? 7;
  await bundleWasmnn();
  await writeData();
  const ms: Record<string, number[]> = {};
  const proc: Record<string, number[]> = {};
  const sums: Record<string, number[]> = {};
  const marks: Record<string, Record<string, number>[]> = {};
  const errors: Record<string, string> = {};
  for (let r = 0; r < runs; r++) {
    for (let j = 0; j < ENGINES.length; j++) {
      const e = ENGINES[(r + j) % ENGINES.length];
      if (errors[e]) continue;
      try {
        const res = await once(e);
        (ms[e] ??= []).push(res.ms);
        (proc[e] ??= []).push(res.processMs);
        (sums[e] ??= []).push(res.sum);
        (marks[e] ??= []).push(res.marks);
      } catch (err) {
        errors[e] = err instanceof Error ? err.message : String(err);
      }
    }
  }
  const result: ColdStartResult = {};
  for (const e of ENGINES) {
    result[e] = errors[e] ? { error: errors[e] } : {
      median: median(ms[e]), min: Math.min(...ms[e]), max: Math.max(...ms[e]), processMedian: median(proc[e]), runs: ms[e].length, sums: sums[e],
      phases: Object.fromEntries(Object.keys(marks[e][0]).map((k) => [k, median(marks[e].map((m) => m[k]))])),
    };
  }
  return result;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const at = process.argv.indexOf("--runs");
  const result = await runColdStart({ runs: at > 0 ? Number(process.argv[at + 1]) : 7 });
  for (const [e, r] of Object.entries(result)) {
    if ("error" in r) console.log(`${e.padEnd(7)} failed: ${r.error}`);
    else console.log(`${e.padEnd(7)} import → first result: median ${r.median.toFixed(0)} ms (min ${r.min.toFixed(0)}, max ${r.max.toFixed(0)}; whole process ${r.processMedian.toFixed(0)} ms; ${r.runs} runs; output sum ${r.sums[0].toFixed(3)}; phases ${phaseText(r.phases, r.median)})`);
  }
}
