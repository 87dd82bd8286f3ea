// Local response normalisation across channels, with PyTorch's arithmetic
// (torch/nn/functional.py local_response_norm: x / (avg_pool3d(pad(x^2)) * alpha + k) ** beta):
// the window sum runs in float from the lowest channel up, as avg_pool3d's loop over a
// zero-padded window does (adding the padding's +0 changes nothing), is divided by `size`
// (count_include_pad), then * alpha + k and ** beta in float (beta's special values as
// aten's pow_tensor_scalar: 0.5 sqrt, -0.5 rsqrt, -1 reciprocal, 2/3/-2 products, 0 and 1 exact).
// A compact scalar kernel: LRN is an AlexNet/GoogLeNet-era op, off today's hot paths.

// @ts-ignore: decorator
@inline function powScalar(x: f32, beta: f32): f32 {
  if (beta == 1) return x;
  if (beta == 0) return 1;
  if (beta == 2) return x * x;
  if (beta == 3) return x * x * x;
  if (beta == 0.5) return Mathf.sqrt(x);
  if (beta == -0.5) return 1 / Mathf.sqrt(x);
  if (beta == -1) return 1 / x;
  if (beta == -2) return 1 / (x * x);
  return Mathf.pow(x, beta);
}

/**
 * input/output [batch, channels, spatial]; window: channels c - size/2 .. c + (size-1)/2. Writes
 * the output planes n * channels + c in [planeStart, planeEnd) (threads).
 */
export function f32_local_response_norm(
  input: usize, output: usize, channels: i32, spatial: i32,
  size: i32, alpha: f32, beta: f32, k: f32, planeStart: i32, planeEnd: i32,
): void {
  const before = size / 2;
  const after = (size - 1) / 2;
  const plane = <usize>spatial * 4;
  const divisor = <f32>size;
  for (let p = planeStart; p < planeEnd; p++) {
    const n = p / channels;
    const c = p - n * channels;
    const image = input + <usize>n * <usize>channels * plane;
    const result = output + <usize>n * <usize>channels * plane;
    const first = max(c - before, 0);
    const last = min(c + after, channels - 1);
    for (let i: usize = 0; i < <usize>spatial; i++) {
      let sum: f32 = 0;
      for (let j = first; j <= last; j++) {
        const v = load<f32>(image + <usize>j * plane + i * 4);
        sum += v * v;
      }
      const div = powScalar(sum / divisor * alpha + k, beta);
      store<f32>(result + <usize>c * plane + i * 4, load<f32>(image + <usize>c * plane + i * 4) / div);
    }
  }
}
