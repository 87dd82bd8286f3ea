// Interleaving for the transposed convolution's phase decomposition (src/functional/conv_transpose.ts).
//
// A stride-(sH, sW) transposed convolution is sH x sW ordinary convolutions, one per output phase
// (rows a, a + sH, ...; columns b, b + sW, ...), each run by the GEMM. Their outputs are merged back
// into the output here. Stride 2 in width (U-Net up-convolutions) interleaves two phase rows with
// SIMD shuffles: 2 loads and 2 stores per 8 output floats. Other widths use f32_phase_merge (pad.ts).

/**
 * Phases (a, 0) and (a, 1) of stride-2 columns -> rows a, a + stepH, ... of [planes, height, width].
 * src0 is [planes, phaseH, width0] (columns 0, 2, 4, ...), src1 [planes, phaseH, width1] (columns
 * 1, 3, ...), width0 = ceil(width / 2), width1 = floor(width / 2).
 */
export function f32_phase_merge_w2(
  src0: usize, src1: usize, planes: i32, phaseH: i32, width0: i32, width1: i32,
  stepH: i32, a: i32, output: usize, height: i32, width: i32,
): void {
  const quads = width1 >> 2;   // 4 pairs (8 output floats) per step
  for (let p = 0; p < planes; p++) {
    let row0 = src0 + <usize>p * phaseH * width0 * 4;
    let row1 = src1 + <usize>p * phaseH * width1 * 4;
    const plane = output + <usize>p * height * width * 4;
    for (let i = 0; i < phaseH; i++) {
      const dst = plane + <usize>(a + i * stepH) * width * 4;
      let s0 = row0, s1 = row1, d = dst;
      for (let q = 0; q < quads; q++) {
        const even = v128.load(s0);
        const odd = v128.load(s1);
        v128.store(d, v128.shuffle<f32>(even, odd, 0, 4, 1, 5));
        v128.store(d, v128.shuffle<f32>(even, odd, 2, 6, 3, 7), 16);
        s0 += 16;
        s1 += 16;
        d += 32;
      }
      for (let j = quads << 2; j < width1; j++) {
        store<f32>(dst + <usize>(2 * j) * 4, load<f32>(row0 + <usize>j * 4));
        store<f32>(dst + <usize>(2 * j + 1) * 4, load<f32>(row1 + <usize>j * 4));
      }
      if (width0 > width1) store<f32>(dst + <usize>(width - 1) * 4, load<f32>(row0 + <usize>(width0 - 1) * 4));
      row0 += <usize>width0 * 4;
      row1 += <usize>width1 * 4;
    }
  }
}

/**
 * Phase positions no kernel tap reaches (a stride larger than the kernel): rows a + i stepH,
 * columns b + j stepW of each [height, width] plane are the plane's bias (or 0 without one).
 * planes = batch * channels; plane p takes bias[p % channels].
 */
export function f32_phase_fill(
  bias: usize, planes: i32, channels: i32, stepH: i32, stepW: i32, a: i32, b: i32,
  output: usize, height: i32, width: i32,
): void {
  for (let p = 0; p < planes; p++) {
    const value: f32 = bias != 0 ? load<f32>(bias + <usize>(p % channels) * 4) : 0;
    const plane = output + <usize>p * height * width * 4;
    for (let y = a; y < height; y += stepH) {
      const row = plane + <usize>y * width * 4;
      for (let x = b; x < width; x += stepW) store<f32>(row + <usize>x * 4, value);
    }
  }
}
