// @ts-nocheck -- AssemblyScript source (f32x4, i32), not host TypeScript
// Register-only f32x4 mul+add loops: this machine's Wasm SIMD throughput ceiling.
// Compiled at run time by bench/peak.ts (asc --enable simd -O3 --use abort=).
//
// chainN: N independent accumulators, acc = acc * m + c: one f32x4.mul and one f32x4.add per
// accumulator and step. The mul->add chain is ~6 cycles deep, so N >= 12 is needed to keep a
// 2-FMUL + 2-FADD core (Zen 3) busy; 14 accumulators + 2 constants exceed the ~15 xmm registers
// V8 leaves to Wasm and spill. The body is unrolled twice: V8 rematerialises the two v128
// constants inside the loop (movq + vpunpcklqdq), and one copy per two steps costs less.
// `iters` counts steps (even); flops per step: N * 4 lanes * 2.

export function chain8(iters: i32, seed: f32): f32 {
  const m = f32x4.splat(0.999);
  const c = f32x4.splat(0.001);
  let a0 = f32x4.splat(seed + 0); let a1 = f32x4.splat(seed + 1); let a2 = f32x4.splat(seed + 2); let a3 = f32x4.splat(seed + 3);
  let a4 = f32x4.splat(seed + 4); let a5 = f32x4.splat(seed + 5); let a6 = f32x4.splat(seed + 6); let a7 = f32x4.splat(seed + 7);
  for (let i = 0; i < iters; i += 2) {
    a0 = f32x4.add(f32x4.mul(a0, m), c); a1 = f32x4.add(f32x4.mul(a1, m), c);
    a2 = f32x4.add(f32x4.mul(a2, m), c); a3 = f32x4.add(f32x4.mul(a3, m), c);
    a4 = f32x4.add(f32x4.mul(a4, m), c); a5 = f32x4.add(f32x4.mul(a5, m), c);
    a6 = f32x4.add(f32x4.mul(a6, m), c); a7 = f32x4.add(f32x4.mul(a7, m), c);
    a0 = f32x4.add(f32x4.mul(a0, m), c); a1 = f32x4.add(f32x4.mul(a1, m), c);
    a2 = f32x4.add(f32x4.mul(a2, m), c); a3 = f32x4.add(f32x4.mul(a3, m), c);
    a4 = f32x4.add(f32x4.mul(a4, m), c); a5 = f32x4.add(f32x4.mul(a5, m), c);
    a6 = f32x4.add(f32x4.mul(a6, m), c); a7 = f32x4.add(f32x4.mul(a7, m), c);
  }
  return f32x4.extract_lane(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(a0, a1), a2), a3), a4), a5), a6), a7), 0);
}

export function chain10(iters: i32, seed: f32): f32 {
  const m = f32x4.splat(0.999);
  const c = f32x4.splat(0.001);
  let a0 = f32x4.splat(seed + 0); let a1 = f32x4.splat(seed + 1); let a2 = f32x4.splat(seed + 2); let a3 = f32x4.splat(seed + 3);
  let a4 = f32x4.splat(seed + 4); let a5 = f32x4.splat(seed + 5); let a6 = f32x4.splat(seed + 6); let a7 = f32x4.splat(seed + 7);
  let a8 = f32x4.splat(seed + 8); let a9 = f32x4.splat(seed + 9);
  for (let i = 0; i < iters; i += 2) {
    a0 = f32x4.add(f32x4.mul(a0, m), c); a1 = f32x4.add(f32x4.mul(a1, m), c);
    a2 = f32x4.add(f32x4.mul(a2, m), c); a3 = f32x4.add(f32x4.mul(a3, m), c);
    a4 = f32x4.add(f32x4.mul(a4, m), c); a5 = f32x4.add(f32x4.mul(a5, m), c);
    a6 = f32x4.add(f32x4.mul(a6, m), c); a7 = f32x4.add(f32x4.mul(a7, m), c);
    a8 = f32x4.add(f32x4.mul(a8, m), c); a9 = f32x4.add(f32x4.mul(a9, m), c);
    a0 = f32x4.add(f32x4.mul(a0, m), c); a1 = f32x4.add(f32x4.mul(a1, m), c);
    a2 = f32x4.add(f32x4.mul(a2, m), c); a3 = f32x4.add(f32x4.mul(a3, m), c);
    a4 = f32x4.add(f32x4.mul(a4, m), c); a5 = f32x4.add(f32x4.mul(a5, m), c);
    a6 = f32x4.add(f32x4.mul(a6, m), c); a7 = f32x4.add(f32x4.mul(a7, m), c);
    a8 = f32x4.add(f32x4.mul(a8, m), c); a9 = f32x4.add(f32x4.mul(a9, m), c);
  }
  return f32x4.extract_lane(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(a0, a1), a2), a3), a4), a5), a6), a7), a8), a9), 0);
}

