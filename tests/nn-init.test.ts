// nn.init (torch.nn.init's in-place initialisers, used by wasmnn/vision's models): each one's
// distribution by its moments over 200,000 draws (seeded), its bounds, gains as PyTorch's, errors
// worded as PyTorch's. Standard errors: mean std/sqrt(n) ~ 0.0022 std, std ~ 0.0016 std; the
// bounds below are ~4-5 of them.
import { describe, expect, test } from "vitest";
import { init, manual_seed, nn, tensor, zeros, type Tensor } from "../src/index.js";

await init();

const N = 200_000;
function moments(t: Tensor): { mean: number; std: number; min: number; max: number } {
  const v = t.data() as Float32Array;
  let sum = 0, min = Infinity, max = -Infinity;
  for (const x of v) { sum += x; min = Math.min(min, x); max = Math.max(max, x); }
  const mean = sum / v.length;
  let sq = 0;
  for (const x of v) sq += (x - mean) ** 2;
  return { mean, std: Math.sqrt(sq / v.length), min, max };
}

describe("nn.init", () => {
  test("uniform_, normal_, constant_, zeros_, ones_ return the tensor, filled in place", () => {
    manual_seed(1);
    const t = zeros([400, 500]);
    expect(nn.init.uniform_(t, -2, 3)).toBe(t);
    let m = moments(t);
    expect(m.min).toBeGreaterThanOrEqual(-2);
    expect(m.max).toBeLessThan(3);
    expect(Math.abs(m.mean - 0.5)).toBeLessThan(0.02);                    // U(-2, 3): mean 0.5, std 5/sqrt(12)
    expect(Math.abs(m.std - 5 / Math.sqrt(12))).toBeLessThan(0.01);
    nn.init.normal_(t, 1, 0.5);
    m = moments(t);
    expect(Math.abs(m.mean - 1)).toBeLessThan(0.005);
    expect(Math.abs(m.std - 0.5)).toBeLessThan(0.004);
    expect([...(nn.init.constant_(t, 0.25).data() as Float32Array).slice(0, 3)]).toEqual([0.25, 0.25, 0.25]);
    expect(moments(nn.init.zeros_(t))).toEqual({ mean: 0, std: 0, min: 0, max: 0 });
    expect(moments(nn.init.ones_(t))).toEqual({ mean: 1, std: 0, min: 1, max: 1 });
    t.dispose();
  });

  test("trunc_normal_: N(mean, std) redrawn into [a, b]; std of N(0, 1) cut at +-2 is 0.8796", () => {
    manual_seed(2);
    const t = zeros([N]);
    nn.init.trunc_normal_(t);
    let m = moments(t);
    expect(m.min).toBeGreaterThanOrEqual(-2);
    expect(m.max).toBeLessThanOrEqual(2);
    expect(Math.abs(m.mean)).toBeLessThan(0.01);
    // truncated at +-2: variance 1 - 2 * 2 * phi(2) / (Phi(2) - Phi(-2)) = 0.77371
    expect(Math.abs(m.std - Math.sqrt(0.77371))).toBeLessThan(0.004);
    nn.init.trunc_normal_(t, 0, 0.02, -0.02, 0.02);                       // ConvNeXt's std 0.02, cut at one std
    m = moments(t);
    expect(m.min).toBeGreaterThanOrEqual(-0.02);
    expect(m.max).toBeLessThanOrEqual(0.02);
    t.dispose();
  });

  test("kaiming and xavier: the std / bound from the fans and the gain, as PyTorch's", () => {
    manual_seed(3);
    const w = zeros([500, 40, 3, 3]);                                       // fan_in 360, fan_out 4500
    nn.init.kaiming_normal_(w, { mode: "fan_out", nonlinearity: "relu" });
    expect(Math.abs(moments(w).std - Math.SQRT2 / Math.sqrt(4500)) / (Math.SQRT2 / Math.sqrt(4500))).toBeLessThan(0.01);
    nn.init.kaiming_uniform_(w, { a: Math.sqrt(5) });                     // Conv2d's default: bound 1/sqrt(fan_in)
    let m = moments(w);
    expect(m.max).toBeLessThanOrEqual(1 / Math.sqrt(360));
    expect(Math.abs(m.std * Math.sqrt(3) * Math.sqrt(360) - 1)).toBeLessThan(0.01);
    nn.init.xavier_uniform_(w, 2);
    m = moments(w);
    const bound = 2 * Math.sqrt(6 / (360 + 4500));
    expect(m.max).toBeLessThanOrEqual(bound);
    expect(Math.abs(m.std * Math.sqrt(3) / bound - 1)).toBeLessThan(0.01);
    w.dispose();
  });

  test("calculate_gain and the errors, as PyTorch 1.13's", () => {
    // torch.nn.init.calculate_gain for linear, conv2d, sigmoid, tanh, relu, selu; leaky_relu(0.2); leaky_relu
    expect(["linear", "conv2d", "sigmoid", "tanh", "relu", "selu"].map((n) => nn.init.calculate_gain(n)))
      .toEqual([1, 1, 1, 5 / 3, Math.SQRT2, 0.75]);
    expect(nn.init.calculate_gain("leaky_relu", 0.2)).toBeCloseTo(1.3867504905630728, 15);
    expect(nn.init.calculate_gain("leaky_relu")).toBeCloseTo(1.4141428569978354, 15);
    const v = tensor([1, 2, 3]);
    const m = zeros([3, 3]);
    expect(() => nn.init.kaiming_normal_(v)).toThrow("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
    expect(() => nn.init.kaiming_normal_(m, { mode: "fan_avg" as never })).toThrow("Mode fan_avg not supported, please use one of ['fan_in', 'fan_out']");
    expect(() => nn.init.calculate_gain("foo")).toThrow("Unsupported nonlinearity foo");
    v.dispose();
    m.dispose();
  });
});
