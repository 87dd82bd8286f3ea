// Thread cases: the Winograd convolutions (F(2,3), F(4,3), the 7x7 stride-2 stem) in both split modes
// (tile blocks where U is small and tiles many; output-channel blocks where U is large or tiles few:
// src/functional/conv.ts winogradThreads), every padding mode, odd sizes (partial tiles, an odd
// group count), channel counts off multiples of 5, fused clamps and non-clamp activations (task
// boundaries inside tile rows), batch 1 and 3, lean mode (U packed by blocks before the tiles, or by
// each task for its own channels, chunked or not), and the stem's banded conv + max pool.
import { nn, manual_seed, randn, type Tensor } from "../../../src/index.js";
import { conv2dWith, PackedConvWeights, type Conv2dParams, type WinogradKind } from "../../../src/functional/conv.js";
import { Kind } from "../../../src/functional/activation.js";
import { inLean, randomBn, type Cases } from "../harness.js";

type Mode = "zeros" | "reflect" | "replicate" | "circular";

/** A 3x3 (or 7x7 stride 2) convolution by a forced Winograd kind, with its pad and mode, on randn input. */
function conv(seed: number, kind: WinogradKind, [batch, channels, height, width]: number[], outChannels: number,
  padding: number, mode: Mode, activation: Conv2dParams["activation"] = "none"): Tensor {
  manual_seed(seed);
  const stem = kind === "winograd_s2k7";
  const layer = new nn.Conv2d(channels, outChannels, stem ? 7 : 3, stem ? 2 : 1, padding, { padding_mode: mode });
  const x = randn([batch, channels, height, width]);
  return conv2dWith(x, layer.weight, layer.bias, {
    stride: layer.stride, padding: layer.padding, dilation: layer.dilation, groups: 1, paddingMode: mode, winograd: kind, activation,
  });
}


/** Sequential(Conv2d 3x3 pad 1, BatchNorm2d, activation) in eval mode: folded, the activation fused. */
function block(seed: number, shape: number[], outChannels: number, activation: () => nn.Module): Tensor {
  manual_seed(seed);
  const seq = new nn.Sequential(new nn.Conv2d(shape[1], outChannels, 3, 1, 1), randomBn(outChannels), activation()).eval();
  return seq.forward(randn(shape)) as Tensor;
}

/** ResNet's stem: Sequential(Conv2d 7x7/2, BatchNorm2d, ReLU, MaxPool2d(3, 2, 1)), pooled in bands at 224x224. */
function stem(seed: number, batch: number, size = 224): Tensor {
  manual_seed(seed);
  const seq = new nn.Sequential(new nn.Conv2d(3, 64, 7, 2, 3, { bias: false }), randomBn(64), new nn.ReLU(true),
    new nn.MaxPool2d(3, 2, 1)).eval();
  return seq.forward(randn([batch, 3, size, size])) as Tensor;
}

/**
 * Conv 3x3 pad 1 (weights cached packed) + max pool 3/2/1 in bands of 10 pooled rows (60 conv rows:
 * 3 bands of F(4,3) calls): with threads, each band whole on one thread (poolBandsOnThreads).
 */
function bandsF4(seed: number, batch: number, activation: Conv2dParams["activation"]): Tensor {
  manual_seed(seed);
  const layer = new nn.Conv2d(8, 12, 3, 1, 1);
  const packed = new PackedConvWeights();
  const y = conv2dWith(randn([batch, 8, 60, 36]), layer.weight, layer.bias, {
    stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1, paddingMode: "zeros", activation, packed,
    pool: { kernel: [3, 3], stride: [2, 2], padding: [1, 1], dilation: [1, 1], ceilMode: false }, poolBandBytes: 21 * 12 * 36 * 4,
  });
  packed.dispose();
  return y;
}

/** Sequential(Conv2d 3x3 pad 1, ReLU, MaxPool2d) in eval mode: fused; small, so convolved whole, then pooled. */
function pooled(seed: number, shape: number[], outChannels: number, mode: Mode): Tensor {
  manual_seed(seed);
  const pool = mode === "zeros" ? new nn.MaxPool2d(2) : new nn.MaxPool2d(3, 2, 1);
  const seq = new nn.Sequential(new nn.Conv2d(shape[1], outChannels, 3, 1, 1, { padding_mode: mode }), new nn.ReLU(), pool).eval();
  return seq.forward(randn(shape)) as Tensor;
}

