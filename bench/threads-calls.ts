// `node --no-liftoff --import tsx bench/threads-calls.ts [model] [rounds]`: where a 2-thread forward
// loses against what its split allows, call by call. Rounds alternate three forwards of the same
// model: at 1 thread; at 2 threads as it runs, timing each split call (the pool's run()) and the gap
// before it (the host's JavaScript and the calls too small to split); and at 2 threads with each split
// call's tasks run one after another on the calling thread, timing each task. The last two each come
// after an untimed forward run the same way. A call's bound is its
// tasks' times scheduled on 2 threads as the pool schedules them (bench/schedule.ts): what it would
// take if running beside another thread cost nothing. Per kernel and for the worst calls: medians of
// the call as it ran, its bound, and its tasks in a row; per round: the calls' and the gaps' sums, and how much
// the calls ran over their medians (stalls of either thread).
import "./v8-flags.js";
import { init, set_num_threads, randn, manual_seed, tidy, type Tensor } from "../src/index.js";
import { models } from "../src/vision/index.js";
import { currentPool, setMinParallelWork } from "../src/threads/parallel.js";
import { wasm } from "../src/runtime.js";
import { makespan, tasksInRow } from "./schedule.js";

const name = process.argv[2] ?? "resnet18";
const rounds = Number(process.argv[3] ?? 20);
await init({ threads: 2 });
// in the tasks-in-a-row forwards the worker sleeps: split what a forward with it awake splits
setMinParallelWork(1 << 18);
manual_seed(0);
const model = (models as unknown as Record<string, () => { eval(): { forward(x: Tensor): unknown } }>)[name]().eval();
const x = randn([1, 3, 224, 224]);
const forward = (): void => tidy(() => { model.forward(x); });
const median = (a: number[]): number => [...a].sort((p, q) => p - q)[a.length >> 1];
const sum = (a: number[]): number => a.reduce((s, v) => s + v, 0);
const kernelNames = new Map<unknown, string>();
for (const [key, fn] of Object.entries(wasm() as unknown as Record<string, unknown>)) kernelNames.set(fn, key);

interface Call { kernel: string; ms: number; gap: number; tasks: number[]; shape: string }
let inRow = false;   // tasks one after another on this thread
let calls: Call[] = [];
let last = 0;
const pool = currentPool()!;
const run = pool.run.bind(pool);
pool.run = (fn, call, tasks, nargs, args, threads, wsArg, wsStride) => {
  const kernel = kernelNames.get(call) ?? `kernel #${fn}`;
  const start = performance.now();
  if (!inRow) {
    run(fn, call, tasks, nargs, args, threads, wsArg, wsStride);
    const end = performance.now();
    calls.push({ kernel, ms: end - start, gap: start - last, tasks: [], shape: "" });
    last = end;
    return;
  }
  const times = tasksInRow(call, tasks, nargs, args);
  // the first arguments name the layer well enough to find it (m or input, channels, sizes)
  calls.push({ kernel, ms: performance.now() - start, gap: 0, tasks: times, shape: Array.from(args).slice(0, 5).join(",") });
};

const one: number[] = [], wall: number[] = [], callSums: number[] = [], gapSums: number[] = [];
const ran: Call[][] = [], inRows: Call[][] = [];
for (let i = 0; i < rounds + 3; i++) {
  set_num_threads(1);
  let t0 = performance.now();
  forward();
  const single = performance.now() - t0;
  set_num_threads(2);
  inRow = false;
  calls = [];
  forward();   // each way is timed after an untimed forward the same way: as when called back to back
  calls = [];
  last = t0 = performance.now();
  forward();
  const both = performance.now() - t0;
  const split = calls;
  inRow = true;
  calls = [];
  forward();
  calls = [];
  forward();
  inRow = false;
  if (i < 3) continue;
  one.push(single);
  wall.push(both);
  callSums.push(sum(split.map((c) => c.ms)));
  gapSums.push(sum(split.map((c) => c.gap)) + both - (last - t0));
  ran.push(split);
  inRows.push(calls);
}

const rows = ran[0].map((c, j) => {
  const tasks = inRows[0][j].tasks.map((_, t) => median(inRows.map((r) => r[j].tasks[t])));
  return { j, kernel: c.kernel, shape: inRows[0][j].shape, ms: median(ran.map((r) => r[j].ms)), bound: makespan(tasks, 2), inRow: sum(tasks) };
});
const t1 = median(one), t2 = median(wall);
console.log(`${name}: ${t1.toFixed(2)} ms at 1 thread, ${t2.toFixed(2)} ms at 2 (${(t1 / t2).toFixed(2)}x); medians of ${rounds} rounds`);
console.log(`per 2-thread forward: ${rows.length} split calls ${median(callSums).toFixed(2)} ms, outside them ${median(gapSums).toFixed(2)} ms; `
  + `the calls' bound ${sum(rows.map((r) => r.bound)).toFixed(2)} ms (their medians: ${sum(rows.map((r) => r.ms)).toFixed(2)} ms)`);
const byKernel = new Map<string, { calls: number; ms: number; bound: number; inRow: number }>();
for (const r of rows) {
  const k = byKernel.get(r.kernel) ?? { calls: 0, ms: 0, bound: 0, inRow: 0 };
  k.calls++; k.ms += r.ms; k.bound += r.bound; k.inRow += r.inRow;
  byKernel.set(r.kernel, k);
}
console.log("kernel                       calls   as run    bound     lost   in a row  speed-up");
for (const [kernel, k] of [...byKernel].sort((a, b) => (b[1].ms - b[1].bound) - (a[1].ms - a[1].bound))) {
  console.log(`${kernel.padEnd(28)} ${String(k.calls).padStart(5)} ${k.ms.toFixed(2).padStart(8)} ${k.bound.toFixed(2).padStart(8)} `
    + `${(k.ms - k.bound).toFixed(2).padStart(8)} ${k.inRow.toFixed(2).padStart(10)} ${(k.inRow / k.ms).toFixed(2).padStart(8)}x`);
}
console.log("the 12 calls that lose most (us: as run / bound / in a row; first arguments):");
for (const r of [...rows].sort((a, b) => (b.ms - b.bound) - (a.ms - a.bound)).slice(0, 12)) {
  console.log(`  #${r.j} ${r.kernel} ${(r.ms * 1000).toFixed(0)} / ${(r.bound * 1000).toFixed(0)} / ${(r.inRow * 1000).toFixed(0)}  (${r.shape})`);
}
// a call's time over its median, per round: a few long stalls, or many small delays
const buckets = [[0.05, 0.2], [0.2, 1], [1, Infinity]] as const;
const medians = rows.map((r) => r.ms);
const over = buckets.map(() => ({ calls: 0, ms: 0 }));
for (const split of ran) {
  split.forEach((c, j) => {
    const excess = c.ms - medians[j];
    buckets.forEach(([lo, hi], b) => { if (excess >= lo && excess < hi) { over[b].calls++; over[b].ms += excess; } });
  });
}
console.log(`calls over their median, per round: ${buckets.map(([lo, hi], b) => `${lo * 1000}-${hi === Infinity ? "" : hi * 1000} us: `
  + `${(over[b].calls / ran.length).toFixed(2)} calls, ${(over[b].ms / ran.length).toFixed(2)} ms`).join("; ")}`);
process.exit(0);
