// load(): torch.load(f, weights_only=True). The fixtures (tests/fixtures/io/gen_torch.py, torch 1.13)
// hold every dtype, shared storages, strided views, 0-d and empty tensors and a training checkpoint
// in the zip and legacy formats; expected.json is what torch itself reads back from each file.
// Then the refusals: each a clear Error, quickly, with no memory grown and no tensor left behind.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, test } from "vitest";
import { init, load, nn, F, safetensors, memory, Tensor, tidy, manual_seed, randn } from "../src/index.js";
import { disposeAll } from "./helpers.js";

beforeAll(() => init());

const dir = new URL("./fixtures/io/", import.meta.url);
const file = (name: string) => new Uint8Array(readFileSync(new URL(name, dir)));
const EXPECTED = JSON.parse(readFileSync(new URL("expected.json", dir), "utf8")) as Record<string, unknown>;

const hex = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");

/** Compares a loaded value with expected.json's encoding of torch's, bit for bit, iteratively. */
function expectSame(actual: unknown, expected: unknown, path = "$"): void {
  const work: [unknown, unknown, string][] = [[actual, expected, path]];
  while (work.length > 0) {
    const [a, e, at] = work.pop()!;
    if (e !== null && typeof e === "object" && !Array.isArray(e)) {
      const spec = e as Record<string, unknown>;
      if ("__tensor__" in spec) {
        expect(a, at).toBeInstanceOf(Tensor);
        const t = a as Tensor;
        expect([t.dtype, t.shape], at).toEqual([spec.__tensor__, spec.shape]);
        const data = t.data<Float32Array | BigInt64Array>();
        expect(hex(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)), at).toBe(spec.hex);
      } else if ("__int__" in spec) {
        expect(a, at).toBe(BigInt(spec.__int__ as string));
      } else if ("__float__" in spec) {
        expect(a, at).toBe(Number(String(spec.__float__).replace("inf", "Infinity")));
      } else if ("__dict__" in spec) {
        const pairs = spec.__dict__ as [string, unknown][];
        expect(Object.getPrototypeOf(a), at).toBe(Object.prototype);
        expect(Object.keys(a as object), at).toEqual(pairs.map(([k]) => k));
        for (const [k, v] of pairs) work.push([(a as Record<string, unknown>)[k], v, `${at}.${k}`]);
      } else {
        const pairs = spec.__map__ as [unknown, unknown][];
        expect(a, at).toBeInstanceOf(Map);
        const map = a as Map<unknown, unknown>;
        expect([...map.keys()], at).toEqual(pairs.map(([k]) => k));
        for (const [k, v] of pairs) work.push([map.get(k), v, `${at}[${String(k)}]`]);
      }
    } else if (Array.isArray(e)) {
      expect(Array.isArray(a), at).toBe(true);
      expect((a as unknown[]).length, at).toBe(e.length);
      e.forEach((v, i) => work.push([(a as unknown[])[i], v, `${at}[${i}]`]));
    } else {
      expect(Object.is(a, e), `${at}: ${String(a)} vs ${String(e)}`).toBe(true);
    }
  }
}


describe("fixtures match what torch reads back, bit for bit", () => {
  for (const name of Object.keys(EXPECTED)) {
    test(name, () => {
      const before = memory().liveTensors;
      const value = load(file(name));
      expectSame(value, EXPECTED[name]);
      disposeAll(value);
      expect(memory().liveTensors).toBe(before);
    });
  }

  test("a file path and a file: URL load in Node, as the bytes do", () => {
    const url = new URL("state_zip.pt", dir);
    for (const source of [url, url.pathname]) {
      const value = load(source);
      expectSame(value, EXPECTED["state_zip.pt"]);
      disposeAll(value);
    }
  });
});