/** A dilated 3x3 Conv2d (padding = dilation), by Winograd on polyphase components. */
function dilated(seed: number, shape: number[], outChannels: number, dilation: number | [number, number], mode: Mode): Tensor {
  manual_seed(seed);
  const layer = new nn.Conv2d(shape[1], outChannels, 3, { padding: dilation, dilation, padding_mode: mode });
  return layer.forward(randn(shape)) as Tensor;
}

/** Sequential(dilated 3x3 Conv2d, BatchNorm2d, ReLU6) in eval mode: folded, the clamp fused into each phase's call. */
function dilatedBlock(seed: number, shape: number[], outChannels: number): Tensor {
  manual_seed(seed);
  const seq = new nn.Sequential(new nn.Conv2d(shape[1], outChannels, 3, { padding: 2, dilation: 2 }), randomBn(outChannels), new nn.ReLU6()).eval();
  return seq.forward(randn(shape)) as Tensor;
}

/** A grouped 3x3 Conv2d (pad 1), by Winograd on block-diagonal dense weights. */
function grouped(seed: number, shape: number[], outChannels: number, groups: number): Tensor {
  manual_seed(seed);
  const layer = new nn.Conv2d(shape[1], outChannels, 3, { padding: 1, groups });
  return layer.forward(randn(shape)) as Tensor;
}


