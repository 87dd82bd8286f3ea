// F.conv_transpose2d and the transposed convolution behind nn.ConvTranspose2d: PyTorch 1.13's checks
// and output size, then a phase decomposition onto the ordinary convolution's kernels (GEMM).
//
// Phases: a transposed convolution with stride s scatters input pixel i to outputs i*s - p + k*d.
// Output row y = a + s*i (phase a of s) therefore receives exactly the taps k with
// (y + p - k*d) divisible by s, i.e. k*d = r (mod s), r = (a + p) mod s: the same taps for every i.
// So each of the sH x sW output phases is an ordinary stride-1 correlation of the input with a
// sub-kernel (those taps, flipped), dilation d/gcd(s, d), and its own (possibly negative) padding:
// conv2d's packed-weight GEMM runs each, and the phases are interleaved into the output. 2x2 stride 2
// (U-Net up-convolutions) is four 1x1 convolutions, run as one GEMM with 4x the output channels;
// 3x3 stride 2 is convolutions of 1x1, 1x2, 2x1 and 2x2 taps: 9 multiply-adds per input pixel and
// output channel, as the definition, none spent on zeros.

import { Tensor, empty, tensor } from "../tensor.js";
import { keep, tidy } from "../scope.js";
import { parallel, threadsFor } from "../threads/parallel.js";
import { parseArgs, pair, pyRepr, pyType, type ArgSpec } from "../args.js";
import { convolve, PackedConvWeights, type Conv2dParams } from "./conv.js";
import { fmtShape, nchw, checkConvOperands } from "./shape.js";
import { phaseMergePlanes } from "./pad.js";

const CONV_TRANSPOSE2D_SPEC: ArgSpec = [
  ["input", undefined], ["weight", undefined], ["bias", null],
  ["stride", 1], ["padding", 0], ["output_padding", 0], ["groups", 1], ["dilation", 1],
];

export interface ConvTranspose2dParams {
  stride: [number, number];
  padding: [number, number];
  outputPadding: [number, number];
  dilation: [number, number];
  groups: number;
  /** a module's cache of phase sub-kernels and their packed weights; F.conv_transpose2d builds them per call */
  plan?: TransposedConvPlan;
  /** conv_transpose1d: the 3-D input (batched) and weight shapes its messages show, as PyTorch's */
  shown?: { input: number[]; weight: readonly number[] };
}

/** A size argument of conv_transpose2d as a pair, with PyTorch's TypeError for strings. */
export function transposePair(value: unknown, name: string, op = "conv_transpose2d"): [number, number] {
  if (typeof value === "string") throw new TypeError(`${op}(): argument '${name}' must be tuple of ints, not str`);
  return pair(value, name, op);
}

export function checkGroups(groups: unknown, op: string): number {
  if (typeof groups !== "number" || !Number.isInteger(groups)) throw new TypeError(`${op}(): argument 'groups' must be int, not ${pyType(groups)}`);
  if (groups <= 0) throw new Error("non-positive groups is not supported");
  return groups;
}

/**
 * torch.nn.functional.conv_transpose2d(input, weight, bias=None, stride=1, padding=0,
 * output_padding=0, groups=1, dilation=1). input [N, C, H, W] or [C, H, W]; weight
 * [C, OC/groups, KH, KW]; H_out = (H - 1)*stride - 2*padding + dilation*(KH - 1) + output_padding + 1.
 */
export function conv_transpose2d(...args: unknown[]): Tensor {
  const a = parseArgs("conv_transpose2d", CONV_TRANSPOSE2D_SPEC, args);
  return convTranspose2dWith(a.input, a.weight, a.bias, {
    stride: transposePair(a.stride, "stride"),
    padding: transposePair(a.padding, "padding"),
    outputPadding: transposePair(a.output_padding, "output_padding"),
    dilation: transposePair(a.dilation, "dilation"),
    groups: checkGroups(a.groups, "conv_transpose2d"),
  });
}

