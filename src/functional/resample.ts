// F.interpolate (and the deprecated F.upsample*), F.pixel_shuffle, F.pixel_unshuffle: PyTorch
// 1.13's argument handling (torch/nn/functional.py: interpolate) and its CPU kernels' index
// arithmetic (aten/src/ATen/native/UpSample.h, cpu/UpSampleKernel.cpp), so the tables of source
// indices and weights are PyTorch's bit for bit; the kernels (assembly/resample/) only read them.

import { Tensor, empty } from "../tensor.js";
import { wasm, heapF32, heapI32, heapU8 } from "../runtime.js";
import { Workspace } from "../allocator.js";
import { parseArgs, pyRepr, pyType, required, type ArgSpec } from "../args.js";
import { bool } from "./pool.js";
import { checkFloat, checkTensor, fmtShape } from "./shape.js";

const f32 = Math.fround;
const MODES = ["nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact"];
const tables = new Workspace("interpolate tables");

const INTERPOLATE_SPEC: ArgSpec = [
  ["input", required], ["size", null], ["scale_factor", null], ["mode", "nearest"], ["align_corners", null],
  ["recompute_scale_factor", null], ["antialias", false],
];

/**
 * torch.nn.functional.interpolate(input, size=None, scale_factor=None, mode='nearest',
 * align_corners=None, recompute_scale_factor=None, antialias=False): 3-D input [N, C, L] (modes
 * nearest, nearest-exact, linear, area) or 4-D input [N, C, H, W] (nearest, nearest-exact,
 * bilinear, bicubic, area). The output size is `size`, or floor(in * scale_factor); the kernels
 * then use 1 / scale_factor as the source step unless recompute_scale_factor=True (then in / out,
 * which differs in the last bits for non-integer ratios), as PyTorch. antialias=True (bilinear,
 * bicubic on 4-D input) applies PyTorch's PIL-style filters, widened by the scale on downscales.
 * Results are bit-exact with PyTorch's portable CPU kernels; its AVX2 build fuses multiply-adds
 * and differs from them in the last bits (see tests/resample.test.ts for the bounds).
 * https://pytorch.org/docs/1.13/generated/torch.nn.functional.interpolate.html
 * @example F.interpolate(x, { size: [520, 520], mode: "bilinear", align_corners: false })
 */
export function interpolate(...args: unknown[]): Tensor {
  const a = parseArgs("interpolate", INTERPOLATE_SPEC, args);
  return interpolateWith(a.input, a.size, a.scale_factor, a.mode, a.align_corners, a.recompute_scale_factor, a.antialias);
}

/** torch.nn.functional.upsample(input, size=None, scale_factor=None, mode='nearest', align_corners=None) (deprecated alias) */
export function upsample(...args: unknown[]): Tensor {
  const a = parseArgs("upsample", INTERPOLATE_SPEC.slice(0, 5), args);
  return interpolateWith(a.input, a.size, a.scale_factor, a.mode, a.align_corners, null, false);
}

/** torch.nn.functional.upsample_nearest(input, size=None, scale_factor=None) (deprecated) */
export function upsample_nearest(...args: unknown[]): Tensor {
  const a = parseArgs("upsample_nearest", INTERPOLATE_SPEC.slice(0, 3), args);
  return interpolateWith(a.input, a.size, a.scale_factor, "nearest", null, null, false);
}

/** torch.nn.functional.upsample_bilinear(input, size=None, scale_factor=None): bilinear, align_corners=True (deprecated) */
export function upsample_bilinear(...args: unknown[]): Tensor {
  const a = parseArgs("upsample_bilinear", INTERPOLATE_SPEC.slice(0, 3), args);
  return interpolateWith(a.input, a.size, a.scale_factor, "bilinear", true, null, false);
}

/** A Python repr of a size/scale argument as given (JS arrays print as tuples). */
const reprArg = (value: unknown): string => pyRepr(value);

