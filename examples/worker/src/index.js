// A Cloudflare Worker that classifies images with a torchvision model from wasmnn/vision.
// wrangler picks the package's "workerd" entry, which imports the .wasm as a precompiled
// WebAssembly.Module (Workers cannot compile Wasm at run time); "wasmnn/vision" shares its instance.
//
//   curl --data-binary @cat.png https://<your worker>/   →   " 31.51%  tabby\n ..." (the top-5)
//
// The weights: your torchvision model's state_dict, saved from Python with
// safetensors.torch.save_file(model.state_dict(), "model.safetensors") next to wrangler.toml; it is
// bundled as a Data module (see wrangler.toml's [[rules]]). Workers cap a script's size (10 MB
// compressed on paid plans): deploy a small model (squeezenet1_1 is 5 MB, mobilenet_v3_small 10 MB)
// or fetch larger weights from R2 on the first request. Images are PNGs, decoded by ../../png.ts.
import { init, safetensors, tidy } from "wasmnn";
import { models, transforms } from "wasmnn/vision";
import weights from "../model.safetensors";
import { decodePng } from "../../png.ts";

const MODEL = "resnet18";   // the builder your checkpoint was saved from

await init();               // instantiate once, at the top level

// torchvision's ImageNet eval preprocessing
const preprocess = transforms.Compose([
  transforms.Resize(256),
  transforms.CenterCrop(224),
  transforms.ToTensor(),
  transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
]);

// built on the first request: loading weights is too much work for a Worker's start-up budget
let model = null;
function getModel() {
  if (model === null) {
    model = models[MODEL]().eval();
    model.load_state_dict(safetensors.load(new Uint8Array(weights)));
  }
  return model;
}

export default {
  async fetch(request) {
    if (request.method !== "POST") return new Response("POST a PNG image; the answer is its top-5 ImageNet classes", { status: 405 });
    let image;
    try {
      image = await decodePng(new Uint8Array(await request.arrayBuffer()));
    } catch (error) {
      return new Response(error.message, { status: 400 });
    }
    const net = getModel();
    const lines = tidy(() => {
      const [values, indices] = net.forward(preprocess(image).unsqueeze(0)).softmax(1).topk(5);
      const classes = indices.data();
      return [...values.data()].map((p, i) => `${(p * 100).toFixed(2).padStart(6)}%  ${models.IMAGENET_CATEGORIES[Number(classes[i])]}`);
    });
    return new Response(`${lines.join("\n")}\n`, { headers: { "content-type": "text/plain; charset=utf-8" } });
  },
};
