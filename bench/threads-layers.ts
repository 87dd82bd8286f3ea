// `node --no-liftoff --import tsx bench/threads-layers.ts [model] [threads] [rounds]`: each folded
// convolution (Conv2d + BatchNorm2d [+ activation], the layers a torchvision model runs in eval mode)
// of one forward, timed at 1 thread and at N threads of one pool, in alternating forwards of the same
// process (so the two see the same machine), and its ratio; then the whole forward's. Medians over
// `rounds` forwards each (default 30, the first 5 dropped).
import "./v8-flags.js";
import { init, set_num_threads, randn, manual_seed, tidy, type Tensor } from "../src/index.js";
import { models } from "../src/vision/index.js";
import { ConvBnFold } from "../src/nn/fusion.js";
import type { Conv2d } from "../src/nn/conv.js";

const name = process.argv[2] ?? "resnet18";
const threads = Number(process.argv[3] ?? 2);
const rounds = Number(process.argv[4] ?? 30);
await init({ threads });
manual_seed(0);

// every ConvBnFold.forward call, keyed by layer and by the thread count of the forward it ran in
const times = new Map<string, number[]>();
const labels = new Map<Conv2d, string>();
let current = 1;
const fold = ConvBnFold.prototype as unknown as { forward(conv: Conv2d, ...rest: unknown[]): Tensor };
const original = fold.forward;
fold.forward = function (this: unknown, conv: Conv2d, ...rest: unknown[]): Tensor {
  let label = labels.get(conv);
  if (label === undefined) {
    const x = rest[1] as Tensor;
    label = `${String(labels.size).padStart(2)} ${conv.in_channels}->${conv.out_channels} k${conv.kernel_size[0]} s${conv.stride[0]} g${conv.groups} @${x.shape[2]}`;
    labels.set(conv, label);
  }
  const t0 = performance.now();
  const y = original.call(this, conv, ...rest);
  const key = `${label}|${current}`;
  (times.get(key) ?? times.set(key, []).get(key)!).push(performance.now() - t0);
  return y;
};

const model = (models as unknown as Record<string, () => { eval(): { forward(x: Tensor): unknown } }>)[name]().eval();
const x = randn([1, 3, 224, 224]);
const totals: Record<number, number[]> = { 1: [], [threads]: [] };
for (let r = 0; r < rounds; r++) {
  for (const n of [1, threads]) {
    set_num_threads(n);
    current = n;
    const t0 = performance.now();
    tidy(() => { model.forward(x); });
    totals[n].push(performance.now() - t0);
  }
}
const median = (a: number[]) => { const s = a.slice(5).sort((p, q) => p - q); return s[s.length >> 1]; };
console.log(`${name}, ms at 1 thread / ${threads} threads, medians of ${rounds - 5} forwards each, alternating:`);
let one = 0;
let many = 0;
for (const label of labels.values()) {
  const a = median(times.get(`${label}|1`)!);
  const b = median(times.get(`${label}|${threads}`)!);
  one += a;
  many += b;
  console.log(`${label.padEnd(34)} ${a.toFixed(3).padStart(7)} ${b.toFixed(3).padStart(7)}  ${(a / b).toFixed(2)}x`);
}
console.log(`${"folded convolutions".padEnd(34)} ${one.toFixed(2).padStart(7)} ${many.toFixed(2).padStart(7)}  ${(one / many).toFixed(2)}x`);
const [t1, tn] = [median(totals[1]), median(totals[threads])];
console.log(`${"whole forward".padEnd(34)} ${t1.toFixed(2).padStart(7)} ${tn.toFixed(2).padStart(7)}  ${(t1 / tn).toFixed(2)}x`);
process.exit(0);
