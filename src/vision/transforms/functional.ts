// torchvision.transforms.functional (v0.14) for wasmnn tensors and ImageData-like images.
//
// Two kinds of image, as torchvision has two:
// - tensors [..., C, H, W] (torchvision's tensor path, functional_tensor.py). wasmnn's dtypes are
//   float32 and int64, so an int64 image tensor stands for torchvision's uint8 image: its values are
//   0..255, `pil_to_tensor` makes one, `convert_image_dtype` scales it by 255 (uint8's maximum, not
//   int64's), and `resize` rounds (and for bicubic clamps to [0, 255]) as torchvision does for uint8.
// - ImageData-like `{ data, width, height }` (1, 3 or 4 bytes a pixel) in the role of PIL images:
//   read as `Image.open(f).convert("RGB")` (alpha dropped), resized and cropped with Pillow's own
//   arithmetic (./_pil.ts), converted by `to_tensor` / `pil_to_tensor`.
// Pure JavaScript and wasmnn kernels: no canvas, no DOM, so Node, Deno, browsers and Workers agree.
import { F, tensor, tidy, Tensor } from "../../core.js";
import { pyRound } from "../../args.js";
import { bandsOf, cropRaw, isImageLike, resizeRaw, toRaw, type ImageLike, type RawImage } from "./_pil.js";

export type { ImageLike } from "./_pil.js";

/** torchvision.transforms.InterpolationMode: its values are the mode strings. */
export const InterpolationMode = {
  NEAREST: "nearest",
  BILINEAR: "bilinear",
  BICUBIC: "bicubic",
  // Pillow's other filters (images only; torchvision refuses them for tensors too)
  BOX: "box",
  HAMMING: "hamming",
  LANCZOS: "lanczos",
} as const;
export type InterpolationMode = (typeof InterpolationMode)[keyof typeof InterpolationMode];

/** An image as transforms take it: a tensor [..., C, H, W] or an ImageData-like image. */
export type Image = Tensor | ImageLike;

// torchvision's deprecated integer spellings (PIL's constants), _interpolation_modes_from_int
const MODES_FROM_INT: Record<number, InterpolationMode> = { 0: "nearest", 2: "bilinear", 3: "bicubic", 4: "box", 5: "hamming", 1: "lanczos" };

/** Accepts an InterpolationMode (its string) or torchvision's deprecated integer codes. */
export function interpolationOf(value: unknown): InterpolationMode {
  if (typeof value === "number" && value in MODES_FROM_INT) return MODES_FROM_INT[value];
  if (typeof value === "string" && (Object.values(InterpolationMode) as string[]).includes(value)) return value as InterpolationMode;
  throw new TypeError(`Argument interpolation should be a InterpolationMode (one of ${Object.values(InterpolationMode).join(", ")}), but got ${String(value)}`);
}

function isTensor(value: unknown): value is Tensor {
  return value instanceof Tensor;
}

function typeName(value: unknown): string {
  if (isTensor(value)) return "Tensor";
  if (value === null) return "null";
  if (typeof value === "object") return (value as object).constructor?.name ?? "object";
  return typeof value;
}

/** _assert_image_tensor: a tensor image has at least 2 dimensions. */
function assertImageTensor(img: Tensor): void {
  if (img.dim() < 2) throw new TypeError("Tensor is not a torch image.");
}

function checkImage(img: unknown): Image {
  if (isTensor(img)) { assertImageTensor(img); return img; }
  if (isImageLike(img)) { bandsOf(img); return img; }
  throw new TypeError(`img should be a Tensor or an ImageData-like { data, width, height }. Got ${typeName(img)}`);
}

/** A tensor's values as doubles (int64 read through 32-bit halves: no BigInt per element; exact below 2^53). */
function valuesOf(t: Tensor): Float64Array {
  const raw = t.data() as Float32Array | BigInt64Array;
  if (!(raw instanceof BigInt64Array)) return new Float64Array(raw);
  const data = raw;
  const low = new Uint32Array(data.buffer, data.byteOffset, data.length * 2);
  const high = new Int32Array(data.buffer, data.byteOffset, data.length * 2);
  const out = new Float64Array(data.length);
  for (let i = 0; i < out.length; i++) out[i] = high[2 * i + 1] * 4294967296 + low[2 * i];
  return out;
}

