// nn.ModuleList and nn.ModuleDict, as torch.nn's: holders of submodules (no forward), whose
// children are their entries, so state_dict keys are "0.weight" (list) or "<key>.weight" (dict).

import { Module } from "./module.js";
import { pyType } from "../args.js";

function checkModule(value: unknown): Module {
  if (!(value instanceof Module)) {
    const name = value === null || value === undefined ? "NoneType" : value instanceof Object && !Array.isArray(value) ? value.constructor.name : pyType(value);
    throw new TypeError(`${name} is not a Module subclass`);
  }
  return value;
}

/** Python's list index rule: -len <= index < len, negative counted from the end. */
function listIndex(index: number, length: number): number {
  if (!Number.isInteger(index) || index < -length || index >= length) throw new RangeError(`index ${index} is out of range`);
  return index < 0 ? index + length : index;
}

/**
 * Submodules in a list (https://pytorch.org/docs/1.13/generated/torch.nn.ModuleList.html):
 * `list[0]`, `list.at(-1)`, `list.length`, `for (const m of list)`, `append`, `extend`, `insert`,
 * `pop`, `slice`. Its entries are registered children "0", "1", ..., so a model's
 * `this.layers = new nn.ModuleList([...])` gives PyTorch's keys "layers.0.weight".
 *
 *     const blocks = new nn.ModuleList([new nn.Linear(4, 4), new nn.ReLU()]);
 *     for (const block of blocks) x = block.forward(x);
 */
export class ModuleList<T extends Module = Module> extends Module {
  [index: number]: T;

  constructor(modules: Iterable<T> | null = null) {
    super();
    if (modules !== null) this.extend(modules);
  }

  /** len(list) */
  get length(): number {
    return this.named_children().length;
  }

  /** list[index] with Python's negative indices; out of range throws PyTorch's IndexError message. */
  at(index: number): T {
    return this[listIndex(index, this.length)];
  }

  /** Adds a module at the end; returns this. */
  append(module: T): this {
    this[this.length] = checkModule(module) as T;
    return this;
  }

  /** Appends each module of an iterable; returns this. */
  extend(modules: Iterable<T>): this {
    if (modules === null || typeof (modules as Iterable<T>)[Symbol.iterator] !== "function") {
      throw new TypeError(`ModuleList.extend should be called with an iterable, but got ${pyType(modules)}`);
    }
    const list = [...modules];
    list.forEach(checkModule);
    for (const module of list) this.append(module);
    return this;
  }

  /**
   * Inserts before `index`, with Python's list.insert rule (negative from the end, clamped to the
   * ends). PyTorch 1.13's insert mishandles negative and past-the-end indices (a KeyError part-way,
   * or a gap in the keys); wasmnn does what a Python list does.
   */
  insert(index: number, module: T): void {
    checkModule(module);
    const length = this.length;
    if (!Number.isInteger(index)) throw new TypeError(`list indices must be integers, not ${pyType(index)}`);
    const at = Math.min(Math.max(index < 0 ? index + length : index, 0), length);
    for (let i = length; i > at; i--) this[i] = this[i - 1];
    this[at] = module;
  }

  /** Removes and returns the module at index (default the last); the entries after it move up. */
  pop(index = -1): T {
    const list = [...this];
    const at = listIndex(index, list.length);
    const [removed] = list.splice(at, 1);
    delete this[list.length];
    list.forEach((module, i) => { this[i] = module; });
    return removed;
  }

  /** list[start:end] as a new ModuleList holding the same modules. */
  slice(start?: number, end?: number): ModuleList<T> {
    return new ModuleList([...this].slice(start, end));
  }

  [Symbol.iterator](): Iterator<T> {
    return (this.children() as T[])[Symbol.iterator]();
  }
}

type Entries<T> = Record<string, T> | Map<string, T> | Iterable<readonly [string, T]>;

function entriesOf<T>(modules: Entries<T>): [string, T][] {
  if (modules instanceof Map) return [...modules.entries()];
  if (typeof (modules as Iterable<unknown>)[Symbol.iterator] === "function") {
    return [...(modules as Iterable<readonly [string, T]>)].map((pair, i) => {
      if (!Array.isArray(pair) || pair.length !== 2) {
        throw new TypeError(`ModuleDict update sequence element #${i} should be Iterable; is ${pyType(pair)}`);
      }
      return [pair[0], pair[1]];
    });
  }
  if (modules !== null && typeof modules === "object") return Object.entries(modules);
  throw new TypeError(`ModuleDict.update should be called with an iterable of key/value pairs, but got ${pyType(modules)}`);
}

/**
 * Submodules by name (https://pytorch.org/docs/1.13/generated/torch.nn.ModuleDict.html), in
 * insertion order (also for integer-like keys, which plain JavaScript objects would put first):
 * `dict["conv"]` (typed: `dict["conv"] as nn.Conv2d`), `keys()`, `values()`, `items()`,
 * `update`, `pop`, `clear`, `length`; iterating yields the keys, as a Python dict.
 */
export class ModuleDict<T extends Module = Module> extends Module {
  [key: string]: unknown;
  #order: string[] = [];

  constructor(modules: Entries<T> | null = null) {
    super();
    if (modules !== null) this.update(modules);
  }

  /** Adds or replaces entries (a replaced key keeps its place), as dict.update. */
  update(modules: Entries<T>): void {
    for (const [key, module] of entriesOf(modules)) this.#set(key, module);
  }

  #set(key: string, module: T): void {
    if (typeof key !== "string") throw new TypeError(`module name should be a string. Got ${pyType(key)}`);
    if (key.includes(".")) throw new Error(`module name can't contain ".", got: ${key}`);
    if (key === "") throw new Error("module name can't be empty string \"\"");
    if (!this.#order.includes(key) && key in this) throw new Error(`attribute '${key}' already exists`);
    checkModule(module);
    if (!this.#order.includes(key)) this.#order.push(key);
    this[key] = module;
  }

  /** Entries in insertion order (PyTorch's _modules order); properties assigned directly come after. */
  override named_children(): [string, Module][] {
    const own = super.named_children();
    const listed = this.#order.filter((key) => this[key] instanceof Module).map((key): [string, Module] => [key, this[key] as Module]);
    return [...listed, ...own.filter(([key]) => !this.#order.includes(key))];
  }

  get length(): number {
    return this.named_children().length;
  }
  keys(): string[] {
    return this.named_children().map(([key]) => key);
  }
  values(): T[] {
    return this.named_children().map(([, module]) => module as T);
  }
  items(): [string, T][] {
    return this.named_children() as [string, T][];
  }

  /** Removes `key` and returns its module; a missing key throws PyTorch's KeyError message. */
  pop(key: string): T {
    const module = this[key];
    if (!(module instanceof Module) || !this.keys().includes(key)) throw new Error(`'${key}'`);
    delete this[key];
    this.#order = this.#order.filter((k) => k !== key);
    return module as T;
  }

  clear(): void {
    for (const key of this.keys()) this.pop(key);
  }

  [Symbol.iterator](): Iterator<string> {
    return this.keys()[Symbol.iterator]();
  }
}
