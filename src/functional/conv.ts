// F.conv2d and the convolution behind nn.Conv2d: argument checks, output-size arithmetic and the
// choice of kernel (depthwise, or indirect GEMM over packed weights).

import { Tensor, empty } from "../tensor.js";
import { tidy } from "../scope.js";
import { wasm, memoryMode, heapF64, type KernelName } from "../runtime.js";
import { Workspace } from "../allocator.js";
import { PackedConvWeights, fitsPackedBudget, packGemm, packedBytes, scaledRows, scaleRowsInto } from "./packed.js";
import { parseArgs, pair, pyRepr, type ArgSpec } from "../args.js";
import { checkPadLimits, pad2dPlanes, phaseMergePlanes, phaseSplitPlanes } from "./pad.js";
import { maxPoolPlanes, poolGeometry } from "./pool.js";
import { checkImageInput, convOutputSize, fmtShape, nchw, checkConvOperands } from "./shape.js";
import { activateRange, type Epilogue } from "./activation.js";
import { parallel, threadBytes, threadsFor } from "../threads/parallel.js";

export type PaddingMode = "zeros" | "reflect" | "replicate" | "circular";
export const PADDING_MODES: readonly PaddingMode[] = ["zeros", "reflect", "replicate", "circular"];
/** Kernel codes of assembly/pad.ts (zeros is constant 0). */
const PAD_MODE_CODE: Record<PaddingMode, number> = { zeros: 0, reflect: 1, replicate: 2, circular: 3 };

export type Activation = "none" | "relu" | "relu6";
/** A convolution's fused activation: a clamp by name, or any elementwise activation kernel (src/functional/activation.ts). */
export type ConvActivation = Activation | Epilogue;
const ACTIVATION_RANGE: Record<Activation, [number, number]> = {
  none: [-Infinity, Infinity], relu: [0, Infinity], relu6: [0, 6],
};

/** A fused activation as the kernels take it: a clamp range, and the epilogue kernel (null: the clamp only). */
function activationArgs(activation: ConvActivation | undefined): { range: [number, number]; epilogue: Epilogue | null } {
  const a = activation ?? "none";
  return typeof a === "string" ? { range: ACTIVATION_RANGE[a], epilogue: null } : { range: [a.a, a.b], epilogue: a };
}

export type Padding2d = [number, number] | "same" | "valid";
export { PackedConvWeights };

export interface Conv2dParams {
  stride: [number, number];
  padding: Padding2d;
  dilation: [number, number];
  groups: number;
  paddingMode: PaddingMode;
  /** fused into the kernel's epilogue (Sequential fusion); "none" by default */
  activation?: ConvActivation;
  /** packed-weight cache of a module; F.conv2d packs per call */
  packed?: PackedConvWeights;
  /**
   * a folded BatchNorm's per-output-channel scale: the convolution runs with weight * fold[oc]
   * (rounded to float32), made only where it is packed (bias is then the folded bias)
   */
  fold?: Float64Array;
  /** tests only: run the scalar reference kernel instead of the fast one */
  reference?: boolean;
  /** tests: the depthwise kernel, 4 channels across lanes (default) or one plane at a time */
  depthwise?: "c4" | "planes";
  /** tests: false forces the direct GEMM, a kind forces that Winograd variant (3x3 stride 1 only) */
  winograd?: boolean | WinogradKind;
  /** a max pool applied to the (activated) output, fused by Sequential: the result is the pool's */
  pool?: MaxPoolSpec;
  /** tests: bytes of convolution output per band of a fused pool (default POOL_BAND_BYTES) */
  poolBandBytes?: number;
  /** the input, when nothing reads it after this call (Sequential, which sets no test option): a depthwise layer may write its output over it */
  dead?: Tensor;
}

/** max_pool2d's arguments (no indices). */
export interface MaxPoolSpec {
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  ceilMode: boolean;
}

/** Explicit [top, bottom, left, right] padding; 'same' puts the odd extra on bottom/right, as PyTorch. */
export function resolvePadding(padding: Padding2d, kernel: [number, number], dilation: [number, number]): [number, number, number, number] {
  if (padding === "valid") return [0, 0, 0, 0];
  if (padding === "same") {
    const totalH = dilation[0] * (kernel[0] - 1);
    const totalW = dilation[1] * (kernel[1] - 1);
    return [totalH >> 1, totalH - (totalH >> 1), totalW >> 1, totalW - (totalW >> 1)];
  }
  return [padding[0], padding[0], padding[1], padding[1]];
}

/**
 * Normalises padding: an int, a pair, 'same' or 'valid'. Negative values pass here (non-zero
 * padding modes crop with them, as PyTorch); conv2dWith refuses them for zero padding.
 */
export function parsePadding(value: unknown, op: "conv2d" | "Conv2d"): Padding2d {
  if (typeof value === "string") {
    if (value !== "same" && value !== "valid") {
      // the functional and the module word this differently in PyTorch
      throw new Error(op === "conv2d"
        ? `Invalid padding string: ${pyRepr(value)}`
        : `Invalid padding string ${pyRepr(value)}, should be one of {'same', 'valid'}`);
    }
    return value;
  }
  return pair(value, "padding", "conv2d");
}

/** The value checks PyTorch makes on a convolution's sizes, with its messages. */
export function checkConvSizes(kernel: readonly number[], stride: readonly number[], dilation: readonly number[]): void {
  if (kernel[0] <= 0 || kernel[1] <= 0) {
    throw new Error(`kernel size should be greater than zero, but got kernel_height: ${kernel[0]} kernel_width: ${kernel[1]}`);
  }
  if (stride[0] <= 0 || stride[1] <= 0) throw new Error("non-positive stride is not supported");
  if (dilation[0] <= 0 || dilation[1] <= 0) throw new Error(`dilation should be greater than zero, but got [${dilation.join(", ")}]`);
}

const CONV2D_SPEC: ArgSpec = [
  ["input", undefined], ["weight", undefined], ["bias", null],
  ["stride", 1], ["padding", 0], ["dilation", 1], ["groups", 1],
];

/**
 * torch.nn.functional.conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1).
 * input [N, C, H, W] or [C, H, W]; weight [OC, C/groups, KH, KW]; bias [OC] or null.
 */
export function conv2d(...args: unknown[]): Tensor {
  const a = parseArgs("conv2d", CONV2D_SPEC, args);
  const groups = a.groups;
  if (typeof groups !== "number" || !Number.isInteger(groups)) throw new TypeError(`conv2d(): groups must be an int, but got ${pyRepr(groups)}`);
  if (groups <= 0) throw new Error("non-positive groups is not supported");
  return conv2dWith(a.input, a.weight, a.bias, {
    stride: pair(a.stride, "stride", "conv2d"),
    padding: parsePadding(a.padding, "conv2d"),
    dilation: pair(a.dilation, "dilation", "conv2d"),
    groups,
    paddingMode: "zeros",
  });
}

/** What the kernel calls need of an image buffer: a tensor, or a workspace with its shape. */
export interface Buffer4d { readonly ptr: number; readonly shape: readonly number[] }

const workspace = new Workspace("convolution workspace");
const paddingScratch = new Workspace("convolution padding scratch");

