// With --threads N > 1, each engine's turn in a round is: SETTLE_MS of busy loop on the calling
// thread, one untimed run of the engine, then its timed run.
//
// Why a gap: onnxruntime-web's pool threads stay busy for 10-30 ms after session.run() has resolved,
// with intra-op spinning off too (MobileNetV2 at 2 threads: 14-18 ms of process CPU in the 30 ms
// after each run, against 0.1-0.4 ms at 1 thread; per thread, from /proc/self/task/*/schedstat,
// several threads busy for 10-30 ms). A threaded engine that runs next shares its cores with them:
// wasmnn's 2-thread MobileNetV2 took 20.3 ms right after ort's run, 18.4 / 15.7 / 12.3 / 12.4 ms
// after an idle gap of 2 / 5 / 10 / 20 ms, and 11.9 ms right after its own run (its 1-thread
// forward: 18.1 ms right after ort's run). The gap is the same before every engine's run, so no
// engine inherits another's threads; rounds still interleave the engines. bench/ort-linger.ts
// measures it again.
//
// Why busy: on this VM a vCPU that idles for milliseconds runs the next work slowly (an idle 20 ms
// gap before every run made every row slower, single-threaded ones too, and a sleeping pool thread
// took ~0.6 ms to pick up its first job), which would measure the machine's wake-up, not the
// engines. In one process, interleaved, 1 thread / 2 threads: conv 3x3 64 ch @56 2.21 / 1.42 ms after
// an idle gap, 2.18 / 1.41 after a busy one, 2.10 / 1.24 without a gap; MobileNetV2 17.35 / 12.17,
// 17.50 / 11.52, 17.65 / 11.68 ms. A page's main thread is seldom idle between two inferences either.
//
// Why an untimed run after the gap: a pool thread that had no job for the gap has gone to sleep, and
// the first run after it pays the wake-up (~0.1 ms here) and runs on a core whose caches have cooled;
// the timed run then measures an engine called back to back, as a loop over inputs calls it, for
// every engine alike. conv 3x3 64 ch @56 in one process, interleaved, 1 thread / 2 threads: 2.117 /
// 1.436 ms timed right after the gap, 1.966 / 1.213 ms after the gap and one untimed run (1.47x ->
// 1.62x); 512 ch @7: 3.341 / 2.037 -> 3.253 / 1.869 ms. ResNet-18: 48.53 / 28.99 -> 48.36 / 28.68 ms.
//
// Measuring "busy" instead of waiting a fixed time did not work: process.cpuUsage() counts other
// threads' time in 4 ms scheduler ticks here, and reading /proc per thread costs the waiting
// thread ~0.3 ms per look.

export const SETTLE_MS = 20;

/**
 * One engine's turn in a round: with `threaded`, the gap, one untimed run, then the timed run; else
 * the timed run alone. Returns the timed run's ms.
 */
export async function timedTurn(run: () => unknown, threaded: boolean): Promise<number> {
  if (threaded) {
    settle();
    await run();
  }
  const start = performance.now();
  await run();
  return performance.now() - start;
}

/** What a turn whose timed run took `timed` ms costs, for a round's time budget. */
export function turnCost(timed: number, threaded: boolean): number {
  return threaded ? SETTLE_MS + 2 * timed : timed;
}

/** The results files' line on the turns. */
export const TURN_TEXT = `Turns (bench/settle.ts): with threads, each engine's turn in a round is a ${SETTLE_MS} ms gap (the calling thread busy), one untimed run, then the timed run: no engine shares its cores with the previous engine's still-busy threads (onnxruntime-web's stay busy 10-30 ms after \`session.run\` resolves), and each is timed as when called back to back (its threads awake, its data in their caches).`;

/** Runs a busy loop on the calling thread for SETTLE_MS. */
export function settle(): void {
  const end = performance.now() + SETTLE_MS;
  while (performance.now() < end) { /* busy: see the header */ }
}
