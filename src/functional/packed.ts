// Packed weights, cached per module: the layout each convolution kernel reads, rebuilt only when
// the weight or bias tensor (or its data) changes.

import { empty, tensor, type Tensor } from "../tensor.js";
import { tidy } from "../scope.js";
import { heapF64, wasm } from "../runtime.js";
import { allocate, allocatorStats, release, Workspace } from "../allocator.js";
import type { WinogradKind } from "./conv.js";
import { parallel, threadsFor } from "../threads/parallel.js";

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
  #fold: Float64Array | null = null;

  /**
   * The packed weights (and bias, for the GEMM) for `layout`, packed now if the cache is stale; with
   * `fold`, of the weight scaled per output channel (W * fold[oc], a folded BatchNorm), which is
   * made only for the packing.
   */
  get(weight: Tensor, bias: Tensor | null, groups: number, layout: "gemm" | WinogradKind = "gemm", fold: Float64Array | null = null): number {
    if (this.holds(weight, bias, groups, layout, fold)) return this.#ptr;
    const [outChannels, groupIn, kernelH, kernelW] = weight.shape;
    const reduction = groupIn * kernelH * kernelW;
    // Winograd runs grouped convolutions as dense ones with block-diagonal weights
    const inChannels = layout === "gemm" ? groupIn : groupIn * groups;
    const bytes = packedBytes(weight, groups, layout);
    if (bytes !== this.#bytes) {
      const ptr = allocate(bytes, "packed convolution weights", "packed");
      this.dispose();
      this.#ptr = ptr;
      this.#bytes = bytes;
    }
    tidy(() => {
      const source = fold === null ? weight : scaledRows(weight, fold);
      if (layout === "gemm") {
        packGemm(source.ptr, bias?.ptr ?? 0, outChannels, groups, reduction, this.#ptr);
      } else {
        const dense = groups === 1 ? source : blockDiagonal(source, groups);
        packWinograd(layout, dense.ptr, outChannels, inChannels, this.#ptr);
      }
    });
    this.#weight = weight;
    this.#fold = fold;
    this.#bias = bias;
    this.#weightVersion = weight.version;
    this.#biasVersion = bias?.version ?? -1;
    this.#groups = groups;
    this.#layout = layout;
    return this.#ptr;
  }

  /** True when the cache holds these weights packed for `layout` (get() would not pack). */
  holds(weight: Tensor, bias: Tensor | null, groups: number, layout: "gemm" | WinogradKind, fold: Float64Array | null): boolean {
    return this.#bytes > 0 && this.#weight === weight && this.#bias === bias && this.#weightVersion === weight.version &&
      this.#biasVersion === (bias?.version ?? -1) && this.#groups === groups && this.#layout === layout && this.#fold === fold;
  }

  dispose(): void {
    if (this.#bytes > 0) release(this.#ptr, this.#bytes);
    this.#ptr = 0;
    this.#bytes = 0;
    this.#weight = null;
    this.#bias = null;
    this.#fold = null;
  }
}

/** Bytes of `weight` [OC, C/groups, KH, KW] packed for `layout`. */
export function packedBytes(weight: Tensor, groups: number, layout: "gemm" | WinogradKind): number {
  const k = wasm();
  const [outChannels, groupIn, kernelH, kernelW] = weight.shape;
  // Winograd runs grouped convolutions as dense ones with block-diagonal weights
  const inChannels = layout === "gemm" ? groupIn : groupIn * groups;
  return (layout === "winograd" ? k.f32_winograd_f2x3_packed_size(outChannels, inChannels)
    : layout === "winograd4" ? k.f32_winograd_f4x3_packed_size(outChannels, inChannels)
    : layout === "winograd_s2k7" ? k.f32_winograd_s2k7_packed_size(outChannels, inChannels)
    : k.f32_conv2d_packed_size(outChannels, groups, groupIn * kernelH * kernelW)) * 4;
}

/**
 * Fast mode's limit on kept packed copies: as many bytes as the weights themselves, or 32 MiB for
 * small models. Past it, an F(2,3) Winograd layer (3x3 on a small image, under 12x12) packs per
 * call, a chunk at a time, as in lean mode: its copy is 1.8x its weights while its pack costs least
 * per byte (4.5 ns a 64-byte kernel against F(4,3)'s 20 ns a 144-byte one). ResNet-18's layer4
 * (48 MiB of copies, past its 45 MiB of weights) is the case: ~1.2 ms a layer.
 */
export function fitsPackedBudget(bytes: number): boolean {
  const { held } = allocatorStats();
  return held.packed + bytes <= Math.max(held.weights, PACKED_FLOOR);
}
const PACKED_FLOOR = 32 * 1024 * 1024;

/**
 * Rows [firstRow, firstRow + rows) of `weight` (one row per output channel) times scale[row],
 * rounded once to float32, written at `out`: the values src/nn/fusion.ts folds (a float64 product
 * stored to a Float32Array).
 */
export function scaleRowsInto(weight: Tensor, scale: Float64Array, firstRow: number, rows: number, out: number): void {
  const perRow = weight.numel() / Math.max(weight.shape[0], 1);
  const scalePtr = foldScale.get(rows * 8);
  heapF64().set(scale.subarray(firstRow, firstRow + rows), scalePtr / 8);
  const from = weight.ptr + firstRow * perRow * 4;
  // split by rows (issue #15): each element's product is the same whichever call makes it
  parallel("f32_scale_rows", rows, threadsFor(rows * perRow, rows), (start, end) =>
    [from + start * perRow * 4, scalePtr + start * 8, end - start, perRow, out + start * perRow * 4]);
}

/**
 * f32_conv2d_pack of weight rows at `from` (and `bias`, 0: none) into `packed`, split across threads
 * by blocks of 5 output channels (one group), or by groups: a copy, the same bytes however split.
 */
export function packGemm(from: number, bias: number, outChannels: number, groups: number, reduction: number, packed: number): void {
  const groupOut = outChannels / groups;
  const blocks = Math.ceil(groupOut / 5);
  const blockBytes = 5 * (reduction + 1) * 4;
  const threads = threadsFor(outChannels * reduction, groups === 1 ? blocks : groups);
  if (groups === 1) {
    parallel("f32_conv2d_pack", blocks, threads, (start, end) => [from + start * 5 * reduction * 4, bias === 0 ? 0 : bias + start * 20,
      Math.min(outChannels, end * 5) - start * 5, 1, reduction, packed + start * blockBytes]);
    return;
  }
  parallel("f32_conv2d_pack", groups, threads, (start, end) => [from + start * groupOut * reduction * 4, bias === 0 ? 0 : bias + start * groupOut * 4,
    (end - start) * groupOut, end - start, reduction, packed + start * blocks * blockBytes]);
}
/**
 * U of a Winograd layout (f32_winograd_*_pack's bytes) from [OC, C, taps] weights at `from`, split
 * across threads by blocks of 5 output channels (each block's U is its own: the same bytes however split).
 */
export function packWinograd(layout: WinogradKind, from: number, outChannels: number, inChannels: number, packed: number): void {
  const m = layout === "winograd" ? 2 : layout === "winograd4" ? 4 : 3;
  const blocks = Math.ceil(outChannels / 5);
  parallel("f32_winograd_pack_blocks", blocks, threadsFor(outChannels * inChannels * (m === 3 ? 49 : 9) * 8, blocks), (start, end) =>
    [m, from, 0, outChannels, 0, outChannels, inChannels, packed, start, end]);
}

/** The rows' scales, in linear memory for f32_scale_rows. */
const foldScale = new Workspace("folded BatchNorm scales");

/** weight * scale[oc], as a new tensor. */
export function scaledRows(weight: Tensor, scale: Float64Array): Tensor {
  const out = empty(weight.shape);
  scaleRowsInto(weight, scale, 0, weight.shape[0], out.ptr);
  return out;
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
