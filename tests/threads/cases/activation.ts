// Thread cases: elementwise activations (f32_activation), odd sizes so ranges end mid-vector.
import { F, manual_seed, randn } from "../../../src/index.js";
import type { Cases } from "../harness.js";

export const cases: Cases = {
  "relu 3x37x41": () => { manual_seed(1); return F.relu(randn([3, 37, 41])); },
  "gelu 70001": () => { manual_seed(2); return F.gelu(randn([70001])); },
  "sigmoid 2x64x56x56": () => { manual_seed(3); return F.sigmoid(randn([2, 64, 56, 56])); },
  "hardtanh 5": () => { manual_seed(4); return F.hardtanh(randn([5])); },
};
