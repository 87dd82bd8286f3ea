// Resampling kernels for F.interpolate: nearest (table gather) and the separable linear / cubic
// filters of PyTorch's CPU upsample kernels (aten/src/ATen/native/cpu/UpSampleKernel.cpp, generic
// N-d path). The host computes the per-axis tables once per call with PyTorch's index arithmetic;
// here the inner loops only read them.
//
// Tables hold, per output column (or row), `taps` source offsets and `taps` weights laid out as
// [taps][stride] i32 byte offsets followed by [taps][stride] f32 weights, where stride is the
// output width rounded up to 4 (so four columns' entries are one v128 load).

// @ts-ignore: decorator
@inline function gatherOffsets(row: usize, offsets: v128): v128 {
  let v = f32x4.splat(load<f32>(row + <usize>i32x4.extract_lane(offsets, 0)));
  v = f32x4.replace_lane(v, 1, load<f32>(row + <usize>i32x4.extract_lane(offsets, 1)));
  v = f32x4.replace_lane(v, 2, load<f32>(row + <usize>i32x4.extract_lane(offsets, 2)));
  return f32x4.replace_lane(v, 3, load<f32>(row + <usize>i32x4.extract_lane(offsets, 3)));
}

/**
 * One row filtered along its width: dst[ox] = sum_t src[offset_t(ox)] * weight_t(ox), summed in
 * PyTorch's order ((t0 w0 + t1 w1) + t2 w2) + t3 w3. Four columns at a time (gathered loads),
 * then a scalar tail with the same operations.
 */
function filterRow(src: usize, dst: usize, outWidth: i32, taps: i32, table: usize, stride: usize): void {
  const weights = table + <usize>taps * stride * 4;
  const last = outWidth & ~3;
  if (taps == 2) {
    const o1 = table + stride * 4, w1 = weights + stride * 4;
    for (let ox = 0; ox < last; ox += 4) {
      const k = <usize>ox * 4;
      const a = f32x4.mul(gatherOffsets(src, v128.load(table + k)), v128.load(weights + k));
      const b = f32x4.mul(gatherOffsets(src, v128.load(o1 + k)), v128.load(w1 + k));
      v128.store(dst + k, f32x4.add(a, b));
    }
    for (let ox = last; ox < outWidth; ox++) {
      const k = <usize>ox * 4;
      const a = load<f32>(src + <usize>load<i32>(table + k)) * load<f32>(weights + k);
      const b = load<f32>(src + <usize>load<i32>(o1 + k)) * load<f32>(w1 + k);
      store<f32>(dst + k, a + b);
    }
  } else {
    for (let ox = 0; ox < last; ox += 4) {
      const k = <usize>ox * 4;
      let acc = f32x4.mul(gatherOffsets(src, v128.load(table + k)), v128.load(weights + k));
      for (let t = 1; t < taps; t++) {
        const e = <usize>t * stride * 4 + k;
        acc = f32x4.add(acc, f32x4.mul(gatherOffsets(src, v128.load(table + e)), v128.load(weights + e)));
      }
      v128.store(dst + k, acc);
    }
    for (let ox = last; ox < outWidth; ox++) {
      const k = <usize>ox * 4;
      let acc = load<f32>(src + <usize>load<i32>(table + k)) * load<f32>(weights + k);
      for (let t = 1; t < taps; t++) {
        const e = <usize>t * stride * 4 + k;
        acc += load<f32>(src + <usize>load<i32>(table + e)) * load<f32>(weights + e);
      }
      store<f32>(dst + k, acc);
    }
  }
}

/**
 * filterRow for two taps when every group of four output columns reads within four consecutive
 * input columns (upscales): one load of those four, two byte shuffles pick each lane's pair.
 * `groups` holds per group [mask0, mask1, weight0, weight1] (v128 each), then one i32 byte offset
 * of the group's first input column per group. The tail (outWidth % 4) runs filterRow's scalar code.
 */