/**
 * A dilated convolution (stride 1) is an undilated one on each polyphase component of the padded
 * input: output rows a, a + d, a + 2d, ... read only input rows a, a + d, ... So the padded input is
 * split into d_h x d_w phases, each convolved with dilation 1 and no padding (Winograd), and the
 * phases' outputs are interleaved back.
 */
function convolveByPhases(
  input: Buffer4d, weight: Tensor, bias: Tensor | null, params: Conv2dParams,
  [batch, channels, height, width]: number[], [padTop, padBottom, padLeft, padRight]: number[], output: Buffer4d,
): void {
  const [stepH, stepW] = params.dilation;
  const paddedH = height + padTop + padBottom;
  const paddedW = width + padLeft + padRight;
  const outChannels = weight.shape[0];
  const outHeight = output.shape[output.shape.length - 2];
  const outWidth = output.shape[output.shape.length - 1];
  tidy(() => {
    const padded = empty([batch, channels, paddedH, paddedW]);
    const planes = batch * channels;
    // the copies are split across threads by planes (pad.ts)
    pad2dPlanes(input.ptr, padded.ptr, planes, height, width, padTop, padBottom, padLeft, padRight, PAD_MODE_CODE[params.paddingMode], 0);
    if (phasesOnThreads(padded.ptr, weight, bias, params, [batch, channels, paddedH, paddedW], output.ptr, outHeight, outWidth)) return;
    for (let a = 0; a < stepH; a++) {
      for (let b = 0; b < stepW; b++) {
        const phaseH = Math.ceil((paddedH - a) / stepH);
        const phaseW = Math.ceil((paddedW - b) / stepW);
        const phaseOutH = Math.ceil((outHeight - a) / stepH);
        const phaseOutW = Math.ceil((outWidth - b) / stepW);
        if (phaseOutH <= 0 || phaseOutW <= 0) continue;
        const phase = empty([batch, channels, phaseH, phaseW]);
        phaseSplitPlanes(padded.ptr, planes, paddedH, paddedW, stepH, stepW, a, b, phase.ptr, phaseH, phaseW);
        const y = conv2dWith(phase, weight, bias, {
          stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: params.groups, paddingMode: "zeros",
          activation: params.activation, packed: params.packed, winograd: params.winograd, fold: params.fold,
        });
        // the phase's valid output has exactly the phase's share of the output rows and columns
        const [yH, yW] = [y.shape[2], y.shape[3]];
        phaseMergePlanes(y.ptr, batch * outChannels, yH, yW, stepH, stepW, a, b, output.ptr, outHeight, outWidth);
        phase.dispose();
        y.dispose();
      }
    }
  });
}

/**
 * Threads (issue #15): the phases of convolveByPhases as tasks, each phase whole on one thread (its
 * split from the padded input, its Winograd call, its merge into the output), where every phase takes
 * the same Winograd kernel over weights cached packed. The phases and their calls are the one-thread
 * loop's, so are the bits. Splitting each phase's convolution instead (4 phases of 28x28 for a 3x3 d2
 * 64 ch @56) kept both threads waiting at 4 x 2 joins, with 7 tile blocks a phase to share, and left
 * the copies on one thread: 1.02x. False: not this case (lean mode, the GEMM, mixed kernels, weights
 * not cached), for the caller's loop.
 */
function phasesOnThreads(padded: number, weight: Tensor, bias: Tensor | null, params: Conv2dParams,
  [batch, channels, paddedH, paddedW]: number[], output: number, outHeight: number, outWidth: number): boolean {
  const [stepH, stepW] = params.dilation;
  const [outChannels, , kernelH, kernelW] = weight.shape;
  // each phase [a, b, rows, columns, output rows, output columns, its input's and its output's offset
  // in floats], as the one-thread loop makes them
  const phases: number[][] = [];
  let [inFloats, outFloats] = [0, 0];
  for (let a = 0; a < stepH; a++) {
    for (let b = 0; b < stepW; b++) {
      if (outHeight <= a || outWidth <= b) continue;
      const [inH, inW] = [Math.ceil((paddedH - a) / stepH), Math.ceil((paddedW - b) / stepW)];
      const [outH, outW] = [inH - kernelH + 1, inW - kernelW + 1];
      phases.push([a, b, inH, inW, outH, outW, inFloats, outFloats]);
      inFloats += batch * channels * inH * inW;
      outFloats += batch * outChannels * outH * outW;
    }
  }
  const threads = threadsFor(batch * outChannels * outHeight * outWidth * channels / params.groups * kernelH * kernelW, phases.length);
  // (up to 64 phases, a job holds one task a phase: MAX_TASK_ARGS)
  if (threads <= 1 || phases.length > 64) return false;
  const kernel = packedForPieces(weight, bias, params, channels, [1, 1], [1, 1], phases.map((p) => [p[4], p[5]]));
  if (kernel === null) return false;
  const { range: [actMin, actMax], epilogue } = activationArgs(params.activation);
  const { name, size } = winogradKernel(kernel.layout);
  const bytes = threadBytes(Math.max(...phases.map((p) => size(channels, outChannels, p[4], p[5]))), threads);
  const ws = workspace.get(bytes * threads);
  const scratch = paddingScratch.get(16);   // (no pads: the kernel pads nothing into it)
  const inputs = empty([inFloats]).ptr;
  const outputs = empty([outFloats]).ptr;
  // one task a phase (argsOf gets [p, p + 1)), on the same thread in all three jobs unless another takes it over
  const tasksPerThread = Math.ceil(phases.length / threads);
  parallel("f32_phase_split", phases.length, threads, (p) => {
    const [a, b, inH, inW, , , from] = phases[p];
    return [padded, batch * channels, paddedH, paddedW, stepH, stepW, a, b, inputs + from * 4, inH, inW];
  }, { tasksPerThread });
  parallel(name, phases.length, threads, (p) => {
    const [, , inH, inW, outH, outW, from, to] = phases[p];
    return [inputs + from * 4, batch, channels, inH, inW, kernel.packed, bias?.ptr ?? 0, outChannels, 0, 0, 0, 0, PAD_MODE_CODE.zeros,
      outputs + to * 4, outH, outW, ws, scratch, actMin, actMax, epilogue?.kind ?? 0];
  }, { tasksPerThread, perThread: { arg: 16, bytes } });
  parallel("f32_phase_merge", phases.length, threads, (p) => {
    const [a, b, , , outH, outW, , to] = phases[p];
    return [outputs + to * 4, batch * outChannels, outH, outW, stepH, stepW, a, b, output, outHeight, outWidth];
  }, { tasksPerThread });
  return true;
}

export type WinogradKind = "winograd" | "winograd4" | "winograd_s2k7";

/**
 * Winograd serves dense 3x3 stride-1 convolutions with enough channels to amortise its transforms:
 * F(4x4, 3x3) where the image has room for its 4x4 tiles, F(2x2, 3x3) on small images; everything
 * else runs the direct GEMM (measured with interleaved runs, see bench/).
 */
