// init({ memory: "lean" }): each weight held once (no packed, Winograd-transformed or folded copy
// kept between calls), the same output bits as fast mode; memory()'s breakdown and peak; dispose()
// returning every block so that the next model of the same size needs no growth.
import { beforeAll, describe, expect, test } from "vitest";
import { init, nn, F, randn, manual_seed, memory, tensor, tidy, type Tensor } from "../src/index.js";
import { randomBn } from "./helpers.js";
import { wasm } from "../src/runtime.js";

beforeAll(async () => {
  await init();
});


/**
 * One of each packed kernel path, with output-channel counts that lean mode packs in several
 * chunks (its buffer holds about 2 MiB of packed weights) and that are not multiples of the kernels'
 * 5-channel blocks: Winograd F(4,3) (3x3 at 16x16), F(2,3) (3x3 at 6x6), the 7x7 stride-2 stem,
 * the direct GEMM (1x1 and strided), a folded Conv+BatchNorm+ReLU Sequential, a grouped convolution
 * (packed whole per call), a depthwise one (never packed) and a Linear.
 */
function buildNet(): nn.Module {
  manual_seed(11);
  return new nn.Sequential(
    new nn.Conv2d(3, 24, 7, { stride: 2, padding: 3 }),                      // stem: winograd_s2k7
    new nn.Conv2d(24, 257, 3, { padding: 1 }),                              // F(4,3), one chunk
    new nn.ReLU(),
    new nn.Conv2d(257, 263, 3, { padding: 1 }),                             // F(4,3): 36*258*4 B per channel, chunks of 55
    new nn.Conv2d(263, 603, 1),                                             // GEMM, one chunk
    new nn.Conv2d(603, 96, 3, { stride: 2, padding: 1, bias: false }),        // GEMM: 5427*4 B per channel, chunks of 95
    randomBn(96),
    new nn.ReLU6(),
    new nn.Conv2d(96, 96, 3, { padding: 1, groups: 2 }),                    // grouped
    new nn.Conv2d(96, 96, 3, { padding: 1, groups: 96 }),                   // depthwise
    new nn.Conv2d(96, 181, 3, { stride: 2, padding: 1 }),                   // to 6x6 (strided GEMM)
    new nn.Conv2d(181, 331, 3, { padding: 1 }),                             // F(2,3) at 6x6: 16*182*4 B per channel, chunks of 180
    new nn.AdaptiveAvgPool2d(1),
    new nn.Flatten(),
    new nn.Linear(331, 10),
  ).eval();
}

const bits = (t: Tensor): Uint32Array => new Uint32Array(t.data().buffer);

describe("lean memory mode", () => {
  test("gives fast mode's bits on every packed path, batch 1 and 3, and keeps no packed copy", async () => {
    const net = buildNet();
    const inputs = [randn([1, 3, 48, 48]), randn([3, 3, 48, 48])];
    await init({ memory: "fast" });
    const fast = inputs.map((x) => net.forward(x) as Tensor);
    for (const y of fast) expect(y.data().every(Number.isFinite)).toBe(true);
    const packedFast = memory().breakdown.packed;
    expect(packedFast).toBeGreaterThan(0);
    await init({ memory: "lean" });
    const lean = inputs.map((x) => net.forward(x) as Tensor);
    // switching mode dropped the cached copies: only the folded BatchNorm's bias stays (a number per channel)
    expect(memory().breakdown.packed).toBe(96 * 4);
    for (let i = 0; i < inputs.length; i++) expect(bits(lean[i])).toEqual(bits(fast[i]));
    // and back: fast mode packs again, same bits
    await init({ memory: "fast" });
    expect(bits(net.forward(inputs[1]) as Tensor)).toEqual(bits(fast[1]));
    for (const t of [...inputs, ...fast, ...lean]) t.dispose();
    net.dispose();
  });

  test("weights are counted once: in lean mode the bytes held are the weights, workspaces and the output", async () => {
    await init({ memory: "lean" });
    const before = memory().liveBytes;
    const net = buildNet();
    const weightBytes = net.parameters().reduce((sum, p) => sum + p.numel() * 4, 0) +
      net.buffers().reduce((sum, b) => sum + b.numel() * (b.dtype === "int64" ? 8 : 4), 0);
    const x = randn([1, 3, 48, 48]);
    const y = net.forward(x) as Tensor;
    const m = memory();
    // (the default initialisation is deferred: the forward allocated the weights the build had not)
    expect(m.breakdown.weights).toBeGreaterThanOrEqual(weightBytes);
    expect(m.breakdown.packed).toBe(96 * 4);   // the folded BatchNorm's bias
    expect(m.liveBytes - before).toBe(weightBytes + 96 * 4 + m.breakdown.workspaces + (x.numel() + y.numel()) * 4);
    x.dispose();
    y.dispose();
    net.dispose();
    await init({ memory: "fast" });
  });

  test("init() refuses an unknown memory mode, naming both", async () => {
    await expect(async () => init({ memory: "tiny" as "lean" })).rejects.toThrow('init(): memory must be "fast" or "lean", but got "tiny"');
  });
});

