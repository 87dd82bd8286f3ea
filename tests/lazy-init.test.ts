// Deferred default initialisation (issue #13): a layer's parameters are recipes (the generator's
// state and the distribution) until something reads them. Building takes no linear memory, the
// generator advances exactly as if the values were drawn (so everything drawn after is unchanged),
// the values, once drawn, are bit for bit the eager ones, and load_state_dict copies over a recipe
// without ever drawing it.
import { beforeAll, describe, expect, test, vi } from "vitest";
import { init, nn, safetensors, tensor, zeros, randn, manual_seed, memory, tidy, type Tensor } from "../src/index.js";
import { models } from "../src/vision/index.js";
import * as random from "../src/random.js";

// replay (random.ts) draws a recipe's values: counted, to show which paths draw and which never do
vi.mock("../src/random.js", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../src/random.js")>();
  return { ...actual, replay: vi.fn(actual.replay) };
});
const replays = vi.mocked(random.replay);

beforeAll(() => init());

const bits = (t: Tensor): Uint32Array => {
  const data = t.data<Float32Array | BigInt64Array>();
  return new Uint32Array(data.buffer, data.byteOffset, data.byteLength / 4);
};
const live = (): number => memory().liveBytes;

/** FNV-1a over a state_dict's keys and value bits, in order. */
function fingerprint(module: nn.Module): number {
  let h = 0x811c9dc5;
  for (const [key, t] of Object.entries(module.state_dict())) {
    for (const c of key) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
    for (const word of bits(t)) h = Math.imul(h ^ word, 0x01000193) >>> 0;
  }
  return h;
}

/** A tensor nothing has read: a deferred constant, whose planning draws nothing. */
function deferredZeros(shape: number[]): Tensor {
  const layer = new nn.PReLU(shape.reduce((a, b) => a * b, 1), 0);
  const t = layer.weight.view(shape);
  layer.dispose();
  return t;
}

// Every shape kind: empty, one value, odd and even counts (Box-Muller's pairs: an odd count draws a
// whole last pair), a SIMD width and its neighbours, conv-like 4-D shapes.
const SHAPES: number[][] = [[0], [1], [2], [3], [4], [5], [7], [8], [15], [16], [17], [33], [3, 5], [4, 3], [6, 1, 3, 3], [5, 3, 7, 7], [2, 3, 1, 1], [64, 9]];
const SHAPES_2D = SHAPES.filter((s) => s.length >= 2);

const INITS: [name: string, shapes: number[][], apply: (t: Tensor) => void][] = [
  ["uniform_(-0.3, 0.7)", SHAPES, (t) => nn.init.uniform_(t, -0.3, 0.7)],
  ["uniform_()", SHAPES, (t) => nn.init.uniform_(t)],
  ["normal_(0.5, 2)", SHAPES, (t) => nn.init.normal_(t, 0.5, 2)],
  ["normal_()", SHAPES, (t) => nn.init.normal_(t)],
  ["kaiming_uniform_(a=sqrt(5))", SHAPES_2D, (t) => nn.init.kaiming_uniform_(t, { a: Math.sqrt(5) })],
  ["kaiming_uniform_(fan_out, sigmoid)", SHAPES_2D, (t) => nn.init.kaiming_uniform_(t, { mode: "fan_out", nonlinearity: "sigmoid" })],
  ["kaiming_normal_(fan_out, relu)", SHAPES_2D, (t) => nn.init.kaiming_normal_(t, { mode: "fan_out", nonlinearity: "relu" })],
  ["kaiming_normal_()", SHAPES_2D, (t) => nn.init.kaiming_normal_(t)],
  ["xavier_uniform_(gain=2)", SHAPES_2D, (t) => nn.init.xavier_uniform_(t, 2)],
  ["constant_(0.1)", SHAPES, (t) => nn.init.constant_(t, 0.1)],
  ["zeros_", SHAPES, (t) => nn.init.zeros_(t)],
  ["ones_", SHAPES, (t) => nn.init.ones_(t)],
  // the last init wins, and every one consumes the generator
  ["normal_ then uniform_", SHAPES, (t) => { nn.init.normal_(t, 1, 3); nn.init.uniform_(t, -1, 1); }],
  ["uniform_ then normal_ then constant_", SHAPES, (t) => { nn.init.uniform_(t); nn.init.normal_(t); nn.init.constant_(t, 4); }],
];

