// Thread cases: normalisations. f32_channel_affine (eval BatchNorm, by planes), f32_channel_stats
// (train BatchNorm's statistics, by channels), f32_layer_norm (rows), f32_group_norm (groups;
// InstanceNorm's instances, with running statistics), f32_local_response_norm (planes),
// f32_normalize ((row, 1024-column block) units). Odd sizes leave vector tails in every plane/row.
import { F, manual_seed, nn, randn, ones, zeros, type Tensor } from "../../../src/index.js";
import type { Cases } from "../harness.js";

function bn2d(channels: number): nn.BatchNorm2d {
  const bn = new nn.BatchNorm2d(channels);
  bn.load_state_dict({ weight: randn([channels]), bias: randn([channels]), running_mean: randn([channels]), running_var: randn([channels]).abs().add(0.5) }, false);
  return bn;
}

export const cases: Cases = {
  "batch_norm eval N=2 C=7 9x13": () => { manual_seed(1); return bn2d(7).eval().forward(randn([2, 7, 9, 13])); },
  "batch_norm eval + ReLU (Sequential)": () => {
    manual_seed(2);
    return new nn.Sequential(bn2d(6), new nn.ReLU()).eval().forward(randn([3, 6, 5, 11]));
  },
  "batch_norm eval, F, no affine, [N, C]": () => {
    manual_seed(3);
    return F.batch_norm(randn([37, 5]), randn([5]), randn([5]).abs(), null, null, false);
  },
  "batch_norm train: output and running stats": () => {
    manual_seed(4);
    const bn = bn2d(9).train();
    const out = bn.forward(randn([3, 9, 7, 6]));
    return [out, bn.running_mean!, bn.running_var!];
  },
  "batch_norm train BatchNorm1d [N, C, L]": () => {
    manual_seed(5);
    const bn = new nn.BatchNorm1d(11).train();
    return [bn.forward(randn([4, 11, 19])), bn.running_mean!, bn.running_var!];
  },
  "layer_norm last dim (ConvNeXt) [2, 7, 9, 19]": () => {
    manual_seed(6);
    return F.layer_norm(randn([2, 7, 9, 19]), [19], randn([19]), randn([19]));
  },
  "layer_norm 2 dims, weight only": () => { manual_seed(7); return F.layer_norm(randn([5, 6, 13]), [6, 13], randn([6, 13])); },
  "layer_norm no affine [3, 1029]": () => { manual_seed(8); return F.layer_norm(randn([3, 1029]), [1029]); },
  "group_norm 4 groups N=2": () => { manual_seed(9); return F.group_norm(randn([2, 12, 7, 9]), 4, randn([12]), randn([12])); },
  "group_norm 1 group, no affine, [3, 6, 25]": () => { manual_seed(10); return F.group_norm(randn([3, 6, 25]), 1); },
  "instance_norm with running stats": () => {
    manual_seed(11);
    const mean = zeros([5]), variance = ones([5]);
    return [F.instance_norm(randn([3, 5, 6, 7]), mean, variance, randn([5]), randn([5])), mean, variance];
  },
  "InstanceNorm2d affine": () => { manual_seed(12); return new nn.InstanceNorm2d(4, { affine: true }).forward(randn([2, 4, 9, 5])); },
  "local_response_norm size 5, 4-D": () => { manual_seed(13); return F.local_response_norm(randn([2, 9, 5, 7]), 5); },
  "local_response_norm size 2, beta 0.5, 3-D": () => {
    manual_seed(14);
    return F.local_response_norm(randn([3, 6, 17]), 2, 1e-3, 0.5, 2);
  },
  "normalize p=2 last dim [13, 37]": () => { manual_seed(15); return F.normalize(randn([13, 37]), 2, 1); },
  "normalize p=2 dim 1 of [2, 5, 40, 53] (3 column blocks)": () => { manual_seed(16); return F.normalize(randn([2, 5, 40, 53])); },
  "normalize p=1 / inf / -inf / 3 / 0 on dim 1": () => {
    manual_seed(17);
    const x = randn([3, 4, 11, 7]);
    return [F.normalize(x, 1), F.normalize(x, Infinity), F.normalize(x, -Infinity), F.normalize(x, 3), F.normalize(x, 0)];
  },
  "normalize p=2 dim 0 of [9, 1100]": () => { manual_seed(18); return F.normalize(randn([9, 1100]), 2, 0); },
};