function chooseWinograd(kernel: readonly number[], stride: readonly number[], dilation: readonly number[], groups: number,
  channels: number, outChannels: number, outHeight: number, outWidth: number): WinogradKind | null {
  if (dilation[0] !== 1 || dilation[1] !== 1) return null;
  // a grouped convolution (not depthwise) with up to 4 groups runs as a dense one with block-diagonal
  // weights: F(4,3) does 9/2.25 = 4x fewer multiplications than direct, so it gains up to 4 groups
  if (groups > 4 || (groups > 1 && channels === groups)) return null;
  if (kernel[0] === 7 && kernel[1] === 7 && stride[0] === 2 && stride[1] === 2) {
    // 7x7 stride 2 (network stems): polyphase + F(3x3, 4x4), 3x fewer multiplications
    return groups === 1 && outChannels >= 8 && outHeight >= 6 && outWidth >= 6 ? "winograd_s2k7" : null;
  }
  const eligible = kernel[0] === 3 && kernel[1] === 3 && stride[0] === 1 && stride[1] === 1 && channels >= 8 &&
    outChannels >= (groups > 1 ? 4 : 8) && outHeight * outWidth >= 16;
  if (!eligible) return null;
  return outHeight >= 12 && outWidth >= 12 ? "winograd4" : "winograd";
}

/** The convolution itself, after argument parsing. All checks happen before any kernel runs. */
export function conv2dWith(inputArg: unknown, weightArg: unknown, biasArg: unknown, params: Conv2dParams): Tensor {
  const { input, weight, bias } = checkConvOperands("conv2d", inputArg, weightArg, biasArg);
  checkImageInput(input, "conv2d");
  if (weight.dim() !== 4) {
    throw new Error(`Expected 4-dimensional weight [out_channels, in_channels/groups, kH, kW] for conv2d, but got weight of size ${fmtShape(weight.shape)}`);
  }
  const { stride, dilation, groups, padding } = params;
  const [outChannels, groupIn, kernelH, kernelW] = weight.shape;
  const kernel: [number, number] = [kernelH, kernelW];
  if (padding === "same" && (stride[0] !== 1 || stride[1] !== 1)) {
    throw new Error("padding='same' is not supported for strided convolutions");
  }
  if (params.paddingMode === "zeros" && typeof padding !== "string" && (padding[0] < 0 || padding[1] < 0)) {
    throw new Error("negative padding is not supported");
  }
  checkConvSizes(kernel, stride, dilation);
  const [batch, channels, height, width] = nchw(input);
  if (outChannels === 0) {
    throw new Error(`Given groups=${groups}, expected weight to be at least 1 at dimension 0, but got weight of size ${fmtShape(weight.shape)} instead`);
  }
  if (outChannels % groups !== 0) {
    throw new Error(`Given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size ${fmtShape(weight.shape)} instead`);
  }
  if (channels !== groupIn * groups) {
    // PyTorch reports the input with its batch dimension already added
    throw new Error(`Given groups=${groups}, weight of size ${fmtShape(weight.shape)}, expected input${fmtShape([batch, channels, height, width])} to have ${groupIn * groups} channels, but got ${channels} channels instead`);
  }
  if (bias !== null && (bias.dim() !== 1 || bias.shape[0] !== outChannels)) {
    throw new Error(`Given weight of size ${fmtShape(weight.shape)}, expected bias to be 1-dimensional with ${outChannels} elements, but got bias of size ${fmtShape(bias.shape)} instead`);
  }
  const [padTop, padBottom, padLeft, padRight] = resolvePadding(params.padding, kernel, dilation);
  if (params.paddingMode !== "zeros") checkPadLimits(params.paddingMode, input, [padLeft, padRight, padTop, padBottom]);
  const paddedH = height + padTop + padBottom;
  const paddedW = width + padLeft + padRight;
  if (paddedH < dilation[0] * (kernelH - 1) + 1 || paddedW < dilation[1] * (kernelW - 1) + 1) {
    throw new Error(`Calculated padded input size per channel: (${paddedH} x ${paddedW}). Kernel size: (${dilation[0] * (kernelH - 1) + 1} x ${dilation[1] * (kernelW - 1) + 1}). Kernel size can't be greater than actual input size`);
  }
  if ((height === 0 || width === 0) && params.paddingMode === "zeros") {
    throw new Error(`Only zero batch or zero channel inputs are supported, but got input shape: ${fmtShape([batch, channels, height, width])}`);
  }
  const outHeight = convOutputSize(height, kernelH, stride[0], dilation[0], padTop, padBottom);
  const outWidth = convOutputSize(width, kernelW, stride[1], dilation[1], padLeft, padRight);
  const outShape = input.dim() === 4 ? [batch, outChannels, outHeight, outWidth] : [outChannels, outHeight, outWidth];
  if (params.pool !== undefined) {
    return convolveAndPool(input, weight, bias, params, [batch, channels, height, width], [padTop, padBottom, padLeft, padRight], outShape, params.pool);
  }
  // A depthwise layer (the c4 kernel: groups > 1, no crop; multiplier 1) keeping its dead input's
  // shape on whole planes writes its output over the input: the kernel stages a group's planes whole
  // before it writes them, and no task reads a plane another has written. The output's lines are then
  // the ones its core just read, not a recycled block's, last written by the other core
  // (bench/threads-placement.ts).
  const over = params.dead === input && groups > 1 && groups === channels && outChannels === channels && outHeight === height &&
    outWidth === width && wholePlanes(height, width) && (padTop | padBottom | padLeft | padRight) >= 0;
  const output = over ? input : empty(outShape);
  if (output.numel() === 0) return output;
  convolve(input, weight, bias, params, [batch, channels, height, width], [padTop, padBottom, padLeft, padRight], output);
  if (over) input._bump();
  return output;
}

/**
 * The kernel choice and call: `input` [batch, channels, height, width] (unbatched is batch 1)
 * convolved with explicit pads into `output`, whose last two dimensions are the output's size.
 * (Exported for conv_transpose.ts, whose phases are convolutions with explicit, possibly negative, pads.)
 */
export function convolve(
  input: Buffer4d, weight: Tensor, bias: Tensor | null, params: Conv2dParams, size: number[], pads: number[], output: Buffer4d,
): void {
  const { range, epilogue } = activationArgs(params.activation);
  // an activation kernel runs in the kernels' epilogues, in cache: the direct GEMM's (each block's row
  // chunk), the depthwise kernels' (each channel group's result / each plane), Winograd's (the rows
  // each pass completes); only a path without one would leave it to this pass over the output
  if (!convolveWith(input, weight, bias, params, size, pads, output, range, epilogue) && epilogue !== null) {
    let count = 1;
    for (const d of output.shape) count *= d;
    activateRange(output.ptr, output.ptr, count, epilogue);
  }
}

