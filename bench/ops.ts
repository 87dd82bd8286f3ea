// Issue #11's op workloads: one op each, the same input (and weights) in wasmnn,
// onnxruntime-web and tfjs-backend-wasm, timed interleaved by bench/index.ts like the conv
// workloads. Memory-bound ops are reported in GB/s (bytes read + written by the op, once),
// beside a plain copy of the output's bytes in wasmnn's memory (memory.copy: the floor).
import * as ort from "onnxruntime-web";
import * as tf from "@tensorflow/tfjs-core";
import { nn, F, cat, randn, manual_seed, type Tensor } from "../src/index.js";
import { wasm } from "../src/runtime.js";
import { OnnxGraph } from "./onnx.js";
import { configureOrt, ortSessionOptions } from "./engines/ort.js";
import { initTfjs, toNHWC, toNCHW } from "./engines/tfjs.js";

export interface OpRunner {
  run(): void | Promise<void>;
  /** the result, NCHW float32 */
  output(): Float32Array | Promise<Float32Array>;
  dispose(): void | Promise<void>;
}

/** What every engine gets: the input (NCHW, batch 1) and the op's weights as wasmnn made them. */
interface OpInput {
  x: Float32Array;
  shape: [number, number, number, number];
  weights: Record<string, Float32Array>;
}

export interface OpWorkload {
  name: string;
  /** bytes the op must read and write at least once (inputs + weights + output) */
  bytes: number;
  /** multiply-accumulates of the op (0 for memory-bound ops) */
  macs: number;
  /** builds wasmnn's module/function, returns its runner and what the peers need */
  wasmnn(seed: number): { runner: OpRunner; input: OpInput };
  ort(input: OpInput): Promise<OpRunner>;
  tfjs(input: OpInput): Promise<OpRunner>;
}

const f32 = (n: number): number => 4 * n;
const numel = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

// ---- wasmnn -------------------------------------------------------------------------------------

function wasmnnModule(module: nn.Module, shape: [number, number, number, number], seed: number, inputs = 1): { runner: OpRunner; input: OpInput } {
  manual_seed(seed);
  module.eval();
  const x = randn(shape);
  const args: Tensor[] = Array.from({ length: inputs }, () => x);
  const weights: Record<string, Float32Array> = {};
  for (const [k, v] of Object.entries(module.state_dict())) if (v.dtype === "float32") weights[k] = v.data();
  const forward = (): Tensor => module.forward(...args) as Tensor;
  return {
    input: { x: x.data(), shape, weights },
    runner: {
      run() { forward().dispose(); },
      output() { const y = forward(); const d = y.data(); y.dispose(); return d; },
      dispose() { x.dispose(); module.dispose(); },
    },
  };
}

/** A module wrapping a function of the input (cat, interpolate), so forward's scope frees intermediates. */
class Fn extends nn.Module {
  constructor(readonly fn: (x: Tensor) => Tensor) { super(); }
  override forward(x: Tensor): Tensor { return this.fn(x); }
}

// ---- onnxruntime-web ----------------------------------------------------------------------------

async function ortRunner(g: OnnxGraph, out: string, input: OpInput): Promise<OpRunner> {
  configureOrt();
  const session = await ort.InferenceSession.create(g.toBytes(out), ortSessionOptions());
  const feeds = { x: new ort.Tensor("float32", input.x, input.shape) };
  const outName = session.outputNames[0];
  return {
    async run() { (await session.run(feeds))[outName].dispose(); },
    async output() { const r = await session.run(feeds); const d = (r[outName].data as Float32Array).slice(); r[outName].dispose(); return d; },
    async dispose() { await session.release(); },
  };
}

// ---- tfjs-backend-wasm (NHWC; layouts converted outside the timed call) -------------------------

async function tfjsRunner(input: OpInput, fn: (x: tf.Tensor4D) => tf.Tensor, owned: tf.Tensor[] = []): Promise<OpRunner> {
  await initTfjs();
  const [, c, h, w] = input.shape;
  const x = tf.tensor4d(toNHWC(input.x, c, h, w), [1, h, w, c]);
  return {
    run() { fn(x).dispose(); },
    output() {
      const y = fn(x) as tf.Tensor4D;
      const [, oh, ow, oc] = y.shape;
      const d = toNCHW(y.dataSync() as Float32Array, oc, oh, ow);
      y.dispose();
      return d;
    },
    dispose() { x.dispose(); for (const t of owned) t.dispose(); },
  };
}

// ---- the workloads ------------------------------------------------------------------------------

