// Checkpoints for the classification examples' tests: a fixture model's state_dict (generated
// weights + PyTorch's recorded BatchNorm statistics, see ./weights.ts) saved as safetensors, exactly
// what a user's `safetensors.torch.save_file(model.state_dict(), ...)` holds for that model.
//
//   npx tsx tests/vision/example-inputs.ts <outdir> [builder ...]   (default: resnet18)
// writes <outdir>/<builder>.safetensors; tests/runtimes/vision-example.mjs runs it for Deno,
// Chromium and workerd.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { init, safetensors, tidy } from "wasmnn";
import { readFixture, readRecorded, stateDict } from "./weights.js";

export const EXAMPLES_DIR = fileURLToPath(new URL("../fixtures/vision/examples/", import.meta.url));

/** Writes the fixture `name`'s state_dict to `path` as safetensors. */
export async function writeCheckpoint(name: string, path: string): Promise<void> {
  await init();
  const bytes = tidy(() => {
    const recorded = readRecorded(name);
    return safetensors.save(stateDict(readFixture(name), recorded));
  });
  writeFileSync(path, bytes);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [outdir, ...builders] = process.argv.slice(2);
  if (outdir === undefined) throw new Error("usage: npx tsx tests/vision/example-inputs.ts <outdir> [builder ...]");
  mkdirSync(outdir, { recursive: true });
  for (const builder of builders.length > 0 ? builders : ["resnet18"]) await writeCheckpoint(builder, join(outdir, `${builder}.safetensors`));
}