describe("results in JavaScript terms", () => {
  test("a training checkpoint: numbers, bigints, strings, null, arrays, Maps for int keys", () => {
    const ckpt = load(file("checkpoint.pt"));
    expect(ckpt.epoch).toBe(7);
    expect(ckpt.best_acc).toBe(0.875);
    expect(ckpt.big).toBe(2n ** 70n);
    expect(ckpt.neg_big).toBe(-(2n ** 63n));
    expect(ckpt.safe).toBe(2 ** 53 - 1);
    expect(ckpt.unsafe).toBe(2n ** 53n + 1n);
    expect(ckpt.note).toBeNull();
    expect(ckpt.shape).toEqual([3, 4]);
    expect(ckpt.nested).toEqual({ a: [1, [2, [3, { b: [4.5, null, "c"] }]]], empty: {}, empty_list: [], empty_tuple: [] });
    expect(ckpt.int_keys).toEqual(new Map<number, string>([[1, "a"], [0, "b"]]));
    expect([ckpt.size, ckpt.dtype, ckpt.device, ckpt.unicode]).toEqual([[2, 3], "torch.float16", "cpu", "héllo ✓"]);
    expect(Object.is(ckpt.neg_zero, -0)).toBe(true);
    expect(ckpt.optimizer.state).toBeInstanceOf(Map);
    expect(ckpt.optimizer.param_groups[0].betas).toEqual([0.9, 0.999]);
    expect(ckpt.state_dict["bn1.num_batches_tracked"].dtype).toBe("int64");
    disposeAll(ckpt);
  });

  test("views sharing one storage are separate tensors; strided views come out contiguous", () => {
    const sd = load(file("state_zip.pt"));
    expect(sd.view_a).not.toBe(sd.view_b);
    sd.view_a.dispose();
    expect(sd.view_b.tolist()).toEqual([1.5, 1.625, 1.75, 1.875, 2, 2.125, 2.25, 2.375, 2.5, 2.625, 2.75, 2.875]);
    expect(sd.transposed.shape).toEqual([6, 4]);
    expect(sd.scalar.shape).toEqual([]);
    expect(sd.scalar.item()).toBe(3.5);
    expect(sd.empty.shape).toEqual([0, 3]);
    disposeAll(sd);
  });

  test("a tiny CNN's state_dict (.pth, zip and legacy) loads strictly, equal to the same weights from safetensors bit for bit", () => {
    class TinyCNN extends nn.Module {
      conv1 = new nn.Conv2d(3, 8, 3, { padding: 1, bias: false });
      bn1 = new nn.BatchNorm2d(8);
      conv2 = new nn.Conv2d(8, 16, 3, { stride: 2 });
      bn2 = new nn.BatchNorm2d(16);
      fc = new nn.Linear(16, 10);
      override forward(x: Tensor): Tensor {
        const y = F.relu(this.bn2.forward(this.conv2.forward(F.relu(this.bn1.forward(this.conv1.forward(x))))));
        return this.fc.forward(F.adaptive_avg_pool2d(y, 1).flatten(1));
      }
    }
    manual_seed(1);
    const x = randn([2, 3, 12, 12]);
    const outputs: string[] = [];
    for (const weights of [safetensors.load(file("tiny_cnn.safetensors")), load(file("tiny_cnn.pth")), load(file("tiny_cnn_legacy.pth"))]) {
      const model = new TinyCNN().eval();
      expect(model.load_state_dict(weights)).toEqual({ missing_keys: [], unexpected_keys: [] });
      expect(model.bn1.num_batches_tracked!.item()).toBe(2);
      outputs.push(tidy(() => hex(new Uint8Array(model.forward(x).data<Float32Array>().buffer))));
      disposeAll(weights);
      model.dispose();
    }
    x.dispose();
    expect(outputs[1]).toBe(outputs[0]);
    expect(outputs[2]).toBe(outputs[0]);
  });
});

// ---- hand-made files ----

const utf8 = (s: string) => new TextEncoder().encode(s);
const concat = (...parts: (Uint8Array | number[])[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
};
const u16 = (n: number) => [n & 255, n >>> 8];
const u32 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24];

/** A stored zip archive (no CRCs: load does not check them), `method` per record if given. */
function zip(records: [name: string, data: Uint8Array, method?: number][]): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const [name, data, method = 0] of records) {
    const n = utf8(name);
    const local = concat([0x50, 0x4b, 3, 4, 20, 0, 0, 0, ...u16(method), 0, 0, 0, 0, ...u32(0), ...u32(data.length), ...u32(data.length), ...u16(n.length), 0, 0], n, data);
    centrals.push(concat([0x50, 0x4b, 1, 2, 20, 0, 20, 0, 0, 0, ...u16(method), 0, 0, 0, 0, ...u32(0), ...u32(data.length), ...u32(data.length), ...u16(n.length), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ...u32(offset)], n));
    locals.push(local);
    offset += local.length;
  }
  const central = concat(...centrals);
  return concat(...locals, central, [0x50, 0x4b, 5, 6, 0, 0, 0, 0, ...u16(records.length), ...u16(records.length), ...u32(central.length), ...u32(offset), 0, 0]);
}

