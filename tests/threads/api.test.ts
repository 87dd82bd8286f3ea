// init({ threads }), set_num_threads / get_num_threads, backend(), shutdown_threads, and what the pool
// costs when idle and at exit (issue #15). Child processes load the package ("wasmnn" = dist/node.js).
import { execFileSync, spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { afterAll, expect, test, vi } from "vitest";
import { init, backend, get_num_threads, set_num_threads, shutdown_threads, nn, randn, manual_seed } from "../../src/index.js";

const root = new URL("../../", import.meta.url).pathname;

function runScript<T>(source: string, timeout = 60_000, flags: string[] = []): { value: T; ms: number; status: number | null; stderr: string } {
  const t0 = Date.now();
  const result = spawnSync(process.execPath, [...flags, "--input-type=module", "-e", source], { cwd: root, encoding: "utf8", timeout, maxBuffer: 1 << 24 });
  const last = result.stdout.trim().split("\n").pop() ?? "";
  return { value: (last.startsWith("{") ? JSON.parse(last) : null) as T, ms: Date.now() - t0, status: result.status, stderr: result.stderr };
}

afterAll(() => shutdown_threads());

test("init({ threads }) rejects what is not \"auto\" or a positive integer, naming what came", async () => {
  for (const bad of [0, -1, 2.5, "4", "all", null, 1000]) {
    await expect(async () => init({ threads: bad as never })).rejects.toThrow(/threads must be "auto" or an integer from 1 to 128, but got/);
  }
});

test("a pool of 3: backend() reports it; set_num_threads narrows, clamps with one warning, and rejects non-integers", async () => {
  await init({ threads: 3 });
  expect(backend()).toMatchObject({ build: "simd128", shared: true, threads: 3, poolThreads: 3, requested: 3, reason: null });
  expect(backend().maxMemoryBytes).toBeGreaterThanOrEqual(256 * 1024 * 1024);
  expect(get_num_threads()).toBe(3);
  set_num_threads(2);
  expect(get_num_threads()).toBe(2);
  expect(backend().threads).toBe(2);
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  set_num_threads(8);
  set_num_threads(8);
  expect(get_num_threads()).toBe(3);
  expect(warn).toHaveBeenCalledTimes(1);
  expect(String(warn.mock.calls[0][0])).toMatch(/set_num_threads\(8\): the pool has 3 threads .*using 3/);
  warn.mockRestore();
  for (const bad of [0, 1.5, NaN, "2"]) expect(() => set_num_threads(bad as never)).toThrow(/set_num_threads: expected a positive integer, but got/);
  expect(get_num_threads()).toBe(3);
});

test("shutdown_threads stops the workers; calls run on one thread; init({ threads }) starts a pool again", async () => {
  manual_seed(0);
  const conv = new nn.Conv2d(16, 16, 3, { padding: 1 });
  const x = randn([1, 16, 32, 32]);
  const before = conv.forward(x).data().slice();
  shutdown_threads();
  expect(backend()).toMatchObject({ shared: true, threads: 1, poolThreads: 1 });
  expect(conv.forward(x).data()).toEqual(before);
  await init({ threads: 2 });
  expect(backend()).toMatchObject({ threads: 2, poolThreads: 2 });
  expect(conv.forward(x).data()).toEqual(before);
});

test("Node exits by itself with the pool alive, and an idle pool uses no CPU", () => {
  const { value, ms, status, stderr } = runScript<{ backend: { threads: number }; busyMs: number; idleMs: number }>(`
    import { init, backend, nn, randn, manual_seed } from "wasmnn";
    await init({ threads: 2 });
    manual_seed(0);
    const conv = new nn.Conv2d(64, 64, 3, { padding: 1 });
    const x = randn([1, 64, 56, 56]);
    let u = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < 10; i++) conv.forward(x).dispose();
    const busy = process.cpuUsage(u);
    await new Promise((r) => setTimeout(r, 100));   // past the workers' spin
    u = process.cpuUsage();
    await new Promise((r) => setTimeout(r, 1000));
    const idle = process.cpuUsage(u);
    console.log(JSON.stringify({ backend: backend(), busyMs: (busy.user + busy.system) / 1000, idleMs: (idle.user + idle.system) / 1000 }));
  `);
  expect(stderr).toBe("");
  expect(status).toBe(0);
  expect(value.backend.threads).toBe(2);
  // the forwards kept both threads busy; one idle second costs the whole process almost nothing
  expect(value.busyMs).toBeGreaterThan(0);
  expect(value.idleMs).toBeLessThan(30);
  // and the process ended on its own, well within the timeout
  expect(ms).toBeLessThan(30_000);
});

test("\"auto\" is min(4, ceil(cores / 2)); threads: 1 loads the single-thread build; a later larger init warns once and keeps it", () => {
  const auto = runScript<{ threads: number; shared: boolean }>(`
    import { init, backend } from "wasmnn";
    await init();
    console.log(JSON.stringify(backend()));
  `).value;
  const expected = Math.min(4, Math.ceil(availableParallelism() / 2));
  expect(auto.threads).toBe(expected);
  expect(auto.shared).toBe(expected > 1);
  const later = runScript<{ before: { shared: boolean }; after: { threads: number; reason: string }; warnings: string[] }>(`
    import { init, backend } from "wasmnn";
    const warnings = [];
    console.warn = (message) => warnings.push(String(message));
    await init({ threads: 1 });
    const before = backend();
    await init({ threads: 4 });
    await init({ threads: 4 });
    console.log(JSON.stringify({ before, after: backend(), warnings }));
  `).value;
  expect(later.before.shared).toBe(false);
  expect(later.after.threads).toBe(1);
  expect(later.after.reason).toMatch(/single-thread build was loaded by an earlier init\(\)/);
  expect(later.warnings).toHaveLength(1);
  expect(later.warnings[0]).toMatch(/init\(\{ threads: 4 \}\): running 1 thread/);
});

test("init({ module }) with the single-thread build runs one thread and says why", () => {
  const { value } = runScript<{ backend: { threads: number; reason: string }; warnings: string[] }>(`
    import { readFileSync } from "node:fs";
    import { init, backend } from "wasmnn";
    const warnings = [];
    console.warn = (message) => warnings.push(String(message));
    await init({ module: readFileSync("build/wasmnn.wasm"), threads: 2 });
    console.log(JSON.stringify({ backend: backend(), warnings }));
  `);
  expect(value.backend.threads).toBe(1);
  expect(value.backend.reason).toMatch(/single-thread build/);
  expect(value.warnings.join()).toMatch(/init\(\{ threads: 2 \}\): running 1 thread: init\(\{ module \}\) gave the single-thread build/);
});
test("the thread build given with threads: 1, then init({ threads: 2 }): a pool starts (the runtime's threads are probed then)", () => {
  const { value } = runScript<{ before: { threads: number; shared: boolean }; after: { threads: number; poolThreads: number } }>(`
    import { readFileSync } from "node:fs";
    import { init, backend } from "wasmnn";
    await init({ module: readFileSync("build/wasmnn-threads.wasm"), threads: 1 });
    const before = backend();
    await init({ threads: 2 });
    console.log(JSON.stringify({ before, after: backend() }));
  `);
  expect(value.before).toMatchObject({ threads: 1, shared: true });
  expect(value.after).toMatchObject({ threads: 2, poolThreads: 2 });
});

test("init({ relaxed: true, threads: 2 }) loads the relaxed thread build where the engine takes relaxed SIMD", () => {
  const script = `
    import { init, backend, nn, randn, manual_seed } from "wasmnn";
    await init({ relaxed: true, threads: 2 });
    manual_seed(0);
    const y = new nn.Conv2d(16, 16, 3, { padding: 1 }).forward(randn([1, 16, 40, 40]));
    console.log(JSON.stringify({ backend: backend(), finite: y.data().every(Number.isFinite) }));
  `;
  const relaxed = runScript<{ backend: { build: string; shared: boolean; threads: number }; finite: boolean }>(script, 60_000, ["--experimental-wasm-relaxed-simd"]).value;
  expect(relaxed.backend).toMatchObject({ build: "relaxed-simd", shared: true, threads: 2 });
  expect(relaxed.finite).toBe(true);
  // without the flag (Node 20), the deterministic thread build
  expect(runScript<{ backend: { build: string; shared: boolean } }>(script).value.backend).toMatchObject({ build: "simd128", shared: true });
});
void execFileSync;
