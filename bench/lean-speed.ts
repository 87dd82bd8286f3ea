// `npx tsx bench/lean-speed.ts [model ...]`: forward time in lean memory mode against fast mode, in
// one process, interleaved (issue #13's target: lean within 1.3x of fast on ResNet-18 and
// MobileNetV2). Two instances of each model with the same weights: one only ever runs in fast mode
// (its packed caches stay), the other only in lean mode; each round times both, alternating which
// goes first, and the ratio is taken per round (the machine drifts between speed regimes).
import { init, tensor, tidy, type Tensor } from "../src/index.js";
import { generated, loadFixtureModel } from "../tests/vision/weights.js";

const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["resnet18", "mobilenet_v2"];
const ROUNDS = 15;
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1];
await init();
for (const name of names) {
  const size = name.startsWith("lraspp") ? 320 : 224;
  const x = tensor(generated("bench-input", 3 * size * size, 0, 1.5), [1, 3, size, size]);
  const models = { fast: loadFixtureModel(name), lean: loadFixtureModel(name) };
  const run = async (mode: "fast" | "lean"): Promise<number> => {
    await init({ memory: mode });
    const start = performance.now();
    tidy(() => { models[mode].forward(x) as Tensor; });
    return performance.now() - start;
  };
  for (let i = 0; i < 3; i++) { await run("fast"); await run("lean"); }   // warm-up, packs the fast caches
  const times = { fast: [] as number[], lean: [] as number[] };
  const ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const order: ("fast" | "lean")[] = r % 2 === 0 ? ["fast", "lean"] : ["lean", "fast"];
    const t: Record<string, number> = {};
    for (const mode of order) t[mode] = await run(mode);
    times.fast.push(t.fast);
    times.lean.push(t.lean);
    ratios.push(t.lean / t.fast);
  }
  console.log(`${name}: fast ${median(times.fast).toFixed(1)} ms, lean ${median(times.lean).toFixed(1)} ms (medians of ${ROUNDS}); ` +
    `lean/fast per round: median ${median(ratios).toFixed(2)}x, range ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}`);
  models.fast.dispose();
  models.lean.dispose();
  x.dispose();
}
