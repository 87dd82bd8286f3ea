// f32 linear layer: y[n, o] = bias[o] + sum_i x[n, i] * w[o, i]  (x [rows, in], w [out, in]).
// Dot products run 16 floats at a time in four independent SIMD accumulators.

export function f32_linear(input: usize, weight: usize, bias: usize, output: usize, rows: i32, inFeatures: i32, outFeatures: i32): void {
  const vectorEnd = inFeatures & ~15;
  for (let n = 0; n < rows; n++) {
    const x = input + <usize>n * inFeatures * 4;
    for (let o = 0; o < outFeatures; o++) {
      const w = weight + <usize>o * inFeatures * 4;
      let acc0 = f32x4.splat(0), acc1 = f32x4.splat(0), acc2 = f32x4.splat(0), acc3 = f32x4.splat(0);
      let i = 0;
      for (; i < vectorEnd; i += 16) {
        const p = <usize>i * 4;
        acc0 = f32x4.add(acc0, f32x4.mul(v128.load(x + p,  0), v128.load(w + p,  0)));
        acc1 = f32x4.add(acc1, f32x4.mul(v128.load(x + p, 16), v128.load(w + p, 16)));
        acc2 = f32x4.add(acc2, f32x4.mul(v128.load(x + p, 32), v128.load(w + p, 32)));
        acc3 = f32x4.add(acc3, f32x4.mul(v128.load(x + p, 48), v128.load(w + p, 48)));
      }
      const acc = f32x4.add(f32x4.add(acc0, acc1), f32x4.add(acc2, acc3));
      let sum = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
      for (; i < inFeatures; i++) sum += load<f32>(x + <usize>i * 4) * load<f32>(w + <usize>i * 4);
      if (bias != 0) sum += load<f32>(bias + <usize>o * 4);
      store<f32>(output + (<usize>n * outFeatures + o) * 4, sum);
    }
  }
}