export function chain12(iters: i32, seed: f32): f32 {
  const m = f32x4.splat(0.999);
  const c = f32x4.splat(0.001);
  let a0 = f32x4.splat(seed + 0); let a1 = f32x4.splat(seed + 1); let a2 = f32x4.splat(seed + 2); let a3 = f32x4.splat(seed + 3);
  let a4 = f32x4.splat(seed + 4); let a5 = f32x4.splat(seed + 5); let a6 = f32x4.splat(seed + 6); let a7 = f32x4.splat(seed + 7);
  let a8 = f32x4.splat(seed + 8); let a9 = f32x4.splat(seed + 9); let a10 = f32x4.splat(seed + 10); let a11 = f32x4.splat(seed + 11);
  for (let i = 0; i < iters; i += 2) {
    a0 = f32x4.add(f32x4.mul(a0, m), c); a1 = f32x4.add(f32x4.mul(a1, m), c);
    a2 = f32x4.add(f32x4.mul(a2, m), c); a3 = f32x4.add(f32x4.mul(a3, m), c);
    a4 = f32x4.add(f32x4.mul(a4, m), c); a5 = f32x4.add(f32x4.mul(a5, m), c);
    a6 = f32x4.add(f32x4.mul(a6, m), c); a7 = f32x4.add(f32x4.mul(a7, m), c);
    a8 = f32x4.add(f32x4.mul(a8, m), c); a9 = f32x4.add(f32x4.mul(a9, m), c);
    a10 = f32x4.add(f32x4.mul(a10, m), c); a11 = f32x4.add(f32x4.mul(a11, m), c);
    a0 = f32x4.add(f32x4.mul(a0, m), c); a1 = f32x4.add(f32x4.mul(a1, m), c);
    a2 = f32x4.add(f32x4.mul(a2, m), c); a3 = f32x4.add(f32x4.mul(a3, m), c);
    a4 = f32x4.add(f32x4.mul(a4, m), c); a5 = f32x4.add(f32x4.mul(a5, m), c);
    a6 = f32x4.add(f32x4.mul(a6, m), c); a7 = f32x4.add(f32x4.mul(a7, m), c);
    a8 = f32x4.add(f32x4.mul(a8, m), c); a9 = f32x4.add(f32x4.mul(a9, m), c);
    a10 = f32x4.add(f32x4.mul(a10, m), c); a11 = f32x4.add(f32x4.mul(a11, m), c);
  }
  return f32x4.extract_lane(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(a0, a1), a2), a3), a4), a5), a6), a7), a8), a9), a10), a11), 0);
}

export function chain14(iters: i32, seed: f32): f32 {
  const m = f32x4.splat(0.999);
  const c = f32x4.splat(0.001);
  let a0 = f32x4.splat(seed + 0); let a1 = f32x4.splat(seed + 1); let a2 = f32x4.splat(seed + 2); let a3 = f32x4.splat(seed + 3);
  let a4 = f32x4.splat(seed + 4); let a5 = f32x4.splat(seed + 5); let a6 = f32x4.splat(seed + 6); let a7 = f32x4.splat(seed + 7);
  let a8 = f32x4.splat(seed + 8); let a9 = f32x4.splat(seed + 9); let a10 = f32x4.splat(seed + 10); let a11 = f32x4.splat(seed + 11);
  let a12 = f32x4.splat(seed + 12); let a13 = f32x4.splat(seed + 13);
  for (let i = 0; i < iters; i += 2) {
    a0 = f32x4.add(f32x4.mul(a0, m), c); a1 = f32x4.add(f32x4.mul(a1, m), c);
    a2 = f32x4.add(f32x4.mul(a2, m), c); a3 = f32x4.add(f32x4.mul(a3, m), c);
    a4 = f32x4.add(f32x4.mul(a4, m), c); a5 = f32x4.add(f32x4.mul(a5, m), c);
    a6 = f32x4.add(f32x4.mul(a6, m), c); a7 = f32x4.add(f32x4.mul(a7, m), c);
    a8 = f32x4.add(f32x4.mul(a8, m), c); a9 = f32x4.add(f32x4.mul(a9, m), c);
    a10 = f32x4.add(f32x4.mul(a10, m), c); a11 = f32x4.add(f32x4.mul(a11, m), c);
    a12 = f32x4.add(f32x4.mul(a12, m), c); a13 = f32x4.add(f32x4.mul(a13, m), c);
    a0 = f32x4.add(f32x4.mul(a0, m), c); a1 = f32x4.add(f32x4.mul(a1, m), c);
    a2 = f32x4.add(f32x4.mul(a2, m), c); a3 = f32x4.add(f32x4.mul(a3, m), c);
    a4 = f32x4.add(f32x4.mul(a4, m), c); a5 = f32x4.add(f32x4.mul(a5, m), c);
    a6 = f32x4.add(f32x4.mul(a6, m), c); a7 = f32x4.add(f32x4.mul(a7, m), c);
    a8 = f32x4.add(f32x4.mul(a8, m), c); a9 = f32x4.add(f32x4.mul(a9, m), c);
    a10 = f32x4.add(f32x4.mul(a10, m), c); a11 = f32x4.add(f32x4.mul(a11, m), c);
    a12 = f32x4.add(f32x4.mul(a12, m), c); a13 = f32x4.add(f32x4.mul(a13, m), c);
  }
  return f32x4.extract_lane(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(a0, a1), a2), a3), a4), a5), a6), a7), a8), a9), a10), a11), a12), a13), 0);
}
