// `npx wasmnn convert` (bin/wasmnn.mjs + bin/convert.mjs, over the built dist/node.js) and the
// browser example's readCheckpoint (the page's .pt/.pth loading): torch.save files in, the same
// tensors out.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { init, load, safetensors, type Tensor } from "../src/index.js";

const root = new URL("../", import.meta.url).pathname;
const fixture = (name: string): string => join(root, "tests/fixtures/io", name);
const work = mkdtempSync(join(tmpdir(), "wasmnn-cli-"));
const cli = (...args: string[]) => spawnSync(process.execPath, [join(root, "bin/wasmnn.mjs"), ...args], { encoding: "utf8" });
const bits = (t: Tensor): Uint8Array => new Uint8Array(t.data<Float32Array | BigInt64Array>().buffer);

beforeAll(async () => {
  await init();
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("npx wasmnn convert", () => {
  test.each(["tiny_cnn.pth", "tiny_cnn_legacy.pth"])("%s -> safetensors holds torch.load's tensors bit for bit", (name) => {
    const out = join(work, `${name}.safetensors`);
    const run = cli("convert", fixture(name), out);
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(/15 tensors, float32/);
    const expected = load(readFileSync(fixture(name))) as Record<string, Tensor>;
    const converted = safetensors.load(readFileSync(out));
    expect(Object.keys(converted)).toEqual(Object.keys(expected));
    for (const key of Object.keys(expected)) {
      expect(converted[key].shape, key).toEqual(expected[key].shape);
      expect(converted[key].dtype, key).toBe(expected[key].dtype);
      expect(bits(converted[key]), key).toEqual(bits(expected[key]));
    }
  });

  test("--dtype float16 writes F16 floats (int64 buffers stay I64), half the float bytes", () => {
    const full = join(work, "full.safetensors");
    const half = join(work, "half.safetensors");
    cli("convert", fixture("tiny_cnn.pth"), full);
    const run = cli("convert", fixture("tiny_cnn.pth"), half, "--dtype", "float16");
    expect(run.stderr).toBe("");
    const header = (file: string) => {
      const bytes = readFileSync(file);
      return JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString("utf8")) as Record<string, { dtype: string }>;
    };
    const dtypes = Object.entries(header(half)).filter(([k]) => k !== "__metadata__").map(([, v]) => v.dtype);
    expect(new Set(dtypes)).toEqual(new Set(["F16", "I64"]));
    const floatBytes = (file: string) => Object.entries(header(file)).filter(([k, v]) => k !== "__metadata__" && v.dtype !== "I64")
      .reduce((sum, [, v]) => sum + ((v as unknown as { data_offsets: [number, number] }).data_offsets[1] - (v as unknown as { data_offsets: [number, number] }).data_offsets[0]), 0);
    expect(floatBytes(half) * 2).toBe(floatBytes(full));
  });

  test("a training checkpoint converts its state_dict entry; a file without one is refused by name", () => {
    const out = join(work, "ckpt.safetensors");
    const run = cli("convert", fixture("checkpoint.pt"), out);
    expect(run.status, run.stderr).toBe(0);
    expect(Object.keys(safetensors.load(readFileSync(out))).length).toBeGreaterThan(0);
    const refused = cli("convert", fixture("refuse_os_system.pt"), join(work, "no.safetensors"));
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/^wasmnn: load: refusing to import '(posix|os)\.system'/);
    const usage = cli("convert", fixture("tiny_cnn.pth"));
    expect(usage.status).toBe(1);
    expect(usage.stderr).toMatch(/usage: wasmnn convert/);
    expect(cli("convert", fixture("tiny_cnn.pth"), out, "--dtype", "int8").stderr).toMatch(/--dtype must be float32, float16 or bfloat16, but got 'int8'/);
  });
});

describe("the browser example's readCheckpoint (the page's .pt/.pth loading)", () => {
  test("reads .pth (zip and legacy) and .safetensors alike", async () => {
    const { readCheckpoint } = await import("../examples/browser/classify.mjs");
    const reference = safetensors.load(readFileSync(fixture("tiny_cnn.safetensors")));
    for (const name of ["tiny_cnn.pth", "tiny_cnn_legacy.pth", "tiny_cnn.safetensors"]) {
      const { state, tensors } = readCheckpoint(new Uint8Array(readFileSync(fixture(name))));
      expect(Object.keys(state), name).toEqual(Object.keys(reference));
      for (const key of Object.keys(reference)) expect(bits(state[key]), `${name} ${key}`).toEqual(bits(reference[key]));
      for (const t of tensors) t.dispose();
    }
  });
});
