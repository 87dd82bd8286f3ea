// `node --no-liftoff --import tsx bench/profile-threads.ts [model] [threads]`: where a forward's time
// goes at 1 thread and at N threads of one pool, per kernel: the wall time of its calls split across
// threads (the pool's run(), wrapped here), and of its calls on the calling thread alone (the
// kernels' exports, wrapped), per forward; then the time outside every kernel call.
import "./v8-flags.js";
import { init, set_num_threads, randn, manual_seed, tidy, type Tensor } from "../src/index.js";
import { models } from "../src/vision/index.js";
import { currentPool } from "../src/threads/parallel.js";
import { wasm } from "../src/runtime.js";

const name = process.argv[2] ?? "resnet18";
const threads = Number(process.argv[3] ?? 2);
await init({ threads });
manual_seed(0);

type Stats = Map<string, { ms: number; calls: number; split: number }>;
let stats: Stats = new Map();
const record = (key: string, ms: number, split: boolean): void => {
  const r = stats.get(key) ?? { ms: 0, calls: 0, split: 0 };
  r.ms += ms;
  r.calls++;
  if (split) r.split++;
  stats.set(key, r);
};
// calls on the calling thread alone (inside a split job, thread 0's tasks are the job's)
let inJob = false;
const kernelName = new Map<unknown, string>();
const kernels = wasm() as unknown as Record<string, unknown>;
for (const [key, fn] of Object.entries(kernels)) {
  if (typeof fn !== "function" || key === "alloc" || key === "free" || key === "allocHigh") continue;
  const wrapped = (...args: number[]): number => {
    if (inJob) return (fn as (...a: number[]) => number)(...args);
    const t0 = performance.now();
    try { return (fn as (...a: number[]) => number)(...args); } finally { record(key, performance.now() - t0, false); }
  };
  kernelName.set(wrapped, key);
  kernels[key] = wrapped;
}
// split calls: parallel() hands the pool the kernel's export (the wrapper above)
const pool = currentPool();
if (pool !== null) {
  const run = pool.run.bind(pool);
  pool.run = (fn, call, ...rest) => {
    const t0 = performance.now();
    inJob = true;
    try { run(fn, call, ...rest); } finally {
      inJob = false;
      record(kernelName.get(call) ?? `kernel #${fn}`, performance.now() - t0, true);
    }
  };
}

const model = ((models as unknown as Record<string, () => { eval(): { forward(x: Tensor): unknown } }>)[name])().eval();
const x = randn([1, 3, 224, 224]);
const forward = () => tidy(() => { model.forward(x); });
const runs = 20;
const result: Record<number, { total: number; stats: Stats }> = {};
for (const n of [1, threads]) {
  set_num_threads(n);
  for (let i = 0; i < 5; i++) forward();
}
for (const n of [1, threads, 1, threads]) {
  set_num_threads(n);
  stats = new Map();
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) forward();
  const total = (performance.now() - t0) / runs;
  if (!result[n] || total < result[n].total) result[n] = { total, stats };
}
const one = result[1];
const many = result[threads];
console.log(`${name}: ${one.total.toFixed(1)} ms at 1 thread, ${many.total.toFixed(1)} ms at ${threads} (${(one.total / many.total).toFixed(2)}x); ms per forward:`);
const names = [...new Set([...one.stats.keys(), ...many.stats.keys()])].sort((a, b) => (one.stats.get(b)?.ms ?? 0) - (one.stats.get(a)?.ms ?? 0));
let inOne = 0;
let inMany = 0;
for (const k of names) {
  const a = one.stats.get(k);
  const b = many.stats.get(k);
  inOne += (a?.ms ?? 0) / runs;
  inMany += (b?.ms ?? 0) / runs;
  if ((a?.ms ?? 0) / runs < 0.005 && (b?.ms ?? 0) / runs < 0.005) continue;
  console.log(`${k.padEnd(32)} ${((a?.ms ?? 0) / runs).toFixed(2).padStart(7)} ms  ${((b?.ms ?? 0) / runs).toFixed(2).padStart(7)} ms  ${b?.ms ? `x${((a?.ms ?? 0) / b.ms).toFixed(2)}` : "  —  "}  calls ${(b?.calls ?? 0) / runs}, split ${(b?.split ?? 0) / runs}`);
}
console.log(`${"outside the kernels".padEnd(32)} ${(one.total - inOne).toFixed(2).padStart(7)} ms  ${(many.total - inMany).toFixed(2).padStart(7)} ms`);
process.exit(0);