export function interpolateWith(
  inputArg: unknown, size: unknown, scaleFactor: unknown, modeArg: unknown, alignArg: unknown,
  recomputeArg: unknown, antialiasArg: unknown,
): Tensor {
  const input = checkTensor(inputArg, "interpolate", "input");
  if (typeof modeArg !== "string") throw new TypeError(`interpolate(): argument 'mode' must be str, not ${pyType(modeArg)}`);
  const mode = modeArg;
  let alignCorners: boolean;
  if (mode === "nearest" || mode === "area" || mode === "nearest-exact") {
    if (alignArg !== null) {
      throw new Error("align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear");
    }
    alignCorners = false;
  } else {
    alignCorners = alignArg === null ? false : bool(alignArg, "align_corners");
  }
  const antialias = bool(antialiasArg, "antialias");
  const rank = input.dim();
  const dim = rank - 2;
  const spatial = input.shape.slice(2);

  // exactly one of size and scale_factor, each an int/float or one per spatial dim
  let outputSize: number[] | null = null;
  let scales: number[] | null = null;
  if (size !== null && scaleFactor !== null) throw new Error("only one of size or scale_factor should be defined");
  if (size !== null) {
    if (Array.isArray(size)) {
      if (size.length !== dim) {
        throw new Error(`Input and output must have the same number of spatial dimensions, but got input with spatial dimensions of ${fmtShape(spatial)} and output size of ${reprArg(size)}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.`);
      }
      outputSize = [...size] as number[];
    } else {
      outputSize = Array.from({ length: Math.max(dim, 0) }, () => size as number);
    }
  } else if (scaleFactor !== null) {
    if (Array.isArray(scaleFactor)) {
      if (scaleFactor.length !== dim) {
        throw new Error(`Input and scale_factor must have the same number of spatial dimensions, but got input with spatial dimensions of ${fmtShape(spatial)} and scale_factor of shape ${reprArg(scaleFactor)}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.`);
      }
      scales = [...scaleFactor] as number[];
    } else {
      scales = Array.from({ length: Math.max(dim, 0) }, () => scaleFactor as number);
    }
  } else {
    throw new Error("either size or scale_factor should be defined");
  }
  let recompute = recomputeArg === null ? null : bool(recomputeArg, "recompute_scale_factor");
  if (recompute === true && size !== null) throw new Error("recompute_scale_factor is not meaningful with an explicit size.");
  // "area" always works from an explicit size
  if (mode === "area" && outputSize === null) recompute = true;
  if (recompute === true && scales !== null) {
    scales.forEach((s, i) => checkScale(s, i));
    outputSize = scales.map((s, i) => Math.floor(spatial[i] * s));
    scales = null;
  }
  if (antialias && !((mode === "bilinear" || mode === "bicubic") && rank === 4)) {
    throw new Error("Anti-alias option is only supported for bilinear and bicubic modes");
  }

  const kernel = kernelFor(rank, mode);
  if (outputSize !== null && mode !== "area") {
    outputSize.forEach((v, i) => {
      if (typeof v !== "number" || !Number.isInteger(v)) {
        throw new TypeError(`${kernel}(): argument 'output_size' must be tuple of SymInts, but found element of type ${pyType(v)} at pos ${i + 1}`);
      }
    });
  } else if (scales !== null) {
    scales.forEach((s, i) => {
      if (typeof s !== "number") throw new TypeError(`${kernel}(): argument 'scale_factors' must be tuple of floats, but found element of type ${pyType(s)} at pos ${i + 1}`);
    });
  }
  if (mode === "area") checkFloat(input, "interpolate", "input");
  else if (input.dtype !== "float32") {
    // PyTorch names the kernel that refused: inputs that are also channels-last contiguous (C == 1 or
    // H * W == 1) take its channels-last nearest / bilinear kernels
    const channelsLast = rank === 4 && (input.shape[1] === 1 || spatial[0] * spatial[1] === 1);
    const helper = mode === "bicubic" ? "cubic" : mode.startsWith("nearest") ? "nearest" : "linear";
    const name = channelsLast && (mode === "nearest" || mode === "bilinear") ? `upsample_${mode}2d_channels_last` : `compute_indices_weights_${helper}`;
    throw new Error(`"${name}" not implemented for 'Long'`);
  }

  if (mode === "area") {
    return adaptiveAvgPool(input, outputSize!);
  }
  // upsample_{1,2}d_common_check: compute_output_size truncates in * scale toward zero
  const outSizes = outputSize ?? scales!.map((s, i) => Math.trunc(spatial[i] * s));
  const scaleOf = (i: number): number | null => (outputSize === null ? scales![i] : null);
  if (rank === 3) {
    if (!(spatial[0] > 0 && outSizes[0] > 0)) {
      throw new Error(`Input and output sizes should be greater than 0, but got input (W: ${spatial[0]}) and output (W: ${outSizes[0]})`);
    }
  } else if (!(spatial[0] > 0 && spatial[1] > 0 && outSizes[0] > 0 && outSizes[1] > 0)) {
    throw new Error(`Input and output sizes should be greater than 0, but got input (H: ${spatial[0]}, W: ${spatial[1]}) output (H: ${outSizes[0]}, W: ${outSizes[1]})`);
  }
  if (input.numel() === 0 && input.shape.slice(1).reduce((p, d) => p * d, 1) === 0) {
    throw new Error(`Non-empty ${rank}D data tensor expected but got a tensor with sizes ${fmtShape(input.shape)}`);
  }

  const [inHeight, inWidth] = rank === 3 ? [1, spatial[0]] : [spatial[0], spatial[1]];
  const [outHeight, outWidth] = rank === 3 ? [1, outSizes[0]] : [outSizes[0], outSizes[1]];
  const widthScale = scaleOf(dim - 1);
  const heightScale = rank === 3 ? null : scaleOf(0);
  const output = empty([...input.shape.slice(0, 2), ...outSizes]);
  const planes = input.shape[0] * input.shape[1];
  if (output.numel() === 0) return output;

  if (mode === "nearest" || mode === "nearest-exact") {
    const exact = mode === "nearest-exact";
    const columns = nearestTable(inWidth, outWidth, widthScale, exact);
    const groups = shuffleGroups([columns], inWidth, outWidth);
    const base = tables.get((outWidth + outHeight) * 4 + (groups === null ? 0 : groups.length * 20));
    const i32 = heapI32();
    columns.forEach((v, i) => { i32[base / 4 + i] = v * 4; });
    nearestTable(inHeight, outHeight, heightScale, exact).forEach((v, i) => { i32[base / 4 + outWidth + i] = v * inWidth * 4; });
    const groupsAt = base + (outWidth + outHeight) * 4;
    if (groups !== null) writeGroups(groupsAt, groups, [columns], null);
    wasm().f32_resize_nearest(input.ptr, planes, inHeight, inWidth, output.ptr, outHeight, outWidth, base, base + outWidth * 4,
      groups === null ? 0 : groupsAt);
    return output;
  }

  if (antialias) return antialiased(input, mode === "bicubic", alignCorners, [inHeight, inWidth], [outHeight, outWidth], [heightScale, widthScale]);

  const taps = mode === "bicubic" ? 4 : 2;
  const xStride = (outWidth + 3) & ~3;
  const yStride = (outHeight + 3) & ~3;
  const xBytes = 2 * taps * xStride * 4;
  const yBytes = rank === 3 ? 0 : 2 * taps * yStride * 4;
  const rowBytes = rank === 3 ? 0 : taps * xStride * 4 + 16;
  const make = taps === 4 ? cubicTable : linearTable;
  const xTable = make(inWidth, outWidth, alignCorners, widthScale);
  const groups = taps === 2 ? shuffleGroups(xTable.index, inWidth, outWidth) : null;
  const groupBytes = groups === null ? 0 : (outWidth >> 2) * 68;
  const base = tables.get(xBytes + yBytes + rowBytes + groupBytes);
  writeTable(base, xTable, taps, xStride, 4);
  if (rank === 4) writeTable(base + xBytes, make(inHeight, outHeight, alignCorners, heightScale), taps, yStride, inWidth * 4);
  const groupsAt = base + xBytes + yBytes + rowBytes;
  if (groups !== null) writeGroups(groupsAt, groups, xTable.index, xTable.weight);
  if (!(mode === "bilinear" && input.shape[1] === 1)) {
    wasm().f32_resize_separable(input.ptr, planes, inHeight, inWidth, output.ptr, outHeight, outWidth, taps,
      base, rank === 3 ? 0 : base + xBytes, base + xBytes + yBytes, groups === null ? 0 : groupsAt);
  }
  // PyTorch's upsample_bilinear2d sends inputs that are also channels-last contiguous (C == 1, or
  // H * W == 1) to its channels-last kernel: its vector loop over 8 channels at a time (not
  // reproduced: the separable result above is within an ulp of it), and a scalar loop for the
  // remaining C % 8 channels that sums in double, redone here bit-exactly
  const channels = input.shape[1];
  const firstScalar = rank === 3 ? channels : channels === 1 ? 0 : inHeight * inWidth === 1 ? channels - (channels % 8) : channels;
  if (mode === "bilinear" && firstScalar < channels) {
    const planeBytes = outHeight * outWidth * 4;
    for (let n = 0; n < input.shape[0]; n++) {
      const first = n * channels + firstScalar;
      wasm().f32_resize_bilinear_f64(input.ptr + first * inHeight * inWidth * 4, channels - firstScalar, inHeight, inWidth,
        output.ptr + first * planeBytes, outHeight, outWidth, base, base + xBytes);
    }
  }
  return output;
}

