// The pool worker's code, as source text: each runtime starts it from a string (Node: an eval'd
// worker_threads script; browsers, Deno: a module Worker from a Blob URL), so no bundler has to find
// a second file. Keep it plain ES2020: it is never compiled or minified.
//
// The control block (`ctrl`, an Int32Array over a SharedArrayBuffer, see pool.ts) holds the job;
// each worker waits on its own slot: the caller writes the job's tag there for the workers a job
// uses, and a worker looks at each job once (it waits on the tag it has already seen, so a notify
// that comes before its wait is never lost). Tasks are claimed from a counter that carries the
// job's tag: a worker that wakes late finds it closed or moved on and claims nothing. Between jobs a
// worker spins for `spin` ms (the kernels of one forward come microseconds apart), then naps in timed
// waits of `nap` us until `napWindow` ms have passed (the caller need not notify a napping worker),
// then sleeps until notified (its 'asleep' flag tells the caller to notify). A job's fields are read
// before a task is claimed; a claim succeeds only while the counter still carries the job's tag (the
// caller closes it before it rewrites them). Each thread first takes tasks from its own contiguous
// share (the same part of the output from one layer to the next, so it stays in this core's caches),
// then from the others' shares. Comments inside BODY ship in the pool's chunk: keep them short.

const BODY = String.raw`
const start = async ({ module, memory, ctrl, args, tid, names, scratch, spin, nap, napWindow, layout }) => {
  const { SLOT, SLEEPING, NEXT, DONE, FN, TASKS, NARGS, WSARG, STOP, ERROR, THREADS } = layout;
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  const exports = instance.exports;
  exports.set_thread_scratch(scratch);
  const fns = names.map((name) => exports[name]);
  const h = new Int32Array(ctrl);
  const f = new Float64Array(args);
  const mine = SLOT + tid;
  const asleep = SLEEPING + tid;
  const call = new Array(64);
  let seen = Atomics.load(h, mine);
  post({ ready: tid });
  for (;;) {
    // spin, nap, then sleep until notified (see the header)
    let until = performance.now() + spin;
    let napUntil = until + napWindow;
    for (let i = 1; Atomics.load(h, mine) === seen; i++) {
      if ((i & 127) === 0) {
        const now = performance.now();
        if (now <= until) continue;
        if (now < napUntil) {
          Atomics.wait(h, mine, seen, nap / 1000);
          continue;
        }
        Atomics.store(h, asleep, 1);
        Atomics.wait(h, mine, seen);
        Atomics.store(h, asleep, 0);
        until = performance.now() + spin;
        napUntil = until + napWindow;
      }
    }
    seen = Atomics.load(h, mine);
    if (Atomics.load(h, STOP) !== 0) break;
    // job 'seen': fields read before claiming; own share first (see the header)
    const fn = fns[Atomics.load(h, FN)];
    const tasks = Atomics.load(h, TASKS);
    const nargs = Atomics.load(h, NARGS);
    const wsArg = Atomics.load(h, WSARG);
    const threads = Atomics.load(h, THREADS);
    call.length = nargs;
    for (let k = 0; k < threads; k++) {
      const owner = (tid + k) % threads;
      const end = Math.floor(tasks * (owner + 1) / threads);
      for (;;) {
        const next = Atomics.load(h, NEXT + owner);
        const t = next & 0xffff;
        if ((next >>> 16) !== seen || t >= end) break;
        if (Atomics.compareExchange(h, NEXT + owner, next, next + 1) !== next) continue;
        try {
          const base = 1 + t * nargs;
          for (let i = 0; i < nargs; i++) call[i] = f[base + i];
          if (wsArg >= 0) call[wsArg] += tid * f[0];
          fn(...call);
        } catch (error) {
          Atomics.store(h, ERROR, tid);
          console.error("wasmnn pool thread " + tid + ":", error);
        }
        if (Atomics.add(h, DONE, 1) + 1 === tasks) Atomics.notify(h, DONE);
      }
    }
  }
  post({ stopped: tid });
};
`;

/**
 * Node: a script for `new Worker(source, { eval: true })`, valid as CommonJS and as ESM (a worker
 * inherits --input-type=module from a `node --input-type=module -e` parent): dynamic import only.
 */
export const NODE_WORKER_SOURCE = `import("node:worker_threads").then(({ parentPort }) => {
const post = (message) => parentPort.postMessage(message);
${BODY}
parentPort.once("message", (message) => { start(message).catch((error) => post({ failed: String(error && error.stack || error) })); });
});
`;

/** Browsers and Deno: a module Worker's source. */
export const WEB_WORKER_SOURCE = `const post = (message) => self.postMessage(message);
${BODY}
self.onmessage = (event) => { self.onmessage = null; start(event.data).catch((error) => post({ failed: String(error && error.stack || error) })); };
`;
