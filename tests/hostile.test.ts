// The hostile safetensors corpus (tests/hostile/*.safetensors, written by tests/hostile/gen.mjs):
// every file breaks one rule of the format and must give a clear Error that names the problem
// (and the offset or tensor where there is one) — never a trap, a hang, a leak or an allocation
// beyond the file's size. `valid_*` files are controls that must load. Then load_state_dict with
// wrong shapes and dtypes: a clear error and the model byte-for-byte unchanged.
import { describe, expect, test } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { init, nn, safetensors, memory, tensor, tidy, zeros, randn, manual_seed, type Tensor } from "../src/index.js";

await init();

const dir = new URL("./hostile/", import.meta.url);

/** The expected error of each hostile file (matched against the message). */
const HOSTILE: Record<string, RegExp> = {
  empty: /file is 0 bytes, too short for the 8-byte header length at offset 0/,
  seven_bytes: /file is 7 bytes, too short for the 8-byte header length at offset 0/,
  length_only_zero: /header at offsets 8\.\.8 is not valid JSON/,
  header_length_past_end: /header length 1000 \(at offset 0\) runs past the end of the file: only 58 bytes follow offset 8/,
  header_length_2p32: /header length 4294967296 \(at offset 0\) runs past the end of the file/,
  header_length_2p53_plus_1: /header length 9007199254740993 \(at offset 0\) runs past the end of the file/,
  header_length_u64_max: /header length 18446744073709551615 \(at offset 0\) runs past the end of the file/,
  header_cut_short: /header at offsets 8\.\.18 is not valid JSON/,
  non_json: /header at offsets 8\.\.31 is not valid JSON/,
  json_array: /header at offset 8 must be a JSON object, but is an array/,
  json_null: /header at offset 8 must be a JSON object, but is null/,
  json_number: /header at offset 8 must be a JSON object, but is number/,
  json_string: /header at offset 8 must be a JSON object, but is string/,
  json_nan_literal: /header at offsets 8\.\.\d+ is not valid JSON/,
  json_trailing_garbage: /header at offsets 8\.\.17 is not valid JSON/,
  json_bom: /header at offsets 8\.\.13 is not valid JSON/,
  invalid_utf8_in_key: /header at offsets 8\.\.\d+ is not valid UTF-8/,
  deep_nesting: /tensor 'a': expected an object with dtype, shape and data_offsets, but got a deeply nested array/,
  duplicate_keys: /header has the key "w" more than once/,
  duplicate_keys_escaped: /header has the key "w" more than once/,
  offsets_past_data: /tensor 'w': data_offsets \[0, 16\] run past the 8 data bytes after the header/,
  offsets_overlap: /tensor 'b' data_offsets \[4, 12\] overlap the previous tensor's data \(which ends at 8\)/,
  offsets_reversed: /tensor 'w': data_offsets \[8, 4\] end before they begin/,
  offsets_hole: /tensor 'b' starts at data offset 8, leaving a hole after offset 4/,
  offsets_trailing_bytes: /the tensors cover 4 data bytes, but the file has 8 after the header/,
  offsets_three_entries: /tensor 'w': data_offsets must be two non-negative integers, but got \[0,4,8\]/,
  offsets_negative: /tensor 'w': data_offsets must be two non-negative integers, but got \[-4,0\]/,
  offsets_non_integer: /tensor 'w': data_offsets must be two non-negative integers, but got \[0,4\.5\]/,
  offsets_past_2p53: /tensor 'w': data_offsets must be two non-negative integers/,
  offsets_huge_number: /tensor 'w': data_offsets must be two non-negative integers/,
  offsets_missing: /tensor 'w': data_offsets must be two non-negative integers, but got undefined/,
  shape_length_mismatch: /tensor 'w': shape \[3\] of F32 needs 12 bytes, but data_offsets \[0, 8\] hold 8/,
  shape_negative_dim: /tensor 'w': shape must be an array of non-negative integers, but got \[-1,2\]/,
  shape_non_integer_dim: /tensor 'w': shape must be an array of non-negative integers, but got \[1\.5,2\]/,
  shape_string_dim: /tensor 'w': shape must be an array of non-negative integers, but got \["2"\]/,
  shape_huge_dims_overflow: /tensor 'w': shape \[2147483648, 2147483648, 2147483648, 2147483648\] of F32 needs too many bytes/,
  shape_product_wraps_u64: /tensor 'w': shape \[4294967296, 1073741824\] of F32 needs too many bytes, but data_offsets \[0, 0\] hold 0/,
  shape_dim_past_2p53: /tensor 'w': shape must be an array of non-negative integers/,
  shape_missing: /tensor 'w': shape must be an array of non-negative integers, but got undefined/,
  shape_not_array: /tensor 'w': shape must be an array of non-negative integers, but got 1/,
  dtype_unknown: /tensor 'w' has unknown dtype "Q8"; safetensors' dtypes are F64, F32, F16, BF16, F8_E4M3, F8_E5M2, I64, I32, I16, I8, U64, U32, U16, U8, BOOL$/,
  dtype_lowercase: /tensor 'w' has unknown dtype "f32"/,
  dtype_missing: /tensor 'w': dtype must be a string, but got undefined/,
  dtype_not_string: /tensor 'w': dtype must be a string, but got 4/,
  dtype_proto: /tensor 'w' has unknown dtype "__proto__"/,
  dtype_to_string: /tensor 'w' has unknown dtype "toString"/,
  dtype_f16_odd_bytes: /tensor 'w': shape \[2\] of F16 needs 4 bytes, but data_offsets \[0, 3\] hold 3/,
  dtype_bf16_f32_sized: /tensor 'w': shape \[2\] of BF16 needs 4 bytes, but data_offsets \[0, 8\] hold 8/,
  dtype_f64_f32_sized: /tensor 'w': shape \[1\] of F64 needs 8 bytes, but data_offsets \[0, 4\] hold 4/,
  dtype_i32_short: /tensor 'w': shape \[2\] of I32 needs 8 bytes, but data_offsets \[0, 4\] hold 4/,
  dtype_u8_long: /tensor 'w': shape \[2\] of U8 needs 2 bytes, but data_offsets \[0, 3\] hold 3/,
  entry_not_object: /tensor 'w': expected an object with dtype, shape and data_offsets, but got 5/,
  entry_null: /tensor 'w': expected an object with dtype, shape and data_offsets, but got null/,
  metadata_array: /__metadata__ must be an object of strings, but got \["a","b"\]/,
  metadata_number: /__metadata__ must be an object of strings, but got 7/,
  metadata_non_string_values: /__metadata__ must be an object of strings, but got \{"format":"pt","step":3\}/,
  metadata_null: /__metadata__ must be an object of strings, but got null/,
  header_fills_file_no_data: /tensor 'w': data_offsets \[0, 4\] run past the 0 data bytes after the header/,
};

