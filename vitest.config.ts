import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 60_000,
    // one worker: the machine has 2 cores and the kernels are single-threaded
    pool: "forks",
    maxWorkers: 1,
    minWorkers: 1,
  },
});
