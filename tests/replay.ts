// Replays PyTorch calls recorded by tests/fixtures/gen_ops.py through wasmnn's public API, with
// DESIGN.md's mapping: torch.X -> wasmnn's top-level X, Tensor.X -> a method of the first
// argument, F.X -> F.X, nn.X -> new nn.X(...).forward(...). Positional arguments stay positional,
// keyword arguments become one trailing options object, exactly as a user would port the call.
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, test } from "vitest";
import * as wasmnn from "../src/index.js";
import { init, nn, safetensors, tensor, tidy, Tensor } from "../src/index.js";
import { expectClose, thrownMessage, type Tolerance } from "./helpers.js";

await init();

export interface ReplayCase {
  id: string;
  call?: string;
  module?: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  out?: unknown;
  error?: { type: string; message: string; at?: string };
  state?: Record<string, unknown>;
  state_after?: Record<string, unknown>;
  inputs?: unknown[];
  training?: boolean;
  steps?: number;
  repr?: string;
  tags?: string[];
}

export interface ReplayOptions {
  /**
   * The tolerance for a call or module name ("torch.add", "Tensor.mul_", "F.gelu", "nn.GELU");
   * null means bit-exact (NaN equals NaN). Every name in the fixture must have one: a missing entry
   * fails the case instead of falling back to a default.
   */
  tolerance: Record<string, Tolerance | null | ((c: ReplayCase) => Tolerance | null)>;
  /** Where wasmnn's error message knowingly differs from PyTorch's: case id -> the pattern it matches, and why. */
  messages?: Record<string, { expected: RegExp; why: string }>;
  /** Case ids that are not replayed, each with the reason. */
  skip?: Record<string, string>;
  /** Module names whose repr is not compared, with the reason. */
  noRepr?: Record<string, string>;
}

const fixtureDir = new URL("./fixtures/ops/", import.meta.url);

export function loadOps(family: string): { cases: ReplayCase[]; tensors: Record<string, Tensor> } {
  const doc = JSON.parse(readFileSync(new URL(`${family}.json`, fixtureDir), "utf8")) as { cases: ReplayCase[] };
  const tensors = safetensors.load(readFileSync(new URL(`${family}.safetensors`, fixtureDir)));
  return { cases: doc.cases, tensors };
}

const isRef = (v: unknown, key: string): v is Record<string, string> =>
  v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 1 && key in v;

const FLOATS: Record<string, number> = { inf: Infinity, "-inf": -Infinity, nan: NaN };

/** Fixture JSON -> JavaScript arguments: fresh tensor copies (in-place calls must not touch the fixture). */
export function decode(value: unknown, tensors: Record<string, Tensor>): unknown {
  if (isRef(value, "tensor")) {
    const t = tensors[value.tensor];
    if (t === undefined) throw new Error(`fixture tensor ${value.tensor} is missing`);
    return tensor(t.data<Float32Array | BigInt64Array>(), t.shape);
  }
  if (isRef(value, "float")) return FLOATS[value.float];
  if (Array.isArray(value)) return value.map((v) => decode(v, tensors));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decode(v, tensors)]));
  }
  return value;
}

function withKwargs(args: unknown[], kwargs: Record<string, unknown>): unknown[] {
  return Object.keys(kwargs).length > 0 ? [...args, kwargs] : args;
}

/** Compares a result with the recorded one (recursively for arrays); returns the worst absolute error. */
export function compareResult(actual: unknown, expected: unknown, tensors: Record<string, Tensor>, tol: Tolerance | null, label: string): number {
  if (isRef(expected, "tensor")) {
    const want = tensors[expected.tensor];
    expect(actual, label).toBeInstanceOf(Tensor);
    const got = actual as Tensor;
    expect(got.shape, `${label} shape`).toEqual(want.shape);
    expect(got.dtype, `${label} dtype`).toBe(want.dtype);
    const a = got.data<Float32Array | BigInt64Array>();
    const e = want.data<Float32Array | BigInt64Array>();
    if (tol === null || want.dtype === "int64") {
      for (let i = 0; i < e.length; i++) {
        const same = Object.is(a[i], e[i]) || (typeof a[i] === "number" && Number.isNaN(a[i]) && Number.isNaN(e[i] as number));
        if (!same) throw new Error(`${label}: element ${i} is ${String(a[i])}, expected ${String(e[i])} (bit-exact)`);
      }
      return 0;
    }
    return expectClose(a as Float32Array, e as Float32Array, tol, label);
  }
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), `${label}: expected an array (a Python tuple/list)`).toBe(true);
    const got = actual as unknown[];
    expect(got.length, `${label} length`).toBe(expected.length);
    return Math.max(0, ...expected.map((e, i) => compareResult(got[i], e, tensors, tol, `${label}[${i}]`)));
  }
  const want = decode(expected, tensors);
  if (typeof want === "number" && typeof actual === "number" && tol !== null && Number.isFinite(want)) {
    expectClose([actual], [want], tol, label);
    return Math.abs(actual - want);
  }
  expect(actual, label).toEqual(want);
  return 0;
}

