// F.pixel_shuffle / F.pixel_unshuffle (torch.pixel_shuffle, torch.pixel_unshuffle): PyTorch 1.13's
// checks (aten/src/ATen/native/PixelShuffle.cpp), then one strided-copy kernel
// (assembly/resample/pixel_shuffle.ts) over all planes, for float32 and int64 (threads: by planes).

import { Tensor, empty } from "../tensor.js";
import { parallel, threadsFor } from "../threads/parallel.js";
import { parseArgs, pyType, required } from "../args.js";
import { checkTensor } from "./shape.js";

/**
 * torch.nn.functional.pixel_shuffle(input, upscale_factor): [*, C * r^2, H, W] -> [*, C, H * r, W * r],
 * output[..., c, h * r + i, w * r + j] = input[..., c * r^2 + i * r + j, h, w].
 */
export function pixel_shuffle(...args: unknown[]): Tensor {
  return shuffle("pixel_shuffle", "upscale_factor", false, args);
}

/**
 * torch.nn.functional.pixel_unshuffle(input, downscale_factor): [*, C, H * r, W * r] -> [*, C * r^2, H, W],
 * the inverse of pixel_shuffle.
 */
export function pixel_unshuffle(...args: unknown[]): Tensor {
  return shuffle("pixel_unshuffle", "downscale_factor", true, args);
}

function shuffle(op: string, name: string, inverse: boolean, args: unknown[]): Tensor {
  const a = parseArgs(op, [["input", required], [name, required]], args);
  const input = checkTensor(a.input, op, "input");
  const r = a[name];
  if (typeof r !== "number" || !Number.isInteger(r)) throw new TypeError(`${op}(): argument '${name}' must be int, not ${pyType(r)}`);
  const s = input.shape;
  if (s.length < 3) throw new Error(`${op} expects input to have at least 3 dimensions, but got input with ${s.length} dimension(s)`);
  if (r <= 0) throw new Error(`${op} expects a positive ${name}, but got ${r}`);
  const [c, h, w] = s.slice(-3);
  if (!inverse && c % (r * r) !== 0) {
    throw new Error(`pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, but input.size(-3)=${c} is not divisible by ${r * r}`);
  }
  for (const [dim, size, what] of [[-2, h, "height"], [-1, w, "width"]] as const) {
    if (inverse && size % r !== 0) throw new Error(`pixel_unshuffle expects ${what} to be divisible by downscale_factor, but input.size(${dim})=${size} is not divisible by ${r}`);
  }
  // both directions in terms of the small planes [C * r^2, H / r or H, W / r or W]
  const [small, height, width] = inverse ? [c * r * r, h / r, w / r] : [c, h, w];
  const output = empty([...s.slice(0, -3), ...(inverse ? [small, height, width] : [c / (r * r), h * r, w * r])], input.dtype);
  if (output.numel() > 0) {
    // threads: planes (r * r small planes each) by pointers
    const planes = input.numel() / (small * height * width) * (small / (r * r));
    const bytes = input.dtype === "int64" ? 8 : 4;
    const planeBytes = r * r * height * width * bytes;
    parallel("x32_pixel_shuffle", planes, threadsFor(output.numel(), planes), (start, end) =>
      [input.ptr + start * planeBytes, output.ptr + start * planeBytes, end - start, r, height, width, inverse ? 1 : 0, bytes]);
  }
  return output;
}
