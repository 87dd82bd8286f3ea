#!/usr/bin/env node
// Writes the hostile torch.load corpus beside this script: small files (zip archives and legacy
// torch.save files, written byte by byte) that each break one rule or try one code-running route,
// and expected.json: file name -> the regular expression its error message must match
// (tests/hostile-torch.test.ts). Deterministic: `node tests/hostile-torch/gen.mjs` rewrites the
// same bytes. Pickle opcodes: https://github.com/python/cpython/blob/3.12/Lib/pickletools.py
import { readdirSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const utf8 = (s) => new TextEncoder().encode(s);
const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
};
const u16 = (n) => [n & 255, (n >>> 8) & 255];
const u32 = (n) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];
const u64 = (n) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, BigInt(n), true); return b; };
const fill = (n, byte) => new Uint8Array(n).fill(byte);

/** A zip archive of stored records (no CRCs: load does not check them); per record: method, a size lie. */
function zip(records) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [name, data, { method = 0, size = data.length, localOffset } = {}] of records) {
    const n = utf8(name);
    const local = concat([0x50, 0x4b, 3, 4, 20, 0, 0, 0, ...u16(method), 0, 0, 0, 0, ...u32(0), ...u32(size), ...u32(size), ...u16(n.length), 0, 0], n, data);
    centrals.push(concat([0x50, 0x4b, 1, 2, 20, 0, 20, 0, 0, 0, ...u16(method), 0, 0, 0, 0, ...u32(0), ...u32(size), ...u32(size), ...u16(n.length), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ...u32(localOffset ?? offset)], n));
    locals.push(local);
    offset += local.length;
  }
  const central = concat(...centrals);
  return concat(...locals, central, [0x50, 0x4b, 5, 6, 0, 0, 0, 0, ...u16(records.length), ...u16(records.length), ...u32(central.length), ...u32(offset), 0, 0]);
}

// pickle pieces
const str = (s) => { const b = utf8(s); return concat([0x58, ...u32(b.length)], b); };
const int = (n) => [0x4a, ...u32(n >>> 0)];
const long1 = (n) => { const b = []; let v = BigInt(n); for (let i = 0; i < 8; i++) { b.push(Number(v & 255n)); v >>= 8n; } return [0x8a, 8, ...b]; };
const global = (module, name) => utf8(`c${module}\n${name}\n`);
const P2 = [0x80, 2];
/** ('storage', <dtype>Storage, key, 'cpu', numel) as a BINPERSID */
const persid = (key, numel, type = "FloatStorage") => concat([0x28], str("storage"), global("torch", type), str(key), str("cpu"), long1(numel), [0x74, 0x51]);
/** _rebuild_tensor_v2(storage, offset, shape, stride, False, OrderedDict()) */
const rebuild = (storage, offset, shape, stride) => concat(global("torch._utils", "_rebuild_tensor_v2"), [0x28], storage, long1(offset),
  [0x28], ...shape.map(long1), [0x74, 0x28], ...stride.map(long1), [0x74, 0x89], global("collections", "OrderedDict"), [0x29, 0x52, 0x74, 0x52]);
/** {'w': tensor} */
const tensorPickle = (shape, stride, offset, numel, key = "0") => concat(P2, [0x7d, 0x28], str("w"), rebuild(persid(key, numel), offset, shape, stride), [0x75, 0x2e]);
const tensorZip = (shape, stride, offset, numel, dataBytes = numel * 4) =>
  zip([["archive/data.pkl", tensorPickle(shape, stride, offset, numel)], ["archive/data/0", fill(dataBytes, 0x3f)]]);
const pickled = (...parts) => zip([["archive/data.pkl", concat(...parts)]]);

// legacy format: magic, protocol 1001, sys info, the main pickle, the storage keys, each storage
const MAGIC = concat(P2, [0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e]);
const legacyHeader = (little = true) => concat(MAGIC, P2, [0x4d, ...u16(1001), 0x2e], P2, [0x7d, 0x28], str("little_endian"), [little ? 0x88 : 0x89, 0x75, 0x2e]);
const keysPickle = (...keys) => concat(P2, [0x5d, 0x28], ...keys.map(str), [0x65, 0x2e]);
const legacy = (main, keys, storages) => concat(legacyHeader(), main, keysPickle(...keys), ...storages);

