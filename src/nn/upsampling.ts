// nn.Upsample, nn.UpsamplingNearest2d, nn.UpsamplingBilinear2d, nn.PixelShuffle, nn.PixelUnshuffle,
// as torch.nn's (torch/nn/modules/upsampling.py, pixelshuffle.py): thin over F.

import type { Tensor } from "../tensor.js";
import { parseArgs, pyFloat, pyRepr, required } from "../args.js";
import { interpolateWith } from "../functional/resample.js";
import { pixel_shuffle, pixel_unshuffle } from "../functional/pixel_shuffle.js";
import { Module } from "./module.js";

/**
 * Upsamples 3-D [N, C, L] or 4-D [N, C, H, W] input to `size` or by `scale_factor` with
 * F.interpolate's modes (nearest, nearest-exact, linear, bilinear, bicubic; `align_corners` for
 * the interpolating ones). https://pytorch.org/docs/1.13/generated/torch.nn.Upsample.html
 * Output size: `size`, or floor(in * scale_factor) per spatial dim.
 * @example new nn.Upsample({ scale_factor: 2, mode: "bilinear", align_corners: false }).forward(x)
 */
export class Upsample extends Module {
  readonly name: string;
  size: number | number[] | null;
  scale_factor: number | number[] | null;
  mode: string;
  align_corners: boolean | null;
  recompute_scale_factor: boolean | null;

  constructor(...args: unknown[]) {
    super();
    const a = parseArgs(`${new.target.name}.__init__`, [["size", null], ["scale_factor", null], ["mode", "nearest"],
      ["align_corners", null], ["recompute_scale_factor", null]], args);
    this.name = new.target.name;
    this.size = a.size as number | number[] | null;
    // PyTorch keeps float(scale_factor), and a falsy scale factor (0) as None
    const scale = a.scale_factor;
    this.scale_factor = Array.isArray(scale) ? scale.map(Number) : scale ? Number(scale) : null;
    this.mode = a.mode as string;
    this.align_corners = a.align_corners as boolean | null;
    this.recompute_scale_factor = a.recompute_scale_factor as boolean | null;
  }

  override forward(input: Tensor): Tensor {
    return interpolateWith(input, this.size, this.scale_factor, this.mode, this.align_corners, this.recompute_scale_factor, false);
  }

  override extra_repr(): string {
    const scale = this.scale_factor;
    const info = scale !== null
      ? `scale_factor=${Array.isArray(scale) ? `(${scale.map(pyFloat).join(", ")}${scale.length === 1 ? "," : ""})` : pyFloat(scale)}`
      : `size=${pyRepr(this.size)}`;
    return `${info}, mode=${this.mode}`;
  }
}

/** Upsample with mode='nearest' (deprecated in PyTorch in favour of F.interpolate). */
export class UpsamplingNearest2d extends Upsample {
  constructor(...args: unknown[]) {
    const a = parseArgs("UpsamplingNearest2d.__init__", [["size", null], ["scale_factor", null]], args);
    super(a.size, a.scale_factor, "nearest");
  }
}

/** Upsample with mode='bilinear', align_corners=True (deprecated in PyTorch in favour of F.interpolate). */
export class UpsamplingBilinear2d extends Upsample {
  constructor(...args: unknown[]) {
    const a = parseArgs("UpsamplingBilinear2d.__init__", [["size", null], ["scale_factor", null]], args);
    super(a.size, a.scale_factor, "bilinear", true);
  }
}

/**
 * Rearranges [*, C * r^2, H, W] into [*, C, H * r, W * r] (sub-pixel convolution's upsampling).
 * https://pytorch.org/docs/1.13/generated/torch.nn.PixelShuffle.html
 * @example new nn.PixelShuffle(3).forward(x)   // [1, 9, 4, 4] -> [1, 1, 12, 12]
 */
export class PixelShuffle extends Module {
  readonly upscale_factor: number;
  constructor(...args: unknown[]) {
    super();
    this.upscale_factor = parseArgs("PixelShuffle.__init__", [["upscale_factor", required]], args).upscale_factor as number;
  }
  override forward(input: Tensor): Tensor {
    return pixel_shuffle(input, this.upscale_factor);
  }
  override extra_repr(): string {
    return `upscale_factor=${this.upscale_factor}`;
  }
}

/**
 * Rearranges [*, C, H * r, W * r] into [*, C * r^2, H, W], the inverse of PixelShuffle.
 * https://pytorch.org/docs/1.13/generated/torch.nn.PixelUnshuffle.html
 */
export class PixelUnshuffle extends Module {
  readonly downscale_factor: number;
  constructor(...args: unknown[]) {
    super();
    this.downscale_factor = parseArgs("PixelUnshuffle.__init__", [["downscale_factor", required]], args).downscale_factor as number;
  }
  override forward(input: Tensor): Tensor {
    return pixel_unshuffle(input, this.downscale_factor);
  }
  override extra_repr(): string {
    return `downscale_factor=${this.downscale_factor}`;
  }
}