function filterRowShuffled(src: usize, dst: usize, outWidth: i32, table: usize, stride: usize, groups: usize): void {
  const count = outWidth >> 2;
  const bases = groups + <usize>count * 64;
  // groups [lo, hi) read lanes [0, 1, 1, 2] and [1, 2, 2, 3] of their four columns (the x2 upscale's
  // pattern): constant shuffles there
  const lo = <usize>load<i32>(bases + <usize>count * 4), hi = <usize>load<i32>(bases + <usize>count * 4, 4);
  let p = groups, q = dst;
  for (let base = bases; base < bases + lo * 4; base += 4) {
    const v = v128.load(src + <usize>load<i32>(base));
    const a = f32x4.mul(i8x16.swizzle(v, v128.load(p)), v128.load(p, 32));
    const b = f32x4.mul(i8x16.swizzle(v, v128.load(p, 16)), v128.load(p, 48));
    v128.store(q, f32x4.add(a, b));
    p += 64;
    q += 16;
  }
  for (let base = bases + lo * 4; base < bases + hi * 4; base += 4) {
    const v = v128.load(src + <usize>load<i32>(base));
    const a = f32x4.mul(i32x4.shuffle(v, v, 0, 1, 1, 2), v128.load(p, 32));
    const b = f32x4.mul(i32x4.shuffle(v, v, 1, 2, 2, 3), v128.load(p, 48));
    v128.store(q, f32x4.add(a, b));
    p += 64;
    q += 16;
  }
  for (let base = bases + hi * 4; base < bases + <usize>count * 4; base += 4) {
    const v = v128.load(src + <usize>load<i32>(base));
    const a = f32x4.mul(i8x16.swizzle(v, v128.load(p)), v128.load(p, 32));
    const b = f32x4.mul(i8x16.swizzle(v, v128.load(p, 16)), v128.load(p, 48));
    v128.store(q, f32x4.add(a, b));
    p += 64;
    q += 16;
  }
  const weights = table + 2 * stride * 4;
  for (let ox = count << 2; ox < outWidth; ox++) {
    const k = <usize>ox * 4;
    const a = load<f32>(src + <usize>load<i32>(table + k)) * load<f32>(weights + k);
    const b = load<f32>(src + <usize>load<i32>(table + stride * 4 + k)) * load<f32>(weights + stride * 4 + k);
    store<f32>(dst + k, a + b);
  }
}

// (called once per filtered row: not inlined, so the row loops exist once in the module)
function filter(src: usize, dst: usize, outWidth: i32, taps: i32, table: usize, stride: usize, groups: usize): void {
  if (groups != 0) filterRowShuffled(src, dst, outWidth, table, stride, groups);
  else filterRow(src, dst, outWidth, taps, table, stride);
}

/**
 * Separable linear (taps = 2) or cubic (taps = 4) resampling of `planes` planes [inHeight,
 * inWidth] -> [outHeight, outWidth]. Each needed input row is filtered along the width once into
 * a row buffer (a cache of `taps` rows, slot = row mod taps), then each output row is the
 * weighted sum of `taps` buffers: ((r0 h0 + r1 h1) + r2 h2) + r3 h3, as PyTorch's
 * Interpolate<2, ...>. With yTable = 0 (1-D input) input rows are filtered straight to the output.
 * `rows` holds taps * xStride floats and `taps` i32 tags. `xGroups` (0 = none) is the shuffle
 * table of filterRowShuffled, for two taps. Units (threads): output rows plane * outHeight + oy
 * (with yTable = 0: rows plane * inHeight + y), [unitStart, unitEnd) here; a range starts with an
 * empty row cache, and a row's values do not depend on whether it was filtered here or before.
 */
