// Eval-mode fusion: a BatchNorm2d after a Conv2d folds into the convolution's weights and bias,
// and a following activation (ReLU/ReLU6 clamps, SiLU, Hardswish, GELU, Sigmoid, ...) runs in the kernel's epilogue.
//   s = gamma / sqrt(running_var + eps),  W' = W * s[oc],  b' = (b - running_mean) * s + beta
// torch.nn.utils.fusion.fuse_conv_bn_eval does the same fold; the unfused path stays exact.

import { Tensor, tensor } from "../tensor.js";
import { heapF32, memoryMode } from "../runtime.js";
import { keep } from "../scope.js";
import { setKind } from "../allocator.js";
import { conv2dWith, PackedConvWeights, type ConvActivation, type MaxPoolSpec } from "../functional/conv.js";
import { scaledRows } from "../functional/packed.js";
import { Conv2d } from "./conv.js";
import { BatchNorm2d } from "./batchnorm.js";

/** True when `bn` (eval mode, with running statistics) can fold into `conv`. */
export function canFold(conv: Conv2d, bn: unknown): bn is BatchNorm2d {
  return bn instanceof BatchNorm2d && bn.constructor === BatchNorm2d && !bn.training && bn.running_mean !== null && bn.running_var !== null &&
    bn.num_features === conv.out_channels;
}

/** s = gamma / sqrt(running_var + eps) per output channel (float64) and b' (float32). */
function foldScale(conv: Conv2d, bn: BatchNorm2d): { scale: Float64Array; bias: Float32Array } {
  const bias = conv.bias?.data();
  const mean = bn.running_mean!.data();
  const variance = bn.running_var!.data();
  const gamma = bn.weight?.data();
  const beta = bn.bias?.data();
  const outChannels = conv.out_channels;
  const scale = new Float64Array(outChannels);
  const foldedBias = new Float32Array(outChannels);
  for (let oc = 0; oc < outChannels; oc++) {
    scale[oc] = (gamma ? gamma[oc] : 1) / Math.sqrt(variance[oc] + bn.eps);
    foldedBias[oc] = ((bias ? bias[oc] : 0) - mean[oc]) * scale[oc] + (beta ? beta[oc] : 0);
  }
  return { scale, bias: foldedBias };
}

/** W' and b' as Float32Arrays, computed in f64 and rounded once. */
function foldValues(conv: Conv2d, bn: BatchNorm2d): { weight: Float32Array; bias: Float32Array } {
  const { scale, bias } = foldScale(conv, bn);
  const weight = conv.weight.data();
  const perChannel = weight.length / Math.max(conv.out_channels, 1);
  const foldedWeight = new Float32Array(weight.length);
  for (let oc = 0; oc < conv.out_channels; oc++) {
    for (let i = oc * perChannel; i < (oc + 1) * perChannel; i++) foldedWeight[i] = weight[i] * scale[oc];
  }
  return { weight: foldedWeight, bias };
}

/**
 * A folded Conv2d+BatchNorm2d pair, rebuilt whenever either module's tensors change. It keeps the
 * per-channel scale and the folded bias (out_channels numbers each); W * scale exists only packed
 * (fast mode: the packed cache; lean mode: a chunk at a time, per call). A depthwise convolution's
 * kernels read W * scale as it is: fast mode keeps that copy with the fold (the weights' size, as a
 * packed copy would be), lean mode makes it per call. Per call, it cost MobileNetV2 17 f32_scale_rows
 * calls, allocations and frees a forward.
 */
export class ConvBnFold {
  #scale: Float64Array | null = null;
  #bias: Tensor | null = null;
  // the tensors (and their versions) and eps the fold was made from
  #sources: (Tensor | null)[] = [];
  #versions: number[] = [];
  #eps = NaN;
  #packed = new PackedConvWeights();
  /** Depthwise, fast mode: W * scale (made with the fold). */
  #scaled: Tensor | null = null;

