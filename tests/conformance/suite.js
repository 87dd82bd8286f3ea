// Conformance cases every runtime runs (Node, Chromium, Deno, workerd) through its package entry.
// Inputs and weights come from integer arithmetic (no Math.sin/exp, which may differ between
// engines in the last bit), so every runtime must produce the same bits; the harness compares the
// output hashes across runtimes. The seed block is also checked against PyTorch's output.
// Plain JavaScript, importing only files.js (fixtures as base64): `runConformance(wasmnn, seedBlockBytes)`.
import { FILES } from "./files.js";

/** A fixture of tests/fixtures/io/ as bytes (atob: every runtime has it). */
function fileBytes(name) {
  const text = atob(FILES[name]);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** Deterministic float32 values in [-1, 1] with 3 decimals, from the element index and a seed. */
function det(w, shape, seed) {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const h = (Math.imul(i + 1, 2654435761) + Math.imul(seed, 40503)) >>> 0;
    values[i] = ((h % 2001) - 1000) / 1000;
  }
  return w.tensor(values, shape);
}

/** Loads deterministic values into every parameter and float buffer of a module (running_var kept positive). */
function fill(w, module, seed) {
  const state = {};
  let k = seed;
  for (const [name, t] of Object.entries(module.state_dict())) {
    if (t.dtype !== "float32") continue;
    const values = det(w, t.shape, k++);
    state[name] = name.endsWith("running_var") ? w.F.relu(values).add_(w.ones(t.shape)) : values;
  }
  module.load_state_dict(state, false);
  return module;
}

/** FNV-1a over the output's bytes: equal hashes mean bit-identical outputs. */
function hash(t) {
  const data = t.data();
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}

const conv = (options, shape = [2, 4, 9, 11]) => (w) => {
  const { in_channels = 4, out_channels = 6, kernel_size = 3, ...rest } = options;
  return fill(w, new w.nn.Conv2d(in_channels, out_channels, kernel_size, rest), 1).forward(det(w, shape, 7));
};

