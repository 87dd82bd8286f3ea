// torch.load(f, weights_only=True) for the files torch.save writes
// (https://github.com/pytorch/pytorch/blob/v1.13.0/torch/serialization.py):
// - zip (the default since PyTorch 1.6): `<archive>/data.pkl`, a pickle whose tensors name their
//   storages by key through persistent ids, and each storage's bytes as `<archive>/data/<key>`;
// - legacy: the magic number, the protocol version and a sys-info dict (three pickles), the main
//   pickle, a pickled list of storage keys, then each storage: an 8-byte element count and its bytes.
// The pickles are read by pickle.ts; only the globals torch's weights_only unpickler allows resolve
// here (torch/_weights_only_unpickler.py). Tensors are checked against their storages before any
// is made, then made in linear memory (or left in the file's bytes, as safetensors.load does).

import { Callable, describe, unpickle, type PickleHooks } from "./pickle.js";
import { readZip, recordData } from "./zip.js";
import { FILE_DTYPES, convertInto, type FileDType } from "./dtypes.js";
import { checkShape, deferred, empty, numel, Tensor } from "../tensor.js";
import { heapU8, wasm } from "../runtime.js";

export type LoadSource = Uint8Array | ArrayBuffer | string | URL;
export interface LoadOptions { weights_only?: boolean; map_location?: string | null }

function fail(message: string): never {
  throw new Error(`load: ${message}`);
}

/** A storage as a persistent id names it; `data` is found once the pickle is read. */
class StorageRef {
  data: Uint8Array | null = null;
  constructor(readonly type: FileDType, readonly key: string, readonly numel: number) {}
}
/** A tensor as _rebuild_tensor_v2's arguments describe it: a view of a storage. */
class TensorSpec {
  constructor(readonly storage: StorageRef, readonly offset: number, readonly shape: number[], readonly stride: number[]) {}
}
class StorageType {
  constructor(readonly type: FileDType) {}
}

const STORAGES: Record<string, FileDType> = {
  FloatStorage: "F32", HalfStorage: "F16", BFloat16Storage: "BF16", DoubleStorage: "F64", LongStorage: "I64", IntStorage: "I32",
  ShortStorage: "I16", CharStorage: "I8", ByteStorage: "U8", BoolStorage: "BOOL", UntypedStorage: "U8",
};
const DTYPES = new Set("float32 float float64 double float16 half bfloat16 int64 long int32 int int16 short int8 uint8 bool".split(" "));

const isInt = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const ints = (value: unknown): value is number[] => Array.isArray(value) && value.every(isInt);

/** _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]) */
const rebuildTensor = new Callable("torch._utils._rebuild_tensor_v2", (args, where) => {
  const [storage, offset, shape, stride] = args;
  if (!(storage instanceof StorageRef) || !isInt(offset) || !ints(shape) || !ints(stride) || shape.length !== stride.length) {
    fail(`torch._utils._rebuild_tensor_v2 (REDUCE at ${where}) expects (storage, offset, size, stride, ...) with non-negative integers and as many strides as sizes, but got (${args.slice(0, 4).map(describe).join(", ")})`);
  }
  return new TensorSpec(storage, offset, [...shape], [...stride]);
});
/** _rebuild_parameter(data, requires_grad, backward_hooks[, state]): a Parameter is its tensor here */
const rebuildParameter = (name: string) => new Callable(name, (args, where) =>
  args[0] instanceof TensorSpec ? args[0] : fail(`${name} (REDUCE at ${where}) expects a tensor, but got ${describe(args[0])}`));
