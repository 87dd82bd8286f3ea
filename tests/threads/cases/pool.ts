// Thread cases: pooling (f32_maxpool2d, f32_avgpool2d, f32_adaptive_avgpool2d, f32_adaptive_maxpool2d),
// split by planes (N*C). Max pooling's vector paths (3/2 windows, stride 2, stride 1, gathered
// strides, with indices), edge columns, dilation, ceil mode; average pooling's divisors; adaptive
// windows that do not divide the input; 3-D inputs, 1-D pools, interpolate(mode='area').
import { F, manual_seed, randn, tensor, type Tensor } from "../../../src/index.js";
import type { Cases } from "../harness.js";

/** int64 indices as float32 values (the harness hashes float bits). */
const asFloat = (t: Tensor): Tensor => tensor(Float32Array.from(t.data<BigInt64Array>(), Number), t.shape);
const withIndices = ([out, idx]: [Tensor, Tensor]): Tensor[] => [out, asFloat(idx)];

export const cases: Cases = {
  "max 3/2 pad 1 N=2 C=5 (ResNet stem)": () => { manual_seed(1); return F.max_pool2d(randn([2, 5, 23, 29]), 3, 2, 1); },
  "max 3/2 indices": () => { manual_seed(2); return withIndices(F.max_pool2d(randn([1, 7, 17, 22]), 3, 2, 1, 1, false, true) as [Tensor, Tensor]); },
  "max 2/2 N=3 C=3 odd": () => { manual_seed(3); return F.max_pool2d(randn([3, 3, 15, 13]), 2); },
  "max 3/1 pad 1 dilation 2": () => { manual_seed(4); return F.max_pool2d(randn([1, 6, 14, 19]), 3, 1, 1, 2); },
  "max 3/3 ceil, indices": () => { manual_seed(5); return withIndices(F.max_pool2d(randn([2, 4, 16, 20]), 3, 3, 0, 1, true, true) as [Tensor, Tensor]); },
  "max (2,4)/(1,3) 3-D input": () => { manual_seed(6); return F.max_pool2d(randn([9, 11, 26]), [2, 4], [1, 3], [1, 2]); },
  "avg 3/2 pad 1 count_include_pad": () => { manual_seed(7); return F.avg_pool2d(randn([2, 5, 21, 18]), 3, 2, 1); },
  "avg 3/2 pad 1 ceil, exclude pad": () => { manual_seed(8); return F.avg_pool2d(randn([1, 9, 13, 15]), 3, 2, 1, true, false); },
  "avg 2/2 divisor_override 3": () => { manual_seed(9); return F.avg_pool2d(randn([3, 4, 10, 11]), 2, 2, 0, false, true, 3); },
  "adaptive avg 1x1 (global)": () => { manual_seed(10); return F.adaptive_avg_pool2d(randn([2, 33, 7, 7]), 1); },
  "adaptive avg 5x3 of 17x11": () => { manual_seed(11); return F.adaptive_avg_pool2d(randn([1, 6, 17, 11]), [5, 3]); },
  "adaptive max 4x6 of 13x14, indices": () => {
    manual_seed(12);
    return withIndices(F.adaptive_max_pool2d(randn([2, 5, 13, 14]), [4, 6], true) as [Tensor, Tensor]);
  },
  "adaptive max 7x7 of 9x9": () => { manual_seed(13); return F.adaptive_max_pool2d(randn([1, 10, 9, 9]), 7); },
  "1-D: max, avg, adaptive": () => {
    manual_seed(14);
    const x = randn([3, 5, 57]);
    return [F.max_pool1d(x, 3, 2, 1) as Tensor, F.avg_pool1d(x, 4, 3, 1), F.adaptive_avg_pool1d(x, 10), F.adaptive_max_pool1d(x, 9) as Tensor];
  },
  "interpolate area": () => { manual_seed(15); return F.interpolate(randn([2, 3, 19, 23]), { size: [7, 9], mode: "area" }); },
};