function caseName(c: ReplayCase): string {
  return c.call ?? c.module ?? "?";
}

function run(c: ReplayCase, tensors: Record<string, Tensor>): { result: unknown; module?: nn.Module } {
  const args = decode(c.args, tensors) as unknown[];
  const kwargs = decode(c.kwargs, tensors) as Record<string, unknown>;
  if (c.module !== undefined) {
    const Ctor = (nn as unknown as Record<string, new (...a: unknown[]) => nn.Module>)[c.module.slice(3)];
    if (typeof Ctor !== "function") throw new Error(`wasmnn has no ${c.module}`);
    const module = new Ctor(...withKwargs(args, kwargs));
    if (c.state === undefined) return { result: undefined, module };   // constructor error cases
    module.load_state_dict(decode(c.state, tensors) as Record<string, Tensor>);
    module.train(c.training ?? false);
    const inputs = decode(c.inputs ?? [], tensors) as unknown[];
    let result: unknown;
    for (let step = 0; step < (c.steps ?? 1); step++) result = module.forward(...inputs);
    return { result, module };
  }
  const [scope, name] = [c.call!.slice(0, c.call!.indexOf(".")), c.call!.slice(c.call!.indexOf(".") + 1)];
  const full = withKwargs(scope === "Tensor" ? args.slice(1) : args, kwargs);
  if (scope === "Tensor") {
    const self = args[0] as Record<string, unknown>;
    if (typeof self[name] !== "function") throw new Error(`Tensor has no method ${name}`);
    const result = (self[name] as (...a: unknown[]) => unknown)(...full);
    if (name.endsWith("_")) expect(result, `${c.id}: an in-place method returns its receiver`).toBe(self);
    return { result };
  }
  const namespace = (scope === "F" ? wasmnn.F : scope === "torch" ? wasmnn : null) as Record<string, unknown> | null;
  const fn = namespace?.[name];
  if (typeof fn !== "function") throw new Error(`wasmnn has no ${c.call}`);
  return { result: (fn as (...a: unknown[]) => unknown)(...full) };
}

/**
 * Defines one vitest test per recorded call of `family` (tests/fixtures/ops/<family>.json) and a
 * summary after them: per name, the number of cases and the worst absolute error.
 */
export function replay(family: string, options: ReplayOptions): void {
  const { cases, tensors } = loadOps(family);
  const worst = new Map<string, { cases: number; errors: number; worst: number }>();
  describe(`${family}: PyTorch calls replayed`, () => {
    test("the fixture has cases", () => expect(cases.length).toBeGreaterThan(0));
    for (const c of cases) {
      const name = caseName(c);
      const skipped = options.skip?.[c.id];
      test.skipIf(skipped !== undefined)(`${c.id} ${name}${c.error ? " (error)" : ""}${c.tags ? ` [${c.tags.join(", ")}]` : ""}`, () => {
        const stats = worst.get(name) ?? { cases: 0, errors: 0, worst: 0 };
        worst.set(name, stats);
        stats.cases++;
        if (c.error) {
          stats.errors++;
          const message = thrownMessage(() => { run(c, tensors); });
          const documented = options.messages?.[c.id];
          if (documented) expect(message).toMatch(documented.expected);
          else expect(message, `${c.id}: PyTorch raised ${c.error.type}`).toBe(c.error.message);
          return;
        }
        if (!(name in options.tolerance)) throw new Error(`no tolerance stated for ${name}`);
        const entry = options.tolerance[name];
        const tol = typeof entry === "function" ? entry(c) : entry;
        tidy(() => {
          const { result, module } = run(c, tensors);
          try {
            const err = compareResult(result, c.out, tensors, tol, c.id);
            stats.worst = Math.max(stats.worst, err);
            if (module && c.repr !== undefined && !(c.module! in (options.noRepr ?? {}))) {
              expect(String(module), `${c.id} repr`).toBe(c.repr);
            }
            if (module && c.state_after) {
              const sd = module.state_dict();
              for (const [key, ref] of Object.entries(c.state_after)) compareResult(sd[key], ref, tensors, tol, `${c.id} state_dict ${key}`);
            }
          } finally {
            module?.dispose();   // also when a comparison fails, so one failure does not leak into the next case
          }
        });
      });
    }
  });
  afterAll(() => {
    const rows = [...worst].map(([name, s]) => `  ${name}: ${s.cases} cases (${s.errors} errors), worst abs error ${s.worst.toExponential(2)}`);
    if (rows.length) console.log(`${family} vs PyTorch:\n${rows.join("\n")}`);
  });
}
