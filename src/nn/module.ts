// nn.Module: the base of every layer and of user models, as torch.nn.Module.
// Parameters, buffers and children are found on the instance's own properties in assignment order
// (PyTorch registers them in __setattr__), so state_dict keys come out as PyTorch's.

import { Tensor, Storage } from "../tensor.js";
import { keep, tidy } from "../scope.js";
import { heapU8 } from "../runtime.js";
import { fmtShape } from "../functional/shape.js";
import { releaseWorkspaces } from "../allocator.js";

/** A learnable tensor (torch.nn.Parameter): shares `data`'s memory and is never freed by a scope. */
export class Parameter extends Tensor {
  constructor(data: Tensor) {
    if (!(data instanceof Tensor)) throw new TypeError(`Parameter(): expected a Tensor, but got ${typeof data}`);
    super(data._shareStorage() as Storage, data.shape, data.dtype);
    keep(this);
    this._setKind("weights");   // memory() counts it as a weight (a deferred one once allocated)
  }
}

/** @internal a Parameter that takes over a fresh tensor (whose own handle is released) */
export function adoptAsParameter(fresh: Tensor): Parameter {
  const param = new Parameter(fresh);
  fresh.dispose();
  return param;
}

export interface LoadResult {
  missing_keys: string[];
  unexpected_keys: string[];
}

const torchSize = (shape: readonly number[]): string => `torch.Size(${fmtShape(shape)})`;

export class Module {
  /** true in training mode (the default), false after eval(). */
  training = true;
  // names registered through register_buffer; values live on the instance's properties
  #buffers = new Map<string, { persistent: boolean }>();