/** Pickle pieces (protocol 2). */
const P = {
  str: (s: string) => { const b = utf8(s); return concat([0x58, ...u32(b.length)], b); },
  int: (n: number) => [0x4a, ...u32(n >>> 0)],
  global: (module: string, name: string) => utf8(`c${module}\n${name}\n`),
};
/** {'w': tensor of `shape`/`stride`/`offset` on a FloatStorage '0' of `numel` elements} */
function tensorPickle(shape: number[], stride: number[], offset: number, numel: number): Uint8Array {
  return concat([0x80, 2, 0x7d, 0x28], P.str("w"), P.global("torch._utils", "_rebuild_tensor_v2"), [0x28, 0x28],
    P.str("storage"), P.global("torch", "FloatStorage"), P.str("0"), P.str("cpu"), P.int(numel), [0x74, 0x51], P.int(offset),
    [0x28], ...shape.map(P.int), [0x74, 0x28], ...stride.map(P.int), [0x74, 0x89], P.global("collections", "OrderedDict"),
    [0x29, 0x52, 0x74, 0x52, 0x75, 0x2e]);
}
const tensorFile = (shape: number[], stride: number[], offset: number, numel: number) =>
  zip([["archive/data.pkl", tensorPickle(shape, stride, offset, numel)], ["archive/data/0", new Uint8Array(numel * 4)]]);

