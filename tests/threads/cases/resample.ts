// Thread cases: resampling. f32_resize_nearest, f32_resize_separable (bilinear / bicubic / 1-D
// linear; each task its own row cache), f32_resize_bilinear_cl (PyTorch's channels-last inputs:
// C == 1, or H * W == 1 with vector and double channels) by output rows; f32_resize_aa_pass by
// output (o, k); x32_pixel_shuffle, f32_pad2d and f32_phase_split/merge (pad.ts helpers) by
// planes. Upscales with shuffled groups, x2 pairs of rows, downscales, odd sizes.
import { F, manual_seed, randn, tensor, pixel_shuffle, pixel_unshuffle, type Tensor } from "../../../src/index.js";
import { empty } from "../../../src/tensor.js";
import { phaseMergePlanes, phaseSplitPlanes } from "../../../src/functional/pad.js";
import type { Cases } from "../harness.js";

export const cases: Cases = {
  "nearest x2 (shuffled groups) N=2 C=3": () => { manual_seed(1); return F.interpolate(randn([2, 3, 13, 11]), { scale_factor: 2 }); },
  "nearest down 29x31 -> 10x13, nearest-exact": () => {
    manual_seed(2);
    const x = randn([1, 5, 29, 31]);
    return [F.interpolate(x, { size: [10, 13] }), F.interpolate(x, { size: [10, 13], mode: "nearest-exact" })];
  },
  "nearest 1-D x3": () => { manual_seed(3); return F.interpolate(randn([2, 4, 17]), { scale_factor: 3 }); },
  "bilinear x2 (segmentation head) C=21": () => { manual_seed(4); return F.interpolate(randn([1, 21, 14, 15]), { scale_factor: 2, mode: "bilinear" }); },
  "bilinear to 61x47, align_corners both": () => {
    manual_seed(5);
    const x = randn([2, 3, 17, 13]);
    return [F.interpolate(x, { size: [61, 47], mode: "bilinear" }), F.interpolate(x, { size: [61, 47], mode: "bilinear", align_corners: true })];
  },
  "bilinear down 40x37 -> 9x11": () => { manual_seed(6); return F.interpolate(randn([1, 6, 40, 37]), { size: [9, 11], mode: "bilinear" }); },
  "bicubic x1.7": () => { manual_seed(7); return F.interpolate(randn([2, 2, 11, 14]), { scale_factor: 1.7, mode: "bicubic" }); },
  "linear 1-D to 45": () => { manual_seed(8); return F.interpolate(randn([3, 5, 19]), { size: 45, mode: "linear" }); },
  "bilinear channels-last C == 1": () => { manual_seed(9); return F.interpolate(randn([2, 1, 15, 12]), { size: [33, 29], mode: "bilinear" }); },
  "bilinear channels-last H*W == 1, C = 11": () => { manual_seed(10); return F.interpolate(randn([2, 11, 1, 1]), { size: [5, 7], mode: "bilinear" }); },
  "antialias bilinear down": () => {
    manual_seed(11);
    return F.interpolate(randn([1, 3, 41, 38]), { size: [13, 11], mode: "bilinear", antialias: true });
  },
  "antialias bicubic down in width only": () => {
    manual_seed(12);
    return F.interpolate(randn([2, 2, 9, 50]), { size: [9, 17], mode: "bicubic", antialias: true });
  },
  "pixel_shuffle r=2, r=3, unshuffle": () => {
    manual_seed(13);
    return [pixel_shuffle(randn([2, 12, 7, 9]), 2), pixel_shuffle(randn([1, 18, 5, 6]), 3), pixel_unshuffle(randn([3, 2, 8, 6]), 2)];
  },
  "pixel_shuffle int64": () => {
    const values = Array.from({ length: 2 * 8 * 3 * 5 }, (_, i) => BigInt(i * 7 - 300));
    const y = pixel_shuffle(tensor(BigInt64Array.from(values), [2, 8, 3, 5], { dtype: "int64" }), 2);
    return tensor(Float32Array.from(y.data<BigInt64Array>(), Number), y.shape);
  },
  "pad 2-D: constant, reflect, replicate, circular": () => {
    manual_seed(14);
    const x = randn([2, 3, 9, 11]);
    return [F.pad(x, [1, 2, 3, 0], "constant", 0.5), F.pad(x, [2, 1, 1, 3], "reflect"), F.pad(x, [3, 3, 2, 2], "replicate"),
      F.pad(x, [1, 4, 2, 1], "circular")] as Tensor[];
  },
  "pad 1-D, crop, 3-D volume": () => {
    manual_seed(15);
    const x = randn([2, 4, 6, 7]);
    return [F.pad(randn([3, 5, 13]), [2, 3], "reflect"), F.pad(x, [-1, 2, 1, -2]), F.pad(randn([1, 2, 3, 4, 5]), [1, 1, 1, 1, 1, 1], "replicate")];
  },
  "phase split and merge (dilated convolutions' phases)": () => {
    manual_seed(16);
    const [planes, height, width] = [7, 13, 11];
    const x = randn([planes, height, width]);
    const phases: Tensor[] = [];
    const merged = empty([planes, height, width]);
    for (let a = 0; a < 2; a++) {
      for (let b = 0; b < 3; b++) {
        const [h, w] = [Math.ceil((height - a) / 2), Math.ceil((width - b) / 3)];
        const phase = empty([planes, h, w]);
        phaseSplitPlanes(x.ptr, planes, height, width, 2, 3, a, b, phase.ptr, h, w);
        phaseMergePlanes(phase.ptr, planes, h, w, 2, 3, a, b, merged.ptr, height, width);
        phases.push(phase);
      }
    }
    return [...phases, merged];
  },
};
