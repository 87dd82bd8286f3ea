// Normalisation (issue #11): LayerNorm, GroupNorm, InstanceNorm1d/2d, LocalResponseNorm,
// F.normalize, torch.layer_norm/group_norm/instance_norm/batch_norm, replayed against PyTorch's
// recorded calls (tests/fixtures/ops/norm.py), plus what a replay can't express.
import { describe, expect, test } from "vitest";
import fc from "fast-check";
import * as wasmnn from "../src/index.js";
import { F, Tensor, init, memory, nn, tensor, tidy } from "../src/index.js";
import { replay, type ReplayCase } from "./replay.js";
import { expectClose, thrownMessage, type Tolerance } from "./helpers.js";

await init();

const ULP = 2 ** -24;

/**
 * LayerNorm / GroupNorm / InstanceNorm / batch_norm. Both sides compute
 * y = (x - mean) * rstd * gamma + beta with ~4 float roundings of products whose magnitude is at
 * most cond = max|x| * rstd * |gamma| + |beta| (the fixture's "cond=" tag): where (x - mean)
 * cancels (large offsets, constant rows) the output inherits their absolute rounding, ~ULP * cond
 * each. PyTorch's statistics come from a float Welford whose error grows with log2 of the
 * reduction length (<= 16 for the fixture's <= 37632-long rows), wasmnn's from a corrected
 * two-pass sum in float blocks of 16 terms a lane flushed to f64 (~2^-20 relative). So atol = 1e-5 (the BatchNorm budget) + (4 + 16) * ULP * cond and
 * rtol = 1e-5; for values of size ~1 that is the existing BatchNorm tolerance.
 */
function normTolerance(c: ReplayCase): Tolerance {
  const tag = c.tags?.find((t) => t.startsWith("cond="));
  if (tag === undefined) throw new Error(`${c.id}: the fixture states no cond= tag`);
  const cond = Number(tag.slice(5));
  return { atol: 1e-5 + 20 * ULP * cond, rtol: 1e-5 };
}

/**
 * LRN: the window sum, / size, * alpha, + k and the division are float operations in PyTorch's
 * order (bit-exact); only ** beta differs: Sleef's powf (1 ULP) against AssemblyScript's
 * musl-derived powf (< 1 ULP), so <= 2 ULP in the divisor and 3 ULP in the quotient. (Measured:
 * every fixture case is bit-exact except the few where the two powf round apart.)
 */
const LRN: Tolerance = { atol: 0, rtol: 3 * ULP };

/**
 * F.normalize: the norm is a float sum over at most 8 terms (p = 2: squares, then sqrt) summed in
 * a different association than PyTorch's 8-lane AVX loop: relative difference <= (L - 1) ULP for
 * L terms, halved by sqrt, then 1 ULP for the division; general p adds powf's 1 ULP per term and
 * for the root: 2 * (L + 2) ULP with L = 8.
 */
const NORMALIZE: Tolerance = { atol: 1e-30, rtol: 2 * (8 + 2) * ULP };

replay("norm", {
  tolerance: {
    "F.layer_norm": normTolerance, "torch.layer_norm": normTolerance, "nn.LayerNorm": normTolerance,
    "F.group_norm": normTolerance, "torch.group_norm": normTolerance, "nn.GroupNorm": normTolerance,
    "F.instance_norm": normTolerance, "torch.instance_norm": normTolerance,
    "nn.InstanceNorm2d": normTolerance, "nn.InstanceNorm1d": normTolerance,
    // the existing BatchNorm budget (tests/nn.test.ts)
    "torch.batch_norm": { atol: 1e-5, rtol: 1e-5 }, "nn.BatchNorm1d": { atol: 1e-5, rtol: 1e-5 },
    "F.local_response_norm": LRN, "nn.LocalResponseNorm": LRN,
    "F.normalize": NORMALIZE,
  },
  skip: {
    "F.layer_norm#16": "rows of ~1e30: PyTorch's float statistics overflow ((x - mean)^2 ~ 1e60) and it returns NaN; " +
      "wasmnn's f64 statistics return the normalised row (checked against a float64 reference below)",
  },
});

// ---------------------------------------------------------------------------------------------
// float64 references