/** The ATen op PyTorch's interpolate dispatches to (for messages), or its NotImplementedError. */
function kernelFor(rank: number, mode: string): string {
  const known: Record<string, string> = {
    "3nearest": "upsample_nearest1d", "4nearest": "upsample_nearest2d",
    "3nearest-exact": "_upsample_nearest_exact1d", "4nearest-exact": "_upsample_nearest_exact2d",
    "3area": "adaptive_avg_pool1d", "4area": "adaptive_avg_pool2d",
    "3linear": "upsample_linear1d", "4bilinear": "upsample_bilinear2d", "4bicubic": "upsample_bicubic2d",
  };
  const name = known[`${rank}${mode}`];
  if (name !== undefined) return name;
  const needs: Record<string, number> = { linear: 3, bilinear: 4, trilinear: 5 };
  if (rank >= 3 && rank <= 5 && needs[mode] !== undefined && needs[mode] !== rank) {
    throw new Error(`Got ${rank}D input, but ${mode} mode needs ${needs[mode]}D input`);
  }
  if (rank === 5 && MODES.includes(mode) && mode !== "linear" && mode !== "bilinear" && mode !== "bicubic") {
    throw new Error(`interpolate(): 5-D (volumetric) input is not implemented in wasmnn (mode '${mode}'); 3-D and 4-D inputs are`);
  }
  throw new Error(`Input Error: Only 3D, 4D and 5D input Tensors supported (got ${rank}D) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got ${mode})`);
}

