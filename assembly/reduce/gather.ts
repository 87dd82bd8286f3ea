// Row gathers: F.embedding's lookup.

/**
 * out[i, :] = weight[indices[i], :] (rows of `dim` floats) for i < count, indices int64. Checks
 * every index against [0, rows) first: returns the position of the first bad one (nothing written)
 * or -1.
 */
export function f32_embedding(weight: usize, rows: i32, dim: i32, indices: usize, count: i32, out: usize): i32 {
  for (let i = 0; i < count; i++) {
    const index = load<i64>(indices + <usize>i * 8);
    if (index < 0 || index >= <i64>rows) return i;
  }
  const rowBytes = <usize>dim * 4;
  for (let i = 0; i < count; i++) {
    const index = <usize>load<i64>(indices + <usize>i * 8);
    memory.copy(out + <usize>i * rowBytes, weight + index * rowBytes, rowBytes);
  }
  return -1;
}
