// A reader for the zip archives torch.save writes (https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT):
// the end-of-central-directory record (and the ZIP64 one torch always adds), the central
// directory, and each record's local header. Records are stored, never compressed, so a record's
// data is a view of the file's bytes. Every offset and size is checked against the file first.

export interface ZipRecord { name: string; method: number; flags: number; size: number; storedSize: number; localOffset: number }

function fail(message: string): never {
  throw new Error(`load: zip: ${message}`);
}

/** A u64 field as a number: past 2^53 it cannot be an offset into bytes this process holds. */
function u64(view: DataView, at: number, what: string): number {
  const value = view.getBigUint64(at, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) fail(`${what} ${value} (at offset ${at}) is past the end of the ${view.byteLength}-byte file`);
  return Number(value);
}

/** The records of a zip archive by name, in central-directory order. */
export function readZip(file: Uint8Array): Map<string, ZipRecord> {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  // the end record is 22 bytes plus a comment of at most 65535: search backwards
  let end = -1;
  for (let at = file.length - 22; at >= 0 && at >= file.length - 22 - 0xffff; at--) {
    if (view.getUint32(at, true) === 0x06054b50) { end = at; break; }
  }
  if (end < 0) fail(`no end-of-central-directory record in the last ${Math.min(file.length, 22 + 0xffff)} bytes (a truncated file?)`);
  let count = view.getUint16(end + 10, true);
  let directorySize = view.getUint32(end + 12, true);
  let directoryOffset = view.getUint32(end + 16, true);
  let directoryEnd = end;
  // ZIP64: a locator just before the end record points to the zip64 end record
  if (end >= 20 && view.getUint32(end - 20, true) === 0x07064b50) {
    const at = u64(view, end - 12, "the zip64 end record's offset");
    if (at + 56 > end - 20 || view.getUint32(at, true) !== 0x06064b50) fail(`no zip64 end record at offset ${at}, where the locator at offset ${end - 20} points`);
    count = u64(view, at + 32, "the record count");
    directorySize = u64(view, at + 40, "the central directory's size");
    directoryOffset = u64(view, at + 48, "the central directory's offset");
    directoryEnd = at;
  }
  if (directoryOffset + directorySize > directoryEnd) {
    fail(`the central directory (offset ${directoryOffset}, ${directorySize} bytes) runs past its end record at offset ${directoryEnd}`);
  }
  const records = new Map<string, ZipRecord>();
  const decoder = new TextDecoder();
  let at = directoryOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > directoryOffset + directorySize || view.getUint32(at, true) !== 0x02014b50) {
      fail(`central directory entry ${i} of ${count} at offset ${at} is ${at + 46 > directoryOffset + directorySize ? "past the directory's end" : "missing its signature"}`);
    }
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const next = at + 46 + nameLength + extraLength + view.getUint16(at + 32, true);
    if (next > directoryOffset + directorySize) fail(`central directory entry ${i} at offset ${at} runs past the directory's end`);
    const name = decoder.decode(file.subarray(at + 46, at + 46 + nameLength));
    const record: ZipRecord = {
      name, flags: view.getUint16(at + 8, true), method: view.getUint16(at + 10, true),
      storedSize: view.getUint32(at + 20, true), size: view.getUint32(at + 24, true), localOffset: view.getUint32(at + 42, true),
    };
    // ZIP64 extra field (id 1): the 64-bit values of the fields that read 0xFFFFFFFF, in this order
    for (let extra = at + 46 + nameLength; extra + 4 <= at + 46 + nameLength + extraLength;) {
      const id = view.getUint16(extra, true);
      const length = view.getUint16(extra + 2, true);
      if (id === 1) {
        let field = extra + 4;
        for (const key of ["size", "storedSize", "localOffset"] as const) {
          if (record[key] !== 0xffffffff) continue;
          if (field + 8 > extra + 4 + length) fail(`record '${name}': its zip64 extra field (offset ${extra}) lacks the ${key}`);
          record[key] = u64(view, field, `record '${name}': ${key}`);
          field += 8;
        }
      }
      extra += 4 + length;
    }
    if (name.split("/").includes("..")) fail(`record name '${name}' (central directory offset ${at}) contains '..'`);
    if (records.has(name)) fail(`record name '${name}' appears twice in the central directory`);
    records.set(name, record);
    at = next;
  }
  return records;
}

/** A stored record's data: a view of `file`, checked against its local header and the file's end. */
export function recordData(file: Uint8Array, record: ZipRecord): Uint8Array {
  const { name, method, localOffset } = record;
  if (method !== 0) {
    fail(`record '${name}' is compressed (method ${method}${method === 8 ? ", deflate" : ""}); torch.save stores records uncompressed, so re-save it with torch.save, or unzip and re-zip it with zip -0`);
  }
  if (record.flags & 1) fail(`record '${name}' is encrypted`);
  if (record.storedSize !== record.size) fail(`record '${name}' is stored, but its stored size ${record.storedSize} differs from its size ${record.size}`);
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (localOffset + 30 > file.length || view.getUint32(localOffset, true) !== 0x04034b50) {
    fail(`record '${name}': no local header at offset ${localOffset}`);
  }
  // the local header's own name and extra lengths (torch pads records to 64-byte alignment there)
  const start = localOffset + 30 + view.getUint16(localOffset + 26, true) + view.getUint16(localOffset + 28, true);
  if (start + record.size > file.length) fail(`record '${name}' (${record.size} bytes from offset ${start}) runs past the end of the ${file.length}-byte file`);
  return file.subarray(start, start + record.size);
}
