// `npx tsx bench/build-time.ts [builder ...]`: how long wasmnn/vision's builders take to construct
// a model (mostly torchvision's weight initialisation, e.g. trunc_normal_), one model at a time.
import { init } from "../src/index.js";
import { models } from "../src/vision/index.js";

await init();
const names = process.argv.slice(2);
for (const name of names.length ? names : ["convnext_tiny", "resnet50", "inception_v3"]) {
  const start = performance.now();
  const model = (models as unknown as Record<string, () => { dispose(): void }>)[name]();
  console.log(`${name}: built in ${(performance.now() - start).toFixed(0)} ms`);
  model.dispose();
}
