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
  console.log(JSON.stringify({ backend: backend(), n: y.filter(Number.isFinite).length }));
`;

function run(flags: string[]): { backend: string; n: number } {
  const out = execFileSync(process.execPath, [...flags, "--input-type=module", "-e", script], { cwd: root, encoding: "utf8" });
  return JSON.parse(out.trim().split("\n").pop()!);
}

test("init({ relaxed: true }) falls back to the deterministic build where the engine lacks relaxed SIMD (Node 20 without its flag)", () => {
  expect(run([]).backend).toBe("simd128");
});

test("init({ relaxed: true }) loads the relaxed build where the engine validates it", () => {
  const result = run(["--experimental-wasm-relaxed-simd"]);
  expect(result.backend).toBe("relaxed-simd");
  expect(result.n).toBe(16 * 20 * 20);
});
