// `npx tsx bench/pack-speed.ts [a.wasm b.wasm ...]`: the convolution weight packs' speed on
// ResNet-18's shapes, per 3x3 (7x7) kernel for the Winograd packs and per weight float for the GEMM
// pack. Issue #13's lean mode packs per call, so these costs land on every forward.
// Given several .wasm builds (default: build/wasmnn.wasm), runs them interleaved, median of rounds.
// Rows "/20" pack the layer 20 output channels at a time into one buffer (issue #13's lean mode).
import { readFileSync } from "node:fs";

type Exports = Record<string, (...args: number[]) => number> & { memory: WebAssembly.Memory };
const files = process.argv.length > 2 ? process.argv.slice(2) : [new URL("../build/wasmnn.wasm", import.meta.url).pathname];
const builds: Exports[] = [];
for (const file of files) {
  const { instance } = await WebAssembly.instantiate(readFileSync(file), {});
  builds.push(instance.exports as unknown as Exports);
}

type Case = { label: string; available?: (k: Exports) => boolean; run: (k: Exports, w: number, b: number, p: number) => void; size: (k: Exports) => number; weightFloats: number; units: number; unit: string };
const cases: Case[] = [];
for (const [inC, outC] of [[64, 64], [64, 128], [128, 128], [128, 256], [256, 256], [256, 512], [512, 512]]) {
  const kernels = inC * outC;
  cases.push({
    label: `F(4,3) ${inC}->${outC}`, unit: "ns/kernel", units: kernels, weightFloats: kernels * 9,
    size: (k) => k.f32_winograd_f4x3_packed_size(outC, inC), run: (k, w, _b, p) => { k.f32_winograd_f4x3_pack(w, outC, inC, p); },
  });
  cases.push({
    label: `F(2,3) ${inC}->${outC}`, unit: "ns/kernel", units: kernels, weightFloats: kernels * 9,
    size: (k) => k.f32_winograd_f2x3_packed_size(outC, inC), run: (k, w, _b, p) => { k.f32_winograd_f2x3_pack(w, outC, inC, p); },
  });
  cases.push({
    label: `GEMM 3x3 ${inC}->${outC}`, unit: "ns/float", units: kernels * 9, weightFloats: kernels * 9,
    size: (k) => k.f32_conv2d_packed_size(outC, 1, inC * 9), run: (k, w, b, p) => { k.f32_conv2d_pack(w, b, outC, 1, inC * 9, p); },
  });
}
for (const [inC, outC] of [[64, 128], [128, 256], [256, 512]]) {
  cases.push({
    label: `GEMM 1x1 ${inC}->${outC}`, unit: "ns/float", units: inC * outC, weightFloats: inC * outC,
    size: (k) => k.f32_conv2d_packed_size(outC, 1, inC), run: (k, w, b, p) => { k.f32_conv2d_pack(w, b, outC, 1, inC, p); },
  });
}
cases.push({
  label: "s2k7 3->64", unit: "ns/kernel", units: 3 * 64, weightFloats: 3 * 64 * 49,
  size: (k) => k.f32_winograd_s2k7_packed_size(64, 3), run: (k, w, _b, p) => { k.f32_winograd_s2k7_pack(w, 64, 3, p); },
});

// The lean mode's way: the layer a chunk of output channels at a time into one small buffer, so
// the packed floats stay in cache and only the weights come from memory.
const CHUNK = 20;
for (const [inC, outC] of [[256, 256], [512, 512]]) {
  const kernels = inC * outC;
  for (const [name, size, pack] of [
    ["F(4,3)", "f32_winograd_f4x3_packed_size", "f32_winograd_f4x3_pack"],
    ["F(2,3)", "f32_winograd_f2x3_packed_size", "f32_winograd_f2x3_pack"],
  ] as const) {
    cases.push({
      label: `${name} ${inC}->${outC} /${CHUNK}`, unit: "ns/kernel", units: kernels, weightFloats: kernels * 9,
      size: (k) => k[size](CHUNK, inC),
      run: (k, w, _b, p) => { for (let o0 = 0; o0 < outC; o0 += CHUNK) k[pack](w + o0 * inC * 36, Math.min(CHUNK, outC - o0), inC, p); },
    });
  }
}
// BatchNorm folding per chunk (f32_scale_rows, where the build has it): ns a weight float
cases.push({
  label: "scale_rows 512x4608", unit: "ns/float", units: 512 * 4608, weightFloats: 512 * 4608, available: (k) => "f32_scale_rows" in k,
  size: () => 512 * 4608 + 1024, run: (k, w, _b, p) => { k.f32_scale_rows(w, p + 512 * 4608 * 4, 512, 4608, p); },
});

const ROUNDS = 15;
console.log(`median of ${ROUNDS} rounds; builds: ${files.join(", ")}`);
for (const c of cases) {
  const times: number[][] = builds.map(() => []);
  const buffers = builds.map((k) => {
    const w = k.alloc(c.weightFloats * 4);
    const b = k.alloc(4096 * 4);
    const p = k.alloc(c.size(k) * 4);
    const view = new Float32Array(k.memory.buffer, w, c.weightFloats);
    for (let i = 0; i < view.length; i++) view[i] = Math.sin(i * 0.7) * 0.1;
    return { w, b, p };
  });
  // repetitions per timing: about 2 ms each
  const reps = Math.max(1, Math.round(2e6 / (c.units * 2)));
  for (let round = 0; round < ROUNDS + 2; round++) {
    builds.forEach((k, i) => {
      if (c.available?.(k) === false) return;
      const { w, b, p } = buffers[i];
      const start = performance.now();
      for (let r = 0; r < reps; r++) c.run(k, w, b, p);
      if (round >= 2) times[i].push((performance.now() - start) / reps);
    });
  }
  const cells = times.map((t, i) => {
    if (c.available?.(builds[i]) === false) return "n/a".padStart(7);
    const ms = t.sort((a, b) => a - b)[t.length >> 1];
    return `${(ms * 1e6 / c.units).toFixed(2).padStart(7)} ${c.unit} (${ms.toFixed(3)} ms)`;
  });
  console.log(`${c.label.padEnd(22)} ${cells.join("   ")}`);
  builds.forEach((k, i) => { k.free(buffers[i].w); k.free(buffers[i].b); k.free(buffers[i].p); });
}
