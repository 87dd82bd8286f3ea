// safetensors (https://github.com/huggingface/safetensors#format): an 8-byte little-endian header
// length N, N bytes of JSON { name: { dtype, shape, data_offsets: [begin, end] }, __metadata__ },
// then the data. Every header field is checked against the file's length before a byte of data is
// read, so a hostile file gives a clear error and never a large allocation.

// Every dtype the format defines loads: the data stays in the file's type and is converted (as
// PyTorch's .float() / .long(): io/dtypes.ts) as it is read.

import { Tensor, deferred, numel } from "../tensor.js";
import { heapU8, wasm } from "../runtime.js";
import { FILE_DTYPES, encodeHalf, type FileDType } from "./dtypes.js";

/** The reference implementation's header limit. */
const MAX_HEADER_BYTES = 100_000_000;

function fail(message: string): never {
  throw new Error(`safetensors: ${message}`);
}

interface Entry { name: string; type: FileDType; shape: number[]; begin: number; end: number }

/**
 * Parses a safetensors file into tensors: F64, F32, F16, BF16, F8_E4M3 (e4m3fn) and F8_E5M2 become
 * float32 (f64 rounded to nearest even, the others exactly), I64, I32, I16, I8, U64, U32, U16, U8
 * and BOOL become int64 (a U64 value ≥ 2^63 wraps negative, as PyTorch's `.long()` of a uint64; a
 * BOOL byte other than 0 is 1), converted as the data is read. The whole header is checked here, but
 * the data is not copied: each tensor reads its bytes from `bytes` (as from a memory-mapped file)
 * and enters linear memory only when something needs it there (an op, an in-place write), while
 * `data()`, `safetensors.save` and `Module.load_state_dict` read it straight from `bytes`. So
 * `model.load_state_dict(safetensors.load(bytes))` holds the weights once, in the model. `bytes`
 * must stay unchanged (not detached, transferred or overwritten) while the loaded tensors are alive.
 */
export function load(bytes: Uint8Array | ArrayBuffer): Record<string, Tensor> {
  let file = bytes instanceof Uint8Array ? bytes : bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : null;
  if (file === null) fail(`expected a Uint8Array or ArrayBuffer, but got ${typeof bytes}`);
  if (file.length < 8) fail(`file is ${file.length} bytes, too short for the 8-byte header length at offset 0`);
  const headerLength = new DataView(file.buffer, file.byteOffset, 8).getBigUint64(0, true);
  if (headerLength > BigInt(file.length - 8)) {
    fail(`header length ${headerLength} (at offset 0) runs past the end of the file: only ${file.length - 8} bytes follow offset 8`);
  }
  if (headerLength > BigInt(MAX_HEADER_BYTES)) fail(`header length ${headerLength} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  const headerEnd = 8 + Number(headerLength);
  let text: string;
  try {
    // strict, and a BOM is kept (so JSON.parse refuses it), as the reference implementation
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(file.subarray(8, headerEnd));
  } catch {
    fail(`header at offsets 8..${headerEnd} is not valid UTF-8`);
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    fail(`header at offsets 8..${headerEnd} is not valid JSON (${(error as Error).message})`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) {
    fail(`header at offset 8 must be a JSON object, but is ${Array.isArray(header) ? "an array" : header === null ? "null" : typeof header}`);
  }
  const duplicate = firstDuplicateKey(text);
  if (duplicate !== null) fail(`header has the key ${JSON.stringify(duplicate)} more than once`);

  const dataLength = file.length - headerEnd;
  const entries: Entry[] = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (info === null || typeof info !== "object" || Array.isArray(info) ||
        Object.values(info).some((v) => typeof v !== "string")) {
        fail(`__metadata__ must be an object of strings, but got ${preview(info)}`);
      }
      continue;
    }
    entries.push(parseEntry(name, info, dataLength));
  }
  // the data must be covered exactly: tensors back to back, no overlap and no holes (as the reference)
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const entry of sorted) {
    if (entry.begin !== expected) {
      fail(entry.begin < expected
        ? `tensor '${entry.name}' data_offsets [${entry.begin}, ${entry.end}] overlap the previous tensor's data (which ends at ${expected})`
        : `tensor '${entry.name}' starts at data offset ${entry.begin}, leaving a hole after offset ${expected}`);
    }
    expected = entry.end;
  }
  if (expected !== dataLength) fail(`the tensors cover ${expected} data bytes, but the file has ${dataLength} after the header`);

  // wasm() says to call init() first, as creating a tensor does; and a view of linear memory
  // itself is detached when the memory grows, so the tensors read from a copy of it
  if (entries.length > 0 && file.buffer === wasm().memory.buffer) file = file.slice();
  const out: Record<string, Tensor> = {};
  try {
    for (const entry of entries) {
      const { dtype } = FILE_DTYPES[entry.type];
      const from = entry.type === "F32" || entry.type === "I64" ? "" : ` from ${entry.type}`;
      const what = `safetensors tensor '${entry.name}' (${dtype}${from}, shape [${entry.shape.join(", ")}])`;
      setOwn(out, entry.name, deferred(entry.shape, dtype, file.subarray(headerEnd + entry.begin, headerEnd + entry.end), what, entry.type));
    }
  } catch (error) {
    for (const tensor of Object.values(out)) tensor.dispose();
    throw error;
  }
  return out;
}

