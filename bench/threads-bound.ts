// `node --no-liftoff --import tsx bench/threads-bound.ts [model] [rounds]`: what the split itself
// allows at 2, 4 and 8 threads, on paper, from one core. For each N, a forward runs each split call's
// N-thread tasks one after another on the calling thread (the pool's run() replaced: the same tasks,
// no workers), timing every task, and the time outside the calls (the host's JavaScript and calls too
// small to split, which stay serial). The bound replays each call's tasks on N threads as the pool
// schedules them (each thread its own share in order, then the others' unclaimed tasks), with each
// task's measured time: no waiting for wake-ups, no slowdown from sharing the machine. Then the same
// plus a per-call cost for notifying, claiming and joining (5 us + 1 us per thread, as measured here
// with spinning workers). Against the model's own 1-thread forward, in alternating rounds.
import "./v8-flags.js";
import { init, set_num_threads, randn, manual_seed, tidy, type Tensor } from "../src/index.js";
import { models } from "../src/vision/index.js";
import { currentPool, setMinParallelWork } from "../src/threads/parallel.js";
import { makespan, tasksInRow } from "./schedule.js";

const name = process.argv[2] ?? "resnet18";
const rounds = Number(process.argv[3] ?? 15);
const counts = [2, 4, 8];
await init({ threads: Math.max(...counts) });
// the workers never run here, so they sleep: split what a forward with awake workers splits
setMinParallelWork(1 << 18);
manual_seed(0);
const model = (models as unknown as Record<string, () => { eval(): { forward(x: Tensor): unknown } }>)[name]().eval();
const x = randn([1, 3, 224, 224]);
const forward = () => tidy(() => { model.forward(x); });
const median = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1];

// each split call's task times (ms), in order, while recording; and the calls' wall time (with the
// copying of arguments and the timing, which the pool spreads over its threads: not counted as outside)
let calls: number[][] | null = null;
let inCalls = 0;
const pool = currentPool()!;
pool.run = (_fn, call, tasks, nargs, args) => {
  const start = performance.now();
  const times = tasksInRow(call, tasks, nargs, args);
  calls?.push(times);
  inCalls += performance.now() - start;
};

// rounds alternate the 1-thread forward and each N's forward of tasks in a row (the machine drifts)
const one: number[] = [];
/** Per N, each round's forward time minus its split calls' wall time. */
const totals = new Map<number, number[]>(counts.map((n) => [n, []]));
const runs = new Map<number, number[][][]>(counts.map((n) => [n, []]));
for (let i = 0; i < rounds + 3; i++) {
  set_num_threads(1);
  let t0 = performance.now();
  forward();
  if (i >= 3) one.push(performance.now() - t0);
  for (const n of counts) {
    set_num_threads(n);
    const recorded: number[][] = [];
    calls = recorded;
    inCalls = 0;
    t0 = performance.now();
    forward();
    const ms = performance.now() - t0 - inCalls;
    calls = null;
    if (i >= 3) {
      totals.get(n)!.push(ms);
      runs.get(n)!.push(recorded);
    }
  }
}
const t1 = median(one);
console.log(`${name}: ${t1.toFixed(2)} ms at 1 thread (median of ${rounds})`);
for (const n of counts) {
  const list = runs.get(n)!;
  const count = list[0].length;
  let work = 0;
  let spread = 0;
  for (let j = 0; j < count; j++) {
    // each task's median over the rounds
    const times = list[0][j].map((_, t) => median(list.map((r) => r[j][t])));
    work += times.reduce((a, b) => a + b, 0);
    spread += makespan(times, n);
  }
  const outside = median(totals.get(n)!);
  const perCall = 0.005 + 0.001 * n;
  const bound = outside + spread;
  const withSync = bound + count * perCall;
  console.log(`${n} threads: ${count} split calls, their tasks ${work.toFixed(2)} ms in a row (x${(work / (t1 - outside)).toFixed(3)} the 1-thread work), `
    + `${outside.toFixed(2)} ms outside them. Bound: ${bound.toFixed(2)} ms, ${(t1 / bound).toFixed(2)}x; `
    + `with ${Math.round(perCall * 1000)} us a call: ${withSync.toFixed(2)} ms, ${(t1 / withSync).toFixed(2)}x`);
}
