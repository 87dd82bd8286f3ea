// The FinalizationRegistry safety net (DESIGN: "a FinalizationRegistry frees what users drop").
// Tensors a scope frees never get a finalizer entry (scope.ts); those that outlive every scope get
// one when they escape. Runs the built package in a child with --expose-gc to drive collection.
import { expect, test } from "vitest";
import { afterCollection } from "./helpers.js";

test("dropped tensors are freed by the finalizer whether made inside a scope or not; scoped ones are freed once", () => {
  const result = afterCollection(`
    const conv = new nn.Conv2d(1, 1, 1);                       // 2 parameters stay alive
    conv.forward(tensor(new Float32Array(4), [1, 1, 2, 2])).dispose(); // its packed weights and workspace, once`, `
      tidy(() => tensor([1, 2, 3]).add(tensor([4, 5, 6])));     // escapes the outermost scope
      tensor([1, 2]);                                            // made outside any scope
      conv.forward(tensor(new Float32Array(4), [1, 1, 2, 2]));   // a forward's result
      tidy(() => keep(tensor([7])));                             // kept inside a scope
      tidy(() => tidy(() => [tensor([8]), tensor([9])]));        // nested: returned through two scopes`,
    "init, tidy, tensor, nn, keep");
  // 7 tensors outlived their scopes: the tidy result, the unscoped one, the forward's output and its
  // input (made outside any scope), the kept one, and the two returned through nested scopes
  expect(result.afterDrop.tensors).toBe(7);
  expect(result.left).toBe(0);
  expect(result.bytes).toBe(0);
}, 60_000);
