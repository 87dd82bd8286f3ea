// Lean mode's Winograd calls (issue #13) give the kernels the unpacked weights: each pass computes
// the input transform V once, then packs U for one chunk of output channels at a time into a small
// buffer, multiplies and transforms that chunk (winograd_conv.ts). Every output must be the bits of
// the cached-weight call (the whole layer's U packed once, fast mode): the same sum over input
// channels in the same order, only the grouping of output channels into M differs. Covered: the
// three kernels, layers whose U is over the pass limit (one pass over all tile blocks) and under it
// (one block per pass), chunks of 5, 10, 55 and all channels (and chunk 0 / past the count: all),
// channel counts that are not multiples of the 5-channel blocks, a clamp (none, ReLU) and a
// non-clamp fused activation, a folded BatchNorm's per-channel f64 factors, batch 1 and 3. Guard
// bytes after every buffer catch a write past the sizes the host allocates.
import { beforeAll, describe, expect, test } from "vitest";
import { init, memory, nn, randn, manual_seed, tidy, type Tensor } from "../src/index.js";
import { wasm } from "../src/runtime.js";
import { allocate, release } from "../src/allocator.js";
import { Kind } from "../src/functional/activation.js";
import { lcgFloats, randomBn } from "./helpers.js";

beforeAll(async () => {
  await init();
});

const PAD_MODE = { zeros: 0, reflect: 1 } as const;
const GUARD = 64;
const GUARD_WORD = 0x5a5aa5a5;

const random = lcgFloats;

