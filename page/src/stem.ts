// The seed's stem block, Conv2d(3,64,7,2,3,bias=False) → BatchNorm2d(64) → ReLU → MaxPool2d(3,2,1),
// with the conv's arguments from the page's controls; run layer by layer so every output can be shown.

import { manual_seed, nn, type Tensor } from "wasmnn";

export const IN_CHANNELS = 3;
export const OUT_CHANNELS = 64;

/** Conv2d's keyword arguments as the controls give them: numbers, pairs, or strings the library judges. */
export interface ConvArgs {
  kernel_size: unknown;
  stride: unknown;
  padding: unknown;
  dilation: unknown;
  groups: unknown;
  bias: unknown;
  padding_mode: unknown;
}

export const SEED_CONV: ConvArgs = { kernel_size: 7, stride: 2, padding: 3, dilation: 1, groups: 1, bias: false, padding_mode: "zeros" };
const DEFAULTS: Omit<ConvArgs, "kernel_size"> = { stride: 1, padding: 0, dilation: 1, groups: 1, bias: true, padding_mode: "zeros" };

const literal = (v: unknown): string =>
  Array.isArray(v) ? `[${v.map(literal).join(", ")}]` : typeof v === "string" ? JSON.stringify(v) : String(v);

/** The TypeScript call the page makes, non-default options only: new nn.Conv2d(3, 64, 7, { stride: 2, ... }). */
export function convCall(args: ConvArgs): string {
  const options = (Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[])
    .filter((name) => literal(args[name]) !== literal(DEFAULTS[name]))
    .map((name) => `${name}: ${literal(args[name])}`);
  return `new nn.Conv2d(${IN_CHANNELS}, ${OUT_CHANNELS}, ${literal(args.kernel_size)}${options.length ? `, { ${options.join(", ")} }` : ""})`;
}

/** Builds the block with seeded weights; throws the library's own error for an invalid conv. */
export function buildStem(args: ConvArgs, seed: number): nn.Sequential {
  manual_seed(seed);
  const conv = new nn.Conv2d(IN_CHANNELS, OUT_CHANNELS, args.kernel_size as number, {
    stride: args.stride, padding: args.padding, dilation: args.dilation, groups: args.groups,
    bias: args.bias, padding_mode: args.padding_mode,
  });
  return new nn.Sequential(conv, new nn.BatchNorm2d(OUT_CHANNELS), new nn.ReLU(true), new nn.MaxPool2d(3, 2, 1)).eval();
}

export interface LayerOutput {
  /** "(0) Conv2d" */
  label: string;
  repr: string;
  shape: number[];
  params: number;
  /** how the parameter count comes about, e.g. "64·3·7·7 = 9408" */
  paramsFormula: string;
  ms: number;
  data: Float32Array;
}

/** The seed's arithmetic: conv out·(in/groups)·kh·kw (+ out for a bias); BatchNorm's weight + bias. */
export function parameterFormula(module: nn.Module): { count: number; formula: string } {
  const count = module.parameters().reduce((n, p) => n + p.numel(), 0);
  if (module instanceof nn.Conv2d) {
    const [out, inPerGroup, kh, kw] = module.weight.shape;
    const bias = module.bias !== null ? ` + ${out}` : "";
    return { count, formula: `${out}·${inPerGroup}·${kh}·${kw}${bias} = ${count}` };
  }
  if (module instanceof nn.BatchNorm2d && module.affine) {
    return { count, formula: `${module.num_features} + ${module.num_features} = ${count}` };
  }
  return { count, formula: String(count) };
}

export class LayerError extends Error {
  constructor(readonly layer: string, readonly error: Error) {
    super(error.message);
  }
}

/**
 * Runs `input` through the block one child at a time, timing each forward and copying each output
 * out (ReLU(inplace=True) overwrites BatchNorm's output, so it is copied first). Frees everything
 * it made; the block's own forward would do the same, but without the intermediate outputs.
 */
export function runStem(block: nn.Sequential, input: Tensor, keepData = true): LayerOutput[] {
  const outputs: LayerOutput[] = [];
  let x = input;
  try {
    for (const [name, layer] of block.named_children()) {
      const label = `(${name}) ${layer.constructor.name}`;
      const start = performance.now();
      let y: Tensor;
      try {
        y = layer.forward(x) as Tensor;
      } catch (error) {
        throw new LayerError(label, error as Error);
      }
      const ms = performance.now() - start;
      const { count, formula } = parameterFormula(layer);
      outputs.push({ label, repr: String(layer), shape: [...y.shape], params: count, paramsFormula: formula, ms, data: keepData ? y.data() as Float32Array : new Float32Array(0) });
      if (x !== input && x !== y) x.dispose();
      x = y;
    }
  } finally {
    if (x !== input) x.dispose();
  }
  return outputs;
}

/** Median time per layer over `runs` forwards (the first, which packs the conv's weights, not counted). */
export function benchmarkStem(block: nn.Sequential, input: Tensor, runs = 10): number[] {
  runStem(block, input, false);
  const times: number[][] = [];
  for (let r = 0; r < runs; r++) runStem(block, input, false).forEach((out, i) => (times[i] ??= []).push(out.ms));
  return times.map((t) => t.sort((a, b) => a - b)[t.length >> 1]);
}

// ---- H_out = floor((H + p_top + p_bottom − d·(k−1) − 1) / s + 1), computed here from the controls ----

export interface SizeFormula { height: number; width: number; lines: [string, string] }

const asPair = (v: unknown): [number, number] | null => {
  const pair = typeof v === "number" ? [v, v] : Array.isArray(v) && v.length === 2 ? v : null;
  return pair !== null && pair.every((n) => Number.isInteger(n)) ? [pair[0], pair[1]] : null;
};

/** Conv2d's output size from the formula, with the arithmetic written out; null if the arguments are not numbers. */
export function convSizeFormula(args: ConvArgs, height: number, width: number): SizeFormula | null {
  const kernel = asPair(args.kernel_size);
  const stride = asPair(args.stride);
  const dilation = asPair(args.dilation);
  if (kernel === null || stride === null || dilation === null) return null;
  let pads: [number, number][]; // per dimension [before, after]
  if (args.padding === "valid") pads = [[0, 0], [0, 0]];
  else if (args.padding === "same") {
    pads = [0, 1].map((i) => {
      const total = dilation[i] * (kernel[i] - 1);
      return [total >> 1, total - (total >> 1)] as [number, number];
    });
  } else {
    const p = asPair(args.padding);
    if (p === null) return null;
    pads = [[p[0], p[0]], [p[1], p[1]]];
  }
  const sizes = [height, width];
  const out = [0, 1].map((i) => Math.floor((sizes[i] + pads[i][0] + pads[i][1] - dilation[i] * (kernel[i] - 1) - 1) / stride[i] + 1));
  const line = (i: number, name: string): string => {
    const [before, after] = pads[i];
    const pad = before === after ? `2·${before}` : `${before}+${after}`;
    return `${name}_out = ⌊(${sizes[i]} + ${pad} − ${dilation[i]}·(${kernel[i]}−1) − 1) / ${stride[i]} + 1⌋ = ${out[i]}`;
  };
  return { height: out[0], width: out[1], lines: [line(0, "H"), line(1, "W")] };
}
