// Issue #13's lean mode packs a layer's weights a chunk of output channels at a time into a small
// scratch buffer and runs the kernel on each chunk. That is sound only if a chunk's outputs are the
// whole layer's, bit for bit. They are: a chunk [o0, o0 + n) is packed from `weight + o0 * C * KH * KW`
// with outChannels = n (plus `bias + o0` for the GEMM layout, whose blocks carry the bias), and the
// kernel writes it to the output's channel o0 (batch 1) with `bias + o0` (Winograd) and
// outChannels = n. Each output element is one fixed-order sum over input channels in every kernel;
// outChannels changes only which tiles and blocks share a pass (Winograd: one block per pass while
// the packed weights fit the pass limit, else all blocks at once — the full layers below are the
// latter, their chunks the former), not any element's arithmetic.
import { beforeAll, describe, expect, test } from "vitest";
import { init, memory } from "../src/index.js";
import { wasm } from "../src/runtime.js";
import { allocate, release } from "../src/allocator.js";
import { lcgFloats } from "./helpers.js";

beforeAll(async () => {
  await init();
});

const PAD_MODE = { zeros: 0, reflect: 1 } as const;

const random = lcgFloats;

/** Allocations freed together, so a failing test does not leak into the next one's accounting. */
class Buffers {
  #blocks: [number, number][] = [];
  floats(values: Float32Array | number): number {
    const count = typeof values === "number" ? values : values.length;
    const ptr = allocate(Math.max(count * 4, 16), "pack-chunks test buffer");
    this.#blocks.push([ptr, Math.max(count * 4, 16)]);
    if (typeof values !== "number") new Float32Array(wasm().memory.buffer, ptr, count).set(values);
    return ptr;
  }
  bytes(count: number): number {
    return this.floats(Math.ceil(count / 4));
  }
  dispose(): void {
    for (const [ptr, bytes] of this.#blocks) release(ptr, bytes);
    this.#blocks = [];
  }
}

type Kind = "winograd" | "winograd4" | "winograd_s2k7" | "igemm";

interface Layer {
  kind: Kind;
  channels: number; outChannels: number; height: number; width: number;
  kernel: number; stride: number; pad: number; padMode: keyof typeof PAD_MODE;
}

function outSize(layer: Layer): [number, number] {
  const size = (n: number) => Math.floor((n + 2 * layer.pad - layer.kernel) / layer.stride) + 1;
  return [size(layer.height), size(layer.width)];
}

/**
 * Packs output channels [o0, o0 + n) into `packed` and runs the kernel on them, writing output
 * channels o0.. of `output` (batch 1).
 */
function runChunk(layer: Layer, ptrs: { input: number; weight: number; bias: number; output: number }, o0: number, n: number,
  buffers: Buffers, actMin: number, actMax: number): void {
  const k = wasm();
  const { channels, height, width, kernel, stride, pad } = layer;
  const [outHeight, outWidth] = outSize(layer);
  const taps = kernel * kernel;
  const weight = ptrs.weight + o0 * channels * taps * 4;
  const bias = ptrs.bias + o0 * 4;
  const output = ptrs.output + o0 * outHeight * outWidth * 4;
  const mode = PAD_MODE[layer.padMode];
  if (layer.kind === "igemm") {
    const packed = buffers.floats(k.f32_conv2d_packed_size(n, 1, channels * taps));
    k.f32_conv2d_pack(weight, bias, n, 1, channels * taps, packed);
    const ws = buffers.bytes(k.f32_conv2d_igemm_workspace(channels, height, width, kernel, kernel, 1, pad, pad, pad, pad));
    k.f32_conv2d_igemm(ptrs.input, 1, channels, height, width, packed, n, 1, kernel, kernel, stride, stride, 1, 1,
      pad, pad, pad, pad, mode, output, outHeight, outWidth, ws, actMin, actMax, 0, 0, 1, 0, 0);
    return;
  }
  const scratch = buffers.floats(channels * (height + 2 * pad) * (width + 2 * pad));
  if (layer.kind === "winograd_s2k7") {
    const packed = buffers.floats(k.f32_winograd_s2k7_packed_size(n, channels));
    k.f32_winograd_s2k7_pack(weight, n, channels, packed);
    const ws = buffers.bytes(k.f32_winograd_s2k7_workspace(channels, n, outHeight, outWidth));
    k.f32_conv2d_winograd_s2k7(ptrs.input, 1, channels, height, width, packed, bias, n, pad, pad, pad, pad, mode,
      output, outHeight, outWidth, ws, scratch, actMin, actMax, 0);
  } else if (layer.kind === "winograd4") {
    const packed = buffers.floats(k.f32_winograd_f4x3_packed_size(n, channels));
    k.f32_winograd_f4x3_pack(weight, n, channels, packed);
    const ws = buffers.bytes(k.f32_winograd_f4x3_workspace(channels, n, outHeight, outWidth));
    k.f32_conv2d_winograd_f4x3(ptrs.input, 1, channels, height, width, packed, bias, n, pad, pad, pad, pad, mode,
      output, outHeight, outWidth, ws, scratch, actMin, actMax, 0);
  } else {
    const packed = buffers.floats(k.f32_winograd_f2x3_packed_size(n, channels));
    k.f32_winograd_f2x3_pack(weight, n, channels, packed);
    const ws = buffers.bytes(k.f32_winograd_f2x3_workspace(channels, n, outHeight, outWidth));
    k.f32_conv2d_winograd_f2x3(ptrs.input, 1, channels, height, width, packed, bias, n, pad, pad, pad, pad, mode,
      output, outHeight, outWidth, ws, scratch, actMin, actMax, 0);
  }
}

/** The layer's output computed whole, and in chunks of `chunk` output channels, as bits. */
function outputs(layer: Layer, chunk: number, actMin: number, actMax: number): [Uint32Array, Uint32Array] {
  const buffers = new Buffers();
  try {
    const { channels, outChannels, height, width, kernel } = layer;
    const [outHeight, outWidth] = outSize(layer);
    const input = buffers.floats(random(channels * height * width, 1));
    const weight = buffers.floats(random(outChannels * channels * kernel * kernel, 2));
    const bias = buffers.floats(random(outChannels, 3));
    const outFloats = outChannels * outHeight * outWidth;
    const results: Uint32Array[] = [];
    for (const size of [outChannels, chunk]) {
      const output = buffers.floats(outFloats);
      new Uint32Array(wasm().memory.buffer, output, outFloats).fill(0x7fc0dead);
      for (let o0 = 0; o0 < outChannels; o0 += size) {
        runChunk(layer, { input, weight, bias, output }, o0, Math.min(size, outChannels - o0), buffers, actMin, actMax);
      }
      results.push(new Uint32Array(wasm().memory.buffer.slice(output, output + outFloats * 4)));
    }
    return [results[0], results[1]];
  } finally {
    buffers.dispose();
  }
}

const LAYERS: [string, Layer][] = [
  // full layer: 36 x 130 x 65 x 4 B of U > F(4,3)'s 1 MiB pass limit (all blocks in one pass); chunks: one block per pass
  ["F(4,3) 64->128 @14", { kind: "winograd4", channels: 64, outChannels: 128, height: 14, width: 14, kernel: 3, stride: 1, pad: 1, padMode: "zeros" }],
  ["F(4,3) 9->23 @13 reflect", { kind: "winograd4", channels: 9, outChannels: 23, height: 13, width: 13, kernel: 3, stride: 1, pad: 1, padMode: "reflect" }],
  // 16 x 130 x 33 x 4 B > F(2,3)'s 256 KiB limit
  ["F(2,3) 32->128 @7", { kind: "winograd", channels: 32, outChannels: 128, height: 7, width: 7, kernel: 3, stride: 1, pad: 1, padMode: "zeros" }],
  ["F(2,3) 7->23 @9", { kind: "winograd", channels: 7, outChannels: 23, height: 9, width: 9, kernel: 3, stride: 1, pad: 1, padMode: "zeros" }],
  // 36 x 120 x 65 x 4 B > 1 MiB
  ["7x7 s2 16->120 @32", { kind: "winograd_s2k7", channels: 16, outChannels: 120, height: 32, width: 32, kernel: 7, stride: 2, pad: 3, padMode: "zeros" }],
  ["7x7 s2 3->22 @30", { kind: "winograd_s2k7", channels: 3, outChannels: 22, height: 30, width: 30, kernel: 7, stride: 2, pad: 3, padMode: "zeros" }],
  ["GEMM 3x3 16->23 @12", { kind: "igemm", channels: 16, outChannels: 23, height: 12, width: 12, kernel: 3, stride: 1, pad: 1, padMode: "zeros" }],
  ["GEMM 3x3 s2 9->17 @11", { kind: "igemm", channels: 9, outChannels: 17, height: 11, width: 11, kernel: 3, stride: 2, pad: 1, padMode: "reflect" }],
  // 1x1 stride 1 unpadded: the kernel reads the input planes in place (no panels)
  ["GEMM 1x1 32->37 @8", { kind: "igemm", channels: 32, outChannels: 37, height: 8, width: 8, kernel: 1, stride: 1, pad: 0, padMode: "zeros" }],
];

describe("a layer run in chunks of output channels equals the whole layer bit for bit", () => {
  for (const [name, layer] of LAYERS) {
    // multiples of 5 (GEMM_MR: whole blocks) and not (a partial block in every chunk)
    test.each([5, 10, 15, 1, 3, 7, 8, 11])(`${name}, chunks of %i`, (chunk) => {
      const before = memory().liveBytes;
      const [whole, chunked] = outputs(layer, chunk, -Infinity, Infinity);
      for (let i = 0; i < whole.length; i++) {
        if (whole[i] !== chunked[i]) {
          throw new Error(`${name}: output ${i} is 0x${chunked[i].toString(16)} in chunks of ${chunk}, 0x${whole[i].toString(16)} whole`);
        }
      }
      expect(whole.includes(0x7fc0dead)).toBe(false);   // every output written
      expect(memory().liveBytes).toBe(before);
    });
  }

  test.each(LAYERS.filter(([, layer]) => layer.outChannels < 100))("%s with a fused ReLU clamp, chunks of 7", (_, layer) => {
    const [whole, chunked] = outputs(layer, 7, 0, Infinity);
    expect(chunked).toEqual(whole);
  });
});
