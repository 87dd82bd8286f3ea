// One vCPU's speed (spawned by bench/cores.ts under `taskset -c <cpu>`): a 3x3 64->64 convolution
// @56 (ResNet-18's layer1, F(4,3) Winograd) on one thread of the single-thread build, timed for
// ~1.5 s after a warm-up; prints one JSON line { ms } (the median).
import "./v8-flags.js";
import { init, nn, randn, manual_seed, tidy } from "../src/index.js";

await init({ threads: 1 });
manual_seed(0);
const conv = new nn.Conv2d(64, 64, 3, { padding: 1 }).eval();
const x = randn([1, 64, 56, 56]);
const run = () => tidy(() => { conv.forward(x); });
for (let i = 0; i < 20; i++) run();
const times: number[] = [];
const end = performance.now() + Number(process.argv[2] ?? 1500);
while (performance.now() < end) {
  const t0 = performance.now();
  run();
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
console.log(JSON.stringify({ ms: times[times.length >> 1], runs: times.length }));
