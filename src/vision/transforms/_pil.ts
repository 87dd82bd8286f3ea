// torchvision's PIL-image path, for ImageData-like inputs: the operations torchvision's
// functional_pil.py hands to Pillow (Image.resize, Image.crop), redone in plain JavaScript with
// Pillow 9's integer arithmetic, so `Resize` on an image gives the bytes Pillow gives.
//
// An ImageData-like value is `{ data, width, height }` whose `data` holds 1 (L), 3 (RGB) or 4 (RGBA)
// bytes per pixel, row-major. It is read as torchvision's datasets load images,
// `Image.open(f).convert("RGB")`: RGBA drops its alpha (convert('RGB') does exactly that), so every
// operation here produces RGB (or L) images.

/** An ImageData-like image: the browser's ImageData, a decoded PNG/JPEG, or `{ data, width, height }`. */
export interface ImageLike {
  readonly data: Uint8Array | Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
}

/** A decoded image in Pillow's sense: `channels` bytes per pixel (1 = "L", 3 = "RGB"). */
export interface RawImage {
  data: Uint8ClampedArray;
  width: number;
  height: number;
  channels: 1 | 3;
}

export function isImageLike(value: unknown): value is ImageLike {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (v.data instanceof Uint8Array || v.data instanceof Uint8ClampedArray)
    && typeof v.width === "number" && typeof v.height === "number";
}

/** Bytes per pixel of an ImageData-like value (1, 3 or 4), checked against its size. */
export function bandsOf(image: ImageLike): 1 | 3 | 4 {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new RangeError(`image width and height must be non-negative integers, but got ${width}x${height}`);
  }
  const pixels = width * height;
  const bands = pixels === 0 ? 3 : data.length / pixels;
  if (bands !== 1 && bands !== 3 && bands !== 4) {
    throw new RangeError(`image data must hold 1, 3 or 4 bytes per pixel (L, RGB, RGBA), but ${data.length} bytes for ${width}x${height} pixels is ${bands}`);
  }
  return bands;
}

/** `image.convert("RGB")` for RGBA (alpha dropped); RGB and L as they are. */
export function toRaw(image: ImageLike): RawImage {
  const bands = bandsOf(image);
  const { width, height } = image;
  if (bands !== 4) {
    return { data: new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length), width, height, channels: bands };
  }
  const rgb = new Uint8ClampedArray(width * height * 3);
  for (let p = 0, q = 0; q < rgb.length; p += 4, q += 3) {
    rgb[q] = image.data[p];
    rgb[q + 1] = image.data[p + 1];
    rgb[q + 2] = image.data[p + 2];
  }
  return { data: rgb, width, height, channels: 3 };
}

// Pillow's resampling filters (libImaging/Resample.c): support radius and kernel, in double.
interface Filter { support: number; kernel: (x: number) => number }
const FILTERS: Record<string, Filter> = {
  box: { support: 0.5, kernel: (x) => (x > -0.5 && x <= 0.5 ? 1 : 0) },
  bilinear: { support: 1, kernel: (x) => { x = Math.abs(x); return x < 1 ? 1 - x : 0; } },
  // Keys' cubic with a = -0.5 (PyTorch's non-antialiased bicubic uses -0.75)
  bicubic: {
    support: 2,
    kernel: (x) => {
      const a = -0.5;
      x = Math.abs(x);
      if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
      if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
      return 0;
    },
  },
  hamming: {
    support: 1,
    kernel: (x) => {
      x = Math.abs(x);
      if (x === 0) return 1;
      if (x >= 1) return 0;
      x *= Math.PI;
      // Pillow writes the window's constants as C floats: 0.54f, 0.46f
      return (Math.sin(x) / x) * (Math.fround(0.54) + Math.fround(0.46) * Math.cos(x));
    },
  },
  lanczos: { support: 3, kernel: (x) => (x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0) },
};

function sinc(x: number): number {
  if (x === 0) return 1;
  x *= Math.PI;
  return Math.sin(x) / x;
}

// 8 bits of result, 2 of headroom for filters whose partial sums leave [0, 1]
const PRECISION_BITS = 32 - 8 - 2;

/**
 * Pillow's precompute_coeffs + normalize_coeffs_8bpc: per output pixel, the first input index and
 * the filter taps (support scaled by the downscale factor), normalised to sum 1 in double, then
 * rounded to fixed point with PRECISION_BITS fractional bits.
 */
function coefficients(inSize: number, outSize: number, filter: Filter): { starts: Int32Array; counts: Int32Array; taps: number; weights: Int32Array } {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filter.support * filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const starts = new Int32Array(outSize);
  const counts = new Int32Array(outSize);
  const weights = new Int32Array(outSize * taps);
  const k = new Float64Array(taps);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const inverse = 1 / filterScale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let total = 0;
    for (let x = 0; x < xmax; x++) {
      k[x] = filter.kernel((x + xmin - center + 0.5) * inverse);
      total += k[x];
    }
    for (let x = 0; x < xmax; x++) {
      const w = total !== 0 ? k[x] / total : k[x];
      weights[xx * taps + x] = Math.trunc(w < 0 ? -0.5 + w * (1 << PRECISION_BITS) : 0.5 + w * (1 << PRECISION_BITS));
    }
    starts[xx] = xmin;
    counts[xx] = xmax;
  }
  return { starts, counts, taps, weights };
}