const N = 100_000;
/** name -> [bytes, expected message (a regular expression's source)] */
const corpus = {
  // --- code-running routes: every one refused before anything could run
  global_os_system: [pickled(P2, global("os", "system"), str("echo pwned"), [0x85, 0x52, 0x2e]), "refusing to import 'os\\.system' \\(GLOBAL at offset 2 of archive/data\\.pkl\\)"],
  global_builtins_eval: [pickled(P2, global("builtins", "eval"), [0x2e]), "refusing to import 'builtins\\.eval' \\(GLOBAL at offset 2"],
  global_subprocess_popen: [pickled(P2, global("subprocess", "Popen"), [0x2e]), "refusing to import 'subprocess\\.Popen'"],
  global_torch_load_itself: [pickled(P2, global("torch", "load"), [0x2e]), "refusing to import 'torch\\.load'"],
  global_dunder_proto: [pickled(P2, global("torch._utils", "__proto__"), [0x2e]), "refusing to import 'torch\\._utils\\.__proto__'"],
  global_name_too_long: [pickled(P2, global("os", "s".repeat(300)), [0x2e]), "a name longer than 256 bytes"],
  stack_global_eval: [pickled([0x80, 4], str("builtins"), str("eval"), [0x93, 0x2e]), "refusing to import 'builtins\\.eval' \\(STACK_GLOBAL at offset 24"],
  stack_global_non_string: [pickled([0x80, 4], int(1), str("eval"), [0x93, 0x2e]), "STACK_GLOBAL at offset \\d+ of archive/data\\.pkl: expected a module and a name \\(strings\\), but got the number 1"],
  inst_os_system: [pickled(P2, [0x28], str("ls"), utf8("ios\nsystem\n."), ), "pickle opcode INST at offset 10 of archive/data\\.pkl: is not allowed"],
  obj_on_global: [pickled(P2, [0x28], global("os", "system"), str("ls"), [0x6f, 0x2e]), "refusing to import 'os\\.system'"],
  obj_on_allowed_class: [pickled(P2, [0x28], global("collections", "OrderedDict"), [0x6f, 0x2e]), "pickle opcode OBJ at offset \\d+ of archive/data\\.pkl: is not allowed"],
  reduce_on_string: [pickled(P2, str("x"), [0x29, 0x52, 0x2e]), "pickle opcode REDUCE at offset 9 of archive/data\\.pkl: calls the string \"x\", which is not an allowed callable"],
  reduce_on_storage_type: [pickled(P2, global("torch", "FloatStorage"), [0x29, 0x52, 0x2e]), "REDUCE at offset \\d+ of archive/data\\.pkl: calls StorageType, which is not an allowed callable"],
  reduce_args_not_tuple: [pickled(P2, global("collections", "OrderedDict"), int(1), [0x52, 0x2e]), "expected an argument tuple for 'collections\\.OrderedDict', but got the number 1"],
  build_setstate_on_dict: [pickled(P2, global("collections", "OrderedDict"), [0x29, 0x52], global("os", "system"), [0x62, 0x2e]), "refusing to import 'os\\.system'"],
  build_state_tuple_on_dict: [pickled(P2, [0x7d, 0x7d], str("__setstate__"), [0x86, 0x62, 0x2e]), "BUILD at offset \\d+ of archive/data\\.pkl: refusing to set the state of a dict to a tuple of 2"],
  build_on_tensor: [zip([["archive/data.pkl", concat(P2, rebuild(persid("0", 1), 0, [1], [1]), [0x7d], str("a"), int(1), [0x73, 0x62, 0x2e])], ["archive/data/0", fill(4, 0)]]),
    "refusing to set the state of TensorSpec to a dict: only a dict's attributes or a tensor's empty state can be set"],
  build_on_string: [pickled(P2, str("x"), [0x4e, 0x62, 0x2e]), "refusing to set the state of the string \"x\" to None"],
  newobj: [pickled(P2, global("collections", "OrderedDict"), [0x29, 0x81, 0x2e]), "pickle opcode NEWOBJ at offset \\d+ of archive/data\\.pkl: is not allowed"],
  newobj_ex: [pickled([0x80, 4], global("collections", "OrderedDict"), [0x29, 0x7d, 0x92, 0x2e]), "pickle opcode NEWOBJ_EX at offset \\d+ of archive/data\\.pkl: is not allowed"],
  ext1: [pickled(P2, [0x82, 1, 0x2e]), "pickle opcode EXT1 at offset 2 of archive/data\\.pkl: is not allowed"],
  ext2: [pickled(P2, [0x83, 1, 0, 0x2e]), "pickle opcode EXT2 at offset 2 of archive/data\\.pkl: is not allowed"],
  ext4: [pickled(P2, [0x84, 1, 0, 0, 0, 0x2e]), "pickle opcode EXT4 at offset 2 of archive/data\\.pkl: is not allowed"],
  persid_text: [pickled(P2, utf8("P0\n."), ), "pickle opcode PERSID at offset 2 of archive/data\\.pkl: is not allowed"],
  pickled_module: [pickled(P2, global("torch.nn.modules.linear", "Linear"), [0x29, 0x81, 0x2e]), "refusing to import 'torch\\.nn\\.modules\\.linear\\.Linear' \\(GLOBAL at offset 2.*save the model's state_dict\\(\\) instead of the model"],
  pickled_module_main: [pickled(P2, global("__main__", "Net"), [0x29, 0x81, 0x2e]), "refusing to import '__main__\\.Net'"],
  next_buffer: [pickled([0x80, 5, 0x97, 0x2e]), "pickle opcode NEXT_BUFFER at offset 2 of archive/data\\.pkl: is not allowed"],

  // --- persistent ids
  persid_not_tuple: [pickled(P2, str("storage"), [0x51, 0x2e]), "persistent id at offset \\d+ of archive/data\\.pkl: expected \\('storage', a storage type, key, location, numel\\), but got the string \"storage\""],
  persid_opcode_inside: [pickled(P2, [0x28], str("storage"), global("os", "system"), [0x74, 0x51, 0x2e]), "refusing to import 'os\\.system'"],
  persid_key_dotdot: [zip([["archive/data.pkl", tensorPickle([1], [1], 0, 1, "../0")], ["archive/data/0", fill(4, 0)]]), "storage key \"\\.\\./0\" is not a plain name"],
  persid_key_slash: [zip([["archive/data.pkl", tensorPickle([1], [1], 0, 1, "a/b")], ["archive/data/0", fill(4, 0)]]), "storage key \"a/b\" is not a plain name"],
  persid_numel_changes: [zip([["archive/data.pkl", concat(P2, [0x28], rebuild(persid("0", 1), 0, [1], [1]), rebuild(persid("0", 2), 0, [1], [1]), [0x6c, 0x2e])], ["archive/data/0", fill(8, 0)]]),
    "storage '0' was 1 F32 elements before, now 2 F32"],
  persid_in_legacy_header: [concat(P2, [0x28], str("storage"), [0x74, 0x51, 0x2e]), "a persistent id at offset \\d+ of the file, before the main pickle"],

  // --- lies about sizes
  storage_record_short: [tensorZip([4], [1], 0, 4, 12), "record 'archive/data/0' holds 12 bytes, but storage '0' is 4 F32 elements \\(16 bytes\\)"],
  storage_record_long: [tensorZip([4], [1], 0, 4, 20), "record 'archive/data/0' holds 20 bytes, but storage '0' is 4 F32 elements \\(16 bytes\\)"],
  view_past_storage: [tensorZip([3, 4], [4, 1], 2, 12), "a tensor of shape \\[3, 4\\], stride \\[4, 1\\] and offset 2 reads element 13 of storage '0', which holds 12 F32 elements"],
  offset_past_end: [tensorZip([1], [1], 2 ** 40, 4), "a tensor of shape \\[1\\], stride \\[1\\] and offset 1099511627776 reads element 1099511627776 of storage '0', which holds 4 F32 elements"],
  stride_past_end: [tensorZip([2, 2], [1, 2 ** 33], 0, 4), "a tensor of shape \\[2, 2\\], stride \\[1, 8589934592\\] and offset 0 reads element 8589934593 of storage '0'"],
  stride_negative: [tensorZip([2], [-1], 1, 4), "_rebuild_tensor_v2 \\(REDUCE at offset \\d+ of archive/data\\.pkl\\) expects \\(storage, offset, size, stride, \\.\\.\\.\\) with non-negative integers"],
  shape_negative: [tensorZip([-4], [1], 0, 4), "_rebuild_tensor_v2 \\(REDUCE at offset \\d+ of archive/data\\.pkl\\) expects"],
  stride_count_mismatch: [tensorZip([2, 2], [1], 0, 4), "with non-negative integers and as many strides as sizes"],
  elements_2p31_stride0: [tensorZip([2 ** 31 - 1, 2], [0, 0], 0, 1), "storage '0': a float32 tensor of shape \\[2147483647, 2\\] needs [\\d.]+ GiB, more than the"],
  elements_2p53_storage: [zip([["archive/data.pkl", tensorPickle([1], [1], 0, 2 ** 53 + 2)], ["archive/data/0", fill(4, 0)]]), "expected \\('storage', a storage type, key, location, numel\\), but got \\(.*the bigint 9007199254740994\\)"],
  numel_negative: [zip([["archive/data.pkl", tensorPickle([1], [1], 0, -1)], ["archive/data/0", fill(4, 0)]]), "expected \\('storage', a storage type, key, location, numel\\), but got"],
  legacy_count_differs: [legacy(tensorPickle([2], [1], 0, 2), ["0"], [u64(3), fill(12, 0)]), "storage '0': the element count 3 at offset \\d+ differs from its persistent id's 2"],
  legacy_storage_past_end: [legacy(tensorPickle([2], [1], 0, 2), ["0"], [u64(2), fill(4, 0)]), "storage '0' \\(8 bytes from offset \\d+\\) runs past the end of the \\d+-byte file"],
  legacy_key_unknown: [legacy(tensorPickle([2], [1], 0, 2), ["1"], [u64(2), fill(8, 0)]), "storage key '1' \\(at offset \\d+\\) names no storage of the pickle"],
  legacy_key_missing: [legacy(tensorPickle([2], [1], 0, 2), [], []), "storage '0' is used by a tensor but missing from the storage keys"],
  legacy_count_cut: [legacy(tensorPickle([2], [1], 0, 2), ["0"], [fill(3, 0)]), "storage '0': its element count at offset \\d+ is past the end of the \\d+-byte file"],
  legacy_big_endian: [concat(MAGIC, P2, [0x4d, ...u16(1001), 0x2e], P2, [0x7d, 0x28], str("little_endian"), [0x89, 0x75, 0x2e]), "sys info says it is not little-endian"],
  legacy_protocol_999: [concat(MAGIC, P2, [0x4d, ...u16(999), 0x2e]), "legacy protocol version the number 999 is not supported \\(expected 1001\\)"],
  legacy_garbage_after_magic: [concat(MAGIC, [0xde, 0xad, 0xbe, 0xef]), "pickle opcode 0xde at offset 15 of the file: is not allowed"],
  legacy_magic_only: [MAGIC, "pickle opcode at offset 15 of the file: needs 1 bytes, but the file ends at offset 15 \\(truncated\\)"],
  legacy_wrong_magic: [concat(P2, long1(12345), [0x2e]), "neither a zip archive nor a legacy torch\\.save file \\(its first pickle is the number 12345, not the magic number\\)"],

  // --- zip structure
  missing_storage_record: [zip([["archive/data.pkl", tensorPickle([4], [1], 0, 4)]]), "storage '0' has no record 'archive/data/0' in the archive"],
  missing_data_pkl: [zip([["archive/data/0", fill(4, 0)]]), "the zip archive has no 'archive/data\\.pkl' record"],
  record_name_dotdot: [zip([["archive/../data.pkl", new Uint8Array([0x80, 2, 0x4e, 0x2e])]]), "zip: record name 'archive/\\.\\./data\\.pkl' \\(central directory offset \\d+\\) contains '\\.\\.'"],
  record_name_dotdot_storage: [zip([["archive/data.pkl", new Uint8Array([0x80, 2, 0x4e, 0x2e])], ["archive/data/../../etc/passwd", fill(4, 0)]]), "contains '\\.\\.'"],
  duplicate_names: [zip([["archive/data.pkl", new Uint8Array([0x80, 2, 0x4e, 0x2e])], ["archive/data.pkl", new Uint8Array([0x80, 2, 0x88, 0x2e])]]), "zip: record name 'archive/data\\.pkl' appears twice in the central directory"],
  compressed_deflate: [zip([["archive/data.pkl", new Uint8Array([3, 0]), { method: 8 }]]), "zip: record 'archive/data\\.pkl' is compressed \\(method 8, deflate\\)"],
  compressed_bzip2_bomb: [zip([["archive/data.pkl", fill(64, 0x42), { method: 12, size: 0xfffffff0 }]]), "zip: record 'archive/data\\.pkl' is compressed \\(method 12\\)"],
  record_size_past_end: [zip([["archive/data.pkl", new Uint8Array([0x80, 2, 0x4e, 0x2e]), { size: 0x7fffffff }]]), "zip: record 'archive/data\\.pkl' \\(2147483647 bytes from offset \\d+\\) runs past the end of the \\d+-byte file"],
  local_offset_past_end: [zip([["archive/data.pkl", new Uint8Array([0x80, 2, 0x4e, 0x2e]), { localOffset: 0x7fffff00 }]]), "zip: record 'archive/data\\.pkl': no local header at offset 2147483392"],
  truncated_zip_end: [tensorZip([4], [1], 0, 4).subarray(0, 100), "zip: no end-of-central-directory record in the last 100 bytes \\(a truncated file\\?\\)"],
  truncated_zip_directory: [(() => { const z = tensorZip([4], [1], 0, 4); return concat(z.subarray(0, z.length - 60), z.subarray(z.length - 22)); })(), "zip: the central directory \\(offset \\d+, \\d+ bytes\\) runs past its end record at offset \\d+"],
  zip_directory_count_lie: [(() => { const z = tensorZip([4], [1], 0, 4); const v = new DataView(z.buffer); v.setUint16(z.length - 12, 60000, true); v.setUint16(z.length - 14, 60000, true); return z; })(), "zip: central directory entry 2 of 60000 at offset \\d+ is past the directory's end"],
  zip64_locator_bogus: [(() => { const z = zip([["archive/data.pkl", new Uint8Array([0x80, 2, 0x4e, 0x2e])]]); const end = z.length - 22; return concat(z.subarray(0, end), [0x50, 0x4b, 6, 7, 0, 0, 0, 0], u64(2n ** 60n), [1, 0, 0, 0], z.subarray(end)); })(), "zip: the zip64 end record's offset 1152921504606846976 \\(at offset \\d+\\) is past the end"],
  zip_empty_archive: [new Uint8Array([0x50, 0x4b, 3, 4, 0x50, 0x4b, 5, 6, ...fill(18, 0)]), "the zip archive has no records"],
  byteorder_big: [zip([["archive/data.pkl", new Uint8Array([0x80, 2, 0x4e, 0x2e])], ["archive/byteorder", utf8("big")]]), "the file's byteorder record says \"big\"; only little-endian files are supported"],

  // --- truncated and malformed pickles
  truncated_pickle: [zip([["archive/data.pkl", tensorPickle([4], [1], 0, 4).subarray(0, 60)], ["archive/data/0", fill(16, 0)]]), "at offset \\d+ of archive/data\\.pkl: .*\\(truncated\\)"],
  pickle_no_stop: [pickled(P2, [0x4e]), "pickle opcode at offset 3 of archive/data\\.pkl: needs 1 bytes, but archive/data\\.pkl ends at offset 3 \\(truncated\\)"],
  memo_never_set: [pickled(P2, [0x68, 7, 0x2e]), "pickle opcode BINGET at offset 2 of archive/data\\.pkl: memo index 7 was never set"],
  long_memo_never_set: [pickled(P2, [0x6a, ...u32(0xffffffff), 0x2e]), "pickle opcode LONG_BINGET at offset 2 of archive/data\\.pkl: memo index 4294967295 was never set"],
  marks_100k: [pickled(P2, fill(N, 0x28), [0x2e]), `pickle opcode STOP at offset ${N + 2} of archive/data\\.pkl: the stack is empty`],
  nested_lists_100k: [pickled(P2, fill(N, 0x5d), fill(N - 1, 0x61), [0x82, 0, 0x2e]), `pickle opcode EXT1 at offset ${2 * N + 1} of archive/data\\.pkl: is not allowed`],
  nested_tuples_100k_into_reduce: [pickled(P2, global("collections", "OrderedDict"), [0x29], fill(N, 0x85), [0x85, 0x52, 0x2e]), "collections\\.OrderedDict \\(REDUCE at offset \\d+ of archive/data\\.pkl\\) expects \\(key, value\\) pairs, but got a tuple of 1"],
  bad_protocol: [pickled([0x80, 6, 0x4e, 0x2e]), "pickle opcode PROTO at offset 0 of archive/data\\.pkl: protocol 6 is not supported \\(0 to 5 are\\)"],
  frame_past_end: [pickled([0x80, 4, 0x95], u64(2n ** 40n), [0x4e, 0x2e]), "pickle opcode FRAME at offset 2 of archive/data\\.pkl: a frame of 1099511627776 bytes, but only 2 follow"],
  binunicode_invalid_utf8: [pickled(P2, [0x58, ...u32(2), 0xff, 0xfe, 0x2e]), "pickle opcode BINUNICODE at offset 2 of archive/data\\.pkl: the string is not valid UTF-8"],
  binunicode_length_past_end: [pickled(P2, [0x58, ...u32(0xfffffff0), 0x61, 0x2e]), "pickle opcode BINUNICODE at offset 2 of archive/data\\.pkl: claims 4294967280 bytes, but only 2 follow"],
  binunicode8_length_2p63: [pickled([0x80, 4, 0x8d], u64(2n ** 63n), [0x2e]), "pickle opcode BINUNICODE8 at offset 2 of archive/data\\.pkl: claims \\d+ bytes, but only 1 follow"],
  binbytes_length_past_end: [pickled(P2, [0x42, ...u32(1 << 30), 0x2e]), "pickle opcode BINBYTES at offset 2 of archive/data\\.pkl: claims 1073741824 bytes, but only 1 follow"],
  long1_huge: [pickled(P2, [0x8a, 255], fill(255, 0xff).map((_, i) => (i === 254 ? 0x7f : 0xff)), [0x4e, 0x52, 0x2e]), "REDUCE at offset 260 of archive/data\\.pkl: calls a 2040-bit bigint, which is not an allowed callable"],
  // 100 KB of one integer: read in linear time (byte-by-byte bigint shifts took minutes), named by its size
  long4_100kb_legacy_magic: [concat(P2, [0x8b, ...u32(N)], fill(N, 0x11), [0x2e]), "its first pickle is a 800000-bit bigint, not the magic number"],
  long4_length_past_end: [pickled(P2, [0x8b, ...u32(0xffffffff), 0x2e]), "pickle opcode LONG4 at offset 2 of archive/data\\.pkl: claims 4294967295 bytes, but only 1 follow"],
  dict_unhashable_key: [pickled(P2, [0x7d, 0x5d, 0x4e, 0x73, 0x2e]), "pickle opcode SETITEM at offset 5 of archive/data\\.pkl: a list cannot be a dict key \\(unhashable\\)"],
  dict_unhashable_key_setitems: [pickled(P2, [0x7d, 0x28, 0x7d, 0x4e, 0x75, 0x2e]), "pickle opcode SETITEMS at offset 6 of archive/data\\.pkl: a dict cannot be a dict key \\(unhashable\\)"],
  set_unhashable_item: [pickled([0x80, 4, 0x8f, 0x28, 0x5d, 0x90, 0x2e]), "pickle opcode ADDITEMS at offset 5 of archive/data\\.pkl: a list cannot be a set item \\(unhashable\\)"],
  setitems_odd: [pickled(P2, [0x7d, 0x28, 0x4e, 0x75, 0x2e]), "pickle opcode SETITEMS at offset 5 of archive/data\\.pkl: expected key-value pairs, but got 1 items"],
  append_to_tuple: [pickled(P2, [0x29, 0x4e, 0x61, 0x2e]), "pickle opcode APPEND at offset 4 of archive/data\\.pkl: expected a list to append to, but got a tuple of 0"],
  pop_empty: [pickled(P2, [0x30, 0x2e]), "pickle opcode POP at offset 2 of archive/data\\.pkl: the stack is empty"],
  pop_mark_without_mark: [pickled(P2, [0x31, 0x2e]), "pickle opcode POP_MARK at offset 2 of archive/data\\.pkl: no MARK before it"],
  storage_as_value_itself: [pickled(P2, global("torch", "FloatStorage"), [0x2e]), "the file's value holds StorageType itself, not a value it builds"],
  not_a_torch_file: [utf8("GIF89a"), "not a torch\\.save file: it starts with neither a zip header .* but with byte 0x47"],
};

for (const name of readdirSync(here)) if (name.endsWith(".pt")) unlinkSync(join(here, name));
const expected = {};
for (const [name, [bytes, pattern]] of Object.entries(corpus)) {
  writeFileSync(join(here, `${name}.pt`), bytes);
  expected[name] = pattern;
}
writeFileSync(join(here, "expected.json"), `${JSON.stringify(expected, null, 1)}\n`);
console.log(`${Object.keys(corpus).length} files, ${Object.values(corpus).reduce((n, [b]) => n + b.length, 0)} bytes`);