/** The kernel choice and call; true when the kernel applied `epilogue` itself (else the clamp [actMin, actMax]). */
function convolveWith(
  input: Buffer4d, weight: Tensor, bias: Tensor | null, params: Conv2dParams,
  [batch, channels, height, width]: number[], [padTop, padBottom, padLeft, padRight]: number[], output: Buffer4d,
  [actMin, actMax]: [number, number], epilogue: Epilogue | null,
): boolean {
  const { stride, dilation, groups } = params;
  const [outChannels, groupIn, kernelH, kernelW] = weight.shape;
  const kernel: [number, number] = [kernelH, kernelW];
  const outHeight = output.shape[output.shape.length - 2];
  const outWidth = output.shape[output.shape.length - 1];
  const modeCode = PAD_MODE_CODE[params.paddingMode];
  const k = wasm();
  if (params.reference !== true && params.winograd !== false && (dilation[0] > 1 || dilation[1] > 1) &&
    // only where each phase is big enough for F(4,3): smaller phases lost to the direct kernel (measured)
    chooseWinograd(kernel, stride, [1, 1], groups, channels, outChannels, Math.floor(outHeight / dilation[0]), Math.floor(outWidth / dilation[1])) === "winograd4") {
    convolveByPhases(input, weight, bias, params, [batch, channels, height, width], [padTop, padBottom, padLeft, padRight], output);
    return true;   // each phase's convolution applied it
  }
  const depthwise = groups === channels && groupIn === 1 && groups > 1;
  if (params.fold !== undefined && (depthwise || params.reference === true)) {
    // these kernels read the weights as they are: scale a copy for this call (depthwise weights are small)
    const fold = params.fold;
    return tidy(() => convolveWith(input, scaledRows(weight, fold), bias, { ...params, fold: undefined },
      [batch, channels, height, width], [padTop, padBottom, padLeft, padRight], output, [actMin, actMax], epilogue));
  }
  if (params.reference === true) {
    if (epilogue !== null || actMin !== -Infinity || actMax !== Infinity) throw new Error("the reference kernel has no fused activation");
    k.f32_conv2d_ref(input.ptr, batch, channels, height, width, weight.ptr, bias?.ptr ?? 0, outChannels, groups,
      kernelH, kernelW, stride[0], stride[1], dilation[0], dilation[1], padTop, padLeft, modeCode,
      output.ptr, outHeight, outWidth);
    return false;
  }
  if (depthwise) {
    // depthwise: by default 4 channels across the lanes ("c4"); per plane when a negative pad crops.
    // Threads (issue #15): each task stages into its own part of the workspace (perThread).
    const crops = padTop < 0 || padBottom < 0 || padLeft < 0 || padRight < 0;
    const work = batch * outChannels * outHeight * outWidth * kernelH * kernelW;
    const args = (ws: number): number[] => [input.ptr, batch, channels, height, width, weight.ptr, bias?.ptr ?? 0, outChannels / channels,
      kernelH, kernelW, stride[0], stride[1], dilation[0], dilation[1], padTop, padBottom, padLeft, padRight, modeCode,
      output.ptr, outHeight, outWidth, ws, actMin, actMax, epilogue?.kind ?? 0];
    if ((params.depthwise ?? "c4") === "c4" && !crops) {
      // units: (image, band of output rows, group of 4 channels): at least a band a thread, so each
      // thread's share is a share of the rows (see the kernel), and with few groups a thread (early
      // MobileNet layers: 8 groups at 112x112) more bands, so tasks even out. Planes under
      // DW_BAND_PLANE_BYTES go by channel groups only. A pixel's bits do not depend on its band, so
      // `bands` may follow the thread count.
      const groups = batch * Math.ceil(channels / 4);
      // (from 256K multiply-adds, as every call: at 1M, MobileNetV2 at 2 threads, interleaved, took
      // 14.8-17.0 ms against 13.9-15.8 at 256K; lower, single depthwise layers of 60 us (384 ch @14)
      // ran up to 5x slower split whenever the worker's vCPU stalled: bench runs of this session)
      const most = threadsFor(work, groups * outHeight);
      const bands = most === 1 || wholePlanes(outHeight, outWidth) ? 1 : Math.min(Math.max(most, Math.min(Math.ceil(12 * most / groups), Math.ceil(outHeight / 4))), outHeight);
      const threads = Math.min(most, groups * bands);
      const bytes = threadBytes(k.f32_dwconv2d_c4_workspace(height, width, padTop, padBottom, padLeft, padRight, outHeight, outWidth), threads);
      const ws = workspace.get(bytes * threads);
      parallel("f32_dwconv2d_c4", groups * bands, threads, (start, end) => [...args(ws), bands, start, end],
        { perThread: { arg: 22, bytes } });
      return true;
    }
    // units: input planes (image, channel), each with its `multiplier` output planes
    const planes = batch * channels;
    const threads = threadsFor(work, planes);
    const bytes = threadBytes(k.f32_dwconv2d_workspace(height, width, padTop, padBottom, padLeft, padRight, stride[1]), threads);
    const ws = workspace.get(bytes * threads);
    parallel("f32_dwconv2d", planes, threads, (start, end) => [...args(ws), start, end], { perThread: { arg: 22, bytes } });
    return true;
  }
  const winograd = params.winograd === false ? null
    : typeof params.winograd === "string" ? params.winograd
    : chooseWinograd(kernel, stride, dilation, groups, channels, outChannels, outHeight, outWidth);
  const call: PackedCall = {
    layout: winograd ?? "gemm", input, batch, channels, height, width, bias, outChannels, groups, kernelH, kernelW, stride, dilation,
    pads: [padTop, padBottom, padLeft, padRight], modeCode, output, outHeight, outWidth, actMin, actMax, epilogueKind: epilogue?.kind ?? 0,
  };
  const fold = params.fold ?? null;
  if (packsInChunks(weight, bias, groups, call.layout, fold, params.packed)) {
    params.packed?.dispose();
    convolveInChunks(weight, fold, call);
    return true;
  }
  const cache = params.packed ?? new PackedConvWeights();
  try {
    runPacked(call, cache.get(weight, bias, groups, call.layout, fold));
  } finally {
    // F.conv2d, and every convolution in lean mode, packs per call
    if (params.packed === undefined || memoryMode() === "lean") cache.dispose();
  }
  return true;
}

/**
 * Whether a convolution packs its weights a chunk of output channels at a time, just before each
 * chunk's kernel call, keeping none: lean mode, or an F(2,3) copy past fast mode's budget.
 */
function packsInChunks(weight: Tensor, bias: Tensor | null, groups: number, layout: "gemm" | WinogradKind, fold: Float64Array | null,
  packed: PackedConvWeights | undefined): boolean {
  return groups === 1 && (memoryMode() === "lean" || (packed !== undefined && !packed.holds(weight, bias, groups, layout, fold) &&
    layout === "winograd" && !fitsPackedBudget(packedBytes(weight, groups, layout))));
}

/** One packed convolution's operands (output channels [0, outChannels) of `output`, bias from `bias`). */
interface PackedCall {
  layout: "gemm" | WinogradKind;
  input: Buffer4d; batch: number; channels: number; height: number; width: number;
  bias: Tensor | null; outChannels: number; groups: number; kernelH: number; kernelW: number;
  stride: [number, number]; dilation: [number, number]; pads: number[]; modeCode: number;
  output: Buffer4d; outHeight: number; outWidth: number; actMin: number; actMax: number; epilogueKind: number;
  /** Winograd in lean mode: [weight, fold, chunk] (winograd_conv.ts), U packed per chunk by the kernel */
  lean?: number[];
}

/**
 * The kernel call over weights packed for `call.layout` (the GEMM's packed panels carry the bias;
 * Winograd adds it from `biasPtr`), by default on the whole call, else on one image and chunk.
 */
