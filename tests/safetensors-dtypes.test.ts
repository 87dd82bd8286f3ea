// Every safetensors dtype loads to PyTorch's `.float()` / `.long()` values bit for bit, and
// safetensors.save writes float16 / bfloat16 as torch's `.half()` / `.bfloat16()` do. Fixtures:
// tests/fixtures/io/gen_safetensors.py (torch 1.13; what torch 1.13 lacks, float8 and uint64, is
// documented there).
import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { init, nn, safetensors, tensor, memory, type Tensor } from "../src/index.js";
import { FILE_DTYPES, convertInto, encodeHalf, type FileDType } from "../src/io/dtypes.js";

await init();

const dir = new URL("./fixtures/io/", import.meta.url);
const read = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, dir)));
const doc = JSON.parse(readFileSync(new URL("dtypes.json", dir), "utf8")) as {
  dtypes: Record<FileDType, (number | string)[]>;
  save: Record<"input" | "float16" | "float16_float" | "bfloat16" | "bfloat16_float", number[]>;
  model: { input_shape: number[]; input: number[]; output: number[] };
};
const bitsOf = (t: Tensor): number[] => Array.from(new Uint32Array(t.data().buffer));
const floats = (bits: number[]): Float32Array => new Float32Array(Uint32Array.from(bits).buffer);

describe("safetensors.load converts every dtype as torch's .float() / .long()", () => {
  test.each(["dtypes.safetensors", "dtypes_unaligned.safetensors"])("%s: every dtype, bit for bit", (file) => {
    const before = memory();
    const loaded = safetensors.load(read(file));
    expect(Object.keys(doc.dtypes).sort()).toEqual(Object.keys(FILE_DTYPES).sort());
    for (const [type, expected] of Object.entries(doc.dtypes) as [FileDType, (number | string)[]][]) {
      const t = loaded[type];
      expect(t.dtype, type).toBe(FILE_DTYPES[type].dtype);
      expect(t.shape, type).toEqual([expected.length]);
      // read from the file's bytes (data()), and after copying into linear memory (an op)
      const copied = t.clone();
      for (const u of [t, copied]) {
        if (t.dtype === "int64") expect(Array.from(u.data<BigInt64Array>(), String), type).toEqual(expected);
        else expect(bitsOf(u), type).toEqual(expected);
      }
      copied.dispose();
    }
    for (const t of Object.values(loaded)) t.dispose();
    expect(memory().liveBytes).toBe(before.liveBytes);
  });

  test("a deferred F16 tensor saves as F32 with its converted values", () => {
    const loaded = safetensors.load(read("dtypes.safetensors"));
    const again = safetensors.load(safetensors.save({ F16: loaded.F16, I8: loaded.I8 }));
    expect(bitsOf(again.F16)).toEqual(doc.dtypes.F16);
    expect(Array.from(again.I8.data<BigInt64Array>(), String)).toEqual(doc.dtypes.I8);
    for (const t of [...Object.values(loaded), ...Object.values(again)]) t.dispose();
  });

  test("conversion across chunk boundaries and unaligned offsets equals one element at a time", () => {
    const count = 40_000;   // > 2 chunks of 16384
    for (const type of ["F16", "BF16", "F64", "I32", "I8", "U16", "F8_E4M3", "BOOL"] as FileDType[]) {
      const { bytes, dtype } = FILE_DTYPES[type];
      const outBytes = dtype === "int64" ? 8 : 4;
      const raw = new Uint8Array(count * bytes + 3);
      for (let i = 0; i < raw.length; i++) raw[i] = (i * 2654435761) >>> 13;
      for (const [srcShift, dstShift] of [[0, 0], [1, 0], [3, 4], [2, 1]]) {
        const src = raw.subarray(srcShift, srcShift + count * bytes);
        const dst = new Uint8Array(count * outBytes + 8).subarray(dstShift, dstShift + count * outBytes);
        convertInto(type, src, dst, count);
        const one = new Uint8Array(outBytes);
        for (let i = 0; i < count; i += 997) {
          convertInto(type, src.slice(i * bytes, (i + 1) * bytes), one, 1);
          expect(Array.from(dst.subarray(i * outBytes, (i + 1) * outBytes)), `${type} ${srcShift}/${dstShift} element ${i}`).toEqual(Array.from(one));
        }
      }
    }
    expect(() => convertInto("F16", new Uint8Array(3), new Uint8Array(8), 2)).toThrow(/convertInto: 2 F16 elements need 4 source and 8 target bytes, but got 3 and 8/);
  });
});