/** clip8: the fixed-point sum's integer part, clamped to a byte (an arithmetic shift floors). */
function clip8(sum: number): number {
  const v = sum >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/**
 * Pillow's ImagingResampleHorizontal_8bpc: each output pixel of each row sums its taps in fixed
 * point, starting from one half (so clip8's floor rounds to nearest).
 */
function horizontal(src: Uint8ClampedArray, width: number, height: number, channels: number, outWidth: number,
  table: ReturnType<typeof coefficients>): Uint8ClampedArray {
  const { starts, counts, taps, weights } = table;
  const out = new Uint8ClampedArray(outWidth * height * channels);
  for (let y = 0; y < height; y++) {
    const rowIn = y * width * channels;
    const rowOut = y * outWidth * channels;
    for (let o = 0; o < outWidth; o++) {
      const first = rowIn + starts[o] * channels;
      const n = counts[o];
      const w = o * taps;
      for (let c = 0; c < channels; c++) {
        let sum = 1 << (PRECISION_BITS - 1);
        for (let t = 0, i = first + c; t < n; t++, i += channels) sum += src[i] * weights[w + t];
        out[rowOut + o * channels + c] = clip8(sum);
      }
    }
  }
  return out;
}

/** Pillow's ImagingResampleVertical_8bpc: the same along columns, a whole row of bytes at a time. */
function vertical(src: Uint8ClampedArray, rowBytes: number, outHeight: number, table: ReturnType<typeof coefficients>): Uint8ClampedArray {
  const { starts, counts, taps, weights } = table;
  const out = new Uint8ClampedArray(rowBytes * outHeight);
  for (let o = 0; o < outHeight; o++) {
    const first = starts[o] * rowBytes;
    const n = counts[o];
    const w = o * taps;
    const rowOut = o * rowBytes;
    for (let j = 0; j < rowBytes; j++) {
      let sum = 1 << (PRECISION_BITS - 1);
      for (let t = 0, i = first + j; t < n; t++, i += rowBytes) sum += src[i] * weights[w + t];
      out[rowOut + j] = clip8(sum);
    }
  }
  return out;
}

/**
 * Pillow's Image.resize((width, height), filter) for 8-bit images: horizontal pass, then vertical,
 * each only if that size changes, with 8-bit rounding between them. "nearest" is Pillow's affine
 * nearest-neighbour sampling (pixel centres: floor((x + 0.5) * scale), accumulated in double).
 */
export function resizeRaw(image: RawImage, outHeight: number, outWidth: number, mode: string): RawImage {
  const { width, height, channels } = image;
  if (width === outWidth && height === outHeight) return { ...image, data: image.data.slice() };
  if (mode === "nearest") return nearest(image, outHeight, outWidth);
  const filter = FILTERS[mode];
  if (filter === undefined) throw new Error(`Interpolation mode '${mode}' is not supported for images`);
  // horizontal first, then vertical, each only if that size changes; 8-bit rounding in between
  let data = image.data;
  if (outWidth !== width) data = horizontal(data, width, height, channels, outWidth, coefficients(width, outWidth, filter));
  if (outHeight !== height) data = vertical(data, outWidth * channels, outHeight, coefficients(height, outHeight, filter));
  return { data, width: outWidth, height: outHeight, channels };
}

/** Pillow's ImagingScaleAffine with nearest sampling (its COORD: -1 below zero, else truncation). */
function nearest(image: RawImage, outHeight: number, outWidth: number): RawImage {
  const { width, height, channels } = image;
  const coord = (v: number) => (v < 0 ? -1 : Math.trunc(v));
  const columns = new Int32Array(outWidth);
  const xScale = width / outWidth;
  let xo = xScale * 0.5;
  for (let x = 0; x < outWidth; x++) { columns[x] = Math.min(coord(xo), width - 1); xo += xScale; }
  const yScale = height / outHeight;
  let yo = yScale * 0.5;
  const out = new Uint8ClampedArray(outWidth * outHeight * channels);
  for (let y = 0; y < outHeight; y++) {
    const row = Math.min(coord(yo), height - 1);
    yo += yScale;
    for (let x = 0; x < outWidth; x++) {
      const from = (row * width + columns[x]) * channels;
      const to = (y * outWidth + x) * channels;
      for (let c = 0; c < channels; c++) out[to + c] = image.data[from + c];
    }
  }
  return { data: out, width: outWidth, height: outHeight, channels };
}

/** Pillow's Image.crop((left, top, left + width, top + height)): outside the image is black. */
export function cropRaw(image: RawImage, top: number, left: number, height: number, width: number): RawImage {
  const { channels } = image;
  const out = new Uint8ClampedArray(Math.max(width, 0) * Math.max(height, 0) * channels);
  for (let y = 0; y < height; y++) {
    const sy = top + y;
    if (sy < 0 || sy >= image.height) continue;
    for (let x = 0; x < width; x++) {
      const sx = left + x;
      if (sx < 0 || sx >= image.width) continue;
      const from = (sy * image.width + sx) * channels;
      const to = (y * width + x) * channels;
      for (let c = 0; c < channels; c++) out[to + c] = image.data[from + c];
    }
  }
  return { data: out, width, height, channels };
}