function parseEntry(name: string, info: unknown, dataLength: number): Entry {
  if (info === null || typeof info !== "object" || Array.isArray(info)) fail(`tensor '${name}': expected an object with dtype, shape and data_offsets, but got ${preview(info)}`);
  const { dtype, shape, data_offsets } = info as Record<string, unknown>;
  if (typeof dtype !== "string") fail(`tensor '${name}': dtype must be a string, but got ${preview(dtype)}`);
  if (!Object.hasOwn(FILE_DTYPES, dtype)) fail(`tensor '${name}' has unknown dtype ${JSON.stringify(dtype)}; safetensors' dtypes are ${Object.keys(FILE_DTYPES).join(", ")}`);
  const kind = FILE_DTYPES[dtype as FileDType];
  if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    fail(`tensor '${name}': shape must be an array of non-negative integers, but got ${preview(shape)}`);
  }
  if (!Array.isArray(data_offsets) || data_offsets.length !== 2 || data_offsets.some((o) => !Number.isSafeInteger(o) || o < 0)) {
    fail(`tensor '${name}': data_offsets must be two non-negative integers, but got ${preview(data_offsets)}`);
  }
  const [begin, end] = data_offsets as [number, number];
  if (begin > end) fail(`tensor '${name}': data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataLength) fail(`tensor '${name}': data_offsets [${begin}, ${end}] run past the ${dataLength} data bytes after the header`);
  // the element count can overflow; compare in floating point first, where it cannot wrap
  const count = numel(shape);
  const expectedBytes = count * kind.bytes;
  if (!Number.isSafeInteger(expectedBytes) || expectedBytes !== end - begin) {
    fail(`tensor '${name}': shape [${shape.join(", ")}] of ${dtype} needs ${Number.isSafeInteger(expectedBytes) ? expectedBytes : "too many"} bytes, but data_offsets [${begin}, ${end}] hold ${end - begin}`);
  }
  return { name, type: dtype as FileDType, shape, begin, end };
}

/** A short JSON rendering of a header value for messages (deeply nested values overflow JSON.stringify). */
function preview(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Array.isArray(value) ? "a deeply nested array" : "a deeply nested object";
  }
  return text.length > 120 ? `${text.slice(0, 120)}...` : text;
}

/** record[key] = value as an own property, also for the key "__proto__". */
function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The first top-level key that appears twice (JSON.parse silently keeps the last). */
function firstDuplicateKey(text: string): string | null {
  const seen = new Set<string>();
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      if (depth === 1 && expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (seen.has(key)) return key;
        seen.add(key);
        expectKey = false;
      }
      i = j;
    } else if (ch === "{" || ch === "[") {
      depth++;
      if (depth === 1) expectKey = true;
    } else if (ch === "}" || ch === "]") {
      depth--;
    } else if (ch === "," && depth === 1) {
      expectKey = true;
    }
  }
  return null;
}

export interface SaveOptions {
  /** float32 tensors written as F16 or BF16 (rounded to nearest even, as torch's .half() / .bfloat16()); int64 stay I64 */
  dtype?: "float16" | "bfloat16";
  metadata?: Record<string, string>;
}

/**
 * Serialises tensors: float32 as F32 (or F16 / BF16 with `{ dtype: "float16" | "bfloat16" }`,
 * half the bytes), int64 as I64, with optional string metadata: `save(tensors, { dtype, metadata })`
 * or, as before, `save(tensors, metadata)`. The second argument is options when its keys are only
 * `dtype` and `metadata` and either `dtype` is "float16" or "bfloat16" or `metadata` is an object:
 * metadata is strings only, so the one ambiguous case is metadata `{ dtype: "float16" }` (or
 * "bfloat16", with or without a string `metadata` key), which is read as options: write it as
 * `save(tensors, { metadata: { dtype: "float16" } })`.
 */
export function save(tensors: Record<string, Tensor>, options?: SaveOptions | Record<string, string>): Uint8Array {
  const isOptions = options !== undefined && Object.keys(options).every((k) => k === "dtype" || k === "metadata") &&
    ((options.dtype === "float16" || options.dtype === "bfloat16") || typeof options.metadata === "object");
  const { dtype: half, metadata } = isOptions ? options as SaveOptions : { dtype: undefined, metadata: options as Record<string, string> | undefined };
  if (half !== undefined && half !== "float16" && half !== "bfloat16") throw new TypeError(`safetensors.save: dtype must be "float16" or "bfloat16", but got ${preview(half)}`);
  const fileType = (tensor: Tensor) => tensor.dtype === "int64" ? "I64" : half === "float16" ? "F16" : half === "bfloat16" ? "BF16" : "F32";
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) header.__metadata__ = metadata;
  let offset = 0;
  const entries = Object.entries(tensors);
  for (const [name, tensor] of entries) {
    if (!(tensor instanceof Tensor)) throw new TypeError(`safetensors.save: '${name}' is not a Tensor`);
    const bytes = tensor.numel() * FILE_DTYPES[fileType(tensor)].bytes;
    setOwn(header, name, { dtype: fileType(tensor), shape: [...tensor.shape], data_offsets: [offset, offset + bytes] });
    offset += bytes;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const withSpaces = new Uint8Array(padded).fill(0x20);
    withSpaces.set(json);
    json = withSpaces;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let position = 8 + json.length;
  for (const [, tensor] of entries) {
    const type = fileType(tensor);
    if (type === "F16" || type === "BF16") {
      // data() reads a deferred tensor from its file's bytes, not copying it into linear memory
      const halves = encodeHalf(tensor.data(), half!);
      out.set(halves, position);
      position += halves.length;
      continue;
    }
    const bytes = tensor.numel() * FILE_DTYPES[type].bytes;
    // a deferred tensor (safetensors.load) is read from its file's bytes, not copied into linear memory
    const target = out.subarray(position, position + bytes);
    if (!tensor._readDeferred(target)) target.set(heapU8().subarray(tensor.ptr, tensor.ptr + bytes));
    position += bytes;
  }
  return out;
}
