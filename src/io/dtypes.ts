// The element types of weight files (safetensors' names; torch.load maps its storages to them) and
// their conversion to wasmnn's two dtypes, exactly as PyTorch's `.float()` / `.long()`: floating
// point → float32 (f16, bf16 and f8 exactly, subnormals, ±inf and NaN included; f64 rounded to
// nearest even, overflowing to ±inf), integers and bool → int64.

export type FileDType = "F64" | "F32" | "F16" | "BF16" | "F8_E4M3" | "F8_E5M2" | "I64" | "I32" | "I16" | "I8" | "U64" | "U32" | "U16" | "U8" | "BOOL";

const float = (bytes: number) => ({ bytes, dtype: "float32" as const });
const int = (bytes: number) => ({ bytes, dtype: "int64" as const });
export const FILE_DTYPES: Record<FileDType, { bytes: number; dtype: "float32" | "int64" }> = {
  F64: float(8), F32: float(4), F16: float(2), BF16: float(2), F8_E4M3: float(1), F8_E5M2: float(1),
  I64: int(8), I32: int(4), I16: int(2), I8: int(1), U64: int(8), U32: int(4), U16: int(2), U8: int(1), BOOL: int(1),
};

/**
 * A small float's bits (placed at the top of `w`, `e` exponent bits) -> f32 bits: c10's
 * fp16_ieee_to_fp32_bits (e = 5) and fp8e4m3fn_to_fp32_value (e = 4, `carry` 1 << 24: only 0x7f is
 * NaN, there are no infinities). A NaN comes out quiet with its payload, as torch's .float() writes it.
 */
function widenBits(w: number, e: number, carry: number): number {
  const nonsign = w & 0x7fffffff;
  let renorm = Math.clz32(nonsign);
  renorm = renorm > e ? renorm - e : 0;   // a subnormal: its leading 1 becomes the implicit bit
  const infNan = ((nonsign + carry) >> 8) & 0x7f800000;
  const zero = (nonsign - 1) >> 31;
  const bits = ((((nonsign << renorm) >>> (8 - e)) + ((128 - (1 << (e - 1)) - renorm) << 23)) | infNan) & ~zero;
  return w & 0x80000000 | bits | (bits > 0x7f800000 ? 0x400000 : 0);
}

let halfTable: Int32Array | undefined;
let e4m3Table: Int32Array | undefined;

/** Converts `n` elements from `from` to `to`, both aligned for their element types. */
function convertAligned(type: FileDType, from: Uint8Array, to: Uint8Array, n: number): void {
  const { buffer, byteOffset } = from as Uint8Array<ArrayBuffer>;
  const out = new Int32Array(to.buffer, to.byteOffset, to.length >> 2);
  if (type === "F64") {
    const a = new Float64Array(buffer, byteOffset, n), words = new Uint32Array(buffer, byteOffset, 2 * n);
    const values = new Float32Array(out.buffer, out.byteOffset, n);
    for (let i = 0; i < n; i++) {
      const v = a[i];
      // a NaN is written by its bits (a Float32Array store may canonicalise it): quiet, with its
      // sign and top payload bits, as a C cast
      if (v === v) values[i] = v;
      else out[i] = words[2 * i + 1] & 0x80000000 | (words[2 * i + 1] & 0xfffff) << 3 | words[2 * i] >>> 29 | 0x7fc00000;
    }
  } else if (FILE_DTYPES[type].bytes === 2 && type !== "I16" && type !== "U16") {
    const a = new Uint16Array(buffer, byteOffset, n);
    // f16 -> f32 bits through a table built on first use (256 KiB); bf16 is the top half of an f32
    const table = halfTable ??= Int32Array.from({ length: 65536 }, (_, h) => widenBits(h << 16, 5, 1 << 26));
    if (type === "F16") for (let i = 0; i < n; i++) out[i] = table[a[i]];
    else for (let i = 0; i < n; i++) out[i] = a[i] << 16;
  } else if (type === "F8_E4M3" || type === "F8_E5M2") {
    const a = new Uint8Array(buffer, byteOffset, n);
    // an e5m2 byte is the top half of an f16
    const table = e4m3Table ??= Int32Array.from({ length: 512 }, (_, b) => widenBits(b << 24, b < 256 ? 4 : 5, b < 256 ? 1 << 24 : 1 << 26));
    const e5m2 = type === "F8_E5M2" ? 256 : 0;
    for (let i = 0; i < n; i++) out[i] = table[a[i] + e5m2];
  } else {
    // integers: the low word, then the high word sign-extended (0 for unsigned); bool: any non-zero byte is 1
    const View = { I32: Int32Array, I16: Int16Array, I8: Int8Array, U32: Uint32Array, U16: Uint16Array }[type as string] ?? Uint8Array;
    const a = new View(buffer, byteOffset, n), bool = type === "BOOL";
    for (let i = 0; i < n; i++) {
      const v = bool ? +(a[i] !== 0) : a[i];
      out[2 * i] = v;
      out[2 * i + 1] = v < 0 ? -1 : 0;
    }
  }
}

