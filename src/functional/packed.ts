// Packed weights, cached per module: the layout each convolution kernel reads, rebuilt only when
// the weight or bias tensor (or its data) changes.

import type { Tensor } from "../tensor.js";
import { wasm } from "../runtime.js";
import { allocate, release } from "../allocator.js";
import type { WinogradKind } from "./conv.js";

/**
 * Weights packed for one kernel: the 4x8 GEMM's [group][block of 4 oc][4 bias][K][4], or Winograd's
 * transformed U per tile position. Modules keep one; F.conv2d packs per call.
 */
export class PackedConvWeights {
  #ptr = 0;
  #bytes = 0;
  #weight: Tensor | null = null;
  #bias: Tensor | null = null;
  #key = "";

  get(weight: Tensor, bias: Tensor | null, groups: number, layout: "gemm" | WinogradKind = "gemm"): number {
    const key = `${weight.version}/${bias?.version ?? -1}/${groups}/${layout}`;
    if (this.#bytes > 0 && this.#weight === weight && this.#bias === bias && this.#key === key) return this.#ptr;
    const k = wasm();
    const [outChannels, groupIn, kernelH, kernelW] = weight.shape;
    const reduction = groupIn * kernelH * kernelW;
    const bytes = (layout === "winograd" ? k.f32_winograd_f2x3_packed_size(outChannels, groupIn)
      : layout === "winograd4" ? k.f32_winograd_f4x3_packed_size(outChannels, groupIn)
      : layout === "winograd_s2k7" ? k.f32_winograd_s2k7_packed_size(outChannels, groupIn)
      : k.f32_conv2d_packed_size(outChannels, groups, reduction)) * 4;
    if (bytes !== this.#bytes) {
      const ptr = allocate(bytes, "packed convolution weights");
      this.dispose();
      this.#ptr = ptr;
      this.#bytes = bytes;
    }
    if (layout === "winograd") k.f32_winograd_f2x3_pack(weight.ptr, outChannels, groupIn, this.#ptr);
    else if (layout === "winograd4") k.f32_winograd_f4x3_pack(weight.ptr, outChannels, groupIn, this.#ptr);
    else if (layout === "winograd_s2k7") k.f32_winograd_s2k7_pack(weight.ptr, outChannels, groupIn, this.#ptr);
    else k.f32_conv2d_pack(weight.ptr, bias?.ptr ?? 0, outChannels, groups, reduction, this.#ptr);
    this.#weight = weight;
    this.#bias = bias;
    this.#key = key;
    return this.#ptr;
  }

  dispose(): void {
    if (this.#bytes > 0) release(this.#ptr, this.#bytes);
    this.#ptr = 0;
    this.#bytes = 0;
    this.#weight = null;
    this.#bias = null;
  }
}
