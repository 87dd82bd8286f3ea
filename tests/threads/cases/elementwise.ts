// Thread cases: elementwise kernels. f32_binary over (run, 16-aligned piece) units for every
// broadcast shape the host collapses to (one same-shape run, SE gates, bias rows, layer scales,
// one value ⊕ run, more than three dims), every op (alpha, rounding modes, tensor clamp's
// maximum/minimum), in place; f32_binary_scalar and f32_unary in 1024-aligned ranges; f32_prelu
// (one weight: flat ranges; per channel: planes); f32_softmax / log_softmax (rows, or row x
// 1024-column blocks over a non-last dim). Odd sizes leave vector tails.
import { F, manual_seed, randn, tensor, add, sub, mul, div, clamp, type Tensor } from "../../../src/index.js";
import type { Cases } from "../harness.js";

/** values in (0, 1) */
const pos = (shape: number[]): Tensor => F.sigmoid(randn(shape));

export const cases: Cases = {
  "add same shape 70001 (one run in pieces)": () => { manual_seed(1); return add(randn([70001]), randn([70001])); },
  "add alpha, sub alpha [3, 5, 2001]": () => {
    manual_seed(2);
    const [a, b] = [randn([3, 5, 2001]), randn([3, 5, 2001])];
    return [add(a, b, { alpha: 0.3 }), sub(a, b, { alpha: -1.7 }), sub(a, b)];
  },
  "mul SE gate [2, 24, 1, 1] x [2, 24, 13, 11]": () => { manual_seed(3); return mul(randn([2, 24, 13, 11]), pos([2, 24, 1, 1])); },
  "mul gate first (one value ⊕ run, swapped)": () => { manual_seed(4); return mul(pos([1, 9, 1, 1]), randn([1, 9, 31, 7])); },
  "sub gate first (one value ⊕ run, not commutative)": () => { manual_seed(5); return sub(randn([2, 7, 1, 1]), randn([2, 7, 5, 19])); },
  "div run / gate, div trunc, div floor": () => {
    manual_seed(6);
    const [a, b] = [randn([3, 6, 41]).mul(10), randn([3, 6, 1])];
    return [div(a, b), div(a, b, { rounding_mode: "trunc" }), div(a, b, { rounding_mode: "floor" })];
  },
  "bias row [37] + [129, 37]": () => { manual_seed(7); return add(randn([129, 37]), randn([37])); },
  "layer scale [C, 1, 1] x [N, C, H, W] (outer x rows x run)": () => { manual_seed(8); return mul(randn([3, 10, 9, 7]), randn([10, 1, 1])); },
  "5-D broadcast (slabs)": () => { manual_seed(9); return add(randn([2, 3, 4, 5, 6]), randn([2, 1, 4, 1, 6])); },
  "in place add_ (residual)": () => {
    manual_seed(10);
    const x = randn([1, 24, 28, 27]);
    return x.add_(randn([1, 24, 28, 27]));
  },
  "clamp with tensor bounds (maximum, minimum)": () => {
    manual_seed(11);
    return clamp(randn([4, 5, 333]), randn([5, 1]).sub(1), randn([4, 1, 333]).add(1));
  },
  "int64 operand": () => { manual_seed(12); return mul(randn([2, 5]), tensor(new BigInt64Array([1n, 2n, 3n, 4n, 5n]), [5], { dtype: "int64" })); },
  "scalar: add, sub, mul, div, reversed sub and div": () => {
    manual_seed(13);
    const x = randn([3, 11, 1013]);
    return [x.add(0.25), x.sub(3), x.mul(-1.5), x.div(7), sub(2, x), div(1, x), add(x, 2, { alpha: 3 })];
  },
  "scalar: floor division by a number": () => { manual_seed(14); return randn([5001]).mul(9).div(2.5, { rounding_mode: "floor" }); },
  "unary: neg, abs, sqrt, rsqrt, clamp": () => {
    manual_seed(15);
    const x = randn([7, 3001]);
    return [x.neg(), x.abs(), x.abs().sqrt(), x.abs().rsqrt(), x.clamp(-0.5, 0.75), x.clamp(null, 0.1)];
  },
  "unary in place on an odd size": () => { manual_seed(16); const x = randn([2, 5, 17, 19]); return x.abs_().sqrt_(); },
  "prelu one weight [2, 3, 47, 45]": () => { manual_seed(17); return F.prelu(randn([2, 3, 47, 45]), tensor([0.2])); },
  "prelu per channel [3, 6, 13, 9]": () => { manual_seed(18); return F.prelu(randn([3, 6, 13, 9]), pos([6])); },
  "prelu per channel [5, 7] (planes of one)": () => { manual_seed(19); return F.prelu(randn([5, 7]), pos([7])); },
  "softmax last dim [37, 1003]": () => { manual_seed(20); return F.softmax(randn([37, 1003]), -1); },
  "log_softmax last dim [5, 7, 19]": () => { manual_seed(21); return F.log_softmax(randn([5, 7, 19]), 2); },
  "softmax dim 1 of [2, 21, 37, 61] (column blocks)": () => { manual_seed(22); return F.softmax(randn([2, 21, 37, 61]), 1); },
  "log_softmax dim 0 of [6, 2500]": () => { manual_seed(23); return F.log_softmax(randn([6, 2500]), 0); },
};
