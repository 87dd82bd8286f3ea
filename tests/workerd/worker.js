// A Cloudflare Worker that uses wasmnn through its "workerd" entry (the .wasm arrives as a
// precompiled WebAssembly.Module). GET /conformance runs the shared cases; GET /seed runs the seed
// block with PyTorch's weights per request and returns the output's bytes. GET /conformance-threads
// asks for 4 threads (workerd has none: one thread, a reason, the same bits).
import * as wasmnn from "../../dist/workerd.js";
import { runConformance } from "../conformance/suite.js";
import seedBlockBytes from "../fixtures/seed_block.safetensors";

let block = null;
let input = null;

async function seedBlock() {
  await wasmnn.init();
  if (block === null) {
    const tensors = wasmnn.safetensors.load(new Uint8Array(seedBlockBytes));
    const state = {};
    for (const [key, value] of Object.entries(tensors)) if (key.startsWith("seed.state.")) state[key.slice(11)] = value;
    block = new wasmnn.nn.Sequential(
      new wasmnn.nn.Conv2d(3, 64, 7, 2, 3, { bias: false }), new wasmnn.nn.BatchNorm2d(64), new wasmnn.nn.ReLU(true), new wasmnn.nn.MaxPool2d(3, 2, 1));
    block.load_state_dict(state);
    block.eval();
    input = tensors["seed.input"];
  }
  return block;
}

export default {
  async fetch(request) {
    const { pathname } = new URL(request.url);
    try {
      if (pathname === "/conformance") {
        return Response.json(await runConformance(wasmnn, new Uint8Array(seedBlockBytes)));
      }
      if (pathname === "/conformance-threads") {
        // [threads] workerd has no Worker: init({ threads: 4 }) runs one thread, says why, same bits
        const warnings = [];
        const warn = console.warn;
        console.warn = (...args) => warnings.push(args.map(String).join(" "));
        try {
          const result = await runConformance(wasmnn, new Uint8Array(seedBlockBytes), { threads: 4 });
          return Response.json({ ...result, warnings });
        } finally {
          console.warn = warn;
        }
      }
      if (pathname === "/seed") {
        const model = await seedBlock();
        const out = model.forward(input);
        const data = out.data();
        const body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
        const shape = out.shape.join(",");
        out.dispose();
        return new Response(body, { headers: { "content-type": "application/octet-stream", "x-shape": shape, "x-wasm-bytes": String(wasmnn.memory().wasmBytes) } });
      }
      return new Response("not found", { status: 404 });
    } catch (error) {
      return new Response(String(error && error.stack || error), { status: 500 });
    }
  },
};
