// The element types a weight file can hold, and their conversion to wasmnn's two dtypes (floating
// point → float32, integers and bool → int64), as torch's `.float()` / `.long()` convert them.

export type FileDType = "F64" | "F32" | "F16" | "BF16" | "F8_E4M3" | "F8_E5M2" | "I64" | "I32" | "I16" | "I8" | "U64" | "U32" | "U16" | "U8" | "BOOL";

export const FILE_DTYPES: Record<FileDType, { bytes: number; dtype: "float32" | "int64" }> = {
  F64: { bytes: 8, dtype: "float32" }, F32: { bytes: 4, dtype: "float32" }, F16: { bytes: 2, dtype: "float32" },
  BF16: { bytes: 2, dtype: "float32" }, F8_E4M3: { bytes: 1, dtype: "float32" }, F8_E5M2: { bytes: 1, dtype: "float32" },
  I64: { bytes: 8, dtype: "int64" }, I32: { bytes: 4, dtype: "int64" }, I16: { bytes: 2, dtype: "int64" }, I8: { bytes: 1, dtype: "int64" },
  U64: { bytes: 8, dtype: "int64" }, U32: { bytes: 4, dtype: "int64" }, U16: { bytes: 2, dtype: "int64" }, U8: { bytes: 1, dtype: "int64" },
  BOOL: { bytes: 1, dtype: "int64" },
};

/** Converts `count` little-endian elements of `type` from `src` (any alignment) into `dst` (float32 or int64 elements). */
export function convertInto(type: FileDType, src: Uint8Array, dst: Uint8Array, count: number): void {
  const { bytes, dtype } = FILE_DTYPES[type];
  if (src.length < count * bytes || dst.length < count * (dtype === "int64" ? 8 : 4)) throw new RangeError(`convertInto: ${count} ${type} elements need ${count * bytes} bytes in and ${count * (dtype === "int64" ? 8 : 4)} out, but got ${src.length} and ${dst.length}`);
  if (type === "F32" || type === "I64") {
    dst.set(src.subarray(0, count * bytes));
    return;
  }
  const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
  if (dtype === "float32") {
    const out = new Float32Array(dst.buffer, dst.byteOffset, count);
    const bits = new Uint32Array(dst.buffer, dst.byteOffset, count);
    for (let i = 0; i < count; i++) {
      if (type === "F64") out[i] = view.getFloat64(i * 8, true);
      else if (type === "BF16") bits[i] = view.getUint16(i * 2, true) << 16;
      else if (type === "F16") {
        const h = view.getUint16(i * 2, true);
        const exponent = (h >> 10) & 31;
        const mantissa = h & 1023;
        if (exponent === 0) out[i] = (h & 0x8000 ? -mantissa : mantissa) * 2 ** -24;   // zero and subnormals (exact)
        else bits[i] = ((h & 0x8000) << 16) | ((exponent === 31 ? 255 : exponent + 112) << 23) | (mantissa << 13);
      } else throw new Error(`convertInto: ${type} is not supported yet`);
    }
    return;
  }
  // int64 as (low, high) int32 pairs: the sign-extended value without a BigInt per element
  const out = new Int32Array(dst.buffer, dst.byteOffset, count * 2);
  for (let i = 0; i < count; i++) {
    const value = type === "I32" ? view.getInt32(i * 4, true) : type === "I16" ? view.getInt16(i * 2, true) : type === "I8" ? view.getInt8(i)
      : type === "U8" ? src[i] : type === "BOOL" ? (src[i] !== 0 ? 1 : 0) : NaN;
    if (Number.isNaN(value)) throw new Error(`convertInto: ${type} is not supported yet`);
    out[2 * i] = value;
    out[2 * i + 1] = value < 0 ? -1 : 0;
  }
}
