// f32 2-D convolution, NCHW, as GEMM over im2col panels of 8 output pixels.
//
// For each image and group: the (mode-)padded input planes are made once in the workspace; then
// for every tile of 8 output pixels a K x 8 panel is gathered (K = C/groups*KH*KW, contiguous
// v128 copies when the 8 pixels sit in one row at stride 1) and the 4x8 micro-kernel runs it
// against every block of 4 output channels. 1x1 stride-1 unpadded convolutions skip the panel:
// the input planes already are the GEMM's B matrix.

import { f32_gemm_4x8__simd128 } from "./gemm";
import { GEMM_MR, GEMM_NR } from "./pack";
import { f32_pad2d, mapIndex } from "./pad";

/** Workspace bytes f32_conv2d_igemm needs: padded planes of one image + one panel + 8 offsets. */
export function f32_conv2d_igemm_workspace(
  channels: i32, height: i32, width: i32, kernelH: i32, kernelW: i32, groups: i32,
  padTop: i32, padBottom: i32, padLeft: i32, padRight: i32,
): f64 {
  const padded = padTop | padBottom | padLeft | padRight
    ? <f64>channels * (height + padTop + padBottom) * (width + padLeft + padRight) : 0;
  const reduction = <f64>(channels / groups) * kernelH * kernelW;
  return (padded + reduction * GEMM_NR + GEMM_NR) * 4 + 64;
}

export function f32_conv2d_igemm(
  input: usize, batch: i32, channels: i32, height: i32, width: i32,
  packed: usize, outChannels: i32, groups: i32,
  kernelH: i32, kernelW: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32,
  padTop: i32, padBottom: i32, padLeft: i32, padRight: i32, padMode: i32,
  output: usize, outHeight: i32, outWidth: i32,
  workspace: usize, actMin: f32, actMax: f32,
): void {
  if (batch == 0 || outChannels == 0 || outHeight == 0 || outWidth == 0) return;
  const groupIn = channels / groups;
  const groupOut = outChannels / groups;
  const blocks = (groupOut + GEMM_MR - 1) / GEMM_MR;
  const taps = kernelH * kernelW;
  const reduction = groupIn * taps;
  const blockFloats = GEMM_MR * (reduction + 1);
  const padded = (padTop | padBottom | padLeft | padRight) != 0;
  const paddedH = height + padTop + padBottom;
  const paddedW = width + padLeft + padRight;
  const planeFloats = <usize>paddedH * paddedW;
  const outPixels = outHeight * outWidth;
  const outPlaneBytes = <usize>outPixels * 4;
  const pointwise = taps == 1 && strideH == 1 && strideW == 1 && !padded;
  // workspace: [padded planes][panel K x 8][8 pixel offsets]
  const paddedInput = workspace;
  const panel = workspace + (padded ? <usize>channels * planeFloats * 4 : 0);
  const offsets = panel + <usize>reduction * GEMM_NR * 4;

  for (let n = 0; n < batch; n++) {
    let source = input + <usize>n * channels * height * width * 4;
    if (padded) {
      f32_pad2d(source, paddedInput, channels, height, width, padTop, padBottom, padLeft, padRight, padMode, 0);
      source = paddedInput;
    }
    const outImage = output + <usize>n * outChannels * outPlaneBytes;
    for (let g = 0; g < groups; g++) {
      const groupSource = source + <usize>g * groupIn * planeFloats * 4;
      const groupPacked = packed + <usize>g * blocks * blockFloats * 4;
      const groupOutput = outImage + <usize>g * groupOut * outPlaneBytes;
      for (let p0 = 0; p0 < outPixels; p0 += GEMM_NR) {
        const nr = min(GEMM_NR, outPixels - p0);
        let a: usize;
        let aStride: usize;
        if (pointwise && nr == GEMM_NR) {
          // [C, H*W] is already the K x pixels matrix: read 8 pixels of each channel plane
          a = groupSource + <usize>p0 * 4;
          aStride = planeFloats * 4;
        } else {
          gatherPanel(groupSource, paddedW, planeFloats, groupIn, kernelH, kernelW,
            strideH, strideW, dilationH, dilationW, outWidth, p0, nr, panel, offsets);
          a = panel;
          aStride = GEMM_NR * 4;
        }
        for (let b = 0; b < blocks; b++) {
          const mr = min(GEMM_MR, groupOut - b * GEMM_MR);
          f32_gemm_4x8__simd128(reduction, groupPacked + <usize>b * blockFloats * 4, a, aStride,
            groupOutput + <usize>b * GEMM_MR * outPlaneBytes + <usize>p0 * 4, outPlaneBytes, mr, nr, actMin, actMax);
        }
      }
    }
  }
}