function checkScale(s: unknown, i: number): void {
  if (typeof s !== "number") {
    throw new TypeError(`interpolate(): scale_factor must be a float or a tuple of floats, but found element of type ${pyType(s)} at pos ${i + 1}`);
  }
}

/** mode='area': adaptive_avg_pool2d (adaptive_avg_pool1d on 3-D input, as [N, C, 1, L]). */
function adaptiveAvgPool(input: Tensor, outputSize: number[]): Tensor {
  const rank = input.dim();
  const spatial = input.shape.slice(2);
  const op = rank === 3 ? "adaptive_avg_pool1d" : "adaptive_avg_pool2d";
  for (let d = 1; d < rank; d++) {
    if (input.shape[d] === 0) {
      throw new Error(`${op}(): Expected input to have non-zero size for non-batch dimensions, but input has sizes ${fmtShape(input.shape)} with dimension ${d} being empty`);
    }
  }
  // adaptive_avg_pool2d takes None for "as the input" (adaptive_avg_pool1d does not)
  outputSize = outputSize.map((v, i) => (v === null && rank === 4 ? spatial[i] : v));
  outputSize.forEach((v) => {
    if (typeof v !== "number" || !Number.isInteger(v)) throw new TypeError(`${op}(): argument 'output_size' must be tuple of ints, but found element of type ${pyType(v)}`);
    if (v < 0) throw new Error(`${op}(): output_size must be non-negative, but got ${pyRepr(outputSize)}`);
  });
  const output = empty([...input.shape.slice(0, 2), ...outputSize]);
  const [height, width] = rank === 3 ? [1, spatial[0]] : spatial;
  const [outHeight, outWidth] = rank === 3 ? [1, outputSize[0]] : outputSize;
  if (output.numel() > 0) {
    wasm().f32_adaptive_avgpool2d(input.ptr, input.shape[0] * input.shape[1], height, width, output.ptr, outHeight, outWidth);
  }
  return output;
}

