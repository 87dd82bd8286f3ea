// Times the seed's stem conv, Conv2d(3, 64, 7, 2, 3, bias=False) on 1x3x304x228: median of 20
// runs after 3 warm-ups.  Run: npx tsx bench/conv-stem.ts
import { init, nn, randn, manual_seed } from "../src/index.js";

await init();
manual_seed(0);
const conv = new nn.Conv2d(3, 64, 7, { stride: 2, padding: 3, bias: false });
const x = randn([1, 3, 304, 228]);
for (let i = 0; i < 3; i++) conv.forward(x).dispose();
const times: number[] = [];
for (let i = 0; i < 20; i++) {
  const start = performance.now();
  const y = conv.forward(x);
  times.push(performance.now() - start);
  y.dispose();
}
times.sort((a, b) => a - b);
const median = (times[9] + times[10]) / 2;
const flops = 2 * 64 * 152 * 114 * 3 * 7 * 7;
console.log(`stem conv 1x3x304x228 -> 1x64x152x114: median ${median.toFixed(2)} ms (min ${times[0].toFixed(2)}, max ${times[19].toFixed(2)}) = ${(flops / median / 1e6).toFixed(1)} GFLOP/s`);
