// Shared test helpers: fixture loading and tolerance checks.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { nn, randn, safetensors, tidy, Tensor } from "../src/index.js";

const here = new URL("./fixtures/", import.meta.url);

export interface Fixture<M> {
  manifest: M;
  tensors: Record<string, Tensor>;
}

/** Reads tests/fixtures/<name>.json and <name>.safetensors (written by tests/fixtures/gen.py). */
export function loadFixture<M>(name: string): Fixture<M> {
  const manifest = JSON.parse(readFileSync(new URL(`${name}.json`, here), "utf8")) as M;
  const tensors = safetensors.load(readFileSync(new URL(`${name}.safetensors`, here)));
  return { manifest, tensors };
}

export interface Tolerance { atol: number; rtol: number }

/**
 * Worst violation of |actual - expected| <= atol + rtol * |expected| (torch.allclose's rule);
 * NaN must meet NaN and infinities must match exactly. Returns the largest absolute error seen.
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, label = ""): number {
  if (actual.length !== expected.length) throw new Error(`${label}: length ${actual.length} != expected ${expected.length}`);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e) || !Number.isFinite(e)) {
      if (!Object.is(a, e) && !(Number.isNaN(a) && Number.isNaN(e))) throw new Error(`${label}: element ${i} is ${a}, expected ${e}`);
      continue;
    }
    const err = Math.abs(a - e);
    if (!(err <= tol.atol + tol.rtol * Math.abs(e))) {
      throw new Error(`${label}: element ${i} is ${a}, expected ${e} (error ${err.toExponential(2)} > atol ${tol.atol} + rtol ${tol.rtol} * |expected|)`);
    }
    worst = Math.max(worst, err);
  }
  return worst;
}

/**
 * The message of the Error `fn` throws inside a tidy scope ("" when it throws nothing, which then
 * fails the message check); a Wasm trap instead of a JavaScript Error fails the test.
 */
export function thrownMessage(fn: () => unknown): string {
  try {
    tidy(fn);
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(WebAssembly.RuntimeError);
    return (error as Error).message;
  }
  return "";
}

/** PyTorch's message exactly, or the documented pattern where wasmnn's knowingly differs. */
export function expectPyTorchMessage(message: string, pytorch: string, different?: { expected: RegExp }): void {
  if (different) expect(message).toMatch(different.expected);
  else expect(message).toBe(pytorch);
}

/** `count` floats in [-1, 1) from a seeded linear congruential generator (the same in every runtime). */
export function lcgFloats(count: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** A BatchNorm2d (eval statistics) with random affine parameters and statistics, so folding changes the numbers. */
export function randomBn(channels: number): nn.BatchNorm2d {
  const bn = new nn.BatchNorm2d(channels);
  tidy(() => {
    const spread = randn([channels]);
    bn.load_state_dict({
      weight: randn([channels]), bias: randn([channels]), running_mean: randn([channels]),
      running_var: spread.mul(spread).add(0.5),
    }, false);
  });
  return bn;
}

/**
 * Runs `setup` then `drop` (code using the built package, "wasmnn") in a fresh Node with --expose-gc,
 * then collects garbage until the finalizer has freed what `drop` left (at most 20 rounds). Returns
 * what was live right after `drop`, and what is left after collection, against the state after `setup`.
 */
export function afterCollection(setup: string, drop: string, imports: string): {
  afterDrop: { tensors: number; bytes: number }; left: number; bytes: number;
} {
  const script = `
    import { ${imports}, memory } from "wasmnn";
    await init();
    ${setup}
    const base = memory();
    (() => {
      ${drop}
    })();
    const afterDrop = { tensors: memory().liveTensors - base.liveTensors, bytes: memory().liveBytes - base.liveBytes };
    for (let i = 0; i < 20 && memory().liveTensors > base.liveTensors; i++) {
      globalThis.gc();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const end = memory();
    console.log(JSON.stringify({ afterDrop, left: end.liveTensors - base.liveTensors, bytes: end.liveBytes - base.liveBytes }));`;
  const root = new URL("../", import.meta.url).pathname;
  const out = execFileSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", script], { cwd: root, encoding: "utf8" });
  return JSON.parse(out.trim().split("\n").at(-1)!);
}

/** Disposes every tensor in a loaded value (iteratively: values may nest deeply). */
export function disposeAll(value: unknown): void {
  const work = [value];
  const seen = new Set<unknown>();
  while (work.length > 0) {
    const v = work.pop();
    if (v === null || typeof v !== "object" || seen.has(v)) continue;
    seen.add(v);
    if (v instanceof Tensor) v.dispose();
    else if (v instanceof Map) for (const [k, item] of v) work.push(k, item);
    else if (v instanceof Set) work.push(...v);
    else if (!(v instanceof Uint8Array)) work.push(...Object.values(v));
  }
}
