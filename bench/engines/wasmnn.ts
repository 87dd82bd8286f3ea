// wasmnn side of the bench: builds the workload's modules (eval mode), randomises BatchNorm
// statistics, and exports the weights so the peers compute the same function.
import { init, nn, randn, manual_seed, tensor, memory, type Tensor } from "../../src/index.js";
import { resnet18, type ResNet, type BasicBlock } from "../../examples/resnet18.js";
import { rng } from "../rng.js";
import { conv, layersShape, convMacs, type Layer, type ConvSpec, type Workload } from "../suite.js";

export { init, memory };

export interface ConvW { spec: ConvSpec; w: Float32Array; b: Float32Array | null }
export interface BnW { gamma: Float32Array; beta: Float32Array; mean: Float32Array; var: Float32Array; eps: number }
export type LayerW = ({ op: "conv" } & ConvW) | ({ op: "bn" } & BnW) | { op: "relu" } | { op: "maxpool"; k: number; s: number; p: number };
export interface BlockW { conv1: ConvW; bn1: BnW; conv2: ConvW; bn2: BnW; ds: { conv: ConvW; bn: BnW } | null }
export interface ResNetW { stem: { conv: ConvW; bn: BnW }; blocks: BlockW[]; fc: { w: Float32Array; b: Float32Array; out: number; in: number } }
/** What the peers need to rebuild the workload: per-layer weights, or ResNet-18's. */
export type Weights = { kind: "layers"; layers: LayerW[] } | { kind: "resnet18"; net: ResNetW };

const uniform = (r: () => number, n: number, lo: number, hi: number) => Float32Array.from({ length: n }, () => lo + (hi - lo) * r());

/** Non-trivial running statistics and affine parameters, so a wrong BN fold would show. */
function randomizeBatchNorms(root: nn.Module, seed: number): void {
  const r = rng(seed);
  for (const [, m] of root.named_modules()) {
    if (!(m instanceof nn.BatchNorm2d)) continue;
    const c = m.num_features;
    m.load_state_dict({
      weight: tensor(uniform(r, c, 0.5, 1.5), [c]),
      bias: tensor(uniform(r, c, -0.2, 0.2), [c]),
      running_mean: tensor(uniform(r, c, -0.2, 0.2), [c]),
      running_var: tensor(uniform(r, c, 0.5, 1.5), [c]),
    }, false);
  }
}

const convW = (m: nn.Conv2d, spec: ConvSpec): ConvW => ({ spec, w: m.weight.data(), b: m.bias ? m.bias.data() : null });
const bnW = (module: nn.BatchNorm2d | nn.Identity): BnW => { const m = module as nn.BatchNorm2d; return {
  gamma: m.weight!.data(), beta: m.bias!.data(), mean: m.running_mean!.data(), var: m.running_var!.data(), eps: m.eps,
}; };
const specOf = (m: nn.Conv2d): ConvSpec =>
  conv(m.in_channels, m.out_channels, m.kernel_size[0], { stride: m.stride[0], pad: (m.kernel_size[0] - 1) / 2, groups: m.groups, bias: m.bias !== null });

function resnetWeights(net: ResNet): ResNetW {
  const blocks: BlockW[] = [];
  for (const layer of [net.layer1, net.layer2, net.layer3, net.layer4]) {
    for (const b of layer.children() as BasicBlock[]) {
      const ds = b.downsample as nn.Sequential | null;
      const [dsConv, dsBn] = ds ? (ds.children() as [nn.Conv2d, nn.BatchNorm2d]) : [null, null];
      blocks.push({
        conv1: convW(b.conv1, specOf(b.conv1)), bn1: bnW(b.bn1),
        conv2: convW(b.conv2, specOf(b.conv2)), bn2: bnW(b.bn2),
        ds: dsConv && dsBn ? { conv: convW(dsConv, conv(dsConv.in_channels, dsConv.out_channels, 1, { stride: dsConv.stride[0], pad: 0, bias: false })), bn: bnW(dsBn) } : null,
      });
    }
  }
  return {
    stem: { conv: convW(net.conv1, conv(3, net.conv1.out_channels, 7, { stride: 2, pad: 3, bias: false })), bn: bnW(net.bn1) },
    blocks,
    fc: { w: net.fc.weight.data(), b: net.fc.bias!.data(), out: net.fc.out_features, in: net.fc.in_features },
  };
}

