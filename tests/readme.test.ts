// Every TypeScript example in README.md runs (through the package's own entry, "wasmnn").
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { init, safetensors, manual_seed } from "../src/index.js";
import { resnet18 } from "../examples/resnet18.js";

const root = new URL("../", import.meta.url).pathname;
const readme = readFileSync(join(root, "README.md"), "utf8");
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);

describe("README examples run", () => {
  test("there are examples", () => expect(blocks.length).toBeGreaterThanOrEqual(3));

  test.each(blocks.map((code, i) => [i, code.split("\n")[0]] as const))("example %i: %s", async (index) => {
    const work = mkdtempSync(join(tmpdir(), "wasmnn-readme-"));
    // the weights example reads model.safetensors from the working directory
    await init();
    manual_seed(0);
    const model = resnet18();
    writeFileSync(join(work, "model.safetensors"), safetensors.save(model.state_dict()));
    // the wasmnn/vision example reads torchvision's resnet18 state_dict (the same keys) and a PNG
    writeFileSync(join(work, "resnet18.safetensors"), safetensors.save(model.state_dict()));
    copyFileSync(join(root, "tests/fixtures/vision/examples/scene.png"), join(work, "cat.png"));
    // the torch.load example reads a torch.save file (a small CNN's state_dict, tests/fixtures/io/gen_torch.py)
    copyFileSync(join(root, "tests/fixtures/io/tiny_cnn.pth"), join(work, "model.pth"));
    model.dispose();
    // at the repository root, so "./examples/..." imports resolve as in the README
    const file = join(root, `.readme-example-${index}.mts`);
    writeFileSync(file, blocks[index]);
    try {
      const output = execFileSync(join(root, "node_modules/.bin/tsx"), [file], { cwd: work, encoding: "utf8", timeout: 60_000 });
      expect(output).not.toMatch(/Error/);
    } finally {
      rmSync(file, { force: true });
      rmSync(work, { recursive: true, force: true });
    }
  });
});
