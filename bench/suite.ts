// The bench's workloads as a tiny engine-neutral description (batch 1, NCHW f32), and the MAC
// arithmetic. Each engine builds its own model from it (bench/engines/*).

export interface ConvSpec {
  op: "conv";
  cin: number;
  cout: number;
  k: number;
  stride: number;
  pad: number;
  dil: number;
  groups: number;
  bias: boolean;
  mode: "zeros" | "reflect";
}
export type Layer = ConvSpec | { op: "bn"; c: number } | { op: "relu" } | { op: "maxpool"; k: number; s: number; p: number };

export interface Workload {
  name: string;
  /** [C, H, W] of the batch-1 input */
  input: [number, number, number];
  /** a Sequential of these layers, or torchvision's ResNet-18 (examples/resnet18.ts) */
  layers: Layer[] | "resnet18";
}

export function conv(cin: number, cout: number, k: number, o: Partial<Omit<ConvSpec, "op" | "cin" | "cout" | "k">> = {}): ConvSpec {
  const dil = o.dil ?? 1;
  return { op: "conv", cin, cout, k, stride: o.stride ?? 1, pad: o.pad ?? (dil * (k - 1)) / 2, dil, groups: o.groups ?? 1, bias: o.bias ?? true, mode: o.mode ?? "zeros" };
}

const dw = (c: number, size: number, stride = 1): Workload => ({
  name: `depthwise 3×3 ${c} ch @${size}${stride > 1 ? ` s${stride}` : ""}`,
  input: [c, size, size],
  layers: [conv(c, c, 3, { stride, groups: c })],
});
const pw = (cin: number, cout: number, size: number): Workload => ({
  name: `pointwise 1×1 ${cin}→${cout} @${size}`,
  input: [cin, size, size],
  layers: [conv(cin, cout, 1)],
});
const dense3 = (c: number, size: number): Workload => ({
  name: `conv 3×3 ${c} ch @${size}`,
  input: [c, size, size],
  layers: [conv(c, c, 3)],
});

export const SUITE: Workload[] = [
  {
    name: "seed stem block 3×304×228",
    input: [3, 304, 228],
    layers: [conv(3, 64, 7, { stride: 2, pad: 3, bias: false }), { op: "bn", c: 64 }, { op: "relu" }, { op: "maxpool", k: 3, s: 2, p: 1 }],
  },
  dense3(64, 56),
  dense3(128, 28),
  dense3(256, 14),
  dense3(512, 7),
  { name: "conv 3×3 s2 64→128 @56", input: [64, 56, 56], layers: [conv(64, 128, 3, { stride: 2 })] },
  { name: "conv 1×1 s2 64→128 @56 (downsample)", input: [64, 56, 56], layers: [conv(64, 128, 1, { stride: 2 })] },
  dw(32, 112),
  dw(144, 56),
  dw(144, 56, 2),
  dw(384, 14),
  dw(960, 7),
  pw(32, 16, 112),
  pw(144, 24, 56),
  pw(384, 64, 14),
  pw(960, 320, 7),
  { name: "grouped 3×3 12→6 g3 @64", input: [12, 64, 64], layers: [conv(12, 6, 3, { groups: 3 })] },
  { name: "dilated 3×3 d2 64 ch @56", input: [64, 56, 56], layers: [conv(64, 64, 3, { dil: 2 })] },
  { name: "reflect-pad 3×3 64 ch @56", input: [64, 56, 56], layers: [conv(64, 64, 3, { mode: "reflect" })] },
  { name: "ResNet-18 224×224", input: [3, 224, 224], layers: "resnet18" },
  // small input: with threads, layers too small to pay for a wake-up stay on one thread (issue #15)
  { name: "ResNet-18 32×32", input: [3, 32, 32], layers: "resnet18" },
];

export const outSize = (n: number, k: number, s: number, p: number, d = 1): number => Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;

/** MACs of a conv at input size h×w, and its output size. */
export function convMacs(c: ConvSpec, h: number, w: number): { macs: number; h: number; w: number } {
  const ho = outSize(h, c.k, c.stride, c.pad, c.dil);
  const wo = outSize(w, c.k, c.stride, c.pad, c.dil);
  return { macs: c.cout * ho * wo * (c.cin / c.groups) * c.k * c.k, h: ho, w: wo };
}

/** Output [C, H, W] and MACs (convolutions only) of a layer list. */
export function layersShape(layers: Layer[], input: [number, number, number]): { macs: number; shape: [number, number, number] } {
  let [c, h, w] = input;
  let macs = 0;
  for (const l of layers) {
    if (l.op === "conv") {
      const r = convMacs(l, h, w);
      macs += r.macs;
      [c, h, w] = [l.cout, r.h, r.w];
    } else if (l.op === "maxpool") {
      [h, w] = [outSize(h, l.k, l.s, l.p), outSize(w, l.k, l.s, l.p)];
    }
  }
  return { macs, shape: [c, h, w] };
}
