// Thread cases: copies. xx_copy_rows (cat, stack, clone, narrow/split/chunk, contiguous expand
// rows) split by rows, or by 16 KB byte ranges when the rows make one contiguous run. xx_gather
// (permute, transpose, channel_shuffle) stays on one thread: its descriptor is thread 0's.
import { F, manual_seed, randn, tensor, cat, stack, split, chunk, narrow, clone, permute, channel_shuffle, type Tensor } from "../../../src/index.js";
import type { Cases } from "../harness.js";

export const cases: Cases = {
  "cat dim 1, batch 1 (one run per input)": () => {
    manual_seed(1);
    return cat([randn([1, 64, 17, 19]), randn([1, 32, 17, 19]), randn([1, 3, 17, 19])], 1);
  },
  "cat dim 1, batch 3 (rows)": () => { manual_seed(2); return cat([randn([3, 5, 7, 9]), randn([3, 11, 7, 9])], 1); },
  "cat dim 0 and dim -1": () => {
    manual_seed(3);
    const [a, b] = [randn([2, 3, 5, 7]), randn([2, 3, 5, 7])];
    return [cat([a, b], 0), cat([a, b], -1)];
  },
  "cat int64": () => {
    const a = tensor(BigInt64Array.from({ length: 2 * 3 * 5 }, (_, i) => BigInt(i)), [2, 3, 5], { dtype: "int64" });
    const y = cat([a, a, a], 1);
    return tensor(Float32Array.from(y.data<BigInt64Array>(), Number), y.shape);
  },
  "stack dim 1": () => { manual_seed(4); return stack([randn([4, 33]), randn([4, 33]), randn([4, 33])], 1); },
  "clone 40000": () => { manual_seed(5); return clone(randn([40000])); },
  "split / chunk along dim 1, batch 2": () => {
    manual_seed(6);
    const x = randn([2, 10, 13, 11]);
    return [...chunk(x, 2, 1), ...split(x, [3, 7], 1)];
  },
  "narrow dim 0, dim 2": () => { manual_seed(7); const x = randn([6, 5, 30]); return [narrow(x, 0, 1, 4), narrow(x, 2, 3, 20)]; },
  "expand rows then contiguous": () => { manual_seed(8); return randn([1, 301]).expand([7, 301]).contiguous(); },
  "permute and channel_shuffle (one thread)": () => {
    manual_seed(9);
    const x = randn([2, 8, 5, 6]);
    return [permute(x, [0, 2, 3, 1]), channel_shuffle(x, 4), F.pad(x, [1, 1]) as Tensor];
  },
};
