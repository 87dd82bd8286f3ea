// The host's per-forward cost, where the kernels do almost nothing: tiny Sequential(conv, BN,
// activation) blocks in eval mode, 20,000 forwards a round, median of 7 rounds.
//   npx tsx bench/forward-overhead.ts
import { init, nn, randn, manual_seed, type Tensor } from "../src/index.js";

await init();
manual_seed(0);
const cases: [string, nn.Sequential, Tensor][] = [
  ["depthwise 4 ch @4x4 + BN + ReLU6", new nn.Sequential(new nn.Conv2d(4, 4, 3, { padding: 1, groups: 4 }), new nn.BatchNorm2d(4), new nn.ReLU6()).eval(), randn([1, 4, 4, 4])],
  ["1x1 8 -> 8 @4x4 + BN + ReLU", new nn.Sequential(new nn.Conv2d(8, 8, 1), new nn.BatchNorm2d(8), new nn.ReLU()).eval(), randn([1, 8, 4, 4])],
];
for (const [name, block, x] of cases) {
  for (let i = 0; i < 5000; i++) block.forward(x).dispose();
  const rounds: number[] = [];
  for (let r = 0; r < 7; r++) {
    const start = performance.now();
    for (let i = 0; i < 20000; i++) block.forward(x).dispose();
    rounds.push(((performance.now() - start) / 20000) * 1000);
  }
  rounds.sort((a, b) => a - b);
  console.log(`${name}: ${rounds[3].toFixed(2)} us per forward`);
}
