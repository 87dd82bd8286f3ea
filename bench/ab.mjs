// A/B of one kernel between two builds of the Wasm module, in one process, calls interleaved (the
// machine drifts between speed regimes; interleaving cancels that): the way every kernel change was
// measured. Both builds get the same inputs; the output difference is printed too (0 = bit-identical).
//
//   cp build/wasmnn.wasm /tmp/before.wasm   # then change assembly/, then: npx asc assembly/index.ts --target release
//   node --no-liftoff bench/ab.mjs /tmp/before.wasm build/wasmnn.wasm <kernel> [sizes...]
//
// kernels (sizes, defaults in brackets):
//   igemm  C OC H K stride pad   direct convolution, 1 image H x H  [64 128 56 3 2 1]
//   f2x3 | f4x3 | s2k7  C OC H   Winograd (3x3 stride 1, pad 1; s2k7: 7x7 stride 2, pad 3)  [64 64 56]
//   dw     C H stride            c4 depthwise 3x3, pad 1  [144 56 1]
// ACT=relu or ACT=relu6 in the environment: with that activation fused (default none)
import fs from "node:fs";

const [fileA, fileB, kind = "igemm", ...rest] = process.argv.slice(2);
if (!fileA || !fileB) {
  console.error("usage: node --no-liftoff bench/ab.mjs before.wasm after.wasm <igemm|f2x3|f4x3|s2k7|dw> [sizes...]");
  process.exit(2);
}
const sizes = rest.map(Number);
const [actMin, actMax] = process.env.ACT === "relu" ? [0, Infinity] : process.env.ACT === "relu6" ? [0, 6] : [-Infinity, Infinity];
const pick = (defaults) => defaults.map((d, i) => (Number.isFinite(sizes[i]) ? sizes[i] : d));

function geometry() {
  if (kind === "igemm") {
    const [C, OC, H, K, S, P] = pick([64, 128, 56, 3, 2, 1]);
    return { C, OC, H, K, S, P, macs: 0 };
  }
  if (kind === "dw") {
    const [C, H, S] = pick([144, 56, 1]);
    return { C, OC: C, H, K: 3, S, P: 1 };
  }
  const [C, OC, H] = pick([64, 64, 56]);
  return kind === "s2k7" ? { C, OC, H, K: 7, S: 2, P: 3 } : { C, OC, H, K: 3, S: 1, P: 1 };
}
const g = geometry();
g.OH = Math.floor((g.H + 2 * g.P - g.K) / g.S) + 1;

async function setup(file) {
  const { instance } = await WebAssembly.instantiate(fs.readFileSync(file), { env: { abort() { throw new Error("abort"); } } });
  const e = instance.exports;
  const { C, OC, H, K, S, P, OH } = g;
  const perOut = kind === "dw" ? 1 : C;
  const x = e.alloc(C * H * H * 4), w = e.alloc(OC * perOut * K * K * 4), b = e.alloc(OC * 4), y = e.alloc(OC * OH * OH * 4);
  let seed = 1;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) - 0.5;
  const m = new Float32Array(e.memory.buffer);
  for (let i = 0; i < C * H * H; i++) m[x / 4 + i] = rnd();
  for (let i = 0; i < OC * perOut * K * K; i++) m[w / 4 + i] = rnd() * 0.1;
  for (let i = 0; i < OC; i++) m[b / 4 + i] = rnd();
  let run;
  if (kind === "igemm") {
    const packed = e.alloc(e.f32_conv2d_packed_size(OC, 1, C * K * K) * 4);
    e.f32_conv2d_pack(w, b, OC, 1, C * K * K, packed);
    const ws = e.alloc(Number(e.f32_conv2d_igemm_workspace(C, H, H, K, K, 1, P, P, P, P)));
    // (actKind, then the unit range [0, 1): the whole call; builds before the range ignore them)
    run = () => e.f32_conv2d_igemm(x, 1, C, H, H, packed, OC, 1, K, K, S, S, 1, 1, P, P, P, P, 0, y, OH, OH, ws, actMin, actMax, 0, 0, 1, 0, 0);
  } else if (kind === "dw") {
    const ws = e.alloc(Number(e.f32_dwconv2d_c4_workspace(H, H, P, P, P, P, OH, OH)));
    // (actKind 0, one band, units [0, groups): builds from before the unit range ignore the extra arguments)
    run = () => e.f32_dwconv2d_c4(x, 1, C, H, H, w, b, 1, 3, 3, S, S, 1, 1, P, P, P, P, 0, y, OH, OH, ws, actMin, actMax, 0, 1, 0, Math.ceil(C / 4));
  } else {
    const packed = e.alloc(e[`f32_winograd_${kind}_packed_size`](OC, C) * 4);
    e[`f32_winograd_${kind}_pack`](w, OC, C, packed);
    const ws = e.alloc(Number(e[`f32_winograd_${kind}_workspace`](C, OC, OH, OH)));
    const scratch = e.alloc(C * (H + 2 * P) * (H + 2 * P) * 4);
    run = () => e[`f32_conv2d_winograd_${kind}`](x, 1, C, H, H, packed, b, OC, P, P, P, P, 0, y, OH, OH, ws, scratch, actMin, actMax);
  }
  const out = () => new Float32Array(e.memory.buffer).slice(y / 4, y / 4 + OC * OH * OH);
  return { run, out };
}

const A = await setup(fileA);
const B = await setup(fileB);
A.run();
B.run();
const outA = A.out(), outB = B.out();
let diff = 0;
for (let i = 0; i < outA.length; i++) diff = Math.max(diff, Math.abs(outA[i] - outB[i]));

// about 2 s of work per build, at least 20 rounds; each round runs both, alternating which goes first
const probe = performance.now();
A.run();
const rounds = Math.max(20, Math.min(400, Math.round(2000 / Math.max(performance.now() - probe, 0.01))));
const times = { A: [], B: [] };
for (let r = 0; r < rounds; r++) {
  for (const [name, engine] of r % 2 ? [["A", A], ["B", B]] : [["B", B], ["A", A]]) {
    const start = performance.now();
    engine.run();
    times[name].push(performance.now() - start);
  }
}
const median = (t) => { const s = t.slice(Math.floor(t.length / 10)).sort((p, q) => p - q); return s[s.length >> 1]; };
const ma = median(times.A), mb = median(times.B);
const macs = g.OC * g.OH * g.OH * (kind === "dw" ? 1 : g.C) * g.K * g.K;
const gflops = (ms) => (2 * macs / ms / 1e6).toFixed(1);
console.log(`${kind} ${JSON.stringify(sizes.length ? sizes : "defaults")}: A ${ma.toFixed(3)} ms (${gflops(ma)} GFLOP/s direct-equivalent), ` +
  `B ${mb.toFixed(3)} ms (${gflops(mb)}), B/A ${(mb / ma).toFixed(3)} over ${rounds} rounds, max |A - B| ${diff}`);