export const CASES = {
  // torch.load (both formats: every storage dtype converted, views, strides, 0-d, empty) and
  // safetensors' every dtype: the same bits in every runtime
  "torch.load zip": (w) => Object.values(w.load(fileBytes("state_zip.pt"))),
  "torch.load legacy": (w) => Object.values(w.load(fileBytes("state_legacy.pt"))),
  "safetensors every dtype": (w) => Object.values(w.safetensors.load(fileBytes("dtypes.safetensors"))),
  "conv zeros": conv({ padding: 1 }),
  "conv reflect": conv({ padding: 2, padding_mode: "reflect" }),
  "conv replicate": conv({ padding: [1, 3], padding_mode: "replicate", stride: 2 }),
  "conv circular": conv({ padding: 2, padding_mode: "circular", dilation: 2 }),
  "conv same even kernel": conv({ kernel_size: 4, padding: "same" }),
  "conv groups=2": conv({ groups: 2, out_channels: 4 }),
  "conv depthwise x2": conv({ groups: 4, out_channels: 8, padding: 1 }),
  "conv dilation 2 stride 2": conv({ dilation: 2, stride: 2, padding: 2 }),
  "conv 1x1 (GEMM)": conv({ kernel_size: 1, in_channels: 16, out_channels: 9 }, [1, 16, 8, 8]),
  "conv unbatched": conv({ padding: 1 }, [4, 7, 5]),
  "max_pool2d ceil + indices": (w) => w.F.max_pool2d(det(w, [2, 3, 9, 10], 3), 3, 2, 1, 1, true, true),
  "avg_pool2d count_include_pad=false": (w) => w.F.avg_pool2d(det(w, [2, 3, 9, 10], 4), 3, 2, 1, true, false),
  "adaptive_avg_pool2d 7->3": (w) => w.F.adaptive_avg_pool2d(det(w, [1, 3, 7, 7], 5), 3),
  "adaptive_max_pool2d + indices": (w) => w.F.adaptive_max_pool2d(det(w, [1, 3, 10, 7], 6), [4, null], true),
  "batch_norm eval": (w) => fill(w, new w.nn.BatchNorm2d(3), 11).eval().forward(det(w, [2, 3, 5, 5], 8)),
  "batch_norm train (3 steps)": (w) => {
    const bn = fill(w, new w.nn.BatchNorm2d(3, 1e-5, null), 12);
    for (let i = 0; i < 2; i++) bn.forward(det(w, [2, 3, 4, 4], 20 + i)).dispose();
    return [bn.forward(det(w, [2, 3, 4, 4], 22)), bn.running_mean, bn.running_var];
  },
  "relu6": (w) => w.F.relu6(det(w, [64], 9).add_(det(w, [64], 10)).add_(w.ones([64])).add_(w.ones([64]))),
  "linear": (w) => fill(w, new w.nn.Linear(20, 7), 13).forward(det(w, [3, 20], 14)),
  "pad reflect": (w) => w.F.pad(det(w, [1, 2, 4, 5], 15), [2, 1, 3, 0], "reflect"),
  "pad circular": (w) => w.F.pad(det(w, [1, 2, 4, 5], 16), [1, 2, 2, 1], "circular"),
  // issue #11's op families: each adds its cases directly under its own marker
  // [elementwise]
  "f32_binary: SE gate, layer scale, alpha, floor division, tensor clamp": (w) => {
    const x = det(w, [2, 8, 5, 7], 30);
    const positive = w.abs(det(w, [3, 1], 34)).add_(0.25);
    return [
      x.mul(det(w, [2, 8, 1, 1], 31)),                                    // one value per row
      w.mul(det(w, [8, 1, 1], 32), x),                                    // [outer][rows][run]
      w.add(x, det(w, [2, 1, 5, 7], 33), { alpha: 0.3 }),                 // f64 product-sum
      w.div(det(w, [1, 17], 35), positive, { rounding_mode: "floor" }),   // c10::div_floor_floating
      w.clamp(x, det(w, [7], 36), det(w, [5, 1], 37)),                    // maximum, then minimum
    ];
  },
  "f32_binary_scalar: numbers on either side": (w) => w.sub(2, det(w, [3, 37], 38), { alpha: 0.7 }).div(3).mul_(-1.5),
  "f32_unary: rsqrt, sqrt, neg, abs, clamp": (w) => w.rsqrt(w.abs(det(w, [67], 39)).add_(0.125)).sqrt().neg().clamp(-1.5, -0.25).abs(),

  // [activation]
  // f32_activation per kind, f32_prelu, f32_softmax: inputs (h % 24001 - 12000) / 100 in [-120, 120], 4 + 3 lanes
  ...(() => {
    const wide = (w, shape, seed) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const values = new Float32Array(n);
      for (let i = 0; i < n; i++) values[i] = ((Math.imul(i + 1, 2654435761) + Math.imul(seed, 40503)) >>> 0) % 24001 / 100 - 120;
      return w.tensor(values, shape);
    };
    const x = (w) => wide(w, [3, 5, 7], 31);
    return {
      "activation sigmoid tanh exp": (w) => [w.F.sigmoid(x(w)), w.F.tanh(x(w)), w.exp(x(w))],
      "activation silu gelu gelu-tanh": (w) => [w.F.silu(x(w)), w.F.gelu(x(w)), w.F.gelu(x(w), { approximate: "tanh" })],
      "activation hardswish hardsigmoid mish": (w) => [w.F.hardswish(x(w)), w.F.hardsigmoid(x(w)), w.F.mish(x(w))],
      "activation leaky_relu elu softplus hardtanh": (w) => [w.F.leaky_relu(x(w), 0.125), w.F.elu(x(w), 0.5), w.F.softplus(x(w), 2, 30), w.F.hardtanh(x(w), -2, 3)],
      "prelu": (w) => w.F.prelu(x(w), w.tensor([0.25, -0.5, 2, 0, 1])),
      "softmax log_softmax": (w) => [w.F.softmax(x(w), 1), w.F.log_softmax(x(w), -1), w.F.softmax(x(w), 0)],
      // the activation fused into each convolution path's epilogue (Sequential, eval)
      "conv + BN + SiLU fused (GEMM, Winograd, depthwise)": (w) => [
        [new w.nn.Conv2d(4, 6, 3, 2, 1), [1, 4, 9, 11]], [new w.nn.Conv2d(8, 8, 3, { padding: 1 }), [1, 8, 12, 12]],
        [new w.nn.Conv2d(8, 8, 3, { padding: 1, groups: 8 }), [1, 8, 7, 9]],
      ].map(([conv, shape], i) => {
        const block = new w.nn.Sequential(fill(w, conv, 40 + i), fill(w, new w.nn.BatchNorm2d(conv.out_channels), 50 + i), new w.nn.SiLU());
        return block.eval().forward(det(w, shape, 60 + i));
      }),
      "conv + Hardswish / GELU fused": (w) => [new w.nn.Hardswish(), new w.nn.GELU()].map((act, i) =>
        new w.nn.Sequential(fill(w, new w.nn.Conv2d(4, 6, 1), 70 + i), act).eval().forward(det(w, [1, 4, 5, 7], 80 + i))),
    };
  })(),

  // [shape]
  "permute NCHW->NHWC (4x4 tiles) and back": (w) => {
    const nhwc = det(w, [2, 6, 5, 7], 30).permute(0, 2, 3, 1);
    return [nhwc, nhwc.permute(0, 3, 1, 2)];
  },
  "expand + narrow (strided gather)": (w) => det(w, [3, 1, 5], 31).expand(2, 3, 4, 5).narrow(3, 1, 3).transpose(0, 3),
  "channel_shuffle (row runs)": (w) => w.F.channel_shuffle(det(w, [2, 12, 3, 3], 32), 3),
  "cat dim 1 + split (row copies)": (w) => w.split(w.cat([det(w, [2, 3, 4], 33), det(w, [2, 5, 4], 34)], 1), [2, 6], 1),

  // [reduce]
  "sum rows (pairwise) + mean columns": (w) => [w.sum(det(w, [3, 700], 30), 1), w.mean(det(w, [2, 150, 23], 31), 1), w.sum(det(w, [2, 5, 6, 7], 32), [0, 2])],
  "amax/amin rows and columns": (w) => [w.amax(det(w, [4, 37], 33), 1), w.amin(det(w, [3, 9, 21], 34), 1)],
  "max(dim) + argmin": (w) => [...w.max(det(w, [3, 41], 35), 1), ...w.min(det(w, [2, 7, 6], 36), 1, true), w.argmin(det(w, [50], 37))],
  "topk": (w) => w.topk(det(w, [3, 40], 38), 5),
  "matmul 2-D (K, N over the slabs)": (w) => w.matmul(det(w, [7, 260], 39), det(w, [260, 133], 40)),
  "matmul batched broadcast + mv": (w) => [w.matmul(det(w, [2, 1, 5, 9], 41), det(w, [3, 9, 6], 42)), w.matmul(det(w, [4, 9], 43), det(w, [9], 44))],
  "bilinear": (w) => w.F.bilinear(det(w, [3, 5], 45), det(w, [3, 4], 46), det(w, [6, 5, 4], 47), det(w, [6], 48)),
  "embedding + max_norm": (w) => {
    const weight = det(w, [9, 5], 49);
    const indices = w.tensor(new BigInt64Array([3n, 0n, 8n, 3n]), [2, 2]);
    return [w.F.embedding(indices, weight, { max_norm: 1 }), weight];
  },

  // [norm]
  "layer_norm channels-last, eps 1e-6": (w) => fill(w, new w.nn.LayerNorm(13, { eps: 1e-6 }), 30).forward(det(w, [2, 3, 13], 31)),
  "group_norm 2 groups of 3 channels": (w) => fill(w, new w.nn.GroupNorm(2, 6), 32).forward(det(w, [2, 6, 3, 3], 33)),
  "instance_norm train (2 steps) + running stats": (w) => {
    const norm = fill(w, new w.nn.InstanceNorm2d(3, { affine: true, track_running_stats: true }), 34);
    norm.forward(det(w, [2, 3, 4, 5], 35)).dispose();
    return [norm.forward(det(w, [2, 3, 4, 5], 36)), norm.running_mean, norm.running_var];
  },
  "local_response_norm (AlexNet's 5, 1e-4, 0.75, 2)": (w) => w.F.local_response_norm(det(w, [1, 7, 3, 3], 37), 5, 1e-4, 0.75, 2),
  "normalize p=2 dim=1, p=3 last dim": (w) => [w.F.normalize(det(w, [2, 5, 3], 38)), w.F.normalize(det(w, [3, 7], 39), 3, -1)],

  // [conv-transpose]
  "conv_transpose2d 2x2 s2 (stacked phases, w2 merge)": (w) => fill(w, new w.nn.ConvTranspose2d(8, 6, 2, { stride: 2 }), 30).forward(det(w, [2, 8, 5, 7], 31)),
  "conv_transpose2d 3x3 s2 p1 op1 groups=2": (w) => fill(w, new w.nn.ConvTranspose2d(4, 6, 3, { stride: 2, padding: 1, output_padding: 1, groups: 2 }), 32).forward(det(w, [2, 4, 5, 6], 33)),
  "conv_transpose2d 1x1 s3 (bias-only phases)": (w) => w.F.conv_transpose2d(det(w, [1, 3, 4, 5], 34), det(w, [3, 2, 1, 1], 35), det(w, [2], 36), 3),
  "conv_transpose2d depthwise stride (3, 2) dilation 2": (w) => fill(w, new w.nn.ConvTranspose2d(4, 4, 3, { stride: [3, 2], dilation: 2, groups: 4 }), 37).forward(det(w, [1, 4, 5, 6], 38)),
  "conv1d reflect same": (w) => fill(w, new w.nn.Conv1d(4, 6, 4, { padding: "same", padding_mode: "reflect" }), 39).forward(det(w, [2, 4, 13], 40)),
  "max_pool1d + indices": (w) => w.F.max_pool1d(det(w, [2, 3, 17], 41), 3, 2, 1, 2, true, true),
  "avg_pool1d / adaptive 1d": (w) => [w.F.avg_pool1d(det(w, [2, 3, 17], 42), 4, 3, 2, true, false), w.F.adaptive_avg_pool1d(det(w, [3, 17], 43), 5), ...w.F.adaptive_max_pool1d(det(w, [3, 17], 44), 6, true)],

  // [resample]
  "interpolate bilinear x2": (w) => w.F.interpolate(det(w, [1, 3, 7, 9], 30), { scale_factor: 2, mode: "bilinear" }),
  "interpolate bicubic 33->50 align_corners": (w) => w.F.interpolate(det(w, [1, 2, 33, 11], 31), { size: [50, 17], mode: "bicubic", align_corners: true }),
  "interpolate linear 1-D": (w) => w.F.interpolate(det(w, [2, 3, 10], 32), { size: 23, mode: "linear" }),
  "interpolate nearest-exact": (w) => w.F.interpolate(det(w, [1, 2, 5, 7], 33), { scale_factor: 1.7, mode: "nearest-exact" }),
  "interpolate bilinear 1x1 and C=1 (channels-last arithmetic)": (w) => [
    w.F.interpolate(det(w, [1, 10, 1, 1], 36), { size: [9, 7], mode: "bilinear" }),
    w.F.interpolate(det(w, [1, 1, 5, 6], 37), { size: [8, 11], mode: "bilinear", align_corners: true })],
  "interpolate antialias bicubic": (w) => w.F.interpolate(det(w, [1, 2, 17, 23], 38), { size: [6, 8], mode: "bicubic", antialias: true }),
  "pixel_shuffle / unshuffle": (w) => [w.F.pixel_shuffle(det(w, [1, 8, 3, 5], 34), 2), w.F.pixel_unshuffle(det(w, [1, 2, 6, 9], 35), 3)],

  // [threads] layers big enough to be split across a pool (issue #15): every kernel family
  "threads: F(4,3) 3x3 conv + ReLU": (w) => w.F.relu(fill(w, new w.nn.Conv2d(24, 32, 3, { padding: 1 }), 50).forward(det(w, [1, 24, 40, 36], 51))),
  "threads: strided conv, reflect": (w) => fill(w, new w.nn.Conv2d(16, 40, 3, { stride: 2, padding: 1, padding_mode: "reflect" }), 52).forward(det(w, [2, 16, 45, 37], 53)),
  "threads: pointwise + BN + depthwise + pools": (w) => {
    const block = fill(w, new w.nn.Sequential(new w.nn.Conv2d(32, 96, 1), new w.nn.BatchNorm2d(96), new w.nn.ReLU6(),
      new w.nn.Conv2d(96, 96, 3, { padding: 1, groups: 96 }), new w.nn.BatchNorm2d(96), new w.nn.SiLU()), 54).eval();
    const y = block.forward(det(w, [1, 32, 33, 31], 55));
    return [y, w.F.max_pool2d(y, 3, 2, 1), w.F.adaptive_avg_pool2d(y, 1)];
  },
  "threads: linear 512->300, softmax": (w) => w.F.softmax(fill(w, new w.nn.Linear(512, 300), 56).forward(det(w, [4, 512], 57)), -1),
};

