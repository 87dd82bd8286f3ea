// Conformance cases every runtime runs (Node, Chromium, Deno, workerd) through its package entry.
// Inputs and weights come from integer arithmetic (no Math.sin/exp, which may differ between
// engines in the last bit), so every runtime must produce the same bits; the harness compares the
// output hashes across runtimes. The seed block is also checked against PyTorch's output.
// Plain JavaScript, no imports: `runConformance(wasmnn, seedBlockBytes)`.

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

  // [shape]
  "permute NCHW->NHWC (4x4 tiles) and back": (w) => {
    const nhwc = det(w, [2, 6, 5, 7], 30).permute(0, 2, 3, 1);
    return [nhwc, nhwc.permute(0, 3, 1, 2)];
  },
  "expand + narrow (strided gather)": (w) => det(w, [3, 1, 5], 31).expand(2, 3, 4, 5).narrow(3, 1, 3).transpose(0, 3),
  "channel_shuffle (row runs)": (w) => w.F.channel_shuffle(det(w, [2, 12, 3, 3], 32), 3),
  "cat dim 1 + split (row copies)": (w) => w.split(w.cat([det(w, [2, 3, 4], 33), det(w, [2, 5, 4], 34)], 1), [2, 6], 1),

  // [reduce]

  // [norm]

  // [conv-transpose]
  "conv_transpose2d 2x2 s2 (stacked phases, w2 merge)": (w) => fill(w, new w.nn.ConvTranspose2d(8, 6, 2, { stride: 2 }), 30).forward(det(w, [2, 8, 5, 7], 31)),
  "conv_transpose2d 3x3 s2 p1 op1 groups=2": (w) => fill(w, new w.nn.ConvTranspose2d(4, 6, 3, { stride: 2, padding: 1, output_padding: 1, groups: 2 }), 32).forward(det(w, [2, 4, 5, 6], 33)),
  "conv_transpose2d 1x1 s3 (bias-only phases)": (w) => w.F.conv_transpose2d(det(w, [1, 3, 4, 5], 34), det(w, [3, 2, 1, 1], 35), det(w, [2], 36), 3),
  "conv_transpose2d depthwise stride (3, 2) dilation 2": (w) => fill(w, new w.nn.ConvTranspose2d(4, 4, 3, { stride: [3, 2], dilation: 2, groups: 4 }), 37).forward(det(w, [1, 4, 5, 6], 38)),
  "conv1d reflect same": (w) => fill(w, new w.nn.Conv1d(4, 6, 4, { padding: "same", padding_mode: "reflect" }), 39).forward(det(w, [2, 4, 13], 40)),
  "max_pool1d + indices": (w) => w.F.max_pool1d(det(w, [2, 3, 17], 41), 3, 2, 1, 2, true, true),
  "avg_pool1d / adaptive 1d": (w) => [w.F.avg_pool1d(det(w, [2, 3, 17], 42), 4, 3, 2, true, false), w.F.adaptive_avg_pool1d(det(w, [3, 17], 43), 5), ...w.F.adaptive_max_pool1d(det(w, [3, 17], 44), 6, true)],

  // [resample]

};

/**
 * Runs every case; returns { hashes: {name: hash}, seedMaxError, failures: [messages] }.
 * `seedBlockBytes` is tests/fixtures/seed_block.safetensors (PyTorch's weights and output).
 */
export async function runConformance(w, seedBlockBytes) {
  await w.init();
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
  return { hashes, seedMaxError, failures };
}