/** Controls: the tensors each must load to (name -> [shape, values]). */
const VALID: Record<string, Record<string, [number[], number[]]>> = {
  valid_control: { bias: [[2], [0.5, -2]], count: [[], [7]] },
  valid_empty_header: {},
  valid_dtype_f16: { w: [[2], [1.05859375, 1.05859375]] },
  valid_dtype_bf16: { w: [[2], [0.74609375, 0.74609375]] },
  valid_dtype_i32: { w: [[2], [0x01010101, 0x01010101]] },
  valid_dtype_f64: { w: [[1], [0]] },
  valid_out_of_order_keys: { second: [[1], [2]], first: [[1], [1]] },
  valid_zero_size_tensor: { empty: [[0, 3], []], one: [[1], [3]] },
  valid_space_padded_header: { w: [[1], [9]] },
  valid_proto_key: { ["__proto__"]: [[1], [5]] },   // a computed key: an own property
};

const files = readdirSync(dir).filter((name) => name.endsWith(".safetensors")).map((name) => name.slice(0, -".safetensors".length)).sort();
const read = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`${name}.safetensors`, dir)));

describe("hostile safetensors corpus", () => {
  test("the corpus has >= 30 hostile files, each small and each in the table", () => {
    const hostile = files.filter((name) => !name.startsWith("valid_"));
    expect(hostile.length).toBeGreaterThanOrEqual(30);
    expect(new Set(files)).toEqual(new Set([...Object.keys(HOSTILE), ...Object.keys(VALID)]));
    for (const name of files) expect(read(name).length, name).toBeLessThan(32 * 1024);
    console.log(`hostile corpus: ${hostile.length} hostile files + ${files.length - hostile.length} valid controls, ${files.reduce((n, f) => n + read(f).length, 0)} bytes in all`);
  });

  test.each(Object.entries(HOSTILE))("%s throws a clear error, traps nothing, leaks nothing", (name, pattern) => {
    const bytes = read(name);
    const before = memory();
    const started = performance.now();
    let caught: unknown = null;
    try {
      safetensors.load(bytes);
    } catch (error) {
      caught = error;
    }
    const elapsed = performance.now() - started;
    expect(caught, `${name} must throw`).toBeInstanceOf(Error);
    expect(caught).not.toBeInstanceOf(WebAssembly.RuntimeError);
    expect(caught).not.toBeInstanceOf(RangeError);   // a stack overflow or a failed allocation is not a clear error
    expect((caught as Error).message).toMatch(/^safetensors: /);
    expect((caught as Error).message).toMatch(pattern);
    const after = memory();
    expect(after.liveBytes, "live bytes").toBe(before.liveBytes);
    expect(after.liveTensors, "live tensors").toBe(before.liveTensors);
    expect(after.wasmBytes - before.wasmBytes, "linear memory growth").toBeLessThanOrEqual(bytes.length);
    expect(elapsed, "no hang").toBeLessThan(1000);
    // the same file as an ArrayBuffer, and at an odd byteOffset inside a larger buffer
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expect(() => safetensors.load(shifted.subarray(3))).toThrow(pattern);
    expect(() => safetensors.load(bytes.slice().buffer)).toThrow(pattern);
  });

  test.each(Object.entries(VALID))("%s (a control) loads", (name, expected) => {
    const bytes = read(name);
    const before = memory();
    const loaded = safetensors.load(bytes);
    expect(Object.keys(loaded).sort()).toEqual(Object.keys(expected).sort());
    expect(Object.getPrototypeOf(loaded)).toBe(Object.prototype);
    let sizes = 0;
    for (const [key, [shape, values]] of Object.entries(expected)) {
      const t = Object.getOwnPropertyDescriptor(loaded, key)!.value as Tensor;
      expect(t.shape).toEqual(shape);
      expect(Array.from(t.data<Float32Array | BigInt64Array>() as ArrayLike<number | bigint>, Number)).toEqual(values);
      sizes += t.numel() * (t.dtype === "int64" ? 8 : 4);
    }
    expect(sizes).toBeLessThanOrEqual(bytes.length);
    expect(memory().wasmBytes - before.wasmBytes).toBeLessThanOrEqual(bytes.length);
    // and it round-trips through save (also a tensor named __proto__)
    const again = safetensors.load(safetensors.save(loaded));
    expect(Object.keys(again).sort()).toEqual(Object.keys(expected).sort());
    for (const t of [...Object.values(loaded), ...Object.values(again)]) t.dispose();
    expect(memory().liveBytes).toBe(before.liveBytes);
    expect(memory().liveTensors).toBe(before.liveTensors);
  });

  test("a non-buffer argument is refused with a clear error", () => {
    for (const bad of [null, undefined, "abc", 42, [1, 2, 3], {}]) {
      expect(() => safetensors.load(bad as unknown as Uint8Array)).toThrow(/safetensors: expected a Uint8Array or ArrayBuffer/);
    }
  });

  test("every truncation of a valid file is refused cleanly", () => {
    const bytes = read("valid_control");
    const before = memory();
    for (let n = 0; n < bytes.length; n++) {
      expect(() => safetensors.load(bytes.subarray(0, n)), `first ${n} bytes`).toThrow(/^safetensors: /);
    }
    // and every single-byte corruption of the header either loads or throws a safetensors error
    for (let i = 0; i < bytes.length; i++) {
      for (const value of [0x00, 0x22, 0x7b, 0xff]) {
        const copy = bytes.slice();
        copy[i] = value;
        try {
          for (const t of Object.values(safetensors.load(copy))) t.dispose();
        } catch (error) {
          expect(error, `byte ${i} = ${value}`).toBeInstanceOf(Error);
          expect((error as Error).message, `byte ${i} = ${value}`).toMatch(/^safetensors: /);
        }
      }
    }
    expect(memory().liveBytes).toBe(before.liveBytes);
    expect(memory().liveTensors).toBe(before.liveTensors);
  });
});

