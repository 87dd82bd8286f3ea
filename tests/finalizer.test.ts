// The FinalizationRegistry safety net (DESIGN: "a FinalizationRegistry frees what users drop").
// Tensors a scope frees never get a finalizer entry (scope.ts); those that outlive every scope get
// one when they escape. Runs the built package in a child with --expose-gc to drive collection.
import { execFileSync } from "node:child_process";
import { expect, test } from "vitest";

const root = new URL("../", import.meta.url).pathname;

test("dropped tensors are freed by the finalizer whether made inside a scope or not; scoped ones are freed once", () => {
  const script = `
    import { init, tidy, tensor, memory, nn, keep } from "wasmnn";
    await init();
    const conv = new nn.Conv2d(1, 1, 1);                       // 2 parameters stay alive
    conv.forward(tensor(new Float32Array(4), [1, 1, 2, 2])).dispose(); // its packed weights and workspace, once
    const base = memory();
    const dropAll = () => {
      tidy(() => tensor([1, 2, 3]).add(tensor([4, 5, 6])));     // escapes the outermost scope
      tensor([1, 2]);                                            // made outside any scope
      conv.forward(tensor(new Float32Array(4), [1, 1, 2, 2]));   // a forward's result
      tidy(() => keep(tensor([7])));                             // kept inside a scope
      tidy(() => tidy(() => [tensor([8]), tensor([9])]));        // nested: returned through two scopes
    };
    dropAll();
    const afterDrop = memory().liveTensors - base.liveTensors;
    for (let i = 0; i < 20 && memory().liveTensors > base.liveTensors; i++) {
      globalThis.gc();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const end = memory();
    console.log(JSON.stringify({ afterDrop, left: end.liveTensors - base.liveTensors, bytes: end.liveBytes - base.liveBytes }));`;
  const out = execFileSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", script], { cwd: root, encoding: "utf8" });
  const result = JSON.parse(out.trim().split("\n").at(-1)!);
  // 7 tensors outlived their scopes: the tidy result, the unscoped one, the forward's output and its
  // input (made outside any scope), the kept one, and the two returned through nested scopes
  expect(result.afterDrop).toBe(7);
  expect(result.left).toBe(0);
  expect(result.bytes).toBe(0);
}, 60_000);