describe("refusals: a clear Error naming the problem, within a second, nothing allocated", () => {
  const pickled = (bytes: Uint8Array) => zip([["archive/data.pkl", bytes]]);
  const stateDict = file("state_zip.pt");
  const cases: [string, () => Uint8Array, RegExp][] = [
    ["os.system (GLOBAL)", () => file("refuse_os_system.pt"), /refusing to import 'posix\.system' \(GLOBAL at offset 13 of refuse_os_system\/data\.pkl\).*save the model's state_dict\(\)/],
    ["a pickled nn.Module", () => file("refuse_module.pt"), /refusing to import 'torch\.nn\.modules\.linear\.Linear' \(GLOBAL at offset 2 of refuse_module\/data\.pkl\)/],
    ["REDUCE on builtins.eval", () => file("refuse_eval.pt"), /refusing to import '__builtin__\.eval'/],
    ["builtins.eval by STACK_GLOBAL", () => pickled(concat([0x80, 4], P.str("builtins"), P.str("eval"), [0x93, 0x2e])), /refusing to import 'builtins\.eval' \(STACK_GLOBAL at offset 24 of archive\/data\.pkl\)/],
    ["an unknown opcode (INST)", () => pickled(concat([0x80, 2, 0x28], utf8("ios\nsystem\n."))), /pickle opcode INST at offset 3 of archive\/data\.pkl: is not allowed/],
    ["REDUCE on a non-callable", () => pickled(concat([0x80, 2], P.str("x"), [0x29, 0x52, 0x2e])), /pickle opcode REDUCE at offset 9 of archive\/data\.pkl: calls the string "x", which is not an allowed callable/],
    ["a truncated pickle", () => {
      const pkl = readZipRecord(stateDict, "state_zip/data.pkl");
      return pickled(pkl.subarray(0, 200));
    }, /pickle opcode GLOBAL at offset 186 of archive\/data\.pkl: its name has no end of line \(truncated\)/],
    ["a memo index never set", () => pickled(new Uint8Array([0x80, 2, 0x68, 7, 0x2e])), /memo index 7 was never set/],
    ["a record name with '..'", () => zip([["archive/../data.pkl", new Uint8Array([0x80, 2, 0x4e, 0x2e])]]), /record name 'archive\/\.\.\/data\.pkl' \(central directory offset \d+\) contains '\.\.'/],
    ["a compressed record", () => zip([["archive/data.pkl", new Uint8Array([3, 0]), 8]]), /record 'archive\/data\.pkl' is compressed \(method 8, deflate\)/],
    ["a view past its storage", () => tensorFile([3, 4], [4, 1], 2, 12), /a tensor of shape \[3, 4\], stride \[4, 1\] and offset 2 reads element 13 of storage '0', which holds 12 F32 elements/],
    ["a storage record shorter than its numel", () => zip([["archive/data.pkl", tensorPickle([4], [1], 0, 4)], ["archive/data/0", new Uint8Array(12)]]), /record 'archive\/data\/0' holds 12 bytes, but storage '0' is 4 F32 elements \(16 bytes\)/],
    ["2^31 elements of a one-element storage (stride 0)", () => tensorFile([2 ** 31 - 1, 2], [0, 0], 0, 1), /load: storage '0': a float32 tensor of shape \[2147483647, 2\] needs [\d.]+ GiB, more than the/],
    ["a missing storage record", () => zip([["archive/data.pkl", tensorPickle([4], [1], 0, 4)]]), /storage '0' has no record 'archive\/data\/0' in the archive/],
    ["100,000 MARKs", () => pickled(concat([0x80, 2], new Uint8Array(100_000).fill(0x28), [0x2e])), /pickle opcode STOP at offset 100002 of archive\/data\.pkl: the stack is empty/],
    ["garbage after a legacy magic number", () => concat(readFirstPickle(file("state_legacy.pt")), [0x80, 2, 0xff]), /pickle opcode 0xff at offset \d+ of the file: is not allowed/],
    ["not a torch file", () => utf8("hello"), /not a torch\.save file: it starts with neither a zip header/],
    ["an empty file", () => new Uint8Array(0), /the file is empty/],
    ["a truncated zip", () => stateDict.subarray(0, 3000), /zip: no end-of-central-directory record in the last 3000 bytes \(a truncated file\?\)/],
  ];
  for (const [name, make, message] of cases) {
    test(name, () => {
      const bytes = make();
      const before = memory();
      const start = performance.now();
      let error: unknown;
      try {
        disposeAll(load(bytes));
      } catch (caught) {
        error = caught;
      }
      expect(performance.now() - start).toBeLessThan(1000);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(message);
      const after = memory();
      expect(after.liveTensors).toBe(before.liveTensors);
      expect(after.liveBytes).toBe(before.liveBytes);
      expect(after.wasmBytes - before.wasmBytes).toBeLessThanOrEqual(bytes.length);
    });
  }

  test("100,000 nested lists load without a stack overflow", () => {
    const depth = 100_000;
    let value = load(pickled(concat([0x80, 2], new Uint8Array(depth).fill(0x5d), new Uint8Array(depth - 1).fill(0x61), [0x2e])));
    let levels = 1;
    while ((value as unknown[]).length === 1) { value = (value as unknown[])[0]; levels++; }
    expect(levels).toBe(depth);
  });

  test("options: weights_only=false and other devices are refused, a path without Node's fs is explained", () => {
    expect(() => load(file("state_zip.pt"), { weights_only: false })).toThrow(/weights_only=false is not supported/);
    expect(() => load(file("state_zip.pt"), { map_location: "cuda:0" })).toThrow(/map_location must be 'cpu'/);
    expect(() => load(file("state_zip.pt"), { strict: true } as never)).toThrow(/unknown option 'strict'/);
    disposeAll(load(file("state_zip.pt"), { weights_only: true, map_location: "cpu" }));
  });
});

/** A record's data, found by name (the test's own tiny reader: local header after the name). */
function readZipRecord(bytes: Uint8Array, name: string): Uint8Array {
  const at = Buffer.from(bytes).indexOf(Buffer.from(name));
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const local = at - 30;
  const size = view.getUint32(Buffer.from(bytes).lastIndexOf(Buffer.from(`PK\x01\x02`), Buffer.from(bytes).indexOf(Buffer.from(name), at + 1)) + 24, true);
  const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
  return bytes.subarray(start, start + size);
}

/** The legacy file's first pickle (the magic number): through its STOP. */
function readFirstPickle(bytes: Uint8Array): Uint8Array {
  return bytes.subarray(0, bytes.indexOf(0x2e) + 1);
}
