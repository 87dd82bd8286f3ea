// Python-style argument handling: PyTorch's parameters may come positionally, in PyTorch's order,
// and/or in one trailing options object with PyTorch's spellings. `undefined` means "not given".

export type ArgSpec = readonly (readonly [name: string, fallback: unknown])[];

const REQUIRED = Symbol("required");
/** Marks a parameter without default in an ArgSpec. */
export const required: unknown = REQUIRED;

/** A trailing options object: a plain object (not a Tensor, array or other class instance). */
export function isOptionsObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Resolves `args` against `spec` like a Python call: positional first, then keywords from a
 * trailing plain object. Unknown keywords, duplicates, too many positionals and missing required
 * parameters throw TypeErrors worded as Python's.
 */
export function parseArgs(fn: string, specWithStar: ArgSpec, args: readonly unknown[]): Record<string, unknown> {
  // a ["*", ...] entry marks the parameters after it keyword-only, as Python's `*`
  const star = specWithStar.findIndex(([name]) => name === "*");
  const spec = star < 0 ? specWithStar : specWithStar.filter(([name]) => name !== "*");
  const maxPositional = star < 0 ? spec.length : star;
  let positional = args;
  let options: Record<string, unknown> = {};
  if (args.length > 0 && isOptionsObject(args[args.length - 1])) {
    positional = args.slice(0, -1);
    options = args[args.length - 1] as Record<string, unknown>;
  }
  // trailing undefined positionals are "not given"
  let count = positional.length;
  while (count > 0 && positional[count - 1] === undefined) count--;
  if (count > maxPositional) {
    const least = spec.slice(0, maxPositional).filter(([, fallback]) => fallback === REQUIRED).length;
    throw new TypeError(least === maxPositional
      ? `${fn}() takes ${least} positional argument${least === 1 ? "" : "s"} but ${count} were given`
      : `${fn}() takes from ${least} to ${maxPositional} positional arguments but ${count} were given`);
  }
  const out: Record<string, unknown> = {};
  spec.forEach(([name], i) => { if (i < count && positional[i] !== undefined) out[name] = positional[i]; });
  const names = new Set(spec.map(([name]) => name));
  for (const [key, value] of Object.entries(options)) {
    if (!names.has(key)) throw new TypeError(`${fn}() got an unexpected keyword argument '${key}'`);
    if (value === undefined) continue;
    if (key in out) throw new TypeError(`${fn}() got multiple values for argument '${key}'`);
    out[key] = value;
  }
  for (const [name, fallback] of spec) {
    if (name in out) continue;
    if (fallback === REQUIRED) throw new TypeError(`${fn}() missing required positional argument: '${name}'`);
    out[name] = fallback;
  }
  return out;
}

/** Python's round(x) (and torch.round's): to the nearest integer, ties to the even neighbour. */
export function pyRound(x: number): number {
  const r = Math.round(x);   // JavaScript rounds ties up: step back where that landed on an odd integer
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Python's repr of a value in messages: strings quoted, arrays as tuples. */
export function pyRepr(value: unknown): string {
  if (typeof value === "string") return `'${value}'`;
  if (Array.isArray(value)) return `(${value.map(pyRepr).join(", ")}${value.length === 1 ? "," : ""})`;
  if (value === null) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  return String(value);
}

/** Python's type name of a JS value, for TypeErrors worded as PyTorch's. */
export function pyType(value: unknown): string {
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  if (typeof value === "string") return "str";
  if (typeof value === "boolean") return "bool";
  if (value === null || value === undefined) return "NoneType";
  if (Array.isArray(value)) return "list";
  return typeof value;
}

/**
 * Normalises an int-or-pair size (torch.nn.modules.utils._pair), checking only its form; callers
 * check the values with PyTorch's messages. `op` prefixes type errors, e.g. "conv2d".
 */
export function pair(value: unknown, name: string, op: string): [number, number] {
  const values = typeof value === "number" ? [value, value] : Array.isArray(value) ? value : null;
  if (values === null) {
    throw new TypeError(`${op}(): argument '${name}' must be tuple of ints, but got ${pyType(value)}`);
  }
  values.forEach((v, i) => {
    if (typeof v !== "number" || !Number.isInteger(v)) {
      throw new TypeError(`${op}(): argument '${name}' must be tuple of ints, but found element of type ${pyType(v)} at pos ${i + 1}`);
    }
  });
  if (values.length !== 2) {
    throw new Error(`expected ${name} to be a single integer value or a list of 2 values to match the convolution dimensions, but got ${name}=[${values.join(", ")}]`);
  }
  return [values[0], values[1]];
}

/** Checks an integer argument (channel counts, groups). */
export function integer(value: unknown, name: string, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TypeError(`${name} must be an int, but got ${pyRepr(value)} of type ${pyType(value)}`);
  }
  if (value < min) throw new RangeError(`${name} must be ${min === 0 ? "non-negative" : "a positive integer"}, but got ${value}`);
  return value;
}

/** Python's repr of a float: 1e-05, 0.1, 1.0. */
export function pyFloat(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  const exponent = Math.floor(Math.log10(Math.abs(value)));
  if (exponent < -4 || exponent >= 16) {
    return value.toExponential().replace(/e([+-])(\d)$/, "e$10$2").replace("e+", "e+");
  }
  const text = String(value);
  return text.includes(".") || text.includes("e") ? text : `${text}.0`;
}
