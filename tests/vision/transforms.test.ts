// wasmnn/vision's transforms against torchvision 0.14 (tests/fixtures/vision/gen_transforms.py):
// every case builds the transform from the same constructor arguments, checks torchvision's repr,
// feeds the same image the same way (an ImageData-like image where torchvision had a PIL image,
// int64 where it had uint8) and compares the output.
//
// Tolerances, per transform, and why:
// - exact: ToTensor, PILToTensor, ConvertImageDtype, CenterCrop, Normalize (the same float32
//   operations, correctly rounded: x / 255, (x - m) / s), nearest resizing (a selection), and every
//   resize of an ImageData-like image (Pillow's integer arithmetic, redone with the same double
//   coefficients), so also the RGBA ImageNet pipeline.
// - float32 bilinear / bicubic resizing, with and without antialias: the budgets of the core's
//   F.interpolate tests (tests/resample.test.ts), in units of 2^-24 * max|input|: bilinear 4,
//   bicubic 32, antialiased bilinear 24, antialiased bicubic 64. wasmnn evaluates in PyTorch's
//   order without fused multiply-adds; these fixtures come from PyTorch's AVX2 build, whose
//   compiler fuses products (each skipping a rounding) and evaluates the cubic weights fused.
// - uint8 (int64) bilinear / bicubic resizing: torchvision rounds the float32 result, so an element
//   may differ by 1 where the float32 value lies within the budget above (times 255) of a
//   half-integer; the test recomputes that float value and checks each mismatch is such a tie.
// - pipelines with a float resize: the resize budget carried through Normalize (divided by the
//   smallest std) plus one float32 rounding of the output.
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { F, init, memory, safetensors, tensor, tidy, type Tensor } from "wasmnn";
import { transforms as T } from "wasmnn/vision";

await init();

const root = new URL("../fixtures/vision/", import.meta.url).pathname;

interface Spec { class: string; args: unknown[]; kwargs: Record<string, unknown> }
interface Case {
  name: string; image: string; kind: "pil" | "hwc" | "float" | "float4d" | "uint8"; transform: Spec;
  repr: string; output_kind: "pil" | "uint8" | "float"; shape: number[];
}
interface Fixture {
  images: Record<string, { height: number; width: number; bands: number; data: string }>;
  cases: Case[];
}

const fixture = JSON.parse(readFileSync(`${root}transforms.json`, "utf8")) as Fixture;
const expected = safetensors.load(readFileSync(`${root}transforms.safetensors`));

function imageLike(name: string): T.ImageLike {
  const { height, width, data } = fixture.images[name];
  return { data: new Uint8ClampedArray(Buffer.from(data, "base64")), width, height };
}

/** The case's input as torchvision received it, in wasmnn's terms. */
function inputOf(c: Case): T.Image {
  const img = imageLike(c.image);
  const bands = fixture.images[c.image].bands;
  switch (c.kind) {
    case "pil": return img;
    case "hwc": return tensor(BigInt64Array.from(img.data, (v) => BigInt(v)), bands === 1 ? [img.height, img.width] : [img.height, img.width, bands]);
    case "float": return T.functional.to_tensor(img);
    case "float4d": return T.functional.to_tensor(img).unsqueeze(0);
    case "uint8": return T.functional.pil_to_tensor(img);
  }
}

type Callable = (x: unknown) => unknown;
function build(spec: Spec): Callable {
  const cls = (T as unknown as Record<string, (...args: unknown[]) => Callable>)[spec.class];
  if (spec.class.startsWith("functional.")) {
    const fn = (T.functional as unknown as Record<string, (...args: unknown[]) => unknown>)[spec.class.slice("functional.".length)];
    return Object.assign((x: unknown) => fn(x, ...spec.args), { toString: () => "" });
  }
  if (spec.class === "Compose") return cls((spec.args[0] as Spec[]).map(build));
  const kwargs = Object.keys(spec.kwargs).length > 0 ? [spec.kwargs] : [];
  return cls(...spec.args, ...kwargs);
}

const HALF_ULP = 2 ** -24;
const RESIZE_BUDGET: Record<string, number> = { bilinear: 4, bicubic: 32, bilinear_aa: 24, bicubic_aa: 64 };

/**
 * The resize budget (in 2^-24 * max|input|) a case's float resizing may use; 0 where exact (nearest,
 * and a Resize that receives an ImageData-like image: Pillow's integer path).
 */
