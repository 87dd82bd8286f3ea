// F.interpolate, nn.Upsample*, pixel_shuffle / pixel_unshuffle against PyTorch 1.13
// (tests/fixtures/ops/resample.py), plus properties the fixtures cannot express.
import { describe, expect, test } from "vitest";
import fc from "fast-check";
import { init, F, nn, tensor, tidy, memory, pixel_shuffle, pixel_unshuffle, type Tensor } from "../src/index.js";
import { replay, loadOps, type ReplayCase } from "./replay.js";
import { thrownMessage, type Tolerance } from "./helpers.js";

await init();

/**
 * Tolerances. The index/weight tables are PyTorch's bit for bit (computed with its float/double
 * mix), so what remains is the arithmetic:
 * - nearest, nearest-exact, pixel (un)shuffle: selections, bit-exact (NaN, inf, -0 included);
 * - linear / bilinear / bicubic: wasmnn multiplies and adds without fusing, in PyTorch's order,
 *   which is bit-exact with PyTorch's portable kernels (cases tagged "portable", recorded with
 *   ATEN_CPU_CAPABILITY=default, are compared bit for bit). The fixtures' other cases come from
 *   PyTorch's AVX2 build, where the compiler fuses a * w0 + b * w1 into an FMA: each fused product
 *   skips one rounding of at most half an ulp of |a w| <= M (M = the input's largest finite
 *   magnitude, weights summing to ~1). Linear: one product per stage, two stages plus the final
 *   rounding's flip: <= 4 half-ulps of M = 4 * 2^-24 * M. Cubic: four products a stage, weights'
 *   absolute sum <= 1.25 (Keys, A = -0.75), the first stage's error carried through the second:
 *   (5 * 1.25 + 5) half-ulps < 12; and there the weights themselves are fused-evaluated cubics,
 *   each up to ~1 ulp of 1 (2 half-ulps) off, 4 a stage, times 1.25 carried: another 20. So
 *   32 * 2^-24 * M (measured worst: ~14).
 * - area: adaptive average pooling, a float sum of <= 25 values divided once: as the pooling
 *   tests (1e-6 absolute + 1e-5 relative).
 */
const EXACT = null;
const { tensors } = loadOps("resample");
function maxFinite(ref: unknown): number {
  const key = (ref as { tensor?: string } | undefined)?.tensor;
  if (key === undefined) return 0;
  let m = 0;
  for (const v of tensors[key].data()) if (Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  return m;
}
function modeOf(c: ReplayCase): string {
  if (c.module === "nn.UpsamplingBilinear2d") return "bilinear";
  if (c.module === "nn.UpsamplingNearest2d") return "nearest";
  if (c.call === "F.upsample_bilinear") return "bilinear";
  if (c.call === "F.upsample_nearest") return "nearest";
  return (c.kwargs.mode as string | undefined) ?? (c.args[c.module ? 2 : 3] as string | undefined) ?? "nearest";
}
const halfUlps = (n: number) => (c: ReplayCase): Tolerance | null => ({ atol: n * 2 ** -24 * maxFinite(c.module ? c.inputs?.[0] : c.args[0]), rtol: 0 });
const byMode = (c: ReplayCase): Tolerance | null => {
  const mode = modeOf(c);
  if (c.tags?.includes("portable")) return EXACT;
  if (mode === "nearest" || mode === "nearest-exact") return EXACT;
  if (mode === "area") return { atol: 1e-6, rtol: 1e-5 };
  return halfUlps(mode === "bicubic" ? 32 : 4)(c);
};

replay("resample", {
  tolerance: {
    "F.interpolate": byMode, "F.upsample": byMode, "F.upsample_nearest": byMode, "F.upsample_bilinear": byMode,
    "nn.Upsample": byMode, "nn.UpsamplingNearest2d": byMode, "nn.UpsamplingBilinear2d": byMode,
    "F.pixel_shuffle": EXACT, "torch.pixel_shuffle": EXACT, "F.pixel_unshuffle": EXACT, "torch.pixel_unshuffle": EXACT,
    "nn.PixelShuffle": EXACT, "nn.PixelUnshuffle": EXACT,
  },
});