function runPacked(call: PackedCall, packed: number, biasPtr = call.bias?.ptr ?? 0, outputPtr = call.output.ptr,
  inputPtr = call.input.ptr, batch = call.batch): void {
  const k = wasm();
  const { layout, channels, height, width, outChannels, outHeight, outWidth, modeCode, actMin, actMax, epilogueKind } = call;
  const [padTop, padBottom, padLeft, padRight] = call.pads;
  if (layout === "gemm") {
    igemm(call, packed, outputPtr, inputPtr, batch);
    return;
  }
  // 3x3 stride 1: Winograd, F(4x4, 3x3) (36 multiplications per 4x4 tile instead of 144) or F(2x2, 3x3);
  // 7x7 stride 2: the stem's polyphase F(3x3, 4x4). The padded copy: the stem's polyphase staging
  // (3x3 kernels stage every padding mode in one pass).
  const needsCopy = (padTop | padBottom | padLeft | padRight) !== 0 && layout === "winograd_s2k7";
  const scratch = paddingScratch.get(needsCopy ? channels * (height + padTop + padBottom) * (width + padLeft + padRight) * 4 : 16);
  const { m, size, run } = winogradKernel(layout);
  // the output channels whose U `packed` holds (lean: a chunk's; the kernels' chunk <= 0 or >= OC is all)
  const leanChunk = call.lean?.[2] ?? 0;
  const held = leanChunk > 0 && leanChunk < outChannels ? leanChunk : outChannels;
  const tileBlocks = k.f32_winograd_plan(m, channels, held, outHeight, outWidth, 0);
  const multiplies = (m === 2 ? 16 : 36) * (m === 3 ? 4 * channels : channels) * outChannels * tileBlocks * 8;
  // (the threads' jobs go image by image: an image's multiply-adds decide)
  const threads = threadsFor(multiplies, Math.max(tileBlocks, Math.ceil(outChannels / GEMM_MR)));
  if (threads > 1) {
    winogradThreads(call, m, held, threads, packed, biasPtr, outputPtr, inputPtr, batch, scratch);
    return;
  }
  // a lean call's passes are sized as a call on one chunk's channels
  const ws = workspace.get(size(channels, held, outHeight, outWidth));
  run(inputPtr, batch, channels, height, width, packed, biasPtr, outChannels,
    padTop, padBottom, padLeft, padRight, modeCode, outputPtr, outHeight, outWidth, ws, scratch, actMin, actMax, epilogueKind, ...call.lean ?? []);
}

/** A Winograd layout's kernel: m (2 F(2,3), 4 F(4,3), 3 the stem, as the kernels number them), its name, workspace size and call. */
function winogradKernel(layout: WinogradKind): { m: number; name: KernelName; size: (...args: number[]) => number; run: (...args: number[]) => number } {
  const k = wasm();
  const [m, name, size]: [number, KernelName, (...args: number[]) => number] = layout === "winograd_s2k7" ? [3, "f32_conv2d_winograd_s2k7", k.f32_winograd_s2k7_workspace]
    : layout === "winograd4" ? [4, "f32_conv2d_winograd_f4x3", k.f32_winograd_f4x3_workspace]
    : [2, "f32_conv2d_winograd_f2x3", k.f32_winograd_f2x3_workspace];
  return { m, name, size, run: k[name] as (...args: number[]) => number };
}

/**
 * Threads: a call cut into pieces that each run as one whole Winograd call (the bands of a fused
 * pool, the phases of a dilated convolution), as the one-thread path runs them. The one layout every
 * piece takes ([rows, columns] of each piece's output) and the weights packed for it, kept in the
 * call's cache; null where the pieces cannot run so: no cache, lean mode, the reference kernel,
 * Winograd off, a piece taking the GEMM or another layout, weights packed chunk by chunk.
 */
function packedForPieces(weight: Tensor, bias: Tensor | null, params: Conv2dParams, channels: number,
  stride: [number, number], dilation: [number, number], pieces: [number, number][]): { layout: WinogradKind; packed: number } | null {
  const { packed, groups } = params;
  if (packed === undefined || memoryMode() === "lean" || params.reference === true || params.winograd === false) return null;
  const [outChannels, , kernelH, kernelW] = weight.shape;
  let layout: WinogradKind | null = null;
  for (const [rows, columns] of pieces) {
    const kind = typeof params.winograd === "string" ? params.winograd
      : chooseWinograd([kernelH, kernelW], stride, dilation, groups, channels, outChannels, rows, columns);
    if (kind === null || (layout !== null && kind !== layout)) return null;
    layout = kind;
  }
  const fold = params.fold ?? null;
  if (layout === null || packsInChunks(weight, bias, groups, layout, fold, packed)) return null;
  return { layout, packed: packed.get(weight, bias, groups, layout, fold) };
}

/**
 * Threads: depthwise output planes under this many bytes (28x28 and smaller) are split by channel
 * groups, not rows: at a band's edge two threads write the same cache line of every plane, and small
 * planes share lines with their neighbours too (MobileNetV2 at 2 threads, interleaved: 12.87/12.69
 * -> 12.24/11.97 ms).
 */
const DW_BAND_PLANE_BYTES = 4096;
/** Whether the depthwise c4 kernel gives each task whole output planes of `height` x `width` (no row bands). */
const wholePlanes = (height: number, width: number): boolean => height * width * 4 < DW_BAND_PLANE_BYTES;

/** The micro-kernel's output channels a block (GEMM_MR in assembly/conv/pack.ts). */
const GEMM_MR = 5;

/**
 * A Winograd call (tile m: 2 F(2,3), 4 F(4,3), 3 the stem) on `threads` threads, image by image
 * (assembly/conv/winograd_conv.ts, "Threads"): the input staged by channels, then tile mode (tile
 * blocks split; each thread its own V and M against the whole U, packed first by output-channel
 * blocks in lean mode) where U is small and the image has tile blocks to share, else channel mode
 * (V of every block made with the staging; output-channel blocks split, each task reading only its
 * U, which in lean mode it packs itself, chunk by chunk). Both split independent outputs only.
 */
