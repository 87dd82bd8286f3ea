// wasmnn/vision's ops against torchvision 0.14's (reprs recorded from torchvision.ops; values by
// their definitions): Conv2dNormActivation, SqueezeExcitation, StochasticDepth/stochastic_depth, Permute.
import { describe, expect, test } from "vitest";
import { init, manual_seed, nn, F, ones, randn, tidy, memory } from "wasmnn";
import { models, ops } from "wasmnn/vision";

await init();

describe("ops", () => {
  test("Conv2dNormActivation: padding (k - 1) / 2 * d per axis, no conv bias with a norm, torchvision's repr", () => {
    const block = new ops.Conv2dNormActivation(3, 8, [3, 5], { dilation: [1, 2] });
    expect(String(block)).toBe([
      "Conv2dNormActivation(",
      "  (0): Conv2d(3, 8, kernel_size=(3, 5), stride=(1, 1), padding=(1, 4), dilation=(1, 2), bias=False)",
      "  (1): BatchNorm2d(8, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)",
      "  (2): ReLU(inplace=True)",
      ")",
    ].join("\n"));
    expect(block.out_channels).toBe(8);
    block.dispose();
    const plain = new ops.Conv2dNormActivation(3, 8, 3, 2, { norm_layer: null, activation_layer: nn.Hardswish });
    expect(String(plain)).toBe("Conv2dNormActivation(\n  (0): Conv2d(3, 8, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))\n  (1): Hardswish()\n)");
    // a factory function works where torchvision takes functools.partial
    const custom = new ops.Conv2dNormActivation(4, 8, 1, { norm_layer: (c: number) => new nn.GroupNorm(2, c), activation_layer: null });
    expect(String(custom)).toContain("(1): GroupNorm(2, 8, eps=1e-05, affine=True)");
    custom.dispose();
    plain.dispose();
  });

  test("SqueezeExcitation: x * sigmoid(fc2(relu(fc1(avgpool(x))))), torchvision's repr", () => {
    const se = new ops.SqueezeExcitation(16, 4).eval();
    expect(String(se)).toBe([
      "SqueezeExcitation(",
      "  (avgpool): AdaptiveAvgPool2d(output_size=1)",
      "  (fc1): Conv2d(16, 4, kernel_size=(1, 1), stride=(1, 1))",
      "  (fc2): Conv2d(4, 16, kernel_size=(1, 1), stride=(1, 1))",
      "  (activation): ReLU()",
      "  (scale_activation): Sigmoid()",
      ")",
    ].join("\n"));
    tidy(() => {
      const x = randn([2, 16, 5, 7]);
      const scale = F.sigmoid(F.conv2d(F.relu(F.conv2d(F.adaptive_avg_pool2d(x, 1), se.fc1.weight, se.fc1.bias)), se.fc2.weight, se.fc2.bias));
      expect(se.forward(x).data()).toEqual(x.mul(scale).data());
    });
    se.dispose();
  });

  test("stochastic_depth: identity in eval, 0 or 1/(1-p) per row or for the batch in training; torchvision's errors", () => {
    const before = memory().liveTensors;
    tidy(() => {
      const x = ones([2000, 1, 1, 1]);
      expect(ops.stochastic_depth(x, 0.5, "row", false)).toBe(x);
      expect(ops.stochastic_depth(x, 0, "row", true)).toBe(x);
      manual_seed(3);
      const rows = ops.stochastic_depth(x, 0.25, "row").data() as Float32Array;
      const survivors = rows.filter((v) => v !== 0);
      expect(new Set(survivors)).toEqual(new Set([Math.fround(1 / 0.75)]));
      // 2000 Bernoulli(0.75) draws: mean 1500, standard deviation 19.4; 5 sigma either way
      expect(Math.abs(survivors.length - 1500)).toBeLessThan(97);
      const batch = ops.stochastic_depth(x, 0.5, "batch").data() as Float32Array;
      expect(new Set(batch).size).toBe(1);
      const module = new ops.StochasticDepth(0.2, "row");
      expect(String(module)).toBe("StochasticDepth(p=0.2, mode=row)");
      expect(module.eval().forward(x)).toBe(x);
    });
    tidy(() => {
      expect(() => ops.stochastic_depth(ones([2]), 1.5, "row")).toThrow("drop probability has to be between 0 and 1, but got 1.5");
      expect(() => ops.stochastic_depth(ones([2]), 0.5, "col")).toThrow("mode has to be either 'batch' or 'row', but got col");
    });
    expect(memory().liveTensors).toBe(before);
  });

  test("Permute: input.permute(dims), torchvision's repr", () => {
    tidy(() => {
      const permute = new ops.Permute([0, 2, 3, 1]);
      expect(String(permute)).toBe("Permute()");
      const x = randn([2, 3, 4, 5]);
      const y = permute.forward(x);
      expect(y.shape).toEqual([2, 4, 5, 3]);
      expect(y.data()).toEqual(x.permute(0, 2, 3, 1).data());
    });
  });
});

describe("builders' options (one object, torchvision's keywords)", () => {
  test("unknown options, weights, and options the builder sets itself throw before anything is allocated", () => {
    const before = memory().liveTensors;
    expect(() => models.resnet18({ num_clases: 10 } as never)).toThrow("resnet18() got an unexpected keyword argument 'num_clases'");
    expect(() => models.resnet18({ weights: "IMAGENET1K_V1" } as never)).toThrow("'weights' is not supported");
    expect(() => models.resnext50_32x4d({ groups: 8 })).toThrow("resnext50_32x4d() sets 'groups' itself; it cannot be passed");
    expect(() => models.efficientnet_b0({ dropout: 0.5 } as never)).toThrow("efficientnet_b0() sets 'dropout' itself; it cannot be passed");
    expect(() => models.efficientnet_b5({ norm_layer: nn.BatchNorm2d })).toThrow("efficientnet_b5() sets 'norm_layer' itself; it cannot be passed");
    expect(() => models.mobilenet_v3_large({ last_channel: 10 } as never)).toThrow("mobilenet_v3_large() sets 'last_channel' itself; it cannot be passed");
    expect(memory().liveTensors).toBe(before);
    // undefined means "not given", as everywhere in the API
    const m = models.squeezenet1_1({ num_classes: 3, weights: null, dropout: undefined } as never);
    expect(m.state_dict()["classifier.1.weight"].shape).toEqual([3, 512, 1, 1]);
    m.dispose();
  });
});