export function f32_resize_separable(
  input: usize, planes: i32, inHeight: i32, inWidth: i32,
  output: usize, outHeight: i32, outWidth: i32, taps: i32,
  xTable: usize, yTable: usize, rows: usize, xGroups: usize, unitStart: i32, unitEnd: i32,
): void {
  const xStride = <usize>((outWidth + 3) & ~3);
  const inPlaneBytes = <usize>inHeight * inWidth * 4;
  const outRowBytes = <usize>outWidth * 4;
  if (yTable == 0) {
    for (let row = unitStart; row < unitEnd; row++) {
      filter(input + <usize>row * inWidth * 4, output + <usize>row * outRowBytes, outWidth, taps, xTable, xStride, xGroups);
    }
    return;
  }
  const yStride = <usize>((outHeight + 3) & ~3);
  const yWeights = yTable + <usize>taps * yStride * 4;
  // after the weights: [taps][yStride] i32 row-cache slot of each tap's row (row mod taps), so the
  // row loop needs no division
  const ySlots = yWeights + <usize>taps * yStride * 4;
  const rowBytes = xStride * 4;
  const tags = rows + <usize>taps * rowBytes;
  const last = <usize>(outWidth & ~3) * 4;
  for (let unit = unitStart; unit < unitEnd;) {
    // the range's rows [oyStart, oyEnd) of this plane
    const plane = unit / outHeight;
    const oyStart = unit - plane * outHeight;
    const oyEnd = min(outHeight, oyStart + (unitEnd - unit));
    unit += oyEnd - oyStart;
    const inPlane = input + <usize>plane * inPlaneBytes;
    const outPlane = output + <usize>plane * outHeight * outRowBytes;
    for (let t = 0; t < taps; t++) store<i32>(tags + <usize>t * 4, -1);
    let dst = outPlane + <usize>oyStart * outRowBytes;
    for (let oy = oyStart; oy < oyEnd; oy++) {
      // filter the rows this output row needs (rows are byte offsets of the input row within the plane)
      for (let t = 0; t < taps; t++) {
        const e = (<usize>t * yStride + oy) * 4;
        const offset = load<i32>(yTable + e);
        const slot = <usize>load<i32>(ySlots + e);
        const tag = tags + slot * 4;
        if (load<i32>(tag) != offset) {
          store<i32>(tag, offset);
          filter(inPlane + <usize>offset, rows + slot * rowBytes, outWidth, taps, xTable, xStride, xGroups);
        }
      }
      const y = <usize>oy * 4;
      if (taps == 2) {
        const r0 = rows + <usize>load<i32>(ySlots + y) * rowBytes;
        const r1 = rows + <usize>load<i32>(ySlots + yStride * 4 + y) * rowBytes;
        const h0 = load<f32>(yWeights + y), h1 = load<f32>(yWeights + yStride * 4 + y);
        const v0 = f32x4.splat(h0), v1 = f32x4.splat(h1);
        if (oy + 1 < oyEnd && load<i32>(yTable + y, 4) == load<i32>(yTable + y)
          && load<i32>(yTable + yStride * 4 + y, 4) == load<i32>(yTable + yStride * 4 + y)) {
          // the next output row reads the same two rows (upscales): both rows from one pass over them
          const g0 = load<f32>(yWeights + y, 4), g1 = load<f32>(yWeights + yStride * 4 + y, 4);
          const u0 = f32x4.splat(g0), u1 = f32x4.splat(g1);
          const next = dst + outRowBytes;
          for (let k: usize = 0; k < last; k += 16) {
            const a = v128.load(r0 + k), b = v128.load(r1 + k);
            v128.store(dst + k, f32x4.add(f32x4.mul(a, v0), f32x4.mul(b, v1)));
            v128.store(next + k, f32x4.add(f32x4.mul(a, u0), f32x4.mul(b, u1)));
          }
          for (let k = last; k < outRowBytes; k += 4) {
            const a = load<f32>(r0 + k), b = load<f32>(r1 + k);
            store<f32>(dst + k, a * h0 + b * h1);
            store<f32>(next + k, a * g0 + b * g1);
          }
          dst += 2 * outRowBytes;
          oy++;
          continue;
        }
        // two vectors per iteration (the loop is short: a 56-wide row is 14 vectors)
        let k: usize = 0;
        for (; k + 16 < last; k += 32) {
          const a0 = f32x4.add(f32x4.mul(v128.load(r0 + k), v0), f32x4.mul(v128.load(r1 + k), v1));
          const a1 = f32x4.add(f32x4.mul(v128.load(r0 + k, 16), v0), f32x4.mul(v128.load(r1 + k, 16), v1));
          v128.store(dst + k, a0);
          v128.store(dst + k, a1, 16);
        }
        if (k < last) v128.store(dst + k, f32x4.add(f32x4.mul(v128.load(r0 + k), v0), f32x4.mul(v128.load(r1 + k), v1)));
        for (let k = last; k < outRowBytes; k += 4) {
          store<f32>(dst + k, load<f32>(r0 + k) * h0 + load<f32>(r1 + k) * h1);
        }
      } else {
        const r0 = rows + <usize>load<i32>(ySlots + y) * rowBytes;
        const r1 = rows + <usize>load<i32>(ySlots + yStride * 4 + y) * rowBytes;
        const r2 = rows + <usize>load<i32>(ySlots + 2 * yStride * 4 + y) * rowBytes;
        const r3 = rows + <usize>load<i32>(ySlots + 3 * yStride * 4 + y) * rowBytes;
        const h0 = load<f32>(yWeights + y), h1 = load<f32>(yWeights + yStride * 4 + y);
        const h2 = load<f32>(yWeights + 2 * yStride * 4 + y), h3 = load<f32>(yWeights + 3 * yStride * 4 + y);
        const v0 = f32x4.splat(h0), v1 = f32x4.splat(h1), v2 = f32x4.splat(h2), v3 = f32x4.splat(h3);
        for (let k: usize = 0; k < last; k += 16) {
          let acc = f32x4.add(f32x4.mul(v128.load(r0 + k), v0), f32x4.mul(v128.load(r1 + k), v1));
          acc = f32x4.add(acc, f32x4.mul(v128.load(r2 + k), v2));
          v128.store(dst + k, f32x4.add(acc, f32x4.mul(v128.load(r3 + k), v3)));
        }
        for (let k = last; k < outRowBytes; k += 4) {
          store<f32>(dst + k, ((load<f32>(r0 + k) * h0 + load<f32>(r1 + k) * h1) + load<f32>(r2 + k) * h2) + load<f32>(r3 + k) * h3);
        }
      }
      dst += outRowBytes;
    }
  }
}

