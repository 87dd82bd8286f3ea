// Mean and biased variance of a contiguous run of floats: the statistics pass that LayerNorm,
// GroupNorm and InstanceNorm share.
//
// Method: one pass of shifted sums in f64. With K = the run's first element, accumulate
// S1 = sum(x - K) and S2 = sum((x - K)^2) in f64x2 lanes; mean = K + S1/n, var = S2/n - (S1/n)^2.
// Why this and not f32 two-pass or Welford:
// - a difference of two f32 values and its square are (nearly) exact in f64, so the only error is
//   the f64 summation, ~n * 2^-53 relative: 2^29 times finer than an f32 sum, below the
//   quantisation of the f32 input itself for any row length and mean/std ratio a model produces;
// - the shift by K removes the mean's magnitude from the E[x^2] - E[x]^2 cancellation whenever the
//   first element is representative, and makes a constant run exactly (mean = K, var = 0);
// - one streaming pass (the normalise pass that follows reads the run again while it is in L1),
//   with no division per element (which SIMD Welford needs).
// PyTorch's CPU LayerNorm/GroupNorm use a cascaded Welford in float (at::native::RowwiseMoments),
// so the two agree within float32 rounding of the statistics, not bit for bit.

// results of the last moments() call (AssemblyScript has no tuples)
export let momentsMean: f64 = 0;
export let momentsVariance: f64 = 0;

/**
 * Mean and biased variance of `count` (> 0) floats at `src` into momentsMean/momentsVariance.
 * Not inlined: one call per row or group costs nothing next to its loop, and one copy serves
 * LayerNorm and GroupNorm/InstanceNorm.
 */
export function moments(src: usize, count: usize): void {
  const shift = <f64>load<f32>(src);
  const vshift = f64x2.splat(shift);
  let sumLo = f64x2.splat(0), sumHi = f64x2.splat(0);
  let sqLo = f64x2.splat(0), sqHi = f64x2.splat(0);
  let i: usize = 0;
  for (; i + 4 <= count; i += 4) {
    const v  = v128.load(src + i * 4);
    const lo = f64x2.sub(f64x2.promote_low_f32x4(v), vshift);
    const hi = f64x2.sub(f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3)), vshift);
    sumLo = f64x2.add(sumLo, lo);
    sumHi = f64x2.add(sumHi, hi);
    sqLo  = f64x2.add(sqLo, f64x2.mul(lo, lo));
    sqHi  = f64x2.add(sqHi, f64x2.mul(hi, hi));
  }
  const s = f64x2.add(sumLo, sumHi), q = f64x2.add(sqLo, sqHi);
  let sum = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  let squares = f64x2.extract_lane(q, 0) + f64x2.extract_lane(q, 1);
  for (; i < count; i++) {
    const d = <f64>load<f32>(src + i * 4) - shift;
    sum += d;
    squares += d * d;
  }
  const n = <f64>count;
  const offset = sum / n;
  const variance = squares / n - offset * offset;
  momentsMean = shift + offset;
  // rounding can leave a hair below zero; NaN passes through (NaN > 0 is false, so keep it)
  momentsVariance = variance < 0 ? 0 : variance;
}

/** dst[i] = src[i] * scale + shift for i < count (f32x4, then a scalar tail); dst may alias src. */
// @ts-ignore: decorator
@inline export function affineRun(src: usize, dst: usize, count: usize, scale: f32, shift: f32): void {
  const va = f32x4.splat(scale);
  const vb = f32x4.splat(shift);
  let i: usize = 0;
  for (; i + 4 <= count; i += 4) {
    v128.store(dst + i * 4, f32x4.add(f32x4.mul(v128.load(src + i * 4), va), vb));
  }
  for (; i < count; i++) store<f32>(dst + i * 4, load<f32>(src + i * 4) * scale + shift);
}
