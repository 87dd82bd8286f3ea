// Automatic freeing of intermediates: tfjs's `tidy`, which every Module.forward runs in.
// A scope records the tensors created while it is the innermost one; when it ends, it disposes
// all of them except those reachable from its result, which move to the enclosing scope.

import type { Tensor } from "./tensor.js";

const scopes: Set<Tensor>[] = [];

// Tensors a scope will free get no FinalizationRegistry entry (registering one costs about as much
// as a small kernel call, and every forward makes hundreds): only those that outlive every scope,
// kept or returned from the outermost one, get the safety net, through this callback.
let escaped: (tensor: Tensor) => void = () => {};

/** tensor.ts registers what to do with a tensor that leaves the last scope (its finalizer entry). */
export function onEscape(handler: (tensor: Tensor) => void): void {
  escaped = handler;
}

/** Called by the Tensor constructor: true when a scope will free the tensor. */
export function track(tensor: Tensor): boolean {
  const scope = scopes[scopes.length - 1];
  if (scope === undefined) return false;
  scope.add(tensor);
  return true;
}

/** Takes a tensor out of every scope, so no scope frees it (parameters, buffers, caches). */
export function keep<T extends Tensor>(tensor: T): T {
  let tracked = false;
  for (const scope of scopes) tracked = scope.delete(tensor) || tracked;
  if (tracked) escaped(tensor);
  return tensor;
}

/** True when the innermost scope will free `tensor` (nothing kept it): an intermediate only its creator's caller holds. */
export function scoped(tensor: Tensor): boolean {
  return scopes[scopes.length - 1]?.has(tensor) ?? false;
}

/**
 * Frees `value` now if it is a tensor that the innermost scope created and nothing kept (an
 * intermediate that a later step has superseded); otherwise does nothing.
 */
export function disposeScoped(value: unknown): void {
  if (scopes[scopes.length - 1]?.delete(value as Tensor)) (value as Tensor).dispose();
}

/**
 * Runs `fn` and frees every tensor it created except those in its result (a Tensor, or arrays /
 * plain objects holding tensors). Also frees them when `fn` throws, then rethrows.
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (error) {
    scopes.pop();
    for (const tensor of scope) tensor.dispose();
    throw error;
  }
  scopes.pop();
  if (result instanceof Promise) {
    for (const tensor of scope) tensor.dispose();
    throw new TypeError("tidy: fn must be synchronous (it returned a Promise); await outside tidy instead");
  }
  const kept = new Set<Tensor>();
  collectTensors(result, kept, 0);
  const parent = scopes[scopes.length - 1];
  for (const tensor of scope) {
    if (!kept.has(tensor)) tensor.dispose();
    else if (parent !== undefined) parent.add(tensor);
    else escaped(tensor);
  }
  return result;
}

function collectTensors(value: unknown, into: Set<Tensor>, depth: number): void {
  if (value === null || typeof value !== "object" || depth > 8) return;
  if (isTensor(value)) { into.add(value); return; }
  if (Array.isArray(value)) { for (const item of value) collectTensors(item, into, depth + 1); return; }
  if (value instanceof Map) { for (const item of value.values()) collectTensors(item, into, depth + 1); return; }
  if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const item of Object.values(value)) collectTensors(item, into, depth + 1);
  }
}

let tensorClass: (new (...args: never[]) => Tensor) | null = null;
/** tensor.ts registers its class here (avoids an import cycle). */
export function registerTensorClass(cls: new (...args: never[]) => Tensor): void {
  tensorClass = cls;
}
function isTensor(value: object): value is Tensor {
  return tensorClass !== null && value instanceof tensorClass;
}