  forward(conv: Conv2d, bn: BatchNorm2d, input: Tensor, activation: ConvActivation, pool?: MaxPoolSpec, dead?: Tensor): Tensor {
    const sources = [conv.weight, conv.bias, bn.weight, bn.bias, bn.running_mean, bn.running_var];
    if (this.#scale === null || bn.eps !== this.#eps || sources.some((t, i) => t !== this.#sources[i] || (t?.version ?? -1) !== this.#versions[i])) {
      this.dispose();
      const { scale, bias } = foldScale(conv, bn);
      this.#scale = scale;   // a new array: the packed cache keys on it
      this.#bias = keep(tensor(bias, [conv.out_channels]));
      setKind(this.#bias.ptr, "packed");
      this.#sources = sources;
      this.#versions = sources.map((t) => t?.version ?? -1);
      this.#eps = bn.eps;
    }
    const weight = this.#weightOf(conv);
    return conv2dWith(input, weight, this.#bias, {
      stride: conv.stride, padding: conv.padding, dilation: conv.dilation, groups: conv.groups,
      paddingMode: conv.padding_mode, activation, packed: this.#packed, pool, fold: weight === conv.weight ? this.#scale! : undefined, dead,
    });
  }

  /** The weight the kernel reads: conv.weight (scaled by the fold as it is packed), or a depthwise one's kept W * scale. */
  #weightOf(conv: Conv2d): Tensor {
    if (conv.groups === 1 || conv.groups !== conv.in_channels) return conv.weight;
    if (memoryMode() === "lean") {
      this.#scaled?.dispose();
      this.#scaled = null;
      return conv.weight;
    }
    if (this.#scaled === null) {
      this.#scaled = keep(scaledRows(conv.weight, this.#scale!));
      setKind(this.#scaled.ptr, "packed");
    }
    return this.#scaled;
  }

  dispose(): void {
    this.#scaled?.dispose();
    this.#scaled = null;
    this.#bias?.dispose();
    this.#scale = null;
    this.#bias = null;
    this.#sources = [];
    this.#packed.dispose();
  }
}

/**
 * A new Conv2d computing conv followed by bn (eval mode), as torch.nn.utils.fusion.fuse_conv_bn_eval:
 * use it in custom modules, e.g. `this.conv1 = nn.utils.fuse_conv_bn_eval(this.conv1, this.bn1)`
 * and `this.bn1 = new nn.Identity()` after loading weights.
 */
export function fuse_conv_bn_eval(conv: Conv2d, bn: BatchNorm2d): Conv2d {
  if (!(conv instanceof Conv2d)) throw new TypeError("fuse_conv_bn_eval(): conv must be an nn.Conv2d");
  if (bn instanceof BatchNorm2d && bn.training) throw new Error("Fusion only for eval!");
  if (!canFold(conv, bn)) throw new Error("fuse_conv_bn_eval(): bn must be an nn.BatchNorm2d with running statistics and conv.out_channels features");
  const fused = new Conv2d(conv.in_channels, conv.out_channels, conv.kernel_size, {
    stride: conv.stride, padding: conv.padding, dilation: conv.dilation, groups: conv.groups, bias: true, padding_mode: conv.padding_mode,
  });
  // the folded values go into the new module's own parameters (no second allocation of the weight)
  const { weight, bias } = foldValues(conv, bn);
  // the addresses before the heap views: the new Conv2d's parameters are deferred (init.ts), so
  // allocating them may grow the memory, detaching a view taken earlier; overwritten whole, so
  // allocated without drawing their default initialisation
  const weightAt = fused.weight._ptrForOverwrite() / 4;
  const biasAt = fused.bias!._ptrForOverwrite() / 4;
  heapF32().set(weight, weightAt);
  heapF32().set(bias, biasAt);
  fused.weight._bump();
  fused.bias!._bump();
  return fused.eval();
}
