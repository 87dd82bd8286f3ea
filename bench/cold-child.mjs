// One cold start, in a fresh Node process (spawned by bench/cold-start.ts):
//   node bench/cold-child.mjs <wasmnn|ort|tfjs> <data dir>
// Reads the seed block's input and weights from <data dir> first, then times from before the
// engine's import() to the first result of the seed block (conv 7×7 s2 p3 → BN → ReLU →
// maxpool 3/2/1 on 1×3×304×228) read back into a Float32Array. Prints one JSON line.
import { readFileSync } from "node:fs";
import { join } from "node:path";

const [engine, dir] = process.argv.slice(2);
const f32 = (name) => {
  const b = readFileSync(join(dir, name));
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4).slice();
};
const H = 304, W = 228;

// phase marks: time since t0 at the end of each phase (import, init, build, first result)
const marks = {};
let t0 = 0;
const mark = (name) => { marks[name] = performance.now() - t0; };

let run;
if (engine === "wasmnn") {
  const input = f32("input.f32"), weight = f32("conv_w.f32"), bn = f32("bn.f32");
  const pkg = join(dir, "..", "pkg", "dist", "node.js");
  run = async () => {
    const { init, nn, tensor } = await import(pkg);
    mark("import");
    await init();
    mark("init");
    const block = new nn.Sequential(
      new nn.Conv2d(3, 64, 7, { stride: 2, padding: 3, bias: false }), new nn.BatchNorm2d(64), new nn.ReLU(true), new nn.MaxPool2d(3, 2, 1));
    block.load_state_dict({
      "0.weight": tensor(weight, [64, 3, 7, 7]),
      "1.weight": tensor(bn.subarray(0, 64), [64]),
      "1.bias": tensor(bn.subarray(64, 128), [64]),
      "1.running_mean": tensor(bn.subarray(128, 192), [64]),
      "1.running_var": tensor(bn.subarray(192, 256), [64]),
    }, false);
    block.eval();
    const x = tensor(input, [1, 3, H, W]);
    mark("build");
    const y = block.forward(x);
    return y.data();
  };
} else if (engine === "ort") {
  const input = f32("input.f32");
  const model = new Uint8Array(readFileSync(join(dir, "seed.onnx")));
  run = async () => {
    const ort = await import("onnxruntime-web");
    mark("import");
    ort.env.wasm.numThreads = 1;
    ort.env.logLevel = "error";
    const session = await ort.InferenceSession.create(model, { executionProviders: ["wasm"] });
    mark("init+build");
    const r = await session.run({ x: new ort.Tensor("float32", input, [1, 3, H, W]) });
    return r[session.outputNames[0]].data;
  };
} else if (engine === "tfjs") {
  const input = f32("input_nhwc.f32"), filter = f32("tfjs_filter.f32"), bias = f32("tfjs_bias.f32");
  run = async () => {
    const tf = await import("@tensorflow/tfjs-core");
    const { setThreadsCount } = await import("@tensorflow/tfjs-backend-wasm");
    mark("import");
    setThreadsCount(1);
    await tf.setBackend("wasm");
    mark("init");
    const x = tf.tensor4d(input, [1, H, W, 3]);
    const w = tf.tensor4d(filter, [7, 7, 3, 64]), b = tf.tensor1d(bias);
    mark("build");
    const y = tf.maxPool(tf.fused.conv2d({
      x, filter: w, strides: 2, pad: [[0, 0], [3, 3], [3, 3], [0, 0]], bias: b, activation: "relu",
    }), 3, 2, 1);
    return y.dataSync();
  };
} else {
  throw new Error(`unknown engine ${engine}`);
}

const sinceProcessStart = performance.now();
t0 = performance.now();
const out = await run();
const ms = performance.now() - t0;
let sum = 0;
for (let i = 0; i < out.length; i++) sum += out[i];
console.log(JSON.stringify({ engine, ms, marks, sinceProcessStart, n: out.length, sum }));
process.exit(0);
