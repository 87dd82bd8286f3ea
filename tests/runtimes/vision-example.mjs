// The classification examples' shared test inputs and check: every runtime's example classifies
// tests/fixtures/vision/examples/scene.png with resnet18 (the model fixture's generated weights) and
// must print torchvision's top-5 for it (tests/fixtures/vision/gen_examples.py): same classes in the
// same order, probabilities to the printed two decimals of a percent.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const VISION_IMAGE = "tests/fixtures/vision/examples/scene.png";
export const VISION_MODEL = "resnet18";

/** `.test-output/vision/resnet18.safetensors`, written once per run by tests/vision/example-inputs.ts. */
export function visionCheckpoint(root) {
  const path = join(root, ".test-output/vision", `${VISION_MODEL}.safetensors`);
  if (!existsSync(path)) {
    const result = spawnSync(join(root, "node_modules/.bin/tsx"), ["tests/vision/example-inputs.ts", ".test-output/vision", VISION_MODEL],
      { cwd: root, encoding: "utf8", timeout: 120_000 });
    if (result.status !== 0) throw new Error(`writing ${path} failed: ${result.stderr}`);
  }
  return path;
}

/**
 * Checks an example's output ("6.16%  nail" lines) against torchvision's top-5;
 * returns { ok, detail } with the lines found.
 */
export function checkTop5(root, text, model = VISION_MODEL) {
  const expected = JSON.parse(readFileSync(join(root, "tests/fixtures/vision/examples/expected.json"), "utf8")).top5[model];
  const lines = [...String(text).matchAll(/^\s*(\d+\.\d\d)%\s+(.+?)\s*$/gm)].map((m) => ({ percent: Number(m[1]), name: m[2] }));
  const ok = lines.length === 5 && lines.every((line, i) =>
    line.name === expected.names[i] && Math.abs(line.percent - 100 * expected.probabilities[i]) <= 0.006);
  const got = lines.map((l) => `${l.percent}% ${l.name}`).join(", ");
  const want = expected.names.map((n, i) => `${(100 * expected.probabilities[i]).toFixed(2)}% ${n}`).join(", ");
  return { ok, detail: ok ? got : `got [${got}], torchvision [${want}]` };
}
