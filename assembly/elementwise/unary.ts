// Unary arithmetic: torch.neg, abs, sqrt, rsqrt and clamp with number bounds, over n contiguous
// floats (out may alias the input: the in-place forms).

// op codes (src/functional/elementwise.ts mirrors them)
const NEG: i32 = 0;
const ABS: i32 = 1;
const SQRT: i32 = 2;
/** 1 / sqrt(x), two IEEE roundings as PyTorch's CPU kernel (no approximate rsqrt) */
const RSQRT: i32 = 3;
/** min(max(x, lo), hi) as PyTorch's scalar clamp: x < lo ? lo : x, then hi < y ? hi : y (NaN x stays NaN) */
const CLAMP: i32 = 4;

// @ts-ignore: decorator
@inline function vectorOp(op: i32, x: v128, lo: v128, hi: v128): v128 {
  if (op == NEG) return f32x4.neg(x);
  if (op == ABS) return f32x4.abs(x);
  if (op == SQRT) return f32x4.sqrt(x);
  if (op == RSQRT) return f32x4.div(f32x4.splat(1), f32x4.sqrt(x));
  return f32x4.pmin(f32x4.pmax(x, lo), hi);
}

// @ts-ignore: decorator
@inline function scalarOp(op: i32, x: f32, lo: f32, hi: f32): f32 {
  if (op == NEG) return -x;
  if (op == ABS) return Mathf.abs(x);
  if (op == SQRT) return Mathf.sqrt(x);
  if (op == RSQRT) return 1 / Mathf.sqrt(x);
  const y = x < lo ? lo : x;
  return hi < y ? hi : y;
}

// @ts-ignore: decorator
@inline function run(op: i32, input: usize, out: usize, n: i32, lo: f32, hi: f32): void {
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const p = <usize>i * 4;
    const x0 = v128.load(input + p), x1 = v128.load(input + p, 16);
    const x2 = v128.load(input + p, 32), x3 = v128.load(input + p, 48);
    v128.store(out + p, vectorOp(op, x0, vlo, vhi));
    v128.store(out + p, vectorOp(op, x1, vlo, vhi), 16);
    v128.store(out + p, vectorOp(op, x2, vlo, vhi), 32);
    v128.store(out + p, vectorOp(op, x3, vlo, vhi), 48);
  }
  for (; i + 4 <= n; i += 4) {
    const p = <usize>i * 4;
    v128.store(out + p, vectorOp(op, v128.load(input + p), vlo, vhi));
  }
  for (; i < n; i++) {
    const p = <usize>i * 4;
    store<f32>(out + p, scalarOp(op, load<f32>(input + p), lo, hi));
  }
}

/** out[i] = op(input[i]); lo and hi are clamp's bounds (-inf / +inf where not given). */
export function f32_unary(op: i32, input: usize, out: usize, n: i32, lo: f32, hi: f32): void {
  switch (op) {
    case NEG: run(NEG, input, out, n, lo, hi); return;
    case ABS: run(ABS, input, out, n, lo, hi); return;
    case SQRT: run(SQRT, input, out, n, lo, hi); return;
    case RSQRT: run(RSQRT, input, out, n, lo, hi); return;
    default: run(CLAMP, input, out, n, lo, hi); return;
  }
}
