// Node: the package's "node" entry reads build/wasmnn.wasm itself.   node examples/node.mjs
import { init, nn, randn, manual_seed } from "wasmnn";

await init();
manual_seed(0);
const block = new nn.Sequential(
  new nn.Conv2d(3, 64, 7, 2, 3, { bias: false }), new nn.BatchNorm2d(64), new nn.ReLU(true), new nn.MaxPool2d(3, 2, 1),
).eval();
const y = block.forward(randn([1, 3, 304, 228]));
console.log(`node: ${String(block).split("\n")[0]}... -> [${y.shape.join(", ")}]`);
