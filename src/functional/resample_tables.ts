// PyTorch 1.13's index arithmetic for F.interpolate (aten/src/ATen/native/UpSample.h and
// cpu/UpSampleKernel.cpp), per axis: source indices and weights as its CPU kernels compute them,
// float32 steps as Math.fround and its C++ double temporaries as doubles, so the tables match its
// bit for bit; and the writers that lay them out for the kernels (assembly/resample/resize.ts).

import { heapF32, heapI32, heapU8 } from "../runtime.js";

const f32 = Math.fround;

/** compute_scales_value / area_pixel_compute_scale: the float step between source coordinates. */
export function computeScale(inSize: number, outSize: number, alignCorners: boolean, scale: number | null): number {
  if (alignCorners) return outSize > 1 ? f32(f32(inSize - 1) / (outSize - 1)) : 0;
  return scale !== null && scale > 0 ? f32(1 / scale) : f32(f32(inSize) / f32(outSize));
}

/** area_pixel_compute_source_index, evaluated in double from the float scale (accscalar_t). */
export function sourceIndex(scale: number, dst: number, alignCorners: boolean, cubic: boolean): number {
  if (alignCorners) return scale * dst;
  const src = scale * (dst + 0.5) - 0.5;
  return !cubic && src < 0 ? 0 : src;
}

export interface AxisTable { index: Int32Array[]; weight: Float32Array[] }

/**
 * HelperInterpNearest(Exact)::compute_indices_weights: floorf(scale * i) for 'nearest' (OpenCV's
 * INTER_NEAREST), floorf(src(i) + 0.5) for 'nearest-exact' (Pillow, scikit-image); floorf rounds
 * its double argument to float first, which decides ties such as 0.7f * 10 = 7.
 */
export function nearestTable(inSize: number, outSize: number, scale: number | null, exact: boolean): Int32Array {
  const step = computeScale(inSize, outSize, false, scale);
  const out = new Int32Array(outSize);
  for (let i = 0; i < outSize; i++) {
    const index = exact ? Math.floor(f32(sourceIndex(step, i, false, false) + 0.5)) : Math.floor(f32(step * i));
    out[i] = Math.min(index, inSize - 1);
  }
  return out;
}

/** compute_source_index_and_lambda: two taps i0 <= i1 = min(i0 + 1, in - 1), weights 1 - l, l. */
export function linearTable(inSize: number, outSize: number, alignCorners: boolean, scale: number | null): AxisTable {
  const step = computeScale(inSize, outSize, alignCorners, scale);
  const index = [new Int32Array(outSize), new Int32Array(outSize)];
  const weight = [new Float32Array(outSize), new Float32Array(outSize)];
  for (let i = 0; i < outSize; i++) {
    if (outSize === inSize) {   // scale 1: copy (x * 1 + x * 0, so inf still becomes NaN as PyTorch's)
      index[0][i] = index[1][i] = i;
      weight[0][i] = 1;
      weight[1][i] = 0;
      continue;
    }
    const src = sourceIndex(step, i, alignCorners, false);
    const i0 = Math.min(Math.trunc(src), inSize - 1);
    const lambda1 = f32(Math.min(Math.max(src - i0, 0), 1));
    index[0][i] = i0;
    index[1][i] = i0 + (i0 < inSize - 1 ? 1 : 0);
    weight[0][i] = f32(1 - lambda1);
    weight[1][i] = lambda1;
  }
  return { index, weight };
}

/** Keys' cubic convolution with A = -0.75 (get_cubic_upsample_coefficients), taps clamped to the border. */
export function cubicTable(inSize: number, outSize: number, alignCorners: boolean, scale: number | null): AxisTable {
  const step = computeScale(inSize, outSize, alignCorners, scale);
  const index = [0, 1, 2, 3].map(() => new Int32Array(outSize));
  const weight = [0, 1, 2, 3].map(() => new Float32Array(outSize));
  const A = -0.75;
  // ((A + 2) x - (A + 3)) x x + 1 and ((A x - 5A) x + 8A) x - 4A, each step rounded to float
  const near = (x: number): number => f32(f32(f32(f32(f32(A + 2) * x) - f32(A + 3)) * x) * x) + 1;
  const far = (x: number): number => f32(f32(f32(f32(f32(f32(A * x) - 5 * A) * x) + 8 * A) * x) - 4 * A);
  for (let i = 0; i < outSize; i++) {
    const src = sourceIndex(step, i, alignCorners, true);
    const floor = Math.floor(f32(src));
    const t = f32(src - floor);
    const u = f32(1 - t);
    const coeffs = [f32(far(f32(t + 1))), f32(near(t)), f32(near(u)), f32(far(f32(u + 1)))];
    for (let j = 0; j < 4; j++) {
      index[j][i] = Math.max(Math.min(floor - 1 + j, inSize - 1), 0);
      weight[j][i] = coeffs[j];
    }
  }
  return { index, weight };
}

// antialias=True: PyTorch's _upsample_{bilinear,bicubic}2d_aa (the PIL-style separable filter)