describe("safetensors.save writes float16 / bfloat16 as torch's .half() / .bfloat16()", () => {
  const input = floats(doc.save.input);

  test.each(["float16", "bfloat16"] as const)("encodeHalf(%s) equals torch's bits", (kind) => {
    expect(Array.from(new Uint16Array(encodeHalf(input, kind).buffer))).toEqual(doc.save[kind]);
  });

  test.each([["float16", "F16"], ["bfloat16", "BF16"]] as const)("encodeHalf(%s) over all 65536 patterns: each round-trips, each midpoint ties to even, a hair off it goes to the nearer", (kind, type) => {
    const all = Uint16Array.from({ length: 65536 }, (_, h) => h);
    const wide = new Float32Array(65536);
    convertInto(type, new Uint8Array(all.buffer), new Uint8Array(wide.buffer), 65536);
    const back = new Uint16Array(encodeHalf(wide, kind).buffer);
    const nan = kind === "float16" ? (h: number) => (h & 0x8000) | 0x7e00 : () => 0xffff;
    for (let h = 0; h < 65536; h++) {
      if (Number.isNaN(wide[h])) expect(back[h]).toBe(nan(h));
      else expect(back[h], `0x${h.toString(16)}`).toBe(h);
    }
    // consecutive finite values of each sign: h and h + 1
    const mids: number[] = [], below: number[] = [], above: number[] = [], even: number[] = [], low: number[] = [], high: number[] = [];
    const f32 = new Float32Array(1), bits = new Uint32Array(f32.buffer);
    for (let h = 0; h < 65536; h++) {
      if ((h & 0x7fff) >= (kind === "float16" ? 0x7bff : 0x7f7f)) continue;   // NaN, inf, and the last finite (its midpoint with inf is inf: the fixture has torch's 65519.99 and 65520)
      const mid = (wide[h] + wide[h + 1]) / 2;   // exact in float32 (one bit more than the half has)
      f32[0] = mid;
      const m = bits[0];
      bits[0] = m - 1; const under = f32[0];
      bits[0] = m + 1; const over = f32[0];
      mids.push(mid); below.push(under); above.push(over);
      even.push((h & 1) === 0 ? h : h + 1); low.push(h); high.push(h + 1);
    }
    const encode = (xs: number[]) => Array.from(new Uint16Array(encodeHalf(Float32Array.from(xs), kind).buffer));
    expect(encode(mids)).toEqual(even);
    expect(encode(below)).toEqual(low);
    expect(encode(above)).toEqual(high);
  });

  test.each(["float16", "bfloat16"] as const)("save(..., { dtype: %s }) round-trips to torch's .float() of it; int64 stays I64", (kind) => {
    const w = tensor(input);
    const n = tensor([1n, -(2n ** 63n)]);
    const bytes = safetensors.save({ w, n }, { dtype: kind, metadata: { format: "pt" } });
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true)))));
    expect(header.w.dtype).toBe(kind === "float16" ? "F16" : "BF16");
    expect(header.w.data_offsets[1] - header.w.data_offsets[0]).toBe(2 * input.length);
    expect(header.n.dtype).toBe("I64");
    expect(header.__metadata__).toEqual({ format: "pt" });
    const loaded = safetensors.load(bytes);
    expect(bitsOf(loaded.w)).toEqual(doc.save[`${kind}_float`]);
    expect(loaded.n.data<BigInt64Array>()).toEqual(new BigInt64Array([1n, -(2n ** 63n)]));
    for (const t of [w, n, ...Object.values(loaded)]) t.dispose();
  });

  test("the old signature save(tensors, metadata) still writes F32 with that metadata; options and metadata are told apart", () => {
    const w = tensor([1, 2]);
    const headerOf = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true)))));
    expect(headerOf(safetensors.save({ w }, { format: "pt", dtype: "float16" }))).toMatchObject({ __metadata__: { format: "pt", dtype: "float16" }, w: { dtype: "F32" } });
    expect(headerOf(safetensors.save({ w }, { dtype: "int8" }))).toMatchObject({ __metadata__: { dtype: "int8" }, w: { dtype: "F32" } });
    expect(headerOf(safetensors.save({ w }, { metadata: "x" }))).toMatchObject({ __metadata__: { metadata: "x" }, w: { dtype: "F32" } });
    expect(headerOf(safetensors.save({ w }))).toEqual({ w: { dtype: "F32", shape: [2], data_offsets: [0, 8] } });
    // options
    expect(headerOf(safetensors.save({ w }, { dtype: "bfloat16" }))).toEqual({ w: { dtype: "BF16", shape: [2], data_offsets: [0, 4] } });
    expect(headerOf(safetensors.save({ w }, { metadata: { dtype: "float16" } }))).toMatchObject({ __metadata__: { dtype: "float16" }, w: { dtype: "F32" } });
    expect(() => safetensors.save({ w }, { dtype: "float64", metadata: {} } as never)).toThrow(/safetensors\.save: dtype must be "float16" or "bfloat16", but got "float64"/);
    w.dispose();
  });
});