/** Allocations freed together, each followed by GUARD bytes that must stay untouched. */
class Buffers {
  #blocks: [number, number][] = [];
  bytes(count: number, values?: ArrayLike<number>, type: "f32" | "f64" = "f32"): number {
    const bytes = Math.ceil(Math.max(count, 16) / 16) * 16;
    const ptr = allocate(bytes + GUARD, "lean-winograd test buffer");
    this.#blocks.push([ptr, bytes]);
    new Uint32Array(wasm().memory.buffer, ptr + bytes, GUARD / 4).fill(GUARD_WORD);
    if (values !== undefined) {
      if (type === "f32") new Float32Array(wasm().memory.buffer, ptr, values.length).set(values);
      else new Float64Array(wasm().memory.buffer, ptr, values.length).set(values);
    }
    return ptr;
  }
  floats(values: Float32Array | number): number {
    return typeof values === "number" ? this.bytes(values * 4) : this.bytes(values.length * 4, values);
  }
  checkGuards(): void {
    for (const [ptr, bytes] of this.#blocks) {
      const guard = new Uint32Array(wasm().memory.buffer, ptr + bytes, GUARD / 4);
      if (!guard.every((w) => w === GUARD_WORD)) throw new Error(`a kernel wrote past a buffer of ${bytes} bytes`);
    }
  }
  dispose(): void {
    for (const [ptr, bytes] of this.#blocks) release(ptr, bytes + GUARD);
    this.#blocks = [];
  }
}

type Kind3 = "winograd" | "winograd4" | "winograd_s2k7";

interface Layer {
  kind: Kind3; channels: number; outChannels: number; height: number; width: number; pad: number; padMode: keyof typeof PAD_MODE;
}

interface Activation { name: string; min: number; max: number; kind: number }
const ACTIVATIONS: Activation[] = [
  { name: "none", min: -Infinity, max: Infinity, kind: 0 },
  { name: "ReLU", min: 0, max: Infinity, kind: 0 },
  // a non-clamp epilogue runs over each pass's completed rows, after every chunk of the pass
  { name: "leaky_relu(0.1)", min: 0.1, max: 0, kind: Kind.leaky_relu },
];

function geometry(layer: Layer) {
  const kernel = layer.kind === "winograd_s2k7" ? 7 : 3;
  const stride = layer.kind === "winograd_s2k7" ? 2 : 1;
  const size = (n: number) => Math.floor((n + 2 * layer.pad - kernel) / stride) + 1;
  return { kernel, outHeight: size(layer.height), outWidth: size(layer.width) };
}

/** The kernel's entry points by kind. */
function kernels(kind: Kind3) {
  const k = wasm();
  return kind === "winograd" ? { size: k.f32_winograd_f2x3_packed_size, pack: k.f32_winograd_f2x3_pack, workspace: k.f32_winograd_f2x3_workspace, run: k.f32_conv2d_winograd_f2x3 }
    : kind === "winograd4" ? { size: k.f32_winograd_f4x3_packed_size, pack: k.f32_winograd_f4x3_pack, workspace: k.f32_winograd_f4x3_workspace, run: k.f32_conv2d_winograd_f4x3 }
    : { size: k.f32_winograd_s2k7_packed_size, pack: k.f32_winograd_s2k7_pack, workspace: k.f32_winograd_s2k7_workspace, run: k.f32_conv2d_winograd_s2k7 };
}

/**
 * The layer on `batch` images, as bits: `chunk` null is the cached-weight call (U of the whole layer,
 * of the weights scaled by f32_scale_rows when `folded`), else the lean call with chunks of `chunk`.
 */
function run(layer: Layer, batch: number, chunk: number | null, act: Activation, folded: boolean): Uint32Array {
  const buffers = new Buffers();
  try {
    const k = wasm();
    const { channels, outChannels, height, width, pad } = layer;
    const { kernel, outHeight, outWidth } = geometry(layer);
    const rowFloats = channels * kernel * kernel;
    const { size, pack, workspace, run: conv } = kernels(layer.kind);
    const input = buffers.floats(random(batch * channels * height * width, 1));
    const weight = buffers.floats(random(outChannels * rowFloats, 2));
    const bias = buffers.floats(random(outChannels, 3));
    const factors = Array.from(random(outChannels, 4), (v) => 1.5 * v + 0.1 / 3);   // f64, not f32-exact
    const scratch = buffers.floats(channels * (height + 2 * pad) * (width + 2 * pad));
    const outFloats = batch * outChannels * outHeight * outWidth;
    const output = buffers.floats(outFloats);
    new Uint32Array(k.memory.buffer, output, outFloats).fill(0x7fc0dead);
    const args = [input, batch, channels, height, width];
    const tail = [pad, pad, pad, pad, PAD_MODE[layer.padMode], output, outHeight, outWidth];
    if (chunk === null) {
      let source = weight;
      if (folded) {
        source = buffers.floats(outChannels * rowFloats);
        k.f32_scale_rows(weight, buffers.bytes(outChannels * 8, factors, "f64"), outChannels, rowFloats, source);
      }
      const packed = buffers.floats(size(outChannels, channels));
      pack(source, outChannels, channels, packed);
      const ws = buffers.bytes(workspace(channels, outChannels, outHeight, outWidth));
      conv(...args, packed, bias, outChannels, ...tail, ws, scratch, act.min, act.max, act.kind);
    } else {
      // the host's sizes: the buffers hold one chunk; the workspace is a call's on one chunk's channels;
      // a fold is the factors, then room for a chunk's scaled rows
      const held = chunk <= 0 ? outChannels : Math.min(chunk, outChannels);
      const packed = buffers.floats(size(held, channels));
      const fold = folded ? buffers.bytes(outChannels * 8 + held * rowFloats * 4, factors, "f64") : 0;
      const ws = buffers.bytes(workspace(channels, held, outHeight, outWidth));
      conv(...args, packed, bias, outChannels, ...tail, ws, scratch, act.min, act.max, act.kind, weight, fold, chunk);
    }
    buffers.checkGuards();
    return new Uint32Array(k.memory.buffer.slice(output, output + outFloats * 4));
  } finally {
    buffers.dispose();
  }
}

const LAYERS: [string, Layer][] = [
  // U = 36 x 130 x 65 x 4 B > F(4,3)'s 1 MiB pass limit: one pass over all tile blocks
  ["F(4,3) 64->128 @14", { kind: "winograd4", channels: 64, outChannels: 128, height: 14, width: 14, pad: 1, padMode: "zeros" }],
  // under the limit: one block per pass (several passes)
  ["F(4,3) 9->23 @13 reflect", { kind: "winograd4", channels: 9, outChannels: 23, height: 13, width: 13, pad: 1, padMode: "reflect" }],
  ["F(4,3) 16->62 @21", { kind: "winograd4", channels: 16, outChannels: 62, height: 21, width: 21, pad: 1, padMode: "zeros" }],
  // 16 x 130 x 33 x 4 B > F(2,3)'s 256 KiB
  ["F(2,3) 32->128 @7", { kind: "winograd", channels: 32, outChannels: 128, height: 7, width: 7, pad: 1, padMode: "zeros" }],
  ["F(2,3) 7->23 @9", { kind: "winograd", channels: 7, outChannels: 23, height: 9, width: 9, pad: 1, padMode: "zeros" }],
  // 36 x 120 x 65 x 4 B > 1 MiB
  ["7x7 s2 16->118 @32", { kind: "winograd_s2k7", channels: 16, outChannels: 118, height: 32, width: 32, pad: 3, padMode: "zeros" }],
  ["7x7 s2 3->22 @30", { kind: "winograd_s2k7", channels: 3, outChannels: 22, height: 30, width: 30, pad: 3, padMode: "zeros" }],
];

describe("lean Winograd (weights packed per chunk inside the kernel) equals the cached-weight call bit for bit", () => {
  for (const [name, layer] of LAYERS) {
    test.each([5, 10, 55, layer.outChannels, 0, 1000])(`${name}, chunks of %i`, (chunk) => {
      const before = memory().liveBytes;
      for (const batch of [1, 3]) {
        for (const act of ACTIVATIONS) {
          for (const folded of [false, true]) {
            const whole = run(layer, batch, null, act, folded);
            const lean = run(layer, batch, chunk, act, folded);
            const what = `${name}, batch ${batch}, ${act.name}${folded ? ", folded" : ""}, chunks of ${chunk}`;
            expect(whole.includes(0x7fc0dead), `${what}: every output written`).toBe(false);
            for (let i = 0; i < whole.length; i++) {
              if (whole[i] !== lean[i]) {
                throw new Error(`${what}: output ${i} is 0x${lean[i].toString(16)}, 0x${whole[i].toString(16)} with the whole layer's U`);
              }
            }
          }
        }
      }
      expect(memory().liveBytes).toBe(before);
    });
  }
});

describe("lean mode through nn: folded Conv2d + BatchNorm2d (+ activation) gives fast mode's bits", () => {

  test.each([
    // F(4,3), U 36 x 165 x 129 x 4 B > 2 MiB: chunks of 110 channels; F(2,3) at 6x6, one chunk; the stem + max pool (banded)
    ["F(4,3) 128->161 @16, chunked, SiLU", () => [new nn.Conv2d(128, 161, 3, { padding: 1 }), randomBn(161), new nn.SiLU()], [2, 128, 16, 16]],
    ["F(2,3) 40->45 @6, ReLU", () => [new nn.Conv2d(40, 45, 3, { padding: 1, bias: false }), randomBn(45), new nn.ReLU()], [1, 40, 6, 6]],
    ["7x7 s2 stem + max pool", () => [new nn.Conv2d(3, 64, 7, { stride: 2, padding: 3, bias: false }), randomBn(64), new nn.ReLU(),
      new nn.MaxPool2d(3, { stride: 2, padding: 1 })], [1, 3, 96, 96]],
  ] as [string, () => nn.Module[], number[]][])("%s", async (_, layers, shape) => {
    manual_seed(5);
    const net = new nn.Sequential(...layers()).eval();
    const x = randn(shape);
    await init({ memory: "fast" });
    const fast = net.forward(x) as Tensor;
    await init({ memory: "lean" });
    const lean = net.forward(x) as Tensor;
    try {
      expect(new Uint32Array(lean.data().buffer)).toEqual(new Uint32Array(fast.data().buffer));
    } finally {
      await init({ memory: "fast" });
      for (const t of [x, fast, lean]) t.dispose();
      net.dispose();
    }
  });
});
