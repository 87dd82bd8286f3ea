// The hostile torch.load corpus (tests/hostile-torch/*.pt, written by tests/hostile-torch/gen.mjs,
// expected.json: file -> the message each must give): every code-running route of a pickle, lies
// about sizes, broken zips and legacy files, deep nesting. Each must give a clear Error within a
// second — never a trap, a stack overflow, a hang or a leak — grow Wasm memory by at most the
// file's size, and leave an existing tensor intact and the next valid load working. Then a
// fast-check property mutating the valid fixtures (tests/fixtures/io): load returns or throws an Error.
import { readdirSync, readFileSync } from "node:fs";
import { beforeAll, describe, expect, test } from "vitest";
import fc from "fast-check";
import { init, load, memory, Tensor, tensor } from "../src/index.js";
import { disposeAll } from "./helpers.js";

beforeAll(() => init());

const dir = new URL("./hostile-torch/", import.meta.url);
const fixtures = new URL("./fixtures/io/", import.meta.url);
const EXPECTED = JSON.parse(readFileSync(new URL("expected.json", dir), "utf8")) as Record<string, string>;
const files = readdirSync(dir).filter((name) => name.endsWith(".pt")).map((name) => name.slice(0, -3)).sort();
const read = (name: string) => new Uint8Array(readFileSync(new URL(`${name}.pt`, dir)));


/** What load did with `bytes`: its error (or null), the time it took. */
function attempt(bytes: Uint8Array): { error: unknown; ms: number } {
  const start = performance.now();
  try {
    disposeAll(load(bytes));
    return { error: null, ms: performance.now() - start };
  } catch (error) {
    return { error, ms: performance.now() - start };
  }
}

describe("hostile torch.load corpus", () => {
  test("the corpus has >= 40 files, each in expected.json, each small", () => {
    expect(files.length).toBeGreaterThanOrEqual(40);
    expect(new Set(files)).toEqual(new Set(Object.keys(EXPECTED)));
    for (const name of files) expect(read(name).length, name).toBeLessThanOrEqual(256 * 1024);
    console.log(`hostile torch corpus: ${files.length} files, ${files.reduce((n, f) => n + read(f).length, 0)} bytes in all`);
  });

  test.each(Object.entries(EXPECTED))("%s: a clear Error, nothing trapped, leaked or overwritten", (name, pattern) => {
    const bytes = read(name);
    const bystander = tensor(new Float32Array([1.5, -2, 3.25, Number.NaN]), [2, 2]);
    const bits = new Uint8Array(bystander.data<Float32Array>().buffer.slice(0));
    const before = memory();
    const { error, ms } = attempt(bytes);
    expect(error, `${name} must throw`).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(WebAssembly.RuntimeError);
    expect(error).not.toBeInstanceOf(RangeError);   // a stack overflow or a failed allocation is no clear error
    expect((error as Error).message).toMatch(/^load: /);
    expect((error as Error).message).toMatch(new RegExp(pattern));
    expect(ms, "no hang").toBeLessThan(1000);
    const after = memory();
    expect(after.liveTensors, "live tensors").toBe(before.liveTensors);
    expect(after.liveBytes, "live bytes").toBe(before.liveBytes);
    expect(after.wasmBytes - before.wasmBytes, "linear memory growth").toBeLessThanOrEqual(bytes.length);
    expect(new Uint8Array(bystander.data<Float32Array>().buffer.slice(0)), "an existing tensor").toEqual(bits);
    bystander.dispose();
    // the next valid load works; the same file from an ArrayBuffer gives the same error
    disposeAll(load(new Uint8Array(readFileSync(new URL("state_zip.pt", fixtures)))));
    expect(() => load(bytes.slice().buffer)).toThrow(new RegExp(pattern));
  });
});

