// `node --no-liftoff --import tsx bench/threads-latency.ts`: what moving data between two threads
// costs on this machine, beside what bench/cores.ts measures (each vCPU's speed):
// - the round trip of one cache line: this thread stores a counter, a worker spinning on it stores
//   it back, this thread sees it (two one-way hand-offs);
// - reading 1 MiB (one int a cache line) just written by the worker, against just written here;
// - wasmnn's pool: a job of 2 empty tasks at 2 threads, back to back (the worker spinning): the
//   arguments, notify, claim and join that every split call pays.
import "./v8-flags.js";
import { Worker } from "node:worker_threads";
import { init, set_num_threads } from "../src/index.js";
import { currentPool, parallel } from "../src/threads/parallel.js";

const BYTES = 1 << 20;
const LINES = BYTES / 64;
const median = (a: number[]): number => [...a].sort((p, q) => p - q)[a.length >> 1];

// the worker: echoes ctrl[0] into ctrl[16] (another cache line); on a negative value, first writes
// every line of `data` with it; -1 stops it
const WORKER = `
const { workerData } = require("node:worker_threads");
const h = new Int32Array(workerData.ctrl);
const d = new Int32Array(workerData.data);
for (let seen = 0;;) {
  const v = Atomics.load(h, 0);
  if (v === -1) break;
  if (v === seen) continue;
  if (v < 0) for (let i = 0; i < d.length; i += 16) d[i] = v;
  seen = v;
  Atomics.store(h, 16, v);
}`;
const ctrl = new SharedArrayBuffer(128);
const data = new SharedArrayBuffer(BYTES);
const own = new Int32Array(new SharedArrayBuffer(BYTES));
const h = new Int32Array(ctrl);
const worker = new Worker(WORKER, { eval: true, workerData: { ctrl, data } });
await new Promise((resolve) => setTimeout(resolve, 300));

let value = 0;
const handOff = (v: number): void => {
  Atomics.store(h, 0, v);
  while (Atomics.load(h, 16) !== v) { /* the worker's answer */ }
};
const roundTrips: number[] = [];
for (let rep = 0; rep < 7; rep++) {
  const n = 100_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) handOff(++value);
  roundTrips.push((performance.now() - t0) * 1e6 / n);
}
const read = (a: Int32Array): number => { let s = 0; for (let i = 0; i < a.length; i += 16) s += a[i]; return s; };
const shared = new Int32Array(data);
const theirs: number[] = [], mine: number[] = [];
let sink = 0;   // the sums are used, so the reads cannot be dropped as dead code
for (let rep = 0; rep < 60; rep++) {
  handOff(-(rep + 2));
  let t0 = performance.now();
  sink += read(shared);
  theirs.push((performance.now() - t0) * 1e6 / LINES);
  for (let i = 0; i < own.length; i += 16) own[i] = rep;
  t0 = performance.now();
  sink += read(own);
  mine.push((performance.now() - t0) * 1e6 / LINES);
}
Atomics.store(h, 0, -1);
await worker.terminate();

await init({ threads: 2 });
set_num_threads(2);
const pool = currentPool();
let job = "no pool (this runtime runs 1 thread)";
if (pool !== null) {
  const jobs: number[] = [];
  for (let rep = 0; rep < 7; rep++) {
    const n = 20_000;
    const t0 = performance.now();
    // 2 tasks of f32_clamp over 0 floats, as the library's calls reach the pool
    for (let i = 0; i < n; i++) parallel("f32_clamp", 2, 2, () => [0, 0, 0, 0, 0], { tasksPerThread: 1 });
    jobs.push((performance.now() - t0) * 1000 / n);
  }
  job = `${median(jobs).toFixed(2)} us (runs of 20000: ${jobs.map((j) => j.toFixed(2)).join(", ")})`;
}
console.log(`one cache line there and back between two threads: ${median(roundTrips).toFixed(0)} ns (runs: ${roundTrips.map((r) => r.toFixed(0)).join(", ")})`);
console.log(`reading 1 MiB, a line at a time: ${median(mine).toFixed(2)} ns a line after writing it here, ${median(theirs).toFixed(2)} ns after the other thread wrote it`);
console.log(`a pool job of 2 empty tasks at 2 threads: ${job}`);
if (sink === 0.5) console.log(sink);   // never: the sums are integers
process.exit(0);
