// Batch normalisation pieces: per-channel statistics (training) and the per-channel affine
// transform y = x * scale[c] + shift[c] that eval-mode BatchNorm (and train-mode after the
// statistics) reduces to, with an optional clamp for a fused ReLU/ReLU6.

/**
 * Mean and biased variance of each channel of [N, C, HW] over N*HW values, accumulated in f64
 * (PyTorch's CPU accumulation type for float), two passes. Writes f64 mean[C] and variance[C] of
 * channels [channelStart, channelEnd) (threads: each channel's whole reduction stays in one call).
 */
export function f32_channel_stats(input: usize, batch: i32, channels: i32, spatial: i32, mean: usize, variance: usize,
  channelStart: i32, channelEnd: i32): void {
  const count = <f64>batch * spatial;
  for (let c = channelStart; c < channelEnd; c++) {
    let sum: f64 = 0;
    for (let n = 0; n < batch; n++) {
      const plane = input + (<usize>n * channels + c) * spatial * 4;
      for (let i = 0; i < spatial; i++) sum += <f64>load<f32>(plane + <usize>i * 4);
    }
    const m = sum / count;
    let squares: f64 = 0;
    for (let n = 0; n < batch; n++) {
      const plane = input + (<usize>n * channels + c) * spatial * 4;
      for (let i = 0; i < spatial; i++) {
        const d = <f64>load<f32>(plane + <usize>i * 4) - m;
        squares += d * d;
      }
    }
    store<f64>(mean + <usize>c * 8, m);
    store<f64>(variance + <usize>c * 8, squares / count);
  }
}

/**
 * output[n, c, i] = clamp(input[n, c, i] * scale[c] + shift[c], actMin, actMax) over the planes
 * n * channels + c in [planeStart, planeEnd) (threads); output may alias input.
 */
export function f32_channel_affine(
  input: usize, output: usize, channels: i32, spatial: i32,
  scale: usize, shift: usize, actMin: f32, actMax: f32, planeStart: i32, planeEnd: i32,
): void {
  const vmin = f32x4.splat(actMin);
  const vmax = f32x4.splat(actMax);
  for (let p = planeStart; p < planeEnd; p++) {
    const c = p % channels;
    const offset = <usize>p * spatial * 4;
    const src = input + offset;
    const dst = output + offset;
    const a = load<f32>(scale + <usize>c * 4);
    const b = load<f32>(shift + <usize>c * 4);
    const va = f32x4.splat(a);
    const vb = f32x4.splat(b);
    let i = 0;
    for (; i + 4 <= spatial; i += 4) {
      const v = f32x4.add(f32x4.mul(v128.load(src + <usize>i * 4), va), vb);
      v128.store(dst + <usize>i * 4, f32x4.pmin(f32x4.pmax(v, vmin), vmax));
    }
    for (; i < spatial; i++) {
      let v = load<f32>(src + <usize>i * 4) * a + b;
      v = v < actMin ? actMin : v;
      v = actMax < v ? actMax : v;
      store<f32>(dst + <usize>i * 4, v);
    }
  }
}
