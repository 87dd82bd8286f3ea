// When a call wakes the pool (issue #15, src/threads/parallel.ts and pool.ts): workers nap for a few
// ms after a job, needing no notify, then sleep; a call under MIN_WAKE_WORK ops does not wake a
// sleeping worker (it runs on one thread), a larger one does, and either splits while the workers
// are awake. The output is the same bits either way.
import { afterAll, beforeAll, expect, test } from "vitest";
import { init, manual_seed, nn, randn, shutdown_threads, tidy, type Tensor } from "../../src/index.js";
import { currentPool } from "../../src/threads/parallel.js";

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
let small: () => Float32Array;
let large: () => void;

beforeAll(async () => {
  await init({ threads: 2 });
  manual_seed(0);
  // 32 -> 32 3x3 @16 x 16 (Winograd F(4,3): 0.59M multiplies, between the split and the wake
  // thresholds); 64 -> 64 @56: 41M
  const smallConv = new nn.Conv2d(32, 32, 3, { padding: 1 });
  const smallInput = randn([1, 32, 16, 16]);
  const largeConv = new nn.Conv2d(64, 64, 3, { padding: 1 });
  const largeInput = randn([1, 64, 56, 56]);
  small = () => tidy(() => (smallConv.forward(smallInput) as Tensor).data().slice());
  large = () => tidy(() => { largeConv.forward(largeInput); });
}, 60_000);
afterAll(() => shutdown_threads());

// On a loaded machine a worker can be descheduled through its spin and naps, so the checks that
// need it awake try up to 5 times; without the mechanism under test they fail every time.

test("a small call splits while the workers are awake, runs on one thread once they sleep, with the same bits; a large call wakes them", async () => {
  const pool = currentPool()!;
  let split: Float32Array | null = null;
  for (let attempt = 0; attempt < 5 && split === null; attempt++) {
    large();                                 // after a job the worker spins, then naps: awake, no notify needed
    const before = pool.jobs;
    const y = small();
    if (pool.jobs > before) split = y;
  }
  expect(split).not.toBeNull();
  await sleep(200);                          // past the spin and the naps: asleep
  expect(pool.asleep(2)).toBe(true);
  const jobs = pool.jobs;
  const alone = small();
  expect(pool.jobs).toBe(jobs);              // not worth a notify: one thread
  expect(alone).toEqual(split);
  large();
  expect(pool.jobs).toBeGreaterThan(jobs);   // worth it: the job notifies the worker
});

test("after a job a worker naps (not flagged asleep: no notify needed) for a few ms, then sleeps", async () => {
  const pool = currentPool()!;
  // 2 ms after a job it is napping (spin 0.25 ms, naps to 5.25 ms); without naps it would be asleep
  let napping = false;
  for (let attempt = 0; attempt < 5 && !napping; attempt++) {
    large();
    const end = performance.now() + 2;
    while (performance.now() < end);
    napping = !pool.asleep(2);
  }
  expect(napping).toBe(true);
  await sleep(200);
  expect(pool.asleep(2)).toBe(true);
});
