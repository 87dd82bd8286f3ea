// f32 elementwise kernels over n contiguous floats, 4 lanes at a time plus a scalar tail.

/** out[i] = a[i] + b[i]; out may alias a or b (in-place add_). */
export function f32_add(a: usize, b: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const offset = <usize>i * 4;
    v128.store(out + offset, f32x4.add(v128.load(a + offset), v128.load(b + offset)));
  }
  for (; i < n; i++) {
    const offset = <usize>i * 4;
    store<f32>(out + offset, load<f32>(a + offset) + load<f32>(b + offset));
  }
}
