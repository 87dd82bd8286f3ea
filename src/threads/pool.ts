// The thread pool (issue #15): pool threads are workers, each with its own instance of the
// thread-enabled build over the one shared WebAssembly.Memory; the calling thread is thread 0.
//
// A job is one kernel run over a list of tasks (each task: the kernel's arguments). Thread 0 writes
// the job into a control block (a SharedArrayBuffer), gives each worker the job uses the job's tag
// in its own slot, runs tasks itself (the workers claim tasks from the same tagged counter), then
// waits until every task is done — not for every worker: one that wakes late (a busy machine)
// finds nothing left and costs the caller nothing. Workers spin a while on their slot between jobs
// (the kernels of one forward follow each other within microseconds), nap in short timed waits for a
// while, then sleep in Atomics.wait until notified: an idle pool costs no CPU. Thread 0 spins while
// its workers finish; it sleeps in Atomics.wait only where blocking is allowed (never on a browser
// page's main thread).
//
// Only thread 0 allocates, frees or grows memory: the kernels take their workspaces as arguments.

import { WEB_WORKER_SOURCE, NODE_WORKER_SOURCE } from "./worker_source.js";
import { MAX_THREADS, MAX_TASK_ARGS } from "./parallel.js";

/** The control block's Int32 slots. */
export const LAYOUT = {
  DONE: 1, FN: 3, TASKS: 4, NARGS: 5, WSARG: 6, STOP: 7, ERROR: 8, THREADS: 9,
  SLOT: 16, SLEEPING: 16 + MAX_THREADS, NEXT: 16 + 2 * MAX_THREADS,
} as const;
const CTRL_INTS = 16 + 3 * MAX_THREADS;

/** How long (ms) a worker spins for the next job before it naps. */
const WORKER_SPIN_MS = 0.25;
/**
 * Then, for NAP_WINDOW_MS, it naps: Atomics.wait with a NAP_US timeout, looking at its slot between
 * naps, so thread 0 need not notify it (a notify cost thread 0 30-180 us here, 3-6 times a forward,
 * when a worker had fallen asleep between layers). Interleaved at 2 threads, napping (20 ms) against
 * sleeping: MobileNetV2 15.64/16.64 -> 15.38/16.32 ms, with 5 ms between forwards 16.59 -> 16.26 ms;
 * ResNet-18 42.50 -> 42.12 ms. Each nap costs a few us of CPU (20 ms of naps: ~3 ms), taken from
 * whatever runs next on that core, so the window is short. After it a worker sleeps until notified:
 * an idle pool costs no CPU.
 */
const NAP_US = 100;
const NAP_WINDOW_MS = 5;
/** How long thread 0 spins for its workers before sleeping in Atomics.wait (where it may). */
const CALLER_SPIN = 1 << 20;

/** A started worker, as each runtime's entry makes one. */
export interface PoolWorker {
  postMessage(message: unknown): void;
  onMessage(listener: (message: any) => void): void;
  terminate(): void;
  /** Called once the worker has started (Node: unref it, so the process may exit with the pool alive). */
  started?(): void;
}

/** Makes a worker from module source text: the runtime entry's part (Node: worker_threads; Web: Worker). */
export type SpawnWorker = (source: { node: string; web: string }) => PoolWorker;

export interface PoolOptions {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  names: readonly string[];
  /** Thread 1..n-1's scratch blocks (thread_scratch_bytes() each, allocated by thread 0). */
  scratch: number[];
  spawn: SpawnWorker;
  /** Whether this thread may block in Atomics.wait (false on a page's main thread). */
  canBlock: boolean;
}

export class Pool {
  readonly size: number;
  readonly #ctrl: Int32Array;
  readonly #args: Float64Array;
  readonly #workers: PoolWorker[];
  readonly #canBlock: boolean;
  #epoch = 0;
  #stopped = false;
  /** Thread 0's task arguments, reused from job to job. */
  readonly #argv: number[] = [];
  /** Jobs run with more than one thread, their tasks, and the tasks thread 0 ran (tests check that workers ran the rest). */
  jobs = 0;
  tasks = 0;
  callerTasks = 0;

  private constructor(size: number, ctrl: Int32Array, args: Float64Array, workers: PoolWorker[], canBlock: boolean) {
    this.size = size;
    this.#ctrl = ctrl;
    this.#args = args;
    this.#workers = workers;
    this.#canBlock = canBlock;
  }

  /** Starts `options.scratch.length` workers and resolves once each has instantiated the module. */
  static async start(options: PoolOptions): Promise<Pool> {
    const ctrlBuffer = new SharedArrayBuffer(CTRL_INTS * 4);
    const argsBuffer = new SharedArrayBuffer((1 + MAX_TASK_ARGS) * 8);
    const workers: PoolWorker[] = [];
    const ready: Promise<void>[] = [];
    try {
      for (let i = 0; i < options.scratch.length; i++) {
        const tid = i + 1;
        const worker = options.spawn({ node: NODE_WORKER_SOURCE, web: WEB_WORKER_SOURCE });
        workers.push(worker);
        ready.push(new Promise<void>((resolve, reject) => {
          worker.onMessage((message) => {
            if (message?.ready === tid) resolve();
            else if (message?.failed !== undefined) reject(new Error(`init: pool thread ${tid} failed to start: ${message.failed}`));
          });
        }));
        worker.postMessage({
          module: options.module, memory: options.memory, ctrl: ctrlBuffer, args: argsBuffer, tid, names: options.names,
          scratch: options.scratch[i], spin: WORKER_SPIN_MS, nap: NAP_US, napWindow: NAP_WINDOW_MS, layout: LAYOUT,
        });
      }
      await Promise.all(ready);
      for (const worker of workers) worker.started?.();
    } catch (error) {
      for (const worker of workers) worker.terminate();
      throw error;
    }
    return new Pool(workers.length + 1, new Int32Array(ctrlBuffer), new Float64Array(argsBuffer), workers, options.canBlock);
  }

