// Image classification in the browser with wasmnn/vision: the steps examples/browser/classify.html
// shows, as a module the project's page (page/src/classify.ts) imports too. "wasmnn" and
// "wasmnn/vision" are bare names: an import map (as in classify.html) or a bundler resolves them.
import { load, safetensors, tidy, Tensor } from "wasmnn";
import { models, transforms } from "wasmnn/vision";

/** torchvision's ImageNet eval preprocessing. */
export const preprocess = transforms.Compose([
  transforms.Resize(256),
  transforms.CenterCrop(224),
  transforms.ToTensor(),
  transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
]);

/** The image's pixels as ImageData (RGBA), exactly as stored: no colour conversion, no premultiplied alpha. */
export async function imageData(blob) {
  const bitmap = await createImageBitmap(blob, { colorSpaceConversion: "none", premultiplyAlpha: "none" });
  try {
    const context = new OffscreenCanvas(bitmap.width, bitmap.height).getContext("2d", { willReadFrequently: true });
    context.drawImage(bitmap, 0, 0);
    return context.getImageData(0, 0, bitmap.width, bitmap.height);
  } finally {
    bitmap.close();
  }
}

/**
 * The checkpoint's tensors: a safetensors file, or a torch.save file (.pt/.pth, zip or legacy: both
 * start with a zip or pickle signature) read as torch.load(f, weights_only=True) does. A training
 * checkpoint's "state_dict" or "model" entry is the state_dict. Returns it and every tensor loaded.
 */
export function readCheckpoint(bytes) {
  const pickle = (bytes[0] === 0x50 && bytes[1] === 0x4b) || bytes[0] === 0x80;
  if (!pickle) {
    const state = safetensors.load(bytes);
    return { state, tensors: Object.values(state) };
  }
  const loaded = load(bytes);
  const tensors = [];
  const pending = [loaded];
  while (pending.length > 0) {
    const value = pending.pop();
    if (value instanceof Tensor) tensors.push(value);
    else if (value instanceof Map) pending.push(...value.values());
    else if (value !== null && typeof value === "object") pending.push(...Object.values(value));
  }
  let state = loaded;
  for (const key of ["state_dict", "model_state_dict", "model"]) {
    if (state !== null && typeof state === "object" && !(state instanceof Tensor) && state[key] !== null && typeof state[key] === "object") {
      state = state[key];
      break;
    }
  }
  return { state, tensors };
}

/**
 * `models[name]()` in eval mode with a torchvision state_dict loaded from a checkpoint's bytes
 * (readCheckpoint; strict, as PyTorch: missing or unexpected keys and wrong shapes throw the
 * library's error). Nothing stays allocated when it throws; the caller disposes the model it returns.
 */
export function loadClassifier(name, bytes) {
  const builder = models[name];
  if (typeof builder !== "function") throw new Error(`no builder models.${name} in wasmnn/vision`);
  const model = builder().eval();
  let loaded = null;
  try {
    loaded = readCheckpoint(bytes);
    model.load_state_dict(loaded.state);
    return model;
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    if (loaded !== null) for (const t of loaded.tensors) t.dispose();
  }
}

/** The k most probable ImageNet classes (softmax) for an ImageData-like {data, width, height} RGBA image. */
export function topk(model, image, k = 5) {
  return tidy(() => {
    const [values, indices] = model.forward(preprocess(image).unsqueeze(0)).softmax(1).topk(k);
    const classes = indices.data();
    return [...values.data()].map((probability, i) => {
      const index = Number(classes[i]);
      return { probability, index, name: models.IMAGENET_CATEGORIES[index] };
    });
  });
}

/** "  6.16%  nail" */
export const formatClass = ({ probability, name }) => `${(probability * 100).toFixed(2).padStart(6)}%  ${name}`;
