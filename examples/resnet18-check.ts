// Checks wasmnn's ResNet-18 against torchvision's on the full-size model (224x224, 1000 classes).
// Make the weights first: /usr/bin/python3 examples/resnet18-torchvision.py /tmp/resnet18.safetensors
// Then: npx tsx examples/resnet18-check.ts /tmp/resnet18.safetensors
import { readFileSync } from "node:fs";
import { init, safetensors, memory, type Tensor } from "wasmnn";
import { resnet18 } from "./resnet18.js";

await init();
const path = process.argv[2] ?? "/tmp/resnet18.safetensors";
const tensors = safetensors.load(readFileSync(path));
const { __input__: input, __output__: expected, ...state } = tensors as Record<string, Tensor>;

const model = resnet18();
model.load_state_dict(state);   // strict: torchvision's keys, all of them
model.eval();

const times: number[] = [];
let logits = model.forward(input);
for (let i = 0; i < 10; i++) {
  logits.dispose();
  const start = performance.now();
  logits = model.forward(input);
  times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
const got = logits.data();
const want = expected.data();
let maxError = 0;
let maxValue = 0;
for (let i = 0; i < got.length; i++) {
  maxError = Math.max(maxError, Math.abs(got[i] - want[i]));
  maxValue = Math.max(maxValue, Math.abs(want[i]));
}
const argmax = (a: Float32Array) => a.indexOf(Math.max(...a));
console.log(`ResNet-18 224x224: ${Object.keys(state).length} state keys loaded strictly`);
console.log(`logits [${logits.shape.join(", ")}]: max abs error ${maxError.toExponential(2)} (max |logit| ${maxValue.toFixed(2)}), top-1 ${argmax(got)} vs PyTorch ${argmax(want)}`);
console.log(`forward: median ${times[5].toFixed(1)} ms of 10; linear memory ${(memory().wasmBytes / 2 ** 20).toFixed(0)} MiB`);
const tolerance = 1e-3 * Math.max(1, maxValue);
if (!(maxError <= tolerance) || argmax(got) !== argmax(want)) {
  console.error(`FAIL: error above ${tolerance} or top-1 differs`);
  process.exitCode = 1;
}
