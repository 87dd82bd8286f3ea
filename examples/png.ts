// A small PNG decoder for the examples: Node, Deno and Workers have no image decoder built in, and
// wasmnn has no dependencies. It covers what photos and screenshots saved as PNG use — 8-bit
// grayscale, RGB, palette, gray+alpha and RGBA, not interlaced — and inflates with the web-standard
// DecompressionStream (Node 18+, Deno, browsers, Workers). Anything else gets a clear error; for
// JPEG, 16-bit or interlaced files use a full decoder (pngjs, jpeg-js) or a browser's <canvas>.
//
// The result is an ImageData-like RGB image, read as torchvision's datasets read files
// (`Image.open(f).convert("RGB")`): palette entries expanded, gray replicated, alpha dropped.

export interface RGBImage {
  data: Uint8Array;    // width * height * 3 bytes, row-major RGB
  width: number;
  height: number;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Bytes per pixel of each 8-bit PNG color type (ISO 15948 §6.1). */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

export async function decodePng(bytes: Uint8Array): Promise<RGBImage> {
  if (!SIGNATURE.every((b, i) => bytes[i] === b)) throw new Error("decodePng: not a PNG file (bad signature)");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let width = 0, height = 0, colorType = -1, palette: Uint8Array | null = null;
  const idat: Uint8Array[] = [];
  for (let pos = 8; pos + 8 <= bytes.length;) {
    const length = view.getUint32(pos);
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    const body = bytes.subarray(pos + 8, pos + 8 + length);
    if (type === "IHDR") {
      width = view.getUint32(pos + 8);
      height = view.getUint32(pos + 12);
      const [bitDepth, color, , , interlace] = body.subarray(8, 13);
      if (bitDepth !== 8 || !(color in CHANNELS) || interlace !== 0) {
        throw new Error(`decodePng: only 8-bit, non-interlaced PNGs are supported, but got bit depth ${bitDepth}, color type ${color}, interlace ${interlace}`);
      }
      colorType = color;
    } else if (type === "PLTE") {
      palette = body;
    } else if (type === "IDAT") {
      idat.push(body);
    } else if (type === "IEND") {
      break;
    }
    pos += 12 + length;   // length, type, data, CRC
  }
  if (colorType < 0 || idat.length === 0) throw new Error("decodePng: missing IHDR or IDAT chunk");
  if (colorType === 3 && palette === null) throw new Error("decodePng: palette image without a PLTE chunk");

  // the IDAT chunks together are one zlib stream of `height` scanlines, each a filter byte + the row
  const inflated = new Uint8Array(await new Response(new Blob(idat as BlobPart[]).stream().pipeThrough(new DecompressionStream("deflate"))).arrayBuffer());
  const bpp = CHANNELS[colorType];
  const stride = width * bpp;
  if (inflated.length < height * (stride + 1)) throw new Error("decodePng: image data is truncated");
  const raw = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    unfilter(inflated[y * (stride + 1)], inflated.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)),
      raw.subarray(y * stride, (y + 1) * stride), y > 0 ? raw.subarray((y - 1) * stride, y * stride) : null, bpp);
  }

  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    const src = p * bpp;
    if (colorType === 3) {
      rgb.set(palette!.subarray(raw[src] * 3, raw[src] * 3 + 3), p * 3);
    } else if (colorType === 0 || colorType === 4) {
      rgb.fill(raw[src], p * 3, p * 3 + 3);
    } else {
      rgb.set(raw.subarray(src, src + 3), p * 3);
    }
  }
  return { data: rgb, width, height };
}

/** Undoes one scanline's filter (ISO 15948 §9.2): None, Sub, Up, Average, Paeth. */
function unfilter(filter: number, line: Uint8Array, out: Uint8Array, previous: Uint8Array | null, bpp: number): void {
  for (let i = 0; i < line.length; i++) {
    const left = i >= bpp ? out[i - bpp] : 0;
    const up = previous !== null ? previous[i] : 0;
    const upLeft = previous !== null && i >= bpp ? previous[i - bpp] : 0;
    let predictor: number;
    switch (filter) {
      case 0: predictor = 0; break;
      case 1: predictor = left; break;
      case 2: predictor = up; break;
      case 3: predictor = (left + up) >> 1; break;
      case 4: {
        const p = left + up - upLeft;
        const pa = Math.abs(p - left), pb = Math.abs(p - up), pc = Math.abs(p - upLeft);
        predictor = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
        break;
      }
      default: throw new Error(`decodePng: unknown scanline filter ${filter}`);
    }
    out[i] = (line[i] + predictor) & 0xff;
  }
}