describe("fast mode's budget for packed copies", () => {
  test("a layer whose packed copy would exceed the weights' bytes (or 32 MiB) packs per call; smaller ones keep theirs", async () => {
    await init({ memory: "fast" });
    manual_seed(5);
    // 1024 -> 1024 3x3 at 7x7: 37.7 MB of weights, Winograd F(2,3) copy 67 MB: past max(weights, 32 MiB)
    const big = new nn.Conv2d(1024, 1024, 3, { padding: 1 });
    const small = new nn.Conv2d(1024, 64, 3, { padding: 1 });   // F(2,3) copy 4.2 MB: kept
    const x = randn([1, 1024, 7, 7]);
    const before = memory().breakdown.packed;
    const y = big.forward(x);
    expect(memory().breakdown.packed).toBe(before);
    const z = small.forward(y);
    const kept = memory().breakdown.packed - before;
    expect(kept).toBeGreaterThan(4e6);
    // the same bits as packing the whole layer per call (F.conv2d) and as lean mode
    expect(bits(y)).toEqual(bits(F.conv2d(x, big.weight, big.bias, 1, 1)));
    await init({ memory: "lean" });
    const lean = big.forward(x);
    expect(bits(lean)).toEqual(bits(y));
    await init({ memory: "fast" });
    for (const t of [x, y, z, lean]) t.dispose();
    big.dispose();
    small.dispose();
  });
});

describe("the allocator's high end (lean mode's long-lived blocks)", () => {
  test("allocHigh takes the top of the highest free block that holds it; alloc still takes the lowest", () => {
    const k = wasm();
    const x = k.alloc(65536) >>> 0;
    const y = k.alloc(65536) >>> 0;
    k.free(x);                                   // a 64 KiB hole below y
    const high = k.allocHigh(1024) >>> 0;
    expect(high).toBeGreaterThan(x);             // not the bottom of a free block
    const low = k.alloc(1024) >>> 0;
    expect(low).toBe(x);                         // first fit: the hole's bottom stayed free
    for (const p of [high, low, y]) k.free(p);
    // nothing fits: it grows memory like alloc
    const before = k.memory.buffer.byteLength;
    const big = k.allocHigh(before) >>> 0;
    expect(big).toBeGreaterThan(0);
    expect(k.memory.buffer.byteLength).toBeGreaterThan(before);
    k.free(big);
  });
});

describe("memory()", () => {
  test("breaks the live bytes down and reports the peak and what held it", () => {
    const start = memory({ resetPeak: true });
    const sum = (b: typeof start.breakdown): number => b.weights + b.packed + b.workspaces + b.activations;
    expect(sum(start.breakdown)).toBe(start.liveBytes);
    const big = tensor(new Float32Array(1 << 18), [1 << 18]);   // 1 MiB
    const layer = new nn.Linear(256, 256);                        // 256 KiB + 1 KiB of weights
    // the default initialisation is deferred: allocated when first read
    expect(memory().breakdown.weights).toBe(start.breakdown.weights);
    layer.weight.ptr;
    layer.bias!.ptr;
    const during = memory();
    expect(during.breakdown.activations - start.breakdown.activations).toBe(1 << 20);
    expect(during.breakdown.weights - start.breakdown.weights).toBe((256 * 256 + 256) * 4);
    expect(during.peakBytes).toBe(during.liveBytes);
    big.dispose();
    layer.dispose();
    const after = memory();
    expect(after.liveBytes).toBe(start.liveBytes);
    expect(after.peakBytes).toBe(during.peakBytes);               // the peak stays
    expect(after.peakBreakdown).toEqual(during.breakdown);
    expect(sum(after.peakBreakdown)).toBe(after.peakBytes);
    memory({ resetPeak: true });
    expect(memory().peakBytes).toBe(after.liveBytes);
  });
});

describe("dispose() returns every block", () => {
  test("a second model of the same size runs without growing memory, in both modes", async () => {
    for (const mode of ["fast", "lean"] as const) {
      await init({ memory: mode });
      const baseline = memory().liveBytes;
      const run = (): void => {
        const net = buildNet();
        const x = randn([2, 3, 48, 48]);
        tidy(() => { net.forward(x); });
        x.dispose();
        net.dispose();   // parameters, packed copies, folds and the shared workspaces
      };
      run();
      expect(memory().liveBytes, `${mode}: bytes left after dispose`).toBe(baseline);
      const grown = memory().wasmBytes;
      run();
      expect(memory().wasmBytes, `${mode}: growth by a second model`).toBe(grown);
      expect(memory().liveBytes).toBe(baseline);
    }
    await init({ memory: "fast" });
  });
});
