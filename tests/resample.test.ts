// F.interpolate, nn.Upsample*, pixel_shuffle / pixel_unshuffle against PyTorch 1.13
// (tests/fixtures/ops/resample.py), plus properties the fixtures cannot express.
import { describe, expect, test } from "vitest";
import fc from "fast-check";
import { init, F, nn, tensor, tidy, memory, pixel_shuffle, pixel_unshuffle, type Tensor } from "../src/index.js";
import { replay, loadOps, type ReplayCase } from "./replay.js";
import { thrownMessage, type Tolerance } from "./helpers.js";
import { cubicTable, linearTable } from "../src/functional/resample_tables.js";

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
 *   32 * 2^-24 * M. Measured worst on these fixtures, in 2^-24 * M: bilinear 3.1, linear 0.9,
 *   bicubic 23, antialiased bilinear 1.1 and bicubic 5.3.
 *   Inputs PyTorch's bilinear sends to its channels-last kernel (C == 1; 1x1 pixels) sum four
 *   float-weighted taps there, in double for the last C % 8 channels (bit-exact even against the
 *   AVX2 build: tag "channels_last") and in float for the others (as above: portable bit-exact).
 * - antialias=True: the same per product, over more taps: 2 * ceil(support) + 1 with support
 *   = taps / 2 * max(scale, 1), at most 11 for the fixtures' scales (<= 4): 11 half-ulps a stage,
 *   two stages and the final rounding: < 24 * 2^-24 * M (bilinear); the cubic's weights are
 *   fused-evaluated polynomials too (see above), twice the taps' share: 64 * 2^-24 * M.
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
  if (c.tags?.includes("portable") || c.tags?.includes("channels_last")) return EXACT;
  if (mode === "nearest" || mode === "nearest-exact") return EXACT;
  if (mode === "area") return { atol: 1e-6, rtol: 1e-5 };
  if (c.kwargs.antialias === true) return halfUlps(mode === "bicubic" ? 64 : 24)(c);
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

const randomValues = (n: number, rnd: () => number): Float32Array => Float32Array.from({ length: n }, () => rnd());
function image(shape: number[], seed: number, integers = false): Tensor {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return integers ? (s % 2001) - 1000 : (s / 2 ** 32) * 4 - 2;
  };
  return tensor(randomValues(shape.reduce((a, b) => a * b, 1), next), shape);
}
const ulps = (a: number, b: number): number => Math.abs(a - b) / (2 ** -23 * Math.max(Math.abs(a), Math.abs(b), 2 ** -126));

