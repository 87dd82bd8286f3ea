// `node --no-liftoff --import tsx bench/profile-threads.ts [model] [threads]`: where a forward's time
// goes at 1 thread and at N threads of one pool, per kernel that parallel() runs (wall ms per
// forward, calls, calls split across threads), and the time outside them.
import "./v8-flags.js";
import { init, set_num_threads, randn, manual_seed, tidy, type Tensor } from "../src/index.js";
import { models } from "../src/vision/index.js";
import { profileParallel } from "../src/threads/parallel.js";
import { wasm } from "../src/runtime.js";

const name = process.argv[2] ?? "resnet18";
const threads = Number(process.argv[3] ?? 2);
await init({ threads });
manual_seed(0);
// every kernel call's own time too (at 1 thread the convolutions call their kernels directly)
const direct = new Map<string, { ms: number; calls: number }>();
const kernels = wasm() as unknown as Record<string, unknown>;
for (const [key, fn] of Object.entries(kernels)) {
  if (typeof fn !== "function" || key === "alloc" || key === "free" || key === "allocHigh") continue;
  kernels[key] = (...args: number[]) => {
    const t0 = performance.now();
    try { return (fn as (...a: number[]) => number)(...args); } finally {
      const r = direct.get(key) ?? { ms: 0, calls: 0 };
      r.ms += performance.now() - t0;
      r.calls++;
      direct.set(key, r);
    }
  };
}
const model = ((models as unknown as Record<string, () => { eval(): { forward(x: Tensor): unknown } }>)[name])().eval();
const x = randn([1, 3, 224, 224]);
const forward = () => tidy(() => { model.forward(x); });
type Stats = Map<string, { ms: number; calls: number; split: number }>;
const runs = 20;
const result: Record<number, { total: number; stats: Stats; direct: Map<string, { ms: number; calls: number }> }> = {};
for (const n of [1, threads]) {
  set_num_threads(n);
  for (let i = 0; i < 5; i++) forward();
}
for (const n of [1, threads, 1, threads]) {
  set_num_threads(n);
  const stats: Stats = new Map();
  direct.clear();
  profileParallel(stats);
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) forward();
  const total = (performance.now() - t0) / runs;
  profileParallel(null);
  if (!result[n] || total < result[n].total) result[n] = { total, stats, direct: new Map(direct) };
}
const one = result[1];
const many = result[threads];
console.log(`${name}: ${one.total.toFixed(1)} ms at 1 thread, ${many.total.toFixed(1)} ms at ${threads} (${(one.total / many.total).toFixed(2)}x)`);
const names = [...new Set([...one.stats.keys(), ...many.stats.keys()])].sort((a, b) => (one.stats.get(b)?.ms ?? 0) - (one.stats.get(a)?.ms ?? 0));
let inOne = 0;
let inMany = 0;
for (const k of names) {
  const a = one.stats.get(k);
  const b = many.stats.get(k);
  inOne += (a?.ms ?? 0) / runs;
  inMany += (b?.ms ?? 0) / runs;
  console.log(`${k.padEnd(32)} ${((a?.ms ?? 0) / runs).toFixed(2).padStart(7)} ms  ${((b?.ms ?? 0) / runs).toFixed(2).padStart(7)} ms  x${((a?.ms ?? 0) / (b?.ms ?? 1)).toFixed(2)}  calls ${(b?.calls ?? 0) / runs}, split ${(b?.split ?? 0) / runs}`);
}
console.log(`${"outside parallel()".padEnd(32)} ${(one.total - inOne).toFixed(2).padStart(7)} ms  ${(many.total - inMany).toFixed(2).padStart(7)} ms`);
console.log("\nkernel calls' own time (at N threads: thread 0's tasks only), ms per forward:");
for (const [k, v] of [...one.direct.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 16)) {
  console.log(`${k.padEnd(32)} 1 thread ${(v.ms / runs).toFixed(2).padStart(7)} ms (${v.calls / runs} calls)   ${threads} threads ${((many.direct.get(k)?.ms ?? 0) / runs).toFixed(2).padStart(7)} ms`);
}