/** Mean and biased variance of values[start, start + count) in float64. */
function moments64(values: ArrayLike<number>, start: number, count: number): [number, number] {
  let sum = 0;
  for (let i = 0; i < count; i++) sum += values[start + i];
  const mean = sum / count;
  let squares = 0;
  for (let i = 0; i < count; i++) squares += (values[start + i] - mean) ** 2;
  return [mean, squares / count];
}

/** Group norm of [N, C, S] in G groups, float64; cond as the fixture's tag (see normTolerance). */
function groupNorm64(x: Float32Array, n: number, c: number, s: number, groups: number, w: Float32Array | null, b: Float32Array | null, eps: number): { out: Float64Array; cond: number } {
  const out = new Float64Array(x.length);
  const size = (c / groups) * s;
  let cond = 0;
  for (let g = 0; g < n * groups; g++) {
    const [mean, variance] = moments64(x, g * size, size);
    const rstd = 1 / Math.sqrt(variance + eps);
    for (let i = 0; i < size; i++) {
      const channel = ((g % groups) * (c / groups)) + Math.floor(i / s);
      const wc = w ? w[channel] : 1;
      const bc = b ? b[channel] : 0;
      const v = x[g * size + i];
      out[g * size + i] = (v - mean) * rstd * wc + bc;
      cond = Math.max(cond, Math.abs(v) * rstd * Math.abs(wc) + Math.abs(bc));
    }
  }
  return { out, cond };
}

function layerNorm64(x: Float32Array, cols: number, w: Float32Array | null, b: Float32Array | null, eps: number): { out: Float64Array; cond: number } {
  const out = new Float64Array(x.length);
  let cond = 0;
  for (let r = 0; r * cols < x.length; r++) {
    const [mean, variance] = moments64(x, r * cols, cols);
    const rstd = 1 / Math.sqrt(variance + eps);
    for (let j = 0; j < cols; j++) {
      const v = x[r * cols + j];
      const wj = w ? w[j] : 1;
      const bj = b ? b[j] : 0;
      out[r * cols + j] = (v - mean) * rstd * wj + bj;
      cond = Math.max(cond, Math.abs(v) * rstd * Math.abs(wj) + Math.abs(bj));
    }
  }
  return { out, cond };
}

/** The stated budget against a float64 reference: wasmnn's ~4 roundings of products up to cond. */
const against64 = (cond: number): Tolerance => ({ atol: 1e-5 + 20 * ULP * cond, rtol: 1e-5 });

/** Deterministic pseudo-random floats (mulberry32) so failures reproduce. */
function randomFloats(count: number, seed: number, scale = 1, offset = 0): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296 * 2 - 1) * scale + offset;
  }
  return out;
}

