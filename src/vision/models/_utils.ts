// Helpers the model files share (torchvision/models/_utils.py, v0.14).

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