describe("nn.init on a tensor nothing has read: a recipe, drawn bit for bit as the eager init", () => {
  for (const [name, shapes, apply] of INITS) {
    test(name, () => {
      for (const [i, shape] of shapes.entries()) {
        manual_seed(100 + i);
        const eager = zeros(shape);   // in linear memory: the init writes its values now
        apply(eager);
        const eagerNext = randn([3]);

        manual_seed(100 + i);
        const deferred = deferredZeros(shape);
        const before = live();
        apply(deferred);
        const deferredNext = randn([3]);
        expect(live(), `${name} ${shape}: allocated nothing`).toBe(before + 12);   // randn's 3 values only
        expect(deferred._isDeferred() || deferred.numel() === 0).toBe(true);
        expect(bits(deferredNext), `${name} ${shape}: the generator after`).toEqual(bits(eagerNext));
        expect(bits(deferred), `${name} ${shape}: data() of the recipe`).toEqual(bits(eager));
        deferred.ptr;   // drawn into linear memory
        expect(deferred._isDeferred()).toBe(false);
        expect(bits(deferred), `${name} ${shape}: drawn into linear memory`).toEqual(bits(eager));
        for (const t of [eager, eagerNext, deferred, deferredNext]) t.dispose();
      }
    });
  }

  test("trunc_normal_ (rejection sampling, an unknown number of draws) runs now: allocated, as the eager one", () => {
    for (const [i, shape] of SHAPES.entries()) {
      manual_seed(200 + i);
      // std 0.5 cut at 1.2 std: many redraws
      const eager = nn.init.trunc_normal_(nn.init.uniform_(zeros(shape)), 0, 0.5, -0.6, 0.6);
      const eagerNext = randn([3]);
      manual_seed(200 + i);
      const deferred = nn.init.uniform_(deferredZeros(shape));   // a recipe first: replaced, never drawn
      const before = live();
      const drawn = replays.mock.calls.length;
      nn.init.trunc_normal_(deferred, 0, 0.5, -0.6, 0.6);
      expect(replays.mock.calls.length, "the old recipe is not drawn").toBe(drawn);
      expect(live()).toBe(before + deferred.numel() * 4);
      expect(deferred._isDeferred()).toBe(false);
      const deferredNext = randn([3]);
      expect(bits(deferred)).toEqual(bits(eager));
      expect(bits(deferredNext)).toEqual(bits(eagerNext));
      for (const t of [eager, eagerNext, deferred, deferredNext]) t.dispose();
    }
  });

  test("on a tensor in linear memory the init writes now (and a data() read does not allocate)", () => {
    manual_seed(1);
    const layer = new nn.Linear(5, 3);
    const before = live();
    layer.weight.data();
    expect(live()).toBe(before);
    layer.weight.ptr;
    expect(live()).toBe(before + 60);
    nn.init.normal_(layer.weight);
    expect(layer.weight._isDeferred()).toBe(false);
    layer.dispose();
    expect(live()).toBe(before - 0);
  });
});

