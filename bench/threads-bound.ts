// `node --no-liftoff --import tsx bench/threads-bound.ts [model] [rounds]`: what the split itself
// allows at 2, 4 and 8 threads, on paper, from one core. For each N, a forward runs N threads' tasks
// one after another on the calling thread (parallel.ts serialGrid: the tasks and grid of N threads,
// no workers), which gives each split call's work and block count, and the time outside them (the
// host's JavaScript and calls too small to split, which stay serial). The bound is that outside time
// plus, per call, its work x ceil(blocks / N) / blocks (equal blocks, no waiting, no slowdown from
// sharing the machine), then plus a per-call cost for waking, claiming and joining (5 us + 1 us per
// thread, as measured here with spinning workers). Against the model's own 1-thread forward.
import "./v8-flags.js";
import { init, set_num_threads, randn, manual_seed, tidy, type Tensor } from "../src/index.js";
import { models } from "../src/vision/index.js";
import { serialGrid, setMinParallelWork } from "../src/threads/parallel.js";

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

// rounds alternate the 1-thread forward and each N's forward of tasks in a row (the machine drifts)
const one: number[] = [];
const totals = new Map<number, number[]>(counts.map((n) => [n, []]));
const runs = new Map<number, { blocks: number; ms: number }[][]>(counts.map((n) => [n, []]));
for (let i = 0; i < rounds + 3; i++) {
  set_num_threads(1);
  let t0 = performance.now();
  forward();
  if (i >= 3) one.push(performance.now() - t0);
  for (const n of counts) {
    set_num_threads(n);
    const calls: { blocks: number; ms: number }[] = [];
    serialGrid(calls);
    t0 = performance.now();
    forward();
    const ms = performance.now() - t0;
    serialGrid(null);
    if (i >= 3) {
      totals.get(n)!.push(ms);
      runs.get(n)!.push(calls);
    }
  }
}
const t1 = median(one);
console.log(`${name}: ${t1.toFixed(2)} ms at 1 thread (median of ${rounds})`);
for (const n of counts) {
  const total = median(totals.get(n)!);
  const list = runs.get(n)!;
  const calls = list[0].length;
  let work = 0;
  let spread = 0;
  let coarse = 0;
  for (let j = 0; j < calls; j++) {
    const { blocks } = list[0][j];
    const ms = median(list.map((r) => r[j].ms));
    work += ms;
    spread += ms * Math.ceil(blocks / n) / blocks;
    if (blocks < 2 * n) coarse++;
  }
  const outside = total - work;
  const perCall = 0.005 + 0.001 * n;
  const bound = outside + spread;
  const withSync = bound + calls * perCall;
  console.log(`${n} threads: their tasks in a row ${total.toFixed(2)} ms = ${calls} split calls ${work.toFixed(2)} (x${(work / (t1 - outside)).toFixed(3)} the 1-thread work)`
    + ` + outside them ${outside.toFixed(2)}; ${coarse} calls have < 2 blocks a thread. Bound: ${bound.toFixed(2)} ms, ${(t1 / bound).toFixed(2)}x;`
    + ` with ${Math.round(perCall * 1000)} us a call: ${withSync.toFixed(2)} ms, ${(t1 / withSync).toFixed(2)}x`);
}
