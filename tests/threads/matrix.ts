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
      const hashes = await hashCases(cases);
      // the work was split across the pool, and the workers ran some of it (the bits alone would also
      // match if thread 0 ran every task); with 1 thread no job reaches the pool
      if (threads > 1) {
        expect(pool.jobs).toBeGreaterThan(jobs);
        expect(pool.tasks - tasks - (pool.callerTasks - callerTasks)).toBeGreaterThan(0);
      } else {
        expect(pool.jobs).toBe(jobs);
      }
      expect(Object.keys(hashes).length).toBeGreaterThan(0);
      expect(hashes).toEqual(reference);
    }, 120_000);
  }
}
