// A Cloudflare Worker that classifies images with a torchvision model from wasmnn/vision.
// wrangler picks the package's "workerd" entry, which imports the .wasm as a precompiled
// WebAssembly.Module (Workers cannot compile Wasm at run time); "wasmnn/vision" shares its instance.
//
//   curl --data-binary @cat.png https://<your worker>/   →   " 31.51%  tabby\n ..." (the top-5)
//
// The weights: your torchvision model's state_dict, saved from Python with
// safetensors.torch.save_file(model.state_dict(), "model.safetensors") and uploaded to the R2
// bucket bound as MODEL (wrangler.toml): `wrangler r2 object put wasmnn-models/model.safetensors
// --file model.safetensors`. R2 has no script-size limit; ResNet-18's 45 MB would not fit a bundle.
//
// Memory: an isolate has 128 MB for everything. init({ memory: "lean" }) holds each weight once in
// Wasm memory (no packed or Winograd copies), and safetensors.load reads the tensors straight from
// the fetched bytes into the model's parameters, so the bytes can go once the model is loaded:
// ResNet-18 peaks near 100 MB (Wasm memory plus the 45 MB of bytes during the load). Each response
// reports both in its x-wasm-bytes and x-weight-bytes headers.
import { init, memory, safetensors, tidy } from "wasmnn";
import { models, transforms } from "wasmnn/vision";
import { decodePng } from "../../png.ts";

const MODEL = "resnet18";                 // the builder your checkpoint was saved from
const WEIGHTS = "model.safetensors";      // its key in the R2 bucket

await init({ memory: "lean" });           // instantiate once, at the top level

// torchvision's ImageNet eval preprocessing
const preprocess = transforms.Compose([
  transforms.Resize(256),
  transforms.CenterCrop(224),
  transforms.ToTensor(),
  transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
]);

// built on the first request: loading weights is too much work for a Worker's start-up budget
let model = null;
async function getModel(env) {
  if (model !== null) return { net: model, weightBytes: 0 };
  const object = await env.MODEL.get(WEIGHTS);
  if (object === null) throw new Error(`no ${WEIGHTS} in the R2 bucket bound as MODEL`);
  const bytes = new Uint8Array(await object.arrayBuffer());
  const net = models[MODEL]().eval();
  net.load_state_dict(safetensors.load(bytes));   // the loaded dict is dropped here, and the bytes with it
  model = net;
  return { net, weightBytes: bytes.length };
}

export default {
  async fetch(request, env) {
    if (request.method !== "POST") return new Response("POST a PNG image; the answer is its top-5 ImageNet classes", { status: 405 });
    let image;
    try {
      image = await decodePng(new Uint8Array(await request.arrayBuffer()));
    } catch (error) {
      return new Response(error.message, { status: 400 });
    }
    const { net, weightBytes } = await getModel(env);
    const lines = tidy(() => {
      const [values, indices] = net.forward(preprocess(image).unsqueeze(0)).softmax(1).topk(5);
      const classes = indices.data();
      return [...values.data()].map((p, i) => `${(p * 100).toFixed(2).padStart(6)}%  ${models.IMAGENET_CATEGORIES[Number(classes[i])]}`);
    });
    return new Response(`${lines.join("\n")}\n`, {
      headers: {
        "content-type": "text/plain; charset=utf-8",
        // Wasm memory never shrinks: its size now is its peak; the weight bytes this request held
        "x-wasm-bytes": String(memory().wasmBytes),
        "x-weight-bytes": String(weightBytes),
      },
    });
  },
};
