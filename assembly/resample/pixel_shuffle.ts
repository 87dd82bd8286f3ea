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
  else if (factor == 2) shuffle2(input, output, planes, height, width, inverse);
  else shuffle<u32>(input, output, planes, factor, height, width, inverse);
}

// r = 2, 4-byte elements (super-resolution's x2 steps): a large row is two small rows
// interleaved; four pixels of each at a time with two shuffles, the row's tail in scalar code.
function shuffle2(input: usize, output: usize, planes: i32, height: i32, width: i32, inverse: bool): void {
  const rowBytes = <usize>width * 4;
  const smallPlaneBytes = <usize>height * rowBytes;
  const last = <usize>(width & ~3) * 4;
  for (let plane = 0; plane < planes; plane++) {
    const small = (inverse ? output : input) + <usize>plane * 4 * smallPlaneBytes;
    const big = (inverse ? input : output) + <usize>plane * 4 * smallPlaneBytes;
    for (let i: usize = 0; i < 2; i++) {
      for (let h: usize = 0; h < <usize>height; h++) {
        const even = small + 2 * i * smallPlaneBytes + h * rowBytes;   // small plane (i, 0)
        const odd = even + smallPlaneBytes;                            // small plane (i, 1)
        const row = big + (2 * h + i) * 2 * rowBytes;
        if (inverse) {
          for (let x: usize = 0; x < last; x += 16) {
            const a = v128.load(row + 2 * x), b = v128.load(row + 2 * x, 16);
            v128.store(even + x, v128.shuffle<f32>(a, b, 0, 2, 4, 6));
            v128.store(odd + x, v128.shuffle<f32>(a, b, 1, 3, 5, 7));
          }
          for (let x = last; x < rowBytes; x += 4) {
            store<u32>(even + x, load<u32>(row + 2 * x));
            store<u32>(odd + x, load<u32>(row + 2 * x + 4));
          }
        } else {
          for (let x: usize = 0; x < last; x += 16) {
            const a = v128.load(even + x), b = v128.load(odd + x);
            v128.store(row + 2 * x, v128.shuffle<f32>(a, b, 0, 4, 1, 5));
            v128.store(row + 2 * x, v128.shuffle<f32>(a, b, 2, 6, 3, 7), 16);
          }
          for (let x = last; x < rowBytes; x += 4) {
            store<u32>(row + 2 * x, load<u32>(even + x));
            store<u32>(row + 2 * x + 4, load<u32>(odd + x));
          }
        }
      }
    }
  }
}
