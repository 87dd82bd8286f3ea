// How parallel() cuts a call into tasks (issue #15, src/threads/parallel.ts): each thread's share of
// the blocks is the equal split's (the pool hands thread t tasks [t * n, (t + 1) * n)), cut into
// SHARE_CUTS.length tasks of decreasing size, none empty, together covering every block once.
import { expect, test } from "vitest";
import { taskStart, SHARE_CUTS, MIN_TAPERED_BLOCKS } from "../../src/threads/parallel.js";

test("tapered tasks: contiguous, non-empty, smaller towards a share's end, each share the equal split's", () => {
  const per = SHARE_CUTS.length;
  let checked = 0;
  for (let threads = 2; threads <= 7; threads++) {
    for (let blocks = threads * MIN_TAPERED_BLOCKS; blocks <= threads * MIN_TAPERED_BLOCKS + 300; blocks++) {
      const tasks = threads * per;
      const bounds = Array.from({ length: tasks + 1 }, (_, t) => taskStart(t, blocks, tasks, threads));
      expect(bounds[0]).toBe(0);
      expect(bounds[tasks]).toBe(blocks);
      for (let owner = 0; owner < threads; owner++) {
        // the share: the blocks the equal split gives this thread
        expect(bounds[owner * per]).toBe(Math.floor(blocks * owner / threads));
        const sizes = Array.from({ length: per }, (_, k) => bounds[owner * per + k + 1] - bounds[owner * per + k]);
        for (const size of sizes) expect(size).toBeGreaterThan(0);
        for (let k = 1; k < per; k++) expect(sizes[k]).toBeLessThanOrEqual(sizes[k - 1]);
        // tapered, not equal: the last task (the one another thread may wait for) is the smallest
        expect(sizes[per - 1]).toBeLessThan(sizes[0]);
        checked++;
      }
    }
  }
  expect(checked).toBe((2 + 3 + 4 + 5 + 6 + 7) * 301);
});

test("equal tasks where tapering is off: contiguous from 0 to every block, sizes within one of each other", () => {
  for (const [blocks, tasks] of [[5, 3], [12, 6], [100, 21], [15, 14]]) {
    const bounds = Array.from({ length: tasks + 1 }, (_, t) => taskStart(t, blocks, tasks, 0));
    expect(bounds[0]).toBe(0);
    expect(bounds[tasks]).toBe(blocks);
    const sizes = bounds.slice(1).map((b, t) => b - bounds[t]);
    expect(Math.min(...sizes)).toBeGreaterThan(0);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  }
});