export const cases: Cases = {
  // tile mode (U 608 KB: one block a pass; 28 tile blocks)
  "F(4,3) 64->64 @56 zeros": () => conv(1, "winograd4", [1, 64, 56, 56], 64, 1, "zeros"),
  // odd sizes: 12x10 tiles, 3 groups a row (tasks end inside tile rows); tile mode to 4 threads, channel mode at 7
  "F(4,3) 16->23 @45x39 reflect, ReLU": () => conv(2, "winograd4", [1, 16, 45, 39], 23, 1, "reflect", "relu"),
  "F(4,3) 9->13 @30x26 replicate, batch 3": () => conv(3, "winograd4", [3, 9, 30, 26], 13, 1, "replicate"),
  "F(4,3) 12->17 @33x35 circular, pad 2": () => conv(4, "winograd4", [1, 12, 31, 33], 17, 2, "circular"),
  // channel mode: U 2.4 MB (all tile blocks in one pass), 7 tile blocks
  "F(4,3) 128->128 @28 ReLU6": () => conv(5, "winograd4", [1, 128, 28, 28], 128, 1, "zeros", "relu6"),
  "F(2,3) 48->37 @10x11 circular": () => conv(6, "winograd", [1, 48, 10, 11], 37, 1, "circular"),
  "F(2,3) 64->66 @7 replicate, batch 3": () => conv(7, "winograd", [3, 64, 7, 7], 66, 1, "replicate"),
  "F(2,3) 8->12 @40x27 zeros, batch 3": () => conv(8, "winograd", [3, 8, 40, 27], 12, 1, "zeros"),
  // fewer units than threads: 2 tile blocks, 2 channel blocks, 16 input channels to stage
  "F(2,3) 16->9 @5x5 zeros": () => conv(27, "winograd", [1, 16, 5, 5], 9, 1, "zeros"),
  "F(2,3) 32->11 @29x23 reflect, no pad": () => conv(9, "winograd", [1, 32, 31, 25], 11, 0, "reflect"),
  // the stem: tile mode (38x38 tiles), odd sizes and every padding mode
  "stem 3->64 @224": () => conv(10, "winograd_s2k7", [1, 3, 224, 224], 64, 3, "zeros"),
  "stem 3->12 @53x47 reflect, batch 3": () => conv(11, "winograd_s2k7", [3, 3, 53, 47], 12, 3, "reflect"),
  "stem 5->9 @41x45 replicate, ReLU": () => conv(12, "winograd_s2k7", [1, 5, 41, 45], 9, 3, "replicate", "relu"),
  "stem 2->8 @30x37 circular, pad 2": () => conv(13, "winograd_s2k7", [1, 2, 30, 37], 8, 2, "circular"),
  "stem 3->8 @27x29 no pad": () => conv(14, "winograd_s2k7", [1, 3, 27, 29], 8, 0, "zeros"),
  // fused non-clamp activations: per task, exactly its outputs
  "Conv 24->30 @37x41 + BN + SiLU (tile mode)": () => block(15, [1, 24, 37, 41], 30, () => new nn.SiLU()),
  "Conv 96->96 @20 + BN + Hardswish (channel mode)": () => block(16, [1, 96, 20, 20], 96, () => new nn.Hardswish()),
  "Conv 16->21 @9x10 + BN + GELU, batch 3 (F(2,3))": () => block(17, [3, 16, 9, 10], 21, () => new nn.GELU()),
  "F(4,3) leaky_relu epilogue @50x29": () => conv(18, "winograd4", [1, 20, 50, 29], 14, 1, "zeros", { kind: Kind.leaky_relu, a: 0.1, b: 0 }),
  "stem SiLU epilogue, batch 3": () => conv(19, "winograd_s2k7", [3, 3, 67, 61], 16, 3, "zeros", { kind: Kind.silu, a: 0, b: 0 }),
  // ResNet's stem with its max pool, in bands (batch 1 and 3)
  "stem + BN + ReLU + MaxPool @224": () => stem(20, 1),
  "stem + BN + ReLU + MaxPool @224, batch 3": () => stem(21, 3),
  // F(4,3) + max pool in bands, a band a task (and a non-clamp epilogue in the band's kernel)
  "F(4,3) + ReLU + MaxPool(3, 2, 1) in 3 bands, batch 2": () => bandsF4(34, 2, "relu"),
  "F(4,3) + leaky_relu + MaxPool(3, 2, 1) in 3 bands": () => bandsF4(35, 1, { kind: Kind.leaky_relu, a: 0.1, b: 0 }),
  // groups 2 and 3 run as dense convolutions with block-diagonal weights
  "grouped (2) Conv 16->16 @30 F(4,3)": () => grouped(32, [1, 16, 30, 30], 16, 2),
  "grouped (3) Conv 12->21 @9x11 F(2,3), batch 3": () => grouped(33, [3, 12, 9, 11], 21, 3),
  // conv + max pool unbanded (output under 2 band buffers; a padding mode other than zeros): the pool split by planes
  "Conv 16->24 @40x44 + ReLU + MaxPool(2), batch 3": () => pooled(28, [3, 16, 40, 44], 24, "zeros"),
  "Conv 10->12 @31x29 reflect + ReLU + MaxPool(3, 2, 1)": () => pooled(29, [1, 10, 31, 29], 12, "reflect"),
  // dilated 3x3: F(4,3) on the padded input's polyphase components, a task a phase (its split, its
  // kernel call, its merge: phasesOnThreads); 4 and 6 phases (fewer than 7 threads), a folded
  // BatchNorm with a fused clamp; in lean mode, the one-thread loop with each phase's call split
  "dilated 2 Conv 16->12 @40x36": () => dilated(30, [1, 16, 40, 36], 12, 2, "zeros"),
  "dilated (2, 3) Conv 8->9 @45x50 circular, batch 3": () => dilated(31, [3, 8, 45, 50], 9, [2, 3], "circular"),
  "dilated 2 Conv 12->10 @33x30 + BN + ReLU6": () => dilatedBlock(36, [1, 12, 33, 30], 10),
  "lean: dilated 2 Conv 16->12 @40x36": () => inLean(() => dilated(37, [1, 16, 40, 36], 12, 2, "reflect")),
  // lean mode: U packed by output-channel blocks before the tile tasks (with a folded BatchNorm)
  "lean: Conv 64->64 @56 + BN + ReLU (tile mode, batch 3)": () => inLean(() => block(22, [3, 64, 56, 56], 64, () => new nn.ReLU())),
  // lean, one chunk over the pass limit: channel mode, packed by the first image's tasks
  "lean: Conv 96->96 @16 + BN + SiLU (channel mode, batch 3)": () => inLean(() => block(23, [3, 96, 16, 16], 96, () => new nn.SiLU())),
  // lean, chunked (U 16.9 MB, ~2 MiB chunks): each task packs its blocks of each chunk
  "lean: Conv 512->512 @7 + BN + ReLU (chunked, batch 3)": () => inLean(() => block(24, [3, 512, 7, 7], 512, () => new nn.ReLU())),
  "lean: F(4,3) 256->250 @14 leaky_relu (chunked)": () => inLean(() => conv(25, "winograd4", [1, 256, 14, 14], 250, 1, "reflect",
    { kind: Kind.leaky_relu, a: 0.2, b: 0 })),
  "lean: stem + BN + ReLU + MaxPool @224": () => inLean(() => stem(26, 1)),
  "lean: stem 3->12 @53x47 reflect, batch 3": () => inLean(() => conv(11, "winograd_s2k7", [3, 3, 53, 47], 12, 3, "reflect")),
};