/**
 * Nearest-neighbour resampling by tables: xOffsets[ox] is the byte offset of the source column,
 * yOffsets[oy] the byte offset of the source row within a plane. An output row whose source row
 * equals the previous one's is a copy of that output row. `groups` (0 = none): per group of four
 * output columns a byte-shuffle mask (v128), then each group's first input column's byte offset.
 * Units (threads): output rows plane * outHeight + oy, [unitStart, unitEnd) here (a range's first
 * row is gathered, never copied from a row outside it: the same values).
 */
export function f32_resize_nearest(
  input: usize, planes: i32, inHeight: i32, inWidth: i32,
  output: usize, outHeight: i32, outWidth: i32, xOffsets: usize, yOffsets: usize, groups: usize,
  unitStart: i32, unitEnd: i32,
): void {
  const count = <usize>(outWidth >> 2);
  const bases = groups + count * 16;
  const inPlaneBytes = <usize>inHeight * inWidth * 4;
  const outRowBytes = <usize>outWidth * 4;
  const last = <usize>(outWidth & ~3) * 4;
  for (let unit = unitStart; unit < unitEnd;) {
    const plane = unit / outHeight;
    const oyStart = unit - plane * outHeight;
    const oyEnd = min(outHeight, oyStart + (unitEnd - unit));
    unit += oyEnd - oyStart;
    const inPlane = input + <usize>plane * inPlaneBytes;
    const outPlane = output + <usize>plane * outHeight * outRowBytes;
    let previous = -1;
    for (let oy = oyStart; oy < oyEnd; oy++) {
      const dst = outPlane + <usize>oy * outRowBytes;
      const offset = load<i32>(yOffsets + <usize>oy * 4);
      if (offset == previous) {
        memory.copy(dst, dst - outRowBytes, outRowBytes);
        continue;
      }
      previous = offset;
      const src = inPlane + <usize>offset;
      if (groups != 0) {
        // upscales: each group of four output columns reads within four input columns: one load, one shuffle
        for (let g: usize = 0; g < count; g++) {
          v128.store(dst + g * 16, i8x16.swizzle(v128.load(src + <usize>load<i32>(bases + g * 4)), v128.load(groups + g * 16)));
        }
      } else {
        for (let k: usize = 0; k < last; k += 16) {
          v128.store(dst + k, gatherOffsets(src, v128.load(xOffsets + k)));
        }
      }
      for (let k = last; k < outRowBytes; k += 4) {
        store<f32>(dst + k, load<f32>(src + <usize>load<i32>(xOffsets + k)));
      }
    }
  }
}

/**
 * One anti-aliased pass along an axis (PyTorch's _upsample_*_aa, separable): data viewed as
 * [outer, inSize, inner] -> [outer, outSize, inner]; output k sums taps j < sizes[k] of input
 * starts[k] + j with weights[k * maxTaps + j], in PyTorch's order (t0 w0, then += tj wj). The
 * horizontal pass has inner = 1; the vertical one runs four columns at a time. Units (threads):
 * outputs o * outSize + k, [unitStart, unitEnd) here.
 */