function winogradThreads(call: PackedCall, m: number, held: number, threads: number, packed: number, biasPtr: number,
  outputPtr: number, inputPtr: number, batch: number, scratch: number): void {
  const k = wasm();
  const { channels, height, width, outChannels, outHeight, outWidth, modeCode, actMin, actMax, epilogueKind } = call;
  const [padTop, padBottom, padLeft, padRight] = call.pads;
  const plan = (part: number): number => k.f32_winograd_plan(m, channels, held, outHeight, outWidth, part);
  const tileBlocks = plan(0);
  const [weight, fold] = call.lean ?? [0, 0];
  // tile mode needs the whole U at once, and gains where one pass takes one block (U in cache)
  const channelMode = held < outChannels || plan(1) > 1 || tileBlocks < 4 * threads;
  const shared = Math.ceil(plan(channelMode ? 4 : 2) / 64) * 64;
  const local = threadBytes(plan(channelMode ? 5 : 3), threads);
  const ws = workspace.get(shared + threads * local);
  const ocBlocks = Math.ceil(outChannels / GEMM_MR);
  const [stageH, stageW] = [plan(6), plan(7)];
  for (let n = 0; n < batch; n++) {
    const image = inputPtr + n * channels * height * width * 4;
    const out = outputPtr + n * outChannels * outHeight * outWidth * 4;
    // the staging goes on the call's threads even when small (256 ch @14: 0.6M ops): the job after it
    // reads its output on every thread anyway, and one wake of spinning workers costs microseconds.
    // Tile mode stages by rows, as the tile tasks read it (each thread then stages mostly its own
    // tiles' rows, in its own cache); else by channels (each with its V in channel mode)
    if (!channelMode && m !== 3) {
      parallel("f32_embed_rows", stageH, threads, (r0, r1) => [image, channels, height, width, ws, stageH, stageW,
        padTop, padBottom, padLeft, padRight, modeCode, r0, r1]);
    } else {
      parallel("f32_winograd_stage", channels, threads, (c0, c1) => [m, image, channels, height, width,
        padTop, padBottom, padLeft, padRight, modeCode, outHeight, outWidth, ws, scratch, channelMode ? 1 : 0, ws + shared, c0, c1],
      { perThread: { arg: 15, bytes: local } });
    }
    if (!channelMode) {
      if (weight !== 0 && n === 0) {
        parallel("f32_winograd_pack_blocks", ocBlocks, Math.min(threads, threadsFor(outChannels * channels * (m === 3 ? 49 : 9) * 8, ocBlocks)),
          (b0, b1) => [m, weight, fold, outChannels, 0, outChannels, channels, packed, b0, b1]);
      }
      parallel("f32_winograd_tiles", tileBlocks, Math.min(threads, tileBlocks), (b0, b1) => [m, channels, packed, biasPtr, outChannels,
        out, outHeight, outWidth, ws, ws + shared, actMin, actMax, epilogueKind, b0, b1], { perThread: { arg: 9, bytes: local } });
      continue;
    }
    for (let oc0 = 0; oc0 < outChannels; oc0 += held) {
      const count = Math.min(held, outChannels - oc0);
      const blocks = Math.ceil(count / GEMM_MR);
      // lean: each task packs its blocks of the chunk (a layer in one chunk: at the first image only)
      const packFrom = held < outChannels || n === 0 ? weight : 0;
      parallel("f32_winograd_outblocks", blocks, Math.min(threads, blocks), (b0, b1) => [m, channels, packed, biasPtr, outChannels,
        oc0, count, out, outHeight, outWidth, ws, ws + shared, actMin, actMax, epilogueKind, packFrom, fold, b0, b1],
      { perThread: { arg: 11, bytes: local } });
    }
  }
}

/** The padded input a threaded GEMM convolution's tasks read, made once per pass of images. */
const paddedInput = new Workspace("convolution padded input");
/** Padded images per pass of a threaded GEMM convolution: about this many bytes, at least one image. */
const PADDED_PASS_BYTES = 4 * 1024 * 1024;

/**
 * f32_conv2d_igemm on `batch` images, split across threads (issue #15) along independent outputs:
 * runs of 8-pixel tiles of each image and group when there are enough of them for every thread
 * (each task gathers only its own tiles' panels), else tile units x blocks of 5 output channels
 * (small images, deep layers: a task gathers its tile unit's panels once for its run of blocks).
 * The padded input is made first, once, in a pass parallel over planes; the tasks then read it as
 * an unpadded input (the same values: the same bits). One thread: one call, which pads per image.
 */
function igemm(call: PackedCall, packed: number, outputPtr: number, inputPtr: number, batch: number): void {
  const k = wasm();
  const { channels, height, width, outChannels, groups, kernelH, kernelW, outHeight, outWidth, modeCode, actMin, actMax, epilogueKind } = call;
  const [padTop, padBottom, padLeft, padRight] = call.pads;
  const [strideH, strideW] = call.stride;
  const [dilationH, dilationW] = call.dilation;
  const reduction = channels / groups * kernelH * kernelW;
  const outPixels = outHeight * outWidth;
  const tiles = Math.ceil(outPixels / 8);
  const blocks = Math.ceil(outChannels / groups / 5);
  const threads = threadsFor(batch * outChannels * outPixels * Math.max(reduction, 1), batch * groups * tiles * blocks);
  if (threads === 1) {
    const ws = workspace.get(k.f32_conv2d_igemm_workspace(channels, height, width, kernelH, kernelW, groups, padTop, padBottom, padLeft, padRight));
    k.f32_conv2d_igemm(inputPtr, batch, channels, height, width, packed, outChannels, groups,
      kernelH, kernelW, strideH, strideW, dilationH, dilationW, padTop, padBottom, padLeft, padRight, modeCode,
      outputPtr, outHeight, outWidth, ws, actMin, actMax, epilogueKind, 0, batch * groups, 0, 0);
    return;
  }
  const [tilesPerUnit, blocksPerUnit] = igemmGrid(batch * groups, tiles, blocks, threads, outPixels * 4, tiles * 8 * reduction * 4);
  const tileUnits = Math.ceil(tiles / tilesPerUnit);
  const blockUnits = blocksPerUnit === 0 ? 1 : blocks;
  const imageUnits = groups * tileUnits * blockUnits;
  const paddedH = height + padTop + padBottom;
  const paddedW = width + padLeft + padRight;
  // each thread's panels and offsets (no padded planes: the tasks read the padded input made below)
  const bytes = threadBytes(k.f32_conv2d_igemm_workspace(channels, paddedH, paddedW, kernelH, kernelW, groups, 0, 0, 0, 0), threads);
  const ws = workspace.get(bytes * threads);
  const run = (source: number, images: number, output: number, h: number, w: number): void => {
    parallel("f32_conv2d_igemm", images * imageUnits, threads, (start, end) => [source, images, channels, h, w, packed, outChannels, groups,
      kernelH, kernelW, strideH, strideW, dilationH, dilationW, 0, 0, 0, 0, 0, output, outHeight, outWidth, ws, actMin, actMax, epilogueKind,
      start, end, tilesPerUnit, blocksPerUnit], { perThread: { arg: 22, bytes } });
  };
  if ((padTop | padBottom | padLeft | padRight) === 0) {
    run(inputPtr, batch, outputPtr, height, width);
    return;
  }
  const plane = height * width * 4;
  const paddedPlane = paddedH * paddedW * 4;
  const perPass = Math.max(1, Math.min(batch, Math.floor(PADDED_PASS_BYTES / (channels * paddedPlane))));
  const source = paddedInput.get(perPass * channels * paddedPlane);
  for (let n0 = 0; n0 < batch; n0 += perPass) {
    const images = Math.min(perPass, batch - n0);
    const planes = images * channels;
    const first = inputPtr + n0 * channels * plane;
    // on the call's threads even when small (64 ch @56: 0.2M floats): the tasks after it read it on every
    // thread anyway; by rows, as the tile tasks read it (each thread pads mostly its own rows)
    parallel("f32_embed_rows", paddedH, threads, (r0, r1) => [first, planes, height, width, source, paddedH, paddedW,
      padTop, padBottom, padLeft, padRight, modeCode, r0, r1]);
    run(source, images, outputPtr + n0 * outChannels * outPixels * 4, paddedH, paddedW);
  }
}

