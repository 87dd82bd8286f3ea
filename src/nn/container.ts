// nn.Sequential, as torch.nn.Sequential: children "0", "1", ... (or the names of a record), run in order.

import type { Tensor } from "../tensor.js";
import type { Activation } from "../functional/conv.js";
import { Module } from "./module.js";
import { Conv2d } from "./conv.js";
import { BatchNorm2d } from "./batchnorm.js";
import { ReLU, ReLU6 } from "./activation.js";
import { ConvBnFold, canFold } from "./fusion.js";

/**
 * A chain of modules. `new nn.Sequential(conv, bn, relu)` or `new nn.Sequential({ conv, bn, relu })`
 * (PyTorch's OrderedDict form). Children are properties: `seq[0]`, `seq.conv`.
 */
export class Sequential extends Module {
  [key: string]: unknown;
  // folded Conv2d+BatchNorm2d pairs (eval mode), per conv
  #folds = new Map<Conv2d, ConvBnFold>();

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

  /**
   * Runs the children in order. In eval mode, Conv2d -> BatchNorm2d folds into one convolution and a
   * ReLU/ReLU6 right after a Conv2d or BatchNorm2d runs in its kernel's epilogue (see fusion.ts).
   */
  override forward(input: Tensor): Tensor {
    const children = this.children();
    let x: unknown = input;
    for (let i = 0; i < children.length; i++) {
      const module = children[i];
      const next = children[i + 1];
      if (module instanceof Conv2d && canFold(module, next)) {
        const activation = activationOf(children[i + 2]);
        let fold = this.#folds.get(module);
        if (fold === undefined) this.#folds.set(module, fold = new ConvBnFold());
        x = fold.forward(module, next, x as Tensor, activation);
        i += activation === "none" ? 1 : 2;
      } else if ((module instanceof Conv2d || (module instanceof BatchNorm2d && !module.training)) && activationOf(next) !== "none") {
        // clamping in the same pass is the same arithmetic as a separate ReLU: exact
        x = module instanceof Conv2d ? module._forwardWith(x as Tensor, activationOf(next)) : module._forwardWith(x as Tensor, activationOf(next), false);
        i += 1;
      } else {
        x = module.forward(x);
      }
    }
    return x as Tensor;
  }

  override _invalidateCaches(): void {
    for (const fold of this.#folds.values()) fold.dispose();
    this.#folds.clear();
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.children()[Symbol.iterator]();
  }
}

function activationOf(module: unknown): Activation {
  return module instanceof ReLU ? "relu" : module instanceof ReLU6 ? "relu6" : "none";
}