function resizeBudget(spec: Spec, kind: Case["kind"]): number {
  if (spec.class === "Compose") {
    let budget = 0;
    for (const step of spec.args[0] as Spec[]) {
      budget = Math.max(budget, resizeBudget(step, kind));
      if (step.class === "ToTensor" || step.class === "PILToTensor") kind = "float";
    }
    return budget;
  }
  if (spec.class !== "Resize" || kind === "pil") return 0;
  const mode = (spec.kwargs.interpolation as string | undefined) ?? "bilinear";
  if (mode === "nearest") return 0;
  return RESIZE_BUDGET[`${mode}${spec.kwargs.antialias === true ? "_aa" : ""}`];
}

function smallestStd(spec: Spec): number {
  if (spec.class === "Compose") return Math.min(1, ...(spec.args[0] as Spec[]).map(smallestStd));
  return spec.class === "Normalize" ? Math.min(...(spec.args[1] as number[])) : 1;
}

function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}

const worst: [string, number, number, number][] = [];

describe("wasmnn/vision transforms match torchvision 0.14", () => {
  test.each(fixture.cases.map((c) => [c.name, c]))("%s", (_name, c) => {
    const before = memory().liveTensors;
    const transform = build(c.transform);
    expect(String(transform)).toBe(c.repr);
    tidy(() => {
      const input = inputOf(c);
      const output = transform(input) as T.Image;
      const want = expected[c.name].data() as Float32Array;
      let got: Float64Array;
      if (c.output_kind === "pil") {
        expect("data" in output && !("dtype" in output)).toBe(true);
        const img = output as T.ImageLike;
        expect([img.height, img.width, img.data.length / (img.width * img.height)]).toEqual(c.shape);
        got = Float64Array.from(img.data);
      } else {
        const t = output as Tensor;
        expect(t.shape).toEqual(c.shape);
        expect(t.dtype).toBe(c.output_kind === "uint8" ? "int64" : "float32");
        const data = t.data();
        got = data instanceof BigInt64Array ? Float64Array.from(data, Number) : Float64Array.from(data);
      }
      // the budget: exact, or the resize's float error (carried through Normalize), plus one rounding
      const budget = resizeBudget(c.transform, c.kind);
      const inputScale = c.kind === "uint8" || c.kind === "pil" || c.kind === "hwc" ? 255 : 1;
      const outputMax = maxAbs(want);
      const atol = budget === 0 || c.output_kind !== "float" ? 0
        : (budget * HALF_ULP * (c.kind === "float" || c.kind === "float4d" ? maxAbs(valuesOf(input as Tensor)) : 1)) / smallestStd(c.transform)
          + (c.transform.class === "Compose" ? 2 * HALF_ULP * outputMax : 0);
      let maxError = 0;
      const mismatches: number[] = [];
      for (let i = 0; i < want.length; i++) {
        const error = Math.abs(got[i] - want[i]);
        maxError = Math.max(maxError, error);
        if (!(error <= atol)) mismatches.push(i);
      }
      worst.push([c.name, maxError, atol, mismatches.length]);
      if (mismatches.length > 0 && c.output_kind === "uint8" && budget > 0 && c.transform.class === "Resize") {
        // rounding ties: recompute the float32 result torchvision rounded and check each mismatch is
        // an off-by-one within the float budget of a half-integer
        const ties = roundingTies(input as Tensor, c, budget * HALF_ULP * inputScale);
        const unexplained = mismatches.filter((i) => !(Math.abs(got[i] - want[i]) === 1 && ties.has(i)));
        expect(unexplained.map((i) => `${i}: ${got[i]} vs ${want[i]}`)).toEqual([]);
      } else if (mismatches.length > 0 && c.transform.class === "Compose" && c.name === "compose_uint8_path") {
        // a uint8 resize inside: its rounding ties show as 1/255 steps after ConvertImageDtype
        const unexplained = mismatches.filter((i) => Math.abs(Math.abs(got[i] - want[i]) - 1 / 255) > 1e-7);
        expect(unexplained.length).toBe(0);
        expect(mismatches.length).toBeLessThanOrEqual(want.length * 0.001);
      } else {
        expect(mismatches.map((i) => `${i}: ${got[i]} vs ${want[i]} (atol ${atol})`).slice(0, 5)).toEqual([]);
      }
    });
    expect(memory().liveTensors).toBe(before);
  });

  test("worst errors", () => {
    for (const [name, error, atol, ties] of worst) {
      const note = ties > 0 ? `  (${ties} rounding ties off by one uint8 step)` : "";
      console.log(`${name.padEnd(32)} worst ${error.toExponential(2)}  budget ${atol === 0 ? "exact" : atol.toExponential(2)}${note}`);
    }
  });
});

function valuesOf(t: Tensor): Float64Array {
  const data = t.data();
  return data instanceof BigInt64Array ? Float64Array.from(data, Number) : Float64Array.from(data);
}

