// A restricted unpickler (https://github.com/python/cpython/blob/3.12/Lib/pickletools.py documents
// the opcodes): an explicit stack machine over the opcodes torch.save's pickles use (protocols 2-5),
// with no recursion on the input's nesting. It runs nothing: a GLOBAL is resolved by the caller's
// `findGlobal` (which refuses all but an allowed list), and REDUCE calls only a `Callable` that
// returned. Every other opcode (INST, OBJ, NEWOBJ, EXT*, PERSID, the text opcodes ...) is refused.
// Values: dicts are Maps, lists arrays, tuples frozen arrays, sets Sets, ints numbers (bigints past
// 2^53), bytes Uint8Arrays; the caller turns them into the user's values.

/** An allowed Python callable, invoked by REDUCE with its argument tuple. */
export class Callable {
  constructor(readonly name: string, readonly call: (args: readonly unknown[], at: string) => unknown) {}
}

export interface PickleHooks {
  /** `where` names the position for messages: "offset N of archive/data.pkl". */
  findGlobal(module: string, name: string, where: string): unknown;
  persistentLoad(pid: unknown, where: string): unknown;
  /** BUILD: `state` applied to `instance` (refuse what is not allowed). */
  build(instance: unknown, state: unknown, where: string): void;
}

const NAMES: Record<number, string> = {
  0x28: "MARK", 0x2e: "STOP", 0x30: "POP", 0x31: "POP_MARK", 0x32: "DUP", 0x46: "FLOAT", 0x49: "INT", 0x4c: "LONG", 0x50: "PERSID",
  0x53: "STRING", 0x54: "BINSTRING", 0x55: "SHORT_BINSTRING", 0x56: "UNICODE", 0x67: "GET", 0x69: "INST", 0x6f: "OBJ", 0x70: "PUT",
  0x51: "BINPERSID", 0x52: "REDUCE", 0x61: "APPEND", 0x62: "BUILD", 0x63: "GLOBAL", 0x65: "APPENDS", 0x68: "BINGET", 0x6a: "LONG_BINGET",
  0x73: "SETITEM", 0x74: "TUPLE", 0x75: "SETITEMS", 0x93: "STACK_GLOBAL", 0x81: "NEWOBJ", 0x82: "EXT1", 0x83: "EXT2", 0x84: "EXT4", 0x92: "NEWOBJ_EX", 0x97: "NEXT_BUFFER", 0x98: "READONLY_BUFFER",
  0x80: "PROTO", 0x95: "FRAME", 0x7d: "EMPTY_DICT", 0x5d: "EMPTY_LIST", 0x29: "EMPTY_TUPLE", 0x8f: "EMPTY_SET", 0x85: "TUPLE1", 0x86: "TUPLE2",
  0x87: "TUPLE3", 0x6c: "LIST", 0x91: "FROZENSET", 0x64: "DICT", 0x90: "ADDITEMS", 0x71: "BINPUT", 0x72: "LONG_BINPUT", 0x94: "MEMOIZE",
  0x4a: "BININT", 0x4b: "BININT1", 0x4d: "BININT2", 0x8a: "LONG1", 0x8b: "LONG4", 0x47: "BINFLOAT", 0x58: "BINUNICODE", 0x8c: "SHORT_BINUNICODE",
  0x8d: "BINUNICODE8", 0x42: "BINBYTES", 0x43: "SHORT_BINBYTES", 0x8e: "BINBYTES8", 0x96: "BYTEARRAY8", 0x4e: "NONE", 0x88: "NEWTRUE", 0x89: "NEWFALSE",
};
const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Unpickles one pickle starting at `start` of `bytes`; returns the value and the offset after STOP.
 * `source` names the bytes in messages (offsets are `bytes`' own).
 */
export function unpickle(bytes: Uint8Array, start: number, source: string, hooks: PickleHooks): { value: unknown; end: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  let pos = start;
  let opAt = start;
  let op = 0;
  const where = () => `offset ${opAt} of ${source}`;
  const fail: (message: string) => never = (message) => {
    // op < 0: the input ended where an opcode was due
    throw new Error(`load: pickle ${op < 0 ? "opcode" : `opcode ${NAMES[op] ?? `0x${op.toString(16).padStart(2, "0")}`}`} at ${where()}: ${message}`);
  };
  const need = (n: number) => {
    if (pos + n > bytes.length) fail(`needs ${n} bytes, but ${source} ends at offset ${bytes.length} (truncated)`);
    const at = pos;
    pos += n;
    return at;
  };
  const pop = (): unknown => (stack.length > (marks.length > 0 ? marks[marks.length - 1] : 0) ? stack.pop() : fail("the stack is empty"));
  const top = (): unknown => (stack.length > (marks.length > 0 ? marks[marks.length - 1] : 0) ? stack[stack.length - 1] : fail("the stack is empty"));
  const popMark = (): unknown[] => {
    const mark = marks.pop() ?? fail("no MARK before it");
    return stack.splice(mark);
  };
  const length = (n: number) => (n === 1 ? bytes[need(1)] : n === 4 ? view.getUint32(need(4), true) : Number(view.getBigUint64(need(8), true)));
  const text = (n: number): string => {
    const size = length(n);
    if (size > bytes.length - pos) fail(`claims ${size} bytes, but only ${bytes.length - pos} follow`);
    try {
      return decoder.decode(bytes.subarray(need(size), pos));
    } catch {
      return fail("the string is not valid UTF-8");
    }
  };
  const blob = (n: number): Uint8Array => {
    const size = length(n);
    if (size > bytes.length - pos) fail(`claims ${size} bytes, but only ${bytes.length - pos} follow`);
    return bytes.slice(need(size), pos);
  };
  const line = (): string => {
    const newline = bytes.indexOf(10, pos);
    if (newline < 0) fail("its name has no end of line (truncated)");
    const value = String.fromCharCode(...bytes.subarray(pos, Math.min(newline, pos + 256)));
    if (newline > pos + 256) fail(`a name longer than 256 bytes ('${value.slice(0, 40)}...')`);
    pos = newline + 1;
    return value;
  };
  const long = (size: number): number | bigint => {
    if (size > bytes.length - pos) fail(`claims ${size} bytes, but only ${bytes.length - pos} follow`);
    const at = need(size);
    if (size === 0) return 0;
    // from hex digits: linear in the size (shifting a bigint byte by byte is quadratic: minutes for a 200 KB LONG4)
    let hex = "";
    for (let i = size - 1; i >= 0; i--) hex += (bytes[at + i] < 16 ? "0" : "") + bytes[at + i].toString(16);
    let value = BigInt(`0x${hex}`);
    if (bytes[at + size - 1] >= 0x80) value -= 1n << BigInt(8 * size);
    return value >= -Number.MAX_SAFE_INTEGER && value <= Number.MAX_SAFE_INTEGER ? Number(value) : value;
  };
  const dict = (target: unknown): Map<unknown, unknown> => (target instanceof Map ? target : fail(`expected a dict to set items in, but got ${describe(target)}`));
  const list = (target: unknown): unknown[] => (Array.isArray(target) && !Object.isFrozen(target) ? target : fail(`expected a list to append to, but got ${describe(target)}`));
  const tuple = (items: unknown[]) => Object.freeze(items);
  // as Python: a list, dict or (non-frozen) set is no dict key or set item
  const hashable = (value: unknown, what: string): unknown => (value instanceof Map || (Array.isArray(value) || value instanceof Set) && !Object.isFrozen(value)
    ? fail(`${describe(value)} cannot be a ${what} (unhashable)`) : value);
  const setItems = (target: Map<unknown, unknown>, items: unknown[]) => {
    if (items.length % 2 !== 0) fail(`expected key-value pairs, but got ${items.length} items`);
    for (let i = 0; i < items.length; i += 2) target.set(hashable(items[i], "dict key"), items[i + 1]);
  };

  for (;;) {
    opAt = pos;
    op = -1;
    op = bytes[need(1)];
    switch (op) {
      case 0x80: { const protocol = bytes[need(1)]; if (protocol > 5) fail(`protocol ${protocol} is not supported (0 to 5 are)`); break; }   // PROTO
      case 0x95: {                                                // FRAME: a length hint, which must fit
        const size = view.getBigUint64(need(8), true);
        if (size > BigInt(bytes.length - pos)) fail(`a frame of ${size} bytes, but only ${bytes.length - pos} follow`);
        break;
      }
      case 0x7d: stack.push(new Map()); break;                    // EMPTY_DICT
      case 0x5d: stack.push([]); break;                           // EMPTY_LIST
      case 0x29: stack.push(tuple([])); break;                    // EMPTY_TUPLE
      case 0x8f: stack.push(new Set()); break;                    // EMPTY_SET
      case 0x28: marks.push(stack.length); break;                 // MARK
      case 0x85: stack.push(tuple([pop()])); break;               // TUPLE1
      case 0x86: { const b = pop(); stack.push(tuple([pop(), b])); break; }                        // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); stack.push(tuple([pop(), b, c])); break; }    // TUPLE3
      case 0x74: stack.push(tuple(popMark())); break;             // TUPLE
      case 0x6c: stack.push(popMark()); break;                    // LIST
      case 0x91: stack.push(Object.freeze(new Set(popMark().map((item) => hashable(item, "set item"))))); break;   // FROZENSET (frozen: hashable, no ADDITEMS)
      case 0x64: { const map = new Map(); setItems(map, popMark()); stack.push(map); break; }   // DICT
      case 0x61: { const item = pop(); list(top()).push(item); break; }                       // APPEND
      case 0x65: { const items = popMark(); const target = list(top()); for (const item of items) target.push(item); break; }   // APPENDS
      case 0x73: { const value = pop(); const key = hashable(pop(), "dict key"); dict(top()).set(key, value); break; }   // SETITEM
      case 0x75: { const items = popMark(); setItems(dict(top()), items); break; }                // SETITEMS
      case 0x90: {                                                // ADDITEMS
        const items = popMark();
        const target = top();
        if (!(target instanceof Set) || Object.isFrozen(target)) fail(`expected a set to add to, but got ${describe(target)}`);
        for (const item of items) target.add(hashable(item, "set item"));
        break;
      }
      case 0x30: pop(); break;                                    // POP
      case 0x31: popMark(); break;                                // POP_MARK
      case 0x71: memo.set(bytes[need(1)], top()); break;          // BINPUT
      case 0x72: memo.set(view.getUint32(need(4), true), top()); break;   // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break;               // MEMOIZE
      case 0x68: case 0x6a: {                                     // BINGET, LONG_BINGET
        const index = op === 0x68 ? bytes[need(1)] : view.getUint32(need(4), true);
        if (!memo.has(index)) fail(`memo index ${index} was never set`);
        stack.push(memo.get(index));
        break;
      }
      case 0x4a: stack.push(view.getInt32(need(4), true)); break;     // BININT
      case 0x4b: stack.push(bytes[need(1)]); break;                   // BININT1
      case 0x4d: stack.push(view.getUint16(need(2), true)); break;    // BININT2
      case 0x8a: stack.push(long(bytes[need(1)])); break;             // LONG1
      case 0x8b: stack.push(long(view.getUint32(need(4), true))); break;  // LONG4
      case 0x47: stack.push(view.getFloat64(need(8), false)); break;  // BINFLOAT (big-endian)
      case 0x58: stack.push(text(4)); break;                      // BINUNICODE
      case 0x8c: stack.push(text(1)); break;                      // SHORT_BINUNICODE
      case 0x8d: stack.push(text(8)); break;                      // BINUNICODE8
      case 0x42: stack.push(blob(4)); break;                      // BINBYTES
      case 0x43: stack.push(blob(1)); break;                      // SHORT_BINBYTES
      case 0x8e: case 0x96: stack.push(blob(8)); break;           // BINBYTES8, BYTEARRAY8
      case 0x4e: stack.push(null); break;                         // NONE
      case 0x88: stack.push(true); break;                         // NEWTRUE
      case 0x89: stack.push(false); break;                        // NEWFALSE
      case 0x63: { const module = line(); stack.push(hooks.findGlobal(module, line(), `GLOBAL at ${where()}`)); break; }   // GLOBAL
      case 0x93: {                                                // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== "string" || typeof name !== "string") fail(`expected a module and a name (strings), but got ${describe(module)} and ${describe(name)}`);
        stack.push(hooks.findGlobal(module, name, `STACK_GLOBAL at ${where()}`));
        break;
      }
      case 0x52: {                                                // REDUCE
        const args = pop();
        const callable = pop();
        if (!(callable instanceof Callable)) fail(`calls ${describe(callable)}, which is not an allowed callable`);
        if (!Array.isArray(args)) fail(`expected an argument tuple for '${callable.name}', but got ${describe(args)}`);
        stack.push(callable.call(args, where()));
        break;
      }
      case 0x62: { const state = pop(); hooks.build(top(), state, `BUILD at ${where()}`); break; }   // BUILD
      case 0x51: stack.push(hooks.persistentLoad(pop(), where())); break;   // BINPERSID
      case 0x2e: return { value: pop(), end: pos };               // STOP
      default:
        fail(`is not allowed: torch.load(weights_only=True) loads only tensors and containers`);
    }
  }
}

/** A short description of an unpickled value for messages. */
export function describe(value: unknown): string {
  if (value === null) return "None";
  if (value instanceof Callable) return `'${value.name}'`;
  if (value instanceof Map) return "a dict";
  if (value instanceof Set) return "a set";
  if (value instanceof Uint8Array) return "bytes";
  if (Array.isArray(value)) return Object.isFrozen(value) ? `a tuple of ${value.length}` : "a list";
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  if (typeof value === "bigint" && (value > 2n ** 256n || value < -(2n ** 256n))) return `a ${value.toString(16).replace("-", "").length * 4}-bit bigint`;   // not its (long) digits
  return typeof value === "object" ? (value.constructor?.name ?? "an object") : `the ${typeof value} ${String(value)}`;
}