/** ConvTranspose2d(cin, cout, k, stride 2, padding p, output_padding op) at size×size. */
function convTranspose(cin: number, cout: number, k: number, p: number, op: number, size: number): OpWorkload {
  const out = (size - 1) * 2 - 2 * p + k + op;
  const shape: [number, number, number, number] = [1, cin, size, size];
  return {
    name: `ConvTranspose2d ${k}×${k} s2${p ? ` p${p}` : ""}${op ? ` op${op}` : ""} ${cin}→${cout} @${size}`,
    bytes: f32(numel(shape) + cin * cout * k * k + cout + cout * out * out),
    macs: cin * cout * k * k * size * size,
    wasmnn: (seed) => wasmnnModule(new nn.ConvTranspose2d(cin, cout, k, { stride: 2, padding: p, output_padding: op }), shape, seed),
    ort: (input) => {
      const g = new OnnxGraph({ name: "x", dims: shape });
      const y = g.node("ConvTranspose", ["x", g.weight("w", [cin, cout, k, k], input.weights.weight), g.weight("b", [cout], input.weights.bias)], {
        kernel_shape: [k, k], strides: [2, 2], pads: [p, p, p, p], output_padding: [op, op],
      });
      return ortRunner(g, y, input);
    },
    tfjs: async (input) => {
      await initTfjs();
      // PyTorch [cin, cout, kh, kw] -> tfjs conv2dTranspose filter [kh, kw, cout, cin]
      const f = new Float32Array(k * k * cout * cin);
      for (let i = 0; i < cin; i++) for (let o = 0; o < cout; o++) for (let t = 0; t < k * k; t++) f[(t * cout + o) * cin + i] = input.weights.weight[(i * cout + o) * k * k + t];
      const filter = tf.tensor4d(f, [k, k, cout, cin]);
      const bias = tf.tensor1d(input.weights.bias);
      // tfjs takes padding only as 'same'/'valid' (+ outputShape), and its 'same' at stride 2 aligns
      // the taps one pixel off PyTorch's p=1: so a 'valid' transpose, cropped by p at the start
      // (what a converter emits for PyTorch's padding), with output_padding as the extra end row
      const valid = (size - 1) * 2 + k;
      const outShape: [number, number, number, number] = [1, valid, valid, cout];
      const crop = (y: tf.Tensor4D): tf.Tensor4D => (p === 0 && op === 0 ? y : tf.slice(y, [0, p, p, 0], [1, out, out, cout]));
      return tfjsRunner(input, (x) => tf.tidy(() => tf.add(crop(tf.conv2dTranspose(x, filter, outShape, 2, "valid")), bias)), [filter, bias]);
    },
  };
}

function bilinear2x(c: number, size: number): OpWorkload {
  const shape: [number, number, number, number] = [1, c, size, size];
  return {
    name: `bilinear resize ×2 ${c} ch @${size}`,
    bytes: f32(numel(shape) * 5),
    macs: 0,
    wasmnn: (seed) => wasmnnModule(new Fn((x) => F.interpolate(x, { scale_factor: 2, mode: "bilinear", align_corners: false })), shape, seed),
    ort: (input) => {
      const g = new OnnxGraph({ name: "x", dims: shape });
      const scales = g.weight("scales", [4], new Float32Array([1, 1, 2, 2]));
      const y = g.node("Resize", ["x", "", scales], { mode: "linear", coordinate_transformation_mode: "pytorch_half_pixel" });
      return ortRunner(g, y, input);
    },
    tfjs: (input) => tfjsRunner(input, (x) => tf.image.resizeBilinear(x, [size * 2, size * 2], false, true)),
  };
}

