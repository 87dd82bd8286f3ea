// Pooling, BatchNorm2d, activations, Linear, Flatten, F.pad and a reduced-width ResNet-18 against
// PyTorch 1.13 (tests/fixtures/gen.py writes nn.json / nn.safetensors).
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { init, nn, F, randn, zeros, tensor, memory, tidy, Tensor } from "../src/index.js";
import { resnet18 } from "../examples/resnet18.js";
import { expectClose, expectPyTorchMessage, loadFixture, thrownMessage, type Tolerance } from "./helpers.js";

interface Case {
  id: string; op: string; args: Record<string, unknown>; input_shape: number[]; output_shape: number[];
  training: boolean; steps: number; tags: string[]; tensors: string[]; repr?: string;
}
interface ErrorCase {
  id: string; op: string; api: string; args: Record<string, unknown>; input_shape: number[] | null;
  training: boolean; exception: string; message: string;
}

await init();
const fixture = loadFixture<{ cases: Case[]; errors: ErrorCase[] }>("nn");
const { cases, errors } = fixture.manifest;
const T = fixture.tensors;

/**
 * Tolerances, each from what the operation accumulates:
 * - selections (max pools, ReLU/ReLU6, Identity, Flatten, F.pad): no arithmetic, so bit-exact,
 *   including NaN, ±inf and the sign of zero;
 * - averages: a float32 sum of <= 100 values divided once: a few ulps of the largest input;
 * - BatchNorm: (x - mean) * invstd * w + b reassociated as x * scale + shift: ~4 roundings of
 *   values of magnitude <= ~10, so 1e-5 absolute and relative;
 * - Linear: a dot product of <= 64 terms, as conv (see conv2d.test.ts);
 * - ResNetSmall: 20 such layers chained; errors compound through BN scaling: 1e-4 / 1e-3.
 */
const EXACT = null;
const TOL: Record<string, Tolerance | null> = {
  MaxPool2d: EXACT, AdaptiveMaxPool2d: EXACT, ReLU: EXACT, ReLU6: EXACT, Identity: EXACT, Flatten: EXACT,
  "F.pad": EXACT, "F.max_pool2d": EXACT, "F.adaptive_max_pool2d": EXACT, "F.relu": EXACT, "F.relu6": EXACT,
  AvgPool2d: { atol: 1e-6, rtol: 1e-5 }, AdaptiveAvgPool2d: { atol: 1e-6, rtol: 1e-5 },
  "F.avg_pool2d": { atol: 1e-6, rtol: 1e-5 }, "F.adaptive_avg_pool2d": { atol: 1e-6, rtol: 1e-5 },
  BatchNorm2d: { atol: 1e-5, rtol: 1e-5 }, "F.batch_norm": { atol: 1e-5, rtol: 1e-5 },
  Linear: { atol: 1e-5, rtol: 1e-4 }, "F.linear": { atol: 1e-5, rtol: 1e-4 },
  ResNetSmall: { atol: 1e-4, rtol: 1e-3 },
};

/** Bitwise equality, except that any NaN equals any NaN. */
function expectExact(actual: ArrayLike<number | bigint>, expected: ArrayLike<number | bigint>, label: string): void {
  expect(actual.length, label).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const same = Object.is(a, e) || (typeof a === "number" && Number.isNaN(a) && Number.isNaN(e as number));
    if (!same) throw new Error(`${label}: element ${i} is ${String(a)}, expected ${String(e)}`);
  }
}

function compare(actual: Tensor, expected: Tensor, tol: Tolerance | null, label: string): number {
  expect(actual.shape, label).toEqual(expected.shape);
  expect(actual.dtype, label).toBe(expected.dtype);
  if (tol === null || actual.dtype === "int64") {
    expectExact(actual.data<Float32Array | BigInt64Array>(), expected.data<Float32Array | BigInt64Array>(), label);
    return 0;
  }
  return expectClose(actual.data(), expected.data(), tol, label);
}