describe("layers' default initialisation: deferred, bit for bit PyTorch's defaults as drawn eagerly", () => {
  // fan_in per layer, and the eager reference: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) per parameter in order
  const LAYERS: [name: string, build: () => nn.Module, fanIn: number][] = [
    ["Linear(7, 3)", () => new nn.Linear(7, 3), 7],
    ["Linear(1, 1)", () => new nn.Linear(1, 1), 1],
    ["Linear(17, 5, bias=False)", () => new nn.Linear(17, 5, false), 17],
    ["Conv2d(3, 5, 3)", () => new nn.Conv2d(3, 5, 3), 27],
    ["Conv2d(4, 6, 3, groups=2)", () => new nn.Conv2d(4, 6, 3, { groups: 2 }), 18],
    ["Conv2d(3, 7, 1, bias=False)", () => new nn.Conv2d(3, 7, 1, { bias: false }), 3],
    ["Conv1d(3, 5, 2)", () => new nn.Conv1d(3, 5, 2), 6],
    ["ConvTranspose2d(3, 5, 3)", () => new nn.ConvTranspose2d(3, 5, 3), 45],
    ["Bilinear(3, 4, 5)", () => new nn.Bilinear(3, 4, 5), 3],
  ];
  for (const [name, build, fanIn] of LAYERS) {
    test(name, () => {
      manual_seed(9);
      const before = live();
      const layer = build();
      expect(live(), "built without allocating").toBe(before);
      const next = randn([3]);
      manual_seed(9);
      const bound = 1 / Math.sqrt(fanIn);
      const eager = layer.parameters().map((p) => nn.init.uniform_(zeros([...p.shape]), -bound, bound));
      const eagerNext = randn([3]);
      expect(bits(next)).toEqual(bits(eagerNext));
      for (const [i, p] of layer.parameters().entries()) expect(bits(p)).toEqual(bits(eager[i]));
      for (const t of [next, eagerNext, ...eager]) t.dispose();
      layer.dispose();
      expect(live()).toBe(before);
    });
  }

  test("Embedding: N(0, 1) (randn's values) with the padding row zeroed, for odd and even sizes", () => {
    for (const [rows, cols, padding] of [[7, 3, 2], [5, 3, null], [4, 4, -1], [1, 1, 0], [3, 5, 2]] as const) {
      manual_seed(rows * 10 + cols);
      const before = live();
      const emb = new nn.Embedding(rows, cols, { padding_idx: padding });
      expect(live()).toBe(before);
      const next = randn([3]);
      manual_seed(rows * 10 + cols);
      const expected = randn([rows, cols]).data();
      if (padding !== null) { const row = (padding + rows) % rows; expected.fill(0, row * cols, (row + 1) * cols); }
      const expectedNext = randn([3]);
      expect(bits(emb.weight)).toEqual(new Uint32Array(expected.buffer));
      emb.weight.ptr;
      expect(bits(emb.weight)).toEqual(new Uint32Array(expected.buffer));
      expect(bits(next)).toEqual(bits(expectedNext));
      for (const t of [next, expectedNext]) t.dispose();
      emb.dispose();
    }
  });

  test("norm layers and PReLU: their constants, int64 num_batches_tracked included, without drawing", () => {
    manual_seed(4);
    const before = live();
    const layers = new nn.Sequential(new nn.BatchNorm2d(3), new nn.BatchNorm1d(5), new nn.LayerNorm([3, 2]), new nn.GroupNorm(2, 4),
      new nn.InstanceNorm2d(3, { affine: true }), new nn.PReLU(3, 0.3));
    expect(live()).toBe(before);
    const next = randn([2]);
    manual_seed(4);
    const expectedNext = randn([2]);
    expect(bits(next)).toEqual(bits(expectedNext));
    const sd = layers.state_dict();
    expect(sd["0.weight"].data()).toEqual(new Float32Array([1, 1, 1]));
    expect(sd["0.running_var"].data()).toEqual(new Float32Array([1, 1, 1]));
    expect(sd["1.running_mean"].data()).toEqual(new Float32Array(5));
    expect(sd["0.num_batches_tracked"].data()).toEqual(new BigInt64Array([0n]));
    expect(sd["2.bias"].data()).toEqual(new Float32Array(6));
    expect(sd["5.weight"].data()).toEqual(new Float32Array([0.3, 0.3, 0.3]));
    expect(live(), "data() reads a recipe without allocating").toBe(before + 16);   // the two randn([2])
    // a training forward counts batches in place: the int64 buffer is allocated, then written
    tidy(() => { layers.children()[0].forward(randn([2, 3, 2, 2])); });
    expect(sd["0.num_batches_tracked"].data()).toEqual(new BigInt64Array([1n]));
    for (const t of [next, expectedNext]) t.dispose();
    layers.dispose();
    expect(live()).toBe(before);
  });
});

