// f32_scale_rows folds BatchNorm into a chunk of convolution weights (issue #13's lean mode folds per
// call): its bits must be those of src/nn/fusion.ts's foldValues, `foldedWeight[i] = weight[i] * scale`
// (an f64 product of an f32 weight and the f64 scale, stored to a Float32Array).
import { beforeAll, describe, expect, test } from "vitest";
import { init, memory } from "../src/index.js";
import { wasm } from "../src/runtime.js";
import { allocate, release } from "../src/allocator.js";

beforeAll(async () => {
  await init();
});

type ScaleRows = (src: number, scale: number, rows: number, rowLen: number, dst: number) => void;
const scaleRows = (): ScaleRows => (wasm() as unknown as { f32_scale_rows: ScaleRows }).f32_scale_rows;

function random(count: number, seed: number): Float64Array {
  let s = seed >>> 0;
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32;
  }
  return out;
}

/** Weights of many magnitudes incl. signed zeros and f32 subnormals; scales as foldValues makes them and extremes. */
function inputs(rows: number, rowLen: number, seed: number): { weight: Float32Array; scale: Float64Array } {
  const r = random(rows * rowLen * 2 + rows * 2, seed);
  const special = [0, -0, 1e-45, -2e-40, 3e38, -1, 0.1];
  const weight = new Float32Array(rows * rowLen).map((_, i) =>
    r[2 * i] < 0.05 ? special[Math.floor(r[2 * i + 1] * special.length)] : (r[2 * i + 1] * 2 - 1) * Math.exp((r[2 * i] - 0.5) * 20));
  const base = rows * rowLen * 2;
  const scale = new Float64Array(rows).map((_, i) => {
    const gamma = r[base + 2 * i] * 2 - 1, variance = r[base + 2 * i + 1] * 3;
    return i % 7 === 5 ? 1e30 : i % 7 === 6 ? 1e-30 : gamma / Math.sqrt(variance + 1e-5);   // huge / tiny: f32 overflow, subnormals
  });
  return { weight, scale };
}

function reference(weight: Float32Array, scale: Float64Array, rowLen: number): Uint32Array {
  const folded = new Float32Array(weight.length);
  for (let r = 0; r < scale.length; r++) {
    for (let i = r * rowLen; i < (r + 1) * rowLen; i++) folded[i] = weight[i] * scale[r];
  }
  return new Uint32Array(folded.buffer);
}

describe("f32_scale_rows rounds as foldValues does", () => {
  test.each([
    // [rows, rowLen]: row lengths below, at and past the 4-float vector, with tails 1..3
    [1, 1], [3, 3], [2, 4], [5, 5], [7, 9], [7, 27], [12, 576], [3, 4607],
  ])("%i rows of %i", (rows, rowLen) => {
    const { weight, scale } = inputs(rows, rowLen, rows * 1000 + rowLen);
    const before = memory().liveBytes;
    const k = wasm();
    const src = allocate(weight.length * 4, "scale_rows src");
    const dst = allocate(weight.length * 4 + 16, "scale_rows dst");
    const scales = allocate(rows * 8, "scale_rows scales");
    new Float32Array(k.memory.buffer, src, weight.length).set(weight);
    new Float64Array(k.memory.buffer, scales, rows).set(scale);
    new Uint32Array(k.memory.buffer, dst, weight.length + 4).fill(0x7fc0dead);
    scaleRows()(src, scales, rows, rowLen, dst);
    const out = new Uint32Array(k.memory.buffer.slice(dst, dst + weight.length * 4 + 16));
    // in place (src = dst), as a host folding into a reused buffer would
    scaleRows()(src, scales, rows, rowLen, src);
    const inPlace = new Uint32Array(k.memory.buffer.slice(src, src + weight.length * 4));
    release(src, weight.length * 4);
    release(dst, weight.length * 4 + 16);
    release(scales, rows * 8);
    expect(memory().liveBytes).toBe(before);
    const expected = reference(weight, scale, rowLen);
    for (let i = 0; i < expected.length; i++) {
      if (out[i] !== expected[i] || inPlace[i] !== expected[i]) {
        throw new Error(`float ${i} (row ${Math.floor(i / rowLen)}): 0x${out[i].toString(16)} (in place 0x${inPlace[i].toString(16)}), foldValues 0x${expected[i].toString(16)}`);
      }
    }
    expect([...out.subarray(expected.length)]).toEqual([0x7fc0dead, 0x7fc0dead, 0x7fc0dead, 0x7fc0dead]);
  });
});
