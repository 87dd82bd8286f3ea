// Helpers the model files share (torchvision/models/_utils.py, v0.14).
import { nn, type Tensor } from "../../core.js";

/**
 * torchvision's builder keywords in one options object: returns `defaults` overridden by
 * `options`, and throws on a name the builder does not take (Python's TypeError wording) or sets
 * itself (`fixed`).
 * `weights` / `progress` are refused with what to do instead: wasmnn downloads nothing.
 */
export function builderOptions<T extends object>(builder: string, options: Partial<T> | undefined, defaults: T, fixed: readonly string[] = []): T {
  if (options === undefined || options === null) return { ...defaults };
  if (typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError(`${builder}() takes its keyword arguments in one options object, but got ${Array.isArray(options) ? "an array" : typeof options}`);
  }
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [key, value] of Object.entries(options)) {
    if (key === "weights" || key === "weights_backbone") {
      if (value === null || value === undefined) continue;
      throw new TypeError(`${builder}(): '${key}' is not supported: wasmnn downloads nothing. Build the model without it, then load torchvision's weights with model.load_state_dict(safetensors.load(bytes))`);
    }
    if (key === "progress") continue;
    // what the builder passes itself (resnext's groups, efficientnet's dropout, ...): Python's
    // "got multiple values" in torchvision, never silently overridden here
    if (fixed.includes(key) && value !== undefined) throw new TypeError(`${builder}() sets '${key}' itself; it cannot be passed`);
    if (!(key in defaults)) throw new TypeError(`${builder}() got an unexpected keyword argument '${key}'`);
    if (value !== undefined) out[key] = value;
  }
  return out as T;
}

/**
 * torchvision's _make_divisible (from TensorFlow's MobileNet): rounds `v` to the nearest multiple of
 * `divisor`, at least `min_value`, never more than 10% below `v`.
 */
export function _make_divisible(v: number, divisor: number, min_value: number | null = null): number {
  const min = min_value ?? divisor;
  let newV = Math.max(min, Math.floor(v + divisor / 2) - (Math.floor(v + divisor / 2) % divisor));
  if (newV < 0.9 * v) newV += divisor;
  return newV;
}

const chains = new WeakMap<nn.Module, Map<string, { modules: nn.Module[]; seq: nn.Sequential }>>();

/**
 * Runs `modules` on `x` as an nn.Sequential of them would: in eval mode a Conv2d with the
 * BatchNorm2d after it folds into one convolution, the activation after them runs in its epilogue
 * and a MaxPool2d after those pools band by band, and each step's output is freed as soon as the
 * next has run. torchvision's forward code calls such modules one by one (ResNet's conv1, bn1, relu,
 * maxpool); this runs them fused without registering a Sequential, so the state_dict keys stay
 * torchvision's. The chain (and its folded, packed weights) is kept per `owner` and `name` while the
 * same modules are in place; the owner's `_invalidateCaches` calls `releaseChains(owner)`.
 */
export function runChain(owner: nn.Module, name: string, modules: nn.Module[], x: Tensor): Tensor {
  let byName = chains.get(owner);
  if (byName === undefined) chains.set(owner, byName = new Map());
  let chain = byName.get(name);
  if (chain === undefined || chain.modules.length !== modules.length || chain.modules.some((m, i) => m !== modules[i])) {
    chain?.seq._invalidateCaches();
    chain = { modules, seq: new nn.Sequential(...modules) };
    byName.set(name, chain);
  }
  return chain.seq.forward(x);
}

/** Frees the folded and packed weights of `owner`'s chains (runChain). */
export function releaseChains(owner: nn.Module): void {
  for (const chain of chains.get(owner)?.values() ?? []) chain.seq._invalidateCaches();
  chains.delete(owner);
}
