// Classify an image with a torchvision model, as torchvision's ImageNet evaluation does it.
//
//   npx tsx examples/classify.ts cat.png resnet18.safetensors [--model resnet18]
//
// The weights are your own torchvision model's, saved from Python:
//   import torchvision, safetensors.torch
//   model = torchvision.models.resnet18(weights="IMAGENET1K_V1")
//   safetensors.torch.save_file(model.state_dict(), "resnet18.safetensors")
//
// Images: PNG through ./png.ts (no dependencies); JPEG through the jpeg-js package if it is installed
// (`npm install jpeg-js`), else convert to PNG first. Prints the five most probable ImageNet classes.
import { readFileSync } from "node:fs";
import { init, safetensors, tidy } from "wasmnn";
import { models, transforms } from "wasmnn/vision";
import { decodePng } from "./png.js";

const args = process.argv.slice(2);
const modelFlag = args.indexOf("--model");
const modelName = modelFlag >= 0 ? args.splice(modelFlag, 2)[1] : "resnet18";
const [imagePath, weightsPath] = args;
if (imagePath === undefined || weightsPath === undefined) {
  console.error("usage: npx tsx examples/classify.ts <image.png|jpg> <checkpoint.safetensors> [--model resnet18]");
  process.exit(2);
}

await init();
const builder = (models as unknown as Record<string, unknown>)[modelName];
if (typeof builder !== "function") throw new Error(`--model: no builder models.${modelName} in wasmnn/vision`);
const model = (builder as () => ReturnType<typeof models.resnet18>)().eval();
model.load_state_dict(safetensors.load(readFileSync(weightsPath)));   // strict: every key must match

// torchvision's ImageNet eval preprocessing (the weights' `transforms()`): resize the short side to
// 256 (bilinear), take the central 224x224, scale to [0, 1], normalise with ImageNet's statistics
const preprocess = transforms.Compose([
  transforms.Resize(256),
  transforms.CenterCrop(224),
  transforms.ToTensor(),
  transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
]);

const image = await readImage(imagePath);
const lines = tidy(() => {
  const batch = preprocess(image).unsqueeze(0);                 // [1, 3, 224, 224]
  const probabilities = model.forward(batch).softmax(1);         // [1, 1000]
  const [values, indices] = probabilities.topk(5);                // each [1, 5]
  const p = values.data();
  const classes = indices.data<BigInt64Array>();                  // int64, as torch.topk's indices
  return [...p].map((prob, i) => `${(prob * 100).toFixed(2).padStart(6)}%  ${models.IMAGENET_CATEGORIES[Number(classes[i])]}`);
});
console.log(`${modelName} on ${imagePath} (${image.width}x${image.height}):`);
for (const line of lines) console.log(line);

async function readImage(path: string): Promise<{ data: Uint8Array; width: number; height: number }> {
  const bytes = readFileSync(path);
  if (bytes[0] === 0x89 && bytes[1] === 0x50) return decodePng(bytes);
  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    const name = "jpeg-js";   // optional: not a dependency of wasmnn
    const jpeg = await import(name).catch(() => {
      throw new Error(`${path} is a JPEG: install a decoder (npm install jpeg-js) or convert it to PNG`);
    });
    return (jpeg.default ?? jpeg).decode(bytes, { useTArray: true, formatAsRGBA: false });
  }
  throw new Error(`${path}: not a PNG or JPEG file`);
}
