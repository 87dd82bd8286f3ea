// `node --no-liftoff --import tsx bench/ort-linger.ts [model] [rounds]`: why bench/settle.ts puts a
// gap before each timed run with threads. onnxruntime-web at 2 threads: the process CPU its threads
// use in the 30 ms after session.run() resolves (the caller idle), then wasmnn's 2-thread forward
// of the same model started 0 / 2 / 5 / 10 / 20 ms after an ort run (caller idle in the gap), after
// its own forward, and its 1-thread forward right after an ort run. Medians over `rounds`.
import "./v8-flags.js";
import { readFileSync } from "node:fs";
import * as ort from "onnxruntime-web";
import { init, set_num_threads, tensor, tidy } from "../src/index.js";
import { generated, loadFixtureModel } from "../tests/vision/weights.js";

process.env.BENCH_THREADS = "2";   // before the ort helpers read it
const { configureOrt, ortSessionOptions } = await import("./engines/ort.js");
const name = process.argv[2] ?? "mobilenet_v2";
const rounds = Number(process.argv[3] ?? 30);
const onnx = new URL(`./build/onnx/${name}`, import.meta.url).pathname;
const meta = JSON.parse(readFileSync(`${onnx}.json`, "utf8")) as { input: number[] };
const data = generated("bench-input", meta.input.reduce((a, b) => a * b, 1), 0, 1.5);

await init({ threads: 2 });
const model = loadFixtureModel(name);
const x = tensor(data, meta.input);
const forward = (): number => {
  const start = performance.now();
  tidy(() => { model.forward(x); });
  return performance.now() - start;
};
configureOrt();
const session = await ort.InferenceSession.create(readFileSync(`${onnx}.onnx`), ortSessionOptions());
const feeds = { input: new ort.Tensor("float32", data, meta.input) };
const runOrt = async (): Promise<void> => {
  const out = await session.run(feeds);
  for (const t of Object.values(out)) t.dispose();
};
const idle = new Int32Array(new SharedArrayBuffer(4));
const wait = (ms: number): void => { if (ms > 0) Atomics.wait(idle, 0, 0, ms); };
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];

// process CPU (all threads; counted in scheduler ticks, so summed over 30 ms) after each ort run
const cpu: number[] = [];
for (let r = 0; r < 10; r++) {
  await runOrt();
  const before = process.cpuUsage();
  wait(30);
  const used = process.cpuUsage(before);
  cpu.push((used.user + used.system) / 1000);
}
console.log(`${name}: onnxruntime-web (2 threads) used ${median(cpu).toFixed(1)} ms of CPU (median; range ${Math.min(...cpu).toFixed(1)}-${Math.max(...cpu).toFixed(1)}) in the 30 ms after session.run() resolved`);

const gaps = [0, 2, 5, 10, 20];
const times = new Map<string, number[]>();
const push = (key: string, ms: number): void => { (times.get(key) ?? times.set(key, []).get(key)!).push(ms); };
for (let r = 0; r < rounds; r++) {
  for (const gap of gaps) {
    await runOrt();
    wait(gap);
    push(`2 threads, ${gap} ms after ort`, forward());
  }
  forward();
  push("2 threads, right after its own forward", forward());
  set_num_threads(1);
  await runOrt();
  push("1 thread, right after ort", forward());
  set_num_threads(2);
}
for (const [key, ms] of times) console.log(`wasmnn ${key.padEnd(40)} ${median(ms.slice(3)).toFixed(2)} ms`);
process.exit(0);
