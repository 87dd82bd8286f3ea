// wasmnn/vision: torchvision's models, ops and transforms on wasmnn's public API. Its own package
// entry ("wasmnn/vision"); nothing in the core imports it.
//
//   import { init, safetensors } from "wasmnn";
//   import { models, transforms } from "wasmnn/vision";
//   await init();
//   const m = models.resnet50().eval();
//   m.load_state_dict(safetensors.load(bytes));
export * as models from "./models/index.js";
export * as ops from "./ops.js";
export * as transforms from "./transforms/index.js";