function groupNorm(groups: number, c: number, size: number): OpWorkload {
  const shape: [number, number, number, number] = [1, c, size, size];
  const eps = 1e-5;
  return {
    name: `GroupNorm(${groups}, ${c}) @${size}`,
    bytes: f32(numel(shape) * 2 + 2 * c),
    macs: 0,
    wasmnn: (seed) => {
      const m = new nn.GroupNorm(groups, c);
      // non-trivial affine parameters so a wrong affine shows in the agreement check
      manual_seed(seed + 1);
      m.load_state_dict({ weight: randn([c]), bias: randn([c]) });
      return wasmnnModule(m, shape, seed);
    },
    ort: (input) => {
      // torch.onnx's GroupNorm export below opset 18: reshape to [N, G, -1], InstanceNormalization
      // with unit scale, reshape back, per-channel affine
      const g = new OnnxGraph({ name: "x", dims: shape });
      const grouped = g.node("Reshape", ["x", g.int64s("gshape", [1, groups, -1])]);
      const normed = g.node("InstanceNormalization", [grouped, g.weight("ones", [groups], new Float32Array(groups).fill(1)), g.weight("zeros", [groups], new Float32Array(groups))], { epsilon: { float: eps } });
      const back = g.node("Reshape", [normed, g.int64s("shape", shape)]);
      const y = g.node("Add", [g.node("Mul", [back, g.weight("w", [c, 1, 1], input.weights.weight)]), g.weight("b", [c, 1, 1], input.weights.bias)]);
      return ortRunner(g, y, input);
    },
    tfjs: async (input) => {
      await initTfjs();
      // tfjs has no group norm: NHWC [1, H, W, G, C/G], moments over H, W and C/G
      const gamma = tf.tensor1d(input.weights.weight);
      const beta = tf.tensor1d(input.weights.bias);
      return tfjsRunner(input, (x) => tf.tidy(() => {
        const xg = tf.reshape(x, [1, size, size, groups, c / groups]);
        const { mean, variance } = tf.moments(xg, [1, 2, 4], true);
        const y = tf.reshape(tf.div(tf.sub(xg, mean), tf.sqrt(tf.add(variance, eps))), [1, size, size, c]);
        return tf.add(tf.mul(y, gamma), beta);
      }), [gamma, beta]);
    },
  };
}

function activation(name: "SiLU" | "Hardswish", shape: [number, number, number, number]): OpWorkload {
  return {
    name: `${name} 1×${shape.slice(1).join("×")}`,
    bytes: f32(numel(shape) * 2),
    macs: 0,
    wasmnn: (seed) => wasmnnModule(name === "SiLU" ? new nn.SiLU() : new nn.Hardswish(), shape, seed),
    ort: (input) => {
      // ONNX 14 has HardSwish; SiLU is exported by torch.onnx as x * Sigmoid(x)
      const g = new OnnxGraph({ name: "x", dims: shape }, name === "Hardswish" ? 14 : 13);
      const y = name === "SiLU" ? g.node("Mul", ["x", g.node("Sigmoid", ["x"])]) : g.node("HardSwish", ["x"]);
      return ortRunner(g, y, input);
    },
    tfjs: (input) => tfjsRunner(input, name === "SiLU"
      // tfjs has neither: the compositions its converter emits
      ? (x) => tf.tidy(() => tf.mul(x, tf.sigmoid(x)))
      : (x) => tf.tidy(() => tf.div(tf.mul(x, tf.relu6(tf.add(x, 3))), 6))),
  };
}

/** torch.cat of `n` tensors of c channels along dim 1 (the same input n times: one feed per engine). */
function concat(n: number, c: number, size: number): OpWorkload {
  const shape: [number, number, number, number] = [1, c, size, size];
  return {
    name: `cat ${n} × ${c} ch @${size}`,
    bytes: f32(numel(shape) * 2 * n),
    macs: 0,
    wasmnn: (seed) => wasmnnModule(new Fn((x) => cat(Array.from({ length: n }, () => x), 1)), shape, seed),
    ort: (input) => {
      const g = new OnnxGraph({ name: "x", dims: shape });
      return ortRunner(g, g.node("Concat", Array.from({ length: n }, () => "x"), { axis: 1 }), input);
    },
    tfjs: (input) => tfjsRunner(input, (x) => tf.concat(Array.from({ length: n }, () => x), 3)),
  };
}

export const OP_SUITE: OpWorkload[] = [
  convTranspose(64, 32, 2, 0, 0, 56),
  convTranspose(64, 32, 3, 1, 1, 56),
  bilinear2x(256, 28),
  groupNorm(32, 256, 28),
  activation("SiLU", [1, 96, 112, 112]),
  activation("Hardswish", [1, 96, 112, 112]),
  concat(4, 64, 28),
];

/** wasmnn's memory.copy of `bytes` (the floor for a memory-bound op of that output size). */
export function copyRunner(bytes: number): OpRunner & { bytes: number } {
  const k = wasm();
  const src = k.alloc(bytes);
  const dst = k.alloc(bytes);
  const mem = () => new Uint8Array(k.memory.buffer);
  mem().fill(1, src, src + bytes);
  return {
    bytes,
    run() { mem().copyWithin(dst, src, src + bytes); },
    output() { return new Float32Array(0); },
    dispose() { k.free(src, bytes); k.free(dst, bytes); },
  };
}