  /**
   * Runs `fn` (the kernel's index in `names`) over `tasks` tasks with `threads` threads (this one and
   * threads - 1 workers): task t's arguments are args[t * nargs .. + nargs); argument `wsArg` (-1:
   * none) gets thread * wsStride added on the thread that runs the task. Returns when all are done.
   */
  run(fn: number, call: (...args: number[]) => number, tasks: number, nargs: number, args: ArrayLike<number>,
    threads: number, wsArg: number, wsStride: number): void {
    if (this.#stopped) throw new Error("wasmnn: the thread pool was shut down; call init() again");
    this.jobs++;
    this.tasks += tasks;
    const h = this.#ctrl;
    const f = this.#args;
    // each thread's share of the tasks has a counter [tag: 16 bits | next task: 16 bits]; close them
    // under the new tag first, so a worker still looking at the previous job cannot claim a task
    // while the fields change
    const tag = (this.#epoch = (this.#epoch + 1) & 0x7fff);
    for (let t = 0; t < this.size; t++) Atomics.store(h, LAYOUT.NEXT + t, (tag << 16) | 0xffff);
    f[0] = wsStride;
    for (let i = 0; i < tasks * nargs; i++) f[1 + i] = args[i];
    Atomics.store(h, LAYOUT.FN, fn);
    Atomics.store(h, LAYOUT.TASKS, tasks);
    Atomics.store(h, LAYOUT.NARGS, nargs);
    Atomics.store(h, LAYOUT.WSARG, wsArg);
    Atomics.store(h, LAYOUT.THREADS, threads);
    Atomics.store(h, LAYOUT.ERROR, 0);
    Atomics.store(h, LAYOUT.DONE, 0);
    for (let t = 0; t < threads; t++) Atomics.store(h, LAYOUT.NEXT + t, (tag << 16) | Math.floor(tasks * t / threads));
    for (let tid = 1; tid < threads; tid++) {
      Atomics.store(h, LAYOUT.SLOT + tid, tag);
      if (Atomics.load(h, LAYOUT.SLEEPING + tid) !== 0) Atomics.notify(h, LAYOUT.SLOT + tid, 1);
    }
    // thread 0's share first, then what the others have not started (the same counters)
    const argv = this.#argv;
    argv.length = nargs;
    let failure: unknown = null;
    for (let owner = 0; owner < threads; owner++) {
      const end = Math.floor(tasks * (owner + 1) / threads);
      for (;;) {
        const next = Atomics.load(h, LAYOUT.NEXT + owner);
        const t = next & 0xffff;
        if (t >= end) break;
        if (Atomics.compareExchange(h, LAYOUT.NEXT + owner, next, next + 1) !== next) continue;
        const base = 1 + t * nargs;
        for (let i = 0; i < nargs; i++) argv[i] = f[base + i];
        this.callerTasks++;
        try {
          call(...argv);
        } catch (error) {
          failure ??= error;   // thrown once every task is done: none may still write into the next job
        }
        Atomics.add(h, LAYOUT.DONE, 1);
      }
    }
    // done when every task is: workers that woke too late to claim one are not waited for
    this.#join(tasks);
    if (failure !== null) throw failure;
    if (h[LAYOUT.ERROR] !== 0) throw new Error(`wasmnn: pool thread ${h[LAYOUT.ERROR]} failed in a kernel (its error is on the console)`);
  }

  /** Whether any of the workers a `threads`-thread job would use sleeps (waking it costs a notify). */
  asleep(threads: number): boolean {
    for (let tid = 1; tid < threads; tid++) if (Atomics.load(this.#ctrl, LAYOUT.SLEEPING + tid) !== 0) return true;
    return false;
  }

  #join(tasks: number): void {
    const h = this.#ctrl;
    let done = Atomics.load(h, LAYOUT.DONE);
    for (let i = 0; done < tasks; i++) {
      if (this.#canBlock && i >= CALLER_SPIN) Atomics.wait(h, LAYOUT.DONE, done, 100);
      done = Atomics.load(h, LAYOUT.DONE);
    }
  }

  /** Stops every worker (tests, hot reloads). The pool cannot run jobs afterwards. */
  shutdown(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    const h = this.#ctrl;
    Atomics.store(h, LAYOUT.STOP, 1);
    const tag = (this.#epoch = (this.#epoch + 1) & 0x7fff);
    for (let t = 0; t < this.size; t++) Atomics.store(h, LAYOUT.NEXT + t, (tag << 16) | 0xffff);
    for (let tid = 1; tid < this.size; tid++) {
      Atomics.store(h, LAYOUT.SLOT + tid, tag);
      Atomics.notify(h, LAYOUT.SLOT + tid, 1);
    }
    for (const worker of this.#workers) worker.terminate();
  }
}