/** An int64 tensor of integer values (written as 32-bit halves, little-endian as wasm memory). */
function int64Tensor(values: ArrayLike<number>, shape: readonly number[]): Tensor {
  const out = new BigInt64Array(values.length);
  const words = new Int32Array(out.buffer);
  for (let i = 0; i < values.length; i++) {
    const high = Math.floor(values[i] / 4294967296);
    words[2 * i] = (values[i] - high * 4294967296) | 0;
    words[2 * i + 1] = high;
  }
  return tensor(out, shape);
}

// x / 255 in float32 for every byte (the double quotient rounds to the same float: k / 255 has a
// period-8 binary expansion, never a float32 halfway point)
const BYTE_TO_UNIT = Float32Array.from({ length: 256 }, (_, k) => k / 255);

/** An int64 image's values to float32 in [0, 1]: torchvision's `img.to(float32) / 255`. */
function int64ToUnit(t: Tensor): Float32Array {
  const values = valuesOf(t);
  const out = new Float32Array(values.length);
  for (let i = 0; i < out.length; i++) out[i] = values[i] / 255;
  return out;
}

/**
 * An image's pixels as planes [C, H, W] (RGBA read as RGB), written by `put(index, byte)`: float32
 * / 255 for to_tensor, the int64's low word for pil_to_tensor.
 */
function toPlanes(img: ImageLike, put: (index: number, byte: number) => void): number[] {
  const bands = bandsOf(img);
  const channels = bands === 4 ? 3 : bands;
  const plane = img.width * img.height;
  const data = img.data;
  for (let c = 0; c < channels; c++) {
    const offset = c * plane;
    for (let p = 0, q = c; p < plane; p++, q += bands) put(offset + p, data[q]);
  }
  return [channels, img.height, img.width];
}


/** The result of an image operation: ImageData-like, RGB (3 bytes a pixel) or L (1). */
function asImage(raw: RawImage): ImageLike {
  return { data: raw.data, width: raw.width, height: raw.height };
}

/** get_dimensions(img) -> [channels, height, width] (an RGBA image counts 3: it is read as RGB) */
export function get_dimensions(img: Image): [number, number, number] {
  const image = checkImage(img);
  if (isImageLike(image)) {
    const bands = bandsOf(image);
    return [bands === 4 ? 3 : bands, image.height, image.width];   // read as RGB, as everywhere here
  }
  const shape = image.shape;
  const channels = shape.length === 2 ? 1 : shape[shape.length - 3];
  return [channels, shape[shape.length - 2], shape[shape.length - 1]];
}

/** get_image_size(img) -> [width, height] */
export function get_image_size(img: Image): [number, number] {
  const [, height, width] = get_dimensions(img);
  return [width, height];
}

/** get_image_num_channels(img) */
export function get_image_num_channels(img: Image): number {
  return get_dimensions(img)[0];
}

/**
 * to_tensor(pic): an ImageData-like image (RGBA read as RGB) or an [H, W, C] / [H, W] tensor (a
 * numpy HWC array in torchvision) to float32 [C, H, W]. uint8 values (int64 tensors, image bytes)
 * are divided by 255 in float32, as torchvision's `img.to(float).div(255)`; a float32 HWC tensor is
 * only transposed, as torchvision does for float arrays.
 */
export function to_tensor(pic: Image): Tensor {
  if (isImageLike(pic)) {
    const bands = bandsOf(pic);
    const values = new Float32Array(pic.width * pic.height * (bands === 4 ? 3 : bands));
    return tensor(values, toPlanes(pic, (i, byte) => { values[i] = BYTE_TO_UNIT[byte]; }));
  }
  if (!isTensor(pic)) throw new TypeError(`pic should be an ImageData-like image or a tensor [H, W, C]. Got ${typeName(pic)}`);
  if (pic.dim() !== 2 && pic.dim() !== 3) throw new Error(`pic should be 2/3 dimensional. Got ${pic.dim()} dimensions.`);
  return tidy(() => {
    const hwc = pic.dim() === 2 ? pic.reshape([...pic.shape, 1]) : pic;
    const chw = hwc.permute(2, 0, 1).contiguous();
    if (chw.dtype === "float32") return chw;
    return tensor(int64ToUnit(chw), chw.shape);
  });
}