describe("against float64 references", () => {
  test("GroupNorm(32, 256) at 28x28 (a diffusion U-Net's shape) with a random affine", () => {
    tidy(() => {
      const x = randomFloats(256 * 28 * 28, 1, 2, 0.3);
      const w = randomFloats(256, 2, 0.5, 1);
      const b = randomFloats(256, 3, 0.5);
      const gn = new nn.GroupNorm(32, 256);
      gn.load_state_dict({ weight: tensor(w), bias: tensor(b) });
      const y = gn.forward(tensor(x, [1, 256, 28, 28]));
      const { out, cond } = groupNorm64(x, 1, 256, 784, 32, w, b, 1e-5);
      expectClose(y.data(), out, against64(cond), "GroupNorm(32, 256)");
      gn.dispose();
    });
  });

  test("LayerNorm over C of [N, H, W, C] for every convnext width (96, 192, 384, 768), eps 1e-6", () => {
    tidy(() => {
      for (const [i, c] of [96, 192, 384, 768].entries()) {
        const x = randomFloats(2 * 3 * 5 * c, 10 + i, 3, -0.2);
        const w = randomFloats(c, 20 + i, 0.5, 1);
        const b = randomFloats(c, 30 + i, 0.2);
        const y = F.layer_norm(tensor(x, [2, 3, 5, c]), [c], tensor(w), tensor(b), 1e-6);
        const { out, cond } = layerNorm64(x, c, w, b, 1e-6);
        expectClose(y.data(), out, against64(cond), `LayerNorm(${c})`);
      }
    });
  });

  test("F.layer_norm of rows near 1e30 stays finite and normalised (PyTorch's float statistics overflow to NaN)", () => {
    tidy(() => {
      for (const cols of [96, 99]) {
        const x = randomFloats(4 * cols, 7, 1e30);
        const y = F.layer_norm(tensor(x, [4, cols]), [cols]);
        const { out, cond } = layerNorm64(x, cols, null, null, 1e-5);
        expectClose(y.data(), out, against64(cond), `1e30 rows of ${cols}`);
      }
    });
  });

  test("statistics survive a mean 1e4 times the spread and outliers (corrected two-pass), rows longer than a 256-float block", () => {
    tidy(() => {
      const x = randomFloats(3 * 1003, 8, 1, 1e4);
      x[0] = 1e4 + 500;    // outliers 500 spreads away from the mean
      x[1003] = 1e4 - 500;
      const y = F.layer_norm(tensor(x, [3, 1003]), [1003]);
      const { out, cond } = layerNorm64(x, 1003, null, null, 1e-5);
      expectClose(y.data(), out, against64(cond), "offset rows");
    });
  });

  test("a constant row or group (variance 0) comes out as exactly bias, at any magnitude", () => {
    tidy(() => {
      for (const value of [0, 0.1, 1, 1000, -3.7e5, 1e30]) {
        const ln = F.layer_norm(tensor(new Float32Array(2 * 21).fill(value), [2, 21]), [21], tensor(new Float32Array(21).fill(2)), tensor(new Float32Array(21).fill(0.1)));
        expect(Array.from(ln.data()), `layer_norm of ${value}`).toEqual(new Array(42).fill(Math.fround(0.1)));
        const gn = F.group_norm(tensor(new Float32Array(2 * 4 * 9).fill(value), [2, 4, 9]), 2, tensor([2, 2, 2, 2]), tensor([0.1, 0.1, 0.1, 0.1]));
        expect(Array.from(gn.data()), `group_norm of ${value}`).toEqual(new Array(72).fill(Math.fround(0.1)));
        const inorm = F.instance_norm(tensor(new Float32Array(2 * 3 * 5).fill(value), [2, 3, 5]), null, null, null, tensor([0.1, 0.1, 0.1]));
        expect(Array.from(inorm.data()), `instance_norm of ${value}`).toEqual(new Array(30).fill(Math.fround(0.1)));
      }
    });
  });

  test("layer_norm: every row length 1..19 (c_lt_4, c_eq_4, c_gt_4, c_div_4 tails), any values, with and without affine", () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 19 }), fc.integer({ min: 1, max: 4 }), fc.boolean(), fc.integer(), fc.double({ min: -1e3, max: 1e3, noNaN: true }),
      (cols, rows, affine, seed, offset) => {
        tidy(() => {
          const x = randomFloats(rows * cols, seed, 10, offset);
          const w = affine ? randomFloats(cols, seed + 1, 1) : null;
          const b = affine ? randomFloats(cols, seed + 2, 1) : null;
          const y = F.layer_norm(tensor(x, [rows, cols]), [cols], w && tensor(w), b && tensor(b));
          const { out, cond } = layerNorm64(x, cols, w, b, 1e-5);
          expectClose(y.data(), out, against64(cond), `[${rows}, ${cols}]`);
        });
      }), { numRuns: 60 });
  });

  test("group_norm: random N, groups, channels per group and spatial sizes (incl. tails of 1..3 floats)", () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 11 }),
      fc.boolean(), fc.integer(),
      (n, groups, perGroup, spatial, affine, seed) => {
        tidy(() => {
          const c = groups * perGroup;
          if (n * perGroup * spatial === 1) return;   // PyTorch's one-value-per-group error (replayed)
          const x = randomFloats(n * c * spatial, seed, 5, 1);
          const w = affine ? randomFloats(c, seed + 1, 1) : null;
          const b = affine ? randomFloats(c, seed + 2, 1) : null;
          const y = F.group_norm(tensor(x, [n, c, spatial]), groups, w && tensor(w), b && tensor(b));
          const { out, cond } = groupNorm64(x, n, c, spatial, groups, w, b, 1e-5);
          expectClose(y.data(), out, against64(cond), `[${n}, ${c}, ${spatial}] / ${groups}`);
        });
      }), { numRuns: 60 });
  });

  test("instance_norm in train mode: the output per (n, c) plane and PyTorch's running-stat update (mean over N of each copy's update)", () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 2, max: 13 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer(),
      (n, c, spatial, momentum, seed) => {
        tidy(() => {
          const x = randomFloats(n * c * spatial, seed, 3, 0.5);
          const rm0 = randomFloats(c, seed + 1, 1);
          const rv0 = randomFloats(c, seed + 2, 0.5, 1);
          const rm = tensor(rm0);
          const rv = tensor(rv0);
          const y = F.instance_norm(tensor(x, [n, c, spatial]), rm, rv, null, null, true, momentum);
          const { out, cond } = groupNorm64(x, n, c, spatial, c, null, null, 1e-5);
          expectClose(y.data(), out, against64(cond), "output");
          const wantMean = new Float64Array(c);
          const wantVar = new Float64Array(c);
          for (let i = 0; i < n * c; i++) {
            const [mean, variance] = moments64(x, i * spatial, spatial);
            wantMean[i % c] += (momentum * mean + (1 - momentum) * rm0[i % c]) / n;
            wantVar[i % c] += (momentum * variance * spatial / (spatial - 1) + (1 - momentum) * rv0[i % c]) / n;
          }
          expectClose(rm.data(), wantMean, { atol: 1e-6, rtol: 1e-5 }, "running_mean");
          expectClose(rv.data(), wantVar, { atol: 1e-6, rtol: 1e-5 }, "running_var");
        });
      }), { numRuns: 40 });
  });

  test("local_response_norm equals PyTorch's float arithmetic step by step (window sum, / size, * alpha, + k, ** beta, /)", () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 11 }),
      fc.double({ min: 1e-5, max: 2, noNaN: true }), fc.double({ min: -1, max: 2, noNaN: true }), fc.double({ min: 0.5, max: 3, noNaN: true }), fc.integer(),
      (n, c, spatial, size, alpha, beta, k, seed) => {
        tidy(() => {
          const x = randomFloats(n * c * spatial, seed, 4);
          const y = F.local_response_norm(tensor(x, [n, c, spatial]), size, alpha, beta, k).data();
          const f = Math.fround;
          const want = new Float64Array(x.length);
          for (let b = 0; b < n; b++) {
            for (let ch = 0; ch < c; ch++) {
              for (let i = 0; i < spatial; i++) {
                let sum = 0;
                for (let j = Math.max(0, ch - Math.floor(size / 2)); j <= Math.min(c - 1, ch + Math.floor((size - 1) / 2)); j++) {
                  const v = x[(b * c + j) * spatial + i];
                  sum = f(sum + f(v * v));
                }
                const div = f(Math.pow(f(f(f(sum / size) * f(alpha)) + f(k)), f(beta)));
                want[(b * c + ch) * spatial + i] = f(x[(b * c + ch) * spatial + i] / div);
              }
            }
          }
          expectClose(y, want, LRN, `size ${size} beta ${beta}`);
        });
      }), { numRuns: 60 });
  });

  test("normalize: any dim, p in {0, 1, 2, 3, inf, -inf}, against float64 norms", () => {
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }), fc.nat(), fc.constantFrom(0, 1, 2, 3, Infinity, -Infinity), fc.integer(),
      (shape, dimSeed, p, seed) => {
        tidy(() => {
          const dim = dimSeed % shape.length;
          const total = shape.reduce((a, b) => a * b, 1);
          const x = randomFloats(total, seed, 5);
          const y = F.normalize(tensor(x, shape), p, dim).data();
          const inner = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
          const reduce = shape[dim];
          const want = new Float64Array(total);
          for (let o = 0; o < total / (reduce * inner); o++) {
            for (let i = 0; i < inner; i++) {
              const at = (r: number) => x[(o * reduce + r) * inner + i];
              let norm = p === -Infinity ? Infinity : 0;
              for (let r = 0; r < reduce; r++) {
                const a = Math.abs(at(r));
                if (p === 0) norm += a !== 0 ? 1 : 0;
                else if (p === Infinity) norm = Math.max(norm, a);
                else if (p === -Infinity) norm = Math.min(norm, a);
                else norm += a ** p;
              }
              if (p !== 0 && Number.isFinite(p)) norm = norm ** (1 / p);
              norm = Math.max(norm, 1e-12);
              for (let r = 0; r < reduce; r++) want[(o * reduce + r) * inner + i] = at(r) / norm;
            }
          }
          // float sums over <= 6 terms and powf: (L + 2) * 2 ULP relative, as the replay's budget
          expectClose(y, want, NORMALIZE, `shape [${shape}] dim ${dim} p ${p}`);
        });
      }), { numRuns: 80 });
  });
});