describe("a model from an F16 file", () => {
  function model(): nn.Sequential {
    return new nn.Sequential(new nn.Conv2d(3, 4, 3), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.Flatten(), new nn.Linear(4 * 4 * 4, 3)).eval();
  }

  test("equals the model from the F32 file of the .half().float() weights, and matches torch", () => {
    const a = model(), b = model();
    a.load_state_dict(safetensors.load(read("model_f16.safetensors")));
    b.load_state_dict(safetensors.load(read("model_f32.safetensors")));
    const sa = a.state_dict(), sb = b.state_dict();
    for (const key of Object.keys(sb)) {
      expect(Array.from(sa[key].data<Float32Array | BigInt64Array>() as ArrayLike<number | bigint>), key).toEqual(Array.from(sb[key].data<Float32Array | BigInt64Array>() as ArrayLike<number | bigint>));
    }
    const x = tensor(floats(doc.model.input), doc.model.input_shape);
    const ya = a.forward(x), yb = b.forward(x);
    expect(bitsOf(ya)).toEqual(bitsOf(yb));
    const expected = floats(doc.model.output);
    const got = ya.data();
    for (let i = 0; i < expected.length; i++) expect(Math.abs(got[i] - expected[i])).toBeLessThan(1e-5);
    for (const t of [x, ya, yb]) t.dispose();
    a.dispose();
    b.dispose();
  });

  test("load_state_dict of an F16 file holds the weights once, as float32 (no second copy)", () => {
    const bytes = read("model_f16.safetensors");
    const m = model();
    const floatBytes = Object.values(m.state_dict()).reduce((n, t) => n + t.numel() * (t.dtype === "int64" ? 8 : 4), 0);
    const before = memory().liveBytes;
    const loaded = safetensors.load(bytes);
    expect(memory().liveBytes, "load copies nothing into Wasm memory").toBe(before);
    m.load_state_dict(loaded);
    // the model's parameters were deferred default initialisations: now allocated once, float32
    expect(memory().liveBytes - before).toBe(floatBytes);
    expect(Object.values(loaded).every((t) => t._isDeferred()), "the loaded tensors stay in the file's bytes").toBe(true);
    for (const t of Object.values(loaded)) t.dispose();
    m.dispose();
  });
});