/** The output size of one spatial dimension. */
export function transposedSize(size: number, kernel: number, stride: number, padding: number, dilation: number, outputPadding: number): number {
  return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + outputPadding + 1;
}

/** The transposed convolution after argument parsing. All checks happen before any kernel runs. */
export function convTranspose2dWith(inputArg: unknown, weightArg: unknown, biasArg: unknown, params: ConvTranspose2dParams): Tensor {
  const op = "conv_transpose2d";
  const { input, weight, bias } = checkConvOperands(op, inputArg, weightArg, biasArg);
  if (input.dim() !== 3 && input.dim() !== 4) {
    throw new Error(`Expected 3D (unbatched) or 4D (batched) input to ${op}, but got input of size: ${fmtShape(input.shape)}`);
  }
  if (weight.dim() !== 4) {
    throw new Error(`Expected 4-dimensional weight [in_channels, out_channels/groups, kH, kW] for ${op}, but got weight of size ${fmtShape(weight.shape)}`);
  }
  const { stride, padding, outputPadding, dilation, groups } = params;
  if (padding[0] < 0 || padding[1] < 0) throw new Error("negative padding is not supported");
  if (outputPadding[0] < 0 || outputPadding[1] < 0) throw new Error("negative output_padding is not supported");
  if (stride[0] <= 0 || stride[1] <= 0) throw new Error("non-positive stride is not supported");
  const [batch, channels, height, width] = nchw(input);
  const [weightIn, groupOut, kernelH, kernelW] = weight.shape;
  const shownWeight = fmtShape(params.shown?.weight ?? weight.shape);
  if (weightIn % groups !== 0) {
    // (PyTorch's message nests the size in a second pair of brackets)
    throw new Error(`Given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size [${shownWeight}] instead`);
  }
  if (channels !== weightIn) {
    throw new Error(`Given transposed=1, weight of size ${shownWeight}, expected input${fmtShape(params.shown?.input ?? [batch, channels, height, width])} to have ${weightIn} channels, but got ${channels} channels instead`);
  }
  const outChannels = groupOut * groups;
  if (bias !== null && (bias.dim() !== 1 || bias.shape[0] !== outChannels)) {
    throw new Error(`Given transposed=1, weight of size ${shownWeight}, expected bias to be 1-dimensional with ${outChannels} elements, but got bias of size ${fmtShape(bias.shape)} instead`);
  }
  if (height === 0 || width === 0) {
    throw new Error(`Only zero batch or zero channel inputs are supported, but got input shape: ${fmtShape([batch, channels, height, width])}`);
  }
  if (kernelH <= 0 || kernelW <= 0) {
    throw new Error(`kernel size should be greater than zero, but got kernel_height: ${kernelH} kernel_width: ${kernelW}`);
  }
  if (dilation[0] <= 0 || dilation[1] <= 0) {
    throw new Error(`dilation should be greater than zero, but got dilation_height: ${dilation[0]}, dilation_width: ${dilation[1]}`);
  }
  if (weight.numel() === 0) throw new Error(`non-empty 2D or 4D weight tensor expected, but got: ${fmtShape(weight.shape)}`);
  // aten/src/ATen/native/NaiveConvolutionTranspose2d.cpp: each output padding below its stride or its dilation
  if (!((outputPadding[0] < stride[0] || outputPadding[0] < dilation[0]) && (outputPadding[1] < stride[1] || outputPadding[1] < dilation[1]))) {
    throw new Error(`output padding must be smaller than either stride or dilation, but got output_padding_height: ${outputPadding[0]} output_padding_width: ${outputPadding[1]} stride_height: ${stride[0]} stride_width: ${stride[1]} dilation_height: ${dilation[0]} dilation_width: ${dilation[1]}`);
  }
  const outHeight = transposedSize(height, kernelH, stride[0], padding[0], dilation[0], outputPadding[0]);
  const outWidth = transposedSize(width, kernelW, stride[1], padding[1], dilation[1], outputPadding[1]);
  if (outHeight < 1 || outWidth < 1) {
    throw new Error(`Given input size per channel: (${height} x ${width}). Calculated output size per channel: (${outHeight} x ${outWidth}). Output size is too small`);
  }
  const output = empty(input.dim() === 4 ? [batch, outChannels, outHeight, outWidth] : [outChannels, outHeight, outWidth]);
  if (output.numel() === 0) return output;
  const plan = params.plan ?? new TransposedConvPlan();
  try {
    runPhases(input, weight, bias, params, plan, [batch, channels, height, width], output, outChannels);
  } finally {
    if (params.plan === undefined) plan.dispose();
  }
  return output;
}

