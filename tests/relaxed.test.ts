// The opt-in relaxed-SIMD build: used only when asked for and the engine validates it.
import { execFileSync } from "node:child_process";
import { expect, test } from "vitest";

const root = new URL("../", import.meta.url).pathname;
const script = `
  import { init, backend, nn, randn, manual_seed } from "wasmnn";
  await init({ relaxed: true });
  manual_seed(0);
  const conv = new nn.Conv2d(16, 16, 3, { padding: 1 });
  const x = randn([1, 16, 20, 20]);
  const y = conv.forward(x).data();
  console.log(JSON.stringify({ backend: backend().build, n: y.filter(Number.isFinite).length }));
`;

/** Runs a module script in a fresh Node with these V8 flags and script arguments; returns its last line as JSON. */
function runScript<T>(source: string, flags: string[], args: string[] = []): T {
  const out = execFileSync(process.execPath, [...flags, "--input-type=module", "-e", source, ...args], { cwd: root, encoding: "utf8", maxBuffer: 1 << 26 });
  return JSON.parse(out.trim().split("\n").pop()!) as T;
}
const run = (flags: string[]) => runScript<{ backend: string; n: number }>(script, flags);

test("init({ relaxed: true }) falls back to the deterministic build where the engine lacks relaxed SIMD (Node 20 without its flag)", () => {
  expect(run([]).backend).toBe("simd128");
});

test("init({ relaxed: true }) loads the relaxed build where the engine validates it", () => {
  const result = run(["--experimental-wasm-relaxed-simd"]);
  expect(result.backend).toBe("relaxed-simd");
  expect(result.n).toBe(16 * 20 * 20);
});

// The relaxed build's every kernel path against the default build's, same inputs and weights: FMA
// rounds once where mul + add round twice, so outputs differ by a few ulps of the sums involved.
const paths = `
  import { init, backend, nn, randn, manual_seed } from "wasmnn";
  await init({ relaxed: process.argv.includes("relaxed") });
  manual_seed(7);
  const cases = [
    ["F(4,3)", new nn.Conv2d(16, 16, 3, { padding: 1 }), [1, 16, 20, 20]],
    ["F(2,3)", new nn.Conv2d(24, 12, 3, { padding: 1 }), [1, 24, 7, 7]],
    ["stem F(3,4)", new nn.Conv2d(3, 16, 7, 2, 3), [1, 3, 40, 36]],
    ["direct, partial tiles", new nn.Conv2d(13, 11, 3, 2, 1), [1, 13, 17, 19]],
    ["grouped Winograd", new nn.Conv2d(12, 6, 3, { padding: 1, groups: 3 }), [1, 12, 16, 16]],
    ["depthwise", new nn.Conv2d(8, 8, 3, { padding: 1, groups: 8 }), [1, 8, 15, 15]],
    ["pointwise", new nn.Conv2d(32, 16, 1), [2, 32, 9, 9]],
  ];
  const out = { backend: backend().build, cases: {} };
  for (const [name, conv, shape] of cases) out.cases[name] = Array.from(conv.forward(randn(shape)).data());
  console.log(JSON.stringify(out));
`;

test("every kernel path of the relaxed build agrees with the default build within FMA's rounding", () => {
  const runPaths = (flags: string[], mode: string) => runScript<{ backend: string; cases: Record<string, number[]> }>(paths, flags, [mode]);
  const strict = runPaths([], "default");
  const relaxed = runPaths(["--experimental-wasm-relaxed-simd"], "relaxed");
  expect(strict.backend).toBe("simd128");
  expect(relaxed.backend).toBe("relaxed-simd");
  let differs = 0;
  for (const [name, expected] of Object.entries(strict.cases)) {
    const actual = relaxed.cases[name];
    expect(actual.length, name).toBe(expected.length);
    const scale = Math.max(1, ...expected.map(Math.abs));
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
    expect(worst, name).toBeLessThanOrEqual(1e-5 * scale);
    differs = Math.max(differs, worst);
  }
  // the relaxed build really fuses: some output rounds differently
  expect(differs).toBeGreaterThan(0);
});