describe("models", () => {
  // fingerprints of fresh builds under manual_seed(7), and randn([3]) drawn right after, recorded
  // from the eager initialisation before it was deferred (commit f24ae1c): the same values, and
  // the generator left where it was
  const RECORDED: [name: string, build: () => nn.Module, fingerprint: number, next: number[]][] = [
    ["resnet18", () => models.resnet18(), 3713201898, [-1.5995893478393555, -0.6099661588668823, -0.2888934016227722]],
    ["mobilenet_v3_small", () => models.mobilenet_v3_small(), 759161150, [-0.9147470593452454, -0.0908747985959053, -1.0512816905975342]],
    ["mnasnet0_5", () => models.mnasnet0_5(), 2852795563, [-0.6804512739181519, -0.06614181399345398, 0.6278917193412781]],
    ["squeezenet1_1", () => models.squeezenet1_1(), 294346910, [1.08133065700531, -0.8109405636787415, 2.101121664047241]],
    ["googlenet (trunc_normal_)", () => models.googlenet(), 2876716278, [3.179494619369507, -0.1461462378501892, -0.9861205816268921]],
    ["shufflenet_v2_x0_5", () => models.shufflenet_v2_x0_5(), 566519825, [0.3975910544395447, -0.39163723587989807, -1.2245968580245972]],
    ["layers", () => new nn.Sequential(new nn.Conv2d(3, 5, 3), new nn.Linear(7, 3), new nn.Bilinear(3, 4, 5), new nn.Conv1d(3, 5, 2),
      new nn.ConvTranspose2d(3, 5, 3), new nn.Embedding(7, 3, { padding_idx: 2 }), new nn.Embedding(5, 3), new nn.PReLU(3, 0.3),
      new nn.LayerNorm([3, 2]), new nn.GroupNorm(2, 4), new nn.BatchNorm2d(3), new nn.BatchNorm1d(5), new nn.InstanceNorm2d(3, { affine: true })),
    926734280, [1.7547613382339478, 0.5518922209739685, -1.056013822555542]],
  ];
  for (const [name, build, expected, expectedNext] of RECORDED) {
    test(`${name}: the eager build's values and the generator after it`, () => {
      manual_seed(7);
      const model = build();
      const next = randn([3]);
      expect(fingerprint(model)).toBe(expected);
      expect([...next.data()]).toEqual(expectedNext);
      next.dispose();
      model.dispose();
    });
  }

  test("building resnet18 allocates nothing; the forward allocates its weights; dispose returns all", () => {
    const start = memory();
    manual_seed(3);
    const model = models.resnet18().eval();
    const built = memory();
    expect(built.liveBytes).toBe(start.liveBytes);
    expect(built.wasmBytes).toBe(start.wasmBytes);
    expect(Object.values(model.state_dict()).every((t) => t._isDeferred())).toBe(true);
    const x = randn([1, 3, 32, 32]);
    tidy(() => { model.forward(x); });
    const after = memory();
    // every convolution's and the Linear's weight (BatchNorm folds read their values without allocating them)
    const convBytes = model.modules().flatMap((m) => (m instanceof nn.Conv2d || m instanceof nn.Linear ? m.parameters() : []))
      .reduce((sum, p) => sum + p.numel() * 4, 0);
    expect(after.breakdown.weights - start.breakdown.weights).toBeGreaterThanOrEqual(convBytes);
    model.dispose();
    x.dispose();
    expect(memory().liveBytes).toBe(start.liveBytes);
  });

  for (const mode of ["fast", "lean"] as const) {
    test(`${mode} mode: outputs of deferred models as recorded from the eager ones`, async () => {
      // FNV-1a of the output bits for manual_seed(3), randn([1, 3, 64, 64]), recorded with eager
      // initialisation: at f24ae1c, resnet18 again at 36e04fc (its blocks then ran fused: new bits)
      const RECORDED_OUT: Record<string, number> = { resnet18: 2029985191, mobilenet_v3_small: 922450951 };
      await init({ memory: mode });
      try {
        for (const [name, expected] of Object.entries(RECORDED_OUT)) {
          manual_seed(3);
          const model = (models as unknown as Record<string, () => nn.Module>)[name]().eval();
          const x = randn([1, 3, 64, 64]);
          const y = model.forward(x) as Tensor;
          let h = 0x811c9dc5;
          for (const word of bits(y)) h = Math.imul(h ^ word, 0x01000193) >>> 0;
          expect(h, name).toBe(expected);
          for (const t of [x, y]) t.dispose();
          model.dispose();
        }
      } finally {
        await init({ memory: "fast" });
      }
    });
  }
});

describe("writers that allocate a deferred tensor take its address before their heap view", () => {
  /** Allocates 1 MiB blocks until linear memory grows: then the next allocation grows it again. */
  function fillHeap(): Tensor[] {
    const fillers: Tensor[] = [];
    const start = memory().wasmBytes;
    while (memory().wasmBytes === start) fillers.push(zeros([1 << 18]));
    return fillers;
  }

  test("nn.utils.fuse_conv_bn_eval: the new Conv2d's deferred parameters allocated as the memory grows", () => {
    const build = (): [nn.Conv2d, nn.BatchNorm2d] => {
      manual_seed(12);
      const conv = new nn.Conv2d(64, 300, 3, { bias: false });   // 675 KiB: more than a page
      const bn = new nn.BatchNorm2d(300);
      nn.init.uniform_(bn.running_mean!, -1, 1);
      nn.init.uniform_(bn.running_var!, 0.5, 2);
      return [conv, bn.eval()];
    };
    const [conv, bn] = build();
    const reference = nn.utils.fuse_conv_bn_eval(conv, bn);
    const [conv2, bn2] = build();
    const fillers = fillHeap();
    const grown = memory().wasmBytes;
    const fused = nn.utils.fuse_conv_bn_eval(conv2, bn2);
    expect(memory().wasmBytes).toBeGreaterThan(grown);
    expect(bits(fused.weight)).toEqual(bits(reference.weight));
    expect(bits(fused.bias!)).toEqual(bits(reference.bias!));
    for (const t of fillers) t.dispose();
    for (const m of [conv, bn, reference, conv2, bn2, fused]) m.dispose();
  });
});

