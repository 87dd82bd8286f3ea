// Eval-mode fusion in Sequential: Conv2d+BatchNorm2d folding and ReLU/ReLU6 epilogues.
import { beforeAll, describe, expect, test } from "vitest";
import { init, nn, F, randn, manual_seed, memory, tidy, keep, ones, zeros, type Tensor } from "../src/index.js";
import { conv2dWith, type Conv2dParams, type MaxPoolSpec } from "../src/functional/conv.js";
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

describe("Sequential fusion: Conv2d [+ BatchNorm2d] [+ ReLU] + MaxPool2d, pooled band by band", () => {
  const pool = (k: number, s: number, p: number, d = 1, ceil = false): MaxPoolSpec =>
    ({ kernel: [k, k], stride: [s, s], padding: [p, p], dilation: [d, d], ceilMode: ceil });
  /** conv then max_pool2d, unfused, through the public functions */
  function unfused(x: Tensor, conv: nn.Conv2d, params: Conv2dParams, spec: MaxPoolSpec): Tensor {
    return tidy(() => F.max_pool2d(conv2dWith(x, conv.weight, conv.bias, params), spec.kernel, spec.stride, spec.padding, spec.dilation, spec.ceilMode) as Tensor);
  }
  test.each([
    // [label, input shape, conv, pool, band bytes]
    ["3x3 direct, pool 3/2/1, tiny bands", [1, 3, 40, 33], () => new nn.Conv2d(3, 5, 3, { padding: 1 }), pool(3, 2, 1), 2000],
    ["3x3 stride 2 direct, pool 2/2, batch 2", [2, 4, 37, 30], () => new nn.Conv2d(4, 6, 3, 2, 1), pool(2, 2, 0), 1500],
    ["5x5 dilated 2, pool 3/1/1 dilation 2, ceil", [1, 2, 41, 29], () => new nn.Conv2d(2, 3, 5, { padding: 4, dilation: 2 }), pool(3, 1, 1, 2, true), 3000],
    ["1x1, pool 3/3/0 ceil_mode", [1, 6, 31, 23], () => new nn.Conv2d(6, 4, 1), pool(3, 3, 0, 1, true), 1200],
    ["unbatched 3x3, pool 3/2/0", [3, 50, 20], () => new nn.Conv2d(3, 4, 3), pool(3, 2, 0), 1000],
  ] as const)("%s: bit-identical to conv then max_pool2d", (_, shape, makeConv, spec, bandBytes) => {
    const conv = makeConv();
    const x = randn([...shape]);
    const params: Conv2dParams = {
      stride: conv.stride, padding: conv.padding, dilation: conv.dilation, groups: 1, paddingMode: "zeros", winograd: false,
    };
    const reference = unfused(x, conv, params, spec);
    const fused = conv2dWith(x, conv.weight, conv.bias, { ...params, pool: spec, poolBandBytes: bandBytes });
    expect(fused.shape).toEqual(reference.shape);
    expect(fused.data()).toEqual(reference.data());
  });

  test("the stem (7x7 stride 2, Winograd) in small bands: within its error budget of the unfused pair", () => {
    const conv = new nn.Conv2d(3, 16, 7, 2, 3, { bias: false });
    const x = randn([1, 3, 96, 70]);
    const params: Conv2dParams = { stride: conv.stride, padding: conv.padding, dilation: conv.dilation, groups: 1, paddingMode: "zeros" };
    const direct = unfused(x, conv, { ...params, winograd: false }, pool(3, 2, 1));
    for (const bandBytes of [4000, 20000, 1 << 20]) {
      const fused = conv2dWith(x, conv.weight, conv.bias, { ...params, pool: pool(3, 2, 1), poolBandBytes: bandBytes });
      expectClose(fused.data(), direct.data(), { atol: 2e-5, rtol: 1e-5 }, `bands of ${bandBytes} bytes`);
    }
  });

  test("Sequential(conv, bn, Identity, ReLU, MaxPool2d) in eval mode: the fused path, equal to the layers one by one", () => {
    const conv = new nn.Conv2d(3, 64, 7, 2, 3, { bias: false });
    const bn = randomBn(64);
    const layers = [conv, bn, new nn.Identity(), new nn.ReLU(true), new nn.MaxPool2d(3, 2, 1)];
    const x = randn([1, 3, 120, 100]);   // 64x60x50 conv output: 768 KB, pooled in bands
    const fused = new nn.Sequential(...layers).eval().forward(x);
    expectClose(fused.data(), layerByLayer(layers, x).data(), FOLD_TOL, "fused vs unfused");
  });

  test("pool errors are max_pool2d's, after the convolution's own checks", () => {
    const seq = new nn.Sequential(new nn.Conv2d(2, 3, 3), new nn.ReLU(), new nn.MaxPool2d(5)).eval();
    const x = randn([1, 2, 6, 6]);   // 4x4 conv output: a 5x5 window does not fit
    expect(() => seq.forward(x)).toThrow("Given input size: (3x4x4). Calculated output size: (3x0x0). Output size is too small");
    expect(() => seq.forward(randn([1, 3, 6, 6]))).toThrow("expected input[1, 3, 6, 6] to have 2 channels, but got 3 channels instead");
    const live = memory().liveTensors;
    expect(() => seq.forward(x)).toThrow();
    expect(memory().liveTensors).toBe(live);
  });

  test("a reflect-padded conv and a pool with indices are not banded / not fused, and equal the layers", () => {
    const conv = new nn.Conv2d(3, 4, 3, { padding: 1, padding_mode: "reflect" });
    const layers = [conv, new nn.MaxPool2d(2)];
    const x = randn([1, 3, 16, 18]);
    expect(new nn.Sequential(...layers).forward(x).data()).toEqual(layerByLayer(layers, x).data());
    const withIndices = new nn.Sequential(new nn.Conv2d(3, 4, 3), new nn.MaxPool2d(2, { return_indices: true }));
    const [values, indices] = withIndices.forward(x) as unknown as [Tensor, Tensor];
    expect(values.shape).toEqual([1, 4, 7, 8]);
    expect(indices.dtype).toBe("int64");
  });
});

