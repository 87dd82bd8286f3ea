// tfjs-backend-wasm side: NHWC ops, weights laid out and BatchNorm folded into the preceding conv
// beforehand (as tfjs-converter's graph models do), fused bias + ReLU; layout conversions of the
// input happen once, outside the timed region.
import * as tf from "@tensorflow/tfjs-core";
import { setThreadsCount, getThreadsCount, version_wasm } from "@tensorflow/tfjs-backend-wasm";
import type { ConvW, BnW, LayerW, ResNetW, Weights } from "./wasmnn.js";

let ready: Promise<void> | null = null;
/**
 * One thread, or --threads N (setThreadsCount before setBackend); in Node the backend loads its
 * non-threaded SIMD build whatever is asked (tfjsInfo reports the count it runs).
 */
export function initTfjs(): Promise<void> {
  ready ??= (async () => {
    setThreadsCount(Number(process.env.BENCH_THREADS ?? 1));
    if (!(await tf.setBackend("wasm"))) throw new Error("tfjs: the wasm backend failed to initialise");
    await tf.ready();
  })();
  return ready;
}
export const tfjsInfo = async (): Promise<string> =>
  `threads=${getThreadsCount()}, simd=${await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")}, multithread=${await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT")}`;
export const tfjsVersions = (): { core: string; wasm: string } => ({ core: tf.version_core, wasm: version_wasm });

/** NCHW (batch 1) -> NHWC data */
export function toNHWC(x: Float32Array, c: number, h: number, w: number): Float32Array {
  const y = new Float32Array(x.length);
  for (let ci = 0; ci < c; ci++) for (let i = 0; i < h * w; i++) y[i * c + ci] = x[ci * h * w + i];
  return y;
}
export function toNCHW(x: Float32Array, c: number, h: number, w: number): Float32Array {
  const y = new Float32Array(x.length);
  for (let ci = 0; ci < c; ci++) for (let i = 0; i < h * w; i++) y[ci * h * w + i] = x[i * c + ci];
  return y;
}

type Fn = (x: tf.Tensor4D) => tf.Tensor;

/** weight tensors made by the builder being run, disposed with its case */
let owned: tf.Tensor[] = [];
const own = <T extends tf.Tensor>(t: T): T => (owned.push(t), t);

/**
 * A conv (optionally followed by BatchNorm, folded into weights and bias, and ReLU) as tfjs ops.
 * Dense: fused.conv2d; depthwise (groups == cin == cout): fused.depthwiseConv2d; other groups:
 * split + one conv per group + concat (tfjs has no grouped conv); reflect: mirrorPad + valid conv.
 */
function convFn(c: ConvW, bn: BnW | null, relu: boolean): Fn {
  const s = c.spec;
  const cinG = s.cin / s.groups;
  const coutG = s.cout / s.groups;
  // fold BN: w' = w * gamma / sqrt(var + eps), b' = (b - mean) * gamma / sqrt(var + eps) + beta
  const scale = new Float32Array(s.cout).fill(1);
  const shift = new Float32Array(s.cout);
  if (c.b) shift.set(c.b);
  if (bn) {
    for (let o = 0; o < s.cout; o++) {
      scale[o] = bn.gamma[o] / Math.sqrt(bn.var[o] + bn.eps);
      shift[o] = (shift[o] - bn.mean[o]) * scale[o] + bn.beta[o];
    }
  }
  const hasBias = c.b !== null || bn !== null;
  const bias = hasBias ? own(tf.tensor1d(shift)) : undefined;
  const activation = relu ? "relu" : "linear";
  const k = s.k;
  const depthwise = s.groups > 1 && s.groups === s.cin && s.cout === s.cin;
  const reflect = s.mode === "reflect";
  const p = reflect ? 0 : s.pad;
  const pad: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [p, p], [p, p], [0, 0]];
  const prepad = (x: tf.Tensor4D): tf.Tensor4D =>
    reflect ? tf.mirrorPad(x, [[0, 0], [s.pad, s.pad], [s.pad, s.pad], [0, 0]], "reflect") : x;

  if (depthwise) {
    // weight [C, 1, k, k] -> [k, k, C, 1]
    const f = new Float32Array(k * k * s.cin);
    for (let ch = 0; ch < s.cin; ch++) for (let t = 0; t < k * k; t++) f[t * s.cin + ch] = c.w[ch * k * k + t] * scale[ch];
    const filter = own(tf.tensor4d(f, [k, k, s.cin, 1]));
    return (x) => tf.fused.depthwiseConv2d({ x: prepad(x), filter, strides: s.stride, pad: p, dilations: s.dil, bias, activation });
  }
  // weight [cout, cin/g, k, k] -> per group [k, k, cin/g, cout/g]
  const filters: tf.Tensor4D[] = [];
  const biases: (tf.Tensor1D | undefined)[] = [];
  for (let g = 0; g < s.groups; g++) {
    const f = new Float32Array(k * k * cinG * coutG);
    for (let o = 0; o < coutG; o++) {
      const oc = g * coutG + o;
      for (let i = 0; i < cinG; i++) for (let t = 0; t < k * k; t++) f[(t * cinG + i) * coutG + o] = c.w[(oc * cinG + i) * k * k + t] * scale[oc];
    }
    filters.push(own(tf.tensor4d(f, [k, k, cinG, coutG])));
    biases.push(hasBias ? own(tf.tensor1d(shift.subarray(g * coutG, (g + 1) * coutG))) : undefined);
  }
  const one = (x: tf.Tensor4D, g: number) =>
    tf.fused.conv2d({ x, filter: filters[g], strides: s.stride, pad, dilations: s.dil, bias: biases[g], activation });
  if (s.groups === 1) return (x) => one(prepad(x), 0);
  return (x) => {
    const parts = tf.split(prepad(x), s.groups, 3) as tf.Tensor4D[];
    return tf.concat(parts.map((part, g) => one(part, g)), 3);
  };
}