  constructor() {
    // Every forward runs in a scope (see DESIGN "Memory without ceremony"): intermediates are
    // freed when it returns; its result moves to the caller's scope.
    const forward = this.forward;
    Object.defineProperty(this, "forward", {
      value: (...args: unknown[]) => tidy(() => forward.apply(this, args)),
      enumerable: false, writable: true, configurable: true,
    });
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  forward(..._args: any[]): any {
    throw new Error(`Module [${this._get_name()}] is missing the required "forward" function`);
  }

  /** Registers state that is not learnable (running_mean, ...); appears in state_dict if persistent. */
  register_buffer(name: string, tensor: Tensor | null, persistent = true): void {
    if (tensor !== null && !(tensor instanceof Tensor)) {
      throw new TypeError(`cannot assign '${typeof tensor}' object to buffer '${name}' (torch Tensor or None required)`);
    }
    if (tensor !== null) {
      keep(tensor);
      tensor._setKind("weights");
    }
    this.#buffers.set(name, { persistent });
    (this as unknown as Record<string, unknown>)[name] = tensor;
  }

  /** Adds a parameter under `name` (as assigning a Parameter property does). */
  register_parameter(name: string, param: Parameter | null): void {
    if (param !== null && !(param instanceof Parameter)) {
      throw new TypeError(`cannot assign '${typeof param}' object to parameter '${name}' (torch.nn.Parameter or None required)`);
    }
    (this as unknown as Record<string, unknown>)[name] = param;
  }

  #own(): [string, unknown][] {
    return Object.entries(this).filter(([key]) => key !== "training");
  }
  _ownParameters(): [string, Parameter][] {
    return this.#own().filter((entry): entry is [string, Parameter] => entry[1] instanceof Parameter);
  }
  _ownBuffers(persistentOnly = false): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [name, { persistent }] of this.#buffers) {
      const value = (this as unknown as Record<string, unknown>)[name];
      if (value instanceof Tensor && (persistent || !persistentOnly)) out.push([name, value]);
    }
    return out;
  }

  named_children(): [string, Module][] {
    return this.#own().filter((entry): entry is [string, Module] => entry[1] instanceof Module);
  }
  children(): Module[] {
    return this.named_children().map(([, m]) => m);
  }

  /** This module and all below it, depth first, each once (as PyTorch's remove_duplicate). */
  named_modules(prefix = "", seen = new Set<Module>()): [string, Module][] {
    if (seen.has(this)) return [];
    seen.add(this);
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, child] of this.named_children()) {
      out.push(...child.named_modules(prefix ? `${prefix}.${name}` : name, seen));
    }
    return out;
  }
  modules(): Module[] {
    return this.named_modules().map(([, m]) => m);
  }

  named_parameters(prefix = "", recurse = true): [string, Parameter][] {
    return this.#namedMembers(prefix, recurse, (m) => m._ownParameters());
  }
  parameters(recurse = true): Parameter[] {
    return this.named_parameters("", recurse).map(([, p]) => p);
  }
  named_buffers(prefix = "", recurse = true): [string, Tensor][] {
    return this.#namedMembers(prefix, recurse, (m) => m._ownBuffers());
  }
  buffers(recurse = true): Tensor[] {
    return this.named_buffers("", recurse).map(([, b]) => b);
  }

  #namedMembers<T extends Tensor>(prefix: string, recurse: boolean, members: (m: Module) => [string, T][]): [string, T][] {
    const modules: [string, Module][] = recurse ? this.named_modules(prefix) : [[prefix, this]];
    const seen = new Set<T>();
    const out: [string, T][] = [];
    for (const [modulePrefix, module] of modules) {
      for (const [name, value] of members(module)) {
        if (seen.has(value)) continue;
        seen.add(value);
        out.push([modulePrefix ? `${modulePrefix}.${name}` : name, value]);
      }
    }
    return out;
  }

  /**
   * The module's own tensors by PyTorch's keys: per module its parameters, then its persistent
   * buffers, then its children's. The tensors are the module's (shared, as PyTorch's): don't dispose them.
   */
  state_dict(prefix = ""): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [name, value] of this._ownParameters()) out[prefix + name] = value;
    for (const [name, value] of this._ownBuffers(true)) out[prefix + name] = value;
    for (const [name, child] of this.named_children()) Object.assign(out, child.state_dict(`${prefix}${name}.`));
    return out;
  }

  /**
   * Copies `state_dict`'s tensors into this module's. Everything is checked before anything is
   * copied, so on error the module is unchanged. Errors are worded as PyTorch's.
   */
  load_state_dict(state_dict: Record<string, Tensor>, strict: boolean | { strict?: boolean } = true): LoadResult {
    const isStrict = typeof strict === "object" ? strict.strict ?? true : strict;
    if (state_dict === null || typeof state_dict !== "object") {
      throw new TypeError(`Expected state_dict to be dict-like, got ${typeof state_dict}.`);
    }
    const own = this.state_dict();
    // keys a module fills in itself when absent (BatchNorm's num_batches_tracked, as PyTorch)
    const fillIns: (() => void)[] = [];
    for (const [prefix, module] of this.named_modules()) {
      for (const name of module._optionalStateKeys()) {
        const key = prefix ? `${prefix}.${name}` : name;
        if (key in own && !(key in state_dict)) {
          delete own[key];
          fillIns.push(() => module._fillMissingState(name));
        }
      }
    }
    const missing_keys = Object.keys(own).filter((key) => !(key in state_dict));
    const unexpected_keys = Object.keys(state_dict).filter((key) => !(key in own));
    const errors: string[] = [];
    const copies: [Tensor, Tensor][] = [];
    for (const [key, target] of Object.entries(own)) {
      if (!(key in state_dict)) continue;
      const source = state_dict[key];
      if (!(source instanceof Tensor) || source.isDisposed) {
        errors.push(`While copying the parameter named "${key}", expected torch.Tensor or Tensor-like object from checkpoint but received ${source instanceof Tensor ? "a disposed Tensor" : typeof source}`);
        continue;
      }
      // PyTorch accepts a one-element 1-D tensor for a 0-d buffer (backward compatibility)
      const shapeOk = fmtShape(source.shape) === fmtShape(target.shape) ||
        (target.dim() === 0 && source.dim() === 1 && source.numel() === 1);
      if (!shapeOk) {
        errors.push(`size mismatch for ${key}: copying a param with shape ${torchSize(source.shape)} from checkpoint, the shape in current model is ${torchSize(target.shape)}.`);
        continue;
      }
      if (source.dtype !== target.dtype) {
        errors.push(`dtype mismatch for ${key}: copying a param of dtype ${source.dtype} from checkpoint, the dtype in current model is ${target.dtype}.`);
        continue;
      }
      source._isDeferred();   // a deferred source's bytes must still be there (throws before anything is copied)
      copies.push([source, target]);
    }
    if (isStrict) {
      if (unexpected_keys.length > 0) errors.unshift(`Unexpected key(s) in state_dict: ${unexpected_keys.map((k) => `"${k}"`).join(", ")}. `);
      if (missing_keys.length > 0) errors.unshift(`Missing key(s) in state_dict: ${missing_keys.map((k) => `"${k}"`).join(", ")}. `);
    }
    if (errors.length > 0) {
      throw new Error(`Error(s) in loading state_dict for ${this._get_name()}:\n\t${errors.join("\n\t")}`);
    }
    for (const [source, target] of copies) {
      if (source._sharesStorage(target)) continue;   // the module's own tensor: nothing to copy
      // a deferred source goes straight into the target, never into linear memory itself: the
      // bytes of safetensors.load's file, or the values of a recipe (another model's default init)
      // (converted from its file's type, as f16 -> float32, on the way in)
      const bytes = target.numel() * (target.dtype === "int64" ? 8 : 4);
      // the target is overwritten whole: a deferred one (a default initialisation not yet drawn) is
      // allocated without drawing it. Before the heap views: allocating detaches earlier ones.
      const to = target._ptrForOverwrite();
      if (!source._readDeferred(heapU8().subarray(to, to + bytes))) {
        const from = source.ptr;
        heapU8().copyWithin(to, from, from + bytes);
      }
      target._bump();
    }
    for (const fill of fillIns) fill();
    for (const module of this.modules()) module._invalidateCaches();
    return { missing_keys, unexpected_keys };
  }

  /** Sets training mode on this module and its descendants; returns this. */
  train(mode = true): this {
    for (const module of this.modules()) {
      module.training = mode;
      module._invalidateCaches();
    }
    return this;
  }
  eval(): this {
    return this.train(false);
  }

  /**
   * Frees the parameters, buffers and caches (packed weights) of this module and its descendants,
   * and the kernels' shared workspaces (they grow back on the next call), so that the next model
   * of the same size reuses the memory. Safe to call twice.
   */
  dispose(): void {
    for (const module of this.modules()) {
      module._invalidateCaches();
      for (const [, p] of module._ownParameters()) p.dispose();
      for (const [, b] of module._ownBuffers()) b.dispose();
    }
    releaseWorkspaces();
  }
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** @internal state keys this module fills in itself when a state_dict lacks them */
  _optionalStateKeys(): string[] {
    return [];
  }
  /** @internal fills in an absent optional key (see _optionalStateKeys) */
  _fillMissingState(_name: string): void {}

  /** @internal subclasses drop derived data (packed weights) here */
  _invalidateCaches(): void {}

  /** The part of repr inside the parentheses (as PyTorch's extra_repr). */
  extra_repr(): string {
    return "";
  }
  _get_name(): string {
    return this.constructor.name;
  }

  /** PyTorch's repr: `Name(extra)` or the children indented, one per line. */
  toString(): string {
    const extra = this.extra_repr();
    const extraLines = extra ? extra.split("\n") : [];
    const childLines = this.named_children().map(([key, module]) => `(${key}): ${indent(String(module), 2)}`);
    const lines = [...extraLines, ...childLines];
    let out = `${this._get_name()}(`;
    if (lines.length > 0) {
      out += extraLines.length === 1 && childLines.length === 0 ? extraLines[0] : `\n  ${lines.join("\n  ")}\n`;
    }
    return `${out})`;
  }
}

function indent(text: string, spaces: number): string {
  const [first, ...rest] = text.split("\n");
  return rest.length === 0 ? first : [first, ...rest.map((line) => " ".repeat(spaces) + line)].join("\n");
}