describe("interpolate geometry (fast-check)", () => {
  const modes4 = ["nearest", "nearest-exact", "bilinear", "bicubic", "area"] as const;
  test("output size is `size`, or floor(in * scale_factor) per spatial dim", () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.constantFrom(...modes4),
      fc.oneof(fc.tuple(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 20 })), fc.double({ min: 0.3, max: 4, noNaN: true })),
      (h, w, mode, spec) => tidy(() => {
        const x = image([1, 2, h, w], h * 31 + w);
        const out = Array.isArray(spec) ? [spec[0], spec[1]] : [Math.floor(h * spec), Math.floor(w * spec)];
        if (out[0] === 0 || out[1] === 0) return;
        const y = Array.isArray(spec) ? F.interpolate(x, { size: spec, mode }) : F.interpolate(x, { scale_factor: spec, mode });
        expect(y.shape).toEqual([1, 2, out[0], out[1]]);
      })), { numRuns: 150 });
  });

  test("nearest upscale by an integer k, then area downscale by k, returns the input", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 4 }), (h, w, k) => tidy(() => {
      const x = image([2, 3, h, w], h * 7 + w * 3 + k, true);   // integers: k^2 equal terms sum exactly
      const up = F.interpolate(x, { scale_factor: k, mode: "nearest" });
      expect(up.shape).toEqual([2, 3, h * k, w * k]);
      expect(F.interpolate(up, { size: [h, w], mode: "area" }).data()).toEqual(x.data());
      const line = image([1, 2, w], w + k, true);
      expect(F.interpolate(F.interpolate(line, { scale_factor: k }), { scale_factor: 1 / k, mode: "area" }).data()).toEqual(line.data());
    })), { numRuns: 60 });
  });

  test("bilinear and bicubic with align_corners=True keep the corner pixels", () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 10 }), fc.integer({ min: 2, max: 10 }), fc.integer({ min: 2, max: 40 }), fc.integer({ min: 2, max: 40 }),
      fc.constantFrom("bilinear", "bicubic"), (h, w, oh, ow, mode) => tidy(() => {
        const x = image([1, 1, h, w], h * 13 + w).data();
        const y = F.interpolate(tensor(x, [1, 1, h, w]), { size: [oh, ow], mode, align_corners: true }).data();
        expect(y[0]).toBe(x[0]);   // source coordinate exactly 0: weights 1 and 0
        // the other corners' coordinates are float(scale) * (out - 1): off the last pixel by up to
        // (in - 1) * 2^-24, which weighs a neighbour differing by up to 2M (M = 2, the inputs' bound);
        // plus a few ulps of M of arithmetic — as PyTorch's
        const bound = Math.max(h, w) * 2 ** -24 * 4 * (mode === "bicubic" ? 2 : 1) + 8 * 2 ** -23 * 2;
        for (const [a, b] of [[ow - 1, w - 1], [(oh - 1) * ow, (h - 1) * w], [oh * ow - 1, h * w - 1]]) {
          expect(Math.abs(y[a] - x[b])).toBeLessThanOrEqual(bound);
        }
      })), { numRuns: 120 });
  });

  // A constant c comes out as c * (the float sum of the weights), evaluated with roundings.
  // Linear: the weights 1 - l and l sum to 1 within half an ulp, the two products and the add
  // round once each: 2 ulps an axis, 4 for two. Cubic: PyTorch's weight polynomials cancel
  // (((A x - 5A) x + 8A) x - 4A passes through terms up to 6 for results below 1), so each far
  // weight carries up to ~12 ulps of 1 and each near one ~3: 30 ulps of weight sum an axis, plus
  // 5.5 of arithmetic, two axes: <= 72 ulps (typically a few).
  test("constant images stay constant (nearest exactly; filters within their rounding)", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 30 }),
      // magnitudes whose products with tiny weights (~1e-8) stay normal floats
      fc.double({ min: -100, max: 100, noNaN: true }).filter((v) => v === 0 || Math.abs(v) > 1e-20), fc.boolean(),
      (h, w, oh, ow, value, align) => tidy(() => {
        const c = Math.fround(value);
        const x = tensor(new Float32Array(2 * h * w).fill(c), [1, 2, h, w]);
        for (const v of F.interpolate(x, { size: [oh, ow] }).data()) expect(v).toBe(c);
        for (const v of F.interpolate(x, { size: [oh, ow], mode: "nearest-exact" }).data()) expect(v).toBe(c);
        for (const mode of ["bilinear", "bicubic"]) {
          for (const v of F.interpolate(x, { size: [oh, ow], mode, align_corners: align }).data()) expect(ulps(v, c)).toBeLessThanOrEqual(mode === "bicubic" ? 72 : 4);
        }
      })), { numRuns: 120 });
  });

  test("pixel_unshuffle(pixel_shuffle(x, r), r) == x and pixel_shuffle(pixel_unshuffle(y, r), r) == y", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 2 }),
      (r, c, h, w, lead) => tidy(() => {
        const shape = [...[2, 3].slice(0, lead), c * r * r, h, w];
        const x = image(shape, r + c * 5 + h * 7 + w * 11);
        const shuffled = pixel_shuffle(x, r);
        expect(shuffled.shape).toEqual([...shape.slice(0, -3), c, h * r, w * r]);
        expect(pixel_unshuffle(shuffled, r).data()).toEqual(x.data());
        expect(F.pixel_shuffle(F.pixel_unshuffle(shuffled, r), r).data()).toEqual(shuffled.data());
      })), { numRuns: 100 });
  });
});

