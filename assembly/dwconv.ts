// f32 depthwise 2-D convolution (groups == channels, any channel multiplier), NCHW.
// Each input plane is (mode-)padded once into the workspace; at stride 1 four output pixels of a
// row are one v128 per tap, otherwise (and for row tails) a scalar loop with the same sum order.

import { f32_pad2d } from "./pad";

export function f32_dwconv2d_workspace(height: i32, width: i32, padTop: i32, padBottom: i32, padLeft: i32, padRight: i32): f64 {
  return <f64>(height + padTop + padBottom) * (width + padLeft + padRight) * 4 + 64;
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
  const paddedW = width + padLeft + padRight;
  const taps = kernelH * kernelW;
  const outPlaneBytes = <usize>outHeight * outWidth * 4;
  const vmin = f32x4.splat(actMin);
  const vmax = f32x4.splat(actMax);
  const vectorEnd = strideW == 1 ? outWidth & ~3 : 0;
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
        for (let oy = 0; oy < outHeight; oy++) {
          const rowBase = plane + <usize>(oy * strideH * paddedW) * 4;
          const outRow = outPlane + <usize>oy * outWidth * 4;
          let ox = 0;
          for (; ox < vectorEnd; ox += 4) {
            let acc = f32x4.splat(0);
            for (let kh = 0; kh < kernelH; kh++) {
              const src = rowBase + <usize>(kh * dilationH * paddedW + ox) * 4;
              const w = kernel + <usize>(kh * kernelW) * 4;
              for (let kw = 0; kw < kernelW; kw++) {
                acc = f32x4.add(acc, f32x4.mul(v128.load32_splat(w + <usize>kw * 4), v128.load(src + <usize>(kw * dilationW) * 4)));
              }
            }
            acc = f32x4.add(acc, f32x4.splat(b));
            v128.store(outRow + <usize>ox * 4, f32x4.pmin(f32x4.pmax(acc, vmin), vmax));
          }
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
            // same clamp as the vector path: pmax/pmin semantics keep NaN
            sum = sum < actMin ? actMin : sum;
            sum = actMax < sum ? actMax : sum;
            store<f32>(outRow + <usize>ox * 4, sum);
          }
        }
      }
    }
  }
}
