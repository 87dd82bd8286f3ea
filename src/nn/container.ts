// nn.Sequential, as torch.nn.Sequential: children "0", "1", ... (or the names of a record), run in order.

import type { Tensor } from "../tensor.js";
import { Module } from "./module.js";

/**
 * A chain of modules. `new nn.Sequential(conv, bn, relu)` or `new nn.Sequential({ conv, bn, relu })`
 * (PyTorch's OrderedDict form). Children are properties: `seq[0]`, `seq.conv`.
 */
export class Sequential extends Module {
  [key: string]: unknown;

  constructor(...modules: Module[] | [Record<string, Module>]) {
    super();
    const entries: [string, unknown][] = modules.length === 1 && !(modules[0] instanceof Module)
      ? Object.entries(modules[0] as Record<string, Module>)
      : (modules as Module[]).map((m, i) => [String(i), m]);
    for (const [name, module] of entries) {
      if (!(module instanceof Module)) {
        throw new TypeError(`Sequential: ${name} is not a Module subclass (got ${module === null ? "null" : typeof module})`);
      }
      this[name] = module;
    }
  }

  /** Number of children, as len(seq). */
  get length(): number {
    return this.named_children().length;
  }

  /** Adds a module at the end, as Sequential.append. */
  append(module: Module): this {
    this[String(this.length)] = module;
    return this;
  }

  override forward(input: Tensor): Tensor {
    let x: unknown = input;
    for (const module of this.children()) x = module.forward(x);
    return x as Tensor;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.children()[Symbol.iterator]();
  }
}
