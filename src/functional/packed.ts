// Packed weights, cached per module: the layout each convolution kernel reads, rebuilt only when
// the weight or bias tensor (or its data) changes.

import { tensor, type Tensor } from "../tensor.js";
import { tidy } from "../scope.js";
import { wasm } from "../runtime.js";
import { allocate, release } from "../allocator.js";
import type { WinogradKind } from "./conv.js";

/**
 * Weights packed for one kernel: the 5x8 GEMM's [group][block of 5 oc][5 bias][K][5], or Winograd's
 * transformed U per tile position. Modules keep one; F.conv2d packs per call.
 */
export class PackedConvWeights {
  #ptr = 0;
  #bytes = 0;
  #weight: Tensor | null = null;
  #bias: Tensor | null = null;
  // what the packed bytes were made from (versions change when a tensor's data is written)
  #weightVersion = -1;
  #biasVersion = -1;
  #groups = 0;
  #layout: "gemm" | WinogradKind = "gemm";

  get(weight: Tensor, bias: Tensor | null, groups: number, layout: "gemm" | WinogradKind = "gemm"): number {
    if (this.#bytes > 0 && this.#weight === weight && this.#bias === bias && this.#weightVersion === weight.version &&
      this.#biasVersion === (bias?.version ?? -1) && this.#groups === groups && this.#layout === layout) return this.#ptr;
    const k = wasm();
    const [outChannels, groupIn, kernelH, kernelW] = weight.shape;
    const reduction = groupIn * kernelH * kernelW;
    // Winograd runs grouped convolutions as dense ones with block-diagonal weights
    const inChannels = layout === "gemm" ? groupIn : groupIn * groups;
    const bytes = (layout === "winograd" ? k.f32_winograd_f2x3_packed_size(outChannels, inChannels)
      : layout === "winograd4" ? k.f32_winograd_f4x3_packed_size(outChannels, inChannels)
      : layout === "winograd_s2k7" ? k.f32_winograd_s2k7_packed_size(outChannels, inChannels)
      : k.f32_conv2d_packed_size(outChannels, groups, reduction)) * 4;
    if (bytes !== this.#bytes) {
      const ptr = allocate(bytes, "packed convolution weights", "packed");
      this.dispose();
      this.#ptr = ptr;
      this.#bytes = bytes;
    }
    if (layout === "gemm") {
      k.f32_conv2d_pack(weight.ptr, bias?.ptr ?? 0, outChannels, groups, reduction, this.#ptr);
    } else {
      tidy(() => {
        const dense = groups === 1 ? weight : blockDiagonal(weight, groups);
        const pack = layout === "winograd" ? k.f32_winograd_f2x3_pack : layout === "winograd4" ? k.f32_winograd_f4x3_pack : k.f32_winograd_s2k7_pack;
        pack(dense.ptr, outChannels, inChannels, this.#ptr);
      });
    }
    this.#weight = weight;
    this.#bias = bias;
    this.#weightVersion = weight.version;
    this.#biasVersion = bias?.version ?? -1;
    this.#groups = groups;
    this.#layout = layout;
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

/** [OC, C/groups, KH, KW] grouped weights -> [OC, C, KH, KW], zero outside each output channel's group. */
function blockDiagonal(weight: Tensor, groups: number): Tensor {
  const [outChannels, groupIn, kernelH, kernelW] = weight.shape;
  const taps = kernelH * kernelW;
  const groupOut = outChannels / groups;
  const source = weight.data();
  const dense = new Float32Array(outChannels * groupIn * groups * taps);
  for (let oc = 0; oc < outChannels; oc++) {
    const g = Math.floor(oc / groupOut);
    dense.set(source.subarray(oc * groupIn * taps, (oc + 1) * groupIn * taps), (oc * groups + g) * groupIn * taps);
  }
  return tensor(dense, [outChannels, groupIn * groups, kernelH, kernelW]);
}
