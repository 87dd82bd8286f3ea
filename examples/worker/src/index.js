// A Cloudflare Worker using wasmnn: wrangler picks the package's "workerd" entry, which imports the
// .wasm as a precompiled WebAssembly.Module (Workers cannot compile Wasm at run time).
import { init, nn, tensor, manual_seed } from "wasmnn";

await init();            // instantiate once, at the top level
manual_seed(0);
const block = new nn.Sequential(
  new nn.Conv2d(3, 64, 7, 2, 3, { bias: false }), new nn.BatchNorm2d(64), new nn.ReLU(true), new nn.MaxPool2d(3, 2, 1),
).eval();

export default {
  // POST a float32 image [1, 3, H, W] as raw bytes with ?h=&w=; get the [1, 64, H/4, W/4] features back
  async fetch(request) {
    if (request.method !== "POST") return new Response("POST float32 [1,3,H,W] bytes with ?h=...&w=...", { status: 405 });
    const url = new URL(request.url);
    const h = Number(url.searchParams.get("h"));
    const w = Number(url.searchParams.get("w"));
    try {
      const pixels = new Float32Array(await request.arrayBuffer());
      const y = block.forward(tensor(pixels, [1, 3, h, w]));
      const out = y.data();
      const shape = y.shape.join(",");
      y.dispose();
      return new Response(out, { headers: { "content-type": "application/octet-stream", "x-shape": shape } });
    } catch (error) {
      return new Response(String(error.message), { status: 400 });
    }
  },
};