// ---- PyTorch's index arithmetic (float32 = Math.fround; C++ double temporaries stay doubles) ----

/** compute_scales_value / area_pixel_compute_scale: the float step between source coordinates. */
function computeScale(inSize: number, outSize: number, alignCorners: boolean, scale: number | null): number {
  if (alignCorners) return outSize > 1 ? f32(f32(inSize - 1) / (outSize - 1)) : 0;
  return scale !== null && scale > 0 ? f32(1 / scale) : f32(f32(inSize) / f32(outSize));
}

/** area_pixel_compute_source_index, evaluated in double from the float scale (accscalar_t). */
function sourceIndex(scale: number, dst: number, alignCorners: boolean, cubic: boolean): number {
  if (alignCorners) return scale * dst;
  const src = scale * (dst + 0.5) - 0.5;
  return !cubic && src < 0 ? 0 : src;
}

interface AxisTable { index: Int32Array[]; weight: Float32Array[] }

/**
 * HelperInterpNearest(Exact)::compute_indices_weights: floorf(scale * i) for 'nearest' (OpenCV's
 * INTER_NEAREST), floorf(src(i) + 0.5) for 'nearest-exact' (Pillow, scikit-image); floorf rounds
 * its double argument to float first, which decides ties such as 0.7f * 10 = 7.
 */
function nearestTable(inSize: number, outSize: number, scale: number | null, exact: boolean): Int32Array {
  const step = computeScale(inSize, outSize, false, scale);
  const out = new Int32Array(outSize);
  for (let i = 0; i < outSize; i++) {
    const index = exact ? Math.floor(f32(sourceIndex(step, i, false, false) + 0.5)) : Math.floor(f32(step * i));
    out[i] = Math.min(index, inSize - 1);
  }
  return out;
}

