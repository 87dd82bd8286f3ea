// F.interpolate (and the deprecated F.upsample*): PyTorch 1.13's argument handling
// (torch/nn/functional.py: interpolate) and dispatch to its modes; the per-axis tables of source
// indices and weights (resample_tables.ts) are PyTorch's bit for bit, and the kernels
// (assembly/resample/resize.ts) only read them.

import { Tensor, empty } from "../tensor.js";
import { heapF32, heapI32 } from "../runtime.js";
import { parallel, threadBytes, threadsFor } from "../threads/parallel.js";
import { Workspace } from "../allocator.js";
import { parseArgs, pyRepr, pyType, required, type ArgSpec } from "../args.js";
import {
  aaTable, cubicTable, linearTable, nearestTable, shuffleGroups, writeGroups, writeTable, type AaTable,
} from "./resample_tables.js";
import { adaptiveAvgPoolPlanes, bool } from "./pool.js";
import { checkFloat, checkTensor, fmtShape } from "./shape.js";

const MODES = ["nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact"];
const tables = new Workspace("interpolate tables");
const rowCache = new Workspace("interpolate row cache");

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
        throw new Error(`Input and output must have the same number of spatial dimensions, but got input with spatial dimensions of ${fmtShape(spatial)} and output size of ${pyRepr(size)}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.`);
      }
      outputSize = [...size] as number[];
    } else {
      outputSize = Array.from({ length: Math.max(dim, 0) }, () => size as number);
    }
  } else if (scaleFactor !== null) {
    if (Array.isArray(scaleFactor)) {
      if (scaleFactor.length !== dim) {
        throw new Error(`Input and scale_factor must have the same number of spatial dimensions, but got input with spatial dimensions of ${fmtShape(spatial)} and scale_factor of shape ${pyRepr(scaleFactor)}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.`);
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
    // threads: output rows of every plane
    const rows = planes * outHeight;
    parallel("f32_resize_nearest", rows, threadsFor(output.numel(), rows), (start, end) =>
      [input.ptr, planes, inHeight, inWidth, output.ptr, outHeight, outWidth, base, base + outWidth * 4, groups === null ? 0 : groupsAt, start, end]);
    return output;
  }

  if (antialias) return antialiased(input, mode === "bicubic", alignCorners, [inHeight, inWidth], [outHeight, outWidth], [heightScale, widthScale]);

  const taps = mode === "bicubic" ? 4 : 2;
  const xStride = (outWidth + 3) & ~3;
  const yStride = (outHeight + 3) & ~3;
  const xBytes = 2 * taps * xStride * 4;
  const yBytes = rank === 3 ? 0 : 3 * taps * yStride * 4;   // offsets, weights, row-cache slots
  const make = taps === 4 ? cubicTable : linearTable;
  const xTable = make(inWidth, outWidth, alignCorners, widthScale);
  const groups = taps === 2 ? shuffleGroups(xTable.index, inWidth, outWidth) : null;
  const groupBytes = groups === null ? 0 : (outWidth >> 2) * 68 + 8;
  const base = tables.get(xBytes + yBytes + groupBytes);
  writeTable(base, xTable, taps, xStride, 4);
  if (rank === 4) {
    const yTable = make(inHeight, outHeight, alignCorners, heightScale);
    writeTable(base + xBytes, yTable, taps, yStride, inWidth * 4);
    // the separable kernel's row-cache slot of each tap's input row (row mod taps)
    const i32 = heapI32();
    for (let t = 0; t < taps; t++) {
      const slots = (base + xBytes) / 4 + (2 * taps + t) * yStride;
      i32.fill(0, slots, slots + yStride);
      yTable.index[t].forEach((v, i) => { i32[slots + i] = v & (taps - 1); });
    }
  }
  const groupsAt = base + xBytes + yBytes;
  if (groups !== null) {
    writeGroups(groupsAt, groups, xTable.index, xTable.weight);
    // the longest run of groups whose taps read lanes [0, 1, 1, 2] and [1, 2, 2, 3] (x2 upscales):
    // the kernel shuffles those with constants
    const pattern = [[0, 1, 1, 2], [1, 2, 2, 3]];
    const firsts = groups;
    const fits = (g: number): boolean => pattern.every((lanes, t) => lanes.every((l, j) => xTable.index[t][4 * g + j] - firsts[g] === l));
    let lo = 0, hi = 0;
    for (let g = 0; g < groups.length;) {
      if (!fits(g)) { g++; continue; }
      let e = g;
      while (e < groups.length && fits(e)) e++;
      if (e - g > hi - lo) [lo, hi] = [g, e];
      g = e;
    }
    const i32 = heapI32();
    i32[(groupsAt + groups.length * 68) / 4] = lo;
    i32[(groupsAt + groups.length * 68) / 4 + 1] = hi;
  }
  // PyTorch's upsample_bilinear2d sends inputs that are also channels-last contiguous (C == 1, or
  // H * W == 1) to its channels-last kernel, whose arithmetic differs: a vector loop over 8
  // channels at a time, then a scalar loop in double for the remaining C % 8 channels
  const channels = input.shape[1];
  const channelsLast = mode === "bilinear" && rank === 4 && (channels === 1 || inHeight * inWidth === 1);
  if (!channelsLast) {
    // threads: output rows (input rows for 1-D), each task with its own row cache
    const rows = planes * (rank === 3 ? inHeight : outHeight);
    const threads = threadsFor(output.numel() * taps * (rank === 3 ? 1 : 2), rows);
    // the vertical pass's row cache: one per thread (rowCache)
    const rowBytes = rank === 3 ? 0 : threadBytes(taps * xStride * 4 + 16, threads);
    const cache = rank === 3 ? 0 : rowCache.get(rowBytes * threads);
    parallel("f32_resize_separable", rows, threads, (start, end) =>
      [input.ptr, planes, inHeight, inWidth, output.ptr, outHeight, outWidth, taps,
        base, rank === 3 ? 0 : base + xBytes, cache, groups === null ? 0 : groupsAt, start, end], { perThread: { arg: 10, bytes: rowBytes } });
    return output;
  }
  const vectorChannels = channels - (channels % 8);
  const planeIn = inHeight * inWidth * 4;
  const planeOut = outHeight * outWidth * 4;
  for (let n = 0; n < input.shape[0]; n++) {
    for (const [first, count, inDouble] of [[0, vectorChannels, 0], [vectorChannels, channels - vectorChannels, 1]]) {
      if (count === 0) continue;
      const plane = n * channels + first;
      const rows = count * outHeight;
      parallel("f32_resize_bilinear_cl", rows, threadsFor(rows * outWidth * 8, rows), (start, end) =>
        [input.ptr + plane * planeIn, count, inHeight, inWidth, output.ptr + plane * planeOut, outHeight, outWidth, base, base + xBytes, inDouble,
          start, end]);
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
  if (output.numel() > 0) adaptiveAvgPoolPlanes(input.ptr, input.shape[0] * input.shape[1], height, width, output.ptr, outHeight, outWidth);
  return output;
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
    // threads: outputs (o, k), each a row of `inner` values
    const units = outer * outSize;
    parallel("f32_resize_aa_pass", units, threadsFor(units * inner * table.maxTaps * 2, units), (start, end) =>
      [src.ptr, outer, inSize, inner, out.ptr, outSize, base, base + 4 * outSize, base + 8 * outSize, table.maxTaps, start, end]);
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
