import { beforeAll, describe, expect, test } from "vitest";
import { init, tensor, zeros, ones, randn, manual_seed, tidy, memory, Tensor } from "../src/index.js";

beforeAll(() => init());

describe("Tensor", () => {
  test("tensor() infers shape from nested arrays and copies data in", () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe("float32");
    expect(t.numel()).toBe(6);
    expect(t.dim()).toBe(2);
    expect(t.size(1)).toBe(3);
    expect(t.size(-2)).toBe(2);
    expect(Array.from(t.data())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(t.tolist()).toEqual([[1, 2, 3], [4, 5, 6]]);
    t.dispose();
  });

  test("dtype follows the typed array; a 0-d int64 tensor", () => {
    const t = tensor(new BigInt64Array([5n]), []);
    expect(t.dtype).toBe("int64");
    expect(t.shape).toEqual([]);
    expect(t.data<BigInt64Array>()).toEqual(new BigInt64Array([5n]));
    expect(t.tolist()).toBe(5);
    expect(t.item()).toBe(5);
  });

  test("a shape that does not match the data is refused", () => {
    expect(() => tensor(new Float32Array(5), [2, 3])).toThrow("shape '[2, 3]' is invalid for input of size 5");
    expect(() => tensor([[1, 2], [3]])).toThrow(/expected sequence of length 2 at dim 1/);
  });

  test("zeros, ones, randn", () => {
    expect(Array.from(zeros([2, 2]).data())).toEqual([0, 0, 0, 0]);
    expect(Array.from(ones(3).data())).toEqual([1, 1, 1]);
    manual_seed(7);
    const a = randn([1000]).data();
    manual_seed(7);
    const b = randn([1000]).data();
    expect(a).toEqual(b);
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    const variance = a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length;
    expect(Math.abs(mean)).toBeLessThan(0.1);
    expect(Math.abs(variance - 1)).toBeLessThan(0.15);
  });

  test("reshape infers -1 and shares data; flatten merges dims", () => {
    const t = tensor(new Float32Array([1, 2, 3, 4, 5, 6]), [1, 2, 3]);
    const r = t.reshape([3, -1]);
    expect(r.shape).toEqual([3, 2]);
    expect(t.flatten(1).shape).toEqual([1, 6]);
    expect(t.flatten().shape).toEqual([6]);
    expect(() => t.reshape([4, -1])).toThrow("shape '[4, -1]' is invalid for input of size 6");
    expect(() => t.reshape([-1, -1])).toThrow("only one dimension can be inferred");
    t.add_(ones([1, 2, 3]));
    expect(Array.from(r.data())).toEqual([2, 3, 4, 5, 6, 7]);
    // the view keeps the storage alive after the original is disposed
    t.dispose();
    expect(Array.from(r.data())).toEqual([2, 3, 4, 5, 6, 7]);
    r.dispose();
  });

  test("add returns a new tensor, add_ writes in place; shapes must match", () => {
    const a = tensor([1, 2, 3, 4, 5]);
    const b = tensor([10, 20, 30, 40, 50]);
    const c = a.add(b);
    expect(Array.from(c.data())).toEqual([11, 22, 33, 44, 55]);
    expect(Array.from(a.data())).toEqual([1, 2, 3, 4, 5]);
    expect(a.add_(b)).toBe(a);
    expect(Array.from(a.data())).toEqual([11, 22, 33, 44, 55]);
    expect(() => a.add(tensor([1, 2]))).toThrow(/The size of tensor a \(5\) must match the size of tensor b \(2\) at non-singleton dimension 0/);
  });

  test("use after dispose throws a clear error; double dispose is safe", () => {
    const t = zeros([2, 3]);
    t.dispose();
    t.dispose();
    expect(() => t.data()).toThrow("Tensor of shape [2, 3] was used after dispose()");
    expect(() => t.add(t)).toThrow(/used after dispose/);
  });

  test("Symbol.dispose frees at the end of a using block", () => {
    const before = memory().liveTensors;
    {
      const t = zeros([4]);
      t[Symbol.dispose]();
    }
    expect(memory().liveTensors).toBe(before);
  });

  test("tensors made before memory.grow read correctly after it", () => {
    const canary = tensor(new Float32Array([1.5, -2.5, 3.25]));
    const before = memory().wasmBytes;
    const big = zeros([64 * 1024 * 1024 / 4]);   // 64 MiB forces memory.grow
    expect(memory().wasmBytes).toBeGreaterThan(before);
    expect(Array.from(canary.data())).toEqual([1.5, -2.5, 3.25]);
    big.dispose();
    canary.dispose();
  });

  test("shapes a wasm32 block cannot hold are refused before allocating", () => {
    const before = memory();
    expect(() => zeros([1024, 1024, 1024])).toThrow(/needs 4\.00 GiB, more than/);
    expect(() => zeros([2, -1])).toThrow(/non-negative integers/);
    expect(memory().liveBytes).toBe(before.liveBytes);
  });

  test("zero-size tensors exist and own no memory", () => {
    const t = zeros([0, 3]);
    expect(t.numel()).toBe(0);
    expect(t.data().length).toBe(0);
    expect(t.tolist()).toEqual([]);
  });
});

describe("tidy", () => {
  test("frees everything but the result, which moves to the enclosing scope", () => {
    const before = memory();
    let inner: Tensor | null = null;
    const outer = tidy(() => {
      inner = tidy(() => {
        zeros([100]);
        return ones([10]);
      });
      zeros([50]);
      return [inner];
    });
    expect(outer[0]).toBe(inner);
    expect(memory().liveTensors).toBe(before.liveTensors + 1);
    outer[0].dispose();
    expect(memory().liveTensors).toBe(before.liveTensors);
    expect(memory().liveBytes).toBe(before.liveBytes);
  });

  test("frees its tensors when fn throws, then rethrows", () => {
    const before = memory();
    expect(() => tidy(() => { zeros([10]); throw new Error("boom"); })).toThrow("boom");
    expect(memory().liveTensors).toBe(before.liveTensors);
  });

  test("a tensor made outside is left alone", () => {
    const outside = ones([3]);
    tidy(() => outside.add(outside));
    expect(Array.from(outside.data())).toEqual([1, 1, 1]);
  });
});