/** One output phase along one dimension: which taps, at what dilation and padding, give how many outputs. */
interface PhaseAxis {
  /** kernel indices in correlation order (the flipped scatter taps); empty when no tap reaches the phase */
  taps: number[];
  dilation: number;
  padBefore: number;
  padAfter: number;
  /** outputs of this phase: ceil((outSize - a) / stride) */
  size: number;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * The phases of one dimension. Output a + s*i is input row m0 + i (m0 = floor((a + p)/s)) correlated
 * with the taps k (k*d = r mod s, r = (a + p) mod s) reversed; tap k reads input row m0 + i - j_k with
 * j_k = (k*d - r)/s, consecutive taps d/gcd(s, d) rows apart. Hence the correlation's first tap
 * reads row i - padBefore with padBefore = j_first + (taps - 1)*dil - m0.
 */
function phaseAxes(inSize: number, outSize: number, kernel: number, stride: number, padding: number, dilation: number): PhaseAxis[] {
  const dil = dilation / gcd(stride, dilation);
  const axes: PhaseAxis[] = [];
  for (let a = 0; a < stride; a++) {
    const size = Math.max(0, Math.ceil((outSize - a) / stride));
    const r = (a + padding) % stride;
    const m0 = Math.floor((a + padding) / stride);
    const scatter: number[] = [];
    for (let k = 0; k < kernel; k++) if ((k * dilation) % stride === r) scatter.push(k);
    if (scatter.length === 0) { axes.push({ taps: [], dilation: dil, padBefore: 0, padAfter: 0, size }); continue; }
    const first = (scatter[0] * dilation - r) / stride;
    const reach = (scatter.length - 1) * dil;
    const padBefore = first + reach - m0;
    // the correlation's output count inSize + padBefore + padAfter - reach must be `size`
    const padAfter = size - inSize - padBefore + reach;
    axes.push({ taps: scatter.reverse(), dilation: dil, padBefore, padAfter, size });
  }
  return axes;
}

const sameAxes = (axes: PhaseAxis[]): boolean => axes.every((x) => x.taps.length > 0 && x.taps.length === axes[0].taps.length &&
  x.padBefore === axes[0].padBefore && x.padAfter === axes[0].padAfter && x.size === axes[0].size);

/** A phase's convolution weights [OC, C/groups, taps H, taps W], and its packed-weight cache. */
interface PhaseKernel {
  weight: Tensor;
  bias: Tensor | null;
  packed: PackedConvWeights;
}

/**
 * The phase sub-kernels of one weight, built from it once and kept until the weight or bias (or
 * their data), the geometry or the stacking choice change. Modules keep one (as nn.Conv2d keeps
 * its packed weights).
 */
export class TransposedConvPlan {
  #weight: Tensor | null = null;
  #weightVersion = -1;
  #bias: Tensor | null = null;
  #biasVersion = -1;
  #geometry: number[] = [];
  #kernels: (PhaseKernel | null)[] = [];