/**
 * [tilesPerUnit, blocksPerUnit] of f32_conv2d_igemm's grid for `threads` (any grid gives the same
 * bits): whole images' tiles by blocks of output channels where an output plane is under 4 KB and
 * the image's gathered panels (`panelBytes`) under 128 KB (MobileNetV2's 1x1 convs at 14x14 and
 * 7x7: split by rows, two threads wrote the same cache line of every plane, at the rows' edge and
 * where one small plane ends and the next begins; by blocks, each thread writes whole planes);
 * else single tiles (0: all blocks) where the images and groups have >= 12 tiles a thread, else
 * tile units (>= 4 tiles) of single blocks, with fewer tile units the more blocks there are (each
 * task's run of blocks then reuses one gather of its tiles' panels).
 */
function igemmGrid(imagesGroups: number, tiles: number, blocks: number, threads: number, planeBytes: number,
  panelBytes: number): [number, number] {
  if (planeBytes < 4096 && panelBytes <= 128 * 1024 && blocks >= 4 * threads) return [tiles, 1];
  if (imagesGroups * tiles >= 12 * threads || blocks === 1) return [1, 0];
  const tileUnits = Math.min(Math.ceil(tiles / 4), Math.max(1, Math.floor(48 * threads / blocks)));
  return [Math.ceil(tiles / tileUnits), 1];
}

/** Lean mode's packing buffer: one chunk of output channels at a time, about LEAN_CHUNK_BYTES. */
const leanChunk = new Workspace("lean-mode packing chunk");
/** A chunk's weights scaled by a folded BatchNorm, before packing (Winograd: after the factors). */
const leanFold = new Workspace("lean-mode folded chunk");
const LEAN_CHUNK_BYTES = 2 * 1024 * 1024;

/**
 * Lean mode (groups == 1): packs about LEAN_CHUNK_BYTES worth of output channels (whole 5-channel
 * blocks of the kernels) and convolves them, chunk after chunk. Each output channel's arithmetic is
 * the whole-layer call's, so the bits are fast mode's. Winograd packs inside the kernel, each chunk
 * after the input transform (V) that all chunks share; the GEMM (no V) is called per chunk and
 * image (one image's output channels [o0, o0 + n) are contiguous, a batch's are not).
 */
function convolveInChunks(weight: Tensor, fold: Float64Array | null, call: PackedCall): void {
  const k = wasm();
  const { layout, channels, outChannels } = call;
  const reduction = weight.shape[1] * weight.shape[2] * weight.shape[3];
  const floats = (n: number): number => layout === "winograd" ? k.f32_winograd_f2x3_packed_size(n, channels)
    : layout === "winograd4" ? k.f32_winograd_f4x3_packed_size(n, channels)
    : layout === "winograd_s2k7" ? k.f32_winograd_s2k7_packed_size(n, channels)
    : k.f32_conv2d_packed_size(n, 1, reduction);
  const chunk = Math.min(outChannels, 5 * Math.max(1, Math.floor(LEAN_CHUNK_BYTES / (floats(5) * 4))));
  const chunkPtr = leanChunk.get(floats(chunk) * 4);
  const foldPtr = fold === null ? 0 : leanFold.get(outChannels * 8 + chunk * reduction * 4);
  if (layout !== "gemm") {
    // the kernel sizes its passes by the chunk: a chunk's U (~2 MiB) is over the pass limits (<= 1 MiB),
    // so a chunked layer runs one pass and packs each chunk once; a layer that fits packs once
    if (fold !== null) heapF64().set(fold, foldPtr / 8);
    runPacked({ ...call, lean: [weight.ptr, foldPtr, chunk] }, chunkPtr);
    return;
  }
  const plane = call.outHeight * call.outWidth * 4;
  const image = channels * call.height * call.width * 4;
  for (let o0 = 0; o0 < outChannels; o0 += chunk) {
    const n = Math.min(chunk, outChannels - o0);
    if (fold !== null) scaleRowsInto(weight, fold, o0, n, foldPtr);
    const from = fold !== null ? foldPtr : weight.ptr + o0 * reduction * 4;
    const biasPtr = call.bias === null ? 0 : call.bias.ptr + o0 * 4;
    packGemm(from, biasPtr, n, 1, reduction, chunkPtr);
    const part = { ...call, outChannels: n };
    if (n === outChannels) {
      runPacked(part, chunkPtr, biasPtr);   // one chunk: the whole batch in one call
      continue;
    }
    for (let i = 0; i < call.batch; i++) {
      runPacked(part, chunkPtr, biasPtr, call.output.ptr + (i * outChannels + o0) * plane, call.input.ptr + i * image, 1);
    }
  }
}

/** Bytes of convolution output per band of a fused convolution + max pool. */
const POOL_BAND_BYTES = 1024 * 1024;
// a band's input rows and its convolution output, reused from call to call
const bandInput = new Workspace("convolution band input");
const bandOutput = new Workspace("convolution band output");

/**
 * Convolution, then max_pool2d (Sequential fuses Conv2d [+ BatchNorm2d] [+ ReLU] + MaxPool2d). A large
 * output is made in bands of pooled rows: each band convolves just the input rows it needs into a
 * buffer of about POOL_BAND_BYTES and pools it, so the whole convolution output (a ResNet stem's is
 * 3 MiB) never exists at once; neighbouring bands recompute the rows their windows share (bands of
 * a multiple of 3 rows where possible, the tile height of the stem's Winograd kernel). Checks and
 * errors are the unfused pair's. Small outputs, and padding modes other than zeros (whose pad at a
 * band's edge would come from elsewhere in the image), convolve the whole image, then pool.
 */