describe("load_state_dict, state_dict, dispose and memory() on deferred parameters", () => {
  function net(seed: number): nn.Sequential {
    manual_seed(seed);
    return new nn.Sequential(new nn.Conv2d(3, 16, 3), new nn.BatchNorm2d(16), new nn.Linear(16, 33));
  }
  const weightBytes = (m: nn.Module): number =>
    Object.values(m.state_dict()).reduce((sum, t) => sum + t.numel() * (t.dtype === "int64" ? 8 : 4), 0);

  test("loaded over a recipe: allocated once and copied in, the recipe never drawn", () => {
    const source = net(1);
    const values = Object.fromEntries(Object.entries(source.state_dict()).map(([k, t]) => [k, tensor(t.data<Float32Array | BigInt64Array>(), t.shape)]));
    const target = net(2);
    const before = memory({ resetPeak: true });
    const drawn = replays.mock.calls.length;
    target.load_state_dict(values);
    expect(replays.mock.calls.length, "no recipe drawn").toBe(drawn);
    const after = memory();
    expect(after.liveBytes - before.liveBytes).toBe(weightBytes(target));
    expect(after.peakBytes, "no transient copy").toBe(after.liveBytes);
    expect(after.breakdown.weights - before.breakdown.weights).toBe(weightBytes(target));
    for (const [key, t] of Object.entries(target.state_dict())) expect(bits(t), key).toEqual(bits(values[key]));
    for (const t of Object.values(values)) t.dispose();
    source.dispose();
    target.dispose();
  });

  test("loaded from safetensors.load's deferred bytes into a recipe: one copy, from the file", () => {
    const source = net(1);
    const bytes = safetensors.save(source.state_dict());
    source.dispose();
    const loaded = safetensors.load(bytes);
    const target = net(2);
    const before = memory({ resetPeak: true });
    target.load_state_dict(loaded);
    expect(memory().peakBytes - before.liveBytes).toBe(weightBytes(target));
    for (const [key, t] of Object.entries(target.state_dict())) expect(bits(t), key).toEqual(bits(loaded[key]));
    for (const t of Object.values(loaded)) t.dispose();
    target.dispose();
  });

  test("loaded from another fresh model: its recipes' values, drawn into the target only", () => {
    const source = net(1);
    const target = net(2);
    const before = live();
    target.load_state_dict(source.state_dict());
    expect(live() - before).toBe(weightBytes(target));
    expect(Object.values(source.state_dict()).every((t) => t._isDeferred()), "the source stays deferred").toBe(true);
    expect(fingerprint(target)).toBe(fingerprint(source));
    source.dispose();
    target.dispose();
    expect(live()).toBe(before);
  });

  test("a module's own state_dict loaded into itself copies nothing", () => {
    const m = net(1);
    const before = live();
    m.load_state_dict(m.state_dict());
    expect(live()).toBe(before);
    expect(Object.values(m.state_dict()).every((t) => t._isDeferred())).toBe(true);
    m.dispose();
  });

  test("state_dict() returns the module's own tensors, deferred until read; dispose frees nothing never allocated", () => {
    const before = memory();
    const m = net(1);
    const sd = m.state_dict();
    expect(sd["0.weight"]).toBe((m.children()[0] as nn.Conv2d).weight);
    expect(Object.values(sd).every((t) => t._isDeferred())).toBe(true);
    sd["2.bias"].ptr;   // one allocated
    expect(memory().breakdown.weights - before.breakdown.weights).toBe(33 * 4);
    m.dispose();
    const after = memory();
    expect(after.liveBytes).toBe(before.liveBytes);
    expect(after.breakdown).toEqual(before.breakdown);
  });

  test("a Parameter over safetensors.load's tensor stays in the file's bytes until read", () => {
    const w = randn([4, 5]);
    const loaded = safetensors.load(safetensors.save({ w }));
    w.dispose();
    const before = live();
    const p = new nn.Parameter(loaded.w);
    expect(live()).toBe(before);
    p.ptr;
    expect(memory().breakdown.weights).toBeGreaterThanOrEqual(80);
    p.dispose();
    loaded.w.dispose();
    expect(live()).toBe(before - 0);
  });
});
