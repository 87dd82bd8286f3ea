import { defineConfig } from "vitest/config";

export default defineConfig({
  // "wasmnn" (as examples import it) is the source here, so tests and examples share one instance
  resolve: { alias: [
    { find: /^wasmnn$/, replacement: new URL("./src/index.ts", import.meta.url).pathname },
    { find: /^wasmnn\/vision$/, replacement: new URL("./src/vision/index.ts", import.meta.url).pathname },
  ] },
  test: {
    include: ["tests/**/*.test.ts"],
    exclude: ["tests/deno/**", "node_modules/**"],
    testTimeout: 60_000,
    // one worker: the machine has 2 cores and the kernels are single-threaded
    pool: "forks",
    maxWorkers: 1,
    minWorkers: 1,
  },
});
