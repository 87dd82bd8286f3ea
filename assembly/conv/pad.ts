// f32 2-D padding of NCHW planes: constant, reflect, replicate and circular, as torch.nn.functional.pad.
// Negative pads crop (as PyTorch's constant mode allows). The host checks the mode's limits
// (reflect: pad < size; circular: pad <= size) before calling.

export const PAD_CONSTANT: i32 = 0;
export const PAD_REFLECT: i32 = 1;
export const PAD_REPLICATE: i32 = 2;
export const PAD_CIRCULAR: i32 = 3;

/** Maps an out-of-range index `i` into [0, n) by `mode`; -1 means "use the fill value". */
// @ts-ignore: decorator
@inline export function mapIndex(i: i32, n: i32, mode: i32): i32 {
  if (i >= 0 && i < n) return i;
  if (mode == PAD_REFLECT) {
    // PyTorch reflect: mirror without repeating the edge (..., 2, 1 | 0, 1, 2 | 1, 0, ...)
    return i < 0 ? -i : 2 * (n - 1) - i;
  }
  if (mode == PAD_REPLICATE) return i < 0 ? 0 : n - 1;
  if (mode == PAD_CIRCULAR) {
    let r = i % n;
    return r < 0 ? r + n : r;
  }
  return -1;
}

/**
 * [planes, H, W] -> [planes, H + top + bottom, W + left + right]: padRows over every row.
 */
export function f32_pad2d(
  input: usize, output: usize, planes: i32, height: i32, width: i32,
  top: i32, bottom: i32, left: i32, right: i32, mode: i32, value: f32,
): void {
  const outHeight = height + top + bottom;
  padRows(input, planes, height, width, output, outHeight, width + left + right, top, bottom, left, right, mode, value, 0, outHeight);
}

/**
 * Rows [r0, r1) of f32_pad2d's output placed in planes [outH, outW] (zeros past the padded size):
 * a padded copy, or Winograd's staged input (outH, outW: the tile grid's). Threads split it by rows,
 * as the tile tasks that read it (each thread then places mostly the rows it reads).
 */
export function f32_embed_rows(
  input: usize, planes: i32, height: i32, width: i32, output: usize, outH: i32, outW: i32,
  top: i32, bottom: i32, left: i32, right: i32, mode: i32, r0: i32, r1: i32,
): void {
  padRows(input, planes, height, width, output, outH, outW, top, bottom, left, right, mode, 0, r0, r1);
}

/**
 * Rows [r0, r1) of `planes` planes [outH, outW] holding the [height, width] input planes padded by
 * (top, bottom, left, right) in `mode` (constant: `value`; negative pads crop) at (0, 0), and zeros
 * past the padded size. Each output row is a mapped input row (or the fill value); its interior is
 * one memory.copy.
 */
export function padRows(
  input: usize, planes: i32, height: i32, width: i32, output: usize, outH: i32, outW: i32,
  top: i32, bottom: i32, left: i32, right: i32, mode: i32, value: f32, r0: i32, r1: i32,
): void {
  r1 = min(r1, outH);
  if (r1 <= r0) return;
  const rowsEnd = min(outH, height + top + bottom);   // rows at or past it: zeros
  const colsEnd = min(outW, width + left + right);    // columns at or past it: zeros
  // interior columns [copyStart, copyEnd) of a row come straight from the input row
  const copyStart = min(max(0, left), colsEnd);
  const copyEnd = max(copyStart, min(width + left, colsEnd));
  const rowBytes = <usize>outW * 4;
  const tailBytes = <usize>(outW - colsEnd) * 4;
  for (let p = 0; p < planes; p++) {
    const plane = output + <usize>p * outH * outW * 4;
    const source = input + <usize>p * height * width * 4;
    for (let y = r0; y < r1; y++) {
      const dst = plane + <usize>y * rowBytes;
      const sy = y < rowsEnd ? mapIndex(y - top, height, mode) : -2;
      if (sy < 0) {
        // past the padded size: zeros; a constant-mode pad row: the value
        if (sy == -2 || reinterpret<u32>(value) == 0) memory.fill(dst, 0, rowBytes);
        else {
          for (let x = 0; x < colsEnd; x++) store<f32>(dst + <usize>x * 4, value);
          memory.fill(dst + <usize>colsEnd * 4, 0, tailBytes);
        }
        continue;
      }
      const row = source + <usize>sy * width * 4;
      for (let x = 0; x < copyStart; x++) {
        const sx = mapIndex(x - left, width, mode);
        store<f32>(dst + <usize>x * 4, sx < 0 ? value : load<f32>(row + <usize>sx * 4));
      }
      memory.copy(dst + <usize>copyStart * 4, row + <usize>(copyStart - left) * 4, <usize>(copyEnd - copyStart) * 4);
      for (let x = copyEnd; x < colsEnd; x++) {
        const sx = mapIndex(x - left, width, mode);
        store<f32>(dst + <usize>x * 4, sx < 0 ? value : load<f32>(row + <usize>sx * 4));
      }
      memory.fill(dst + <usize>colsEnd * 4, 0, tailBytes);
    }
  }
}

/**
 * Polyphase split: phase (a, b) of [planes, H, W] with steps (stepH, stepW), i.e. rows a, a + stepH,
 * ... and columns b, b + stepW, ... -> [planes, outH, outW]. A dilated convolution is an undilated one
 * on each phase (so Winograd can serve it).
 */
export function f32_phase_split(input: usize, planes: i32, height: i32, width: i32, stepH: i32, stepW: i32,
  a: i32, b: i32, output: usize, outHeight: i32, outWidth: i32): void {
  for (let p = 0; p < planes; p++) {
    const src = input + <usize>p * height * width * 4;
    let dst = output + <usize>p * outHeight * outWidth * 4;
    for (let i = 0; i < outHeight; i++) {
      const row = src + (<usize>(a + i * stepH) * width + b) * 4;
      for (let j = 0; j < outWidth; j++) store<f32>(dst + <usize>j * 4, load<f32>(row + <usize>(j * stepW) * 4));
      dst += <usize>outWidth * 4;
    }
  }
}

/** The inverse: [planes, phaseH, phaseW] -> rows a + i stepH, columns b + j stepW of [planes, H, W]. */
export function f32_phase_merge(input: usize, planes: i32, phaseH: i32, phaseW: i32, stepH: i32, stepW: i32,
  a: i32, b: i32, output: usize, height: i32, width: i32): void {
  for (let p = 0; p < planes; p++) {
    let src = input + <usize>p * phaseH * phaseW * 4;
    const dst = output + <usize>p * height * width * 4;
    for (let i = 0; i < phaseH; i++) {
      const row = dst + (<usize>(a + i * stepH) * width + b) * 4;
      for (let j = 0; j < phaseW; j++) store<f32>(row + <usize>(j * stepW) * 4, load<f32>(src + <usize>j * 4));
      src += <usize>phaseW * 4;
    }
  }
}