const GLOBALS: Record<string, unknown> = {
  "collections.OrderedDict": new Callable("collections.OrderedDict", (args, where) => {
    const map = new Map();
    if (args.length === 0) return map;
    if (!Array.isArray(args[0])) fail(`collections.OrderedDict (REDUCE at ${where}) expects a list of pairs, but got ${describe(args[0])}`);
    for (const pair of args[0]) {
      if (!Array.isArray(pair) || pair.length !== 2) fail(`collections.OrderedDict (REDUCE at ${where}) expects (key, value) pairs, but got ${describe(pair)}`);
      map.set(pair[0], pair[1]);
    }
    return map;
  }),
  "torch._utils._rebuild_tensor_v2": rebuildTensor,
  "torch._utils._rebuild_parameter": rebuildParameter("torch._utils._rebuild_parameter"),
  "torch._utils._rebuild_parameter_with_state": rebuildParameter("torch._utils._rebuild_parameter_with_state"),
  // torch.Size((2, 3)) -> [2, 3]; torch.device("cuda", 0) -> "cuda:0"
  "torch.Size": new Callable("torch.Size", (args, where) => (ints(args[0]) ? [...args[0]] : fail(`torch.Size (REDUCE at ${where}) expects a tuple of integers, but got ${describe(args[0])}`))),
  "torch.device": new Callable("torch.device", (args, where) => typeof args[0] === "string" && (args[1] === undefined || isInt(args[1]))
    ? (args[1] === undefined ? args[0] : `${args[0]}:${args[1]}`) : fail(`torch.device (REDUCE at ${where}) expects (type[, index]), but got ${args.map(describe).join(", ")}`)),
  "torch.storage.UntypedStorage": new StorageType("U8"),
};

function findGlobal(module: string, name: string, where: string): unknown {
  const full = `${module}.${name}`;
  if (module === "torch" && Object.hasOwn(STORAGES, name)) return new StorageType(STORAGES[name]);
  if (module === "torch" && DTYPES.has(name)) return full;   // a dtype object: its name, "torch.float32"
  if (Object.hasOwn(GLOBALS, full)) return GLOBALS[full];
  return fail(`refusing to import '${full}' (${where}): only tensors and containers load (torch.load's weights_only=True); save the model's state_dict() instead of the model`);
}

function build(instance: unknown, state: unknown, where: string): void {
  // OrderedDict's state is its attributes (a state_dict's _metadata: versions, dropped here); a
  // tensor's or Parameter's must be empty
  const empty = state === null || (Array.isArray(state) && state.length === 0) || (state instanceof Map && state.size === 0);
  if (instance instanceof Map && (state instanceof Map || state === null)) return;
  if (instance instanceof TensorSpec && empty) return;
  fail(`${where}: refusing to set the state of ${describe(instance)} to ${describe(state)}: only a dict's attributes or a tensor's empty state can be set`);
}

/** Reads a storage key's persistent id: ('storage', StorageType, key, location, numel[, view_metadata]). */
function storages(): PickleHooks & { refs: Map<string, StorageRef> } {
  const refs = new Map<string, StorageRef>();
  return {
    refs, findGlobal, build,
    persistentLoad(pid, where) {
      if (!Array.isArray(pid) || pid[0] !== "storage" || !(pid[1] instanceof StorageType) || typeof pid[2] !== "string" || !isInt(pid[4])) {
        fail(`persistent id at ${where}: expected ('storage', a storage type, key, location, numel), but got ${Array.isArray(pid) ? `(${pid.map(describe).join(", ")})` : describe(pid)}`);
      }
      if (pid.length > 5 && pid[5] !== null) fail(`persistent id at ${where}: storage '${pid[2]}' is a view of another storage (a file from before PyTorch 1.0), which is not supported`);
      const [, { type }, key, , count] = pid as [string, StorageType, string, unknown, number];
      // keys name zip records: nothing that could climb out of the archive's data/ directory
      if (!/^[\w.-]{1,64}$/.test(key) || key.includes("..")) fail(`persistent id at ${where}: storage key ${JSON.stringify(key.slice(0, 80))} is not a plain name`);
      let ref = refs.get(key);
      if (ref === undefined) refs.set(key, (ref = new StorageRef(type, key, count)));
      else if (ref.type !== type || ref.numel !== count) fail(`persistent id at ${where}: storage '${key}' was ${ref.numel} ${ref.type} elements before, now ${count} ${type}`);
      return ref;
    },
  };
}