describe("Sequential frees each intermediate as soon as the next step has run", () => {
  test("a deep chain holds at most two activations (plus the input), and the result and input stay valid", () => {
    let peak = 0;
    class Probe extends nn.Module {
      override forward(input: Tensor): Tensor { peak = memory().liveBytes; return input; }
    }
    const layers: nn.Module[] = [];
    for (let i = 0; i < 12; i++) layers.push(new nn.Conv2d(4, 4, 3, { padding: 1 }), new nn.ReLU(true));
    layers.splice(20, 0, new Probe());   // after the tenth conv + ReLU
    const seq = new nn.Sequential(...layers, new nn.Flatten(), new nn.Identity());
    const x = randn([1, 4, 64, 64]);   // 64 KiB per activation
    const before = memory().liveBytes;
    const y = seq.forward(x);
    // the tenth conv's output and at most one more of the chain's (without freeing: ten, 640 KiB)
    expect(peak - before).toBeGreaterThanOrEqual(65536);
    expect(peak - before).toBeLessThanOrEqual(2 * 65536);
    expect(y.shape).toEqual([1, 4 * 64 * 64]);
    expect(x.isDisposed).toBe(false);
    expect(Number.isFinite(y.data()[0])).toBe(true);
  });
});

describe("Sequential fusion leaves subclasses alone", () => {
  test("a Conv2d, BatchNorm2d or ReLU subclass with its own forward runs it", () => {
    const calls: string[] = [];
    class MyConv extends nn.Conv2d {
      override forward(input: Tensor): Tensor { calls.push("conv"); return super.forward(input); }
    }
    class MyBn extends nn.BatchNorm2d {
      override forward(input: Tensor): Tensor { calls.push("bn"); return super.forward(input); }
    }
    class MyRelu extends nn.ReLU {
      override forward(input: Tensor): Tensor { calls.push("relu"); return super.forward(input); }
    }
    const x = randn([1, 2, 6, 6]);
    new nn.Sequential(new MyConv(2, 3, 3), new nn.ReLU()).eval().forward(x);
    new nn.Sequential(new nn.Conv2d(2, 3, 3), new MyBn(3), new nn.ReLU()).eval().forward(x);
    new nn.Sequential(new nn.Conv2d(2, 3, 3), new MyRelu()).eval().forward(x);
    expect(calls).toEqual(["conv", "bn", "relu"]);
  });

  test("an Identity or MaxPool2d subclass with its own forward runs it", () => {
    let identityCalls = 0;
    let poolCalls = 0;
    class CountingIdentity extends nn.Identity {
      override forward(input: Tensor): Tensor { identityCalls++; return input; }
    }
    class CountingPool extends nn.MaxPool2d {
      override forward(input: Tensor): Tensor { poolCalls++; return super.forward(input) as Tensor; }
    }
    const seq = new nn.Sequential(new nn.Conv2d(2, 3, 3), new CountingIdentity(), new nn.ReLU(), new CountingPool(2)).eval();
    const y = seq.forward(randn([1, 2, 8, 8]));
    expect(y.shape).toEqual([1, 3, 3, 3]);
    expect([identityCalls, poolCalls]).toEqual([1, 1]);
  });
});

