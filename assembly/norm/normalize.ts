// F.normalize: x / max(||x||_p, eps) along one dim of [outer, reduce, inner]. The norm accumulates
// in float, as PyTorch's CPU norm kernel for float input does (so 3e20 overflows to inf there as
// here and the result is 0 alike); PyTorch's reductions: p=0 counts non-zeros, 1 sums |x|, 2 sums
// x^2 then sqrt, +-inf take max/min |x| (NaN propagating), any other p sums |x|^p then ^(1/p).

const KIND_ZERO = 0, KIND_ONE = 1, KIND_TWO = 2, KIND_MAX = 3, KIND_MIN = 4, KIND_POW = 5;

// @ts-ignore: decorator
@inline function start(kind: i32): f32 {
  return kind == KIND_MIN ? Infinity : 0;
}

// @ts-ignore: decorator
@inline function step(kind: i32, acc: f32, x: f32, p: f32): f32 {
  const a = Mathf.abs(x);
  if (kind == KIND_ZERO) return acc + (x != 0 ? 1 : 0);
  if (kind == KIND_ONE) return acc + a;
  if (kind == KIND_TWO) return acc + x * x;
  if (kind == KIND_MAX) return a > acc || isNaN(a) ? a : acc;   // NaN sticks: nothing exceeds it
  if (kind == KIND_MIN) return a < acc || isNaN(a) ? a : acc;
  return acc + Mathf.pow(a, p);
}

// @ts-ignore: decorator
@inline function stepV(kind: i32, acc: v128, x: v128): v128 {
  const a = f32x4.abs(x);
  if (kind == KIND_ZERO) return f32x4.add(acc, v128.and(f32x4.ne(x, f32x4.splat(0)), f32x4.splat(1)));
  if (kind == KIND_ONE) return f32x4.add(acc, a);
  if (kind == KIND_TWO) return f32x4.add(acc, f32x4.mul(x, x));
  if (kind == KIND_MAX) return f32x4.max(acc, a);   // Wasm's max/min propagate NaN
  return f32x4.min(acc, a);
}

// @ts-ignore: decorator
@inline function finish(kind: i32, acc: f32, p: f32, eps: f32): f32 {
  let norm = acc;
  if (kind == KIND_TWO) norm = Mathf.sqrt(acc);
  else if (kind == KIND_POW) norm = Mathf.pow(acc, 1 / p);
  return isNaN(norm) || norm >= eps ? norm : eps;   // clamp_min(eps), NaN kept
}

/** Norms of each row of `count` contiguous floats (inner == 1), 4 lanes then a scalar tail. */
// @ts-ignore: decorator
@inline function normalizeRows(kind: i32, input: usize, output: usize, rows: usize, count: usize, p: f32, eps: f32): void {
  for (let r: usize = 0; r < rows; r++) {
    const src = input + r * count * 4;
    const dst = output + r * count * 4;
    let i: usize = 0;
    let acc = start(kind);
    if (kind != KIND_POW && count >= 4) {
      let vacc = f32x4.splat(start(kind));
      for (; i + 4 <= count; i += 4) vacc = stepV(kind, vacc, v128.load(src + i * 4));
      if (kind == KIND_MAX) acc = max(max(f32x4.extract_lane(vacc, 0), f32x4.extract_lane(vacc, 1)), max(f32x4.extract_lane(vacc, 2), f32x4.extract_lane(vacc, 3)));
      else if (kind == KIND_MIN) acc = min(min(f32x4.extract_lane(vacc, 0), f32x4.extract_lane(vacc, 1)), min(f32x4.extract_lane(vacc, 2), f32x4.extract_lane(vacc, 3)));
      else acc = (f32x4.extract_lane(vacc, 0) + f32x4.extract_lane(vacc, 1)) + (f32x4.extract_lane(vacc, 2) + f32x4.extract_lane(vacc, 3));
    }
    for (; i < count; i++) acc = step(kind, acc, load<f32>(src + i * 4), p);
    const norm = finish(kind, acc, p, eps);
    const vnorm = f32x4.splat(norm);
    i = 0;
    for (; i + 4 <= count; i += 4) v128.store(dst + i * 4, f32x4.div(v128.load(src + i * 4), vnorm));
    for (; i < count; i++) store<f32>(dst + i * 4, load<f32>(src + i * 4) / norm);
  }
}

/** Norms over the strided `reduce` dim, `inner` of them side by side in `norms` (f32x4 across inner). */
// @ts-ignore: decorator
@inline function normalizeStrided(kind: i32, input: usize, output: usize, outer: usize, reduce: usize, inner: usize, p: f32, eps: f32, norms: usize): void {
  const row = inner * 4;
  for (let o: usize = 0; o < outer; o++) {
    const src = input + o * reduce * row;
    const dst = output + o * reduce * row;
    for (let i: usize = 0; i < inner; i++) store<f32>(norms + i * 4, start(kind));
    for (let r: usize = 0; r < reduce; r++) {
      const line = src + r * row;
      let i: usize = 0;
      if (kind != KIND_POW) {
        for (; i + 4 <= inner; i += 4) v128.store(norms + i * 4, stepV(kind, v128.load(norms + i * 4), v128.load(line + i * 4)));
      }
      for (; i < inner; i++) store<f32>(norms + i * 4, step(kind, load<f32>(norms + i * 4), load<f32>(line + i * 4), p));
    }
    for (let i: usize = 0; i < inner; i++) store<f32>(norms + i * 4, finish(kind, load<f32>(norms + i * 4), p, eps));
    for (let r: usize = 0; r < reduce; r++) {
      const line = src + r * row;
      const out = dst + r * row;
      let i: usize = 0;
      for (; i + 4 <= inner; i += 4) v128.store(out + i * 4, f32x4.div(v128.load(line + i * 4), v128.load(norms + i * 4)));
      for (; i < inner; i++) store<f32>(out + i * 4, load<f32>(line + i * 4) / load<f32>(norms + i * 4));
    }
  }
}

/**
 * output = input / clamp_min(norm_p(input along reduce), eps) for input [outer, reduce, inner].
 * kind: 0 (p=0), 1, 2, 3 (+inf), 4 (-inf), 5 (any other p); norms: workspace of inner floats.
 * p = 2 and p = 1 get loops of their own; the rarer kinds share one (kind tested per element).
 */
export function f32_normalize(input: usize, output: usize, outer: i32, reduce: i32, inner: i32, kind: i32, p: f32, eps: f32, norms: usize): void {
  const o = <usize>outer, r = <usize>reduce, n = <usize>inner;
  if (kind == KIND_TWO) {
    if (n == 1) normalizeRows(KIND_TWO, input, output, o, r, p, eps);
    else normalizeStrided(KIND_TWO, input, output, o, r, n, p, eps, norms);
  } else if (kind == KIND_ONE) {
    if (n == 1) normalizeRows(KIND_ONE, input, output, o, r, p, eps);
    else normalizeStrided(KIND_ONE, input, output, o, r, n, p, eps, norms);
  } else {
    if (n == 1) normalizeRows(kind, input, output, o, r, p, eps);
    else normalizeStrided(kind, input, output, o, r, n, p, eps, norms);
  }
}