export interface AaTable { starts: Int32Array; sizes: Int32Array; weights: Float32Array; maxTaps: number }

/**
 * HelperInterpBase::_compute_weights_aa: output i covers input [center - support, center + support)
 * with center = scale * (i + 0.5), support = taps/2 * max(scale, 1) (a downscale widens the filter
 * by the scale), weights filter((j - center + 0.5) / max(scale, 1)) normalised to sum 1. The filter
 * is the triangle (bilinear) or Keys' cubic with a = -0.5 (bicubic), as PIL's.
 */
export function aaTable(inSize: number, outSize: number, cubic: boolean, alignCorners: boolean, scaleArg: number | null): AaTable {
  const scale = computeScale(inSize, outSize, alignCorners, scaleArg);
  const taps = cubic ? 4 : 2;
  const support = scale >= 1 ? f32(taps * 0.5 * scale) : taps * 0.5;
  const invScale = scale >= 1 ? f32(1 / scale) : 1;
  const maxTaps = Math.ceil(support) * 2 + 1;
  const filter = cubic
    ? (x: number): number => {
      x = Math.abs(x);
      // PyTorch's `((a + 2.0) * x - (a + 3.0)) * x * x + 1` runs in double (double literals), its
      // `(((x - 5) * x + 8) * x - 4) * a` in float (int literals) up to the last product
      return x < 1 ? (1.5 * x - 2.5) * x * x + 1 : x < 2 ? f32(f32(f32(f32(f32(x - 5) * x) + 8) * x) - 4) * -0.5 : 0;
    }
    : (x: number): number => (Math.abs(x) < 1 ? 1 - Math.abs(x) : 0);
  const starts = new Int32Array(outSize);
  const sizes = new Int32Array(outSize);
  const weights = new Float32Array(outSize * maxTaps);
  for (let i = 0; i < outSize; i++) {
    const center = f32(scale * (i + 0.5));
    const start = Math.max(Math.trunc(f32(center - support) + 0.5), 0);
    const size = Math.min(Math.trunc(f32(center + support) + 0.5), inSize) - start;
    let total = 0;
    for (let j = 0; j < size; j++) {
      const w = f32(filter(f32((f32(j + start - center) + 0.5) * invScale)));
      weights[i * maxTaps + j] = w;
      total = f32(total + w);
    }
    if (total !== 0) for (let j = 0; j < size; j++) weights[i * maxTaps + j] = f32(weights[i * maxTaps + j] / total);
    starts[i] = start;
    sizes[i] = size;
  }
  return { starts, sizes, weights, maxTaps };
}

/** [taps][stride] i32 byte offsets (index * unit), then [taps][stride] f32 weights, at `base`. */
export function writeTable(base: number, table: AxisTable, taps: number, stride: number, unit: number): void {
  const i32 = heapI32();
  const f32view = heapF32();
  for (let t = 0; t < taps; t++) {
    const offsets = base / 4 + t * stride;
    const weights = base / 4 + (taps + t) * stride;
    i32.fill(0, offsets, offsets + stride);
    f32view.fill(0, weights, weights + stride);
    table.index[t].forEach((v, i) => { i32[offsets + i] = v * unit; });
    f32view.set(table.weight[t], weights);
  }
}

/**
 * For the shuffle paths of the kernels: the first input column of each group of four output
 * columns, if every group's taps lie within four consecutive input columns (upscales, inputs at
 * least 4 wide); else null (the kernels gather).
 */
export function shuffleGroups(index: Int32Array[], inWidth: number, outWidth: number): Int32Array | null {
  const count = outWidth >> 2;
  if (inWidth < 4 || count === 0) return null;
  const bases = new Int32Array(count);
  for (let g = 0; g < count; g++) {
    const first = Math.min(index[0][4 * g], inWidth - 4);
    for (let lane = 4 * g; lane < 4 * g + 4; lane++) {
      for (const tap of index) if (tap[lane] < first || tap[lane] > first + 3) return null;
    }
    bases[g] = first;
  }
  return bases;
}

/**
 * Per group a byte-shuffle mask per tap, then (with weights) a weight vector per tap, 16 bytes
 * each; after all groups, their first columns' byte offsets.
 */
export function writeGroups(at: number, bases: Int32Array, index: Int32Array[], weight: Float32Array[] | null): void {
  const u8 = heapU8();
  const f32view = heapF32();
  const i32 = heapI32();
  const taps = index.length;
  const groupBytes = 16 * taps * (weight === null ? 1 : 2);
  bases.forEach((first, g) => {
    const p = at + g * groupBytes;
    for (let lane = 0; lane < 4; lane++) {
      const o = 4 * g + lane;
      for (let tap = 0; tap < taps; tap++) {
        const column = index[tap][o] - first;
        for (let byte = 0; byte < 4; byte++) u8[p + tap * 16 + lane * 4 + byte] = column * 4 + byte;
        if (weight !== null) f32view[(p + 16 * taps + tap * 16) / 4 + lane] = weight[tap][o];
      }
    }
    i32[(at + bases.length * groupBytes) / 4 + g] = first * 4;
  });
}
