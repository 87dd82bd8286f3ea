// init() takes nothing, or a precompiled WebAssembly.Module, bytes, a URL, a file path or a fetch
// Response (each tried in a fresh process: init loads once per process); bad sources fail clearly.
import { execFileSync } from "node:child_process";
import { describe, expect, test } from "vitest";

const root = new URL("../", import.meta.url).pathname;
const wasmPath = `${root}build/wasmnn.wasm`;

function run(setup: string): string {
  const script = `
    import { readFileSync } from "node:fs";
    import { init, tensor } from "wasmnn";
    ${setup}
    await init(source);
    await init(source);   // idempotent
    console.log(tensor([[1, 2], [3, 4]]).add(tensor([[1, 1], [1, 1]])).tolist().flat().join(","));
  `;
  return execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8" }).trim();
}

describe("init() sources", () => {
  test.each([
    ["nothing (the node entry reads build/wasmnn.wasm)", "const source = undefined;"],
    ["{ module: WebAssembly.Module }", `const source = { module: new WebAssembly.Module(readFileSync(${JSON.stringify(wasmPath)})) };`],
    ["a WebAssembly.Module", `const source = new WebAssembly.Module(readFileSync(${JSON.stringify(wasmPath)}));`],
    ["bytes (Uint8Array)", `const source = new Uint8Array(readFileSync(${JSON.stringify(wasmPath)}));`],
    ["an ArrayBuffer", `const b = readFileSync(${JSON.stringify(wasmPath)}); const source = b.buffer.slice(b.byteOffset, b.byteOffset + b.length);`],
    ["a file: URL", `const source = { module: new URL("file://${wasmPath}") };`],
    ["a file path", `const source = ${JSON.stringify(wasmPath)};`],
    ["a fetch Response", `const source = new Response(readFileSync(${JSON.stringify(wasmPath)}));`],
  ])("%s", (_, setup) => {
    expect(run(setup)).toBe("2,3,4,5");
  });

  test("a bad source or option is a clear error, and using tensors before init says to call init()", () => {
    const script = `
      import { init, tensor } from "wasmnn";
      const messages = [];
      try { tensor([1]); } catch (e) { messages.push(e.message); }
      try { await init({ module: 42 }); } catch (e) { messages.push(e.message); }
      try { await init({ modul: "x" }); } catch (e) { messages.push(e.message); }
      try { await init("/nonexistent/wasmnn.wasm"); } catch (e) { messages.push(e.code ?? e.message); }
      await init();
      console.log(JSON.stringify(messages));
    `;
    const messages = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8" }).trim());
    expect(messages[0]).toMatch(/wasmnn is not initialised: call `await init\(\)`/);
    expect(messages[1]).toMatch(/init: expected a WebAssembly.Module, bytes, URL, path or Response, but got number/);
    expect(messages[2]).toMatch(/init\(\): unknown option 'modul'/);
    expect(messages[3]).toBe("ENOENT");
  });
});
