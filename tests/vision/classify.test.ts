// examples/classify.ts (and examples/png.ts, which the Node, Deno and Worker examples decode with)
// against torchvision: tests/fixtures/vision/gen_examples.py recorded Pillow's pixels for each PNG
// and torchvision's ImageNet-eval top-5 for scene.png with the resnet18 fixture's weights.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { decodePng } from "../../examples/png.js";
import { checkTop5, VISION_IMAGE } from "../runtimes/vision-example.mjs";
import { EXAMPLES_DIR, writeCheckpoint } from "./example-inputs.js";

const root = new URL("../../", import.meta.url).pathname;
const expected = JSON.parse(readFileSync(join(EXAMPLES_DIR, "expected.json"), "utf8"));

/** FNV-1a over bytes, as gen_examples.py's fnv1a_bytes. */
function fnv1aBytes(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

describe("examples/png.ts decodes as Pillow's Image.open(f).convert('RGB')", () => {
  test.each(Object.keys(expected.png))("%s", async (file) => {
    const image = await decodePng(readFileSync(join(EXAMPLES_DIR, file)));
    expect([image.width, image.height, image.data.length]).toEqual([320, 240, 320 * 240 * 3]);
    expect(fnv1aBytes(image.data)).toBe(expected.png[file]);
  });

  test("a file that is not a PNG is refused by name", async () => {
    await expect(decodePng(new TextEncoder().encode("GIF89a not a png"))).rejects.toThrow(/not a PNG file/);
  });
});

describe("examples/classify.ts", () => {
  let work = "";
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "wasmnn-classify-"));
    await writeCheckpoint("resnet18", join(work, "resnet18.safetensors"));
  }, 120_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test("prints torchvision's top-5 classes and probabilities for resnet18", () => {
    const output = execFileSync(join(root, "node_modules/.bin/tsx"), ["examples/classify.ts", VISION_IMAGE, join(work, "resnet18.safetensors"), "--model", "resnet18"],
      { cwd: root, encoding: "utf8", timeout: 120_000 });
    expect(output).toContain("resnet18 on tests/fixtures/vision/examples/scene.png (320x240):");
    const { ok, detail } = checkTop5(root, output);
    expect(ok, detail).toBe(true);
  }, 120_000);

  test("without arguments it prints its usage and exits with 2", () => {
    const result = spawnSync(join(root, "node_modules/.bin/tsx"), ["examples/classify.ts"], { cwd: root, encoding: "utf8", timeout: 60_000 });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("usage: npx tsx examples/classify.ts");
  }, 60_000);

  test("an unknown --model is named", () => {
    const result = spawnSync(join(root, "node_modules/.bin/tsx"), ["examples/classify.ts", VISION_IMAGE, join(work, "resnet18.safetensors"), "--model", "resnet19"],
      { cwd: root, encoding: "utf8", timeout: 60_000 });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("no builder models.resnet19");
  }, 60_000);
});
