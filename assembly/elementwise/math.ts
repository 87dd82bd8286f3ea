// Vectorised f32x4 transcendental functions (Wasm has no exp, log, erf or tanh), each a few
// float32 ULP over its whole domain, NaN in -> NaN out, built from deterministic SIMD only so every
// runtime returns the same bits. Every function is @inline: a kernel's loop holds no calls.
//
// exp and log follow Cephes' expf/logf (range reduction by ln 2 split in two, Cody-Waite, then a
// minimax polynomial on the reduced argument); expm1 reuses exp's polynomial without the leading
// 1 (no cancellation for small x); tanh is expm1(2|x|) / (expm1(2|x|) + 2) with the sign put back;
// erf is Eigen's rational approximation below 2 and 1 - erfc (a fitted polynomial) above.

// @ts-ignore: decorator
@inline const LOG2E: f32 = 1.44269504088896341;
// ln 2 = LN2_HI + LN2_LO; LN2_HI has 9 significant bits, so n * LN2_HI is exact for |n| < 2^15
// @ts-ignore: decorator
@inline const LN2_HI: f32 = 0.693359375;
// @ts-ignore: decorator
@inline const LN2_LO: f32 = -2.12194440e-4;

/** e^r - 1 - r for |r| <= ln2 / 2, as r^2 * P(r) (Cephes expf's polynomial). */
// @ts-ignore: decorator
@inline function expTail(r: v128): v128 {
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  return f32x4.mul(p, f32x4.mul(r, r));
}

/** 2^n as floats, for integer lanes -126 <= n <= 127. */
// @ts-ignore: decorator
@inline function pow2(n: v128): v128 {
  return i32x4.shl(i32x4.add(n, i32x4.splat(127)), 23);
}

// Adding 1.5 * 2^23 rounds a float below 2^22 in magnitude to an integer (to nearest, ties to even,
// as f32x4.nearest) and leaves that integer in the low mantissa bits: n = bits(t + MAGIC) - bits(MAGIC),
// with neither nearest nor the costly trunc_sat (XNNPACK's exp kernels do the same)
// @ts-ignore: decorator
@inline const MAGIC: f32 = 12582912.0;

/**
 * e^x. Overflows to +inf above 88.7228, flushes to 0 below -103.97, subnormal results in between
 * (2^n is applied in two halves so neither leaves the normal range), NaN stays NaN.
 */
// @ts-ignore: decorator
@inline export function vexp(x: v128): v128 {
  // clamped so n fits the two halves; pmax/pmin keep NaN (their first operand)
  const xc = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-104.0)), f32x4.splat(89.0));
  const shifted = f32x4.add(f32x4.mul(xc, f32x4.splat(LOG2E)), f32x4.splat(MAGIC));
  const nf = f32x4.sub(shifted, f32x4.splat(MAGIC));
  const r = f32x4.sub(f32x4.sub(xc, f32x4.mul(nf, f32x4.splat(LN2_HI))), f32x4.mul(nf, f32x4.splat(LN2_LO)));
  const p = f32x4.add(f32x4.add(expTail(r), r), f32x4.splat(1.0));
  const n = i32x4.sub(shifted, f32x4.splat(MAGIC));
  const half = i32x4.shr_s(n, 1);
  return f32x4.mul(f32x4.mul(p, pow2(half)), pow2(i32x4.sub(n, half)));
}

/**
 * e^-x with 2^n one float: -x clamped to [-87.33, 89], so below -87.33 it stays near 2^-126 instead
 * of going subnormal, and from 88.38 on (n = 128: 2^n is the bit pattern of inf) it is +inf, where
 * e^-x is finite up to 88.72. For SiLU, whose x / (1 + e^-x) cannot tell: 1 + 1e-38 is 1, and
 * x / inf is the -0 PyTorch gives from x / (1 + 3e38) = x / inf for x < -88.72 anyway. Five
 * operations fewer than vexp, and e^r is a degree-5 polynomial (XNNPACK's rr2_p5 minimax
 * coefficients: a few float32 ULP instead of Cephes' 1, far inside SiLU's 1e-6 abs + 1e-5 rel),
 * four operations fewer again. No negation of x: the clamp is mirrored ([-89, 87.33] on x), the
 * reduction formed as t = -r, the polynomial in r = -t as c_k - t p; rounding is symmetric in sign,
 * so the bits are those of the formula on -x (measured 0.84x the time of negating x first).
 */