/** Checks a storage's bytes against its persistent id's element count. */
function setData(ref: StorageRef, data: Uint8Array, what: string): void {
  const bytes = ref.numel * FILE_DTYPES[ref.type].bytes;
  if (data.length !== bytes) fail(`${what} holds ${data.length} bytes, but storage '${ref.key}' is ${ref.numel} ${ref.type} elements (${bytes} bytes)`);
  ref.data = data;
}

function loadZip(file: Uint8Array): unknown {
  const records = readZip(file);
  const first = records.keys().next();
  if (first.done) fail("the zip archive has no records");
  // torch names the archive's directory after the file ("archive" in 1.x): the first record's
  const prefix = first.value.slice(0, first.value.indexOf("/") + 1);
  const record = (name: string) => {
    const entry = records.get(prefix + name);
    return entry === undefined ? null : recordData(file, entry);
  };
  const pickle = record("data.pkl") ?? fail(`the zip archive has no '${prefix}data.pkl' record: not a file torch.save wrote`);
  const byteorder = record("byteorder");
  if (byteorder !== null && new TextDecoder().decode(byteorder) !== "little") fail(`the file's byteorder record says ${JSON.stringify(new TextDecoder().decode(byteorder.subarray(0, 16)))}; only little-endian files are supported`);
  const hooks = storages();
  const { value } = unpickle(pickle, 0, `${prefix}data.pkl`, hooks);
  for (const ref of hooks.refs.values()) {
    const name = `${prefix}data/${ref.key}`;
    setData(ref, record(`data/${ref.key}`) ?? fail(`storage '${ref.key}' has no record '${name}' in the archive`), `record '${name}'`);
  }
  return value;
}

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;

function loadLegacy(file: Uint8Array): unknown {
  const plain: PickleHooks = {
    findGlobal, build,
    persistentLoad: (_, where) => fail(`a persistent id at ${where}, before the main pickle`),
  };
  let { value, end } = unpickle(file, 0, "the file", plain);
  if (value !== LEGACY_MAGIC) fail(`the file is neither a zip archive nor a legacy torch.save file (its first pickle is ${describe(value)}, not the magic number)`);
  ({ value, end } = unpickle(file, end, "the file", plain));
  if (value !== 1001) fail(`legacy protocol version ${describe(value)} is not supported (expected 1001)`);
  ({ value, end } = unpickle(file, end, "the file", plain));
  if (!(value instanceof Map) || value.get("little_endian") !== true) fail("the file's sys info says it is not little-endian; only little-endian files are supported");
  const hooks = storages();
  const main = unpickle(file, end, "the file", hooks);
  const keys = unpickle(file, main.end, "the file", plain);
  if (!Array.isArray(keys.value) || !keys.value.every((key) => typeof key === "string")) fail(`expected the list of storage keys at offset ${main.end}, but got ${describe(keys.value)}`);
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  let at = keys.end;
  for (const key of keys.value as string[]) {
    const ref = hooks.refs.get(key) ?? fail(`storage key '${key}' (at offset ${keys.end}) names no storage of the pickle`);
    if (at + 8 > file.length) fail(`storage '${key}': its element count at offset ${at} is past the end of the ${file.length}-byte file`);
    const count = view.getBigInt64(at, true);
    if (count !== BigInt(ref.numel)) fail(`storage '${key}': the element count ${count} at offset ${at} differs from its persistent id's ${ref.numel}`);
    const bytes = ref.numel * FILE_DTYPES[ref.type].bytes;
    if (at + 8 + bytes > file.length) fail(`storage '${key}' (${bytes} bytes from offset ${at + 8}) runs past the end of the ${file.length}-byte file`);
    setData(ref, file.subarray(at + 8, at + 8 + bytes), `storage '${key}' at offset ${at + 8}`);
    at += 8 + bytes;
  }
  for (const ref of hooks.refs.values()) if (ref.data === null) fail(`storage '${ref.key}' is used by a tensor but missing from the storage keys at offset ${main.end}`);
  return main.value;
}

