// The twin of tests/fixtures/vision/gen_models.py's weight generator: rebuilds a model fixture's
// state_dict bit for bit (generated parameters + PyTorch's recorded BatchNorm statistics), so the
// weights of ~70 torchvision models need not be committed.
import { readdirSync, readFileSync } from "node:fs";
import { nn, safetensors, tensor, type Tensor } from "wasmnn";
import { models } from "wasmnn/vision";

const root = new URL("../fixtures/vision/models/", import.meta.url).pathname;

export type ParamSpec = [key: string, shape: number[], dtype: "float32" | "int64", offset: number | null, scale: number | null];

export interface ModelFixture {
  name: string;
  builder: string;
  family: "classification" | "segmentation";
  options: Record<string, unknown>;
  input: { key: string; shape: number[]; offset: number; scale: number };
  outputs: Record<string, number[]>;
  num_parameters: number;
  repr: string;
  params: ParamSpec[];
}

export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(text)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

/** offset + scale * u_i, u_i = fmix32(seed ^ (i * 0x9E3779B1)) >> 8 scaled to [-1, 1), rounded to float32 once. */
export function generated(key: string, count: number, offset: number, scale: number): Float32Array {
  const seed = fnv1a(key);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    let x = (Math.imul(i, 0x9e3779b1) ^ seed) >>> 0;
    x ^= x >>> 16;
    x = Math.imul(x, 0x85ebca6b) >>> 0;
    x ^= x >>> 13;
    x = Math.imul(x, 0xc2b2ae35) >>> 0;
    x ^= x >>> 16;
    out[i] = offset + scale * ((x >>> 8) / 8388608 - 1);
  }
  return out;
}

/** Every recorded model case (tests/fixtures/vision/models/<name>.json), sorted. */
export function fixtureNames(): string[] {
  return readdirSync(root).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort();
}

export function readFixture(name: string): ModelFixture {
  return { name, ...JSON.parse(readFileSync(`${root}${name}.json`, "utf8")) };
}

/** The fixture's recorded tensors: BatchNorm statistics by state_dict key, outputs as `output.<name>`. */
export function readRecorded(name: string): Record<string, Tensor> {
  return safetensors.load(readFileSync(`${root}${name}.safetensors`));
}

const count = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** The full state_dict the fixture's PyTorch model had, in its key order. */
export function stateDict(fixture: ModelFixture, recorded: Record<string, Tensor>): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [key, shape, , offset, scale] of fixture.params) {
    out[key] = offset === null ? recorded[key] : tensor(generated(key, count(shape), offset, scale!), shape);
  }
  return out;
}

export function inputOf(fixture: ModelFixture): Tensor {
  const { key, shape, offset, scale } = fixture.input;
  return tensor(generated(key, count(shape), offset, scale), shape);
}

/** The fixture's builder: models.<builder> or models.segmentation.<builder>. */
export function builderOf(fixture: ModelFixture): (options?: object) => nn.Module {
  const namespace = (fixture.family === "segmentation" ? models.segmentation : models) as unknown as Record<string, (o?: object) => nn.Module>;
  const builder = namespace[fixture.builder];
  if (typeof builder !== "function") throw new Error(`models${fixture.family === "segmentation" ? ".segmentation" : ""}.${fixture.builder} does not exist`);
  return builder;
}

/** The fixture's model, built with its builder and options, its state_dict loaded (strict), in eval mode. */
export function loadFixtureModel(name: string): nn.Module {
  const fixture = readFixture(name);
  const model = builderOf(fixture)(fixture.options).eval();
  const recorded = readRecorded(name);
  const sd = stateDict(fixture, recorded);
  model.load_state_dict(sd);
  for (const t of new Set([...Object.values(sd), ...Object.values(recorded)])) t.dispose();
  return model;
}