// @ts-ignore: decorator
@inline export function vexpNormalNeg(x: v128): v128 {
  const xc = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-89.0)), f32x4.splat(87.33));
  const shifted = f32x4.add(f32x4.mul(xc, f32x4.splat(-LOG2E)), f32x4.splat(MAGIC));
  const nf = f32x4.sub(shifted, f32x4.splat(MAGIC));
  const t = f32x4.add(f32x4.add(xc, f32x4.mul(nf, f32x4.splat(LN2_HI))), f32x4.mul(nf, f32x4.splat(LN2_LO)));
  let p = f32x4.splat(8.289290592074394e-3);
  p = f32x4.sub(f32x4.splat(4.189782217144966e-2), f32x4.mul(p, t));
  p = f32x4.sub(f32x4.splat(1.6667652130126953e-1), f32x4.mul(p, t));
  p = f32x4.sub(f32x4.splat(4.999915063381195e-1), f32x4.mul(p, t));
  p = f32x4.sub(f32x4.splat(9.999997019767761e-1), f32x4.mul(p, t));
  p = f32x4.sub(f32x4.splat(1.0), f32x4.mul(p, t));
  return f32x4.mul(p, i32x4.shl(i32x4.sub(shifted, f32x4.splat(MAGIC - 127.0)), 23));
}

/**
 * e^x - 1 without cancellation near 0: with x = n ln2 + r, 2^n (e^r - 1) + (2^n - 1), where
 * 2^n - 1 is exact for the n used. Valid for x <= 20 (larger x are clamped: callers, tanh and ELU's
 * negative branch, never need more); below -40 the result is -1.
 */
// @ts-ignore: decorator
@inline export function vexpm1(x: v128): v128 {
  const xc = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-40.0)), f32x4.splat(20.0));
  const shifted = f32x4.add(f32x4.mul(xc, f32x4.splat(LOG2E)), f32x4.splat(MAGIC));
  const nf = f32x4.sub(shifted, f32x4.splat(MAGIC));
  const r = f32x4.sub(f32x4.sub(xc, f32x4.mul(nf, f32x4.splat(LN2_HI))), f32x4.mul(nf, f32x4.splat(LN2_LO)));
  const em = f32x4.add(expTail(r), r);
  const scale = i32x4.shl(i32x4.sub(shifted, f32x4.splat(MAGIC - 127.0)), 23);
  return f32x4.add(f32x4.mul(scale, em), f32x4.sub(scale, f32x4.splat(1.0)));
}

/** tanh(x) = sign(x) e / (e + 2), e = expm1(2|x|); |x| clamped at 9.5 where tanh rounds to 1. */
// @ts-ignore: decorator
@inline export function vtanh(x: v128): v128 {
  const ax = f32x4.pmin(f32x4.abs(x), f32x4.splat(9.5));
  const e = vexpm1(f32x4.add(ax, ax));
  const t = f32x4.div(e, f32x4.add(e, f32x4.splat(2.0)));
  // the sign bit of x (also of -0)
  return v128.or(t, v128.and(x, f32x4.splat(-0.0)));
}

/**
 * Natural log for x >= 0 (and +inf, NaN): x = m 2^e with m in [sqrt(1/2), sqrt(2)), then Cephes
 * logf's polynomial in m - 1. Subnormal x are scaled by 2^23 first; log(0) = -inf, log(x < 0) = NaN.
 */
