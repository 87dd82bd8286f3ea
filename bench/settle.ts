// With --threads N > 1, each engine's timed run starts SETTLE_MS after the previous run ended; the
// calling thread runs a busy loop in between.
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
// Measuring "busy" instead of waiting a fixed time did not work: process.cpuUsage() counts other
// threads' time in 4 ms scheduler ticks here, and reading /proc per thread costs the waiting
// thread ~0.3 ms per look.

export const SETTLE_MS = 20;

/** Runs a busy loop on the calling thread for SETTLE_MS. */
export function settle(): void {
  const end = performance.now() + SETTLE_MS;
  while (performance.now() < end) { /* busy: see the header */ }
}
