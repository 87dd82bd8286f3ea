// Elementwise clamps: ReLU (min 0) and ReLU6 (0..6). pmax/pmin keep NaN (PyTorch's relu(NaN) = NaN)
// and are cheap on x86, unlike f32x4.max/min.

/** output[i] = min(max(input[i], lo), hi) with NaN kept; output may alias input. */
export function f32_clamp(input: usize, output: usize, n: i32, lo: f32, hi: f32): void {
  const vlo = f32x4.splat(lo);
  const vhi = f32x4.splat(hi);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const p = <usize>i * 4;
    v128.store(output + p, f32x4.pmin(f32x4.pmax(v128.load(input + p), vlo), vhi));
    v128.store(output + p, f32x4.pmin(f32x4.pmax(v128.load(input + p, 16), vlo), vhi), 16);
    v128.store(output + p, f32x4.pmin(f32x4.pmax(v128.load(input + p, 32), vlo), vhi), 32);
    v128.store(output + p, f32x4.pmin(f32x4.pmax(v128.load(input + p, 48), vlo), vhi), 48);
  }
  for (; i + 4 <= n; i += 4) {
    const p = <usize>i * 4;
    v128.store(output + p, f32x4.pmin(f32x4.pmax(v128.load(input + p), vlo), vhi));
  }
  for (; i < n; i++) {
    let v = load<f32>(input + <usize>i * 4);
    v = v < lo ? lo : v;
    v = hi < v ? hi : v;
    store<f32>(output + <usize>i * 4, v);
  }
}
