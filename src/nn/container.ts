// nn.Sequential, as torch.nn.Sequential: children "0", "1", ... (or the names of a record), run in order.

import type { Tensor } from "../tensor.js";
import type { Activation, ConvActivation, MaxPoolSpec } from "../functional/conv.js";
import { MaxPool2d } from "./pooling.js";
import { maxPoolArgs } from "../functional/pool.js";
import { Module } from "./module.js";
import { disposeScoped, scoped } from "../scope.js";
import { Conv2d } from "./conv.js";
import { BatchNorm2d } from "./batchnorm.js";
import { ReLU, ReLU6, Identity, FUSABLE_ACTIVATIONS, type ElementwiseActivation } from "./activation.js";
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

  /** seq[index] with Python's negative indices (seq.at(-1) is the last module), as Sequential.__getitem__. */
  at(index: number): Module {
    const children = this.children();
    if (!Number.isInteger(index) || index < -children.length || index >= children.length) {
      throw new RangeError(`index ${index} is out of range`);
    }
    return children[index < 0 ? index + children.length : index];
  }

  /** Appends each module of an iterable, as Sequential.extend; returns this. */
  extend(modules: Iterable<Module>): this {
    for (const module of [...modules]) this.append(module);
    return this;
  }

  /** Adds a module at the end, as Sequential.append. */
  append(module: Module): this {
    this[String(this.length)] = module;
    return this;
  }

  /**
   * Runs the children in order. In eval mode, Conv2d -> BatchNorm2d folds into one convolution; a
   * ReLU/ReLU6 right after a Conv2d or BatchNorm2d runs in the same kernel call (see fusion.ts), and so
   * does any elementwise activation (SiLU, Hardswish, GELU, Sigmoid, ...) after a Conv2d; a
   * MaxPool2d after a Conv2d (and those) pools it band by band (conv.ts convolveAndPool). Each
   * step's output is freed as soon as the next step has run, and a depthwise step may write its
   * output over its input when nothing else holds that (conv2dWith's `dead`). `consume` (internal:
   * a Sequential above passes true) gives `input` up the same way.
   */
  override forward(input: Tensor, consume = false): Tensor {
    // Identity children change nothing: skipped, so Conv2d, Identity (a folded BatchNorm), ReLU fuse
    // (the class itself: a subclass may do something in its forward)
    const children = this.children().filter((m) => m.constructor !== Identity);
    let x: unknown = input;
    for (let i = 0; i < children.length; i++) {
      const module = children[i];
      const previous = x;
      // x is dead after this step when only this loop holds it: the step before's output, or an input
      // the caller (a Sequential above) gave up; then a step may write over it (conv2dWith's dead)
      // (a scope holds tensors only; a caller that gives up `input` has checked it)
      const dead = (i === 0 ? consume : x !== input && scoped(x as Tensor)) && (x as Tensor)._exclusive() ? x as Tensor : undefined;
      // (fusion takes the classes themselves: a subclass's own forward must run)
      if (module instanceof Conv2d && module.constructor === Conv2d) {
        // Conv2d [+ BatchNorm2d, eval: folded] [+ ReLU/ReLU6/SiLU/...: in the epilogue] [+ MaxPool2d: banded]
        let j = i + 1;
        const bn = canFold(module, children[j]) ? children[j++] as BatchNorm2d : null;
        const activation = convActivationOf(children[j]);
        if (activation !== "none") j++;
        const pool = poolOf(children[j]);
        if (pool !== undefined) j++;
        if (bn !== null) {
          let fold = this.#folds.get(module);
          if (fold === undefined) this.#folds.set(module, fold = new ConvBnFold());
          x = fold.forward(module, bn, x as Tensor, activation, pool, dead);
        } else {
          x = module._forwardWith(x as Tensor, activation, pool, dead);
        }
        i = j - 1;
      } else if (module instanceof BatchNorm2d && module.constructor === BatchNorm2d && !module.training && activationOf(children[i + 1]) !== "none") {
        // clamping in the same pass is the same arithmetic as a separate ReLU: exact
        x = module._forwardWith(x as Tensor, activationOf(children[i + 1]), false);
        i += 1;
      } else {
        // a Sequential child (not overriding forward) may consume x
        x = dead !== undefined && module instanceof Sequential && Object.getPrototypeOf(module).forward === Sequential.prototype.forward ? module.forward(dead, true) : module.forward(x);
      }
      // the step before's output is not needed any more: free it now rather than when this forward
      // returns, so a deep Sequential holds two activations at a time, not all of them (views keep
      // their data; the input, in-place results and tensors a child kept are left alone)
      if (previous !== input && previous !== x) disposeScoped(previous);
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

/** A MaxPool2d without indices, as the fused convolution's pool; undefined otherwise. */
function poolOf(module: unknown): MaxPoolSpec | undefined {
  if (!(module instanceof MaxPool2d) || module.constructor !== MaxPool2d || module.return_indices) return undefined;
  try {
    return maxPoolArgs(module.kernel_size, module.stride, module.padding, module.dilation, module.ceil_mode);
  } catch {
    return undefined;   // bad arguments: the unfused pool reports them
  }
}

/**
 * What a convolution's epilogue runs for `module`: ReLU/ReLU6 as clamps, the elementwise activations
 * of FUSABLE_ACTIVATIONS as their kernel (the same kernel their forward runs: identical bits), else "none".
 */
function convActivationOf(module: unknown): ConvActivation {
  const clamp = activationOf(module);
  if (clamp !== "none" || !FUSABLE_ACTIVATIONS.has((module as object | null)?.constructor)) return clamp;
  try {
    return (module as ElementwiseActivation)._epilogue();
  } catch {
    return "none";   // bad arguments (GELU's approximate): the module's own forward reports them
  }
}

function activationOf(module: unknown): Activation {
  const kind = (module as object | null)?.constructor;
  return kind === ReLU ? "relu" : kind === ReLU6 ? "relu6" : "none";
}