describe("Sequential: a depthwise step writes over a dead input (MobileNet's expand -> depthwise)", () => {
  /** MobileNetV2's inverted residual, as torchvision nests it: Sequential(Sequential(1x1, BN, ReLU6), Sequential(depthwise, BN, ReLU6), 1x1, BN). */
  function invertedResidual(channels: number, hidden: number): { block: nn.Sequential; steps: nn.Module[] } {
    const expand = new nn.Sequential(new nn.Conv2d(channels, hidden, 1, { bias: false }), randomBn(hidden), new nn.ReLU6());
    const depthwise = new nn.Sequential(new nn.Conv2d(hidden, hidden, 3, { padding: 1, groups: hidden, bias: false }), randomBn(hidden), new nn.ReLU6());
    const steps = [expand, depthwise, new nn.Conv2d(hidden, channels, 1, { bias: false }), randomBn(channels)];
    return { block: new nn.Sequential(...steps).eval(), steps };
  }

  test("the same bits as the same fused steps with the depthwise input kept, batched and unbatched", () => {
    for (const shape of [[2, 8, 14, 14], [8, 7, 7], [1, 8, 28, 28], [1, 8, 56, 56]]) {
      const { block, steps } = invertedResidual(8, 24);
      // the same fusions, but the depthwise Sequential's input is its caller's argument: never given up
      const tail = new nn.Sequential(...steps.slice(1)).eval();
      const x = randn(shape);
      const copy = x.data().slice();
      const y = block.forward(x);
      expect(y.data()).toEqual(tidy(() => tail.forward(steps[0].forward(x) as Tensor)).data());
      expect(x.data()).toEqual(copy);   // the block's own input is never written
    }
  });

  test("the depthwise output takes the dead input's block: one hidden activation less at the peak", () => {
    const { block, steps } = invertedResidual(8, 96);
    const x = randn([1, 8, 14, 14]);   // hidden activations: 96 * 14 * 14 * 4 = 75,264 bytes
    block.forward(x);
    const peakOf = (run: () => void): number => {
      memory({ resetPeak: true });
      const before = memory().liveBytes;
      tidy(run);
      return memory().peakBytes - before;
    };
    const fused = peakOf(() => { block.forward(x); });
    const tail = new nn.Sequential(...steps.slice(1)).eval();
    tail.forward(steps[0].forward(x) as Tensor);
    const kept = peakOf(() => { tail.forward(steps[0].forward(x) as Tensor); });
    expect(kept - fused).toBeGreaterThanOrEqual(75264);
  });

  test("a step's output that something else still holds (kept, or a view of it) is not written over", () => {
    class KeepsItsOutput extends nn.Module {
      saved: Tensor | null = null;
      override forward(input: Tensor): Tensor {
        const y = F.relu(input);
        this.saved?.dispose();
        this.saved = keep(y.clone());
        return this.saved;              // kept: the scope does not own it
      }
    }
    class ReturnsAView extends nn.Module {
      base: Tensor | null = null;
      override forward(input: Tensor): Tensor {
        this.base?.dispose();
        this.base = keep(F.relu(input));
        return this.base.reshape(this.base.shape as number[]);   // shares the kept tensor's storage
      }
    }
    for (const Holder of [KeepsItsOutput, ReturnsAView]) {
      const holder = new Holder();
      const depthwise = new nn.Conv2d(6, 6, 3, { padding: 1, groups: 6 });
      const block = new nn.Sequential(holder, depthwise, randomBn(6), new nn.ReLU6()).eval();
      const x = randn([1, 6, 9, 9]);
      block.forward(x);
      const held = holder instanceof KeepsItsOutput ? holder.saved! : (holder as InstanceType<typeof ReturnsAView>).base!;
      expect(held.data()).toEqual(F.relu(x).data());
    }
  });

  test("a Sequential subclass with its own forward is never handed an input to give up", () => {
    let seen: number[] = [];
    class Reads extends nn.Sequential {
      // passes every argument on, as a wrapper would: a `consume` handed to it would reach Sequential's
      override forward(...args: [Tensor, boolean?]): Tensor {
        const y = super.forward(...args);
        seen = Array.from(args[0].data());   // still its input's values after its own layers ran
        return y;
      }
    }
    const first = new nn.Conv2d(4, 4, 1);
    const inner = new Reads(new nn.Conv2d(4, 4, 3, { padding: 1, groups: 4 }), randomBn(4), new nn.ReLU6());
    const block = new nn.Sequential(first, inner).eval();
    const x = randn([1, 4, 8, 8]);
    block.forward(x);
    expect(seen).toEqual(Array.from(first.forward(x).data()));
  });
});
