// The convolution weight packs write exactly the bytes of the formulas they replaced (issue #13 made
// them fast; the packed bytes must not change): each Winograd U = G g G^T in f64 with G's entries as
// divisions, rounded to f32 once, and the GEMM layout [5 bias][K][5]. The references below are those
// formulas as they stood, in JavaScript (whose numbers are f64; a Float32Array store rounds to f32
// as f32.demote does). Every packed float is compared bit for bit, over a buffer poisoned first
// (every float must be written) and guarded past its end (nothing beyond). NaN weights must give NaN
// where the formulas do, of any sign and payload: Wasm leaves a NaN result's bits unspecified.
import { beforeAll, describe, expect, test } from "vitest";
import { init, memory } from "../src/index.js";
import { wasm } from "../src/runtime.js";
import { allocate, release } from "../src/allocator.js";

beforeAll(async () => {
  await init();
});

const MR = 5;
const POISON = 0x7fc0dead;   // a NaN no formula makes
const GUARD = 16;            // floats checked past the end

// ---- the formulas as they stood ----

function winogradF2Reference(w: Float32Array, outChannels: number, inChannels: number): Float32Array {
  const blocks = Math.ceil(outChannels / MR), blockFloats = MR * (inChannels + 1);
  const out = new Float32Array(16 * blocks * blockFloats);
  const ggEntry = (g: number, i: number, col: number): number => {
    const g0 = w[g + col], g1 = w[g + 3 + col], g2 = w[g + 6 + col];
    return i === 0 ? g0 : i === 1 ? (g0 + g1 + g2) * 0.5 : i === 2 ? (g0 - g1 + g2) * 0.5 : g2;
  };
  for (let oc = 0; oc < outChannels; oc++) {
    const block = Math.floor(oc / MR), lane = oc % MR;
    for (let c = 0; c < inChannels; c++) {
      const g = (oc * inChannels + c) * 9;
      const at = (position: number): number => (position * blocks + block) * blockFloats + MR + c * MR + lane;
      for (let i = 0; i < 4; i++) {
        const a = ggEntry(g, i, 0), b = ggEntry(g, i, 1), cc = ggEntry(g, i, 2);
        out[at(i * 4)] = a;
        out[at(i * 4 + 1)] = (a + b + cc) * 0.5;
        out[at(i * 4 + 2)] = (a - b + cc) * 0.5;
        out[at(i * 4 + 3)] = cc;
      }
    }
  }
  return out;
}

function gRow3(i: number, g0: number, g1: number, g2: number): number {
  if (i === 0) return g0 / 4;
  if (i === 1) return -(g0 + g1 + g2) / 6;
  if (i === 2) return -(g0 - g1 + g2) / 6;
  if (i === 3) return g0 / 24 + g1 / 12 + g2 / 6;
  if (i === 4) return g0 / 24 - g1 / 12 + g2 / 6;
  return g2;
}

function winogradF4Reference(w: Float32Array, outChannels: number, inChannels: number): Float32Array {
  const blocks = Math.ceil(outChannels / MR), blockFloats = MR * (inChannels + 1);
  const out = new Float32Array(36 * blocks * blockFloats);
  for (let oc = 0; oc < outChannels; oc++) {
    const block = Math.floor(oc / MR), lane = oc % MR;
    for (let c = 0; c < inChannels; c++) {
      const g = (oc * inChannels + c) * 9;
      for (let i = 0; i < 6; i++) {
        const a = gRow3(i, w[g], w[g + 3], w[g + 6]);
        const b = gRow3(i, w[g + 1], w[g + 4], w[g + 7]);
        const cc = gRow3(i, w[g + 2], w[g + 5], w[g + 8]);
        for (let k = 0; k < 6; k++) out[((i * 6 + k) * blocks + block) * blockFloats + MR + c * MR + lane] = gRow3(k, a, b, cc);
      }
    }
  }
  return out;
}

