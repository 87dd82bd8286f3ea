// f32 depthwise 2-D convolution (groups == channels, any channel multiplier), NCHW.
// Each input plane is (mode-)padded once into the workspace. Output rows run 4 pixels per v128:
// at stride 1 a tap is one load, at stride 2 two loads and a shuffle, otherwise a 4-lane gather.
// 3x3 kernels keep their 9 weights in registers. Every path sums the taps in the same order
// (bias last), so the vector and scalar tails agree bit for bit.

import { f32_pad2d } from "./pad";

export function f32_dwconv2d_workspace(height: i32, width: i32, padTop: i32, padBottom: i32, padLeft: i32, padRight: i32): f64 {
  // + 16 floats of slack: the stride-2 loads read up to 4 floats past a row's last used column
  return <f64>(height + padTop + padBottom) * (width + padLeft + padRight) * 4 + 128;
}

// four inputs at p, p + stride, p + 2 stride, p + 3 stride (floats)
// @ts-ignore: decorator
@inline function loadStrided(p: usize, stride: i32): v128 {
  if (stride == 1) return v128.load(p);
  if (stride == 2) return v128.shuffle<f32>(v128.load(p), v128.load(p, 16), 0, 2, 4, 6);
  const step = <usize>stride * 4;
  let v = f32x4.splat(load<f32>(p));
  v = f32x4.replace_lane(v, 1, load<f32>(p + step));
  v = f32x4.replace_lane(v, 2, load<f32>(p + 2 * step));
  return f32x4.replace_lane(v, 3, load<f32>(p + 3 * step));
}

export function f32_dwconv2d(
  input: usize, batch: i32, channels: i32, height: i32, width: i32,
  weight: usize, bias: usize, multiplier: i32,
  kernelH: i32, kernelW: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32,
  padTop: i32, padBottom: i32, padLeft: i32, padRight: i32, padMode: i32,
  output: usize, outHeight: i32, outWidth: i32,
  workspace: usize, actMin: f32, actMax: f32,
): void {
  const padded = (padTop | padBottom | padLeft | padRight) != 0;
  const paddedH = height + padTop + padBottom;
  const paddedW = width + padLeft + padRight;
  const taps = kernelH * kernelW;
  const outPlaneBytes = <usize>outHeight * outWidth * 4;
  // the last vector's stride-2 loads read 8 floats from its first tap: stay inside the plane
  // (+ the workspace's slack when padded; unpadded planes use the scalar tail near the end)
  const vectorEnd = strideW == 2 && !padded ? max(0, min(outWidth, (paddedW - 8 - (kernelW - 1) * dilationW) / 2 + 1)) & ~3 : outWidth & ~3;
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) {
      let plane = input + (<usize>n * channels + c) * height * width * 4;
      if (padded) {
        f32_pad2d(plane, workspace, 1, height, width, padTop, padBottom, padLeft, padRight, padMode, 0);
        plane = workspace;
      }
      for (let m = 0; m < multiplier; m++) {
        const oc = c * multiplier + m;
        const kernel = weight + <usize>oc * taps * 4;
        const b: f32 = bias != 0 ? load<f32>(bias + <usize>oc * 4) : 0;
        const outPlane = output + (<usize>n * channels * multiplier + oc) * outPlaneBytes;
        if (kernelH == 3 && kernelW == 3) {
          dw3x3Plane(plane, paddedW, kernel, b, outPlane, outHeight, outWidth, strideH, strideW, dilationH, dilationW, vectorEnd, actMin, actMax);
          continue;
        }
        const vmin = f32x4.splat(actMin);
        const vmax = f32x4.splat(actMax);
        for (let oy = 0; oy < outHeight; oy++) {
          const rowBase = plane + <usize>(oy * strideH * paddedW) * 4;
          const outRow = outPlane + <usize>oy * outWidth * 4;
          let ox = 0;
          for (; ox < vectorEnd; ox += 4) {
            let acc = f32x4.splat(0);
            for (let kh = 0; kh < kernelH; kh++) {
              const src = rowBase + <usize>(kh * dilationH * paddedW + ox * strideW) * 4;
              const w = kernel + <usize>(kh * kernelW) * 4;
              for (let kw = 0; kw < kernelW; kw++) {
                acc = f32x4.add(acc, f32x4.mul(v128.load32_splat(w + <usize>kw * 4), loadStrided(src + <usize>(kw * dilationW) * 4, strideW)));
              }
            }
            acc = f32x4.add(acc, f32x4.splat(b));
            v128.store(outRow + <usize>ox * 4, f32x4.pmin(f32x4.pmax(acc, vmin), vmax));
          }
          scalarTail(rowBase, paddedW, kernel, kernelH, kernelW, b, outRow, ox, outWidth, strideW, dilationH, dilationW, actMin, actMax);
        }
      }
    }
  }
}