describe("semantics a replay can't express", () => {
  test("outputs are new tensors; inputs, weights and (in eval) running stats are left as they were", () => {
    tidy(() => {
      const x = tensor(randomFloats(2 * 4 * 9, 40), [2, 4, 9]);
      const before = x.data();
      for (const y of [F.layer_norm(x, [9]), F.group_norm(x, 2), F.instance_norm(x), F.local_response_norm(x, 3), F.normalize(x)]) {
        expect(y).not.toBe(x);
        expect(y.ptr).not.toBe(x.ptr);
      }
      expect(x.data()).toEqual(before);
      const norm = new nn.InstanceNorm1d(4, { track_running_stats: true }).eval();
      const mean = norm.running_mean!.data();
      norm.forward(x);
      expect(norm.running_mean!.data()).toEqual(mean);
      norm.dispose();
    });
  });

  test("F.instance_norm with use_input_stats updates the running stats it is given, in place (a new version)", () => {
    tidy(() => {
      const rm = tensor([0, 0, 0]);
      const version = rm.version;
      F.instance_norm(tensor(randomFloats(2 * 3 * 5, 41), [2, 3, 5]), rm, tensor([1, 1, 1]));
      expect(rm.version).toBeGreaterThan(version);
      expect(Array.from(rm.data()).some((v) => v !== 0)).toBe(true);
    });
  });

  test("InstanceNorm2d in train mode leaves num_batches_tracked at 0, as PyTorch 1.13", () => {
    const norm = new nn.InstanceNorm2d(3, { track_running_stats: true });
    norm.forward(tensor(randomFloats(2 * 3 * 4 * 4, 42), [2, 3, 4, 4])).dispose();
    expect(norm.num_batches_tracked!.item()).toBe(0);
    norm.dispose();
  });

  test("LocalResponseNorm returns an empty input itself, as PyTorch", () => {
    tidy(() => {
      const x = tensor(new Float32Array(0), [0, 3, 4]);
      expect(F.local_response_norm(x, 3)).toBe(x);
    });
  });

  test("LayerNorm's weight and bias have normalized_shape's shape and PyTorch's state_dict keys", () => {
    const ln = new nn.LayerNorm([5, 6]);
    expect(Object.keys(ln.state_dict())).toEqual(["weight", "bias"]);
    expect(ln.weight!.shape).toEqual([5, 6]);
    expect(Object.keys(new nn.InstanceNorm2d(3, { affine: true, track_running_stats: true }).state_dict()))
      .toEqual(["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]);
    expect(Object.keys(new nn.InstanceNorm2d(3).state_dict())).toEqual([]);
    expect(Object.keys(new nn.GroupNorm(2, 4, { affine: false }).state_dict())).toEqual([]);
    ln.dispose();
  });

  test("torch.* forms take torch's argument order (instance_norm and batch_norm: all nine required)", () => {
    tidy(() => {
      const x = tensor(randomFloats(2 * 3 * 4, 43), [2, 3, 4]);
      const w = tensor([1, 2, 3]);
      const b = tensor([0.5, 0, -0.5]);
      expectClose(wasmnn.instance_norm(x, w, b, null, null, true, 0.1, 1e-5, false).data(),
        F.instance_norm(x, null, null, w, b).data(), { atol: 0, rtol: 0 });
      expectClose(wasmnn.group_norm(x, 3, w, b).data(), F.group_norm(x, 3, w, b).data(), { atol: 0, rtol: 0 });
      expectClose(wasmnn.layer_norm(x, [4], null, null, 1e-5, true).data(), F.layer_norm(x, [4]).data(), { atol: 0, rtol: 0 });
      expect(thrownMessage(() => wasmnn.instance_norm(x, w, b))).toBe(
        'instance_norm() missing 6 required positional argument: "running_mean", "running_var", "use_input_stats", "momentum", "eps", "cudnn_enabled"');
      expect(thrownMessage(() => wasmnn.batch_norm(x))).toMatch(/^batch_norm\(\) missing 8 required positional argument: "weight"/);
    });
  });

  test("unknown options throw PyTorch's TypeError", () => {
    const x = tensor([[1, 2]]);
    expect(thrownMessage(() => F.layer_norm(x, [2], { epsilon: 1e-5 }))).toBe("layer_norm() got an unexpected keyword argument 'epsilon'");
    expect(thrownMessage(() => new nn.GroupNorm(1, 2, { afine: false }))).toBe("GroupNorm.__init__() got an unexpected keyword argument 'afine'");
    expect(thrownMessage(() => F.normalize(x, { axis: 1 }))).toBe("normalize() got an unexpected keyword argument 'axis'");
    x.dispose();
  });
});

describe("bad input", () => {
  test("a clear Error (never a Wasm trap), other tensors intact, and the next call works", () => {
    tidy(() => {
      const x = tensor(randomFloats(2 * 6 * 3 * 3, 50), [2, 6, 3, 3]);
      const keep = x.data();
      const disposed = tensor([1, 2, 3]);
      disposed.dispose();
      const bad: (() => unknown)[] = [
        () => F.layer_norm(x, [4]),
        () => F.layer_norm(x, [3], tensor([1, 2])),
        () => F.layer_norm(x, "3"),
        () => F.layer_norm(x, [3], null, null, "1e-5"),
        () => F.layer_norm(disposed, [3]),
        () => F.layer_norm(tensor(new BigInt64Array([1n, 2n]), [2]), [2]),
        () => F.group_norm(x, 4),
        () => F.group_norm(x, 0),
        () => F.group_norm(x, 1.5),
        () => F.group_norm(x, 3, tensor([1, 2])),
        () => F.instance_norm(x, tensor([1]), tensor([1])),
        () => F.instance_norm(x, null, null, null, null, false),
        () => F.instance_norm(x, null, null, null, null, true, null),
        () => F.local_response_norm(x, 0),
        () => F.local_response_norm(x, 2.5),
        () => F.local_response_norm(x, 2 ** 32 + 3),
        () => F.local_response_norm(tensor([1, 2]), 2),
        () => F.normalize(x, 2, 4),
        () => F.normalize(x, "fro"),
        () => F.normalize(x, 2, 1, 1e-12, x),
        () => new nn.GroupNorm(4, 6),
        () => new nn.LayerNorm("x" as unknown as number),
        () => new nn.InstanceNorm2d(6).forward(tensor([1, 2])),
        () => new nn.LayerNorm(3).forward(tensor([1, 2])),
      ];
      for (const [i, call] of bad.entries()) {
        const message = thrownMessage(call);
        expect(message, `bad call ${i}`).not.toBe("");
      }
      expect(x.data()).toEqual(keep);
      expect(F.group_norm(x, 3).shape).toEqual([2, 6, 3, 3]);
    });
  });
});

describe("no leaks", () => {
  test("memory() stays flat over repeated forwards of every module and function", () => {
    const modules = [
      new nn.LayerNorm([3, 3]), new nn.GroupNorm(3, 6), new nn.InstanceNorm2d(6, { affine: true, track_running_stats: true }),
      new nn.InstanceNorm1d(6), new nn.LocalResponseNorm(3),
    ];
    const x = tensor(randomFloats(2 * 6 * 3 * 3, 60), [2, 6, 3, 3]);
    const x1 = tensor(randomFloats(2 * 6 * 9, 61), [2, 6, 9]);
    const round = () => {
      modules[0].forward(x).dispose();
      modules[1].forward(x).dispose();
      modules[2].forward(x).dispose();
      modules[3].forward(x1).dispose();
      modules[4].forward(x).dispose();
      tidy(() => {
        F.layer_norm(x, [3, 3], tensor(randomFloats(9, 62), [3, 3]));
        const instance = modules[2] as nn.InstanceNorm2d;
        F.instance_norm(x, instance.running_mean as Tensor, instance.running_var as Tensor);
        F.normalize(x, 3, 2);
        wasmnn.batch_norm(x, null, null, null, null, true, 0.1, 1e-5, false);
        thrownMessage(() => F.group_norm(x, 4));
      });
    };
    round();
    const before = memory();
    for (let i = 0; i < 25; i++) round();
    const after = memory();
    expect(after.liveTensors).toBe(before.liveTensors);
    expect(after.liveBytes).toBe(before.liveBytes);
    for (const m of modules) m.dispose();
    x.dispose();
    x1.dispose();
  });
});
