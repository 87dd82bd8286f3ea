// The pool's schedule on paper (src/threads/pool.ts), and a job's tasks timed one by one, for the
// threads benches' bounds.

/**
 * A job's time on `threads` threads from its tasks' times: each thread runs its own share in order,
 * then claims the others' next unstarted tasks (the one free first claims first).
 */
export function makespan(times: number[], threads: number): number {
  const tasks = times.length;
  const next = Array.from({ length: threads }, (_, t) => Math.floor(tasks * t / threads));
  const end = (owner: number) => Math.floor(tasks * (owner + 1) / threads);
  const free = new Array<number>(threads).fill(0);
  for (;;) {
    let tid = 0;
    for (let t = 1; t < threads; t++) if (free[t] < free[tid]) tid = t;
    let claimed = -1;
    for (let k = 0; k < threads && claimed < 0; k++) {
      const owner = (tid + k) % threads;
      if (next[owner] < end(owner)) claimed = next[owner]++;
    }
    if (claimed < 0) return Math.max(...free);
    free[tid] += times[claimed];
  }
}

const argv: number[] = [];

/** Runs a job's tasks one after another on this thread (task t: args[t * nargs ..]); each one's ms. */
export function tasksInRow(call: (...args: number[]) => number, tasks: number, nargs: number, args: ArrayLike<number>): number[] {
  const times: number[] = [];
  argv.length = nargs;
  for (let t = 0; t < tasks; t++) {
    for (let i = 0; i < nargs; i++) argv[i] = args[t * nargs + i];
    const t0 = performance.now();
    call(...argv);
    times.push(performance.now() - t0);
  }
  return times;
}