export function f32_resize_aa_pass(
  input: usize, outer: i32, inSize: i32, inner: i32, output: usize, outSize: i32,
  starts: usize, sizes: usize, weights: usize, maxTaps: i32, unitStart: i32, unitEnd: i32,
): void {
  const innerBytes = <usize>inner * 4;
  const last = <usize>(inner & ~3) * 4;
  for (let unit = unitStart; unit < unitEnd;) {
    const o = unit / outSize;
    const kStart = unit - o * outSize;
    const kEnd = min(outSize, kStart + (unitEnd - unit));
    unit += kEnd - kStart;
    const inBase = input + <usize>o * inSize * innerBytes;
    const outBase = output + <usize>o * outSize * innerBytes;
    for (let k = kStart; k < kEnd; k++) {
      const src = inBase + <usize>load<i32>(starts + <usize>k * 4) * innerBytes;
      const taps = load<i32>(sizes + <usize>k * 4);
      const w = weights + <usize>k * maxTaps * 4;
      const dst = outBase + <usize>k * innerBytes;
      for (let x: usize = 0; x < last; x += 16) {
        let acc = f32x4.mul(v128.load(src + x), f32x4.splat(load<f32>(w)));
        for (let j = 1; j < taps; j++) {
          acc = f32x4.add(acc, f32x4.mul(v128.load(src + <usize>j * innerBytes + x), f32x4.splat(load<f32>(w + <usize>j * 4))));
        }
        v128.store(dst + x, acc);
      }
      for (let x = last; x < innerBytes; x += 4) {
        let acc = load<f32>(src + x) * load<f32>(w);
        for (let j = 1; j < taps; j++) acc += load<f32>(src + <usize>j * innerBytes + x) * load<f32>(w + <usize>j * 4);
        store<f32>(dst + x, acc);
      }
    }
  }
}

/**
 * Bilinear for the inputs PyTorch sends to its channels-last kernel (a [N, C, H, W] tensor that is
 * also channels-last contiguous: C == 1, or H * W == 1): there the four taps are weighted by the
 * float products h_i * w_j and, in its scalar loop (inDouble), summed in double left to right;
 * in its 8-channel vector loop summed in float right to left, t00 w00 + (t01 w01 + (t10 w10 +
 * t11 w11)). Tables as f32_resize_separable's (two taps). Units (threads): output rows
 * plane * outHeight + oy, [unitStart, unitEnd) here.
 */
export function f32_resize_bilinear_cl(
  input: usize, planes: i32, inHeight: i32, inWidth: i32,
  output: usize, outHeight: i32, outWidth: i32, xTable: usize, yTable: usize, inDouble: bool,
  unitStart: i32, unitEnd: i32,
): void {
  const xStride = <usize>((outWidth + 3) & ~3) * 4;
  const yStride = <usize>((outHeight + 3) & ~3) * 4;
  for (let unit = unitStart; unit < unitEnd;) {
    const plane = unit / outHeight;
    const oyStart = unit - plane * outHeight;
    const oyEnd = min(outHeight, oyStart + (unitEnd - unit));
    unit += oyEnd - oyStart;
    const inPlane = input + <usize>plane * inHeight * inWidth * 4;
    let dst = output + (<usize>plane * outHeight + oyStart) * outWidth * 4;
    for (let oy = oyStart; oy < oyEnd; oy++) {
      const y = <usize>oy * 4;
      const r0 = inPlane + <usize>load<i32>(yTable + y), r1 = inPlane + <usize>load<i32>(yTable + yStride + y);
      const h0 = load<f32>(yTable + 2 * yStride + y), h1 = load<f32>(yTable + 3 * yStride + y);
      for (let ox = 0; ox < outWidth; ox++) {
        const x = <usize>ox * 4;
        const c0 = <usize>load<i32>(xTable + x), c1 = <usize>load<i32>(xTable + xStride + x);
        const w0 = load<f32>(xTable + 2 * xStride + x), w1 = load<f32>(xTable + 3 * xStride + x);
        const t00 = load<f32>(r0 + c0), t01 = load<f32>(r0 + c1), t10 = load<f32>(r1 + c0), t11 = load<f32>(r1 + c1);
        if (inDouble) {
          store<f32>(dst, <f32>(<f64>t00 * <f64>(h0 * w0) + <f64>t01 * <f64>(h0 * w1) + <f64>t10 * <f64>(h1 * w0) + <f64>t11 * <f64>(h1 * w1)));
        } else {
          store<f32>(dst, t00 * (h0 * w0) + (t01 * (h0 * w1) + (t10 * (h1 * w0) + t11 * (h1 * w1))));
        }
        dst += 4;
      }
    }
  }
}