// nn classes by op name
const MODULES: Record<string, new (...args: never[]) => nn.Module> = {
  MaxPool2d: nn.MaxPool2d, AvgPool2d: nn.AvgPool2d, AdaptiveAvgPool2d: nn.AdaptiveAvgPool2d,
  AdaptiveMaxPool2d: nn.AdaptiveMaxPool2d, BatchNorm2d: nn.BatchNorm2d, ReLU: nn.ReLU, ReLU6: nn.ReLU6,
  Identity: nn.Identity, Flatten: nn.Flatten, Linear: nn.Linear,
};
const FUNCTIONS: Record<string, (...args: unknown[]) => unknown> = {
  "F.pad": F.pad, "F.relu": F.relu, "F.relu6": F.relu6, "F.max_pool2d": F.max_pool2d, "F.avg_pool2d": F.avg_pool2d,
  "F.adaptive_avg_pool2d": F.adaptive_avg_pool2d, "F.adaptive_max_pool2d": F.adaptive_max_pool2d,
  "F.batch_norm": F.batch_norm, "F.linear": F.linear,
};

/** Even ids pass constructor arguments positionally (PyTorch's order), odd ones as an options object. */
function build(c: { id: string; op: string; args: Record<string, unknown> }): nn.Module {
  if (c.op === "ResNetSmall") {
    return resnet18({ widths: c.args.widths as [number, number, number, number], num_classes: c.args.num_classes as number });
  }
  const cls = MODULES[c.op] as unknown as new (...args: unknown[]) => nn.Module;
  const positional = Number(c.id.replace(/\D/g, "")) % 2 === 0;
  return positional ? new cls(...Object.values(c.args)) : new cls(c.args);
}

/** Functional arguments: positional in the recorded order; tensor names and {randn: shape} become tensors. */
function functionalArgs(args: Record<string, unknown>): unknown[] {
  return Object.values(args).map((v) => {
    if (typeof v === "string" && v in T) return T[v];
    if (v !== null && typeof v === "object" && "randn" in (v as object)) return randn((v as { randn: number[] }).randn);
    return v;
  });
}

function stateOf(c: Case, prefix: "state" | "after"): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const name of c.tensors) if (name.startsWith(`${prefix}.`)) out[name.slice(prefix.length + 1)] = T[`${c.id}.${name}`];
  return out;
}

const worst: Record<string, number> = {};

describe("nn modules and functions match PyTorch", () => {
  test.each(cases)("$id $op $args $input_shape", (c) => {
    const tol = TOL[c.op];
    expect(tol, `a tolerance for ${c.op}`).not.toBeUndefined();
    const isFunctional = c.op.startsWith("F.");
    const module = isFunctional ? null : build(c);
    if (module) {
      if (c.repr !== undefined) expect(String(module)).toBe(c.repr);
      const state = stateOf(c, "state");
      if (Object.keys(state).length > 0) module.load_state_dict(state);
      module.train(c.training);
    }
    for (let step = 0; step < c.steps; step++) {
      const suffix = c.steps > 1 ? `.${step}` : "";
      // in-place ops write into their input: give them a copy
      const source = T[`${c.id}.input${suffix}`];
      const input = tensor(source.data(), source.shape);
      const result = module ? module.forward(input) : FUNCTIONS[c.op](input, ...functionalArgs(c.args));
      const [output, indices] = Array.isArray(result) ? result as Tensor[] : [result as Tensor];
      const error = compare(output, T[`${c.id}.output${suffix}`], tol, `${c.id} output${suffix}`);
      worst[c.op] = Math.max(worst[c.op] ?? 0, error);
      if (c.tensors.includes("indices")) compare(indices, T[`${c.id}.indices`], EXACT, `${c.id} indices`);
    }
    if (module && c.tensors.some((name) => name.startsWith("after."))) {
      const after = stateOf(c, "after");
      const state = module.state_dict();
      expect(Object.keys(state).sort()).toEqual(Object.keys(after).sort());
      for (const [key, value] of Object.entries(after)) compare(state[key], value, tol ?? { atol: 0, rtol: 0 }, `${c.id} after.${key}`);
    } else if (c.op === "F.batch_norm") {
      // F.batch_norm updates the running statistics it was given in place
      for (const [key, value] of Object.entries(stateOf(c, "after"))) compare(T[`${c.id}.state.${key}`], value, tol, `${c.id} after.${key}`);
    }
    module?.dispose();
  });

  afterAll(() => {
    const perOp = new Map<string, number>();
    for (const c of cases) perOp.set(c.op, (perOp.get(c.op) ?? 0) + 1);
    console.log(`nn: ${cases.length} PyTorch cases: ${[...perOp].map(([op, n]) => `${op} ${n}`).join(", ")}`);
    console.log(`nn: worst abs error per op: ${Object.entries(worst).map(([op, e]) => `${op} ${e.toExponential(1)}`).join(", ")}`);
  });
});