function winogradS2K7Reference(w: Float32Array, outChannels: number, inChannels: number): Float32Array {
  const blocks = Math.ceil(outChannels / MR), phaseChannels = 4 * inChannels, blockFloats = MR * (phaseChannels + 1);
  const out = new Float32Array(36 * blocks * blockFloats);
  const gRow = (i: number, g0: number, g1: number, g2: number, g3: number): number => {
    if (i === 0) return g0 / 4;
    if (i === 1) return -(g0 + g1 + g2 + g3) / 6;
    if (i === 2) return -(g0 - g1 + g2 - g3) / 6;
    if (i === 3) return g0 / 24 + g1 / 12 + g2 / 6 + g3 / 3;
    if (i === 4) return g0 / 24 - g1 / 12 + g2 / 6 - g3 / 3;
    return g3;
  };
  for (let oc = 0; oc < outChannels; oc++) {
    const block = Math.floor(oc / MR), lane = oc % MR;
    for (let c = 0; c < inChannels; c++) {
      const g = (oc * inChannels + c) * 49;
      for (let phase = 0; phase < 4; phase++) {
        const p = phase >> 1, q = phase & 1, k = c * 4 + phase;
        const tap = (a: number, b: number): number => (2 * a + p < 7 && 2 * b + q < 7 ? w[g + (2 * a + p) * 7 + 2 * b + q] : 0);
        for (let i = 0; i < 6; i++) {
          const col = [0, 1, 2, 3].map((b) => gRow(i, tap(0, b), tap(1, b), tap(2, b), tap(3, b)));
          for (let j = 0; j < 6; j++) {
            out[((i * 6 + j) * blocks + block) * blockFloats + MR + k * MR + lane] = gRow(j, col[0], col[1], col[2], col[3]);
          }
        }
      }
    }
  }
  return out;
}

function gemmReference(w: Float32Array, bias: Float32Array | null, outChannels: number, groups: number, reduction: number): Float32Array {
  const groupOut = outChannels / groups, blocks = Math.ceil(groupOut / MR);
  const out = new Float32Array(groups * blocks * MR * (reduction + 1));
  let at = 0;
  for (let g = 0; g < groups; g++) {
    for (let b = 0; b < blocks; b++) {
      const first = b * MR;
      for (let r = 0; r < MR; r++) out[at++] = first + r < groupOut && bias ? bias[g * groupOut + first + r] : 0;
      for (let k = 0; k < reduction; k++) {
        for (let r = 0; r < MR; r++) out[at++] = first + r < groupOut ? w[(g * groupOut + first + r) * reduction + k] : 0;
      }
    }
  }
  return out;
}

// ---- weights: a seeded mix of magnitudes, signed zeros, f32 subnormals and exact small values ----

function weights(count: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const next = (): number => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
  const special = [0, -0, 1e-40, -3e-42, 1, -1, 0.5, 3, 1 / 3, 6e37, -6e37];
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const r = next();
    out[i] = r < 0.08 ? special[Math.floor(next() * special.length)] : (next() * 2 - 1) * Math.exp((next() - 0.5) * 12);
  }
  return out;
}

/** Runs `pack` into a poisoned buffer of `floats` (+ GUARD) and returns it as bits. */
function packed(floats: number, inputs: Float32Array[], pack: (ptrs: number[], out: number) => void): Uint32Array {
  const k = wasm();
  const ptrs = inputs.map((values) => {
    const ptr = allocate(values.length * 4, "pack test input");
    new Float32Array(k.memory.buffer, ptr, values.length).set(values);
    return ptr;
  });
  const out = allocate((floats + GUARD) * 4, "pack test output");
  new Uint32Array(k.memory.buffer, out, floats + GUARD).fill(POISON);
  pack(ptrs, out);
  const bits = new Uint32Array(k.memory.buffer.slice(out, out + (floats + GUARD) * 4));
  release(out, (floats + GUARD) * 4);
  inputs.forEach((values, i) => release(ptrs[i], values.length * 4));
  return bits;
}

function expectSameBits(actual: Uint32Array, reference: Float32Array, label: string): void {
  const expected = new Uint32Array(reference.buffer, reference.byteOffset, reference.length);
  expect(actual.length).toBe(expected.length + GUARD);
  const isNaN32 = (bits: number): boolean => (bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0;
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] !== expected[i] && !(isNaN32(actual[i]) && isNaN32(expected[i]) && actual[i] !== POISON)) {
      throw new Error(`${label}: packed float ${i} has bits 0x${actual[i].toString(16)}, the old formula's 0x${expected[i].toString(16)}`);
    }
  }
  for (let i = expected.length; i < actual.length; i++) {
    if (actual[i] !== POISON) throw new Error(`${label}: wrote float ${i}, past the ${expected.length} packed floats`);
  }
}

// output channels: below, at and past a block of 5, with each remainder; input channels odd and even
const SHAPES: [number, number][] = [[1, 1], [2, 1], [3, 2], [4, 3], [5, 1], [5, 4], [6, 5], [7, 2], [8, 3], [9, 7], [10, 6], [13, 9], [16, 16], [21, 11], [64, 33]];

