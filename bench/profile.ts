// `npx tsx bench/profile.ts <case> [size]`: where a wasmnn/vision model's forward spends its time.
// Every module's forward is wrapped with a timer; a module's self time is its time minus its
// children's (so a fused Sequential's own kernels count as its self time, and a block's self time
// is the glue in its forward: adds, muls, cats, chunks). Prints self time by module class and the
// slowest module instances, medians over runs. Uses the fixture's weights (tests/vision/weights.ts).
import { init, tensor, tidy } from "../src/index.js";
import { generated, loadFixtureModel } from "../tests/vision/weights.js";

const [name = "resnet18", sizeArg = "224"] = process.argv.slice(2);
const size = Number(sizeArg);
await init();
const model = loadFixtureModel(name);

const x = tensor(generated("bench-input", 3 * size * size, 0, 1.5), [1, 3, size, size]);
const plain: number[] = [];
for (let r = 0; r < 18; r++) {
  const start = performance.now();
  tidy(() => { model.forward(x); });
  if (r >= 3) plain.push(performance.now() - start);
}

const self = new Map<string, number[]>();   // module path -> per-run self ms
const kind = new Map<string, string>();
let run = new Map<string, number>();
const stack: number[] = [];                 // children time accumulators
for (const [path, module] of model.named_modules()) {
  const original = module.forward.bind(module);
  kind.set(path || "(model)", module.constructor.name);
  module.forward = (...args: unknown[]) => {
    stack.push(0);
    const start = performance.now();
    const out = original(...args);
    const total = performance.now() - start;
    const children = stack.pop()!;
    if (stack.length) stack[stack.length - 1] += total;
    const key = path || "(model)";
    run.set(key, (run.get(key) ?? 0) + total - children);
    return out;
  };
}
const runs = 15;
const totals: number[] = [];
for (let r = 0; r < runs + 3; r++) {
  run = new Map();
  const start = performance.now();
  tidy(() => { model.forward(x); });
  if (r < 3) continue;
  totals.push(performance.now() - start);
  for (const [key, ms] of run) (self.get(key) ?? self.set(key, []).get(key)!).push(ms);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const byKind = new Map<string, number>();
for (const [key, times] of self) byKind.set(kind.get(key)!, (byKind.get(kind.get(key)!) ?? 0) + median(times));
const total = median(totals);
console.log(`${name} at ${size}x${size}: ${median(plain).toFixed(1)} ms unwrapped, ${total.toFixed(1)} ms with timers (medians of ${runs}); self times sum to ${[...byKind.values()].reduce((a, b) => a + b, 0).toFixed(1)} ms`);
console.log("self time by module class:");
for (const [k, ms] of [...byKind].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${k.padEnd(28)} ${ms.toFixed(2).padStart(8)} ms  ${(100 * ms / total).toFixed(1)}%`);
console.log("slowest modules (self):");
for (const [key, times] of [...self].sort((a, b) => median(b[1]) - median(a[1])).slice(0, 12)) {
  console.log(`  ${key.padEnd(40)} ${kind.get(key)!.padEnd(24)} ${median(times).toFixed(2)} ms`);
}
{
  run = new Map();
  const start = performance.now();
  tidy(() => { model.forward(x); });
  const t = performance.now() - start;
  console.log(`one run: total ${t.toFixed(2)}, sum of self ${[...run.values()].reduce((a, b) => a + b, 0).toFixed(2)}, root self ${run.get("(model)")?.toFixed(2)}`);
}
