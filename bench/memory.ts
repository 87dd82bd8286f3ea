// Peak linear memory of wasmnn's whole ResNet-18 (224×224), in a fresh process so nothing else
// has grown the memory first.  npx tsx bench/memory.ts  (prints JSON)
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface MemoryReport {
  afterInit: number;
  builtLive: number;
  weightBytes: number;
  firstForwardWasm: number;
  forwards: number;
  peakWasm: number;
  liveAfter: number;
  /** conv1's 64×112×112 output and two 64×56×56 maps: the three largest activations */
  top3ActivationBytes: number;
}

async function child(): Promise<MemoryReport> {
  const { init, memory, randn, manual_seed } = await import("../src/index.js");
  const { resnet18 } = await import("../examples/resnet18.js");
  await init();
  const afterInit = memory().wasmBytes;
  manual_seed(0);
  // BatchNorm folded as in the speed benchmark (ResNet.fuse); weights counted after folding
  const net = resnet18().fuse();
  let weightBytes = 0;
  for (const t of Object.values(net.state_dict())) weightBytes += t.numel() * (t.dtype === "int64" ? 8 : 4);
  const builtLive = memory().liveBytes;
  const x = randn([1, 3, 224, 224]);
  net.forward(x).dispose();
  const firstForwardWasm = memory().wasmBytes;
  const forwards = 3;
  for (let i = 1; i < forwards; i++) net.forward(x).dispose();
  const peakWasm = memory().wasmBytes;
  x.dispose();
  const liveAfter = memory().liveBytes;
  return { afterInit, builtLive, weightBytes, firstForwardWasm, forwards, peakWasm, liveAfter, top3ActivationBytes: (64 * 112 * 112 + 2 * 64 * 56 * 56) * 4 };
}

/** Runs this file in a fresh Node process (through tsx) and returns its report. */
export function measureResnetMemory(): Promise<MemoryReport> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--child"], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.on("error", reject);
    p.on("close", (code) => {
      const line = out.trim().split("\n").pop() ?? "";
      if (code !== 0 || !line.startsWith("{")) return reject(new Error(`bench/memory.ts exited ${code}: ${out}`));
      resolve(JSON.parse(line) as MemoryReport);
    });
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(JSON.stringify(process.argv.includes("--child") ? await child() : await measureResnetMemory()));
}