function layersFn(layers: LayerW[]): Fn {
  const fns: Fn[] = [];
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i];
    if (l.op === "conv") {
      const bn = layers[i + 1]?.op === "bn" ? (layers[++i] as BnW) : null;
      const relu = layers[i + 1]?.op === "relu" ? (i++, true) : false;
      fns.push(convFn(l, bn, relu));
    } else if (l.op === "bn") {
      const [mean, variance, offset, scale] = [l.mean, l.var, l.beta, l.gamma].map((v) => own(tf.tensor1d(v)));
      fns.push((x) => tf.batchNorm(x, mean, variance, offset, scale, l.eps));
    } else if (l.op === "relu") fns.push((x) => tf.relu(x));
    else {
      const { k, s, p } = l;
      fns.push((x) => tf.maxPool(x, k, s, p));
    }
  }
  return (x) => fns.reduce((y, f) => f(y as tf.Tensor4D), x as tf.Tensor);
}

function resnetFn(net: ResNetW): Fn {
  const stem = convFn(net.stem.conv, net.stem.bn, true);
  const blocks = net.blocks.map((b) => ({
    c1: convFn(b.conv1, b.bn1, true),
    c2: convFn(b.conv2, b.bn2, false),
    ds: b.ds ? convFn(b.ds.conv, b.ds.bn, false) : null,
  }));
  // fc weight [out, in] -> [in, out]
  const wt = new Float32Array(net.fc.in * net.fc.out);
  for (let o = 0; o < net.fc.out; o++) for (let i = 0; i < net.fc.in; i++) wt[i * net.fc.out + o] = net.fc.w[o * net.fc.in + i];
  const fcW = own(tf.tensor2d(wt, [net.fc.in, net.fc.out]));
  const fcB = own(tf.tensor1d(net.fc.b));
  return (input) => {
    let x = tf.maxPool(stem(input) as tf.Tensor4D, 3, 2, 1);
    for (const b of blocks) {
      const y = b.c2(b.c1(x) as tf.Tensor4D);
      x = tf.relu(tf.add(y, b.ds ? b.ds(x) : x)) as tf.Tensor4D;
    }
    return tf.fused.matMul({ a: tf.mean(x, [1, 2]) as tf.Tensor2D, b: fcW, bias: fcB });
  };
}

export interface TfjsCase {
  run(): void;
  output(): Float32Array;
  dispose(): void;
}

/** `outShape` [C, H, W] (or [classes]) converts the NHWC output back to NCHW for the check. */
export async function buildTfjs(weights: Weights, input: [number, number, number], inputData: Float32Array, outShape: number[]): Promise<TfjsCase> {
  await initTfjs();
  owned = [];
  const fn = weights.kind === "resnet18" ? resnetFn(weights.net) : layersFn(weights.layers);
  const [c, h, w] = input;
  const x = own(tf.tensor4d(toNHWC(inputData, c, h, w), [1, h, w, c]));
  const mine = owned;
  owned = [];
  return {
    run() { tf.tidy(() => fn(x)).dispose(); },
    output() {
      const y = tf.tidy(() => fn(x));
      const d = y.dataSync() as Float32Array;
      y.dispose();
      return outShape.length === 3 ? toNCHW(d, outShape[0], outShape[1], outShape[2]) : d.slice();
    },
    dispose() { for (const t of mine) t.dispose(); },
  };
}
