// onnxruntime-web side: ONNX graphs built in TypeScript from the wasmnn weights, run on the wasm
// execution provider with one thread, or --threads N (SIMD is always on in ort-web >= 1.19's single wasm build).
import * as ort from "onnxruntime-web";
import { OnnxGraph } from "../onnx.js";
import type { ConvW, BnW, LayerW, ResNetW, Weights } from "./wasmnn.js";

let configured = false;
export function configureOrt(): void {
  if (configured) return;
  // bench --threads N sets BENCH_THREADS (ort-web runs Emscripten pthreads, in Node too)
  ort.env.wasm.numThreads = benchThreads();
  ort.env.wasm.simd = true; // the default; ort-web >= 1.19 ships only the SIMD build
  ort.env.wasm.proxy = false;
  ort.env.logLevel = "error";
  configured = true;
}

/** The thread count `--threads N` asked every engine for (1 by default). */
export function benchThreads(): number {
  return Number(process.env.BENCH_THREADS ?? 1);
}

/**
 * The peers' session options. With --threads N > 1, ort's idle intra-op threads spin by default
 * (MLAS's pool), taking the second core from whichever engine runs next in the round; the bench
 * turns the spin off (session.intra_op.allow_spinning = 0) unless BENCH_ORT_SPIN=1.
 */
export function ortSessionOptions(): { executionProviders: string[]; graphOptimizationLevel: "all"; extra?: Record<string, unknown> } {
  const spin = benchThreads() === 1 || process.env.BENCH_ORT_SPIN === "1";
  return { executionProviders: ["wasm"], graphOptimizationLevel: "all", ...(spin ? {} : { extra: { session: { intra_op: { allow_spinning: "0" } } } }) };
}

export const ortVersion = (): string => ort.env.versions?.web ?? "?";

function convNode(g: OnnxGraph, x: string, c: ConvW, name: string): string {
  const s = c.spec;
  let input = x;
  let pad = s.pad;
  if (s.mode === "reflect") {
    const pads = g.int64s(`${name}.pads`, [0, 0, pad, pad, 0, 0, pad, pad]);
    input = g.node("Pad", [x, pads], { mode: "reflect" });
    pad = 0;
  }
  const inputs = [input, g.weight(`${name}.weight`, [s.cout, s.cin / s.groups, s.k, s.k], c.w)];
  if (c.b) inputs.push(g.weight(`${name}.bias`, [s.cout], c.b));
  return g.node("Conv", inputs, {
    kernel_shape: [s.k, s.k], strides: [s.stride, s.stride], pads: [pad, pad, pad, pad], dilations: [s.dil, s.dil], group: s.groups,
  });
}

function bnNode(g: OnnxGraph, x: string, b: BnW, name: string): string {
  const c = b.gamma.length;
  return g.node("BatchNormalization", [
    x, g.weight(`${name}.weight`, [c], b.gamma), g.weight(`${name}.bias`, [c], b.beta),
    g.weight(`${name}.running_mean`, [c], b.mean), g.weight(`${name}.running_var`, [c], b.var),
  ], { epsilon: { float: b.eps } });
}

function layersGraph(g: OnnxGraph, layers: LayerW[]): string {
  let x = g.input.name;
  layers.forEach((l, i) => {
    if (l.op === "conv") x = convNode(g, x, l, `${i}`);
    else if (l.op === "bn") x = bnNode(g, x, l, `${i}`);
    else if (l.op === "relu") x = g.node("Relu", [x]);
    else x = g.node("MaxPool", [x], { kernel_shape: [l.k, l.k], strides: [l.s, l.s], pads: [l.p, l.p, l.p, l.p] });
  });
  return x;
}

function resnetGraph(g: OnnxGraph, net: ResNetW): string {
  let x = g.node("Relu", [bnNode(g, convNode(g, g.input.name, net.stem.conv, "conv1"), net.stem.bn, "bn1")]);
  x = g.node("MaxPool", [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
  net.blocks.forEach((b, i) => {
    const p = `block${i}`;
    let y = g.node("Relu", [bnNode(g, convNode(g, x, b.conv1, `${p}.conv1`), b.bn1, `${p}.bn1`)]);
    y = bnNode(g, convNode(g, y, b.conv2, `${p}.conv2`), b.bn2, `${p}.bn2`);
    const id = b.ds ? bnNode(g, convNode(g, x, b.ds.conv, `${p}.ds.0`), b.ds.bn, `${p}.ds.1`) : x;
    x = g.node("Relu", [g.node("Add", [y, id])]);
  });
  x = g.node("Flatten", [g.node("GlobalAveragePool", [x])], { axis: 1 });
  return g.node("Gemm", [x, g.weight("fc.weight", [net.fc.out, net.fc.in], net.fc.w), g.weight("fc.bias", [net.fc.out], net.fc.b)], { transB: 1 });
}

/** The ONNX model bytes for a workload. */
export function onnxModel(weights: Weights, input: [number, number, number]): Uint8Array {
  const g = new OnnxGraph({ name: "x", dims: [1, ...input] });
  const out = weights.kind === "resnet18" ? resnetGraph(g, weights.net) : layersGraph(g, weights.layers);
  return g.toBytes(out);
}

export interface OrtCase {
  run(): Promise<void>;
  output(): Promise<Float32Array>;
  dispose(): Promise<void>;
}

export async function buildOrt(weights: Weights, input: [number, number, number], inputData: Float32Array): Promise<OrtCase> {
  configureOrt();
  const session = await ort.InferenceSession.create(onnxModel(weights, input), ortSessionOptions());
  const feeds = { x: new ort.Tensor("float32", inputData, [1, ...input]) };
  const outName = session.outputNames[0];
  return {
    async run() {
      const r = await session.run(feeds);
      r[outName].dispose();
    },
    async output() {
      const r = await session.run(feeds);
      return (r[outName].data as Float32Array).slice();
    },
    async dispose() { await session.release(); },
  };
}
