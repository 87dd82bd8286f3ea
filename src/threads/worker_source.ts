// The pool worker's code, as source text: each runtime starts it from a string (Node: an eval'd
// worker_threads script; browsers, Deno: a module Worker from a Blob URL), so no bundler has to find
// a second file. Keep it plain ES2020: it is never compiled or minified.
//
// The control block (`ctrl`, an Int32Array over a SharedArrayBuffer, see pool.ts) holds the job;
// each worker waits on its own slot: the caller writes a new epoch there for the workers a job
// uses, and a worker runs one job per change it sees (it waits on the epoch it has already seen,
// so a notify that comes before its wait is never lost).

const BODY = String.raw`
const start = async ({ module, memory, ctrl, args, tid, names, scratch, spin, layout }) => {
  const { SLOT, SLEEPING, NEXT, DONE, NEED, FN, TASKS, NARGS, WSARG, STOP, ERROR } = layout;
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
    // spin for the next job for spin ms (the kernels of one forward come microseconds apart), then sleep
    let until = performance.now() + spin;
    for (let i = 1; Atomics.load(h, mine) === seen; i++) {
      if ((i & 127) === 0 && performance.now() > until) {
        Atomics.store(h, asleep, 1);
        Atomics.wait(h, mine, seen);
        Atomics.store(h, asleep, 0);
        until = performance.now() + spin;
      }
    }
    seen = Atomics.load(h, mine);
    if (Atomics.load(h, STOP) !== 0) break;
    try {
      const fn = fns[h[FN]];
      const tasks = h[TASKS];
      const nargs = h[NARGS];
      const wsArg = h[WSARG];
      call.length = nargs;
      for (let t = Atomics.add(h, NEXT, 1); t < tasks; t = Atomics.add(h, NEXT, 1)) {
        const base = 1 + t * nargs;
        for (let i = 0; i < nargs; i++) call[i] = f[base + i];
        if (wsArg >= 0) call[wsArg] += tid * f[0];
        fn(...call);
      }
    } catch (error) {
      Atomics.store(h, ERROR, tid);
      console.error("wasmnn pool thread " + tid + ":", error);
    }
    if (Atomics.add(h, DONE, 1) + 1 === Atomics.load(h, NEED)) Atomics.notify(h, DONE);
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