describe("Winograd packs match the f64 formulas bit for bit", () => {
  test.each(SHAPES)("F(2x2, 3x3) OC=%i C=%i", (outChannels, inChannels) => {
    const w = weights(outChannels * inChannels * 9, outChannels * 131 + inChannels);
    const before = memory().liveBytes;
    const k = wasm();
    const bits = packed(k.f32_winograd_f2x3_packed_size(outChannels, inChannels), [w], ([wp], out) => k.f32_winograd_f2x3_pack(wp, outChannels, inChannels, out));
    expectSameBits(bits, winogradF2Reference(w, outChannels, inChannels), `F(2,3) ${outChannels}x${inChannels}`);
    expect(memory().liveBytes).toBe(before);
  });

  test.each(SHAPES)("F(4x4, 3x3) OC=%i C=%i", (outChannels, inChannels) => {
    const w = weights(outChannels * inChannels * 9, outChannels * 137 + inChannels);
    const k = wasm();
    const bits = packed(k.f32_winograd_f4x3_packed_size(outChannels, inChannels), [w], ([wp], out) => k.f32_winograd_f4x3_pack(wp, outChannels, inChannels, out));
    expectSameBits(bits, winogradF4Reference(w, outChannels, inChannels), `F(4,3) ${outChannels}x${inChannels}`);
  });

  test.each([[1, 1], [3, 3], [5, 2], [7, 3], [12, 4], [64, 3]])("7x7 stride-2 F(3x3, 4x4) OC=%i C=%i", (outChannels, inChannels) => {
    const w = weights(outChannels * inChannels * 49, outChannels * 139 + inChannels);
    const k = wasm();
    const bits = packed(k.f32_winograd_s2k7_packed_size(outChannels, inChannels), [w], ([wp], out) => k.f32_winograd_s2k7_pack(wp, outChannels, inChannels, out));
    expectSameBits(bits, winogradS2K7Reference(w, outChannels, inChannels), `s2k7 ${outChannels}x${inChannels}`);
  });

  test("weights with all zero, huge, subnormal and non-finite kernels", () => {
    // whole kernels of one value: +0 and -0 (the -x / 6 rows make -0 from +0), f32 extremes, +-inf, NaN
    const outChannels = 7, inChannels = 5;
    const values = [0, -0, 1e-45, -1e-45, 3.4e38, -3.4e38, 1.1754942e-38, Infinity, -Infinity, NaN];
    const w = new Float32Array(outChannels * inChannels * 9).map((_, i) => values[Math.floor(i / 9) % values.length]);
    const k = wasm();
    expectSameBits(packed(k.f32_winograd_f4x3_packed_size(outChannels, inChannels), [w], ([wp], out) => k.f32_winograd_f4x3_pack(wp, outChannels, inChannels, out)),
      winogradF4Reference(w, outChannels, inChannels), "F(4,3) special kernels");
    expectSameBits(packed(k.f32_winograd_f2x3_packed_size(outChannels, inChannels), [w], ([wp], out) => k.f32_winograd_f2x3_pack(wp, outChannels, inChannels, out)),
      winogradF2Reference(w, outChannels, inChannels), "F(2,3) special kernels");
    // and single non-finite taps among finite ones
    const mixed = weights(outChannels * 3 * 49, 5).map((v, i) => (i % 13 === 0 ? [Infinity, -Infinity, NaN][i % 3] : v));
    const mixed3x3 = mixed.subarray(0, outChannels * inChannels * 9);
    expectSameBits(packed(k.f32_winograd_f4x3_packed_size(outChannels, inChannels), [mixed3x3], ([wp], out) => k.f32_winograd_f4x3_pack(wp, outChannels, inChannels, out)),
      winogradF4Reference(mixed3x3, outChannels, inChannels), "F(4,3) non-finite taps");
    expectSameBits(packed(k.f32_winograd_s2k7_packed_size(outChannels, 3), [mixed], ([wp], out) => k.f32_winograd_s2k7_pack(wp, outChannels, 3, out)),
      winogradS2K7Reference(mixed, outChannels, 3), "s2k7 non-finite taps");
  });
});

describe("the GEMM pack matches its layout bit for bit", () => {
  test.each([
    // [outChannels, groups, reduction, bias]
    [1, 1, 1, true], [4, 1, 3, true], [5, 1, 4, false], [7, 1, 9, true], [10, 1, 27, true], [13, 1, 17, false],
    [64, 1, 576, true], [12, 3, 18, true], [8, 2, 5, false], [6, 6, 9, true],
  ] as const)("OC=%i groups=%i K=%i bias=%s", (outChannels, groups, reduction, withBias) => {
    const w = weights(outChannels * reduction, outChannels * 7 + reduction);
    const bias = weights(outChannels, 99 + outChannels);
    const k = wasm();
    const bits = packed(k.f32_conv2d_packed_size(outChannels, groups, reduction), [w, bias],
      ([wp, bp], out) => k.f32_conv2d_pack(wp, withBias ? bp : 0, outChannels, groups, reduction, out));
    expectSameBits(bits, gemmReference(w, withBias ? bias : null, outChannels, groups, reduction), `GEMM ${outChannels}/${groups} K=${reduction}`);
  });
});
