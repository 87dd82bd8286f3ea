// F.normalize: x / max(||x||_p, eps) along one dim of [outer, reduce, inner]. The norm accumulates
// in float, as PyTorch's CPU norm kernel for float input does (so 3e20 overflows to inf there as
// here and the result is 0 alike); PyTorch's reductions: p=0 counts non-zeros, 1 sums |x|, 2 sums
// x^2 then sqrt, +-inf take max/min |x| (NaN propagating), any other p sums |x|^p then ^(1/p).
// p = 2 (the default, embeddings) has f32x4 loops; the other p share one compact scalar loop.

const KIND_ZERO = 0, KIND_ONE = 1, KIND_TWO = 2, KIND_MAX = 3, KIND_MIN = 4;

// @ts-ignore: decorator
@inline function clampNorm(norm: f32, eps: f32): f32 {
  return isNaN(norm) || norm >= eps ? norm : eps;   // clamp_min(eps), NaN kept
}

/** One step of the p-norm's reduction (any kind), scalar. */
function step(kind: i32, acc: f32, x: f32, p: f32): f32 {
  const a = Mathf.abs(x);
  if (kind == KIND_ZERO) return acc + (x != 0 ? 1 : 0);
  if (kind == KIND_ONE) return acc + a;
  if (kind == KIND_TWO) return acc + x * x;
  if (kind == KIND_MAX) return a > acc || isNaN(a) ? a : acc;   // NaN sticks: nothing exceeds it
  if (kind == KIND_MIN) return a < acc || isNaN(a) ? a : acc;
  return acc + Mathf.pow(a, p);
}

/** The p-norm's reduction identity and root (any kind). */
function start(kind: i32): f32 {
  return kind == KIND_MIN ? Infinity : 0;
}
function root(kind: i32, acc: f32, p: f32): f32 {
  if (kind == KIND_TWO) return Mathf.sqrt(acc);
  if (kind <= KIND_MIN) return acc;
  return Mathf.pow(acc, 1 / p);
}

/** x / norm over a row of `count` floats. */
// @ts-ignore: decorator
@inline function divideRow(src: usize, dst: usize, count: usize, norm: f32): void {
  const vnorm = f32x4.splat(norm);
  let i: usize = 0;
  for (; i + 4 <= count; i += 4) v128.store(dst + i * 4, f32x4.div(v128.load(src + i * 4), vnorm));
  for (; i < count; i++) store<f32>(dst + i * 4, load<f32>(src + i * 4) / norm);
}

/** Columns per unit of the [reduce, inner] path: the norms workspace holds min(inner, this) floats. */
const NORMALIZE_COLUMNS: usize = 1024;   // (src/functional/normalize.ts mirrors it)

/**
 * output = input / clamp_min(norm_p(input along reduce), eps) for input [outer, reduce, inner].
 * kind: 0 (p=0), 1, 2, 3 (+inf), 4 (-inf), 5 (any other p); norms: workspace of
 * min(max(inner, 1), NORMALIZE_COLUMNS) floats. Units (threads): (o, block of NORMALIZE_COLUMNS
 * columns), [unitStart, unitEnd) here; each column's norm is whole inside its unit, and a column's
 * arithmetic does not depend on its place in the block (vector lanes and the scalar tail do the same).
 */
export function f32_normalize(input: usize, output: usize, outer: i32, reduce: i32, inner: i32, kind: i32, p: f32, eps: f32, norms: usize,
  unitStart: i32, unitEnd: i32): void {
  const count = <usize>reduce, width = <usize>inner;
  const row = width * 4;
  const blocks = (width + NORMALIZE_COLUMNS - 1) / NORMALIZE_COLUMNS;
  for (let u = <usize>unitStart; u < <usize>unitEnd; u++) {
    const o = u / blocks;
    const c0 = (u - o * blocks) * NORMALIZE_COLUMNS;
    const src = input + o * count * row;
    const dst = output + o * count * row;
    if (kind == KIND_TWO && width == 1) {
      // the last dim: 4 lanes of squares along the row
      let vacc = f32x4.splat(0);
      let i: usize = 0;
      for (; i + 4 <= count; i += 4) {
        const v = v128.load(src + i * 4);
        vacc = f32x4.add(vacc, f32x4.mul(v, v));
      }
      let acc = (f32x4.extract_lane(vacc, 0) + f32x4.extract_lane(vacc, 1)) + (f32x4.extract_lane(vacc, 2) + f32x4.extract_lane(vacc, 3));
      for (; i < count; i++) acc += load<f32>(src + i * 4) * load<f32>(src + i * 4);
      divideRow(src, dst, count, clampNorm(Mathf.sqrt(acc), eps));
      continue;
    }
    // [reduce, columns c0 ..]: the block's norms side by side in the workspace
    const columns = min(NORMALIZE_COLUMNS, width - c0);
    const first = start(kind);
    for (let i: usize = 0; i < columns; i++) store<f32>(norms + i * 4, first);
    for (let r: usize = 0; r < count; r++) {
      const line = src + r * row + c0 * 4;
      let i: usize = 0;
      if (kind == KIND_TWO) {
        for (; i + 4 <= columns; i += 4) {
          const v = v128.load(line + i * 4);
          v128.store(norms + i * 4, f32x4.add(v128.load(norms + i * 4), f32x4.mul(v, v)));
        }
      }
      for (; i < columns; i++) store<f32>(norms + i * 4, step(kind, load<f32>(norms + i * 4), load<f32>(line + i * 4), p));
    }
    for (let i: usize = 0; i < columns; i++) store<f32>(norms + i * 4, clampNorm(root(kind, load<f32>(norms + i * 4), p), eps));
    for (let r: usize = 0; r < count; r++) {
      const line = src + r * row + c0 * 4;
      const out = dst + r * row + c0 * 4;
      let i: usize = 0;
      for (; i + 4 <= columns; i += 4) v128.store(out + i * 4, f32x4.div(v128.load(line + i * 4), v128.load(norms + i * 4)));
      for (; i < columns; i++) store<f32>(out + i * 4, load<f32>(line + i * 4) / load<f32>(norms + i * 4));
    }
  }
}