/** Indices whose float32 resize result (before torchvision's rounding) is within `slack` of a .5 tie. */
function roundingTies(input: Tensor, c: Case, slack: number): Set<number> {
  const mode = (c.transform.kwargs.interpolation as string | undefined) ?? "bilinear";
  const x = tensor(valuesOf(input), input.shape).unsqueeze(0);
  const [h, w] = c.shape.slice(-2);
  const y = valuesOf(F.interpolate(x, { size: [h, w], mode, align_corners: false, antialias: c.transform.kwargs.antialias === true }));
  const ties = new Set<number>();
  y.forEach((v, i) => {
    const clamped = mode === "bicubic" ? Math.min(Math.max(v, 0), 255) : v;
    if (Math.abs(clamped - Math.floor(clamped) - 0.5) <= slack) ties.add(i);
  });
  return ties;
}

describe("transforms: the API around the numbers", () => {
  test("Compose([...])(image) works without new, and instances are functions with forward", () => {
    const pipeline = T.Compose([T.Resize(8), T.CenterCrop(6), T.ToTensor()]);
    expect(typeof pipeline).toBe("function");
    expect(pipeline).toBeInstanceOf(T.Compose);
    const img = { data: new Uint8ClampedArray(10 * 12 * 4).fill(200), width: 12, height: 10 };
    const a = pipeline(img) as Tensor;
    const b = new T.Compose([new T.Resize(8), new T.CenterCrop(6), new T.ToTensor()]).forward(img) as Tensor;
    expect(a.shape).toEqual([3, 6, 6]);
    expect(Array.from(a.data())).toEqual(Array.from(b.data()));
    a.dispose(); b.dispose();
  });

  test("Compose takes plain functions too (torchvision's Lambda-free style) and names them in its repr", () => {
    const double = (x: Tensor) => x.mul(2);
    const pipeline = T.Compose([T.ToTensor(), double, (x: Tensor) => x.add(1)]);
    expect(String(pipeline)).toBe("Compose(\n    ToTensor()\n    <function double>\n    <function <lambda>>\n)");
    const before = memory().liveTensors;
    const y = pipeline({ data: new Uint8Array([0, 51, 255]), width: 1, height: 1 }) as Tensor;
    expect(Array.from(y.data())).toEqual([1, Math.fround(Math.fround(Math.fround(51 / 255) * 2) + 1), 3]);
    y.dispose();
    expect(memory().liveTensors).toBe(before);
  });

  test("InterpolationMode's members are the mode strings, and Resize takes them", () => {
    expect(String(T.Resize([3, 4], T.InterpolationMode.BICUBIC))).toBe("Resize(size=(3, 4), interpolation=bicubic, max_size=None, antialias=None)");
    expect(String(T.Resize(5, { interpolation: "nearest", max_size: 9 }))).toBe("Resize(size=5, interpolation=nearest, max_size=9, antialias=None)");
    expect(() => T.Resize(5, "trilinear" as T.InterpolationMode)).toThrow(/InterpolationMode/);
  });

  test("errors are torchvision's", () => {
    const x = tensor(new Float32Array(3 * 4 * 5), [3, 4, 5]);
    expect(() => T.functional.normalize(x, [0, 0, 0], [1, 0, 1])).toThrow("std evaluated to zero after conversion to torch.float32, leading to division by zero.");
    expect(() => T.functional.normalize(tensor(new BigInt64Array(60), [3, 4, 5]), [0], [1])).toThrow("Input tensor should be a float tensor. Got torch.int64.");
    expect(() => T.functional.normalize(tensor(new Float32Array(20), [4, 5]), [0], [1])).toThrow("Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = torch.Size([4, 5])");
    expect(() => T.functional.resize(x, 3, "nearest", null, true)).toThrow("Antialias option is supported for bilinear and bicubic interpolation modes only");
    expect(() => T.functional.resize(x, [3, 4], "bilinear", 9)).toThrow(/max_size should only be passed/);
    expect(() => T.functional.resize(x, 3, "bilinear", 3)).toThrow("max_size = 3 must be strictly greater than the requested size for the smaller edge size = [3]");
    expect(() => T.Resize([1, 2, 3])).toThrow("If size is a sequence, it should have 1 or 2 values");
    expect(() => T.CenterCrop([1, 2, 3])).toThrow("Please provide only two dimensions (h, w) for size.");
    x.dispose();
  });

  test("same-size Resize and ConvertImageDtype to the same dtype return the input", () => {
    const x = tensor(new Float32Array(3 * 4 * 5), [3, 4, 5]);
    expect(T.Resize([4, 5])(x)).toBe(x);
    expect(T.ConvertImageDtype("float32")(x)).toBe(x);
    x.dispose();
  });
});