/**
 * Runs every case; returns { hashes: {name: hash}, seedMaxError, failures: [messages] }.
 * `seedBlockBytes` is tests/fixtures/seed_block.safetensors (PyTorch's weights and output).
 */
export async function runConformance(w, seedBlockBytes, initOptions) {
  await w.init(initOptions);
  const hashes = {};
  const failures = [];
  for (const [name, run] of Object.entries(CASES)) {
    try {
      w.tidy(() => {
        const out = run(w);
        hashes[name] = (Array.isArray(out) ? out : [out]).map((t) => `${t.shape.join("x")}:${hash(t)}`).join(" ");
      });
    } catch (error) {
      failures.push(`${name}: ${error && error.stack || error}`);
    }
  }
  let seedMaxError = null;
  if (seedBlockBytes) {
    w.tidy(() => {
      const tensors = w.safetensors.load(seedBlockBytes);
      const state = {};
      for (const [key, value] of Object.entries(tensors)) if (key.startsWith("seed.state.")) state[key.slice(11)] = value;
      const block = new w.nn.Sequential(
        new w.nn.Conv2d(3, 64, 7, 2, 3, { bias: false }), new w.nn.BatchNorm2d(64), new w.nn.ReLU(true), new w.nn.MaxPool2d(3, 2, 1));
      block.load_state_dict(state);
      block.eval();
      const out = block.forward(tensors["seed.input"]);
      hashes["seed block (PyTorch weights)"] = `${out.shape.join("x")}:${hash(out)}`;
      const got = out.data();
      const want = tensors["seed.output"].data();
      seedMaxError = 0;
      for (let i = 0; i < got.length; i++) seedMaxError = Math.max(seedMaxError, Math.abs(got[i] - want[i]));
      if (!(seedMaxError <= 1e-4)) failures.push(`seed block: max abs error ${seedMaxError} vs PyTorch exceeds 1e-4`);
      block.dispose();
    });
  }
  return { hashes, seedMaxError, failures, backend: w.backend() };
}
