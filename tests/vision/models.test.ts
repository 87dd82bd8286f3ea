// wasmnn/vision's models against torchvision 0.14 (tests/fixtures/vision/gen_models.py): the same
// state_dict keys and shapes (a strict load reports nothing missing or unexpected), the same
// eval-mode output, the same repr.
//
// Tolerance (the rule): |out - torch| <= 1e-4 * max|torch| + 1e-3 * |torch|, and the same
// top-1 class. The models chain 10-300 float32 reductions whose order differs from PyTorch's (GEMM
// tiles, Winograd, folded BatchNorm), so exact equality is not expected; the printed worst error
// per model shows how far inside the budget each one is.
//
// `npm test` runs one model per family (CI_SUBSET); `npm run check:vision` runs every fixture, and
// `npm run check:vision:lean` every fixture in lean memory mode (VISION_MEMORY=lean).
import { describe, expect, test } from "vitest";
import { init, memory, tidy, type Tensor } from "wasmnn";
import { builderOf, fixtureNames, inputOf, readFixture, readRecorded, stateDict } from "./weights.js";

await init({ memory: process.env.VISION_MEMORY === "lean" ? "lean" : "fast" });

const CI_SUBSET = new Set([
  "alexnet", "vgg11_bn", "resnet18", "resnext50_32x4d", "densenet121", "googlenet", "inception_v3", "mnasnet0_5",
  "mobilenet_v2", "mobilenet_v3_small", "shufflenet_v2_x0_5", "squeezenet1_1", "efficientnet_b0", "efficientnet_v2_s",
  "regnet_y_400mf", "regnet_x_400mf", "convnext_tiny", "fcn_resnet50", "deeplabv3_mobilenet_v3_large", "lraspp_mobilenet_v3_large",
]);

// Models whose repr differs from torchvision's, and why (none may be added without a reason).
const REPR_EXCEPTIONS: Record<string, string> = {};

// Models whose forward cannot run yet, and why: for them the test checks the structure (keys, shapes,
// repr) of the built model and skips the forward, visibly.
const STRUCTURE_ONLY: Record<string, string> = {
  regnet_y_128gf: "2.58 GB of weights plus their packed GEMM copies exceed wasm32's 4 GiB; needs #13's lean memory (each weight held once)",
};

const all = process.env.VISION_ALL === "1";
const names = fixtureNames().filter((name) => all || CI_SUBSET.has(name));


function argmax(values: Float32Array, start: number, count: number): number {
  let best = start;
  for (let i = start; i < start + count; i++) if (values[i] > values[best]) best = i;
  return best - start;
}

/** Worst |a - e| and whether every element meets atol + rtol * |e| with atol = 1e-4 * max|e|. */
function compare(actual: Float32Array, expected: Float32Array): { worst: number; scale: number; bad: number } {
  let scale = 0;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  let bad = -1;
  for (let i = 0; i < expected.length; i++) {
    const error = Math.abs(actual[i] - expected[i]);
    if (!(error <= 1e-4 * scale + 1e-3 * Math.abs(expected[i]))) bad = bad < 0 ? i : bad;
    if (!(error <= worst)) worst = error;
  }
  return { worst, scale, bad };
}

// (only with VISION_ALL=1: none of them is in the CI subset)
describe.runIf(names.some((n) => n in STRUCTURE_ONLY))("wasmnn/vision models too large for wasm32 today: structure only", () => {
  for (const name of names.filter((n) => n in STRUCTURE_ONLY)) {
    test(`${name}: keys, shapes and repr`, () => {
      const before = memory().liveTensors;
      const fixture = readFixture(name);
      const model = builderOf(fixture)(fixture.options);
      try {
        expect(Object.entries(model.state_dict()).map(([key, t]) => [key, t.shape])).toEqual(fixture.params.map(([key, shape]) => [key, shape]));
        expect(String(model)).toBe(fixture.repr);
      } finally {
        model.dispose();
      }
      expect(memory().liveTensors).toBe(before);
    }, 600_000);
    test.skip(`${name}: output (${STRUCTURE_ONLY[name]})`, () => {});
  }
});

describe("wasmnn/vision models match torchvision 0.14", () => {
  test.each(names.filter((n) => !(n in STRUCTURE_ONLY)))("%s", (name) => {
    const before = memory().liveTensors;
    const fixture = readFixture(name);
    const recorded = readRecorded(name);
    const model = builderOf(fixture)(fixture.options);
    try {
      // the same keys, in the same order, with the same shapes
      const own = Object.entries(model.state_dict()).map(([key, t]) => [key, t.shape]);
      expect(own).toEqual(fixture.params.map(([key, shape]) => [key, shape]));
      const sd = stateDict(fixture, recorded);
      const result = model.load_state_dict(sd);
      expect(result).toEqual({ missing_keys: [], unexpected_keys: [] });
      for (const [key, t] of Object.entries(sd)) if (!key.endsWith("running_mean") && !key.endsWith("running_var") && !key.endsWith("num_batches_tracked")) t.dispose();
      model.eval();
      if (!(name in REPR_EXCEPTIONS)) expect(String(model)).toBe(fixture.repr);

      const worst = tidy(() => {
        const input = inputOf(fixture);
        const raw = model.forward(input) as Tensor | Record<string, Tensor>;
        const outputs: Record<string, Tensor> = raw instanceof Object && "shape" in raw ? { out: raw as Tensor } : (raw as Record<string, Tensor>);
        expect(Object.keys(outputs)).toEqual(Object.keys(fixture.outputs));
        const report: string[] = [];
        for (const [key, shape] of Object.entries(fixture.outputs)) {
          expect(outputs[key].shape).toEqual(shape);
          const actual = outputs[key].data() as Float32Array;
          const expected = recorded[`output.${key}`].data() as Float32Array;
          const { worst, scale, bad } = compare(actual, expected);
          expect(bad, `${name}.${key}: element ${bad} is ${actual[bad]}, PyTorch ${expected[bad]} (max |out| ${scale})`).toBe(-1);
          if (fixture.family === "classification") {
            const classes = shape[1];
            expect(argmax(actual, 0, classes)).toBe(argmax(expected, 0, classes));
          }
          report.push(`${key} worst ${worst.toExponential(2)} of max ${scale.toPrecision(3)}`);
        }
        return report.join(", ");
      });
      console.log(`${name}: ${worst}`);
    } finally {
      model.dispose();
      for (const t of Object.values(recorded)) t.dispose();
    }
    expect(memory().liveTensors, "tensors left after dispose").toBe(before);
  }, 600_000);
});