// [groupIn, paddedH, paddedW] -> panel [groupIn*KH*KW][8]: row k = (c, kh, kw) holds that tap's
// input value for output pixels p0..p0+7 (pixels past the end repeat pixel p0; never stored).
function gatherPanel(
  source: usize, paddedW: i32, planeFloats: usize, groupIn: i32, kernelH: i32, kernelW: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, outWidth: i32,
  p0: i32, nr: i32, panel: usize, offsets: usize,
): void {
  const firstRow = p0 / outWidth;
  const firstCol = p0 - firstRow * outWidth;
  // the 8 pixels are one contiguous input run when they share an output row at stride 1
  const contiguous = nr == GEMM_NR && strideW == 1 && firstCol + GEMM_NR <= outWidth;
  for (let j = 0; j < GEMM_NR; j++) {
    const p = j < nr ? p0 + j : p0;
    const oy = p / outWidth;
    const ox = p - oy * outWidth;
    store<i32>(offsets + <usize>j * 4, (oy * strideH * paddedW + ox * strideW) * 4);
  }
  let dst = panel;
  if (contiguous) {
    const base = <usize>load<i32>(offsets);
    for (let c = 0; c < groupIn; c++) {
      const plane = source + <usize>c * planeFloats * 4 + base;
      for (let kh = 0; kh < kernelH; kh++) {
        const row = plane + <usize>(kh * dilationH * paddedW) * 4;
        for (let kw = 0; kw < kernelW; kw++) {
          const src = row + <usize>(kw * dilationW) * 4;
          v128.store(dst, v128.load(src, 0), 0);
          v128.store(dst, v128.load(src, 16), 16);
          dst += GEMM_NR * 4;
        }
      }
    }
    return;
  }
  for (let c = 0; c < groupIn; c++) {
    const plane = source + <usize>c * planeFloats * 4;
    for (let kh = 0; kh < kernelH; kh++) {
      const row = plane + <usize>(kh * dilationH * paddedW) * 4;
      for (let kw = 0; kw < kernelW; kw++) {
        const src = row + <usize>(kw * dilationW) * 4;
        for (let j = 0; j < GEMM_NR; j++) {
          store<f32>(dst + <usize>j * 4, load<f32>(src + <usize>load<i32>(offsets + <usize>j * 4)));
        }
        dst += GEMM_NR * 4;
      }
    }
  }
}

/**
 * Scalar reference: the textbook six loops, padding by index mapping (no padded copy, no packing),
 * f32 accumulation in PyTorch's (c, kh, kw) order, bias added last. Tests compare fast paths to it.
 */
export function f32_conv2d_ref(
  input: usize, batch: i32, channels: i32, height: i32, width: i32,
  weight: usize, bias: usize, outChannels: i32, groups: i32,
  kernelH: i32, kernelW: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32,
  padTop: i32, padLeft: i32, padMode: i32,
  output: usize, outHeight: i32, outWidth: i32,
): void {
  const groupIn = channels / groups;
  const groupOut = outChannels / groups;
  for (let n = 0; n < batch; n++) {
    for (let oc = 0; oc < outChannels; oc++) {
      const g = oc / groupOut;
      for (let oy = 0; oy < outHeight; oy++) {
        for (let ox = 0; ox < outWidth; ox++) {
          let sum: f32 = 0;
          for (let c = 0; c < groupIn; c++) {
            const ic = g * groupIn + c;
            for (let kh = 0; kh < kernelH; kh++) {
              const iy = mapIndex(oy * strideH + kh * dilationH - padTop, height, padMode);
              if (iy < 0) continue;
              for (let kw = 0; kw < kernelW; kw++) {
                const ix = mapIndex(ox * strideW + kw * dilationW - padLeft, width, padMode);
                if (ix < 0) continue;
                const x = load<f32>(input + ((((<usize>n * channels + ic) * height) + iy) * width + ix) * 4);
                const w = load<f32>(weight + ((((<usize>oc * groupIn + c) * kernelH) + kh) * kernelW + kw) * 4);
                sum += x * w;
              }
            }
          }
          if (bias != 0) sum += load<f32>(bias + <usize>oc * 4);
          store<f32>(output + ((((<usize>n * outChannels + oc) * outHeight) + oy) * outWidth + ox) * 4, sum);
        }
      }
    }
  }
}
