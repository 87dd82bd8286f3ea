// One family's thread matrix as a vitest suite: the thread build at each of THREAD_COUNTS against
// the single-thread build (harness.ts).
import { afterAll, beforeAll, expect, test } from "vitest";
import { init, backend, set_num_threads, shutdown_threads } from "../../src/index.js";
import { currentPool, setMinParallelWork } from "../../src/threads/parallel.js";
import { hashCases, referenceHashes, THREAD_COUNTS, type Cases } from "./harness.js";

export function threadMatrix(casesUrl: URL, load: () => Promise<{ cases: Cases }>): void {
  let reference: Record<string, string>;
  beforeAll(async () => {
    reference = referenceHashes(casesUrl.pathname);
    await init({ threads: Math.max(...THREAD_COUNTS) });
    setMinParallelWork(0);
  }, 120_000);
  afterAll(() => {
    setMinParallelWork(null);
    shutdown_threads();
  });
  for (const threads of THREAD_COUNTS) {
    test(`${threads} thread${threads === 1 ? "" : "s"}: every case's bits equal the single-thread build's`, async () => {
      expect(backend().shared).toBe(true);
      expect(backend().poolThreads).toBe(Math.max(...THREAD_COUNTS));
      set_num_threads(threads);
      const { cases } = await load();
      const pool = currentPool()!;
      const [jobs, tasks, callerTasks] = [pool.jobs, pool.tasks, pool.callerTasks];
      const workerTasks = (): number => pool.tasks - tasks - (pool.callerTasks - callerTasks);
      // the work reaches the pool, and the workers run some of it: the bits alone would also match if
      // thread 0 ran every task. Small cases can finish before a worker wakes (7 threads on 2 cores),
      // so they run again, every run's bits checked, until a worker has taken a task (at most 20 runs)
      let hashes = await hashCases(cases);
      for (let run = 1; threads > 1 && workerTasks() === 0 && run < 20; run++) {
        expect(hashes).toEqual(reference);
        hashes = await hashCases(cases);
      }
      if (threads > 1) {
        expect(pool.jobs).toBeGreaterThan(jobs);
        expect(workerTasks()).toBeGreaterThan(0);
      } else {
        expect(pool.jobs).toBe(jobs);
      }
      expect(Object.keys(hashes).length).toBeGreaterThan(0);
      expect(hashes).toEqual(reference);
    }, 120_000);
  }
}
