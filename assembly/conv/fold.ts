// BatchNorm folding, a chunk of output channels at a time (issue #13's lean mode folds and packs per
// call instead of keeping folded weights): each output channel's weights scaled by gamma / sqrt(var + eps).

/**
 * dst[r * rowLen + i] = f32(f64(src[r * rowLen + i]) * scale[r]): rows of f32 times one f64 each,
 * rounded once to f32 — the bits of src/nn/fusion.ts's `foldedWeight[i] = weight[i] * scale` (a JS
 * f64 product stored to a Float32Array). `scale` holds `rows` f64; dst may be src.
 */
export function f32_scale_rows(src: usize, scale: usize, rows: i32, rowLen: i32, dst: usize): void {
  for (let r = 0; r < rows; r++) {
    const s = load<f64>(scale + <usize>r * 8);
    const vs = f64x2.splat(s);
    const from = src + <usize>r * rowLen * 4;
    const to = dst + <usize>r * rowLen * 4;
    let i = 0;
    for (; i + 4 <= rowLen; i += 4) {
      const v = v128.load(from + <usize>i * 4);
      const lo = f32x4.demote_f64x2_zero(f64x2.mul(f64x2.promote_low_f32x4(v), vs));
      const hi = f32x4.demote_f64x2_zero(f64x2.mul(f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3)), vs));
      v128.store(to + <usize>i * 4, v128.shuffle<f32>(lo, hi, 0, 1, 4, 5));
    }
    for (; i < rowLen; i++) store<f32>(to + <usize>i * 4, <f32>(<f64>load<f32>(from + <usize>i * 4) * s));
  }
}