/** pil_to_tensor(pic): an ImageData-like image (RGBA read as RGB) to its bytes as an int64 [C, H, W] tensor. */
export function pil_to_tensor(pic: ImageLike): Tensor {
  if (!isImageLike(pic)) throw new TypeError(`pic should be an ImageData-like image. Got ${typeName(pic)}`);
  const bands = bandsOf(pic);
  const values = new BigInt64Array(pic.width * pic.height * (bands === 4 ? 3 : bands));
  const words = new Int32Array(values.buffer);   // little-endian: low word first, high words stay 0
  return tensor(values, toPlanes(pic, (i, byte) => { words[2 * i] = byte; }));
}

/** The dtypes convert_image_dtype knows: "float32" (also "float") and "int64" (also "uint8": an int64 tensor of uint8 values). */
export type ImageDType = "float32" | "float" | "int64" | "uint8";

function imageDType(dtype: unknown): "float32" | "int64" {
  if (dtype === "float32" || dtype === "float") return "float32";
  if (dtype === "int64" || dtype === "uint8") return "int64";
  throw new TypeError(`dtype should be one of float32, float, int64, uint8, but got ${String(dtype)}`);
}

/**
 * convert_image_dtype(image, dtype="float32"), with int64 in uint8's role: int64 -> float32 divides
 * by 255; float32 -> int64 multiplies by 255 + 1 - 1e-3 (float32) and truncates, as torchvision's
 * float -> uint8 conversion.
 */
export function convert_image_dtype(image: Tensor, dtype: ImageDType = "float32"): Tensor {
  if (!isTensor(image)) throw new TypeError("Input img should be Tensor Image");
  const target = imageDType(dtype);
  if (image.dtype === target) return image;
  if (target === "float32") {
    return tensor(int64ToUnit(image), image.shape);
  }
  const factor = Math.fround(255 + 1 - 1e-3);
  const values = image.data() as Float32Array;
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = Math.trunc(Math.fround(values[i] * factor));
    out[i] = Math.min(Math.max(v, 0), 255);   // uint8's range (torch wraps out-of-range values)
  }
  return int64Tensor(out, image.shape);
}

/**
 * _compute_resized_output_size: a one-element size is the shorter edge (the longer one scaled and
 * truncated), capped by max_size on the longer edge; two elements are [h, w].
 */
export function _compute_resized_output_size(image_size: [number, number], size: number[], max_size: number | null = null): [number, number] {
  if (size.length === 1) {
    const [h, w] = image_size;
    const [short, long] = w <= h ? [w, h] : [h, w];
    const requested = size[0];
    let newShort = requested;
    let newLong = Math.trunc((requested * long) / short);
    if (max_size !== null) {
      if (max_size <= requested) {
        throw new Error(`max_size = ${max_size} must be strictly greater than the requested size for the smaller edge size = [${size.join(", ")}]`);
      }
      if (newLong > max_size) {
        newShort = Math.trunc((max_size * newShort) / newLong);
        newLong = max_size;
      }
    }
    const [newW, newH] = w <= h ? [newShort, newLong] : [newLong, newShort];
    return [newH, newW];
  }
  return [size[0], size[1]];
}

export interface ResizeOptions {
  interpolation?: InterpolationMode;
  max_size?: number | null;
  antialias?: boolean | null;
}

/**
 * resize(img, size, interpolation="bilinear", max_size=null, antialias=null) (or an options object
 * after `size`). Tensors [C, H, W] / [N, C, H, W] go through F.interpolate (align_corners=false;
 * antialias null means false, torchvision 0.14's tensor default): float32 stays unrounded and
 * unclamped, int64 (uint8) images are rounded half to even, bicubic first clamped to [0, 255].
 * ImageData-like images are resized as Pillow does (always antialiased, the flag is ignored).
 */