describe("interpolate kernel paths", () => {
  // every path of the separable kernel (shuffled or gathered columns, 4-column tails, the row
  // cache on up- and downscales) against a scalar evaluation in PyTorch's order over the same
  // per-axis tables (those are checked against PyTorch by the fixtures)
  test("bilinear / bicubic / linear equal a scalar evaluation of PyTorch's separable sum", () => {
    const f = Math.fround;
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 13 }), fc.integer({ min: 2, max: 13 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }),
      fc.constantFrom("bilinear", "bicubic", "linear"), fc.boolean(),
      (h, w, oh, ow, mode, align) => tidy(() => {
        const cubic = mode === "bicubic";
        const rows = mode === "linear" ? 1 : h;
        const x = image(mode === "linear" ? [1, 2, w] : [1, 2, h, w], h * 41 + w * 7 + oh + ow).data();
        const y = F.interpolate(tensor(x, mode === "linear" ? [1, 2, w] : [1, 2, h, w]), { size: mode === "linear" ? ow : [oh, ow], mode, align_corners: align }).data();
        const make = cubic ? cubicTable : linearTable;
        const tx = make(w, ow, align, null);
        const ty = mode === "linear" ? null : make(h, oh, align, null);
        const outRows = mode === "linear" ? 1 : oh;
        const filterRow = (plane: number, row: number, ox: number): number => {
          let acc = 0;
          tx.index.forEach((index, t) => {
            const term = f(x[(plane * rows + row) * w + index[ox]] * tx.weight[t][ox]);
            acc = t === 0 ? term : f(acc + term);
          });
          return acc;
        };
        for (let plane = 0; plane < 2; plane++) {
          for (let oy = 0; oy < outRows; oy++) {
            for (let ox = 0; ox < ow; ox++) {
              let want: number;
              if (ty === null) want = filterRow(plane, 0, ox);
              else {
                want = 0;
                ty.index.forEach((index, t) => {
                  const term = f(filterRow(plane, index[oy], ox) * ty.weight[t][oy]);
                  want = t === 0 ? term : f(want + term);
                });
              }
              const got = y[(plane * outRows + oy) * ow + ox];
              if (!Object.is(got, want)) throw new Error(`${mode} ${h}x${w} -> ${oh}x${ow} align=${align}: [${plane}, ${oy}, ${ox}] is ${got}, expected ${want}`);
            }
          }
        }
      })), { numRuns: 200 });
  });

  test("x2 bilinear of 256 ch at 28x28 (the bench shape) matches a plain scalar evaluation of PyTorch's formula", () => {
    tidy(() => {
      const x = image([1, 256, 28, 28], 5);
      const y = F.interpolate(x, { scale_factor: 2, mode: "bilinear", align_corners: false }).data();
      const xs = x.data();
      // scale 0.5: source (o + 0.5) / 2 - 0.5 clamped at 0; weights are exact dyadics
      const axis = (o: number): [number, number, number, number] => {
        const src = Math.max(0.5 * (o + 0.5) - 0.5, 0);
        const i0 = Math.min(Math.trunc(src), 27);
        const l1 = Math.fround(src - i0);
        return [i0, i0 + (i0 < 27 ? 1 : 0), Math.fround(1 - l1), l1];
      };
      const f = Math.fround;
      for (let c = 0; c < 256; c += 17) {
        for (let oy = 0; oy < 56; oy++) {
          const [y0, y1, h0, h1] = axis(oy);
          for (let ox = 0; ox < 56; ox++) {
            const [x0, x1, w0, w1] = axis(ox);
            const p = (yy: number, xx: number) => xs[c * 784 + yy * 28 + xx];
            const t0 = f(f(p(y0, x0) * w0) + f(p(y0, x1) * w1));
            const t1 = f(f(p(y1, x0) * w0) + f(p(y1, x1) * w1));
            expect(y[c * 3136 + oy * 56 + ox]).toBe(f(f(t0 * h0) + f(t1 * h1)));
          }
        }
      }
    });
  });

  test("a downscale whose filtered rows do not repeat and a 1-D input reuse no stale row", () => {
    tidy(() => {
      // each output row differs from a fresh single-row computation only if the row cache served a wrong row
      const x = image([1, 3, 40, 9], 9);
      const whole = F.interpolate(x, { size: [7, 5], mode: "bicubic" }).data();
      for (let c = 0; c < 3; c++) {
        const plane = F.interpolate(tensor(x.data().slice(c * 360, (c + 1) * 360), [1, 1, 40, 9]), { size: [7, 5], mode: "bicubic" }).data();
        expect(whole.slice(c * 35, (c + 1) * 35)).toEqual(plane);
      }
    });
  });
});

