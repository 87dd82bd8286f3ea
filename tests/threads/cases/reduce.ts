// Thread cases: reductions (f32_reduce, f32_arg_reduce) split by outputs — rows of outer, and
// 1024-column blocks down columns (16-aligned, so each column keeps its strip path) — never inside
// one output's reduction. Rows (inner == 1), columns with tails, multi-pass reductions, NaN-free
// max/min and their first indices.
import { manual_seed, randn, sum, mean, amax, amin, max, min, argmax, argmin, tensor, type Tensor } from "../../../src/index.js";
import type { Cases } from "../harness.js";

const asFloat = (t: Tensor): Tensor => tensor(Float32Array.from(t.data<BigInt64Array>(), Number), t.shape);

export const cases: Cases = {
  "mean([2, 3]) (MNASNet head) [3, 37, 7, 9]": () => { manual_seed(1); return mean(randn([3, 37, 7, 9]), [2, 3]); },
  "sum(-1) rows [53, 301]": () => { manual_seed(2); return sum(randn([53, 301]), -1); },
  "sum(1) columns with tails [3, 17, 2085]": () => { manual_seed(3); return sum(randn([3, 17, 2085]), 1); },
  "sum(0) of [130, 2500] (tree over > 64 rows, 3 blocks)": () => { manual_seed(4); return sum(randn([130, 2500]), 0); },
  "mean([0, 2]) multi-pass [4, 6, 9, 5]": () => { manual_seed(5); return mean(randn([4, 6, 9, 5]), [0, 2]); },
  "amax / amin dim 1 and -1": () => {
    manual_seed(6);
    const x = randn([5, 21, 1031]);
    return [amax(x, 1), amin(x, 1), amax(x, -1), amin(x, -1)];
  },
  "max(dim) values and indices, columns and rows": () => {
    manual_seed(7);
    const x = randn([4, 13, 1029]);
    const [v1, i1] = max(x, 1) as [Tensor, Tensor];
    const [v2, i2] = min(x, 2) as [Tensor, Tensor];
    return [v1, asFloat(i1), v2, asFloat(i2)];
  },
  "argmax / argmin": () => {
    manual_seed(8);
    const x = randn([6, 7, 11]);
    return [asFloat(argmax(x, 0)), asFloat(argmin(x, 1)), asFloat(argmax(x, 2))];
  },
};
