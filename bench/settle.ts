// With --threads N > 1, each engine's timed run starts SETTLE_MS after the previous run ended, the
// calling thread idle in between.
//
// Why: onnxruntime-web's pool threads stay busy for 10-30 ms after session.run() has resolved, with
// intra-op spinning off too (MobileNetV2 at 2 threads: 14-18 ms of process CPU in the 30 ms after
// each run, against 0.1-0.4 ms at 1 thread; per thread, from /proc/self/task/*/schedstat, several
// threads busy for 10-30 ms). A threaded engine that runs next shares its cores with them: wasmnn's
// 2-thread MobileNetV2 took 20.3 ms right after ort's run, 18.4 / 15.7 / 12.3 / 12.4 ms after an
// idle gap of 2 / 5 / 10 / 20 ms, and 11.9 ms right after its own run (its 1-thread forward:
// 18.1 ms right after ort's run). The gap is the same before every engine's run, so no engine
// inherits another's threads; rounds still interleave the engines.
//
// Measuring "busy" instead of waiting a fixed time did not work: process.cpuUsage() counts other
// threads' time in 4 ms scheduler ticks here, and reading /proc per thread costs the waiting
// thread ~0.3 ms per look.

export const SETTLE_MS = 20;

const idle = new Int32Array(new SharedArrayBuffer(4));

/** Idles the calling thread for SETTLE_MS. */
export function settle(): void {
  Atomics.wait(idle, 0, 0, SETTLE_MS);
}