/** Validates a view against its storage and wasmnn's sizes: before any tensor is made. */
function check(spec: TensorSpec): void {
  const { storage, offset, shape, stride } = spec;
  if (numel(shape) === 0) return;
  let last = offset;
  for (let d = 0; d < shape.length; d++) last += (shape[d] - 1) * stride[d];
  if (!(last < storage.numel)) {
    fail(`a tensor of shape [${shape.join(", ")}], stride [${stride.join(", ")}] and offset ${offset} reads element ${last} of storage '${storage.key}', which holds ${storage.numel} ${storage.type} elements`);
  }
  try {
    checkShape(shape, FILE_DTYPES[storage.type].dtype);
  } catch (error) {
    fail(`storage '${storage.key}': ${(error as Error).message}`);
  }
}

function materialise(spec: TensorSpec): Tensor {
  const { storage, offset, shape, stride } = spec;
  const type = storage.type;
  const { bytes: size, dtype } = FILE_DTYPES[type];
  const source = storage.data!;
  const count = numel(shape);
  let expected = 1;
  let contiguous = true;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && stride[d] !== expected) contiguous = false;
    expected *= shape[d];
  }
  if (contiguous || count === 0) {
    const bytes = source.subarray(offset * size, (offset + count) * size);
    // float32 and int64 stay in the file's bytes until used, as safetensors.load's tensors
    if (type === "F32" || type === "I64") return deferred(shape, dtype, bytes, `torch.load storage '${storage.key}' (shape [${shape.join(", ")}])`);
    const tensor = empty(shape, dtype);
    const ptr = tensor.ptr;   // before the heap view: allocating can grow (and detach) it
    convertInto(type, bytes, heapU8().subarray(ptr, ptr + count * (dtype === "int64" ? 8 : 4)), count);
    return tensor;
  }
  // a strided view (a transpose, a slice): gathered in chunks, then converted into the new tensor
  const tensor = empty(shape, dtype);
  const out = dtype === "int64" ? 8 : 4;
  const chunk = Math.min(count, 4096);
  const scratch = new Uint8Array(chunk * size);
  const index = new Array<number>(shape.length).fill(0);
  let at = offset;
  let filled = 0;
  let written = 0;
  for (let i = 0; i < count; i++) {
    for (let b = 0; b < size; b++) scratch[filled * size + b] = source[at * size + b];
    if (++filled === chunk || i === count - 1) {
      const ptr = tensor.ptr;
      convertInto(type, scratch, heapU8().subarray(ptr + written * out, ptr + (written + filled) * out), filled);
      written += filled;
      filled = 0;
    }
    for (let d = shape.length - 1; d >= 0; d--) {
      at += stride[d];
      if (++index[d] < shape[d]) break;
      at -= stride[d] * shape[d];
      index[d] = 0;
    }
  }
  return tensor;
}

/**
 * The unpickled value in JavaScript terms, without recursion: dicts become plain objects (Maps when
 * a key is not a string), lists and tuples arrays, tensors Tensors. A value reached twice (the
 * pickle's memo) becomes one object, as in Python.
 */
