// `npm run demo`: the seed, reproduced. Conv2d's parameter counts, then the stem block
// Conv2d(3,64,7,2,3,bias=False) -> BatchNorm2d(64) -> ReLU -> MaxPool2d(3,2,1) on 1x3x304x228 with
// PyTorch's weights, layer by layer, checked against PyTorch's output (tests/fixtures/seed_block.*).
import { readFileSync } from "node:fs";
import { init, nn, safetensors, tensor, tidy, type Tensor } from "wasmnn";

await init();

console.log("== nn.Conv2d's parameters ==");
for (const [label, conv] of [
  ["Conv2d(12, 6, 3, 1)", new nn.Conv2d(12, 6, 3, 1)],
  ["Conv2d(12, 6, 3, 1, groups=3)", new nn.Conv2d(12, 6, 3, 1, { groups: 3 })],
] as const) {
  let total = 0;
  for (const [name, p] of conv.named_parameters()) {
    console.log(`  ${label} ${name.padEnd(6)} [${p.shape.join(", ")}] = ${p.numel()}`);
    total += p.numel();
  }
  const [out, inPerGroup, kh, kw] = conv.weight.shape;
  console.log(`  ${label}: ${out}*${inPerGroup}*${kh}*${kw} + ${out} = ${total} parameters\n`);
  conv.dispose();
}

console.log("== the stem block, eval mode, PyTorch's weights ==");
const fixtureDir = new URL("../tests/fixtures/", import.meta.url);
const tensors = safetensors.load(readFileSync(new URL("seed_block.safetensors", fixtureDir)));
const state: Record<string, Tensor> = {};
for (const [key, value] of Object.entries(tensors)) if (key.startsWith("seed.state.")) state[key.slice("seed.state.".length)] = value;

const block = new nn.Sequential(
  new nn.Conv2d(3, 64, 7, 2, 3, { bias: false }),
  new nn.BatchNorm2d(64),
  new nn.ReLU(true),
  new nn.MaxPool2d(3, 2, 1),
);
block.load_state_dict(state);
block.eval();
console.log(String(block));
console.log("(the conv has no bias: BatchNorm subtracts the batch/running mean right after, which cancels any constant per channel, and adds its own learnable bias)\n");

const input = tensors["seed.input"];
console.log(`input            [${input.shape.join(", ")}]`);
// layer by layer, each timed as the median of 11 runs
const output = tidy(() => {
  let x: Tensor = input;
  for (const [name, layer] of block.named_children()) {
    const times: number[] = [];
    let y: Tensor = x;
    for (let i = 0; i < 11; i++) {
      // ReLU(inplace) overwrites its input, so every timed run gets a fresh copy
      const source = layer instanceof nn.ReLU ? tensor(x.data(), [...x.shape]) : x;
      const start = performance.now();
      y = layer.forward(source) as Tensor;
      times.push(performance.now() - start);
      if (i < 10 && y !== source) y.dispose();
      if (i < 10 && source !== x) source.dispose();
    }
    times.sort((a, b) => a - b);
    console.log(`(${name}) ${layer.constructor.name.padEnd(12)} -> [${y.shape.join(", ")}]  ${times[5].toFixed(2)} ms`);
    x = y;
  }
  return x;
});

const times: number[] = [];
for (let i = 0; i < 21; i++) {
  const start = performance.now();
  block.forward(input).dispose();
  times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
console.log(`whole block forward: median ${times[10].toFixed(2)} ms of 21 runs`);

const expected = tensors["seed.output"].data();
const actual = output.data();
let maxError = 0;
for (let i = 0; i < actual.length; i++) maxError = Math.max(maxError, Math.abs(actual[i] - expected[i]));
const tolerance = 1e-4;
console.log(`output [${output.shape.join(", ")}] vs PyTorch 1.13: max abs error ${maxError.toExponential(2)} (tolerance ${tolerance}) ${maxError <= tolerance ? "OK" : "FAIL"}`);
if (!(maxError <= tolerance)) process.exitCode = 1;