function convolveAndPool(
  input: Tensor, weight: Tensor, bias: Tensor | null, params: Conv2dParams,
  [batch, channels, height, width]: number[], [padTop, padBottom, padLeft, padRight]: number[],
  convShape: number[], pool: MaxPoolSpec,
): Tensor {
  const g = poolGeometry("max_pool2d", convShape, pool.kernel, pool.stride, pool.padding, pool.dilation, pool.ceilMode);
  const output = empty(g.outShape);
  if (output.numel() === 0) return output;
  const k = wasm();
  const outChannels = weight.shape[0];
  const [convH, convW] = [g.height, g.width];
  const [poolKH, poolKW] = pool.kernel;
  const [poolSH, poolSW] = pool.stride;
  const [poolPH, poolPW] = pool.padding;
  const [poolDH, poolDW] = pool.dilation;
  const windowRows = poolDH * (poolKH - 1) + 1;
  const reach = params.dilation[0] * (weight.shape[2] - 1) + 1;   // input rows under one output row
  const bandBytes = params.poolBandBytes ?? POOL_BAND_BYTES;
  const planeRowBytes = outChannels * convW * 4;
  if (params.paddingMode !== "zeros" || padTop >= reach || padBottom >= reach || planeRowBytes * convH <= 2 * bandBytes) {
    tidy(() => {
      const y = empty(convShape);
      convolve(input, weight, bias, params, [batch, channels, height, width], [padTop, padBottom, padLeft, padRight], y);
      maxPoolPlanes(y.ptr, g.planes, convH, convW, pool.kernel, pool.stride, pool.padding, pool.dilation, output.ptr, g.outHeight, g.outWidth, 0);
    });
    return output;
  }
  // pooled rows per band: about bandBytes of convolution rows, a multiple of 3 of them if one is near
  const fit = Math.max(1, Math.floor((Math.floor(bandBytes / planeRowBytes) - windowRows) / poolSH) + 1);
  let bandRows = fit;
  for (let p = fit; p > Math.max(0, fit - 3); p--) {
    if (((p - 1) * poolSH + windowRows) % 3 === 0) { bandRows = p; break; }
  }
  const stepH = params.stride[0];
  // the largest band's buffers, taken once (a band's rows never exceed these)
  const maxRows = Math.min(convH, (bandRows - 1) * poolSH + windowRows);
  const maxInputRows = Math.min(height, (maxRows - 1) * stepH + reach);
  const bands = Math.ceil(g.outHeight / bandRows);
  // band b: pooled rows [first, last) from convolution rows [r0, r1), which read input rows [top,
  // bottom) ([i0, i1) inside the image, the rest its zero padding)
  const bandOf = (b: number): Band => {
    const first = b * bandRows;
    const last = Math.min(g.outHeight, first + bandRows);
    const r0 = Math.max(0, first * poolSH - poolPH);
    const r1 = Math.min(convH, (last - 1) * poolSH - poolPH + windowRows);
    const top = r0 * stepH - padTop;
    const bottom = (r1 - 1) * stepH - padTop + reach;
    return { first, last, r0, r1, top, bottom, i0: Math.max(0, top), i1: Math.min(height, bottom) };
  };
  const threads = threadsFor(batch * outChannels * convH * convW * channels * weight.shape[2] * weight.shape[3] / params.groups, batch * bands);
  if (threads > 1 && poolBandsOnThreads(input, weight, bias, params, [batch, channels, height, width], padTop, padLeft, padRight, g,
    pool, bandRows, bands, bandOf, threads, output)) {
    return output;
  }
  const sourcePtr = bandInput.get(channels * maxInputRows * width * 4);
  const bandPtr = bandOutput.get(outChannels * maxRows * convW * 4);
  tidy(() => {
    for (let n = 0; n < batch; n++) {
      for (let b = 0; b < bands; b++) {
        const { first, last, r0, r1, top, bottom, i0, i1 } = bandOf(b);
        // the band's input rows of image n, as one [channels, rows, width] buffer
        const source = { ptr: sourcePtr, shape: [1, channels, i1 - i0, width] };
        const heap = new Float32Array(k.memory.buffer);
        for (let c = 0; c < channels; c++) {
          const from = (input.ptr >>> 2) + ((n * channels + c) * height + i0) * width;
          heap.copyWithin((source.ptr >>> 2) + c * (i1 - i0) * width, from, from + (i1 - i0) * width);
        }
        const rows = r1 - r0;
        const band = { ptr: bandPtr, shape: [1, outChannels, rows, convW] };
        convolve(source, weight, bias, params, [1, channels, i1 - i0, width], [i0 - top, bottom - i1, padLeft, padRight], band);
        // the band's pooled rows, split by rows as the convolution's tile tasks were (each thread then
        // pools mostly what it convolved, still in its cache)
        const pooledRows = last - first;
        parallel("f32_maxpool2d_rows", pooledRows, Math.min(threads, pooledRows), (o0, o1) => [
          band.ptr, outChannels, rows, convW, poolKH, poolKW, poolSH, poolSW, r0 - (first * poolSH - poolPH), poolPW, poolDH, poolDW,
          output.ptr + (n * outChannels * g.outHeight + first) * g.outWidth * 4, g.outHeight * g.outWidth, g.outWidth, o0, o1]);
      }
    }
  });
  return output;
}

/** A band of convolveAndPool: pooled rows, the convolution rows they need, and those rows' input rows. */
interface Band { first: number; last: number; r0: number; r1: number; top: number; bottom: number; i0: number; i1: number }

/** Each thread's band buffers for poolBandsOnThreads. */
const bandThreads = new Workspace("convolution bands per thread");

/**
 * Threads (issue #15): the bands of convolveAndPool as tasks, each band whole on one thread (its
 * input rows, Winograd call and pool: f32_winograd_pool_bands), where every band takes the same
 * Winograd kernel over weights cached packed. The bands and the calls are the one-thread path's, so
 * are the bits; no band's rows cross cores (splitting each band's convolution, then its pool, across
 * threads gained ~1.0-1.4x on ResNet-18's stem). False: not this case (lean mode, the GEMM, mixed
 * kernels, weights not cached), for the caller's band loop.
 */
function poolBandsOnThreads(
  input: Tensor, weight: Tensor, bias: Tensor | null, params: Conv2dParams, [batch, channels, height, width]: number[],
  padTop: number, padLeft: number, padRight: number, g: ReturnType<typeof poolGeometry>, pool: MaxPoolSpec,
  bandRows: number, bands: number, bandOf: (b: number) => Band, threads: number, output: Tensor,
): boolean {
  const { stride, dilation } = params;
  const [outChannels, , kernelH] = weight.shape;
  const [poolKH, poolKW] = pool.kernel;
  const [poolSH, poolSW] = pool.stride;
  const [poolPH, poolPW] = pool.padding;
  const [poolDH, poolDW] = pool.dilation;
  const reach = dilation[0] * (kernelH - 1) + 1;
  const all = Array.from({ length: bands }, (_, b) => bandOf(b));
  const kernel = packedForPieces(weight, bias, params, channels, stride, dilation, all.map(({ r0, r1 }) => [r1 - r0, g.width]));
  if (kernel === null) return false;
  const { m, size } = winogradKernel(kernel.layout);
  // each thread's buffers, for the largest band: its input rows, their padded copy (only the stem's
  // kernel pads into one: the 3x3 kernels stage every padding mode in one pass), the kernel's
  // workspace and the band's convolution output
  let [sourceBytes, paddedBytes, workspaceBytes, bandBytes] = [0, 0, 0, 0];
  for (const { r0, r1, top, bottom, i0, i1 } of all) {
    sourceBytes = Math.max(sourceBytes, channels * (i1 - i0) * width * 4);
    if (m === 3) paddedBytes = Math.max(paddedBytes, channels * (bottom - top) * (width + padLeft + padRight) * 4);
    workspaceBytes = Math.max(workspaceBytes, size(channels, outChannels, r1 - r0, g.width));
    bandBytes = Math.max(bandBytes, outChannels * (r1 - r0) * g.width * 4);
  }
  const { range: [actMin, actMax], epilogue } = activationArgs(params.activation);
  const align = (bytes: number): number => Math.ceil(bytes / 64) * 64;
  [sourceBytes, paddedBytes, workspaceBytes] = [align(sourceBytes), align(paddedBytes), align(workspaceBytes)];
  const local = threadBytes(sourceBytes + paddedBytes + workspaceBytes + bandBytes, threads);
  const ws = bandThreads.get(local * threads);
  parallel("f32_winograd_pool_bands", batch * bands, threads, (u0, u1) => [m, input.ptr, channels, height, width, kernel.packed,
    bias?.ptr ?? 0, outChannels, padTop, padLeft, padRight, stride[0], reach, g.height, g.width, actMin, actMax, epilogue?.kind ?? 0,
    poolKH, poolKW, poolSH, poolSW, poolPH, poolPW, poolDH, poolDW, output.ptr, g.outHeight, g.outWidth, bandRows, bands,
    ws, sourceBytes, paddedBytes, workspaceBytes, u0, u1], { perThread: { arg: 31, bytes: local } });
  return true;
}