// one output plane of a 3x3 depthwise kernel, the 9 weights held in registers
// @ts-ignore: decorator
@inline function dw3x3Plane(
  plane: usize, paddedW: i32, kernel: usize, b: f32, outPlane: usize, outHeight: i32, outWidth: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, vectorEnd: i32, actMin: f32, actMax: f32,
): void {
  const w0 = v128.load32_splat(kernel, 0), w1 = v128.load32_splat(kernel, 4), w2 = v128.load32_splat(kernel, 8);
  const w3 = v128.load32_splat(kernel, 12), w4 = v128.load32_splat(kernel, 16), w5 = v128.load32_splat(kernel, 20);
  const w6 = v128.load32_splat(kernel, 24), w7 = v128.load32_splat(kernel, 28), w8 = v128.load32_splat(kernel, 32);
  const vb = f32x4.splat(b);
  const vmin = f32x4.splat(actMin);
  const vmax = f32x4.splat(actMax);
  const rowStep = <usize>(dilationH * paddedW) * 4;
  const tapStep = <usize>dilationW * 4;
  for (let oy = 0; oy < outHeight; oy++) {
    const rowBase = plane + <usize>(oy * strideH * paddedW) * 4;
    const outRow = outPlane + <usize>oy * outWidth * 4;
    let ox = 0;
    for (; ox < vectorEnd; ox += 4) {
      const r0 = rowBase + <usize>(ox * strideW) * 4;
      const r1 = r0 + rowStep;
      const r2 = r1 + rowStep;
      let acc = f32x4.mul(w0, loadStrided(r0, strideW));
      acc = f32x4.add(acc, f32x4.mul(w1, loadStrided(r0 + tapStep, strideW)));
      acc = f32x4.add(acc, f32x4.mul(w2, loadStrided(r0 + 2 * tapStep, strideW)));
      acc = f32x4.add(acc, f32x4.mul(w3, loadStrided(r1, strideW)));
      acc = f32x4.add(acc, f32x4.mul(w4, loadStrided(r1 + tapStep, strideW)));
      acc = f32x4.add(acc, f32x4.mul(w5, loadStrided(r1 + 2 * tapStep, strideW)));
      acc = f32x4.add(acc, f32x4.mul(w6, loadStrided(r2, strideW)));
      acc = f32x4.add(acc, f32x4.mul(w7, loadStrided(r2 + tapStep, strideW)));
      acc = f32x4.add(acc, f32x4.mul(w8, loadStrided(r2 + 2 * tapStep, strideW)));
      acc = f32x4.add(acc, vb);
      v128.store(outRow + <usize>ox * 4, f32x4.pmin(f32x4.pmax(acc, vmin), vmax));
    }
    scalarTail(rowBase, paddedW, kernel, 3, 3, b, outRow, ox, outWidth, strideW, dilationH, dilationW, actMin, actMax);
  }
}

// outputs [ox, outWidth) of a row, one at a time, in the vector paths' summation order
// @ts-ignore: decorator
@inline function scalarTail(
  rowBase: usize, paddedW: i32, kernel: usize, kernelH: i32, kernelW: i32, b: f32, outRow: usize,
  ox: i32, outWidth: i32, strideW: i32, dilationH: i32, dilationW: i32, actMin: f32, actMax: f32,
): void {
  for (; ox < outWidth; ox++) {
    let sum: f32 = 0;
    for (let kh = 0; kh < kernelH; kh++) {
      const src = rowBase + <usize>(kh * dilationH * paddedW + ox * strideW) * 4;
      const w = kernel + <usize>(kh * kernelW) * 4;
      for (let kw = 0; kw < kernelW; kw++) {
        sum += load<f32>(w + <usize>kw * 4) * load<f32>(src + <usize>(kw * dilationW) * 4);
      }
    }
    sum += b;
    // the vector path's clamp: pmax/pmin semantics keep NaN
    sum = sum < actMin ? actMin : sum;
    sum = actMax < sum ? actMax : sum;
    store<f32>(outRow + <usize>ox * 4, sum);
  }
}