export function resize(img: Image, size: number | number[], interpolation: InterpolationMode | ResizeOptions = "bilinear",
  max_size: number | null = null, antialias: boolean | null = null): Image {
  if (typeof interpolation === "object" && interpolation !== null) {
    const options = interpolation;
    for (const key of Object.keys(options)) {
      if (!["interpolation", "max_size", "antialias"].includes(key)) throw new TypeError(`resize() got an unexpected keyword argument '${key}'`);
    }
    return resize(img, size, options.interpolation ?? "bilinear", options.max_size ?? null, options.antialias ?? null);
  }
  const mode = interpolationOf(interpolation);
  const sizes = typeof size === "number" ? [size] : size;
  if (!Array.isArray(sizes) || sizes.some((v) => typeof v !== "number" || !Number.isInteger(v))) {
    throw new TypeError(`Size should be int or sequence. Got ${String(size)}`);
  }
  if (Array.isArray(size)) {
    if (size.length !== 1 && size.length !== 2) throw new Error(`Size must be an int or a 1 or 2 element tuple/list, not a ${size.length} element tuple/list`);
    if (max_size !== null && size.length !== 1) {
      throw new Error("max_size should only be passed if size specifies the length of the smaller edge, i.e. size should be an int or a sequence of length 1 in torchscript mode.");
    }
  }
  const image = checkImage(img);
  const [, height, width] = get_dimensions(image);
  const [outHeight, outWidth] = _compute_resized_output_size([height, width], sizes, max_size);
  if (outHeight === height && outWidth === width) return image;

  if (isImageLike(image)) return asImage(resizeRaw(toRaw(image), outHeight, outWidth, mode));

  const aa = antialias ?? false;
  if (aa && mode !== "bilinear" && mode !== "bicubic") throw new Error("Antialias option is supported for bilinear and bicubic interpolation modes only");
  if (mode !== "nearest" && mode !== "bilinear" && mode !== "bicubic") throw new Error(`Interpolation mode '${mode}' is unsupported with Tensor input`);
  return tidy(() => {
    // _cast_squeeze_in: [C, H, W] -> [1, C, H, W]; integer images interpolate in float32
    const squeeze = image.dim() < 4;
    let x = squeeze ? image.unsqueeze(0) : image;
    const cast = x.dtype !== "float32";
    if (cast) x = tensor(valuesOf(x), x.shape);
    let y = F.interpolate(x, { size: [outHeight, outWidth], mode, align_corners: mode === "nearest" ? null : false, antialias: aa });
    if (squeeze) y = y.squeeze(0);
    if (!cast) return y;
    // _cast_squeeze_out: round before the cast back; uint8 bicubic is clamped first
    const values = valuesOf(y);
    for (let i = 0; i < values.length; i++) {
      values[i] = pyRound(mode === "bicubic" ? Math.min(Math.max(values[i], 0), 255) : values[i]);
    }
    return int64Tensor(values, y.shape);
  });
}

/** crop(img, top, left, height, width): outside the image is zero (torchvision pads, then crops). */
export function crop(img: Image, top: number, left: number, height: number, width: number): Image {
  const image = checkImage(img);
  if (isImageLike(image)) return asImage(cropRaw(toRaw(image), top, left, height, width));
  const [, h, w] = get_dimensions(image);
  const right = left + width;
  const bottom = top + height;
  return tidy(() => {
    const rank = image.dim();
    const rows = Math.max(Math.min(bottom, h) - Math.max(top, 0), 0);
    const columns = Math.max(Math.min(right, w) - Math.max(left, 0), 0);
    // img[..., max(top, 0):bottom, max(left, 0):right]
    let inside = image.narrow(rank - 2, Math.min(Math.max(top, 0), h), rows).narrow(rank - 1, Math.min(Math.max(left, 0), w), columns);
    if (left < 0 || top < 0 || right > w || bottom > h) {
      const padLeft = Math.max(-left + Math.min(0, right), 0);
      const padTop = Math.max(-top + Math.min(0, bottom), 0);
      const padRight = Math.max(right - Math.max(w, left), 0);
      const padBottom = Math.max(bottom - Math.max(h, top), 0);
      inside = padZeros(inside, padLeft, padTop, padRight, padBottom);
    }
    return inside === image ? image.clone() : inside.contiguous();
  });
}

