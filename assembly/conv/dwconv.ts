// f32 depthwise 2-D convolution (groups == channels, any channel multiplier), NCHW.
// Each input plane is (mode-)padded, or copied, into the workspace, which has slack past its end.
// Output rows run 4 pixels per v128, the row's last partial vector included (its extra lanes read
// the slack and are not stored): at stride 1 a tap is one load, at stride 2 two loads and a
// shuffle, otherwise a 4-lane gather. 3x3 kernels keep their 9 weights in registers.

import { gather4 } from "../simd";
import { f32_activation } from "../elementwise/activation";
import { f32_pad2d } from "./pad";
import { scratch, SCRATCH_DW_TAIL } from "../scratch";

// floats of slack after the staged plane: the last row's last vector reads up to 3 * strideW + 8
// floats past the plane
// @ts-ignore: decorator
@inline function slackFloats(strideW: i32): i32 {
  return 3 * strideW + 16;
}

export function f32_dwconv2d_workspace(height: i32, width: i32, padTop: i32, padBottom: i32, padLeft: i32, padRight: i32, strideW: i32): f64 {
  return (<f64>(height + padTop + padBottom) * (width + padLeft + padRight) + slackFloats(strideW)) * 4 + 64;
}


// @ts-ignore: decorator
@inline function storePartial(out: usize, v: v128, count: i32): void {
  if (count >= 4) {
    v128.store(out, v);
    return;
  }
  v128.store(scratch(SCRATCH_DW_TAIL), v);
  memory.copy(out, scratch(SCRATCH_DW_TAIL), <usize>count * 4);
}

// four inputs at p, p + stride, p + 2 stride, p + 3 stride (floats)
// @ts-ignore: decorator
@inline function loadStrided(p: usize, stride: i32): v128 {
  if (stride == 1) return v128.load(p);
  if (stride == 2) return v128.shuffle<f32>(v128.load(p), v128.load(p, 16), 0, 2, 4, 6);
  return gather4(p, <usize>stride * 4);
}

export function f32_dwconv2d(
  input: usize, batch: i32, channels: i32, height: i32, width: i32,
  weight: usize, bias: usize, multiplier: i32,
  kernelH: i32, kernelW: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32,
  padTop: i32, padBottom: i32, padLeft: i32, padRight: i32, padMode: i32,
  output: usize, outHeight: i32, outWidth: i32,
  workspace: usize, actMinArg: f32, actMaxArg: f32, actKind: i32,
  unitStart: i32, unitEnd: i32,
): void {
  // actKind: f32_activation's kind, run over each output plane after it is written (0: the clamp
  // [actMin, actMax] in the kernel's stores). Units (issue #15): input planes n * channels + c
  // (each with its `multiplier` output planes); [unitStart, unitEnd) run here.
  const actMin: f32 = actKind == 0 ? actMinArg : -Infinity;
  const actMax: f32 = actKind == 0 ? actMaxArg : Infinity;
  const paddedH = height + padTop + padBottom;
  const paddedW = width + padLeft + padRight;
  const taps = kernelH * kernelW;
  const outPlaneBytes = <usize>outHeight * outWidth * 4;
  const planeBytes = <usize>paddedH * paddedW * 4;
  // the slack is read by the last partial vectors only; zeros keep those lanes finite
  memory.fill(workspace + planeBytes, 0, <usize>slackFloats(strideW) * 4);
  for (let unit = unitStart; unit < unitEnd; unit++) {
    const n = unit / channels;
    const c = unit - n * channels;
    const plane = workspace;
    f32_pad2d(input + (<usize>n * channels + c) * height * width * 4, plane, 1, height, width,
      padTop, padBottom, padLeft, padRight, padMode, 0);
    for (let m = 0; m < multiplier; m++) {
      const oc = c * multiplier + m;
      const kernel = weight + <usize>oc * taps * 4;
      const b: f32 = bias != 0 ? load<f32>(bias + <usize>oc * 4) : 0;
      const outPlane = output + (<usize>n * channels * multiplier + oc) * outPlaneBytes;
      if (kernelH == 3 && kernelW == 3) {
        // one inlined copy per common stride, so the loads' stride is a constant in the hot loop
        if (strideW == 1) dw3x3Plane(plane, paddedW, kernel, b, outPlane, outHeight, outWidth, strideH, 1, dilationH, dilationW, actMin, actMax);
        else if (strideW == 2) dw3x3Plane(plane, paddedW, kernel, b, outPlane, outHeight, outWidth, strideH, 2, dilationH, dilationW, actMin, actMax);
        else dw3x3Plane(plane, paddedW, kernel, b, outPlane, outHeight, outWidth, strideH, strideW, dilationH, dilationW, actMin, actMax);
        if (actKind != 0) f32_activation(outPlane, outPlane, outHeight * outWidth, actKind, actMinArg, actMaxArg);
        continue;
      }
      const vmin = f32x4.splat(actMin);
      const vmax = f32x4.splat(actMax);
      for (let oy = 0; oy < outHeight; oy++) {
        const rowBase = plane + <usize>(oy * strideH * paddedW) * 4;
        const outRow = outPlane + <usize>oy * outWidth * 4;
        for (let ox = 0; ox < outWidth; ox += 4) {
          let acc = f32x4.splat(0);
          for (let kh = 0; kh < kernelH; kh++) {
            const src = rowBase + <usize>(kh * dilationH * paddedW + ox * strideW) * 4;
            const w = kernel + <usize>(kh * kernelW) * 4;
            for (let kw = 0; kw < kernelW; kw++) {
              acc = f32x4.add(acc, f32x4.mul(v128.load32_splat(w + <usize>kw * 4), loadStrided(src + <usize>(kw * dilationW) * 4, strideW)));
            }
          }
          acc = f32x4.add(acc, f32x4.splat(b));
          storePartial(outRow + <usize>ox * 4, f32x4.pmin(f32x4.pmax(acc, vmin), vmax), outWidth - ox);
        }
      }
      if (actKind != 0) f32_activation(outPlane, outPlane, outHeight * outWidth, actKind, actMinArg, actMaxArg);
    }
  }
}

// one output plane of a 3x3 depthwise kernel, the 9 weights held in registers
// @ts-ignore: decorator
@inline function dw3x3Plane(
  plane: usize, paddedW: i32, kernel: usize, b: f32, outPlane: usize, outHeight: i32, outWidth: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, actMin: f32, actMax: f32,
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
    for (let ox = 0; ox < outWidth; ox += 4) {
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
      storePartial(outRow + <usize>ox * 4, f32x4.pmin(f32x4.pmax(acc, vmin), vmax), outWidth - ox);
    }
  }
}
