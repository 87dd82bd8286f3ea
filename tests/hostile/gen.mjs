#!/usr/bin/env node
// Writes the hostile safetensors corpus beside this script: small files that each break one rule
// of the format (https://github.com/huggingface/safetensors#format: u64 little-endian header
// length N, N bytes of UTF-8 JSON, then the data), plus a few valid controls. tests/hostile.test.ts
// holds the expected error for each file. Deterministic: rerun with `node tests/hostile/gen.mjs`
// and the files come out byte for byte the same. Every file is small (the largest ~20 KB).
import { readdirSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const enc = new TextEncoder();

/** u64 little-endian length prefix (a BigInt, so lengths past 2^53 are exact). */
function u64(value) {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(value), true);
  return out;
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A file from header text (or bytes) and data bytes; `length` overrides the header length field. */
function file(header, data = new Uint8Array(0), length) {
  const json = typeof header === "string" ? enc.encode(header) : header;
  return concat(u64(length ?? json.length), json, data);
}

const f32 = (...values) => new Uint8Array(new Float32Array(values).buffer);
const i64 = (...values) => new Uint8Array(new BigInt64Array(values.map(BigInt)).buffer);
const bytes = (n, fill = 0xab) => new Uint8Array(n).fill(fill);
const entry = (dtype, shape, begin, end) => ({ dtype, shape, data_offsets: [begin, end] });
const json = (value) => JSON.stringify(value);

/** name -> bytes. Names say what is wrong; `valid_*` files must load. */
const corpus = {
  // --- the length prefix
  empty: new Uint8Array(0),
  seven_bytes: bytes(7, 0),
  length_only_zero: u64(0),
  header_length_past_end: file(json({ a: entry("F32", [1], 0, 4) }), f32(1), 1000),
  header_length_2p32: file("{}", new Uint8Array(0), 2n ** 32n),
  header_length_2p53_plus_1: file("{}", new Uint8Array(0), 2n ** 53n + 1n),
  header_length_u64_max: file("{}", new Uint8Array(0), 2n ** 64n - 1n),
  header_cut_short: file(json({ a: entry("F32", [1], 0, 4) }), f32(1), 10),

  // --- the header is not a JSON object
  non_json: file("this is not JSON at all"),
  json_array: file("[1, 2, 3]"),
  json_null: file("null"),
  json_number: file("42"),
  json_string: file('"weights"'),
  json_nan_literal: file('{"a": {"dtype": "F32", "shape": [NaN], "data_offsets": [0, 4]}}', f32(1)),
  json_trailing_garbage: file('{}garbage'),
  json_bom: file("\uFEFF{}"),
  invalid_utf8_in_key: file(concat(enc.encode('{"w'), new Uint8Array([0xff, 0xfe]), enc.encode(`": ${json(entry("F32", [1], 0, 4))}}`)), f32(1)),
  deep_nesting: file(`{"a": ${"[".repeat(10000)}${"]".repeat(10000)}}`),

  // --- keys
  duplicate_keys: file(`{"w": ${json(entry("F32", [1], 0, 4))}, "w": ${json(entry("F32", [1], 4, 8))}}`, f32(1, 2)),
  duplicate_keys_escaped: file(`{"w": ${json(entry("F32", [1], 0, 4))}, "\\u0077": ${json(entry("F32", [1], 4, 8))}}`, f32(1, 2)),

  // --- data_offsets
  offsets_past_data: file(json({ w: entry("F32", [4], 0, 16) }), f32(1, 2)),
  offsets_overlap: file(json({ a: entry("F32", [2], 0, 8), b: entry("F32", [2], 4, 12) }), f32(1, 2, 3)),
  offsets_reversed: file(json({ w: entry("F32", [0], 8, 4) }), f32(1, 2)),
  offsets_hole: file(json({ a: entry("F32", [1], 0, 4), b: entry("F32", [1], 8, 12) }), f32(1, 2, 3)),
  offsets_trailing_bytes: file(json({ a: entry("F32", [1], 0, 4) }), f32(1, 2)),
  offsets_three_entries: file(json({ w: { dtype: "F32", shape: [1], data_offsets: [0, 4, 8] } }), f32(1, 2)),
  offsets_negative: file(json({ w: entry("F32", [1], -4, 0) }), f32(1)),
  offsets_non_integer: file(json({ w: entry("F32", [1], 0, 4.5) }), f32(1)),
  offsets_past_2p53: file('{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 9007199254740993]}}', f32(1)),
  offsets_huge_number: file('{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 1e999]}}', f32(1)),
  offsets_missing: file(json({ w: { dtype: "F32", shape: [1] } }), f32(1)),

  // --- shapes
  shape_length_mismatch: file(json({ w: entry("F32", [3], 0, 8) }), f32(1, 2)),
  shape_negative_dim: file(json({ w: entry("F32", [-1, 2], 0, 8) }), f32(1, 2)),
  shape_non_integer_dim: file(json({ w: entry("F32", [1.5, 2], 0, 12) }), f32(1, 2, 3)),
  shape_string_dim: file(json({ w: entry("F32", ["2"], 0, 8) }), f32(1, 2)),
  shape_huge_dims_overflow: file(json({ w: entry("F32", [2 ** 31, 2 ** 31, 2 ** 31, 2 ** 31], 0, 4) }), f32(1)),
  shape_product_wraps_u64: file(json({ w: entry("F32", [2 ** 32, 2 ** 30], 0, 0) })),
  shape_dim_past_2p53: file('{"w": {"dtype": "F32", "shape": [18446744073709551615], "data_offsets": [0, 4]}}', f32(1)),
  shape_missing: file(json({ w: { dtype: "F32", data_offsets: [0, 4] } }), f32(1)),
  shape_not_array: file(json({ w: { dtype: "F32", shape: 1, data_offsets: [0, 4] } }), f32(1)),

  // --- dtypes
  dtype_unknown: file(json({ w: entry("Q8", [4], 0, 4) }), bytes(4)),
  dtype_lowercase: file(json({ w: entry("f32", [1], 0, 4) }), f32(1)),
  dtype_missing: file(json({ w: { shape: [1], data_offsets: [0, 4] } }), f32(1)),
  dtype_not_string: file(json({ w: entry(4, [1], 0, 4) }), f32(1)),
  dtype_proto: file(json({ w: entry("__proto__", [1], 0, 4) }), f32(1)),
  dtype_to_string: file(json({ w: entry("toString", [1], 0, 4) }), f32(1)),
  // the byte count is checked with the dtype's own element size
  dtype_f16_odd_bytes: file(json({ w: entry("F16", [2], 0, 3) }), bytes(3, 0x3c)),
  dtype_bf16_f32_sized: file(json({ w: entry("BF16", [2], 0, 8) }), bytes(8, 0x3f)),
  dtype_f64_f32_sized: file(json({ w: entry("F64", [1], 0, 4) }), bytes(4, 0)),
  dtype_i32_short: file(json({ w: entry("I32", [2], 0, 4) }), bytes(4, 1)),
  dtype_u8_long: file(json({ w: entry("U8", [2], 0, 3) }), bytes(3, 1)),

  // --- entries and __metadata__ of the wrong type
  entry_not_object: file(json({ w: 5 })),
  entry_null: file(json({ w: null })),
  metadata_array: file(json({ __metadata__: ["a", "b"] })),
  metadata_number: file(json({ __metadata__: 7 })),
  metadata_non_string_values: file(json({ __metadata__: { format: "pt", step: 3 } })),
  metadata_null: file(json({ __metadata__: null })),

  // --- a header of exactly the file's length: no data for the tensor it names
  header_fills_file_no_data: file(json({ w: entry("F32", [1], 0, 4) })),

  // --- valid controls: these must load
  valid_control: file(json({ __metadata__: { format: "pt" }, bias: entry("F32", [2], 0, 8), count: entry("I64", [], 8, 16) }), concat(f32(0.5, -2), i64(7))),
  valid_empty_header: file("{}"),
  // formerly refused, now converted (f16 0x3c3c = 1.05859375, bf16 0x3f3f = 0.74609375, i32 0x01010101)
  valid_dtype_f16: file(json({ w: entry("F16", [2], 0, 4) }), bytes(4, 0x3c)),
  valid_dtype_bf16: file(json({ w: entry("BF16", [2], 0, 4) }), bytes(4, 0x3f)),
  valid_dtype_i32: file(json({ w: entry("I32", [2], 0, 8) }), bytes(8, 1)),
  valid_dtype_f64: file(json({ w: entry("F64", [1], 0, 8) }), bytes(8, 0)),
  valid_out_of_order_keys: file(json({ second: entry("F32", [1], 4, 8), first: entry("F32", [1], 0, 4) }), f32(1, 2)),
  valid_zero_size_tensor: file(json({ empty: entry("F32", [0, 3], 0, 0), one: entry("F32", [1], 0, 4) }), f32(3)),
  valid_space_padded_header: file(json({ w: entry("F32", [1], 0, 4) }) + "      ", f32(9)),
  // a tensor named __proto__ must come back as an own key, not replace the record's prototype
  valid_proto_key: file(`{"__proto__": ${json(entry("F32", [1], 0, 4))}}`, f32(5)),
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const name of readdirSync(here)) if (name.endsWith(".safetensors")) unlinkSync(join(here, name));
  for (const [name, data] of Object.entries(corpus)) writeFileSync(join(here, `${name}.safetensors`), data);
  console.log(`wrote ${Object.keys(corpus).length} files to ${here}`);
}

export { corpus };