/** Where wasmnn's message knowingly differs from PyTorch 1.13's, with the reason. */
const DIFFERENT_MESSAGE: Record<string, { expected: RegExp; why: string }> = {
  x058: { expected: /resulted in a negative output size/, why: "PyTorch's message comes from an internal narrow()" },
};
/** PyTorch 1.13 refuses these; wasmnn computes them (circular padding without a batch dimension). */
const WASMNN_SUPPORTS = new Set(["x053", "x055", "x059"]);

/** "BatchNorm2d(4, affine=False)" -> a module */
function parseModule(spec: string): nn.Module {
  const match = /^(\w+)\((.*)\)$/.exec(spec)!;
  const options: Record<string, unknown> = {};
  const positional: unknown[] = [];
  for (const part of match[2].split(",").map((p) => p.trim()).filter(Boolean)) {
    const [key, value] = part.includes("=") ? part.split("=") : [null, part];
    const parsed = value === "True" ? true : value === "False" ? false : value === "None" ? null : Number(value);
    if (key) options[key] = parsed;
    else positional.push(parsed);
  }
  return new (MODULES[match[1]] as unknown as new (...a: unknown[]) => nn.Module)(...positional, options);
}

function runError(e: ErrorCase): unknown {
  if (e.api === "load_state_dict") {
    const module = parseModule(e.args.module as string);
    const source = parseModule(e.args.source as string);
    const state = { ...source.state_dict() };
    for (const key of e.args.missing as string[]) delete state[key];
    for (const [key, shape] of Object.entries(e.args.unexpected as Record<string, number[]>)) state[key] = zeros(shape);
    for (const [key, shape] of Object.entries(e.args.shapes as Record<string, number[]>)) state[key] = zeros(shape);
    try {
      return module.load_state_dict(state, e.args.strict as boolean);
    } finally {
      module.dispose();
      source.dispose();
    }
  }
  const input = randn(e.input_shape!);
  if (e.api === "functional") return FUNCTIONS[e.op](input, ...functionalArgs(e.args));
  const module = build({ id: "x1", op: e.op, args: e.args });
  try {
    module.train(e.training);
    return module.forward(input);
  } finally {
    module.dispose();
  }
}

describe("nn errors match PyTorch's", () => {
  const canary = tensor(new Float32Array([1, -2, 3.5, Number.NaN]));

  test.each(errors.filter((e) => !WASMNN_SUPPORTS.has(e.id)))("$id $op $api $args $input_shape: $message", (e) => {
    const before = memory();
    expectPyTorchMessage(thrownMessage(() => runError(e)), e.message, DIFFERENT_MESSAGE[e.id]);
    expect(memory().liveTensors).toBe(before.liveTensors);
    expect(Array.from(canary.data())).toEqual([1, -2, 3.5, Number.NaN]);
  });

  test("x053/x055/x059: circular padding without a batch dimension (PyTorch 1.13 refuses) equals the batched result", () => {
    const x = randn([2, 3, 3]);
    const unbatched = F.pad(x, [1, 1, 1, 1], "circular");
    const batched = F.pad(x.reshape([1, 2, 3, 3]), [1, 1, 1, 1], "circular");
    expect(unbatched.data()).toEqual(batched.data());
    const row = randn([3, 3]);
    expect(F.pad(row, [1, 1], "circular").data()).toEqual(F.pad(row.reshape([1, 3, 3]), [1, 1], "circular").data());
    const volume = randn([1, 1, 3, 3]);
    expect(F.pad(volume, [1, 1, 1, 1, 1, 1], "circular").data()).toEqual(F.pad(volume.reshape([1, 1, 1, 3, 3]), [1, 1, 1, 1, 1, 1], "circular").data());
  });
});
