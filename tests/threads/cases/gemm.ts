// Thread cases: the GEMM convolution (f32_conv2d_igemm: its tile and tile x block grids, the padded
// input pre-pass, every padding mode, strides, groups, dilation, fused activations, Conv+BN folds,
// lean mode's chunks, the fused pool's bands, conv1d / conv_transpose2d on it), the weight packing
// (f32_conv2d_pack, f32_scale_rows), F.linear (f32_linear, f32_linear_gemm_pack, f32_linear_gemm),
// torch.matmul (f32_matmul, matrix-vector) and F.bilinear. Odd sizes leave partial tiles, blocks,
// panels and slabs at every task edge.
import { F, manual_seed, matmul, nn, randn, type Tensor } from "../../../src/index.js";
import { conv2dWith, type Conv2dParams } from "../../../src/functional/conv.js";
import { inLean, randomBn, type Cases } from "../harness.js";

/** conv2dWith on the direct GEMM (no Winograd), zeros padding unless given. */
function gemmConv(x: Tensor, weight: Tensor, bias: Tensor | null, params: Partial<Conv2dParams>): Tensor {
  return conv2dWith(x, weight, bias, {
    stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1, paddingMode: "zeros", winograd: false, ...params,
  });
}



export const cases: Cases = {
  // --- f32_conv2d_igemm: the tile grid (many tiles), K in two blocks, chunks of 16 tiles, padded pre-pass
  "conv 3x3 pad 1, 64 -> 23, 30x30 (tiles, 2 K blocks)": () => {
    manual_seed(1);
    return gemmConv(randn([1, 64, 30, 30]), randn([23, 64, 3, 3]), randn([23]), { padding: [1, 1] });
  },
  "conv 3x3 unpadded, batch 3, 5 -> 7, 17x19": () => {
    manual_seed(2);
    return F.conv2d(randn([3, 5, 17, 19]), randn([7, 5, 3, 3]), randn([7]));
  },
  // the tile x block grid: few tiles (a small image), many blocks
  "conv 3x3 pad 1, 48 -> 61, 7x7 (tile x block grid)": () => {
    manual_seed(3);
    return gemmConv(randn([1, 48, 7, 7]), randn([61, 48, 3, 3]), randn([61]), { padding: [1, 1] });
  },
  "conv 3x3 stride 2 pad 1, batch 2, 40 -> 52, 9x11 -> 5x6": () => {
    manual_seed(4);
    return F.conv2d(randn([2, 40, 9, 11]), randn([52, 40, 3, 3]), null, 2, 1);
  },
  "conv 2x2 stride 2 unbatched, 12 -> 9, 3x5 (one tile)": () => {
    manual_seed(5);
    return F.conv2d(randn([12, 3, 5]), randn([9, 12, 2, 2]), randn([9]), 2);
  },
  // 1x1: the direct (pointwise) path, padded 1x1 (the pre-pass makes it pointwise: same bits), strided
  "conv 1x1, 32 -> 37, 21x23": () => {
    manual_seed(6);
    return F.conv2d(randn([1, 32, 21, 23]), randn([37, 32, 1, 1]), randn([37]));
  },
  "conv 1x1 pad 1, batch 2, 9 -> 11, 10x7": () => {
    manual_seed(7);
    return F.conv2d(randn([2, 9, 10, 7]), randn([11, 9, 1, 1]), randn([11]), 1, 1);
  },
  "conv 1x1 stride 2, 24 -> 30, 15x15": () => {
    manual_seed(8);
    return F.conv2d(randn([1, 24, 15, 15]), randn([30, 24, 1, 1]), randn([30]), 2);
  },
  // groups (each group's tiles and blocks), a dilated 3x3, asymmetric 'same' padding
  "conv 3x3 groups 3, batch 2, 12 -> 21, 11x9": () => {
    manual_seed(9);
    return gemmConv(randn([2, 12, 11, 9]), randn([21, 4, 3, 3]), randn([21]), { padding: [1, 1], groups: 3 });
  },
  "conv 3x3 groups 2, 16 -> 14, 5x5 (block grid per group)": () => {
    manual_seed(10);
    return gemmConv(randn([1, 16, 5, 5]), randn([14, 8, 3, 3]), randn([14]), { padding: [1, 1], groups: 2 });
  },
  "conv 5x5 stride 2 groups 6, 18 -> 24, 16x13 (F.conv2d's choice)": () => {
    manual_seed(13);
    return F.conv2d(randn([1, 18, 16, 13]), randn([24, 3, 5, 5]), randn([24]), 2, 2, 1, 6);
  },
  "conv 3x3 dilation 2 pad 2, 10 -> 13, 14x12": () => {
    manual_seed(11);
    return F.conv2d(randn([1, 10, 14, 12]), randn([13, 10, 3, 3]), randn([13]), 1, 2, 2);
  },
  "conv 4x2 'same', 6 -> 8, 9x13": () => {
    manual_seed(12);
    return F.conv2d(randn([1, 6, 9, 13]), randn([8, 6, 4, 2]), null, 1, "same");
  },
  // padding modes: the pre-pass pads with each
  ...Object.fromEntries((["reflect", "replicate", "circular"] as const).map((mode, i) => [
    `Conv2d 3x3 ${mode} pad (2, 1), batch 2, 7 -> 12, 13x10`, () => {
      manual_seed(20 + i);
      const conv = new nn.Conv2d(7, 12, 3, { padding: [2, 1], padding_mode: mode });
      return conv.forward(randn([2, 7, 13, 10]));
    },
  ])),
  // fused epilogues: a clamp, and an activation kernel (GELU) on each block's rows
  "conv 3x3 + relu6 (fused), 20 -> 17, 12x12": () => {
    manual_seed(30);
    return gemmConv(randn([1, 20, 12, 12]).mul(3), randn([17, 20, 3, 3]), randn([17]), { padding: [1, 1], activation: "relu6" });
  },
  "conv 5x5 stride 2 + gelu (fused epilogue), 8 -> 19, 19x17": () => {
    manual_seed(31);
    return gemmConv(randn([1, 8, 19, 17]), randn([19, 8, 5, 5]), randn([19]), { stride: [2, 2], padding: [2, 2], activation: { kind: 5, a: Math.SQRT1_2, b: 0 } });
  },
  // Sequential fusion: Conv2d + BatchNorm2d (the fold: f32_scale_rows, then packing) + ReLU
  "Sequential(Conv2d 3x3 s2, BatchNorm2d, ReLU) eval, batch 2": () => {
    manual_seed(32);
    const conv = new nn.Conv2d(16, 27, 3, 2, 1);
    const block = new nn.Sequential(conv, randomBn(27), new nn.ReLU()).eval();
    return block.forward(randn([2, 16, 18, 14])) as Tensor;
  },
  // the fused pool's bands (convolve per band with top/bottom pads)
  "conv 3x3 + relu + max pool (bands), 6 -> 10, 40x36": () => {
    manual_seed(33);
    return gemmConv(randn([1, 6, 40, 36]), randn([10, 6, 3, 3]), randn([10]), {
      padding: [1, 1], activation: "relu", pool: { kernel: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1], ceilMode: false },
      poolBandBytes: 4096,
    });
  },
  // lean mode: output channels packed a chunk at a time (several chunks: per image calls), with a fold
  "lean: Conv2d 3x3 s2 256 -> 256 (2 chunks), batch 2, 9x9": async () => {
    manual_seed(34);
    const conv = new nn.Conv2d(256, 256, 3, 2, 1);
    const x = randn([2, 256, 9, 9]);
    return inLean(() => conv.forward(x));
  },
  "lean: Sequential(Conv2d 1x1, BatchNorm2d, ReLU6) eval, 40 -> 33, 11x13": async () => {
    manual_seed(35);
    const block = new nn.Sequential(new nn.Conv2d(40, 33, 1, { padding: 1, padding_mode: "replicate" }), randomBn(33), new nn.ReLU6()).eval();
    const x = randn([1, 40, 11, 13]);
    return inLean(() => block.forward(x) as Tensor);
  },
  // other convolutions on the GEMM: conv1d, a transposed convolution's phases (negative pads)
  "conv1d k5 pad 2, batch 2, 9 -> 14, L 61": () => {
    manual_seed(36);
    return F.conv1d(randn([2, 9, 61]), randn([14, 9, 5]), randn([14]), 1, 2);
  },
  "conv_transpose2d 4x4 stride 2 pad 1, 12 -> 10, 9x7": () => {
    manual_seed(37);
    return F.conv_transpose2d(randn([1, 12, 9, 7]), randn([12, 10, 4, 4]), randn([10]), 2, 1);
  },

  // --- F.linear: dot products (rows < 8), the GEMM by row blocks and by (row block, panel)
  "linear 3 x 77 -> 45 (dot products)": () => {
    manual_seed(40);
    return F.linear(randn([3, 77]), randn([45, 77]), randn([45]));
  },
  "linear 1 x 512 -> 1000 (dot products)": () => {
    manual_seed(41);
    return F.linear(randn([512]), randn([1000, 512]), randn([1000]));
  },
  "linear 13 x 70 -> 51, no bias (panels)": () => {
    manual_seed(42);
    return F.linear(randn([13, 70]), randn([51, 70]), null);
  },
  "linear [3, 67, 19] -> 29 (row blocks)": () => {
    manual_seed(43);
    return F.linear(randn([3, 67, 19]), randn([29, 19]), randn([29]));
  },

  // --- torch.matmul: mm (row units x slabs), folded batch, broadcast A, batched, matrix-vector
  "matmul 23 x 300 @ 300 x 270 (2 K slabs, 3 column slabs)": () => {
    manual_seed(50);
    return matmul(randn([23, 300]), randn([300, 270]));
  },
  "matmul 61 x 33 @ 33 x 17 (row units)": () => {
    manual_seed(51);
    return matmul(randn([61, 33]), randn([33, 17]));
  },
  "matmul [4, 7, 9] @ [9, 13] (batch folded into rows)": () => {
    manual_seed(52);
    return matmul(randn([4, 7, 9]), randn([9, 13]));
  },
  "matmul [11, 18] @ [3, 18, 140] (A broadcast)": () => {
    manual_seed(53);
    return matmul(randn([11, 18]), randn([3, 18, 140]));
  },
  "matmul [2, 1, 6, 19] @ [3, 19, 10] (batched, broadcast)": () => {
    manual_seed(54);
    return matmul(randn([2, 1, 6, 19]), randn([3, 19, 10]));
  },
  "matmul [2, 39, 41] @ [41] (matrix-vector)": () => {
    manual_seed(55);
    return matmul(randn([2, 39, 41]), randn([41]));
  },

  // --- F.bilinear: by rows, each thread its own t
  "bilinear [7, 5] x [7, 6] -> 9": () => {
    manual_seed(60);
    return F.bilinear(randn([7, 5]), randn([7, 6]), randn([9, 5, 6]), randn([9]));
  },
};
