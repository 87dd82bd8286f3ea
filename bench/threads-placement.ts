// `node --no-liftoff --import tsx bench/threads-placement.ts [model] [kernel] [rounds]`: what a split
// kernel call pays for where its data last was. Each forward at 2 threads times every split call of
// `kernel` (default the depthwise one) three ways, in turn from forward to forward: as it runs; after
// its output was first written by a split pass over the output (each thread a contiguous half, as
// the kernel's own split writes it, so its lines are already in the writing core's cache); after
// the same pass over its input. The priming pass is not timed: what it takes off the call is what
// the call spent on those lines' first touch. Medians over the rounds, summed over the calls.
import "./v8-flags.js";
import { init, set_num_threads, tidy, tensor } from "../src/index.js";
import { generated, loadFixtureModel } from "../tests/vision/weights.js";
import { currentPool, parallelFloats } from "../src/threads/parallel.js";
import { wasm } from "../src/runtime.js";

const name = process.argv[2] ?? "mobilenet_v2";
const kernelName = process.argv[3] ?? "f32_dwconv2d_c4";
const rounds = Number(process.argv[4] ?? 20);
await init({ threads: 2 });
set_num_threads(2);
const model = loadFixtureModel(name);
const x = tensor(generated("bench-input", 3 * 224 * 224, 0, 1.5), [1, 3, 224, 224]);
const forward = (): void => tidy(() => { model.forward(x); });

// the kernel's [input, output] float ranges from its arguments
const ranges: Record<string, (a: number[]) => [number, number, number, number]> = {
  // input, batch, channels, height, width, ..., multiplier (7), ..., output (19), outHeight, outWidth
  f32_dwconv2d_c4: (a) => [a[0], a[1] * a[2] * a[3] * a[4], a[19], a[1] * a[2] * a[7] * a[20] * a[21]],
  // source, images, channels, height, width, packed, outChannels (6), ..., output (19), outHeight, outWidth
  f32_conv2d_igemm: (a) => [a[0], a[1] * a[2] * a[3] * a[4], a[19], a[1] * a[6] * a[20] * a[21]],
};
if (ranges[kernelName] === undefined) throw new Error(`kernel: one of ${Object.keys(ranges).join(", ")}`);
const kernel = wasm()[kernelName as "f32_dwconv2d_c4"];

type Mode = "as it runs" | "output primed" | "input primed";
const modes: Mode[] = ["as it runs", "output primed", "input primed"];
let mode: Mode | null = null;
let times: number[] = [];
const pool = currentPool()!;
const run = pool.run.bind(pool);
pool.run = (fn, call, tasks, nargs, args, threads, wsArg, wsStride) => {
  if (mode === null || call !== kernel) {
    run(fn, call, tasks, nargs, args, threads, wsArg, wsStride);
    return;
  }
  const copy = Array.from(args);   // (the priming pass refills the argument list `args` is)
  const [input, inputFloats, output, outputFloats] = ranges[kernelName](copy);
  const [at, floats] = mode === "output primed" ? [output, outputFloats] : [input, inputFloats];
  if (mode !== "as it runs") {
    // a clamp to ±Infinity rewrites each float as it is, split in contiguous halves
    parallelFloats("f32_clamp", floats, 1 << 30, (offset, length) => [at + offset, at + offset, length, -Infinity, Infinity]);
  }
  const t0 = performance.now();
  run(fn, call, tasks, nargs, copy, threads, wsArg, wsStride);
  times.push(performance.now() - t0);
};

for (let i = 0; i < 5; i++) forward();
const perMode = new Map<Mode, number[][]>(modes.map((m) => [m, []]));
for (let r = 0; r < rounds; r++) {
  for (const m of modes) {
    forward();   // as when called back to back
    mode = m;
    times = [];
    forward();
    mode = null;
    perMode.get(m)!.push(times);
  }
}
const median = (a: number[]): number => [...a].sort((p, q) => p - q)[a.length >> 1];
console.log(`${name} at 2 threads, the split calls of ${kernelName}: medians of ${rounds} forwards, summed over the calls`);
for (const m of modes) {
  const list = perMode.get(m)!;
  const calls = list[0].length;
  let sum = 0;
  for (let j = 0; j < calls; j++) sum += median(list.map((t) => t[j]));
  console.log(`${m.padEnd(14)} ${calls} calls, ${(sum * 1000).toFixed(0)} us a forward`);
}
process.exit(0);