  /** The kernels, one per phase (a*sW + b; null where no tap reaches), or one stacked kernel. */
  get(weight: Tensor, bias: Tensor | null, geometry: number[], build: () => (PhaseKernel | null)[]): (PhaseKernel | null)[] {
    if (this.#weight === weight && this.#weightVersion === weight.version && this.#bias === bias &&
      this.#biasVersion === (bias?.version ?? -1) && this.#geometry.length === geometry.length &&
      this.#geometry.every((v, i) => v === geometry[i])) return this.#kernels;
    this.dispose();
    this.#kernels = tidy(build);
    for (const k of this.#kernels) {
      if (k === null) continue;
      keep(k.weight);
      if (k.bias !== null && k.bias !== bias) keep(k.bias);
    }
    this.#weight = weight;
    this.#weightVersion = weight.version;
    this.#bias = bias;
    this.#biasVersion = bias?.version ?? -1;
    this.#geometry = geometry;
    return this.#kernels;
  }

  dispose(): void {
    for (const k of this.#kernels) {
      if (k === null) continue;
      k.weight.dispose();
      if (k.bias !== null && k.bias !== this.#bias) k.bias.dispose();
      k.packed.dispose();
    }
    this.#kernels = [];
    this.#weight = null;
    this.#bias = null;
    this.#geometry = [];
  }
}

/**
 * weight [C, OC/groups, KH, KW] -> the convolution weight of the phases listed: [phases * OC,
 * C/groups, taps H, taps W] (phase-major output channels; one phase unless stacked).
 */
function phaseWeight(source: Float32Array, shape: readonly number[], groups: number, phases: [number[], number[]][]): Tensor {
  const [channels, groupOut, kernelH, kernelW] = shape;
  const groupIn = channels / groups;
  const outChannels = groupOut * groups;
  const [tapsH, tapsW] = phases[0];
  const nh = tapsH.length;
  const nw = tapsW.length;
  const values = new Float32Array(phases.length * outChannels * groupIn * nh * nw);
  let at = 0;
  for (const [rows, cols] of phases) {
    for (let oc = 0; oc < outChannels; oc++) {
      const g = Math.floor(oc / groupOut);
      const o = oc - g * groupOut;
      for (let i = 0; i < groupIn; i++) {
        const base = ((g * groupIn + i) * groupOut + o) * kernelH * kernelW;
        for (const kh of rows) for (const kw of cols) values[at++] = source[base + kh * kernelW + kw];
      }
    }
  }
  return tensor(values, [phases.length * outChannels, groupIn, nh, nw]);
}

function runPhases(
  input: Tensor, weight: Tensor, bias: Tensor | null, params: ConvTranspose2dParams, plan: TransposedConvPlan,
  [batch, channels, height, width]: number[], output: Tensor, outChannels: number,
): void {
  const { stride, padding, dilation, groups } = params;
  const [, , kernelH, kernelW] = weight.shape;
  const outHeight = output.shape[output.dim() - 2];
  const outWidth = output.shape[output.dim() - 1];
  const rows = phaseAxes(height, outHeight, kernelH, stride[0], padding[0], dilation[0]);
  const cols = phaseAxes(width, outWidth, kernelW, stride[1], padding[1], dilation[1]);
  const phaseCount = stride[0] * stride[1];
  // all phases alike (kernel = stride, no padding: U-Net's 2x2 stride 2): one GEMM with phaseCount x
  // the output channels reads the input once and fills the 5-row tiles better than OC alone
  const stacked = phaseCount > 1 && groups === 1 && sameAxes(rows) && sameAxes(cols);
  const geometry = [stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1], groups, stacked ? 1 : 0];
  const kernels = plan.get(weight, bias, geometry, () => {
    const source = weight.data();
    if (stacked) {
      const phases: [number[], number[]][] = [];
      for (const r of rows) for (const c of cols) phases.push([r.taps, c.taps]);
      const biasValues = bias === null ? null : bias.data();
      const stackedBias = biasValues === null ? null : tensor(new Float32Array(phaseCount * outChannels).map((_, i) => biasValues[i % outChannels]), [phaseCount * outChannels]);
      return [{ weight: phaseWeight(source, weight.shape, groups, phases), bias: stackedBias, packed: new PackedConvWeights() }];
    }
    const kernels: (PhaseKernel | null)[] = [];
    for (const r of rows) {
      for (const c of cols) {
        kernels.push(r.taps.length === 0 || c.taps.length === 0 ? null
          : { weight: phaseWeight(source, weight.shape, groups, [[r.taps, c.taps]]), bias, packed: new PackedConvWeights() });
      }
    }
    return kernels;
  });
  // Winograd's tiles assume pads within the kernel's reach; phases may crop or pad past it
  const inReach = (x: PhaseAxis): boolean => Math.min(x.padBefore, x.padAfter) >= 0 && Math.max(x.padBefore, x.padAfter) <= (x.taps.length - 1) * x.dilation;
  const convParams = (kernel: PhaseKernel, row: PhaseAxis, col: PhaseAxis): Conv2dParams => ({
    stride: [1, 1], padding: [0, 0], dilation: [row.dilation, col.dilation], groups, paddingMode: "zeros", packed: kernel.packed,
    winograd: inReach(row) && inReach(col) ? undefined : false,
  });
  const pads = (row: PhaseAxis, col: PhaseAxis): number[] => [row.padBefore, row.padAfter, col.padBefore, col.padAfter];
  const dims = [batch, channels, height, width];
  const outPlane = outHeight * outWidth;
  if (phaseCount === 1) {
    // stride 1: the one phase is the output
    const [kernel] = kernels as PhaseKernel[];
    convolve(input, kernel.weight, kernel.bias, convParams(kernel, rows[0], cols[0]), dims, pads(rows[0], cols[0]), { ptr: output.ptr, shape: [batch, outChannels, outHeight, outWidth] });
    return;
  }
  tidy(() => {
    if (stacked) {
      const [kernel] = kernels as PhaseKernel[];
      const [row, col] = [rows[0], cols[0]];
      const phases = empty([batch, phaseCount * outChannels, row.size, col.size]);
      convolve(input, kernel.weight, kernel.bias, convParams(kernel, row, col), dims, pads(row, col), phases);
      const phaseBytes = outChannels * row.size * col.size * 4;
      for (let n = 0; n < batch; n++) {
        const image = phases.ptr + n * phaseCount * phaseBytes;
        const out = output.ptr + n * outChannels * outPlane * 4;
        merge(stride, rows, cols, (a, b) => image + (a * stride[1] + b) * phaseBytes, outChannels, out, outHeight, outWidth);
      }
      return;
    }
    const results: number[] = [];
    for (let a = 0; a < stride[0]; a++) {
      for (let b = 0; b < stride[1]; b++) {
        const [row, col] = [rows[a], cols[b]];
        const kernel = kernels[a * stride[1] + b];
        results.push(0);
        if (row.size === 0 || col.size === 0) continue;
        if (kernel === null) {
          // threads: images by pointers (plane p takes bias[p % channels])
          const planeBytes = outChannels * outHeight * outWidth * 4;
          parallel("f32_phase_fill", batch, threadsFor(batch * outChannels * row.size * col.size, batch), (start, end) =>
            [bias?.ptr ?? 0, (end - start) * outChannels, outChannels, stride[0], stride[1], a, b, output.ptr + start * planeBytes, outHeight, outWidth]);
          continue;
        }
        const y = empty([batch, outChannels, row.size, col.size]);
        convolve(input, kernel.weight, kernel.bias, convParams(kernel, row, col), dims, pads(row, col), y);
        results[results.length - 1] = y.ptr;
      }
    }
    merge(stride, rows, cols, (a, b) => results[a * stride[1] + b], batch * outChannels, output.ptr, outHeight, outWidth);
  });
}

/**
 * Interleaves phase outputs into [planes, outHeight, outWidth]: pairs of stride-2 column phases with
 * SIMD (f32_phase_merge_w2), anything else one phase at a time. `source(a, b)` is phase (a, b)'s
 * [planes, rows[a].size, cols[b].size] buffer, or 0 where the phase was filled already. Threads:
 * planes by pointers.
 */
function merge(
  stride: [number, number], rows: PhaseAxis[], cols: PhaseAxis[],
  source: (a: number, b: number) => number, planes: number, out: number, outHeight: number, outWidth: number,
): void {
  for (let a = 0; a < stride[0]; a++) {
    if (rows[a].size === 0) continue;
    const phaseH = rows[a].size;
    if (stride[1] === 2 && source(a, 0) !== 0 && source(a, 1) !== 0 && cols[1].size > 0) {
      const [src0, src1, w0, w1] = [source(a, 0), source(a, 1), cols[0].size, cols[1].size];
      parallel("f32_phase_merge_w2", planes, threadsFor(planes * phaseH * outWidth, planes), (start, end) =>
        [src0 + start * phaseH * w0 * 4, src1 + start * phaseH * w1 * 4, end - start, phaseH, w0, w1, stride[0], a,
          out + start * outHeight * outWidth * 4, outHeight, outWidth]);
      continue;
    }
    for (let b = 0; b < stride[1]; b++) {
      const src = source(a, b);
      const phaseW = cols[b].size;
      if (src === 0 || phaseW === 0) continue;
      phaseMergePlanes(src, planes, phaseH, phaseW, stride[0], stride[1], a, b, out, outHeight, outWidth);
    }
  }
}

/**
 * _ConvTransposeNd._output_padding: the output padding that makes the output `outputSize` (the
 * forward's argument; its leading batch/channel entries may be given), or `outputPadding` without one.
 */
export function outputPaddingFor(
  input: Tensor, outputSize: unknown, outputPadding: number[], stride: readonly number[], padding: readonly number[],
  kernel: readonly number[], dilation: readonly number[],
): number[] {
  if (outputSize === null || outputSize === undefined) return outputPadding;
  const spatial = kernel.length;
  let sizes: unknown[];
  if (Array.isArray(outputSize)) sizes = outputSize;
  else throw new TypeError(`output_size must be a list of ints, but got ${pyRepr(outputSize)}`);
  const nonSpatial = input.dim() === spatial + 2 ? 2 : 1;
  if (sizes.length === nonSpatial + spatial) sizes = sizes.slice(nonSpatial);
  if (sizes.length !== spatial) {
    throw new Error(`ConvTranspose${spatial}D: for ${input.dim()}D input, output_size must have ${spatial} or ${nonSpatial + spatial} elements (got ${sizes.length})`);
  }
  sizes.forEach((v) => {
    if (typeof v !== "number" || !Number.isInteger(v)) throw new TypeError(`output_size must be a list of ints, but got ${pyRepr(outputSize)}`);
  });
  const minSizes = kernel.map((k, d) => (input.shape[d + nonSpatial] - 1) * stride[d] - 2 * padding[d] + dilation[d] * (k - 1) + 1);
  const maxSizes = minSizes.map((m, d) => m + stride[d] - 1);
  const wanted = sizes as number[];
  for (let d = 0; d < spatial; d++) {
    if (wanted[d] < minSizes[d] || wanted[d] > maxSizes[d]) {
      // PyTorch prints input.size()[2:] also for unbatched input
      throw new Error(`requested an output size of [${wanted.join(", ")}], but valid sizes range from [${minSizes.join(", ")}] to [${maxSizes.join(", ")}] (for an input of torch.Size([${input.shape.slice(2).join(", ")}]))`);
    }
  }
  return wanted.map((v, d) => v - minSizes[d]);
}