/** compute_source_index_and_lambda: two taps i0 <= i1 = min(i0 + 1, in - 1), weights 1 - l, l. */
function linearTable(inSize: number, outSize: number, alignCorners: boolean, scale: number | null): AxisTable {
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
function cubicTable(inSize: number, outSize: number, alignCorners: boolean, scale: number | null): AxisTable {
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

// ---- antialias=True: PyTorch's _upsample_{bilinear,bicubic}2d_aa (the PIL-style separable filter) ----

interface AaTable { starts: Int32Array; sizes: Int32Array; weights: Float32Array; maxTaps: number }

/**
 * HelperInterpBase::_compute_weights_aa: output i covers input [center - support, center + support)
 * with center = scale * (i + 0.5), support = taps/2 * max(scale, 1) (a downscale widens the filter
 * by the scale), weights filter((j - center + 0.5) / max(scale, 1)) normalised to sum 1. The filter
 * is the triangle (bilinear) or Keys' cubic with a = -0.5 (bicubic), as PIL's.
 */
function aaTable(inSize: number, outSize: number, cubic: boolean, alignCorners: boolean, scaleArg: number | null): AaTable {
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

/** Width first (each input row), then height, each pass skipped where the size does not change. */
function antialiased(input: Tensor, cubic: boolean, alignCorners: boolean, inSizes: number[], outSizes: number[], scales: (number | null)[]): Tensor {
  const planes = input.shape[0] * input.shape[1];
  const [inHeight, inWidth] = inSizes;
  const [outHeight, outWidth] = outSizes;
  const pass = (src: Tensor, outShape: number[], outer: number, inSize: number, inner: number, outSize: number, table: AaTable): Tensor => {
    const out = empty(outShape);
    const base = tables.get(8 * outSize + 4 * table.weights.length);
    heapI32().set(table.starts, base / 4);
    heapI32().set(table.sizes, base / 4 + outSize);
    heapF32().set(table.weights, base / 4 + 2 * outSize);
    wasm().f32_resize_aa_pass(src.ptr, outer, inSize, inner, out.ptr, outSize, base, base + 4 * outSize, base + 8 * outSize, table.maxTaps);
    return out;
  };
  let current = input;
  if (outWidth !== inWidth) {
    current = pass(input, [...input.shape.slice(0, 2), inHeight, outWidth], planes * inHeight, inWidth, 1, outWidth,
      aaTable(inWidth, outWidth, cubic, alignCorners, scales[1]));
  }
  if (outHeight !== inHeight) {
    const previous = current;
    current = pass(previous, [...input.shape.slice(0, 2), outHeight, outWidth], planes, inHeight, outWidth, outHeight,
      aaTable(inHeight, outHeight, cubic, alignCorners, scales[0]));
    if (previous !== input) previous.dispose();
  }
  if (current === input) {   // same size: a copy, as PyTorch's
    current = empty(input.shape);
    heapF32().copyWithin(current.ptr / 4, input.ptr / 4, input.ptr / 4 + input.numel());
  }
  return current;
}

/** [taps][stride] i32 byte offsets (index * unit), then [taps][stride] f32 weights, at `base`. */
function writeTable(base: number, table: AxisTable, taps: number, stride: number, unit: number): void {
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
function shuffleGroups(index: Int32Array[], inWidth: number, outWidth: number): Int32Array | null {
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
function writeGroups(at: number, bases: Int32Array, index: Int32Array[], weight: Float32Array[] | null): void {
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

// ---- pixel shuffle ----

/**
 * torch.nn.functional.pixel_shuffle(input, upscale_factor): [*, C * r^2, H, W] -> [*, C, H * r, W * r],
 * output[..., c, h * r + i, w * r + j] = input[..., c * r^2 + i * r + j, h, w].
 */
export function pixel_shuffle(...args: unknown[]): Tensor {
  return shuffle("pixel_shuffle", "upscale_factor", false, args);
}

/**
 * torch.nn.functional.pixel_unshuffle(input, downscale_factor): [*, C, H * r, W * r] -> [*, C * r^2, H, W],
 * the inverse of pixel_shuffle.
 */
export function pixel_unshuffle(...args: unknown[]): Tensor {
  return shuffle("pixel_unshuffle", "downscale_factor", true, args);
}

function shuffle(op: string, name: string, inverse: boolean, args: unknown[]): Tensor {
  const a = parseArgs(op, [["input", required], [name, required]], args);
  const input = checkTensor(a.input, op, "input");
  const r = a[name];
  if (typeof r !== "number" || !Number.isInteger(r)) throw new TypeError(`${op}(): argument '${name}' must be int, not ${pyType(r)}`);
  const s = input.shape;
  if (s.length < 3) throw new Error(`${op} expects input to have at least 3 dimensions, but got input with ${s.length} dimension(s)`);
  if (r <= 0) throw new Error(`${op} expects a positive ${name}, but got ${r}`);
  const [c, h, w] = s.slice(-3);
  if (!inverse && c % (r * r) !== 0) {
    throw new Error(`pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, but input.size(-3)=${c} is not divisible by ${r * r}`);
  }
  for (const [dim, size, what] of [[-2, h, "height"], [-1, w, "width"]] as const) {
    if (inverse && size % r !== 0) throw new Error(`pixel_unshuffle expects ${what} to be divisible by downscale_factor, but input.size(${dim})=${size} is not divisible by ${r}`);
  }
  // both directions in terms of the small planes [C * r^2, H / r or H, W / r or W]
  const [small, height, width] = inverse ? [c * r * r, h / r, w / r] : [c, h, w];
  const output = empty([...s.slice(0, -3), ...(inverse ? [small, height, width] : [c / (r * r), h * r, w * r])], input.dtype);
  if (output.numel() > 0) {
    wasm().x32_pixel_shuffle(input.ptr, output.ptr, input.numel() / (small * height * width) * (small / (r * r)), r, height, width, inverse ? 1 : 0, input.dtype === "int64" ? 8 : 4);
  }
  return output;
}
