// Deno suite: the shared conformance cases through the package's "deno" entry (dist/deno.js).
// Run by tests/runtimes/deno.mjs: deno test --no-check --allow-read --allow-write
import * as wasmnn from "../../dist/deno.js";
import { CASES, runConformance } from "../conformance/suite.js";

declare const Deno: {
  test(name: string, fn: () => Promise<void> | void): void;
  readFile(path: URL): Promise<Uint8Array>;
  writeTextFile(path: URL, text: string): Promise<void>;
  mkdir(path: URL, options: { recursive: boolean }): Promise<void>;
};

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

Deno.test("init() loads the .wasm through the deno entry and is idempotent", async () => {
  await wasmnn.init();
  await wasmnn.init();
  const t = wasmnn.tensor([[1, 2], [3, 4]]);
  assert(JSON.stringify(t.tolist()) === "[[1,2],[3,4]]", `tolist gave ${JSON.stringify(t.tolist())}`);
  t.dispose();
});

Deno.test("conformance cases match PyTorch on the seed block", async () => {
  const bytes = await Deno.readFile(new URL("../fixtures/seed_block.safetensors", import.meta.url));
  const result = await runConformance(wasmnn, bytes);
  assert(result.failures.length === 0, result.failures.join("\n"));
  assert(Object.keys(result.hashes).length === Object.keys(CASES).length + 1, "every case hashed");
  const dir = new URL("../../.test-output/", import.meta.url);
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(new URL("hashes-deno.json", dir), JSON.stringify(result.hashes, null, 1));
});

Deno.test("use after dispose throws a clear error in Deno too", () => {
  const t = wasmnn.zeros([2]);
  t.dispose();
  let message = "";
  try { t.data(); } catch (error) { message = (error as Error).message; }
  assert(message.includes("used after dispose"), `got: ${message}`);
});

Deno.test("load() reads a torch.save file from a path and a file: URL, as from its bytes", async () => {
  await wasmnn.init();
  const url = new URL("../fixtures/io/state_zip.pt", import.meta.url);
  const fromBytes = wasmnn.load(await Deno.readFile(url)) as Record<string, wasmnn.Tensor>;
  for (const source of [url.pathname, url]) {
    const fromPath = wasmnn.load(source) as Record<string, wasmnn.Tensor>;
    assert(JSON.stringify(Object.keys(fromPath)) === JSON.stringify(Object.keys(fromBytes)), `keys from ${String(source)}`);
    for (const [key, t] of Object.entries(fromPath)) {
      assert(t.dtype === fromBytes[key].dtype && JSON.stringify(t.tolist()) === JSON.stringify(fromBytes[key].tolist()), `${key} from ${String(source)}`);
      t.dispose();
    }
  }
  for (const t of Object.values(fromBytes)) t.dispose();
});