/** Constant zero padding of the last two dimensions, for float32 and int64 alike. */
function padZeros(x: Tensor, left: number, top: number, right: number, bottom: number): Tensor {
  const shape = x.shape;
  const rank = shape.length;
  const [h, w] = [shape[rank - 2], shape[rank - 1]];
  const outH = h + top + bottom;
  const outW = w + left + right;
  const planes = shape.slice(0, rank - 2).reduce((a, b) => a * b, 1);
  const src = x.data();
  const out = src instanceof BigInt64Array ? new BigInt64Array(planes * outH * outW) : new Float32Array(planes * outH * outW);
  for (let p = 0; p < planes; p++) {
    for (let y = 0; y < h; y++) {
      const from = (p * h + y) * w;
      const to = (p * outH + y + top) * outW + left;
      (out as Float32Array).set((src as Float32Array).subarray(from, from + w), to);
    }
  }
  return tensor(out, [...shape.slice(0, rank - 2), outH, outW]);
}

/** The [h, w] a crop size means: an int for both, or a one- or two-element array. */
export function cropSize(output_size: number | number[]): [number, number] {
  if (typeof output_size === "number") return [Math.trunc(output_size), Math.trunc(output_size)];
  if (Array.isArray(output_size) && output_size.length === 1) return [output_size[0], output_size[0]];
  if (!Array.isArray(output_size) || output_size.length !== 2) throw new Error("Please provide only two dimensions (h, w) for size.");
  return [output_size[0], output_size[1]];
}

/**
 * center_crop(img, output_size): pads with zeros where the crop is larger than the image (the extra
 * odd pixel at the right/bottom), then crops at int(round((h - th) / 2)), Python's round: half to
 * even, so a 29-pixel margin starts the crop at 14 and a 51-pixel one at 26.
 */
export function center_crop(img: Image, output_size: number | number[]): Image {
  const image = checkImage(img);
  const [cropHeight, cropWidth] = cropSize(output_size);
  let [, imageHeight, imageWidth] = get_dimensions(image);
  let current: Image = image;
  let padded: Tensor | null = null;
  if (cropWidth > imageWidth || cropHeight > imageHeight) {
    const padLeft = cropWidth > imageWidth ? Math.floor((cropWidth - imageWidth) / 2) : 0;
    const padTop = cropHeight > imageHeight ? Math.floor((cropHeight - imageHeight) / 2) : 0;
    const padRight = cropWidth > imageWidth ? Math.floor((cropWidth - imageWidth + 1) / 2) : 0;
    const padBottom = cropHeight > imageHeight ? Math.floor((cropHeight - imageHeight + 1) / 2) : 0;
    if (isImageLike(image)) {
      current = asImage(cropRaw(toRaw(image), -padTop, -padLeft, imageHeight + padTop + padBottom, imageWidth + padLeft + padRight));
    } else {
      current = padded = padZeros(image, padLeft, padTop, padRight, padBottom);
    }
    [, imageHeight, imageWidth] = get_dimensions(current);
    if (cropWidth === imageWidth && cropHeight === imageHeight) return current;
  }
  const cropTop = pyRound((imageHeight - cropHeight) / 2);
  const cropLeft = pyRound((imageWidth - cropWidth) / 2);
  const out = crop(current, cropTop, cropLeft, cropHeight, cropWidth);
  padded?.dispose();
  return out;
}

/**
 * normalize(tensor, mean, std, inplace=false): (x - mean[c]) / std[c] per channel of [..., C, H, W],
 * in float32 as torchvision's `tensor.sub_(mean).div_(std)`.
 */
export function normalize(input: Tensor, mean: number[], std: number[], inplace = false): Tensor {
  if (!isTensor(input)) throw new TypeError(`img should be Tensor Image. Got ${typeName(input)}`);
  assertImageTensor(input);
  if (input.dtype !== "float32") throw new TypeError(`Input tensor should be a float tensor. Got torch.${input.dtype}.`);
  if (input.dim() < 3) {
    throw new Error(`Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = torch.Size([${input.shape.join(", ")}])`);
  }
  const means = Float32Array.from(mean);
  const stds = Float32Array.from(std);
  if (stds.some((s) => s === 0)) throw new Error("std evaluated to zero after conversion to torch.float32, leading to division by zero.");
  return tidy(() => {
    const m = tensor(means, [means.length, 1, 1]);
    const s = tensor(stds, [stds.length, 1, 1]);
    const target = inplace ? input : input.clone();
    return target.sub_(m).div_(s);
  });
}