describe("interpolate / pixel_shuffle bad input", () => {
  test("antialias=True on other modes is PyTorch\'s ValueError", () => {
    const x = image([1, 2, 8, 8], 1);
    expect(thrownMessage(() => F.interpolate(x, { size: 3, mode: "nearest", antialias: true }))).toBe("Anti-alias option is only supported for bilinear and bicubic modes");
    expect(thrownMessage(() => F.interpolate(image([1, 2, 8], 1), { size: 3, mode: "linear", antialias: true }))).toBe("Anti-alias option is only supported for bilinear and bicubic modes");
    x.dispose();
  });

  test("errors never trap, leave other tensors intact, and the next call works", () => {
    const x = image([1, 2, 4, 4], 3);
    const before = x.data();
    const bad: [() => unknown, RegExp][] = [
      [() => F.interpolate(x, { size: 3, scale_factor: 2 }), /only one of size or scale_factor/],
      [() => F.interpolate(x, { size: 3, align_corners: true }), /align_corners option can only be set/],
      [() => F.interpolate(x, { size: 3, mode: "linear" }), /Got 4D input, but linear mode needs 3D input/],
      [() => F.interpolate(x, { size: 3, mode: "bogus" }), /Only 3D, 4D and 5D/],
      [() => F.interpolate(x, { size: [3, 2.5] }), /must be tuple of SymInts, but found element of type float at pos 2/],
      [() => F.interpolate(x, { size: 3, colour: 1 }), /unexpected keyword argument 'colour'/],
      [() => F.interpolate(image([1, 1, 2, 2, 2], 1), { size: 3, mode: "trilinear" }), /5-D .* not implemented in wasmnn/],
      [() => F.pixel_shuffle(x, 1.5), /must be int/],
      [() => new nn.PixelShuffle(), /missing required positional argument: 'upscale_factor'/],
    ];
    for (const [fn, pattern] of bad) expect(thrownMessage(fn)).toMatch(pattern);
    expect(x.data()).toEqual(before);
    expect(F.interpolate(x, { size: 8, mode: "bilinear" }).shape).toEqual([1, 2, 8, 8]);
  });

  test("no leaks: memory() is flat over repeated calls and module forwards", () => {
    const x = image([1, 4, 9, 7], 4);
    const up = new nn.Upsample({ scale_factor: 2, mode: "bicubic" });
    const shuffle = new nn.PixelShuffle(2);
    const run = () => tidy(() => {
      F.interpolate(x, { size: [13, 5], mode: "bilinear" });
      F.interpolate(x, { scale_factor: 0.5, mode: "area" });
      up.forward(x);
      shuffle.forward(x);
    });
    run();
    const start = memory();
    for (let i = 0; i < 20; i++) run();
    expect(memory().liveBytes).toBe(start.liveBytes);
    expect(memory().liveTensors).toBe(start.liveTensors);
  });
});