describe("mutated valid files: load returns or throws an Error, never traps, hangs or leaks", () => {
  const valid = readdirSync(fixtures).filter((name) => /\.pth?$/.test(name) && !name.startsWith("refuse_")).sort();
  const originals = valid.map((name) => new Uint8Array(readFileSync(new URL(name, fixtures))));

  // a position as a fraction of the length, uniform (fc.double leans to 0 and the edges: mostly the file's first bytes)
  const position = fc.integer({ min: 0, max: 2 ** 30 - 1 }).map((n) => n / 2 ** 30);
  /** One mutation of a file: flip, overwrite, insert, delete or truncate at a position (a fraction of its length). */
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant("flip" as const), at: position, bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant("set" as const), at: position, byte: fc.constantFrom(0x00, 0x28, 0x2e, 0x51, 0x52, 0x63, 0x7f, 0x80, 0xff) }),
    fc.record({ kind: fc.constant("insert" as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
    fc.record({ kind: fc.constant("delete" as const), at: position, count: fc.integer({ min: 1, max: 16 }) }),
    fc.record({ kind: fc.constant("truncate" as const), at: position }),
  );
  type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

  function mutate(source: Uint8Array, mutations: Mutation[]): Uint8Array {
    let bytes = source.slice();
    for (const m of mutations) {
      const at = Math.floor(m.at * bytes.length);
      if (m.kind === "flip") bytes[at] ^= 1 << m.bit;
      else if (m.kind === "set") bytes[at] = m.byte;
      else if (m.kind === "insert") { const out = new Uint8Array(bytes.length + m.bytes.length); out.set(bytes.subarray(0, at)); out.set(m.bytes, at); out.set(bytes.subarray(at), at + m.bytes.length); bytes = out; }
      else if (m.kind === "delete") bytes = new Uint8Array([...bytes.subarray(0, at), ...bytes.subarray(at + m.count)]);
      else bytes = bytes.slice(0, at);
      if (bytes.length === 0) break;
    }
    return bytes;
  }

  test(`${valid.length} fixtures, mutated`, () => {
    expect(valid.length).toBeGreaterThanOrEqual(5);
    const before = memory();
    let threw = 0;
    let loaded = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: valid.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (which, mutations) => {
        const bytes = mutate(originals[which], mutations);
        const { error, ms } = attempt(bytes);
        if (error === null) loaded++;
        else {
          threw++;
          if (!(error instanceof Error) || error instanceof WebAssembly.RuntimeError || error instanceof RangeError) return false;
          if (!/^load: /.test(error.message)) return false;
        }
        const now = memory();
        return ms < 1000 && now.liveTensors === before.liveTensors && now.liveBytes === before.liveBytes;
      }),
      { numRuns: 1500, seed: 14 },
    );
    console.log(`mutated fixtures: ${threw} refused, ${loaded} loaded`);
    expect(threw).toBeGreaterThan(0);
  });

  /** The zip fixtures' data.pkl record: [start, end) in the file (from its central directory entry). */
  function pickleRange(bytes: Uint8Array): [number, number] | null {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (buffer.readUInt32LE(0) !== 0x04034b50) return [0, bytes.length];   // legacy: pickles all through
    const local = buffer.indexOf("/data.pkl") - buffer.lastIndexOf("PK\x03\x04", buffer.indexOf("/data.pkl"));
    const header = buffer.lastIndexOf("PK\x03\x04", buffer.indexOf("/data.pkl"));
    const central = buffer.indexOf("PK\x01\x02");
    const entry = buffer.lastIndexOf("PK\x01\x02", buffer.indexOf("/data.pkl", central));
    if (local < 0 || header < 0 || entry < 0) return null;
    const start = header + 30 + buffer.readUInt16LE(header + 26) + buffer.readUInt16LE(header + 28);
    return [start, start + buffer.readUInt32LE(entry + 24)];
  }

  test("fixtures with their pickles' bytes flipped or overwritten (the zip intact)", () => {
    const ranges = originals.map(pickleRange);
    expect(ranges.every((r) => r !== null)).toBe(true);
    const before = memory();
    let threw = 0;
    let loaded = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: valid.length - 1 }), fc.array(fc.tuple(position, fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }), (which, edits) => {
        const bytes = originals[which].slice();
        const [start, end] = ranges[which]!;
        for (const [at, byte] of edits) bytes[start + Math.floor(at * (end - start))] = byte;
        const { error, ms } = attempt(bytes);
        if (error === null) loaded++;
        else {
          threw++;
          if (!(error instanceof Error) || error instanceof WebAssembly.RuntimeError || error instanceof RangeError || !/^load: /.test(error.message)) return false;
        }
        const now = memory();
        return ms < 1000 && now.liveTensors === before.liveTensors && now.liveBytes === before.liveBytes;
      }),
      { numRuns: 1500, seed: 14 },
    );
    console.log(`fixtures with mutated pickles: ${threw} refused, ${loaded} loaded`);
    expect(threw).toBeGreaterThan(0);
    expect(loaded).toBeGreaterThan(0);
  });
});
