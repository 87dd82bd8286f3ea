// The pool's schedule on paper (src/threads/pool.ts), for the threads benches' bounds.

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