/** MACs of ResNet-18 (convolutions + fc) at input [3, h, w]. */
export function resnetMacs(net: ResNetW, h: number, w: number): number {
  let macs = 0;
  const run = (c: ConvW, hh: number, ww: number) => { const r = convMacs(c.spec, hh, ww); macs += r.macs; return r; };
  let s = run(net.stem.conv, h, w);
  [h, w] = [Math.floor((s.h + 2 - 3) / 2) + 1, Math.floor((s.w + 2 - 3) / 2) + 1];
  for (const b of net.blocks) {
    if (b.ds) run(b.ds.conv, h, w);
    s = run(b.conv1, h, w);
    run(b.conv2, s.h, s.w);
    [h, w] = [s.h, s.w];
  }
  return macs + net.fc.in * net.fc.out;
}

export interface WasmnnCase {
  module: nn.Module;
  input: Tensor;
  /** the input copied out, NCHW */
  inputData: Float32Array;
  weights: Weights;
  macs: number;
  /** NCHW output shape without the batch dimension ([classes] for ResNet-18) */
  outShape: number[];
  run(): void;
  output(): Float32Array;
  dispose(): void;
}

export function buildWasmnn(w: Workload, seed: number): WasmnnCase {
  manual_seed(seed);
  let module: nn.Module;
  let weights: Weights;
  let macs: number;
  let outShape: number[];
  if (w.layers === "resnet18") {
    const net = resnet18();
    randomizeBatchNorms(net, seed);
    // fc bias zeroed so the agreement check sees the network's signal, not the bias
    net.fc.load_state_dict({ bias: tensor(new Float32Array(net.fc.out_features), [net.fc.out_features]) }, false);
    weights = { kind: "resnet18", net: resnetWeights(net) };
    macs = resnetMacs(weights.net, w.input[1], w.input[2]);
    // BatchNorm folded into the convs for inference, as ORT's graph optimiser and tfjs-converter do for the peers
    module = net.fuse();
    outShape = [net.fc.out_features];
  } else {
    const mods = w.layers.map((l: Layer): nn.Module => {
      switch (l.op) {
        case "conv":
          return new nn.Conv2d(l.cin, l.cout, l.k, { stride: l.stride, padding: l.pad, dilation: l.dil, groups: l.groups, bias: l.bias, padding_mode: l.mode });
        case "bn": return new nn.BatchNorm2d(l.c);
        case "relu": return new nn.ReLU(true);
        case "maxpool": return new nn.MaxPool2d(l.k, l.s, l.p);
      }
    });
    module = mods.length === 1 ? mods[0] : new nn.Sequential(...mods);
    randomizeBatchNorms(module, seed);
    weights = {
      kind: "layers",
      layers: w.layers.map((l, i): LayerW => {
        const m = mods[i];
        if (l.op === "conv") return { op: "conv", ...convW(m as nn.Conv2d, l) };
        if (l.op === "bn") return { op: "bn", ...bnW(m as nn.BatchNorm2d) };
        return l;
      }),
    };
    const r = layersShape(w.layers, w.input);
    macs = r.macs;
    outShape = r.shape;
  }
  module.eval();
  const input = randn([1, ...w.input]);
  return {
    module, input, inputData: input.data(), weights, macs, outShape,
    run() { module.forward(input).dispose(); },
    output() {
      const y = module.forward(input) as Tensor;
      const d = y.data();
      y.dispose();
      return d;
    },
    dispose() { input.dispose(); module.dispose(); },
  };
}
