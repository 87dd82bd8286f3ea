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

  // [reduce]

  // [norm]

  // [conv-transpose]

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
