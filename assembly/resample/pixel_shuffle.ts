// Pixel shuffle and its inverse: permutations of [planes, r, r, H, W] <-> [planes, H, r, W, r]
// (torch.pixel_shuffle / pixel_unshuffle), as strided copies of 4- or 8-byte elements.

// @ts-ignore: decorator
@inline function shuffle<T>(input: usize, output: usize, planes: i32, factor: i32, height: i32, width: i32, inverse: bool): void {
  const size = <usize>sizeof<T>();
  const r = <usize>factor;
  const rowBytes = <usize>width * size;                   // one row of a small plane
  const bigRowBytes = rowBytes * r;                        // one row of the large plane
  const smallPlaneBytes = <usize>height * rowBytes;
  const step = r * size;
  for (let plane = 0; plane < planes; plane++) {
    const small = (inverse ? output : input) + <usize>plane * r * r * smallPlaneBytes;
    const big = (inverse ? input : output) + <usize>plane * r * r * smallPlaneBytes;
    for (let i: usize = 0; i < r; i++) {
      for (let j: usize = 0; j < r; j++) {
        // small plane (i, j) holds the large plane's pixels (h * r + i, w * r + j)
        const smallPlane = small + (i * r + j) * smallPlaneBytes;
        for (let h = 0; h < height; h++) {
          const s = smallPlane + <usize>h * rowBytes;
          const b = big + (<usize>h * r + i) * bigRowBytes + j * size;
          if (inverse) {
            for (let w: usize = 0; w < <usize>width; w++) store<T>(s + w * size, load<T>(b + w * step));
          } else {
            for (let w: usize = 0; w < <usize>width; w++) store<T>(b + w * step, load<T>(s + w * size));
          }
        }
      }
    }
  }
}

/**
 * inverse = false: output[p][h*r+i][w*r+j] = input[p*r*r + i*r + j][h][w] (pixel_shuffle);
 * inverse = true: the reverse (pixel_unshuffle), with height/width the small planes' sizes.
 * `elementBytes` is 4 (float32) or 8 (int64).
 */
export function x32_pixel_shuffle(
  input: usize, output: usize, planes: i32, factor: i32, height: i32, width: i32, inverse: bool, elementBytes: i32,
): void {
  if (elementBytes == 8) shuffle<u64>(input, output, planes, factor, height, width, inverse);
  else shuffle<u32>(input, output, planes, factor, height, width, inverse);
}
