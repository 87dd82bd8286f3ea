// Eval-mode fusion in Sequential: Conv2d+BatchNorm2d folding and ReLU/ReLU6 epilogues.
import { beforeAll, describe, expect, test } from "vitest";
import { init, nn, randn, manual_seed, memory, tidy, ones, zeros, type Tensor } from "../src/index.js";
import { expectClose } from "./helpers.js";

beforeAll(async () => {
  await init();
  manual_seed(3);
});

/** Randomises BatchNorm's statistics and affine parameters so folding changes the numbers. */
function randomBn(channels: number): nn.BatchNorm2d {
  const bn = new nn.BatchNorm2d(channels);
  bn.load_state_dict({
    weight: randn([channels]), bias: randn([channels]), running_mean: randn([channels]),
    running_var: randn([channels]).reshape([channels]).add(ones([channels])).add(ones([channels])).add_(ones([channels])),
  }, false);
  return bn;
}

/** The layers one after another, unfused. */
function layerByLayer(layers: nn.Module[], x: Tensor): Tensor {
  return tidy(() => layers.reduce((y, layer) => layer.forward(y) as Tensor, x));
}

/**
 * Folding reassociates (x*W)*s into x*(W*s): each output differs by a few roundings of values the
 * size of |output| (~1-10 here), so atol/rtol 1e-5 as for BatchNorm itself.
 */
const FOLD_TOL = { atol: 2e-5, rtol: 1e-5 };

describe("Sequential fusion (eval)", () => {
  test.each([
    ["dense 3x3 + BN + ReLU", () => new nn.Conv2d(8, 16, 3, { padding: 1 }), 8, new nn.ReLU()],
    ["7x7 stride 2, no bias + BN + ReLU(inplace)", () => new nn.Conv2d(3, 8, 7, 2, 3, { bias: false }), 3, new nn.ReLU(true)],
    ["depthwise + BN + ReLU6", () => new nn.Conv2d(6, 12, 3, { groups: 6, padding: 1 }), 6, new nn.ReLU6()],
    ["1x1 + BN (no activation)", () => new nn.Conv2d(8, 4, 1), 8, null],
    ["reflect 3x3 + BN + ReLU", () => new nn.Conv2d(4, 4, 3, { padding: 1, padding_mode: "reflect" }), 4, new nn.ReLU()],
  ] as const)("%s equals the layers run one by one", (_, makeConv, inChannels, activation) => {
    const conv = makeConv();
    const bn = randomBn(conv.out_channels);
    const layers: nn.Module[] = activation ? [conv, bn, activation] : [conv, bn];
    const block = new nn.Sequential(...layers).eval();
    const x = randn([2, inChannels, 11, 13]);
    const fused = block.forward(x);
    const reference = layerByLayer(layers, x);
    expect(fused.shape).toEqual(reference.shape);
    expectClose(fused.data(), reference.data(), FOLD_TOL, "fused vs unfused");
  });

  test("Conv2d -> ReLU (no BatchNorm) runs the clamp in the epilogue, bit-exactly", () => {
    const conv = new nn.Conv2d(5, 7, 3);
    const relu = new nn.ReLU();
    const x = randn([1, 5, 9, 9]);
    expect(new nn.Sequential(conv, relu).eval().forward(x).data()).toEqual(layerByLayer([conv, relu], x).data());
  });

  test("train mode does not fold: same bits as the layers one by one, batch statistics updated", () => {
    const conv = new nn.Conv2d(3, 4, 3);
    const bn = randomBn(4);
    const twin = new nn.BatchNorm2d(4);
    twin.load_state_dict(bn.state_dict());
    const block = new nn.Sequential(conv, bn).train();
    const x = randn([2, 3, 8, 8]);
    const out = block.forward(x);
    expect(out.data()).toEqual(layerByLayer([conv, twin.train()], x).data());
    expect(bn.num_batches_tracked!.item()).toBe(1);
    expect(bn.running_mean!.data()).toEqual(twin.running_mean!.data());
  });

  test("new weights (load_state_dict) rebuild the fold", () => {
    const conv = new nn.Conv2d(2, 3, 3, { padding: 1 });
    const bn = randomBn(3);
    const block = new nn.Sequential(conv, bn).eval();
    const x = randn([1, 2, 5, 5]);
    block.forward(x).dispose();
    block.load_state_dict({ "0.weight": zeros([3, 2, 3, 3]), "0.bias": zeros([3]) }, false);
    expectClose(block.forward(x).data(), layerByLayer([conv, bn], x).data(), FOLD_TOL, "after reload");
  });

  test("nn.utils.fuse_conv_bn_eval gives the folded convolution as a module", () => {
    const conv = new nn.Conv2d(4, 6, 3, { padding: 1, bias: false });
    const bn = randomBn(6).eval();
    const fused = nn.utils.fuse_conv_bn_eval(conv, bn);
    expect(String(fused)).toBe("Conv2d(4, 6, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))");
    const x = randn([1, 4, 7, 7]);
    expectClose(fused.forward(x).data(), layerByLayer([conv, bn], x).data(), FOLD_TOL, "fuse_conv_bn_eval");
    expect(() => nn.utils.fuse_conv_bn_eval(conv, randomBn(6).train())).toThrow("Fusion only for eval!");
  });

  test("fused forwards leak nothing; dispose frees the folded weights", () => {
    const block = new nn.Sequential(new nn.Conv2d(3, 8, 3), randomBn(8), new nn.ReLU()).eval();
    const x = randn([1, 3, 16, 16]);
    block.forward(x).dispose();
    const steady = memory();
    for (let i = 0; i < 200; i++) block.forward(x).dispose();
    expect(memory()).toEqual(steady);
    block.dispose();
    expect(memory().liveBytes).toBeLessThan(steady.liveBytes);
  });
});

describe("examples/resnet18.ts fuse()", () => {
  test("folds every BatchNorm into its conv: same logits within the fold's rounding, no BatchNorm left", async () => {
    const { resnet18 } = await import("../examples/resnet18.js");
    const model = resnet18({ widths: [8, 16, 32, 64], num_classes: 10 });
    // non-trivial statistics, so folding changes the arithmetic
    for (const module of model.modules()) {
      if (module instanceof nn.BatchNorm2d) {
        const c = module.num_features;
        module.load_state_dict({ running_mean: randn([c]), running_var: ones([c]).add(ones([c])), weight: randn([c]), bias: randn([c]) }, false);
      }
    }
    model.eval();
    const x = randn([1, 3, 32, 32]);
    const before = model.forward(x).data();
    model.fuse();
    // BatchNorms remain only in the downsample Sequentials, which fold at run time by themselves
    const leftover = model.named_modules().filter(([, m]) => m instanceof nn.BatchNorm2d).map(([name]) => name);
    expect(leftover).toEqual(["layer2.0.downsample.1", "layer3.0.downsample.1", "layer4.0.downsample.1"]);
    expect(Object.keys(model.state_dict()).filter((k) => k.includes("bn"))).toEqual([]);
    const after = model.forward(x).data();
    const scale = Math.max(...before.map(Math.abs));
    expectClose(after, before, { atol: 1e-5 * Math.max(1, scale), rtol: 1e-4 }, "fused resnet");
    model.dispose();
  });
});
