// Mean and biased variance of a contiguous run of floats: the statistics pass that LayerNorm,
// GroupNorm and InstanceNorm share.
//
// Method: the corrected two-pass algorithm (Chan, Golub & LeVeque, "Algorithms for computing the
// sample variance", 1983). Pass 1 sums x; pass 2 sums d = x - m and d^2 around the pass-1 mean m
// (rounded to float), and corrects with them: mean = m + S1/n, var = S2/n - (S1/n)^2.
// Why this and not Welford or one pass of sums:
// - the squared deviations are summed around the mean itself, so the variance's error does not
//   grow with |mean| / std (one-pass E[x^2] - E[x]^2 loses (mean/std)^2 of its precision);
//   the correction term makes a constant run exact (var = 0, mean = the value) and removes the
//   float rounding of m;
// - the sums run in f32x4 lanes flushed into f64 every 256 floats, so each lane adds at most 16
//   terms in float: the rounding is ~2^-20 of the run's magnitude, below PyTorch's float Welford;
// - no division per element (which SIMD Welford needs), and cheap: pass 1 is a load and an add per
//   4 floats, pass 2 a load, a subtraction, a multiply and two adds; pass 2 and the normalisation
//   after it read the run from L1 for runs up to ~32 KB (GroupNorm(32, 256) at 28x28: 25 KB).
// Squares past float's range (|x - mean| > 1.8e19) overflow pass 2; that run is then re-summed in
// f64, so a row of ~1e30 still normalises (PyTorch's float statistics return NaN there).
// PyTorch's CPU LayerNorm/GroupNorm use a cascaded Welford in float (at::native::RowwiseMoments),
// so the two agree within float32 rounding of the statistics, not bit for bit.

// results of the last moments() call (AssemblyScript has no tuples)
export let momentsMean: f64 = 0;
export let momentsVariance: f64 = 0;

const BLOCK: usize = 256;   // floats per f32 partial sum (16 per lane of 4 accumulators x 4 lanes)

// @ts-ignore: decorator
@inline function lanesToF64(v: v128): f64 {
  const d = f64x2.add(f64x2.promote_low_f32x4(v), f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3)));
  return f64x2.extract_lane(d, 0) + f64x2.extract_lane(d, 1);
}

/**
 * Mean and biased variance of `count` (> 0) floats at `src` into momentsMean/momentsVariance.
 * Not inlined: one call per row or group costs nothing next to its loops, and one copy serves
 * LayerNorm and GroupNorm/InstanceNorm.
 */
export function moments(src: usize, count: usize): void {
  const whole = count & ~(<usize>15);
  // pass 1: sum(x), 16 floats an iteration into 4 independent accumulators
  let total: f64 = 0;
  let i: usize = 0;
  while (i < whole) {
    const end = min(whole, i + BLOCK);
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    for (; i < end; i += 16) {
      const p = src + i * 4;
      a0 = f32x4.add(a0, v128.load(p));
      a1 = f32x4.add(a1, v128.load(p, 16));
      a2 = f32x4.add(a2, v128.load(p, 32));
      a3 = f32x4.add(a3, v128.load(p, 48));
    }
    total += lanesToF64(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)));
  }
  for (; i < count; i++) total += <f64>load<f32>(src + i * 4);
  const n = <f64>count;
  const m = <f32>(total / n);

  // pass 2: sum(x - m) and sum((x - m)^2), 8 floats an iteration
  const vm = f32x4.splat(m);
  let sum: f64 = 0, squares: f64 = 0;
  const pairs = count & ~(<usize>7);
  i = 0;
  while (i < pairs) {
    const end = min(pairs, i + BLOCK / 2);
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0), q0 = f32x4.splat(0), q1 = f32x4.splat(0);
    for (; i < end; i += 8) {
      const p = src + i * 4;
      const d0 = f32x4.sub(v128.load(p), vm);
      const d1 = f32x4.sub(v128.load(p, 16), vm);
      s0 = f32x4.add(s0, d0);
      s1 = f32x4.add(s1, d1);
      q0 = f32x4.add(q0, f32x4.mul(d0, d0));
      q1 = f32x4.add(q1, f32x4.mul(d1, d1));
    }
    sum += lanesToF64(f32x4.add(s0, s1));
    squares += lanesToF64(f32x4.add(q0, q1));
  }
  for (; i < count; i++) {
    const d = load<f32>(src + i * 4) - m;
    sum += <f64>d;
    squares += <f64>(d * d);
  }
  if (squares == Infinity && sum - sum == 0) {
    // |x - m| past 1.8e19 overflowed a float square: the same sums in f64
    sum = 0;
    squares = 0;
    for (i = 0; i < count; i++) {
      const d = <f64>load<f32>(src + i * 4) - <f64>m;
      sum += d;
      squares += d * d;
    }
  }
  const offset = sum / n;
  const variance = squares / n - offset * offset;
  momentsMean = <f64>m + offset;
  // rounding can leave a hair below zero; NaN passes through (NaN < 0 is false)
  momentsVariance = variance < 0 ? 0 : variance;
}

/**
 * dst[i] = (src[i] - mean) * scale + shift for i < count (f32x4, then a scalar tail); dst may
 * alias src. Subtracting first (one more f32x4 op than a folded x * scale + shift, hidden behind
 * the store) keeps a constant run exactly at `shift` and large offsets from rounding at the
 * offset's magnitude.
 */
// @ts-ignore: decorator
@inline export function normalizeRun(src: usize, dst: usize, count: usize, mean: f32, scale: f32, shift: f32): void {
  const vm = f32x4.splat(mean);
  const va = f32x4.splat(scale);
  const vb = f32x4.splat(shift);
  let i: usize = 0;
  for (; i + 4 <= count; i += 4) {
    v128.store(dst + i * 4, f32x4.add(f32x4.mul(f32x4.sub(v128.load(src + i * 4), vm), va), vb));
  }
  for (; i < count; i++) store<f32>(dst + i * 4, (load<f32>(src + i * 4) - mean) * scale + shift);
}