const CHUNK = 16384;
let scratch = new Uint8Array(0);

/**
 * Converts `count` little-endian elements of `type` from `src` into `dst` (a Uint8Array over the
 * target's bytes: float32 or int64 elements, per FILE_DTYPES[type].dtype). `src` may be unaligned.
 * F32, I64 and U64 are copied byte for byte: a U64 value ≥ 2^63 wraps to a negative int64, as
 * PyTorch's `.long()` of a uint64 tensor (a static_cast) and numpy's astype(int64).
 */
export function convertInto(type: FileDType, src: Uint8Array, dst: Uint8Array, count: number): void {
  const { bytes, dtype } = FILE_DTYPES[type];
  const outBytes = dtype === "int64" ? 8 : 4;
  if (src.length < count * bytes || dst.length < count * outBytes) {
    throw new Error(`convertInto: ${count} ${type} elements need ${count * bytes} source and ${count * outBytes} target bytes, but got ${src.length} and ${dst.length}`);
  }
  if (type === "F32" || type === "I64" || type === "U64") {
    dst.set(src.subarray(0, count * bytes));
    return;
  }
  if (scratch.length < CHUNK * 16) scratch = new Uint8Array(CHUNK * 16);
  // chunk by chunk, through the scratch buffer where a side is not aligned for a typed-array view
  for (let start = 0; start < count; start += CHUNK) {
    const n = Math.min(CHUNK, count - start);
    let from = src.subarray(start * bytes, (start + n) * bytes);
    if (from.byteOffset % bytes !== 0) {
      scratch.set(from);
      from = scratch.subarray(0, n * bytes);
    }
    const to = dst.subarray(start * outBytes, (start + n) * outBytes);
    const direct = to.byteOffset % outBytes === 0;
    const out = direct ? to : scratch.subarray(CHUNK * 8);
    convertAligned(type, from, out, n);
    if (!direct) to.set(out.subarray(0, n * outBytes));
  }
}

/**
 * float32 values -> IEEE half / bfloat16 bits, round to nearest even (as torch's .half() /
 * .bfloat16()), NaN kept NaN, overflow -> inf. A NaN becomes the one torch 1.13's .half() /
 * .bfloat16() of a tensor writes: 0x7e00 with its sign (half, c10's fp16_ieee_from_fp32_value),
 * 0xffff (bfloat16: ATen's vectorised cvtfp32_bf16; c10's scalar round_to_nearest_even gives 0x7fc0).
 */
export function encodeHalf(values: Float32Array, kind: "float16" | "bfloat16"): Uint8Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  const one = new Float32Array(1), oneBits = new Uint32Array(one.buffer);
  for (let i = 0; i < bits.length; i++) {
    const f = bits[i];
    const abs = f & 0x7fffffff;
    if (kind === "bfloat16") {
      // c10::round_to_nearest_even (the carry of a round-up runs into the exponent, up to inf)
      out[i] = abs > 0x7f800000 ? 0xffff : (f + 0x7fff + ((f >>> 16) & 1)) >>> 16;
      continue;
    }
    const sign = (f >>> 16) & 0x8000;
    if (abs >= 0x47800000) {
      out[i] = sign | (abs > 0x7f800000 ? 0x7e00 : 0x7c00);   // NaN, or ≥ 2^16 (inf)
    } else if (abs >= 0x38800000) {
      // a normal half: round the 13 dropped bits to nearest even (a carry into the exponent is right, up to inf)
      out[i] = sign | ((abs + 0xfff + ((abs >>> 13) & 1) - 0x38000000) >>> 13);
    } else {
      // a subnormal half (or 0): 0.5 + |x| rounds |x| to a multiple of 0.5's float32 ulp, 2^-24 (the
      // half's unit), to even (exact in double first: |x| ≥ 2^-25 has no bits below 2^-48, and a
      // smaller |x| cannot reach the tie)
      one[0] = Math.abs(values[i]) + 0.5;
      out[i] = sign | (oneBits[0] - 0x3f000000);
    }
  }
  return new Uint8Array(out.buffer);
}