// @ts-ignore: decorator
@inline export function vlog(x: v128): v128 {
  const tiny = f32x4.lt(x, f32x4.splat(1.17549435e-38));
  const xs = v128.bitselect(f32x4.mul(x, f32x4.splat(8388608.0)), x, tiny);
  let e = f32x4.convert_i32x4_s(i32x4.sub(i32x4.shr_u(xs, 23), i32x4.splat(126)));
  e = f32x4.sub(e, v128.and(tiny, f32x4.splat(23.0)));
  // mantissa in [0.5, 1)
  let m = v128.or(v128.and(xs, i32x4.splat(0x007fffff)), i32x4.splat(0x3f000000));
  const low = f32x4.lt(m, f32x4.splat(0.707106781186547524));
  // m < sqrt(1/2): use 2m - 1 and e - 1, else m - 1
  e = f32x4.sub(e, v128.and(low, f32x4.splat(1.0)));
  m = f32x4.sub(f32x4.add(m, v128.and(low, m)), f32x4.splat(1.0));
  const z = f32x4.mul(m, m);
  let p = f32x4.splat(7.0376836292e-2);
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(-1.1514610310e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(1.1676998740e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(-1.2420140846e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(1.4249322787e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(-1.6668057665e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(2.0000714765e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(-2.4999993993e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(3.3333331174e-1));
  let y = f32x4.mul(f32x4.mul(p, m), z);
  y = f32x4.add(y, f32x4.mul(e, f32x4.splat(LN2_LO)));
  y = f32x4.sub(y, f32x4.mul(z, f32x4.splat(0.5)));
  let result = f32x4.add(f32x4.add(m, y), f32x4.mul(e, f32x4.splat(LN2_HI)));
  // the edges: +inf and NaN pass through, 0 -> -inf, negative -> NaN
  const pass = v128.or(f32x4.ne(x, x), f32x4.eq(x, f32x4.splat(Infinity)));
  result = v128.bitselect(x, result, pass);
  result = v128.bitselect(f32x4.splat(-Infinity), result, f32x4.eq(x, f32x4.splat(0.0)));
  return v128.bitselect(f32x4.splat(NaN), result, f32x4.lt(x, f32x4.splat(0.0)));
}

/**
 * log(1 + y) for y >= 0 (and +inf, NaN), given u = 1 + y and log(u): log(u) + (y - (u - 1)) / u
 * (the rounding of u corrected). The caller takes log(u) from vlog or a shared copy of it.
 */
// @ts-ignore: decorator
@inline export function vlog1pFrom(y: v128, u: v128, logU: v128): v128 {
  const correction = f32x4.div(f32x4.sub(y, f32x4.sub(u, f32x4.splat(1.0))), u);
  // u = inf makes the correction inf/inf
  return v128.bitselect(u, f32x4.add(logU, correction), f32x4.eq(u, f32x4.splat(Infinity)));
}

/**
 * erf(x), odd (erf(-0) = -0), NaN kept. |x| < 2: x P(x^2) / Q(x^2) (Eigen's generic_fast_erf_float,
 * the quotient formed first so tiny x keep their precision); 2 <= |x|: 1 - erfc(|x|), erfc from a
 * degree-11 fit in t = |x| - 3 on [2, 4] (abs error 1.3e-9, fitted by tests/fixtures/ops/activation.py's
 * notes), |x| clamped at 4 where erf rounds to 1. Near +-1 the rational alone was 5 ULP off.
 */
// @ts-ignore: decorator
@inline export function verf(x: v128): v128 {
  const ax = f32x4.pmin(f32x4.abs(x), f32x4.splat(4.0));
  const z = f32x4.mul(ax, ax);
  let p = f32x4.splat(-2.72614225801306e-10);
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(2.77068142495902e-08));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-2.10102402082508e-06));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-5.69250639462346e-05));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-7.34990630326855e-04));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-2.95459980854025e-03));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-1.60960333262415e-02));
  let q = f32x4.splat(-1.45660718464996e-05);
  q = f32x4.add(f32x4.mul(q, z), f32x4.splat(-2.13374055278905e-04));
  q = f32x4.add(f32x4.mul(q, z), f32x4.splat(-1.68282697438203e-03));
  q = f32x4.add(f32x4.mul(q, z), f32x4.splat(-7.37332916720468e-03));
  q = f32x4.add(f32x4.mul(q, z), f32x4.splat(-1.42647390514189e-02));
  // the sign of x goes back on at the end (NaN: near is NaN, its sign bit or-ed in)
  const near = f32x4.mul(ax, f32x4.div(p, q));
  // the tail's polynomial only where a lane needs it (GELU's inputs mostly stay below 2: ~40% of erf)
  const far = f32x4.ge(ax, f32x4.splat(2.0));
  if (!v128.any_true(far)) return v128.or(near, v128.and(x, f32x4.splat(-0.0)));
  return v128.or(v128.bitselect(erfTail(ax), near, far), v128.and(x, f32x4.splat(-0.0)));
}

/** 1 - erfc(ax) for 2 <= ax <= 4 (see verf). */
function erfTail(ax: v128): v128 {
  const t = f32x4.sub(ax, f32x4.splat(3.0));
  let c = f32x4.splat(9.46706859394908e-06);
  c = f32x4.add(f32x4.mul(c, t), f32x4.splat(-2.2117455955594778e-05));
  c = f32x4.add(f32x4.mul(c, t), f32x4.splat(-1.1896927389898337e-05));
  c = f32x4.add(f32x4.mul(c, t), f32x4.splat(0.0001411229750374332));
  c = f32x4.add(f32x4.mul(c, t), f32x4.splat(-0.00039187708171084523));
  c = f32x4.add(f32x4.mul(c, t), f32x4.splat(0.0007350004161708057));
  c = f32x4.add(f32x4.mul(c, t), f32x4.splat(-0.0010161498794332147));
  c = f32x4.add(f32x4.mul(c, t), f32x4.splat(0.0010450755944475532));
  c = f32x4.add(f32x4.mul(c, t), f32x4.splat(-0.0007891516434028745));
  c = f32x4.add(f32x4.mul(c, t), f32x4.splat(0.00041770306415855885));
  c = f32x4.add(f32x4.mul(c, t), f32x4.splat(-0.00013925119128543884));
  c = f32x4.add(f32x4.mul(c, t), f32x4.splat(2.2091257051215507e-05));
  return f32x4.sub(f32x4.splat(1.0), c);
}
