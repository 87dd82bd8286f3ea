// Deno: classify a PNG with a torchvision model from wasmnn/vision (the twin of examples/classify.ts).
//   deno run --allow-read examples/deno-classify.ts cat.png resnet18.safetensors [--model resnet18]
// examples/deno.json maps "wasmnn" and "wasmnn/vision" to npm:wasmnn; the weights are a torchvision
// state_dict saved from Python with safetensors.torch.save_file(model.state_dict(), "resnet18.safetensors").
import { init, safetensors, tidy } from "wasmnn";
import { models, transforms } from "wasmnn/vision";
import { decodePng } from "./png.ts";

const args = [...Deno.args];
const modelFlag = args.indexOf("--model");
const modelName = modelFlag >= 0 ? args.splice(modelFlag, 2)[1] : "resnet18";
const [imagePath, weightsPath] = args;
if (imagePath === undefined || weightsPath === undefined) {
  console.error("usage: deno run --allow-read examples/deno-classify.ts <image.png> <checkpoint.safetensors> [--model resnet18]");
  Deno.exit(2);
}

await init();
const builder = (models as unknown as Record<string, () => ReturnType<typeof models.resnet18>>)[modelName];
if (typeof builder !== "function") throw new Error(`--model: no builder models.${modelName} in wasmnn/vision`);
const model = builder().eval();
model.load_state_dict(safetensors.load(await Deno.readFile(weightsPath)));

// torchvision's ImageNet eval preprocessing
const preprocess = transforms.Compose([
  transforms.Resize(256),
  transforms.CenterCrop(224),
  transforms.ToTensor(),
  transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
]);

const image = await decodePng(await Deno.readFile(imagePath));
const lines = tidy(() => {
  const [values, indices] = model.forward(preprocess(image).unsqueeze(0)).softmax(1).topk(5);
  const classes = indices.data<BigInt64Array>();
  return [...values.data()].map((p, i) => `${(p * 100).toFixed(2).padStart(6)}%  ${models.IMAGENET_CATEGORIES[Number(classes[i])]}`);
});
console.log(`deno: ${modelName} on ${imagePath} (${image.width}x${image.height}):`);
for (const line of lines) console.log(line);
