import { beforeAll, describe, expect, test } from "vitest";
import { init, nn, tensor, zeros, ones, randn, manual_seed, memory, Tensor } from "../src/index.js";

beforeAll(() => init());

const count = (m: nn.Module): number => m.parameters().reduce((n, p) => n + p.numel(), 0);

describe("Conv2d as a module", () => {
  test("the seed's parameter counts: Conv2d(12,6,3,1) has 654, with groups=3 222", () => {
    const conv = new nn.Conv2d(12, 6, 3, 1);
    expect(conv.named_parameters().map(([n, p]) => [n, p.shape])).toEqual([["weight", [6, 12, 3, 3]], ["bias", [6]]]);
    expect(count(conv)).toBe(654);
    const grouped = new nn.Conv2d(12, 6, 3, 1, { groups: 3 });
    expect(grouped.weight.shape).toEqual([6, 4, 3, 3]);
    expect(count(grouped)).toBe(222);
    expect(count(new nn.Conv2d(12, 6, [3, 5], 1, 0, 1, 3, true, "zeros"))).toBe(6 * 4 * 15 + 6);
  });

  test("repr matches PyTorch's (strings from PyTorch 1.13)", () => {
    expect(String(new nn.Conv2d(3, 64, 7, 2, 3, { bias: false }))).toBe("Conv2d(3, 64, kernel_size=(7, 7), stride=(2, 2), padding=(3, 3), bias=False)");
    expect(String(new nn.Conv2d(12, 6, 3, 1, { groups: 3 }))).toBe("Conv2d(12, 6, kernel_size=(3, 3), stride=(1, 1), groups=3)");
    expect(String(new nn.Conv2d(4, 4, 3, { padding: "same", padding_mode: "reflect" }))).toBe("Conv2d(4, 4, kernel_size=(3, 3), stride=(1, 1), padding=same, padding_mode=reflect)");
    expect(String(new nn.Conv2d(4, 8, [3, 5], { stride: [2, 1], dilation: [1, 2], padding: [1, 2] }))).toBe("Conv2d(4, 8, kernel_size=(3, 5), stride=(2, 1), padding=(1, 2), dilation=(1, 2))");
    expect(String(new nn.Conv2d(4, 4, 3, { padding: "valid" }))).toBe("Conv2d(4, 4, kernel_size=(3, 3), stride=(1, 1), padding=valid)");
  });

  test("default init is PyTorch's: weight and bias uniform in ±1/sqrt(fan_in)", () => {
    manual_seed(1);
    const conv = new nn.Conv2d(16, 32, 3);
    const bound = 1 / Math.sqrt(16 * 9);
    const w = conv.weight.data();
    const b = conv.bias!.data();
    expect(Math.max(...w)).toBeLessThanOrEqual(bound);
    expect(Math.min(...w)).toBeGreaterThanOrEqual(-bound);
    expect(Math.max(...b)).toBeLessThanOrEqual(bound);
    // uniform: variance bound^2 / 3, mean 0 (4608 samples)
    const mean = w.reduce((s, v) => s + v, 0) / w.length;
    const variance = w.reduce((s, v) => s + v * v, 0) / w.length - mean * mean;
    expect(Math.abs(mean)).toBeLessThan(0.05 * bound);
    expect(variance / (bound * bound / 3)).toBeGreaterThan(0.93);
    expect(variance / (bound * bound / 3)).toBeLessThan(1.07);
    // seeded: the same seed gives the same weights
    manual_seed(1);
    expect(new nn.Conv2d(16, 32, 3).weight.data()).toEqual(w);
  });

  test("keyword arguments: unknown names, duplicates and too many positionals are TypeErrors", () => {
    expect(() => new nn.Conv2d(3, 4, 3, { strides: 2 })).toThrow("Conv2d.__init__() got an unexpected keyword argument 'strides'");
    expect(() => new nn.Conv2d(3, 4, 3, 2, { stride: 2 })).toThrow("Conv2d.__init__() got multiple values for argument 'stride'");
    expect(() => new (nn.Conv2d as unknown as new (...a: unknown[]) => unknown)(3, 4)).toThrow("Conv2d.__init__() missing required positional argument: 'kernel_size'");
    expect(() => new (nn.Conv2d as unknown as new (...a: unknown[]) => unknown)(3, 4, 3, 1, 0, 1, 1, true, "zeros", 5)).toThrow("takes from 3 to 9 positional arguments but 10 were given");
    expect(() => new nn.Conv2d(3, 4, 3, { padding_mode: "mirror" })).toThrow("padding_mode must be one of zeros, reflect, replicate, circular, but got 'mirror'");
    expect(() => new nn.Conv2d(3, 4, 3, { bias: "yes" })).toThrow(TypeError);
    expect(() => new nn.Conv2d(-1, 4, 3)).toThrow(RangeError);
    expect(() => new nn.Conv2d(3.5, 4, 3)).toThrow(TypeError);
  });

  test("state_dict shares the module's tensors; load_state_dict copies and rebuilds packed weights", () => {
    const conv = new nn.Conv2d(2, 3, 3, { padding: 1 });
    const sd = conv.state_dict();
    expect(Object.keys(sd)).toEqual(["weight", "bias"]);
    expect(sd.weight).toBe(conv.weight);
    const x = randn([1, 2, 4, 4]);
    const before = conv.forward(x).data();
    const result = conv.load_state_dict({ weight: zeros([3, 2, 3, 3]), bias: ones([3]) });
    expect(result).toEqual({ missing_keys: [], unexpected_keys: [] });
    // packed weights were rebuilt: all-zero weight + bias 1 gives ones
    expect(Array.from(conv.forward(x).data())).toEqual(new Array(48).fill(1));
    expect(before.some((v) => v !== 1)).toBe(true);
  });

  test("load_state_dict errors are PyTorch's and leave the module unchanged", () => {
    const conv = new nn.Conv2d(2, 3, 3);
    const weight = conv.weight.data();
    expect(() => conv.load_state_dict({ weight: zeros([3, 2, 3, 3]), extra: zeros([1]) })).toThrow(
      'Error(s) in loading state_dict for Conv2d:\n\tMissing key(s) in state_dict: "bias". \n\tUnexpected key(s) in state_dict: "extra". ');
    expect(() => conv.load_state_dict({ weight: zeros([3, 2, 5, 5]), bias: zeros([3]) })).toThrow(
      "Error(s) in loading state_dict for Conv2d:\n\tsize mismatch for weight: copying a param with shape torch.Size([3, 2, 5, 5]) from checkpoint, the shape in current model is torch.Size([3, 2, 3, 3]).");
    expect(conv.weight.data()).toEqual(weight);
    const partial = conv.load_state_dict({ weight: zeros([3, 2, 3, 3]), extra: zeros([1]) }, false);
    expect(partial).toEqual({ missing_keys: ["bias"], unexpected_keys: ["extra"] });
    expect(Array.from(conv.weight.data()).every((v) => v === 0)).toBe(true);
  });

  test("dispose frees parameters and packed weights; forward leaks nothing", () => {
    const start = memory();
    const conv = new nn.Conv2d(4, 8, 3, { padding: 1 });
    const x = randn([1, 4, 16, 16]);
    for (let i = 0; i < 50; i++) conv.forward(x).dispose();
    const steady = memory();
    for (let i = 0; i < 200; i++) conv.forward(x).dispose();
    expect(memory().liveBytes).toBe(steady.liveBytes);
    expect(memory().wasmBytes).toBe(steady.wasmBytes);
    conv.dispose();
    conv.dispose();
    x.dispose();
    expect(memory().liveTensors).toBe(start.liveTensors);
    expect(() => conv.forward(randn([1, 4, 16, 16]))).toThrow(/used after dispose/);
  });

  test("a user subclass registers children and parameters by property, in order", () => {
    class Tiny extends nn.Module {
      conv1 = new nn.Conv2d(3, 4, 3, { padding: 1, bias: false });
      scale = new nn.Parameter(ones([4, 1, 1]));
      conv2 = new nn.Conv2d(4, 2, 1);
      override forward(x: Tensor): Tensor {
        return this.conv2.forward(this.conv1.forward(x));
      }
    }
    const model = new Tiny();
    expect(Object.keys(model.state_dict())).toEqual(["scale", "conv1.weight", "conv2.weight", "conv2.bias"]);
    expect(model.named_children().map(([n]) => n)).toEqual(["conv1", "conv2"]);
    expect(model.named_modules().map(([n]) => n)).toEqual(["", "conv1", "conv2"]);
    expect(String(model)).toBe("Tiny(\n  (conv1): Conv2d(3, 4, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)\n  (conv2): Conv2d(4, 2, kernel_size=(1, 1), stride=(1, 1))\n)");
    const before = memory().liveTensors;
    const y = model.forward(randn([1, 3, 8, 8]));
    // the intermediate conv1 output was freed by forward's scope; the input (made outside) was not
    expect(memory().liveTensors).toBe(before + 2);
    expect(y.shape).toEqual([1, 2, 8, 8]);
  });
});
