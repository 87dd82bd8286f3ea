// `npx tsx bench/torch-load.ts`: issue #14's numbers for a 47 MB ResNet-18 checkpoint. torch.save's
// zip and legacy files (made once by /usr/bin/python3 with torchvision's resnet18, seed 0, into
// bench/build/) against safetensors of the same tensors: the time to a loaded model (load +
// load_state_dict), interleaved per round in one process; and the Wasm memory it takes, each in a
// fresh process (memory never shrinks), against the float32 bytes of the tensors.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { init, load, memory, safetensors, tensor, tidy, type Tensor } from "../src/index.js";
import { models } from "../src/vision/index.js";

const dir = new URL("./build/", import.meta.url).pathname;
const files = { zip: `${dir}resnet18.pth`, legacy: `${dir}resnet18_legacy.pth`, safetensors: `${dir}resnet18-python.safetensors` };
type Kind = keyof typeof files;
const read = (kind: Kind, bytes: Uint8Array): Record<string, Tensor> => kind === "safetensors" ? safetensors.load(bytes) : load(bytes);
const MiB = 2 ** 20;

const args = process.argv.slice(2);
if (args[0] === "--child") {
  // one load into a fresh model, in a fresh process: Wasm memory before and after
  await init();
  const kind = args[1] as Kind;
  const bytes = new Uint8Array(readFileSync(files[kind]));
  const model = models.resnet18().eval();
  const before = memory().wasmBytes;
  model.load_state_dict(read(kind, bytes));
  const weights = Object.values(model.state_dict()).reduce((s, t) => s + t.numel() * (t.dtype === "int64" ? 8 : 4), 0);
  console.log(JSON.stringify({ before, after: memory().wasmBytes, weights }));
} else {
  if (!existsSync(files.zip)) {
    mkdirSync(dir, { recursive: true });
    execFileSync("/usr/bin/python3", ["-c", `
import torch, torchvision
torch.manual_seed(0)
sd = torchvision.models.resnet18().state_dict()
torch.save(sd, "${files.zip}")
torch.save(sd, "${files.legacy}", _use_new_zipfile_serialization=False)
# the same tensors as safetensors, written by hand (no safetensors package needed), independently of wasmnn
import json, struct
header, blobs, offset = {}, [], 0
for k, t in sd.items():
    b = t.contiguous().numpy().tobytes()
    header[k] = {"dtype": "I64" if t.dtype == torch.int64 else "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
    blobs.append(b); offset += len(b)
h = json.dumps(header).encode(); h += b" " * (-len(h) % 8)
open("${files.safetensors}", "wb").write(struct.pack("<Q", len(h)) + h + b"".join(blobs))`], { stdio: "inherit" });
  }
  await init();
  const bytes = Object.fromEntries((Object.keys(files) as Kind[]).map((k) => [k, new Uint8Array(readFileSync(files[k]))])) as Record<Kind, Uint8Array>;
  const model = models.resnet18().eval();
  const times: Record<Kind, number[]> = { zip: [], legacy: [], safetensors: [] };
  const ratios: Record<"zip" | "legacy", number[]> = { zip: [], legacy: [] };
  for (let round = 0; round < 15; round++) {
    const t: Partial<Record<Kind, number>> = {};
    for (const kind of (round % 2 ? ["safetensors", "zip", "legacy"] : ["legacy", "zip", "safetensors"]) as Kind[]) {
      const start = performance.now();
      const sd = read(kind, bytes[kind]);
      model.load_state_dict(sd);
      t[kind] = performance.now() - start;
      for (const tensor of Object.values(sd)) tensor.dispose();
    }
    if (round < 2) continue;   // warm-up
    for (const kind of Object.keys(times) as Kind[]) times[kind].push(t[kind]!);
    ratios.zip.push(t.zip! / t.safetensors!);
    ratios.legacy.push(t.legacy! / t.safetensors!);
  }
  const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1];
  // the same model's output from each file: bit for bit
  const x = tensor(Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => ((i * 2654435761) % 2001) / 1000 - 1), [1, 3, 224, 224]);
  const outputs = (Object.keys(files) as Kind[]).map((kind) => {
    const sd = read(kind, bytes[kind]);
    model.load_state_dict(sd);
    const y = tidy(() => model.forward(x) as Tensor);
    const out = new Uint32Array(y.data().buffer);
    y.dispose();
    return out;
  });
  const same = outputs.every((o) => o.length === outputs[0].length && o.every((v, i) => v === outputs[0][i]));
  console.log(`resnet18 strict load_state_dict from the .pth (zip, legacy) and from Python's safetensors: outputs ${same ? "bit-identical" : "DIFFER"}`);
  for (const kind of Object.keys(files) as Kind[]) {
    const out = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--child", kind], { encoding: "utf8" });
    const m = JSON.parse(out.trim().split("\n").at(-1)!) as { before: number; after: number; weights: number };
    const ratio = kind === "safetensors" ? "" : `, ${median(ratios[kind]).toFixed(2)}x safetensors' (per round, median)`;
    console.log(`${kind}: ${(bytes[kind].length / 1e6).toFixed(1)} MB file; load + load_state_dict ${median(times[kind]).toFixed(1)} ms${ratio}; ` +
      `Wasm memory +${((m.after - m.before) / MiB).toFixed(1)} MiB for ${(m.weights / MiB).toFixed(1)} MiB of tensors (${((m.after - m.before) / m.weights).toFixed(2)}x)`);
  }
}
