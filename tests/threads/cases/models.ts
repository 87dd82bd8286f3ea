// Thread cases: whole torchvision models (random weights from a fixed seed, eval mode, batch 1
// unless noted), every kernel family at once: bits at every thread count equal the single-thread build's.
import { manual_seed, randn, tidy, type Tensor } from "../../../src/index.js";
import { models } from "../../../src/vision/index.js";
import type { Cases } from "../harness.js";

type Model = { eval(): Model; forward(x: Tensor): unknown; dispose(): void };

function run(build: () => Model, shape: number[], seed: number): () => Tensor[] {
  return () => {
    manual_seed(seed);
    const model = build().eval();
    const x = randn(shape);
    try {
      const y = model.forward(x) as Tensor | Record<string, Tensor>;
      return "shape" in y ? [y as Tensor] : Object.values(y as Record<string, Tensor>);
    } finally {
      x.dispose();
      model.dispose();
    }
  };
}

export const cases: Cases = {
  "resnet18 224": run(() => models.resnet18() as unknown as Model, [1, 3, 224, 224], 11),
  "resnet18 batch 2 at 96": run(() => models.resnet18() as unknown as Model, [2, 3, 96, 96], 12),
  "mobilenet_v2 224": run(() => models.mobilenet_v2() as unknown as Model, [1, 3, 224, 224], 13),
  "efficientnet_b0 128": run(() => models.efficientnet_b0() as unknown as Model, [1, 3, 128, 128], 14),
  "convnext_tiny 64": run(() => models.convnext_tiny() as unknown as Model, [1, 3, 64, 64], 15),
  "densenet121 64": run(() => models.densenet121() as unknown as Model, [1, 3, 64, 64], 16),
  "regnet_y_400mf 96": run(() => models.regnet_y_400mf() as unknown as Model, [1, 3, 96, 96], 17),
  "lraspp_mobilenet_v3_large 128": run(() => models.segmentation.lraspp_mobilenet_v3_large() as unknown as Model, [1, 3, 128, 128], 18),
};
void tidy;