describe("load_state_dict with wrong shapes or dtypes leaves the model unchanged", () => {
  function model(): nn.Sequential {
    manual_seed(3);
    const m = new nn.Sequential(new nn.Conv2d(3, 4, 3, { padding: 1 }), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.Linear(5, 2));
    // non-default running stats, so a partial copy would show
    const bn = m[1] as nn.BatchNorm2d;
    m.train();
    tidy(() => { bn.forward(randn([2, 4, 3, 3])); });
    return m.eval();
  }

  /** The model's whole state as bytes (safetensors.save of its state_dict). */
  const snapshot = (m: nn.Module): Uint8Array => safetensors.save(m.state_dict());

  test.each([
    ["conv weight of the wrong shape", (sd: Record<string, Tensor>) => { sd["0.weight"] = zeros([4, 3, 5, 5]); },
      /size mismatch for 0\.weight: copying a param with shape torch\.Size\(\[4, 3, 5, 5\]\) from checkpoint, the shape in current model is torch\.Size\(\[4, 3, 3, 3\]\)/],
    ["bias with one element too many", (sd: Record<string, Tensor>) => { sd["0.bias"] = zeros([5]); }, /size mismatch for 0\.bias/],
    ["running_var as a matrix", (sd: Record<string, Tensor>) => { sd["1.running_var"] = zeros([2, 2]); }, /size mismatch for 1\.running_var/],
    ["int64 weight", (sd: Record<string, Tensor>) => { sd["3.weight"] = tensor(new BigInt64Array(10), [2, 5]); },
      /dtype mismatch for 3\.weight: copying a param of dtype int64 from checkpoint, the dtype in current model is float32/],
    ["float32 num_batches_tracked", (sd: Record<string, Tensor>) => { sd["1.num_batches_tracked"] = zeros([]); }, /dtype mismatch for 1\.num_batches_tracked/],
    ["a missing key", (sd: Record<string, Tensor>) => { delete sd["3.bias"]; }, /Missing key\(s\) in state_dict: "3\.bias"/],
    ["an unexpected key", (sd: Record<string, Tensor>) => { sd["4.weight"] = zeros([1]); }, /Unexpected key\(s\) in state_dict: "4\.weight"/],
    ["a disposed tensor", (sd: Record<string, Tensor>) => { const t = zeros([2]); t.dispose(); sd["3.bias"] = t; }, /received a disposed Tensor/],
    ["a non-tensor value", (sd: Record<string, Tensor>) => { (sd as Record<string, unknown>)["3.bias"] = [1, 2]; }, /expected torch\.Tensor or Tensor-like object from checkpoint/],
    ["good values mixed with one bad shape", (sd: Record<string, Tensor>) => { sd["1.running_mean"] = zeros([3]); }, /size mismatch for 1\.running_mean/],
  ] as const)("%s", (_label, corrupt, pattern) => {
    const m = model();
    try {
      const x = randn([1, 3, 4, 5]);
      const before = snapshot(m);
      const y0 = (m.forward(x) as Tensor).data();
      tidy(() => {
        // a full state of different values (through a safetensors round trip), then one corruption
        const other = model();
        for (const p of other.parameters()) p.add_(p);
        const sd = safetensors.load(safetensors.save(other.state_dict()));
        other.dispose();
        corrupt(sd);
        expect(() => m.load_state_dict(sd)).toThrow(pattern);
        for (const t of Object.values(sd)) if (t instanceof Object && "dispose" in t) (t as Tensor).dispose();
      });
      expect(snapshot(m)).toEqual(before);
      expect((m.forward(x) as Tensor).data()).toEqual(y0);
      x.dispose();
    } finally {
      m.dispose();
    }
  });

  test("a hostile file never reaches load_state_dict: the model keeps its state", () => {
    const m = model();
    try {
      const before = snapshot(m);
      for (const name of Object.keys(HOSTILE)) {
        expect(() => m.load_state_dict(safetensors.load(read(name)))).toThrow(/^safetensors: /);
      }
      expect(snapshot(m)).toEqual(before);
    } finally {
      m.dispose();
    }
  });
});
