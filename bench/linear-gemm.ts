// `npx tsx bench/linear-gemm.ts`: the Linear kernels (src/functional/linear.ts chooses): per shape,
// the GEMM path's time, the share of it spent packing the weights (f32_linear_gemm_pack),
// and the per-row dot-product kernel's time, to place GEMM_ROWS.
import { init, randn } from "../src/index.js";
import { wasm } from "../src/runtime.js";

await init();
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const k = wasm() as any;
const median = (f: () => void): number => {
  const ts: number[] = [];
  for (let i = 0; i < 40; i++) { const s = performance.now(); f(); ts.push(performance.now() - s); }
  return ts.sort((a, b) => a - b)[20];
};
for (const [rows, K, N] of [[4, 512, 512], [8, 512, 512], [16, 512, 512], [8, 1280, 1000], [49, 3072, 768], [196, 384, 1536], [3136, 96, 384]]) {
  const x = randn([rows, K]), w = randn([N, K]), y = randn([rows, N]);
  const panelBytes = k.f32_linear_gemm_workspace(K, N);
  const ws = k.alloc(panelBytes + 5 * K * 4);
  const panels = Math.ceil(N / 8);
  const pack = median(() => k.f32_linear_gemm_pack(w.ptr, K, N, ws, 0, panels));
  const gemm = median(() => {
    k.f32_linear_gemm_pack(w.ptr, K, N, ws, 0, panels);
    k.f32_linear_gemm(x.ptr, ws, 0, y.ptr, rows, K, N, ws + panelBytes, 0, Math.ceil(rows / 5), 0);
  });
  const dot = median(() => k.f32_linear(x.ptr, w.ptr, 0, y.ptr, rows, K, N, 0, rows * N));
  console.log(`${rows} x ${K} -> ${N}: gemm ${gemm.toFixed(3)} ms (packing ${pack.toFixed(3)} ms, ${(100 * pack / gemm).toFixed(0)}%), dot products ${dot.toFixed(3)} ms`);
  k.free(ws);
  for (const t of [x, w, y]) t.dispose();
}