function toJS(root: unknown, made: Tensor[]): unknown {
  const done = new Map<object, unknown>();
  const work: Array<() => void> = [];
  const visit = (value: unknown): unknown => {
    if (value === null || typeof value !== "object" || value instanceof Uint8Array) return value;
    let out = done.get(value);
    if (out !== undefined) return out;
    if (value instanceof TensorSpec) made.push((out = materialise(value)) as Tensor);
    else if (value instanceof StorageRef) made.push((out = materialise(new TensorSpec(value, 0, [value.numel], [1]))) as Tensor);
    else if (Array.isArray(value)) {
      const array: unknown[] = (out = []);
      work.push(() => { for (const item of value) array.push(visit(item)); });
    } else if (value instanceof Set) {
      const set = (out = new Set());
      work.push(() => { for (const item of value) set.add(visit(item)); });
    } else if (value instanceof Map) {
      if ([...value.keys()].every((key) => typeof key === "string")) {
        const object: Record<string, unknown> = (out = {});
        // own properties also for the key "__proto__"
        work.push(() => { for (const [key, item] of value) Object.defineProperty(object, key as string, { value: visit(item), enumerable: true, writable: true, configurable: true }); });
      } else {
        const map = (out = new Map());
        work.push(() => { for (const [key, item] of value) map.set(visit(key), visit(item)); });
      }
    } else fail(`the file's value holds ${describe(value)} itself, not a value it builds`);
    done.set(value, out);
    return out;
  };
  const result = visit(root);
  while (work.length > 0) work.pop()!();
  return result;
}

/**
 * torch.load(f, weights_only=True): `readPath` reads a file path where the runtime can (Node, Deno).
 */
export function loadWith(source: LoadSource, options: LoadOptions | undefined, readPath?: (path: string | URL) => Uint8Array): any {
  for (const key of Object.keys(options ?? {})) if (key !== "weights_only" && key !== "map_location") fail(`unknown option '${key}'; expected weights_only or map_location`);
  if (options?.weights_only === false) fail("weights_only=false is not supported: wasmnn only loads tensors and containers (weights_only=True), it never runs a pickle's code");
  if (options?.map_location != null && options.map_location !== "cpu") fail(`map_location must be 'cpu' (wasmnn's tensors live in WebAssembly memory), but got ${JSON.stringify(options.map_location)}`);
  let file: Uint8Array;
  if (source instanceof Uint8Array) file = source;
  else if (source instanceof ArrayBuffer) file = new Uint8Array(source);
  else if (typeof source === "string" || source instanceof URL) {
    if (readPath === undefined) fail(`a file path (${String(source)}) loads only in Node and Deno; here pass the file's bytes (a Uint8Array or ArrayBuffer, e.g. from fetch)`);
    file = readPath(source);
  } else return fail(`expected a Uint8Array, an ArrayBuffer or a file path, but got ${source === null ? "null" : typeof source}`);
  // a view of linear memory itself is detached when the memory grows: read a copy
  if (file.buffer === wasm().memory.buffer) file = file.slice();
  if (file[0] !== 0x80 && file[0] !== 0x50) fail(`not a torch.save file: it starts with neither a zip header (PK\\x03\\x04) nor a pickle (\\x80), but with byte 0x${(file[0] ?? 0).toString(16)}${file.length === 0 ? " (the file is empty)" : ""}`);
  const value = file.length >= 4 && file[0] === 0x50 && file[1] === 0x4b && file[2] === 3 && file[3] === 4 ? loadZip(file) : loadLegacy(file);
  // every view is checked before the first tensor is made
  const specs = new Set<TensorSpec>();
  const pending: unknown[] = [value];
  const seen = new Set<object>();
  while (pending.length > 0) {
    const item = pending.pop();
    if (item === null || typeof item !== "object" || seen.has(item)) continue;
    seen.add(item);
    if (item instanceof TensorSpec) specs.add(item);
    else if (item instanceof StorageRef) specs.add(new TensorSpec(item, 0, [item.numel], [1]));
    else if (Array.isArray(item) || item instanceof Set) for (const child of item) pending.push(child);
    else if (item instanceof Map) for (const [key, child] of item) pending.push(key, child);
  }
  for (const spec of specs) check(spec);
  const made: Tensor[] = [];
  try {
    return toJS(value, made);
  } catch (error) {
    for (const tensor of made) tensor.dispose();
    throw error;
  }
}
