// Deno: the "deno" entry reads the .wasm next to the package.
//   deno run --allow-read examples/deno.ts        (in a project that has wasmnn in node_modules)
import { init, nn, randn, manual_seed } from "wasmnn";

await init();
manual_seed(0);
const conv = new nn.Conv2d(3, 64, 7, { stride: 2, padding: 3, bias: false });
const y = conv.forward(randn([1, 3, 304, 228]));
console.log(`deno: ${String(conv)} -> [${y.shape.join(", ")}]`);
